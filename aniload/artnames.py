"""Which files count as a series' artwork and NFO: naming rules, and the listing they judge.

Kept apart from ``aniload.artwork`` (which needs httpx) so that the offline scan can
record and judge a folder listing without loading the network stack.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path, PurePath

# Besides the configured name (poster.jpg, ...): the same stem in another format, and the
# names media servers also read (Jellyfin's folder.jpg; the contract's logo.png).
_PRESENT_EXTS = {"poster": (".jpg", ".jpeg", ".png"), "fanart": (".jpg", ".jpeg", ".png"), "logo": (".png",)}
_PRESENT_ALIASES = {"poster": ("folder",), "fanart": (), "logo": ("clearlogo", "logo")}
ART_EXTENSIONS = (".jpg", ".jpeg", ".png", ".nfo")  # what a listing of a series folder keeps


@functools.lru_cache(maxsize=64)
def art_candidates(kind: str, file_name: str) -> tuple[str, ...]:
    """Lower-cased names that count as ``kind``'s art, in order of preference."""
    if kind not in _PRESENT_EXTS:
        raise ValueError(f"unknown art kind {kind!r}")
    stem = PurePath(file_name).stem
    wanted = [file_name] + [stem + ext for ext in _PRESENT_EXTS[kind]]
    wanted += [alias + ext for alias in _PRESENT_ALIASES[kind] for ext in _PRESENT_EXTS[kind]]
    return tuple(dict.fromkeys(n.lower() for n in wanted))


def find_present(files: Mapping[str, int], kind: str, file_name: str) -> str | None:
    """Which of ``files`` (name -> size, one folder's listing) serves as ``kind``'s art.

    Pure, so the scanner's recorded listing and a fresh listing give the same answer.
    Names match case-insensitively (an exact-case name wins); empty files do not count.
    """
    by_lower: dict[str, list[str]] = {}
    for name, size in files.items():
        if size > 0:
            by_lower.setdefault(name.lower(), []).append(name)
    for wanted in art_candidates(kind, file_name):
        found = by_lower.get(wanted)
        if found:
            return sorted(found, key=lambda n: n.lower() != n)[0]
    return None


def list_art_files(series_dir: Path | str) -> dict[str, int]:
    """Name -> size of the regular files in ``series_dir`` that could be art or an NFO."""
    files: dict[str, int] = {}
    with os.scandir(series_dir) as it:
        for entry in it:
            if entry.name.lower().endswith(ART_EXTENSIONS):
                try:
                    if entry.is_file():
                        files[entry.name] = entry.stat().st_size
                except OSError:
                    continue
    return files
