"""Artwork: choose a TMDB image, fetch it whole, and write it atomically.

Decisions (kept here so callers and reviewers find them in one place):

* Formats follow the file names (``EXPECT``): poster.jpg and fanart.jpg take JPEG only,
  the clear logo PNG (an ``.svg`` logo is fetched as its ``.png`` rendition). ``pick_image``
  skips images of another format, so no file holds a format its name lies about.
* Language order: posters and logos prefer the configured language, then the fallback
  languages, then untagged (no text) images; backdrops prefer untagged, then the
  configured and fallback languages. Posters and backdrops in an unrelated language are
  a last resort (mostly picture, better than none); logos are not (a logo is nothing but
  the title, in a script the user may not read), so the logo is then "unavailable".
* Present art: the configured name, the same name with another image extension
  (poster.png for poster.jpg), ``folder.jpg``/``folder.png`` for the poster (the old
  universal convention that Jellyfin, Emby and Plex read), and ``logo.png`` for the
  logo (contract). Names match case-insensitively; a zero-byte file does not count.
* A download lands only if it is whole: HTTP 200, an image Content-Type matching the
  expected format, matching magic bytes, exactly Content-Length bytes (when sent), at
  most ``max_bytes``, and the format's end marker (JPEG FF D9, at most 4 KiB of zero
  padding after it; PNG exactly the IEND chunk, nothing after it).
* Redirects are followed only to the same host and port (or http -> https). The body is
  streamed raw (``Accept-Encoding: identity``; an encoded body is refused), never held whole.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

import httpx

from aniload.errors import DownloadError
from aniload.artnames import find_present, list_art_files
from aniload.fsutil import atomic_open

ART_KINDS = ("poster", "fanart", "logo")
DEFAULT_FILE_NAMES = {"poster": "poster.jpg", "fanart": "fanart.jpg", "logo": "clearlogo.png"}
EXPECT = {"poster": "jpeg", "fanart": "jpeg", "logo": "png"}  # the format each kind is written in
DETAILS_KEY = {"poster": "posters", "fanart": "backdrops", "logo": "logos"}  # details["images"][...]

_KIND_EXTS = {"poster": (".jpg", ".jpeg"), "fanart": (".jpg", ".jpeg"), "logo": (".png", ".svg")}

_FILE_PATH_RE = re.compile(r"/[A-Za-z0-9][A-Za-z0-9_-]{0,127}\.(?:jpe?g|png|svg)", re.ASCII | re.IGNORECASE)
_SIZE_RE = re.compile(r"[A-Za-z0-9_]{1,32}", re.ASCII)

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_END = b"\xff\xd9"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # zero-length IEND chunk with its CRC
MAX_JPEG_PADDING = 4096
_MAGIC = {"jpeg": JPEG_MAGIC, "png": PNG_MAGIC}
_NAME = {"jpeg": "JPEG", "png": "PNG"}
_CONTENT_TYPES = {"jpeg": ("image/jpeg", "image/jpg", "image/pjpeg"), "png": ("image/png", "image/x-png")}

MAX_REDIRECTS = 3
MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After is capped, not obeyed


# --------------------------------------------------------------------------- choosing


def existing_art(series_dir: Path, kind: str, file_name: str) -> Path | None:
    """The file that already serves as ``kind``'s art in ``series_dir``, if any."""
    try:
        found = find_present(list_art_files(series_dir), kind, file_name)
    except OSError:
        return None
    return series_dir / found if found else None


