"""A TMDB v3 stand-in: a real HTTP/1.1 server on 127.0.0.1 serving the documented JSON
shapes from a ``Catalog`` and an image CDN under ``/t/p/{size}/{file}``.

    with Standin() as tmdb:
        httpx.get(tmdb.api_base + "/search/tv", params={"query": "Frieren"},
                  headers={"Authorization": f"Bearer {tmdb.read_access_token}"})

Standard library only. Fault injection (``add_fault``) covers the failures a client
must survive: error statuses, 429 with/without Retry-After, truncated bodies, HTML
instead of JSON/images, broken JSON, slow answers, connection resets, huge bodies.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import socket
import struct
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from . import images as _images
from .catalog import (
    ALL_SIZES,
    BACKDROP_SIZES,
    GENRES,
    LANGUAGE_NAMES,
    LOGO_SIZES,
    POSTER_SIZES,
    PROFILE_SIZES,
    STILL_SIZES,
    Catalog,
    ImageInfo,
    episode_name,
    genre_name,
    normalise_title,
    parse_language,
    pick_translation,
    season_name,
)

__all__ = ["Standin", "Fault", "RecordedRequest", "FAULT_KINDS"]

JSON_TYPE = "application/json;charset=utf-8"
FAULT_KINDS = ("status", "rate_limit", "truncate", "content_type", "invalid_json", "slow", "reset", "huge")
MAX_APPEND = 20
PAGE_SIZE = 20

# TMDB's documented error table (developer.themoviedb.org/docs/errors)
_ERRORS = {
    401: (7, "Invalid API key: You must be granted a valid key."),
    404: (34, "The resource you requested could not be found."),
    405: (42, "This request method is not supported for this resource."),
    429: (25, "Your request count (#) is over the allowed limit of (40)."),
    500: (11, "Internal error: Something went wrong, contact TMDB."),
    501: (2, "Invalid service: this service does not exist."),
    502: (43, "Couldn't connect to the backend server."),
    503: (9, "Service offline: This service is temporarily offline, try again later."),
    504: (24, "Your request to the backend server timed out. Try again."),
}
_TOO_MANY_APPENDS = (27, "Too many append to response objects: The maximum number of remote calls is 20.")
_INVALID_PAGE = (22, "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer.")
_INVALID_INPUT = (47, "The input is not valid.")


@dataclass
class Fault:
    """An injected failure. ``path_contains`` is matched against the request path and
    against the full target (path + query); "" matches everything. ``times=None`` means
    forever. ``fired`` counts how often it was applied. ``message`` replaces TMDB's
    ``status_message`` of a "status" or "rate_limit" answer (e.g. a proxy that echoes the
    request back, credentials included)."""
    kind: str
    path_contains: str = ""
    times: int | None = 1
    status: int = 500
    retry_after: float | None = None
    delay: float = 0.0
    size: int = 0
    message: str | None = None
    fired: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(FAULT_KINDS)}")


@dataclass
class RecordedRequest:
    method: str
    path: str                    # URL path, percent-decoded, without the query
    query: dict[str, str]        # last value of each parameter
    headers: dict[str, str]      # lower-case names
    status: int = 0              # status sent; 0 = connection reset / nothing sent
    kind: str = "api"            # "api" | "image"
    target: str = ""             # the raw request target (path?query)
    started: float = 0.0         # time.monotonic()
    finished: float = 0.0        # when the answer started (the record is logged then)
    fault: str | None = None     # kind of the fault applied, if any

    @property
    def duration(self) -> float:
        return self.finished - self.started


@dataclass
class _Response:
    status: int
    content_type: str | None = JSON_TYPE
    body: bytes = b""
    chunks: Iterator[bytes] | None = None
    length: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


class _TokenBucket:
    def __init__(self, rate: float):
        self.rate = float(rate)
        self.capacity = max(1.0, self.rate)
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> float | None:
        """None if allowed, else seconds until a token is available."""
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return None
            return (1.0 - self.tokens) / self.rate


def _error(status: int, code_message: tuple[int, str] | None = None, **extra_headers: str) -> _Response:
    code, message = code_message or _ERRORS.get(status, _ERRORS[500])
    body = json.dumps({"success": False, "status_code": code, "status_message": message}).encode()
    return _Response(status, JSON_TYPE, body, headers=list(extra_headers.items()))


def _json(obj: object, status: int = 200) -> _Response:
    return _Response(status, JSON_TYPE, json.dumps(obj, ensure_ascii=False).encode("utf-8"))


def _fmt_seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, addr, handler, standin: Standin):
        self.standin = standin
        super().__init__(addr, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "standin-tmdb/1.0"
    sys_version = ""
    timeout = 60  # idle keep-alive connections end after this

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass

    def setup(self) -> None:
        super().setup()
        try:  # headers and body go out as separate writes: avoid Nagle + delayed-ACK stalls
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.server.standin._connection_opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.standin._connection_closed(self.connection)

    def handle(self) -> None:
        # A client that drops its connection (e.g. after refusing a huge body) or a
        # connection the stand-in reset on purpose is not a stand-in error: end quietly
        # instead of letting socketserver print a traceback.
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def do_GET(self) -> None:
        self.server.standin._handle(self, head=False)

    def do_HEAD(self) -> None:
        self.server.standin._handle(self, head=True)

    def _not_allowed(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.standin._handle(self, head=False, method_not_allowed=True)

    do_POST = do_PUT = do_DELETE = do_PATCH = _not_allowed


class Standin:
    """The TMDB stand-in. A context manager; ``start()`` binds 127.0.0.1 (port 0 = any)."""

    def __init__(self, catalog: Catalog | None = None, *, api_key: str = "standin-api-key",
                 read_access_token: str = "standin-read-token", rate_limit: float | None = None,
                 latency: float = 0.0, image_latency: float = 0.0, host: str = "127.0.0.1", port: int = 0):
        self.catalog = catalog if catalog is not None else Catalog.default()
        self.api_key = api_key
        self.read_access_token = read_access_token
        self.latency = latency
        self.image_latency = image_latency
        self.host = host
        self.port = port
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []          # tracebacks of stand-in bugs (should stay empty)
        self.connections_opened = 0
        self.peak_in_flight = 0
        self._in_flight = 0
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._limiter: _TokenBucket | None = None
        self.rate_limit = rate_limit

    # ------------------------------------------------------------------ lifecycle
    @property
    def rate_limit(self) -> float | None:
        return self._limiter.rate if self._limiter else None

    @rate_limit.setter
    def rate_limit(self, value: float | None) -> None:
        if value is not None and value <= 0:
            raise ValueError("rate_limit must be positive or None")
        self._limiter = _TokenBucket(value) if value else None

    def start(self) -> Standin:
        if self._server is not None:
            return self
        self._server = _Server((self.host, self.port), _Handler, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"standin-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._conns)
        for c in conns:  # end idle keep-alive connections so clients notice
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> Standin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Start (if needed) and block until KeyboardInterrupt."""
        self.start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return self.base_url + "/3"

    @property
    def image_base(self) -> str:
        return self.base_url + "/t/p"

    def image_url(self, size: str, file_path: str) -> str:
        return f"{self.image_base}/{size}{file_path}"

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.read_access_token}"}

    # -------------------------------------------------------------- log & faults
    def api_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.kind == "api"]

    def image_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.kind == "image"]

    def count(self, status: int | None = None, kind: str | None = None, path_contains: str = "") -> int:
        with self._lock:
            return sum(1 for r in self.requests
                       if (status is None or r.status == status) and (kind is None or r.kind == kind)
                       and path_contains in r.path)

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.peak_in_flight = self._in_flight
            self.connections_opened = 0

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no request is being handled; False if that takes over ``timeout`` s.

        A request is logged when its answer starts, so one the client gave up on (a
        ``slow`` fault past the client's timeout) lands in ``requests`` late. Call this
        before ``reset_log`` so such a straggler is not counted against the next run."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if self._in_flight == 0:
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def _take_fault(self, path: str, target: str) -> Fault | None:
        with self._lock:
            for f in self._faults:
                if f.times is not None and f.times <= 0:
                    continue
                if f.path_contains in path or f.path_contains in target:
                    if f.times is not None:
                        f.times -= 1
                    f.fired += 1
                    return f
        return None

    def _connection_opened(self, conn: socket.socket) -> None:
        with self._lock:
            self._conns.add(conn)
            self.connections_opened += 1

    def _connection_closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._conns.discard(conn)

    # ----------------------------------------------------------------- image bytes
    def image_bytes(self, size: str, file_path: str) -> bytes:
        """The exact bytes the CDN serves for ``/t/p/{size}{file_path}`` (no faults).
        Raises KeyError for an unknown size or file."""
        resp = self._image_response(f"/t/p/{size}{file_path}")
        if resp.status != 200:
            raise KeyError(f"{size}{file_path}")
        return resp.body

    # ------------------------------------------------------------------- handling
    def _handle(self, h: _Handler, head: bool, method_not_allowed: bool = False) -> None:
        started = time.monotonic()
        split = urlsplit(h.path)
        path = unquote(split.path)
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        kind = "image" if path.startswith("/t/p/") else "api"
        rec = RecordedRequest(h.command, path, query, {k.lower(): v for k, v in h.headers.items()},
                              kind=kind, target=h.path, started=started)
        h._standin_rec = rec  # type: ignore[attr-defined]
        with self._lock:
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
        try:
            fault = self._take_fault(path, h.path)
            rec.fault = fault.kind if fault else None
            delay = self.latency if kind == "api" else self.image_latency
            if delay > 0:
                time.sleep(delay)
            self._respond(h, kind, path, query, fault, head, method_not_allowed)
        except Exception:  # a stand-in bug: answer 500 and remember it
            self.errors.append(traceback.format_exc())
            print(self.errors[-1], file=sys.stderr)
            if getattr(h, "_standin_rec", None) is not None:  # nothing sent yet
                try:
                    self._send(h, _error(500), head)
                except OSError:
                    h.close_connection = True
            else:
                h.close_connection = True
        finally:
            self._commit(h, 0)  # no-op if the response already committed the record
            with self._lock:
                self._in_flight -= 1

    def _commit(self, h: _Handler, status: int) -> None:
        """Log the request BEFORE any byte of the answer leaves, so a client that has its
        response can rely on seeing it in ``requests``."""
        rec = getattr(h, "_standin_rec", None)
        if rec is None:
            return
        h._standin_rec = None  # type: ignore[attr-defined]
        rec.status = status
        rec.finished = time.monotonic()
        with self._lock:
            self.requests.append(rec)

    def _respond(self, h: _Handler, kind: str, path: str, query: dict[str, str], fault: Fault | None,
                 head: bool, method_not_allowed: bool) -> int:
        truncate = False
        if fault is not None:
            if fault.kind == "reset":
                self._commit(h, 0)
                self._reset(h)
                return 0
            if fault.kind == "slow":
                time.sleep(fault.delay)
            elif fault.kind == "truncate":
                truncate = True
            else:
                return self._send(h, self._fault_response(fault, kind, path), head)
        if method_not_allowed:
            resp = _error(405)
            resp.headers.append(("Connection", "close"))
        elif kind == "image":
            resp = self._image_response(path)
        else:
            resp = self._api_response(path, query, h)
        return self._send(h, resp, head, truncate=truncate)

    def _send(self, h: _Handler, resp: _Response, head: bool, truncate: bool = False) -> int:
        length = resp.length if resp.chunks is not None else len(resp.body)
        self._commit(h, resp.status)
        try:
            h.send_response(resp.status)
            if resp.content_type:
                h.send_header("Content-Type", resp.content_type)
            for k, v in resp.headers:
                h.send_header(k, v)
            h.send_header("Content-Length", str(length))
            h.end_headers()
            if head:
                return resp.status
            if truncate:
                body = resp.body if resp.chunks is None else b"".join(resp.chunks)
                h.wfile.write(body[: len(body) // 2])
                h.wfile.flush()
                h.close_connection = True
                try:
                    h.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return resp.status
            if resp.chunks is None:
                h.wfile.write(resp.body)
            else:
                for chunk in resp.chunks:
                    h.wfile.write(chunk)
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            h.close_connection = True  # the client gave up (e.g. on a huge body): fine
        return resp.status

    @staticmethod
    def _reset(h: _Handler) -> None:
        h.close_connection = True
        try:
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        for f in (h.wfile, h.rfile):
            try:
                f.close()
            except OSError:
                pass
        try:
            h.connection.close()
        except OSError:
            pass
        # http.server flushes wfile after every request and finish() closes both files:
        # give it harmless stand-ins, or it raises "I/O operation on closed file".
        h.wfile, h.rfile = io.BytesIO(), io.BytesIO()

    def _fault_response(self, fault: Fault, kind: str, path: str) -> _Response:
        if fault.kind == "status":
            resp = _error(fault.status, self._fault_message(fault, fault.status))
            if fault.retry_after is not None:
                resp.headers.append(("Retry-After", _fmt_seconds(fault.retry_after)))
            return resp
        if fault.kind == "rate_limit":
            resp = _error(429, self._fault_message(fault, 429))
            if fault.retry_after is not None:
                resp.headers.append(("Retry-After", _fmt_seconds(fault.retry_after)))
            return resp
        if fault.kind == "content_type":
            html = ("<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body>"
                    "<h1>Sign in to the network</h1><p>This captive portal stands in for the page you "
                    "asked for.</p></body></html>\n").encode()
            return _Response(200, "text/html; charset=utf-8", html)
        if fault.kind == "invalid_json":
            return _Response(200, JSON_TYPE, b'{"page": 1, "results": [{"id": 1429, "name": "Attack on')
        if fault.kind == "huge":
            return self._huge_response(fault.size, kind, path)
        raise AssertionError(fault.kind)

    @staticmethod
    def _fault_message(fault: Fault, status: int) -> tuple[int, str] | None:
        if fault.message is None:
            return None
        return _ERRORS.get(status, _ERRORS[500])[0], fault.message

    def _huge_response(self, size: int, kind: str, path: str) -> _Response:
        size = max(size, 0)
        if kind == "image":
            parts = path.split("/", 4)
            info = self.catalog.image("/" + parts[4]) if len(parts) == 5 and parts[4] else None
            w, h = (info.width, info.height) if info else (500, 750)
            w, h = min(w, 1000), min(h, 1500)
            rgb = _images.colour_for(path)
            if path.endswith(".png"):
                length, chunks = _images.huge_png_chunks(size, w, h, rgb, "huge " + path)
                return _Response(200, "image/png", chunks=chunks, length=length)
            if path.endswith(".svg"):
                head = b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><!-- '
                tail = b" --></svg>\n"
                pad = max(0, size - len(head) - len(tail))
                return _Response(200, "image/svg+xml", chunks=_padded(head, pad, b" ", tail),
                                 length=len(head) + pad + len(tail))
            length, chunks = _images.huge_jpeg_chunks(size, w, h, rgb, "huge " + path)
            return _Response(200, "image/jpeg", chunks=chunks, length=length)
        # a huge but valid JSON array: [0,0,...,0]
        if size < 3:
            return _Response(200, JSON_TYPE, b"[]")
        m, pad = divmod(size - 3, 2)
        return _Response(200, JSON_TYPE, chunks=_padded(b"[", m, b"0,", b"0" + b" " * pad + b"]"), length=size)

    # --------------------------------------------------------------------- images
    def _image_response(self, path: str) -> _Response:
        parts = path.split("/", 4)  # "", "t", "p", size, file
        if len(parts) < 5 or not parts[4] or "/" in parts[4]:
            return _Response(404, "text/plain; charset=utf-8", b"Not Found\n")
        size, file_path = parts[3], "/" + parts[4]
        ext = file_path[file_path.rfind("."):].lower() if "." in file_path else ""
        info = self.catalog.image(file_path)
        if size not in ALL_SIZES or info is None or ext not in _images.CONTENT_TYPES:
            return _Response(404, "text/plain; charset=utf-8", b"Not Found\n")
        w, h = _scaled(info, size)
        rgb = _images.colour_for(file_path)
        comment = f"standin {size}{file_path}"
        if ext == ".svg":
            body = _images.svg_bytes(w, h, rgb, comment)
        elif ext == ".png":
            body = _images.png_bytes(w, h, rgb, comment)
        else:
            body = _images.jpeg_bytes(w, h, rgb, comment)
        return _Response(200, _images.CONTENT_TYPES[ext], body,
                         headers=[("Cache-Control", "public, max-age=31536000")])

    # ------------------------------------------------------------------------ API
    def _authorised(self, query: dict[str, str], h: _Handler) -> bool:
        given = []
        auth = h.headers.get("Authorization")
        if auth is not None:
            scheme, _, token = auth.strip().partition(" ")
            given.append(scheme.lower() == "bearer" and token.strip() == self.read_access_token)
        if "api_key" in query:
            given.append(query["api_key"] == self.api_key)
        return bool(given) and all(given)

    def _api_response(self, path: str, query: dict[str, str], h: _Handler) -> _Response:
        if self._limiter is not None:
            wait = self._limiter.take()
            if wait is not None:
                code, msg = _ERRORS[429]
                msg = msg.replace("(40)", f"({_fmt_seconds(round(self._limiter.rate, 2))})")
                return _error(429, (code, msg), **{"Retry-After": str(max(1, math.ceil(wait)))})
        if not self._authorised(query, h):
            return _error(401)
        if not path.startswith("/3/"):
            return _error(404)
        parts = [p for p in path[3:].split("/") if p]
        lang = query.get("language") or "en-US"
        if parts == ["configuration"]:
            return _json(self._configuration())
        if parts == ["authentication"]:
            return _json({"success": True, "status_code": 1, "status_message": "Success."})
        if parts == ["genre", "tv", "list"]:
            return _json({"genres": [{"id": g, "name": genre_name(g, lang)} for g in sorted(self._all_genres())]})
        if parts == ["search", "tv"]:
            return self._search(query, lang)
        if len(parts) == 2 and parts[0] == "find":
            return self._find(parts[1], query, lang)
        if len(parts) >= 2 and parts[0] == "tv":
            try:
                sid = int(parts[1])
            except ValueError:
                return _error(404)
            rec = self.catalog.get(sid)
            if rec is None:
                return _error(404)
            sub = "/".join(parts[2:])
            if sub == "":
                append = [a.strip() for a in (query.get("append_to_response") or "").split(",") if a.strip()]
                if len(append) > MAX_APPEND:
                    return _error(400, _TOO_MANY_APPENDS)
                return _json(self._details(rec, lang, append, query, explicit_language="language" in query))
            doc = self._sub_resource(rec, sub, lang, query, explicit_language="language" in query)
            return _error(404) if doc is None else _json(doc)
        return _error(404)

    def _configuration(self) -> dict:
        base = self.image_base + "/"
        return {
            "images": {
                "base_url": base, "secure_base_url": base,
                "backdrop_sizes": BACKDROP_SIZES, "logo_sizes": LOGO_SIZES, "poster_sizes": POSTER_SIZES,
                "profile_sizes": PROFILE_SIZES, "still_sizes": STILL_SIZES,
            },
            "change_keys": ["adult", "air_date", "also_known_as", "alternative_titles", "biography", "birthday",
                            "budget", "cast", "certifications", "character_names", "created_by", "crew",
                            "deathday", "episode", "episode_number", "episode_run_time", "freebase_id",
                            "freebase_mid", "general", "genres", "guest_stars", "homepage", "images", "imdb_id",
                            "languages", "name", "network", "origin_country", "original_name", "original_title",
                            "overview", "parts", "place_of_birth", "plot_keywords", "production_code",
                            "production_companies", "production_countries", "releases", "revenue", "runtime",
                            "season", "season_number", "season_regular", "spoken_languages", "status", "tagline",
                            "title", "translations", "tvdb_id", "tvrage_id", "type", "video", "videos"],
        }

    def _all_genres(self) -> set[int]:
        return set(GENRES)

    # search -------------------------------------------------------------------
    def _search(self, query: dict[str, str], lang: str) -> _Response:
        page_raw = query.get("page", "1") or "1"
        try:
            page = int(page_raw)
        except ValueError:
            return _error(400, _INVALID_PAGE)
        if not 1 <= page <= 500:
            return _error(400, _INVALID_PAGE)
        q = normalise_title(query.get("query", ""))
        fady = query.get("first_air_date_year", "")
        year = query.get("year", "")
        for value in (fady, year):
            if value and not value.isdigit():
                return _error(422, _INVALID_INPUT)
        hits = []
        if q:
            q_tokens = q.split()
            for rec in self.catalog:
                if fady and rec["first_air_date"][:4] != fady:
                    continue
                if year and year not in {rec["first_air_date"][:4]} | {s["air_date"][:4] for s in rec["seasons"] if s["air_date"]}:
                    continue
                if any(_title_matches(q, q_tokens, normalise_title(t)) for t in self.catalog.titles(rec["id"])):
                    hits.append(rec)
        hits.sort(key=lambda r: (-r["popularity"], r["id"]))
        total = len(hits)
        chunk = hits[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        return _json({
            "page": page,
            "results": [self._summary(r, lang) for r in chunk],
            "total_pages": max(1, math.ceil(total / PAGE_SIZE)) if total else 1,
            "total_results": total,
        })

    def _find(self, external_id: str, query: dict[str, str], lang: str) -> _Response:
        source = query.get("external_source", "")
        if source not in {"imdb_id", "tvdb_id", "wikidata_id", "facebook_id", "instagram_id", "twitter_id",
                          "tvrage_id", "youtube_id", "tiktok_id"}:
            return _error(400, _INVALID_INPUT)
        found = [r for r in self.catalog if str(r["external_ids"].get(source)) == external_id]
        return _json({"movie_results": [], "person_results": [], "tv_results": [self._summary(r, lang) for r in found],
                      "tv_episode_results": [], "tv_season_results": []})

    def _localised(self, rec: dict, lang: str) -> tuple[str, str, str]:
        """(name, overview, tagline) in ``lang`` with TMDB's no-fallback rule."""
        t = pick_translation(rec["translations"], lang)
        if t is None:
            return rec["original_name"], "", ""
        return t["name"] or rec["original_name"], t["overview"], t["tagline"]

    def _summary(self, rec: dict, lang: str) -> dict:
        name, overview, _ = self._localised(rec, lang)
        return {
            "adult": False,
            "backdrop_path": _main_backdrop(rec),
            "genre_ids": list(rec["genre_ids"]),
            "id": rec["id"],
            "origin_country": list(rec["origin_country"]),
            "original_language": rec["original_language"],
            "original_name": rec["original_name"],
            "overview": overview,
            "popularity": rec["popularity"],
            "poster_path": _main_poster(rec, lang),
            "first_air_date": rec["first_air_date"],
            "name": name,
            "vote_average": rec["vote_average"],
            "vote_count": rec["vote_count"],
        }

    # details ------------------------------------------------------------------
    def _details(self, rec: dict, lang: str, append: list[str], query: dict[str, str],
                 explicit_language: bool) -> dict:
        name, overview, tagline = self._localised(rec, lang)
        t = pick_translation(rec["translations"], lang)
        regular = [s for s in rec["seasons"] if s["season_number"] > 0]
        last_ep, next_ep = _last_and_next(rec, lang)
        doc = {
            "adult": False,
            "backdrop_path": _main_backdrop(rec),
            "created_by": [dict(c) for c in rec["created_by"]],
            "episode_run_time": list(rec["episode_run_time"]),
            "first_air_date": rec["first_air_date"],
            "genres": [{"id": g, "name": genre_name(g, lang)} for g in rec["genre_ids"]],
            "homepage": (t or {}).get("homepage") or rec["homepage"],
            "id": rec["id"],
            "in_production": rec["in_production"],
            "languages": [rec["original_language"]],
            "last_air_date": rec["last_air_date"],
            "last_episode_to_air": last_ep,
            "name": name,
            "next_episode_to_air": next_ep,
            "networks": [dict(n) for n in rec["networks"]],
            "number_of_episodes": sum(s["episode_count"] for s in regular),
            "number_of_seasons": len(regular),
            "origin_country": list(rec["origin_country"]),
            "original_language": rec["original_language"],
            "original_name": rec["original_name"],
            "overview": overview,
            "popularity": rec["popularity"],
            "poster_path": _main_poster(rec, lang),
            "production_companies": [dict(c) for c in rec["production_companies"]],
            "production_countries": [{"iso_3166_1": c, "name": {"JP": "Japan", "US": "United States of America"}.get(c, c)}
                                     for c in rec["origin_country"]],
            "seasons": [self._season_summary(s, lang) for s in rec["seasons"]],
            "spoken_languages": [{"english_name": "Japanese", "iso_639_1": "ja", "name": "日本語"}]
            if rec["original_language"] == "ja" else [],
            "status": rec["status"],
            "tagline": tagline,
            "type": rec["type"],
            "vote_average": rec["vote_average"],
            "vote_count": rec["vote_count"],
        }
        for item in append:
            if item in doc:  # never let an appended name clobber a details field
                continue
            sub = self._sub_resource(rec, item, lang, query, explicit_language=True)
            if sub is not None:
                if not item.startswith("season/"):
                    sub.pop("id", None)  # appended objects carry no series id (a season keeps its own)
                doc[item] = sub
        return doc

    def _season_summary(self, s: dict, lang: str) -> dict:
        return {
            "air_date": s["air_date"],
            "episode_count": s["episode_count"],
            "id": s["id"],
            "name": season_name(s, lang),
            "overview": s["overview"],
            "poster_path": s["poster_path"],
            "season_number": s["season_number"],
            "vote_average": 0.0 if s["season_number"] == 0 else 7.5 + (s["id"] % 15) / 10,
        }

    def _sub_resource(self, rec: dict, name: str, lang: str, query: dict[str, str],
                      explicit_language: bool) -> dict | None:
        sid = rec["id"]
        if name == "images":
            langs = _image_languages(query.get("include_image_language"), lang if explicit_language else None)
            return {
                "backdrops": _filter_images(rec["images"]["backdrops"], langs),
                "id": sid,
                "logos": _filter_images(rec["images"]["logos"], langs),
                "posters": _filter_images(rec["images"]["posters"], langs),
            }
        if name == "external_ids":
            return {"id": sid, **rec["external_ids"]}
        if name == "content_ratings":
            return {"results": [dict(c, descriptors=list(c["descriptors"])) for c in rec["content_ratings"]], "id": sid}
        if name == "aggregate_credits":
            return {"cast": [_agg_cast(p, i) for i, p in enumerate(rec["cast"])], "crew": [], "id": sid}
        if name == "credits":
            return {"cast": [_credit_cast(p, i) for i, p in enumerate(rec["cast"])], "crew": [], "id": sid}
        if name == "translations":
            out = []
            for t in rec["translations"]:
                native, english = LANGUAGE_NAMES.get(t["iso_639_1"], (t["iso_639_1"], t["iso_639_1"]))
                out.append({"iso_3166_1": t["iso_3166_1"], "iso_639_1": t["iso_639_1"], "name": native,
                            "english_name": english,
                            "data": {"name": t["name"], "overview": t["overview"], "homepage": t["homepage"],
                                     "tagline": t["tagline"]}})
            return {"id": sid, "translations": out}
        if name == "alternative_titles":
            return {"id": sid, "results": [dict(a) for a in rec["alternative_titles"]]}
        if name == "keywords":
            return {"id": sid, "results": [dict(k) for k in rec["keywords"]]}
        if name.startswith("season/"):
            try:
                number = int(name.split("/", 1)[1])
            except ValueError:
                return None
            season = next((s for s in rec["seasons"] if s["season_number"] == number), None)
            return None if season is None else _season_details(rec, season, lang)
        return None


# ------------------------------------------------------------------------- helpers

def _padded(head: bytes, count: int, unit: bytes, tail: bytes) -> Iterator[bytes]:
    yield head
    block = unit * max(1, 65536 // len(unit))
    per = 65536 // len(unit) or 1
    while count > 0:
        n = min(count, per)
        yield block if n == per else unit * n
        count -= n
    yield tail


def _scaled(info: ImageInfo, size: str) -> tuple[int, int]:
    w, h = info.width, info.height
    if size == "original":
        return w, h
    n = int(size[1:])
    if size[0] == "h":
        n = min(n, h)
        return max(1, round(w * n / h)), n
    n = min(n, w)
    return n, max(1, round(h * n / w))


def _title_matches(q: str, q_tokens: list[str], title: str) -> bool:
    if not title:
        return False
    if q in title or q.replace(" ", "") in title.replace(" ", ""):
        return True
    t_tokens = title.split()
    return all(any(tt.startswith(qt) for tt in t_tokens) for qt in q_tokens)


def _image_languages(include: str | None, lang: str | None) -> set | None:
    """None = no filter. "null" stands for untagged (None)."""
    if include is None and lang is None:
        return None
    out: set = set()
    if lang is not None:
        out.add(parse_language(lang)[0])
    for part in (include or "").split(","):
        part = part.strip().lower()
        if part:
            out.add(None if part == "null" else part)
    return out


def _sorted_images(lst: list[dict]) -> list[dict]:
    return sorted(lst, key=lambda i: (-i["vote_average"], -i["vote_count"]))


def _filter_images(lst: list[dict], langs: set | None) -> list[dict]:
    return [dict(i) for i in _sorted_images(lst) if langs is None or i["iso_639_1"] in langs]


def _main_poster(rec: dict, lang: str) -> str | None:
    """TMDB's documented rule: request language, else original language, else best."""
    posters = _sorted_images(rec["images"]["posters"])
    code = parse_language(lang)[0]
    for want in (code, rec["original_language"]):
        for p in posters:
            if p["iso_639_1"] == want:
                return p["file_path"]
    return posters[0]["file_path"] if posters else None


def _main_backdrop(rec: dict) -> str | None:
    backdrops = _sorted_images(rec["images"]["backdrops"])
    for b in backdrops:
        if b["iso_639_1"] is None:
            return b["file_path"]
    return backdrops[0]["file_path"] if backdrops else None


def _episode(rec: dict, season: dict, n: int, lang: str, with_people: bool = False) -> dict:
    air = dt.date.fromisoformat(season["air_date"]) + dt.timedelta(days=7 * (n - 1)) if season["air_date"] else None
    ep = {
        "air_date": air.isoformat() if air else None,
        "episode_number": n,
        "episode_type": "finale" if n == season["episode_count"] and season["season_number"] > 0 else "standard",
        "id": 1_000_000 + (rec["id"] * 7919 + season["season_number"] * 1009 + n) % 9_000_000,
        "name": episode_name(n, lang),
        "overview": "",
        "production_code": "",
        "runtime": rec["episode_run_time"][0] if rec["episode_run_time"] else None,
        "season_number": season["season_number"],
        "show_id": rec["id"],
        "still_path": None,
        "vote_average": 0.0,
        "vote_count": 0,
    }
    if with_people:
        ep["crew"] = []
        ep["guest_stars"] = []
    return ep


def _last_and_next(rec: dict, lang: str) -> tuple[dict | None, dict | None]:
    regular = [s for s in rec["seasons"] if s["season_number"] > 0 and s["episode_count"] > 0]
    if not regular:
        return None, None
    last_season = regular[-1]
    last = _episode(rec, last_season, last_season["episode_count"], lang)
    last["air_date"] = rec["last_air_date"]
    nxt = None
    if rec["status"] == "Returning Series":
        fake = dict(last_season, episode_count=last_season["episode_count"] + 1)
        nxt = _episode(rec, fake, last_season["episode_count"] + 1, lang)
        nxt["episode_type"] = "standard"
    return last, nxt


def _season_details(rec: dict, season: dict, lang: str) -> dict:
    return {
        "_id": "%024x" % (season["id"] * 2654435761 % (1 << 96)),
        "air_date": season["air_date"],
        "episodes": [_episode(rec, season, n, lang, with_people=True) for n in range(1, season["episode_count"] + 1)],
        "name": season_name(season, lang),
        "overview": season["overview"],
        "id": season["id"],
        "poster_path": season["poster_path"],
        "season_number": season["season_number"],
        "vote_average": 0.0,
    }


def _agg_cast(p: dict, order: int) -> dict:
    return {
        "adult": False, "gender": p["gender"], "id": p["id"], "known_for_department": "Acting",
        "name": p["name"], "original_name": p["original_name"], "popularity": p["popularity"],
        "profile_path": p["profile_path"],
        "roles": [{"credit_id": p["credit_id"], "character": p["character"], "episode_count": p["episode_count"]}],
        "total_episode_count": p["episode_count"], "order": order,
    }


def _credit_cast(p: dict, order: int) -> dict:
    return {
        "adult": False, "gender": p["gender"], "id": p["id"], "known_for_department": "Acting",
        "name": p["name"], "original_name": p["original_name"], "popularity": p["popularity"],
        "profile_path": p["profile_path"], "character": p["character"], "credit_id": p["credit_id"],
        "order": order,
    }
