"""A library-wide cache of what an unchanged series reports, so a rescan reads one file.

``LIBRARY/.aniload-index.json`` maps each series folder to the report its last scan gave,
together with the identity of its sidecar (inode, size, mtime, ctime) and the folder
mtimes that scan saw. An entry is used only while all of those still match, which is
the same test the scanner applies before it reuses a folder's record; anything else
(fetch rewrote the sidecar, a file was added, a user edited the sidecar) falls back to
reading the sidecar. Like git's index, it is only a cache: deleting it, or a crash that
loses it, costs one slower rescan and nothing else. Only whole-library scans write it,
so ``--series`` keeps its cost independent of the library's size.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from aniload.config import Config
from aniload.errors import WriteError
from aniload.fsutil import atomic_write
from aniload.report import SeriesReport
from aniload.scanner import NAME_RULES, folders_unchanged
from aniload.sidecar import SIDECAR_NAME, STEPS
from aniload.steps import unavailable_valid_until

INDEX_NAME = ".aniload-index.json"
VERSION = 2  # 2: episode numbers as ranges ("1-24,26") and step states as a list


def _fingerprint(config: Config) -> list:
    """Settings that change what a report says from the same files."""
    art = config.artwork
    return [VERSION, NAME_RULES, art.poster_name, art.fanart_name, art.logo_name, config.unavailable_recheck_days]


def load(library: Path, config: Config) -> dict[str, Any]:
    try:
        with open(os.path.join(library, INDEX_NAME), "rb") as fh:
            doc = json.loads(fh.read())
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(doc, dict) or doc.get("fingerprint") != _fingerprint(config):
        return {}
    entries = doc.get("series")
    return entries if isinstance(entries, dict) else {}


def cached_report(series, entry: Any, now: float) -> SeriesReport | None:
    """The cached report if nothing it depends on has changed, else None."""
    try:
        ident, dirs, fields, valid_until = entry["sidecar"], entry["dirs"], entry["report"], entry["valid_until"]
        if valid_until is not None and now >= valid_until:
            return None
        base = series.dir
        st = os.lstat(base + "/" + SIDECAR_NAME)
        if [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns] != ident:
            return None
        if not folders_unchanged(base, dirs, st.st_ctime_ns):  # the scanner's own test
            return None
        tmdb_id, states, episodes = fields
        if len(states) != len(STEPS) or not all(isinstance(state, str) for state in states):
            return None
        steps = dict(zip(STEPS, states))
        steps["episodes"] = "present"  # found again, unchanged
        return SeriesReport(series.key, series.folder, series.title, series.year, tmdb_id, "ok", steps, _expand(episodes))
    except (OSError, KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None


def entry_for(series_dir: Path | str, data: dict[str, Any], report: SeriesReport, config: Config) -> dict | None:
    """What to remember of a series whose scan just ended ok (None: not cacheable)."""
    if report.status != "ok" or not data or not data.get("scan"):
        return None
    try:
        st = os.lstat(os.path.join(series_dir, SIDECAR_NAME))
    except OSError:
        return None
    dirs = {rel: rec["mtime_ns"] for rel, rec in data["scan"]["dirs"].items()}
    if any(m < 0 for m in dirs.values()):
        return None  # a folder could not be read: rescan it every time
    return {
        "sidecar": [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns],
        "dirs": dirs,
        "report": [report.tmdb_id, [report.steps[step] for step in STEPS], _compact(report.episodes)],
        "valid_until": unavailable_valid_until(data, config),
    }


# Episode lists are nearly always runs ("1-24"): as range strings the index is a third of
# the size, and a rescan spends most of its time loading it.
def _compact(episodes: dict[str, list[int]]) -> dict[str, str]:
    out = {}
    for bucket, numbers in episodes.items():
        if numbers and numbers[-1] - numbers[0] == len(numbers) - 1:  # sorted, unique: one run
            out[bucket] = f"{numbers[0]}-{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
            continue
        parts = []
        i, count = 0, len(numbers)
        while i < count:
            j = i
            while j + 1 < count and numbers[j + 1] == numbers[j] + 1:
                j += 1
            parts.append(str(numbers[i]) if i == j else f"{numbers[i]}-{numbers[j]}")
            i = j + 1
        out[bucket] = ",".join(parts)
    return out


def _expand(episodes: dict[str, str]) -> dict[str, list[int]]:
    """The inverse of ``_compact``; a malformed entry raises ValueError (the caller rescans)."""
    out = {}
    for bucket, text in episodes.items():
        numbers: list[int] = []
        for part in text.split(",") if text else ():
            first, dash, last = part.partition("-")
            if dash:
                low, high = int(first), int(last)
                if not 0 <= high - low <= 10_000:  # not written by us: rescan rather than trust
                    raise ValueError(part)
                numbers.extend(range(low, high + 1))
            else:
                numbers.append(int(first))
        out[bucket] = numbers
    return out


def save(library: Path, config: Config, entries: dict[str, Any]) -> None:
    doc = {"fingerprint": _fingerprint(config), "written": time.time(), "series": entries}
    payload = json.dumps(doc, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    try:
        atomic_write(os.path.join(library, INDEX_NAME), payload, durable=False)
    except WriteError:
        pass  # only a cache: the next rescan reads the sidecars instead
