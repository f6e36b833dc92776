"""Tests for aniload.artwork: choosing, validating and downloading artwork.

Downloads run against a real HTTP server on 127.0.0.1 started here (a small
ThreadingHTTPServer whose replies each test scripts), not against a mocked transport.
"""

from __future__ import annotations

import errno
import io
import os
import random
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from aniload import artwork, fsutil
from aniload.artwork import (
    ART_KINDS,
    ImageValidator,
    download_image,
    existing_art,
    image_url,
    pick_image,
    safe_file_path,
)
from aniload.errors import DownloadError, WriteError

# --------------------------------------------------------------------------- sample images


def _noise_image(mode: str, size: tuple[int, int] = (64, 48)) -> Image.Image:
    rng = random.Random(42)
    img = Image.new(mode, size)
    img.putdata([tuple(rng.randrange(256) for _ in mode) for _ in range(size[0] * size[1])])
    return img


def _encode(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


JPEG = _encode(_noise_image("RGB"), "JPEG")
PNG = _encode(_noise_image("RGBA"), "PNG")
HTML = b"<!DOCTYPE html><html><body>Not found</body></html>"

COM_SEGMENT = b"\xff\xfe" + (65535).to_bytes(2, "big") + b" " * 65533  # a maximal JPEG comment


def padded_jpeg(min_size: int) -> tuple[int, Callable[[], Iterable[bytes]]]:
    """A valid JPEG of at least ``min_size`` bytes, as (length, chunk generator)."""
    segments = max(0, -(-(min_size - len(JPEG)) // len(COM_SEGMENT)))
    length = len(JPEG) + segments * len(COM_SEGMENT)

    def chunks() -> Iterable[bytes]:
        yield JPEG[:2]
        for _ in range(segments):
            yield COM_SEGMENT
        yield JPEG[2:]

    return length, chunks


def test_sample_images_are_real() -> None:
    assert JPEG[:3] == b"\xff\xd8\xff" and JPEG[-2:] == b"\xff\xd9"
    assert PNG[:8] == b"\x89PNG\r\n\x1a\n" and PNG.endswith(b"IEND\xaeB`\x82")
    length, chunks = padded_jpeg(300_000)
    data = b"".join(chunks())
    assert len(data) == length >= 300_000
    Image.open(io.BytesIO(data)).load()  # the padding keeps it a valid JPEG


# --------------------------------------------------------------------------- the server


@dataclass
class Reply:
    status: int = 200
    body: bytes | Callable[[], Iterable[bytes]] = JPEG
    content_type: str | None = "image/jpeg"
    length: int | str | None = "auto"  # "auto": the real length; None: no Content-Length
    send: int | None = None  # cut the connection after this many body bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunked: bool = False


class ImageServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.hits: dict[str, int] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                owner.hits[self.path] = owner.hits.get(self.path, 0) + 1
                replies = owner.routes.get(self.path) or [Reply(status=404, body=b"", content_type=None)]
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                owner.serve(self, reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, *replies: Reply) -> str:
        self.routes[path] = list(replies)
        return self.url(path)

    @staticmethod
    def serve(h: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body
        if isinstance(reply.body, bytes):
            real = len(reply.body)
        else:
            real = sum(len(c) for c in reply.body())
            chunks = reply.body()
        h.close_connection = True
        h.send_response(reply.status)
        if reply.content_type:
            h.send_header("Content-Type", reply.content_type)
        if reply.chunked:
            h.send_header("Transfer-Encoding", "chunked")
        elif reply.length is not None:
            h.send_header("Content-Length", str(real if reply.length == "auto" else reply.length))
        for k, v in reply.headers.items():
            h.send_header(k, v)
        h.send_header("Connection", "close")
        h.end_headers()
        budget = reply.send
        try:
            for chunk in chunks:
                if budget is not None:
                    chunk = chunk[:budget]
                    budget -= len(chunk)
                if chunk:
                    h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if reply.chunked else chunk)
                if budget == 0:
                    break
            if reply.chunked and budget is None:
                h.wfile.write(b"0\r\n\r\n")
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterable[ImageServer]:
    srv = ImageServer()
    yield srv
    srv.close()


@pytest.fixture
async def http() -> Iterable[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0)) as client:
        yield client


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if fsutil.is_temp_name(p.name))


# --------------------------------------------------------------------------- pick_image


def img(path: str, lang: str | None, avg: float = 5.0, count: int = 10, width: int = 1000) -> dict:
    return {"file_path": path, "iso_639_1": lang, "vote_average": avg, "vote_count": count,
            "width": width, "height": int(width * 1.5)}


def pick(images: list, kind: str = "poster", language: str = "de-DE",
         fallbacks: tuple[str, ...] = ("en-US",), **kw: object) -> str | None:
    chosen = pick_image(images, kind=kind, language=language, fallback_languages=fallbacks, **kw)
    return None if chosen is None else chosen["file_path"]


def test_poster_language_then_fallbacks_then_untagged_then_others() -> None:
    images = [img("/ja.jpg", "ja", 9.9), img("/none.jpg", None, 9.0), img("/en.jpg", "en", 8.0),
              img("/fr.jpg", "fr", 7.0), img("/de.jpg", "de", 1.0)]
    assert pick(images, fallbacks=("en-US", "fr-FR")) == "/de.jpg"
    assert pick(images[:4], fallbacks=("en-US", "fr-FR")) == "/en.jpg"
    assert pick(images[:4], fallbacks=("fr-FR", "en-US")) == "/fr.jpg"
    assert pick([images[0], images[1]]) == "/none.jpg"
    assert pick([images[0]]) == "/ja.jpg"  # an unrelated language beats no poster at all


def test_backdrops_prefer_untagged() -> None:
    images = [img("/de.jpg", "de", 9.9), img("/en.jpg", "en", 9.5), img("/none.jpg", None, 2.0),
              img("/xx.jpg", "xx", 1.0)]
    assert pick(images, kind="fanart") == "/none.jpg"
    assert pick([images[0], images[1], images[3]], kind="fanart") == "/xx.jpg"  # "xx" is untagged too
    assert pick(images[:2], kind="fanart") == "/de.jpg"
    assert pick(images[1:2], kind="fanart") == "/en.jpg"


def test_logo_needs_a_wanted_language() -> None:
    logos = [img("/ja.png", "ja", 9.0), img("/en.svg", "en", 1.0)]
    assert pick(logos, kind="logo") == "/en.svg"
    assert pick(logos[:1], kind="logo") is None
    assert pick(logos[:1], kind="logo", any_language=True) == "/ja.png"
    assert pick(logos[:1], kind="logo", language="ja-JP") == "/ja.png"


def test_tie_breaks_votes_then_count_then_width() -> None:
    a = img("/a.jpg", "de", 5.0, 10, 1000)
    b = img("/b.jpg", "de", 5.5, 1, 500)
    c = img("/c.jpg", "de", 5.5, 3, 500)
    d = img("/d.jpg", "de", 5.5, 3, 2000)
    assert pick([a, b]) == "/b.jpg"
    assert pick([a, b, c]) == "/c.jpg"
    assert pick([a, b, c, d]) == "/d.jpg"
    assert pick([d, c]) == pick([c, d]) == "/d.jpg"
    assert pick([img("/1.jpg", "de"), img("/2.jpg", "de")]) == "/1.jpg"  # full tie: TMDB's order


def test_language_codes_are_normalised() -> None:
    images = [img("/en.jpg", "en", 9.0), img("/pt.jpg", "pt", 1.0)]
    assert pick(images, language="pt-BR", fallbacks=()) == "/pt.jpg"
    assert pick(images, language="PT_br", fallbacks=()) == "/pt.jpg"
    assert pick(images, language="pt", fallbacks=["en-US", "en-GB", "en"]) == "/pt.jpg"


def test_junk_entries_are_skipped() -> None:
    good = img("/good.jpg", "fr", 0.0, 0, 1)
    junk = [
        None, "x", 42, {}, {"file_path": None}, {"file_path": ""},
        img("/../../etc/passwd.jpg", "de", 10), img("https://evil/x.jpg", "de", 10),
        img("/x.png", "de", 10),  # a PNG is no poster.jpg
        img("/x.svg", "de", 10), img("/x.gif", "de", 10),
        {"file_path": "/odd.jpg", "iso_639_1": 7, "vote_average": "9", "vote_count": None, "width": float("nan")},
    ]
    assert pick([*junk, good]) == "/odd.jpg"  # odd numbers count as 0, a bad tag as untagged
    assert pick([*junk[:-1], good]) == "/good.jpg"
    assert pick([]) is None
    assert pick_image(None, kind="poster", language="en", fallback_languages=[]) is None  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        pick([good], kind="banner")


def test_pick_image_returns_a_copy() -> None:
    images = [img("/a.jpg", "de")]
    chosen = pick_image(images, kind="poster", language="de", fallback_languages=[])
    assert chosen == images[0] and chosen is not images[0]


# --------------------------------------------------------------------------- paths and URLs


@pytest.mark.parametrize("bad", [
    "..", "/..", "/../x.jpg", "/a/../x.jpg", "/a/b.jpg", "x.jpg", "", "/", "/.jpg", "/.x.jpg",
    "http://evil/x.jpg", "https://image.tmdb.org/t/p/w500/x.jpg", "//evil/x.jpg", "//evil/x",
    "/x.jpg?y=1", "/x.jpg#f", "\\x.jpg", "/a\\b.jpg", "/x.jpg\n", "/x\x00.jpg", "/x\t.jpg",
    "/x.jpg\r", "/x.gif", "/x.exe", "/x.jpg.exe", "/x", "/x y.jpg", "/x%2e%2e.jpg", "/ẋ.jpg",
    None, 5, b"/x.jpg", ["/x.jpg"],
])
def test_safe_file_path_rejects(bad: object) -> None:
    assert safe_file_path(bad) is None


@pytest.mark.parametrize("good", ["/abc123.jpg", "/x.svg", "/wvA8Xz6Mw3BvTAh4o6XsjI7Y5Hk.jpg",
                                  "/a_b-c.png", "/x.jpeg", "/X.JPG"])
def test_safe_file_path_accepts(good: str) -> None:
    assert safe_file_path(good) == good


def test_image_url() -> None:
    base = "https://image.tmdb.org/t/p"
    assert image_url(base, "w500", "/abc.jpg", kind="poster") == f"{base}/w500/abc.jpg"
    assert image_url(base + "/", "original", "/abc.jpg", kind="fanart") == f"{base}/original/abc.jpg"
    assert image_url(base, "w500", "/logo.svg", kind="logo") == f"{base}/w500/logo.png"
    assert image_url(base, "w500", "/logo.png", kind="logo") == f"{base}/w500/logo.png"
    for args in [(base, "w500", "//evil/x.jpg"), (base, "../w500", "/x.jpg"), (base, "", "/x.jpg"),
                 ("file:///etc", "w500", "/x.jpg")]:
        with pytest.raises(ValueError):
            image_url(*args, kind="poster")


# --------------------------------------------------------------------------- files on disk


def test_existing_art(tmp_path: Path) -> None:
    assert existing_art(tmp_path / "missing", "poster", "poster.jpg") is None
    for kind in ART_KINDS:
        assert existing_art(tmp_path, kind, artwork.DEFAULT_FILE_NAMES[kind]) is None
    (tmp_path / "poster.jpg").write_bytes(b"")  # zero bytes: not a poster
    assert existing_art(tmp_path, "poster", "poster.jpg") is None
    (tmp_path / "folder.jpg").write_bytes(JPEG)
    assert existing_art(tmp_path, "poster", "poster.jpg") == tmp_path / "folder.jpg"
    (tmp_path / "poster.jpg").write_bytes(JPEG)
    assert existing_art(tmp_path, "poster", "poster.jpg") == tmp_path / "poster.jpg"
    (tmp_path / "Fanart.JPG").write_bytes(JPEG)
    assert existing_art(tmp_path, "fanart", "fanart.jpg") == tmp_path / "Fanart.JPG"
    (tmp_path / "logo.png").write_bytes(PNG)
    assert existing_art(tmp_path, "logo", "clearlogo.png") == tmp_path / "logo.png"
    (tmp_path / "clearlogo.png").write_bytes(PNG)
    assert existing_art(tmp_path, "logo", "clearlogo.png") == tmp_path / "clearlogo.png"


def test_existing_art_ignores_other_names(tmp_path: Path) -> None:
    (tmp_path / "backdrop.jpg").write_bytes(JPEG)  # Jellyfin reads it, Kodi does not
    (tmp_path / "clearlogo.jpg").write_bytes(JPEG)  # a logo must be a PNG
    (tmp_path / "poster.jpg").mkdir()  # a folder is no poster
    (tmp_path / ".poster.jpg.1234abcd.aniload-tmp").write_bytes(JPEG)
    assert existing_art(tmp_path, "fanart", "fanart.jpg") is None
    assert existing_art(tmp_path, "logo", "clearlogo.png") is None
    assert existing_art(tmp_path, "poster", "poster.jpg") is None
    (tmp_path / "cover.jpg").write_bytes(JPEG)
    assert existing_art(tmp_path, "poster", "cover.jpg") == tmp_path / "cover.jpg"  # configured name


# --------------------------------------------------------------------------- ImageValidator


def validate(data: bytes, expect: str, *, step: int | None = None, **kw: object) -> None:
    v = ImageValidator(expect, **kw)
    step = step or max(1, len(data))
    for i in range(0, len(data), step):
        v.feed(data[i:i + step])
    v.finish()


@pytest.mark.parametrize("step", [None, 1, 2, 3, 7, 11, 4096])
def test_validator_accepts_real_images(step: int | None) -> None:
    validate(JPEG, "jpeg", step=step)
    validate(PNG, "png", step=step)
    validate(JPEG, "jpeg", step=step, expected_length=len(JPEG), max_bytes=len(JPEG))


@settings(max_examples=200, deadline=None)
@given(data=st.data(), expect=st.sampled_from(["jpeg", "png"]))
def test_validator_any_chunking(data: st.DataObject, expect: str) -> None:
    image = JPEG if expect == "jpeg" else PNG
    cuts = sorted(data.draw(st.lists(st.integers(0, len(image)), max_size=20)))
    end = data.draw(st.integers(0, len(image)))
    v = ImageValidator(expect, expected_length=data.draw(st.sampled_from([None, len(image)])))
    for a, b in zip([0, *cuts], [*cuts, len(image)]):
        v.feed(image[min(a, end):min(b, end)])
    if end == len(image):
        v.finish()
    else:
        with pytest.raises(DownloadError):
            v.finish()


def test_validator_rejects_every_truncation() -> None:
    for data, expect in [(JPEG, "jpeg"), (PNG, "png")]:
        cuts = [*range(300), *range(300, len(data) - 300, 7), *range(len(data) - 300, len(data))]
        for cut in cuts:
            with pytest.raises(DownloadError):
                validate(data[:cut], expect)
            with pytest.raises(DownloadError, match=rf"truncated image \(got {cut} of {len(data)} bytes\)"):
                validate(data[:cut], expect, step=97, expected_length=len(data))


@pytest.mark.parametrize("data, expect, message", [
    (b"", "jpeg", "empty response"),
    (b"", "png", "empty response"),
    (HTML, "jpeg", r"not a JPEG image \(HTML or XML\)"),
    (b"  \n<html>", "png", r"not a PNG image \(HTML or XML\)"),
    (b'{"status_code": 34}', "jpeg", r"\(JSON\)"),
    (PNG, "jpeg", r"not a JPEG image \(PNG data\)"),
    (JPEG, "png", r"not a PNG image \(JPEG data\)"),
    (b"GIF89a" + JPEG, "jpeg", "wrong magic bytes"),
    (b"\xff\xd8", "jpeg", r"only 2 bytes"),
    (b"\xff\xd8\xff\xd9", "jpeg", None),  # smallest thing with both markers passes the byte checks
    (JPEG + b"garbage", "jpeg", "incomplete JPEG image"),
    (JPEG + b"\xff\xd9\x00\x01", "jpeg", "incomplete JPEG image"),
    (PNG + b"\x00", "png", "incomplete PNG image"),
    (PNG + PNG[-12:] + b"x", "png", "incomplete PNG image"),
])
def test_validator_verdicts(data: bytes, expect: str, message: str | None) -> None:
    for step in (None, 1, 5):
        if message is None:
            validate(data, expect, step=step)
        else:
            # Fed byte by byte, the first wrong byte already fails, too early to say what it is.
            expected = message if step != 1 or "(" not in message else message.split(r" \(")[0]
            with pytest.raises(DownloadError, match=expected):
                validate(data, expect, step=step)


def test_validator_jpeg_zero_padding() -> None:
    validate(JPEG + b"\0" * 4096, "jpeg", step=1000)  # some encoders pad; allowed
    validate(JPEG + b"\0" * 3, "jpeg", step=1)
    with pytest.raises(DownloadError, match="incomplete JPEG"):
        validate(JPEG + b"\0" * 4097, "jpeg")
    with pytest.raises(DownloadError, match="incomplete JPEG"):
        validate(JPEG[:-2] + b"\0" * 10, "jpeg")


def test_validator_size_limits_stop_early() -> None:
    v = ImageValidator("jpeg", max_bytes=100)
    v.feed(JPEG[:100])
    with pytest.raises(DownloadError, match=r"image too large \(more than 100 bytes\)"):
        v.feed(JPEG[100:101])
    v = ImageValidator("jpeg", expected_length=50)
    with pytest.raises(DownloadError, match="longer than announced"):
        v.feed(JPEG[:51])


def test_validator_errors_are_one_line() -> None:
    with pytest.raises(DownloadError) as info:
        validate(HTML * 100, "jpeg")
    assert "\n" not in str(info.value) and "html" not in str(info.value).lower().replace("html or xml", "")
    with pytest.raises(ValueError):
        ImageValidator("gif")


# --------------------------------------------------------------------------- download_image


async def test_download_lands_whole(server: ImageServer, http: httpx.AsyncClient, tmp_path: Path) -> None:
    url = server.route("/t/p/w500/abc.jpg", Reply())
    target = tmp_path / "poster.jpg"
    assert await download_image(http, url, target, expect="jpeg", max_bytes=10_000_000) == len(JPEG)
    assert target.read_bytes() == JPEG
    assert leftovers(tmp_path) == []
    logo = tmp_path / "clearlogo.png"
    url = server.route("/t/p/w500/logo.png", Reply(body=PNG, content_type="image/png; charset=binary"))
    assert await download_image(http, url, logo, expect="png", max_bytes=10_000_000, durable=False) == len(PNG)
    assert logo.read_bytes() == PNG


async def test_download_without_content_length(server: ImageServer, http: httpx.AsyncClient,
                                               tmp_path: Path) -> None:
    target = tmp_path / "poster.jpg"
    for reply in (Reply(chunked=True), Reply(length=None)):
        url = server.route("/x.jpg", reply)
        await download_image(http, url, target, expect="jpeg", max_bytes=10_000_000)
        assert target.read_bytes() == JPEG
        target.unlink()


@pytest.mark.parametrize("reply", [Reply(send=1000), Reply(send=0), Reply(chunked=True, send=1000),
                                   Reply(length=None, send=1000)])
async def test_truncated_body_never_lands(server: ImageServer, http: httpx.AsyncClient, tmp_path: Path,
                                          reply: Reply) -> None:
    target = tmp_path / "poster.jpg"
    target.write_bytes(b"old poster")
    url = server.route("/w500/abc.jpg", reply)
    sleeps = Sleeps()
    with pytest.raises(DownloadError) as info:
        await download_image(http, url, target, expect="jpeg", max_bytes=10_000_000, sleep=sleeps,
                             what="poster")
    message = str(info.value)
    assert message.startswith("poster: ") and url in message and "\n" not in message
    assert "gave up after 3 attempts" in message
    if reply.length == "auto" and not reply.chunked:
        assert message == (f"poster: truncated image from {url} "
                           f"(got {reply.send} of {len(JPEG)} bytes; gave up after 3 attempts)")
    assert target.read_bytes() == b"old poster"
    assert leftovers(tmp_path) == []
    assert server.hits["/w500/abc.jpg"] == 3 and sleeps == [0.5, 1.0]


@pytest.mark.parametrize("reply, message", [
    (Reply(body=HTML, content_type="text/html; charset=utf-8"), r"not an image from \S+ \(Content-Type text/html\)"),
    (Reply(body=HTML), r"not a JPEG image from \S+ \(HTML or XML\)"),
    (Reply(status=404, body=b'{"status_code": 34}', content_type="application/json"), r"no image from \S+ \(HTTP 404 Not Found\)"),
    (Reply(status=403, body=HTML, content_type="text/html"), r"\(HTTP 403 Forbidden\)"),
    (Reply(body=PNG, content_type="image/png"), r"not a JPEG image from \S+ \(Content-Type image/png\)"),
    (Reply(content_type=None), r"not an image from \S+ \(no Content-Type\)"),
    (Reply(body=PNG), r"not a JPEG image from \S+ \(PNG data\)"),
    (Reply(body=JPEG + b"trailing"), "incomplete JPEG image"),
    (Reply(body=JPEG, length=len(JPEG) - 10), "incomplete JPEG image"),  # the server's file is short
    (Reply(headers={"Content-Encoding": "gzip"}), "unexpected encoding"),
    (Reply(status=302, headers={"Location": "http://localhost:1/x.jpg"}), r"redirect refused"),
    (Reply(status=301, headers={"Location": "https://evil.example/x.jpg"}), r"redirect refused .*evil\.example"),
])
async def test_clear_failures_are_not_retried(server: ImageServer, http: httpx.AsyncClient, tmp_path: Path,
                                              reply: Reply, message: str) -> None:
    target = tmp_path / "poster.jpg"
    target.write_bytes(JPEG)
    url = server.route("/img.jpg", reply)
    sleeps = Sleeps()
    with pytest.raises(DownloadError, match=message) as info:
        await download_image(http, url, target, expect="jpeg", max_bytes=10_000_000, sleep=sleeps)
    assert str(info.value).startswith("poster.jpg: ") and "\n" not in str(info.value)
    assert "DOCTYPE" not in str(info.value) and "status_code" not in str(info.value)  # no bodies echoed
    assert server.hits["/img.jpg"] == 1 and sleeps == []
    assert target.read_bytes() == JPEG and leftovers(tmp_path) == []


async def test_same_host_redirect_is_followed(server: ImageServer, http: httpx.AsyncClient,
                                              tmp_path: Path) -> None:
    url = server.route("/old.jpg", Reply(status=301, headers={"Location": "/new.jpg"}, body=b""))
    server.route("/new.jpg", Reply())
    await download_image(http, url, tmp_path / "poster.jpg", expect="jpeg", max_bytes=10_000_000)
    assert (tmp_path / "poster.jpg").read_bytes() == JPEG


async def test_redirect_to_other_host_is_never_fetched(server: ImageServer, http: httpx.AsyncClient,
                                                       tmp_path: Path) -> None:
    other = ImageServer()
    try:
        other.route("/x.jpg", Reply())
        for location in (other.url("/x.jpg"), other.url("/x.jpg").replace("127.0.0.1", "localhost")):
            url = server.route("/r.jpg", Reply(status=302, headers={"Location": location}, body=b""))
            with pytest.raises(DownloadError, match="redirect refused"):
                await download_image(http, url, tmp_path / "poster.jpg", expect="jpeg", max_bytes=10**7)
        assert other.hits == {} and not (tmp_path / "poster.jpg").exists()
    finally:
        other.close()


async def test_over_max_bytes_never_lands(server: ImageServer, http: httpx.AsyncClient, tmp_path: Path) -> None:
    target = tmp_path / "poster.jpg"
    target.write_bytes(b"old")
    length, chunks = padded_jpeg(2_000_000)
    for reply in (Reply(body=chunks), Reply(body=chunks, length=None), Reply(body=chunks, chunked=True)):
        url = server.route("/big.jpg", reply)
        with pytest.raises(DownloadError, match="image too large") as info:
            await download_image(http, url, target, expect="jpeg", max_bytes=1_000_000, sleep=Sleeps())
        assert "gave up" not in str(info.value)
        assert target.read_bytes() == b"old" and leftovers(tmp_path) == []
    assert server.hits["/big.jpg"] == 3


async def test_server_errors_are_retried(server: ImageServer, http: httpx.AsyncClient, tmp_path: Path) -> None:
    target = tmp_path / "fanart.jpg"
    url = server.route("/f.jpg", Reply(status=500, body=b"oops", content_type="text/plain"), Reply())
    sleeps = Sleeps()
    assert await download_image(http, url, target, expect="jpeg", max_bytes=10**7, sleep=sleeps) == len(JPEG)
    assert target.read_bytes() == JPEG and server.hits["/f.jpg"] == 2 and sleeps == [0.5]

    url = server.route("/r.jpg", Reply(status=429, body=b"", headers={"Retry-After": "7"}), Reply())
    sleeps = Sleeps()
    await download_image(http, url, target, expect="jpeg", max_bytes=10**7, sleep=sleeps)
    assert sleeps == [7.0]

    url = server.route("/down.jpg", Reply(status=503, body=b"", content_type=None))
    sleeps = Sleeps()
    with pytest.raises(DownloadError, match=r"server error from \S+ "
                                            r"\(HTTP 503 Service Unavailable; gave up after 4 attempts\)$"):
        await download_image(http, url, target, expect="jpeg", max_bytes=10**7, sleep=sleeps, attempts=4)
    assert sleeps == [0.5, 1.0, 2.0] and target.read_bytes() == JPEG


async def test_connection_refused_and_timeouts(server: ImageServer, tmp_path: Path) -> None:
    srv = ImageServer()
    dead = srv.url("/x.jpg")
    srv.close()
    async with httpx.AsyncClient(timeout=0.5) as http:
        with pytest.raises(DownloadError, match=r"connection failed from \S+ \(.*; gave up after 2 attempts\)$"):
            await download_image(http, dead, tmp_path / "p.jpg", expect="jpeg", max_bytes=10**7,
                                 sleep=Sleeps(), attempts=2)
        url = server.route("/slow.jpg", Reply(delay=1.5))
        with pytest.raises(DownloadError, match="timed out"):
            await download_image(http, url, tmp_path / "p.jpg", expect="jpeg", max_bytes=10**7, attempts=1)
    async with httpx.AsyncClient(timeout=10) as http:
        url = server.route("/slow2.jpg", Reply(delay=1.5))
        with pytest.raises(DownloadError, match=r"timed out .*within 0.3 s"):
            await download_image(http, url, tmp_path / "p.jpg", expect="jpeg", max_bytes=10**7, attempts=1,
                                 total_timeout=0.3)
    assert not (tmp_path / "p.jpg").exists() and leftovers(tmp_path) == []


async def test_no_space_left_on_fsync(server: ImageServer, http: httpx.AsyncClient, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "poster.jpg"
    target.write_bytes(b"old poster")
    url = server.route("/p.jpg", Reply())

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fsutil.os, "fsync", full)
    with pytest.raises(WriteError, match="no space left on device") as info:
        await download_image(http, url, target, expect="jpeg", max_bytes=10**7, sleep=Sleeps())
    assert str(info.value) == f"cannot write {target}: no space left on device"
    assert target.read_bytes() == b"old poster" and leftovers(tmp_path) == []
    assert server.hits["/p.jpg"] == 1  # a full disk is not retried


async def test_no_space_left_mid_write(server: ImageServer, http: httpx.AsyncClient, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "fanart.jpg"
    target.write_bytes(b"old fanart")
    length, chunks = padded_jpeg(1_000_000)
    url = server.route("/p.jpg", Reply(body=chunks))
    real_fdopen = os.fdopen

    class FillsUp:
        def __init__(self, fh: io.BufferedWriter) -> None:
            self.fh, self.written = fh, 0

        def __enter__(self) -> FillsUp:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

        def write(self, data: bytes) -> int:
            if self.written + len(data) > 300_000:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            self.written += len(data)
            return self.fh.write(data)

        def __getattr__(self, name: str) -> object:
            return getattr(self.fh, name)

    monkeypatch.setattr(fsutil.os, "fdopen", lambda fd, mode: FillsUp(real_fdopen(fd, mode)))
    with pytest.raises(WriteError, match="no space left on device"):
        await download_image(http, url, target, expect="jpeg", max_bytes=10**7, sleep=Sleeps())
    monkeypatch.undo()
    assert target.read_bytes() == b"old fanart" and leftovers(tmp_path) == []


async def test_large_image_streams_in_small_memory(server: ImageServer, http: httpx.AsyncClient,
                                                   tmp_path: Path) -> None:
    length, chunks = padded_jpeg(50 * 1024 * 1024)
    url = server.route("/original/huge.jpg", Reply(body=chunks, length=length))
    target = tmp_path / "fanart.jpg"
    tracemalloc.start()
    try:
        written = await download_image(http, url, target, expect="jpeg", max_bytes=64 * 1024 * 1024,
                                       durable=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == length == target.stat().st_size
    print(f"peak traced memory {peak} bytes for a {length}-byte image")
    assert peak < 5 * 1024 * 1024, f"peak Python memory {peak} bytes for a {length}-byte image"
    with target.open("rb") as fh:
        assert fh.read(2) == b"\xff\xd8" and fh.read(2) == b"\xff\xfe"
        fh.seek(-len(JPEG) + 2, os.SEEK_END)
        assert fh.read() == JPEG[2:]