def pick_image(images: Sequence[dict], *, kind: str, language: str, fallback_languages: Sequence[str],
               any_language: bool | None = None) -> dict | None:
    """A copy of the best image of TMDB's list for ``kind``, or None when none fits.

    ``any_language`` overrides the last-resort rule (default: posters and backdrops yes, logos no).
    """
    _check_kind(kind)
    if images is None or isinstance(images, (str, bytes, Mapping)):
        return None
    wanted: list[str | None] = []
    for code in (language, *(fallback_languages or ())):
        lang = _lang(code)
        if lang and lang not in wanted:
            wanted.append(lang)
    tiers = [None, *wanted] if kind == "fanart" else [*wanted, None]
    rank = {tag: i for i, tag in enumerate(tiers)}
    allow_other = (kind != "logo") if any_language is None else any_language
    best_key, best = None, None
    for index, image in enumerate(images):
        if not isinstance(image, Mapping):
            continue
        path = safe_file_path(image.get("file_path"))
        if path is None or not path.lower().endswith(_KIND_EXTS[kind]):
            continue
        tier = rank.get(_lang(image.get("iso_639_1")), len(rank))
        if tier == len(rank) and not allow_other:
            continue
        votes = [-_num(image.get(k)) for k in ("vote_average", "vote_count", "width")]
        key = (tier, *votes, index)
        if best_key is None or key < best_key:
            best_key, best = key, dict(image)
    return best


def safe_file_path(file_path: object) -> str | None:
    """``file_path`` if it is a plain TMDB image path ("/<name>.<jpg|jpeg|png|svg>")."""
    if isinstance(file_path, str) and _FILE_PATH_RE.fullmatch(file_path):
        return file_path
    return None


def image_url(image_base: str, size: str, file_path: str, *, kind: str) -> str:
    """``image_base + "/" + size + file_path``; an ``.svg`` is asked for as its ``.png``."""
    _check_kind(kind)
    path = safe_file_path(file_path)
    if path is None:
        raise ValueError(f"unsafe TMDB image path {file_path!r}")
    if not isinstance(size, str) or not _SIZE_RE.fullmatch(size):
        raise ValueError(f"bad TMDB image size {size!r}")
    if not isinstance(image_base, str) or not image_base.lower().startswith(("http://", "https://")):
        raise ValueError(f"image base must be an http(s) URL, got {image_base!r}")
    if path.lower().endswith(".svg"):
        path = path[:-4] + ".png"
    return f"{image_base.rstrip('/')}/{size}{path}"


def _check_kind(kind: str) -> None:
    if kind not in ART_KINDS:
        raise ValueError(f"unknown artwork kind {kind!r} (expected one of {', '.join(ART_KINDS)})")


def _lang(code: object) -> str | None:
    """ISO 639-1 part of "en-US"/"en"/"pt_BR"; None for untagged (null, "", "xx")."""
    if not isinstance(code, str):
        return None
    lang = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return None if lang in ("", "xx") else lang


def _num(value: object) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else 0.0


# --------------------------------------------------------------------------- validating


