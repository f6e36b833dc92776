"""Image bytes for the stand-in's image CDN, made with the standard library only.

* JPEG: a tiny baseline encoder for a single solid colour. Every 8x8 block of a flat
  image has only a DC coefficient, so after the first block every block codes as
  "DC difference 0, end of block". With the minimal Huffman tables below that is a run
  of zero bits, so even a 3840x2160 picture encodes in microseconds. The files are real
  baseline JFIF (SOI ... EOI, ending in FFD9) that Pillow/libjpeg decode.
* PNG: RGBA, written with zlib + struct; ends with the IEND chunk.
* SVG: a small well-formed document.

Every rendering carries a comment (JPEG COM, PNG tEXt, SVG comment) naming the size
and the file path, so each URL yields distinct bytes and tests can compare "bytes on
disk == bytes served".
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Iterator
from functools import lru_cache

__all__ = [
    "colour_for",
    "jpeg_bytes",
    "png_bytes",
    "svg_bytes",
    "huge_jpeg_chunks",
    "huge_png_chunks",
    "CONTENT_TYPES",
]

CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".svg": "image/svg+xml"}


def colour_for(key: str) -> tuple[int, int, int]:
    """A stable, fairly saturated RGB colour derived from ``key``."""
    d = hashlib.sha1(key.encode("utf-8")).digest()
    return (40 + d[0] % 200, 40 + d[1] % 200, 40 + d[2] % 200)


# ---------------------------------------------------------------------------- JPEG

def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", 0xFF00 | marker, len(payload) + 2) + payload


# Standard (Annex K.3) DC luminance code-length counts; symbols are categories 0..11.
_DC_COUNTS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_SYMBOLS = tuple(range(12))
# Minimal AC table: one symbol, 0x00 (end of block), coded as the single bit "0".
_AC_COUNTS = (1,) + (0,) * 15
_AC_SYMBOLS = (0x00,)


def _canonical_codes(counts: tuple[int, ...], symbols: tuple[int, ...]) -> dict[int, str]:
    codes: dict[int, str] = {}
    code = 0
    k = 0
    for length, n in enumerate(counts, start=1):
        for _ in range(n):
            codes[symbols[k]] = format(code, f"0{length}b")
            code += 1
            k += 1
        code <<= 1
    return codes


_DC_CODES = _canonical_codes(_DC_COUNTS, _DC_SYMBOLS)
_EOB = _canonical_codes(_AC_COUNTS, _AC_SYMBOLS)[0x00]


def _dc_bits(diff: int) -> str:
    if diff == 0:
        return _DC_CODES[0]
    cat = abs(diff).bit_length()
    value = diff if diff > 0 else diff + (1 << cat) - 1
    return _DC_CODES[cat] + format(value, f"0{cat}b")


def _rgb_to_ycbcr(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    r, g, b = rgb
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return tuple(max(0, min(255, round(v))) for v in (y, cb, cr))  # type: ignore[return-value]


def _jpeg_parts(width: int, height: int, rgb: tuple[int, int, int], comment: str) -> tuple[bytes, bytes]:
    """(SOI, everything after SOI) so a padded variant can insert segments after SOI."""
    if not (1 <= width <= 65535 and 1 <= height <= 65535):
        raise ValueError("JPEG dimensions must be 1..65535")
    head = []
    head.append(_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))
    head.append(_segment(0xFE, comment.encode("utf-8")[:65000]))
    head.append(_segment(0xDB, b"\x00" + b"\x01" * 64))  # 8-bit table 0, all ones
    sof = struct.pack(">BHHB", 8, height, width, 3)
    for cid in (1, 2, 3):
        sof += struct.pack(">BBB", cid, 0x11, 0)
    head.append(_segment(0xC0, sof))
    head.append(_segment(0xC4, b"\x00" + bytes(_DC_COUNTS) + bytes(_DC_SYMBOLS)))
    head.append(_segment(0xC4, b"\x10" + bytes(_AC_COUNTS) + bytes(_AC_SYMBOLS)))
    sos = struct.pack(">B", 3)
    for cid in (1, 2, 3):
        sos += struct.pack(">BB", cid, 0x00)
    sos += b"\x00\x3f\x00"
    head.append(_segment(0xDA, sos))

    mcus = ((width + 7) // 8) * ((height + 7) // 8)
    ycc = _rgb_to_ycbcr(rgb)
    first = "".join(_dc_bits(8 * (c - 128)) + _EOB for c in ycc)
    rest_bits = mcus - 1
    per_mcu = 3 * (len(_DC_CODES[0]) + len(_EOB))  # all zero bits
    total = len(first) + rest_bits * per_mcu
    pad = (-total) % 8
    # first bits, then zeros, then 1-padding to the byte boundary
    nbytes = (total + pad) // 8
    value = (int(first, 2) << (rest_bits * per_mcu + pad)) | ((1 << pad) - 1)
    data = value.to_bytes(nbytes, "big")
    data = data.replace(b"\xff", b"\xff\x00")  # byte stuffing
    return b"\xff\xd8", b"".join(head) + data + b"\xff\xd9"


@lru_cache(maxsize=1024)
def jpeg_bytes(width: int, height: int, rgb: tuple[int, int, int], comment: str = "") -> bytes:
    """A real baseline JPEG of one flat colour; ends with FFD9."""
    soi, rest = _jpeg_parts(width, height, rgb, comment)
    return soi + rest


def _padding_lengths(padding: int, max_seg: int, min_seg: int) -> list[int]:
    """Split ``padding`` bytes into segment sizes each within [min_seg, max_seg]."""
    if padding <= 0:
        return []
    if padding < min_seg:
        return []
    sizes = []
    while padding > 0:
        if padding <= max_seg:
            sizes.append(padding)
            break
        take = max_seg
        if padding - take < min_seg:
            take = padding - min_seg
        sizes.append(take)
        padding -= take
    return sizes


def huge_jpeg_chunks(size: int, width: int, height: int, rgb: tuple[int, int, int], comment: str) -> tuple[int, Iterator[bytes]]:
    """A valid JPEG of exactly ``size`` bytes (when size exceeds the plain image),
    padded with COM segments right after SOI. Returns (length, chunk iterator)."""
    soi, rest = _jpeg_parts(width, height, rgb, comment)
    base = len(soi) + len(rest)
    seg_sizes = _padding_lengths(size - base, 65537, 4)
    length = base + sum(seg_sizes)

    def gen() -> Iterator[bytes]:
        yield soi
        full = None
        for n in seg_sizes:
            if n == 65537:
                if full is None:
                    full = b"\xff\xfe" + struct.pack(">H", 65535) + b"\x00" * 65533
                yield full
            else:
                yield b"\xff\xfe" + struct.pack(">H", n - 2) + b"\x00" * (n - 4)
        yield rest

    return length, gen()


# ----------------------------------------------------------------------------- PNG

def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png_parts(width: int, height: int, rgb: tuple[int, int, int], text: str) -> tuple[bytes, bytes]:
    """(signature+IHDR+tEXt, IDAT+IEND). A transparent canvas with an opaque band in the
    middle half, like a clear logo."""
    if width < 1 or height < 1:
        raise ValueError("PNG dimensions must be positive")
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    clear_row = b"\x00" + b"\x00\x00\x00\x00" * width
    band_row = b"\x00" + bytes((*rgb, 255)) * width
    top = height // 4
    band = max(1, height - 2 * top)
    raw = clear_row * top + band_row * band + clear_row * (height - top - band)
    head = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
    head += _chunk(b"tEXt", b"Comment\x00" + text.encode("latin-1", "replace"))
    tail = _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")
    return head, tail


@lru_cache(maxsize=512)
def png_bytes(width: int, height: int, rgb: tuple[int, int, int], text: str = "") -> bytes:
    head, tail = _png_parts(width, height, rgb, text)
    return head + tail


def huge_png_chunks(size: int, width: int, height: int, rgb: tuple[int, int, int], text: str) -> tuple[int, Iterator[bytes]]:
    """A valid PNG of exactly ``size`` bytes, padded with private ancillary chunks."""
    head, tail = _png_parts(width, height, rgb, text)
    base = len(head) + len(tail)
    seg_sizes = _padding_lengths(size - base, 12 + 65536, 12)
    length = base + sum(seg_sizes)

    def gen() -> Iterator[bytes]:
        yield head
        cache: dict[int, bytes] = {}
        for n in seg_sizes:
            if n not in cache:
                cache[n] = _chunk(b"paDd", b"\x00" * (n - 12))
            yield cache[n]
        yield tail

    return length, gen()


# ----------------------------------------------------------------------------- SVG

def svg_bytes(width: int, height: int, rgb: tuple[int, int, int], comment: str = "") -> bytes:
    colour = "#%02x%02x%02x" % rgb
    comment = comment.replace("--", "- -")
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">\n'
        f"<!-- {comment} -->\n"
        f'<rect x="0" y="{height // 4}" width="{width}" height="{max(1, height // 2)}" fill="{colour}"/>\n'
        "</svg>\n"
    )
    return doc.encode("utf-8")
