"""Synthetic libraries for the benchmarks: many series, realistic names and layouts.

Every third series is flat fansub-style, every third has Season folders with scene-style
names, every third German Staffel folders; titles carry digits and brackets like real ones.
"""

from __future__ import annotations

import os
from pathlib import Path

GROUPS = ["SubsPlease", "Erai-raws", "Judas", "EMBER", "ASW", "Yameii"]


def series_files(index: int, files: int) -> dict[str, list[str]]:
    title = f"Series {index:04d} Title"
    layout = index % 3
    if layout == 0:
        group = GROUPS[index % len(GROUPS)]
        return {"": [f"[{group}] {title} - {e:02d} (1080p) [{index:04X}{e:04X}].mkv" for e in range(1, files + 1)]}
    if layout == 1:
        half = files // 2
        return {
            "Season 1": [f"{title.replace(' ', '.')}.S01E{e:02d}.1080p.WEB.x264-GRP.mkv" for e in range(1, half + 1)],
            "Season 2": [f"{title} - S02E{e:02d} - Episode Name.mkv" for e in range(1, files - half + 1)],
        }
    return {"Staffel 1": [f"{title} - Folge {e} [German Dub].mp4" for e in range(1, files + 1)]}


def series_folder(index: int) -> str:
    return f"Series {index:04d} Title ({1990 + index % 35})"


def make_tree(root: Path, series: int, files: int, *, only: int | None = None) -> Path:
    """Create the library (or, with ``only``, a library holding just that one series)."""
    root.mkdir(parents=True, exist_ok=True)
    indices = [only] if only is not None else range(series)
    for i in indices:
        base = root / series_folder(i)
        for sub, names in series_files(i, files).items():
            folder = base / sub if sub else base
            folder.mkdir(parents=True, exist_ok=True)
            for name in names:
                fd = os.open(folder / name, os.O_CREAT | os.O_WRONLY, 0o644)
                os.close(fd)
    return root
