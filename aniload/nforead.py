"""What an existing ``tvshow.nfo`` says, for the fetch plan: the ids it names (a tmdb id
pins the match, so a user's own NFO wins over a title search) and a hash of its bytes
(so that aniload can tell its own NFO from one a user has edited, and never overwrites
the latter). NFOs come from every tool there is, so reading never raises and never
trusts the XML to parse.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET

from aniload.nfo import _DIGITS, _IMDB, _id

_TVSHOW_SPAN = re.compile(r"<tvshow\b.*</tvshow\s*>", re.I | re.S)
_RX_UNIQUEID = re.compile(
    r"<uniqueid\b[^>]*?\btype\s*=\s*[\"']?(\w+)[^>]*>\s*([^<\s]+)\s*</uniqueid", re.I)
_RX_TAG = re.compile(r"<(tmdbid|imdbid|imdb_id|tvdbid)\s*>\s*([^<\s]+)\s*</", re.I)
_RX_GUIDE = re.compile(r"(?:\"|&quot;)(tmdb|imdb|tvdb)(?:\"|&quot;)\s*:\s*(?:\"|&quot;)?(\w+)", re.I)
_RX_URLS = (
    ("tmdb", re.compile(r"themoviedb\.org/(?:\w+/)?tv/(\d+)", re.I)),
    ("tmdb", re.compile(r"api\.tmdb\.org/\d+/tv/(\d+)", re.I)),
    ("imdb", re.compile(r"imdb\.com/title/(tt\d+)", re.I)),
    ("tvdb", re.compile(r"thetvdb\.com/[^\s<\"]*?(?:series/|[?&](?:series)?id=)(\d+)", re.I)),
)
_TAG_KIND = {"tmdbid": "tmdb", "imdbid": "imdb", "imdb_id": "imdb", "tvdbid": "tvdb"}


def _put(ids: dict[str, str], kind: object, value: object) -> None:
    """Record ``value`` as the ``kind`` id unless one is known already or it is no id."""
    kind = "tmdb" if str(kind).lower() == "themoviedb" else str(kind).lower()
    if kind in ("tmdb", "imdb", "tvdb") and kind not in ids:
        if value := _id(value, _IMDB if kind == "imdb" else _DIGITS):
            ids[kind] = value


def _free_text_ids(text: str, ids: dict[str, str]) -> None:
    """Ids from an episodeguide's JSON, or from provider URLs (legacy episodeguide, URL lines)."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    for kind, value in data.items() if isinstance(data, dict) else ():
        _put(ids, kind, value)
    for kind, rx in _RX_URLS:
        if m := rx.search(text):
            _put(ids, kind, m[1])


def _ids_from_tree(root: ET.Element) -> dict[str, str]:
    ids: dict[str, str] = {}
    guides = []
    for el in root:
        tag, value = (el.tag.lower() if isinstance(el.tag, str) else ""), "".join(el.itertext())
        if tag == "uniqueid":
            _put(ids, el.get("type") or "", value)
        elif tag in _TAG_KIND:
            _put(ids, _TAG_KIND[tag], value)
        elif tag == "id":  # Jellyfin: <id TMDB=".." TVDB=".." IMDB="..">, or an imdb id as text
            for kind in ("tmdb", "tvdb", "imdb"):
                _put(ids, kind, el.get(kind.upper()) or el.get(kind))
            _put(ids, "imdb", value)
        elif tag == "episodeguide":
            guides.append(value.strip())
    for guide in guides:
        _free_text_ids(guide, ids)
    return ids


def _ids_from_regex(text: str) -> dict[str, str]:
    ids: dict[str, str] = {}
    for rx in (_RX_UNIQUEID, _RX_TAG, _RX_GUIDE):
        for m in rx.finditer(text):
            _put(ids, _TAG_KIND.get(m[1].lower(), m[1]), m[2])
    _free_text_ids(text, ids)
    return ids


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_nfo_ids(data: bytes) -> dict[str, str]:
    """The tmdb/imdb/tvdb ids an existing tvshow.nfo names, e.g. {"tmdb": "1429"}.

    Reads ``<uniqueid type=…>``, ``<tmdbid>``, ``<imdbid>``/``<imdb_id>``, ``<tvdbid>``,
    ``<id TMDB=…>``, the episodeguide (JSON or a legacy URL) and provider URLs outside the
    XML (a "parsing" NFO, or a URL line before/after it). Ids in the XML win over those
    URLs. When the XML does not parse, regular expressions over the whole text stand in.
    Never raises.
    """
    try:
        if not isinstance(data, (bytes, bytearray)):
            return {}
        data = bytes(data)
        text = _decode(data)
        ids: dict[str, str] = {}
        rest = text  # the text the regular expressions still have to look at
        if "<!ENTITY" not in text.upper():  # no entity-expansion games
            try:
                ids, rest = _ids_from_tree(ET.fromstring(data)), ""
            except (ET.ParseError, ValueError, LookupError):
                if m := _TVSHOW_SPAN.search(text):
                    try:
                        ids = _ids_from_tree(ET.fromstring(m[0]))
                        rest = text[: m.start()] + "\n" + text[m.end():]
                    except (ET.ParseError, ValueError):
                        pass
        for kind, value in _ids_from_regex(rest).items():
            ids.setdefault(kind, value)
        return {k: ids[k] for k in ("tmdb", "imdb", "tvdb") if k in ids}
    except Exception:  # noqa: BLE001 - a broken NFO must never break a run
        return {}


def content_hash(data: bytes) -> str:
    """"sha256:<hex>" of ``data``: lets aniload tell later whether its NFO was edited."""
    return "sha256:" + hashlib.sha256(bytes(data)).hexdigest()