class ImageError(DownloadError):
    """Why a body is not a whole image: ``reason`` + ``detail``; ``retryable`` if transient."""

    def __init__(self, reason: str, detail: str = "", *, retryable: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(reason + detail)
        self.reason, self.detail, self.retryable, self.retry_after = reason, detail, retryable, retry_after


class ImageValidator:
    """Checks a JPEG or PNG fed chunk by chunk, keeping only a few bytes of it."""

    def __init__(self, expect: str, *, max_bytes: int | None = None,
                 expected_length: int | None = None) -> None:
        if expect not in _MAGIC:
            raise ValueError(f"expect must be 'jpeg' or 'png', got {expect!r}")
        self.expect = expect
        self.max_bytes = max_bytes
        self.expected_length = expected_length
        self.length = 0
        self._magic = _MAGIC[expect]
        self._head = b""
        self._tail = b""  # the last len(PNG_END) bytes
        self._jpeg_end = b""  # the last two bytes before the trailing run of zeros
        self._zero_run = 0

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.length += len(chunk)
        if self.max_bytes is not None and self.length > self.max_bytes:
            raise ImageError("image too large", f" (more than {self.max_bytes} bytes)")
        if self.expected_length is not None and self.length > self.expected_length:
            raise ImageError("image longer than announced",
                             f" (more than {self.expected_length} bytes)", retryable=True)
        if len(self._head) < len(self._magic):
            sample = self._head + chunk[:64]
            self._head = sample[: len(self._magic)]
            if not self._magic.startswith(self._head):
                raise self._not_image(sample)
        previous = self._tail
        self._tail = (previous + chunk[-len(PNG_END):])[-len(PNG_END):]
        if self.expect == "jpeg":
            stripped = chunk.rstrip(b"\0")
            if stripped:
                self._zero_run = len(chunk) - len(stripped)
                self._jpeg_end = (previous[-1:] + stripped[-2:])[-2:]
            else:
                self._zero_run += len(chunk)

    def finish(self) -> None:
        """Raise ``ImageError`` unless everything fed was one whole image."""
        name = _NAME[self.expect]
        if self.expected_length is not None and self.length < self.expected_length:
            raise ImageError("truncated image", f" (got {self.length} of {self.expected_length} bytes)",
                             retryable=True)
        if self.length == 0:
            raise ImageError("empty response", retryable=True)
        if len(self._head) < len(self._magic):
            raise ImageError(f"not a {name} image", f" (only {self.length} bytes)")
        # Without a Content-Length a cut connection looks like a complete body: retry then.
        cut = self.expected_length is None
        if self.expect == "jpeg":
            if self._jpeg_end != JPEG_END or self._zero_run > MAX_JPEG_PADDING:
                raise ImageError("incomplete JPEG image", " (no end marker: truncated, or data after it)",
                                 retryable=cut)
        elif self._tail != PNG_END:
            raise ImageError("incomplete PNG image", " (no IEND chunk at the end: truncated, or data after it)",
                             retryable=cut)

    def _not_image(self, sample: bytes) -> ImageError:
        """Name what came instead (never quoting it), from the first bytes seen."""
        head = sample.lstrip()
        if self.expect == "jpeg" and PNG_MAGIC.startswith(sample[:8]):
            what = "PNG data"
        elif self.expect == "png" and JPEG_MAGIC.startswith(sample[:3]):
            what = "JPEG data"
        elif head[:1] == b"<":
            what = "HTML or XML"
        elif head[:1] in (b"{", b"["):
            what = "JSON"
        else:
            what = "wrong magic bytes"
        return ImageError(f"not a {_NAME[self.expect]} image", f" ({what})")


# --------------------------------------------------------------------------- downloading


async def download_image(http: httpx.AsyncClient, url: str, target: Path, *, expect: str, max_bytes: int,
                         durable: bool = True, attempts: int = 3, backoff: float = 0.5,
                         sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                         what: str | None = None, total_timeout: float | None = None) -> int:
    """Fetch ``url`` into ``target`` whole or not at all; return the bytes written.

    Failures raise ``DownloadError`` ("<what>: <reason> from <url> (<detail>)", ``what``
    defaulting to the target's name); disk problems raise ``WriteError`` (never retried). Connection errors, timeouts, 5xx, 429
    (honouring Retry-After up to a minute) and truncated bodies are retried up to
    ``attempts`` times in all, waiting ``backoff * 2**n`` seconds between tries.
    ``total_timeout`` bounds one attempt (the client's timeouts bound each read only).
    """
    if expect not in _MAGIC:
        raise ValueError(f"expect must be 'jpeg' or 'png', got {expect!r}")
    what = what or target.name
    error: ImageError | None = None
    tries = 0
    for tries in range(1, max(1, attempts) + 1):
        try:
            if total_timeout is None:
                return await _fetch_once(http, url, target, expect, max_bytes, durable)
            async with asyncio.timeout(total_timeout):
                return await _fetch_once(http, url, target, expect, max_bytes, durable)
        except ImageError as exc:
            error = exc
        except httpx.TimeoutException:
            error = ImageError("timed out", retryable=True)
        except httpx.UnsupportedProtocol as exc:
            error = ImageError("unusable URL", f" ({_one_line(exc)})")
        except httpx.TransportError as exc:
            error = ImageError("connection failed", f" ({_one_line(exc)})", retryable=True)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            error = ImageError("request failed", f" ({_one_line(exc)})")
        except TimeoutError:
            error = ImageError("timed out", f" (no whole image within {total_timeout:g} s)", retryable=True)
        if not error.retryable or tries >= attempts:
            break
        delay = backoff * 2 ** (tries - 1)
        if error.retry_after is not None:
            delay = max(delay, min(error.retry_after, MAX_RETRY_AFTER))
        await sleep(delay)
    assert error is not None
    detail = error.detail
    if tries > 1:
        note = f"gave up after {tries} attempts"
        detail = f"{detail[:-1]}; {note})" if detail.endswith(")") else f"{detail} ({note})"
    raise DownloadError(f"{what}: {error.reason} from {url}{detail}") from error


async def _fetch_once(http: httpx.AsyncClient, url: str, target: Path, expect: str,
                      max_bytes: int, durable: bool) -> int:
    headers = {"Accept": _CONTENT_TYPES[expect][0], "Accept-Encoding": "identity"}
    current = httpx.URL(url)
    for _hop in range(MAX_REDIRECTS + 1):
        async with http.stream("GET", current, headers=headers, follow_redirects=False) as resp:
            if resp.is_redirect:
                current = _same_host_redirect(current, resp)
                continue
            expected_length = _check_response(resp, expect, max_bytes)
            validator = ImageValidator(expect, max_bytes=max_bytes, expected_length=expected_length)
            with atomic_open(target, durable=durable) as fh:
                try:
                    async for chunk in resp.aiter_raw():
                        validator.feed(chunk)
                        fh.write(chunk)
                except httpx.TransportError as exc:
                    if expected_length is not None and validator.length < expected_length:
                        raise ImageError("truncated image",
                                         f" (got {validator.length} of {expected_length} bytes)",
                                         retryable=True) from exc
                    raise
                validator.finish()
            return validator.length
    raise ImageError("too many redirects", f" (more than {MAX_REDIRECTS})")


def _same_host_redirect(current: httpx.URL, resp: httpx.Response) -> httpx.URL:
    """Where a redirect leads, if that is the same host and port (or an upgrade to https)."""
    try:
        nxt = current.join(resp.headers.get("location", ""))
    except httpx.InvalidURL:
        raise ImageError("bad redirect", f" (HTTP {resp.status_code})") from None
    same = nxt.scheme == current.scheme and _port(nxt) == _port(current)
    upgrade = current.scheme == "http" and nxt.scheme == "https" and _port(nxt) == 443
    if nxt.host.lower() != current.host.lower() or not (same or upgrade):
        raise ImageError("redirect refused", f" (HTTP {resp.status_code} to {nxt.scheme}://{nxt.host or '?'}"
                         f":{_port(nxt)}, not the image host)")
    return nxt


def _port(url: httpx.URL) -> int | None:
    return url.port or {"http": 80, "https": 443}.get(url.scheme)


def _check_response(resp: httpx.Response, expect: str, max_bytes: int) -> int | None:
    """Status and headers; returns the announced length (None when not sent)."""
    status = resp.status_code
    if status != 200:
        detail = f" (HTTP {status} {resp.reason_phrase})".replace(" )", ")")
        if status == 429 or status >= 500:
            raise ImageError("server error" if status >= 500 else "rate limited", detail, retryable=True,
                             retry_after=_retry_after(resp.headers.get("retry-after")))
        raise ImageError("no image" if status in (404, 410) else "unexpected answer", detail)
    ctype = resp.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    shown = ctype if re.fullmatch(r"[a-z0-9.+-]{1,40}/[a-z0-9.+-]{1,60}", ctype) else "unreadable"
    if not ctype:
        raise ImageError("not an image", " (no Content-Type)")
    if not ctype.startswith("image/"):
        raise ImageError("not an image", f" (Content-Type {shown})")
    if ctype not in _CONTENT_TYPES[expect]:
        raise ImageError(f"not a {_NAME[expect]} image", f" (Content-Type {shown})")
    encoding = resp.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise ImageError("unexpected encoding", " (the image was sent content-encoded)")
    raw_length = resp.headers.get("content-length")
    if raw_length is None:
        return None
    values = {v.strip() for v in raw_length.split(",")}
    if len(values) != 1 or not next(iter(values)).isdigit():
        raise ImageError("bad Content-Length", retryable=True)
    length = int(values.pop())
    if length > max_bytes:
        raise ImageError("image too large", f" ({length} bytes, limit {max_bytes})")
    return length


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (email.utils.parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError):
        return None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__
