"""Scrub credentials out of text before it reaches a message, a log or a report.

httpx exceptions and requests carry the full URL, and with a v3 key that URL holds
``api_key=...``; a header dump may hold ``Authorization: Bearer ...``. Every message
aniload builds from an HTTP error goes through :func:`redact` first.

Pure and cheap: no I/O, no state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"

# api_key=VALUE in a query string: any case, the name or the "=" may be percent-encoded
# (a URL nested inside another URL). The value ends at the next parameter separator,
# plain or encoded, or at anything that cannot be part of a URL.
_API_KEY_QUERY = re.compile(
    r"(?i)(api(?:_|%5f)key(?:=|%3d))((?:(?!%26)[^&\s#\"'<>;,)\]}])*)"
)
# "api_key": "VALUE" / 'api_key': 'VALUE' / api_key: VALUE (a dict or JSON in a message)
_API_KEY_MAPPING = re.compile(r"(?i)(api_key[\"']?\s*:\s*[\"']?)([^\"'\s,}]+)")
# Authorization: Bearer TOKEN (RFC 6750 b64token characters)
_BEARER = re.compile(r"(?i)\b(bearer)(\s+|%20|\+)[A-Za-z0-9\-._~+/]+=*")
# scheme://user:password@host
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^/\s:@]*):[^/\s@]*@")


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Return ``text`` with API keys, bearer tokens, URL passwords and ``secrets`` masked."""
    text = str(text)
    wanted = sorted({s for s in secrets if s}, key=len, reverse=True)
    for secret in wanted:
        for form in dict.fromkeys((secret, quote(secret, safe=""), quote_plus(secret))):
            text = text.replace(form, MASK)
    text = _API_KEY_QUERY.sub(lambda m: m.group(1) + MASK, text)
    text = _API_KEY_MAPPING.sub(lambda m: m.group(1) + MASK, text)
    text = _BEARER.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    text = _USERINFO.sub(lambda m: m.group(1) + ":" + MASK + "@", text)
    return text
