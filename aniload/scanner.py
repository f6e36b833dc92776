"""The episode scan of one series folder: a function of the directory tree and the last scan.

Listing every file of a big library on every run is what makes other tools slow, so the
scan keeps one record per folder with the folder's mtime. A folder whose mtime has not
moved has the same entries as last time, so its record is reused without listing it; only
folders that changed are listed and their video names parsed again.

The series folder's record also keeps the names and sizes of the NFO and image files in
it, so an unchanged series reports its artwork without a single stat.

The series folder itself changes whenever aniload writes its own files into it (sidecar,
NFO, artwork: each lands by a rename). The sidecar is always the last of those writes, and
a rename sets the folder's mtime and the renamed file's ctime to the same instant, so "the
folder's mtime equals the sidecar's ctime" means nothing but our own writes happened since.

A folder record also holds what the name rules of its day made of the names, so the scan
record carries ``NAME_RULES``: after an upgrade that reads names differently, every folder
is listed once more instead of keeping the old reading for as long as it stays unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from aniload.artnames import ART_EXTENSIONS
from aniload.errors import SeriesError
from aniload.fsutil import is_temp_name
from aniload.foldernames import parse_season_folder
from aniload.names import VIDEO_EXTENSIONS, video_stem
from aniload.nameshapes import parse_folder_stems

# Folders media servers treat as extras (Jellyfin's list, plus the usual anime BD extras).
EXTRAS_FOLDERS = frozenset(
    {
        "extras", "extra", "featurettes", "behind the scenes", "deleted scenes", "interviews",
        "scenes", "shorts", "trailers", "trailer", "other", "others", "sample", "samples",
        "clips", "bonus", "ncop", "nced", "ncop & nced", "nc", "menus", "menu", "scans",
        "cds", "cd", "fonts", "subs", "subtitles", "music", "ost", "soundtrack",
    }
)
# The commonest video names end in a lower-case extension of three characters (".mkv",
# ".mp4"); the listing loop takes those with one set lookup, the rest through ``video_stem``.
_VIDEO_EXT4 = frozenset(ext for ext in VIDEO_EXTENSIONS if len(ext) == 4)
_SEASON_OF, _EPISODES_OF, _SPECIAL_OF = itemgetter(0), itemgetter(1), itemgetter(2)  # of an EpisodeName
# Raise it whenever names.py, nameshapes.py or foldernames.py read a name differently.
# 2: checksum tags, "H.264", "Specials - 02", release-named season folders.
NAME_RULES = 2
MAX_DEPTH = 4  # series folder = 0; "Season 1/Disc 2/..." is deep enough
ABSOLUTE = "absolute"

Warn = Callable[[str], None]


class ScanResult(NamedTuple):
    scan: dict[str, Any]  # {"rules": NAME_RULES, "dirs": {...}}: goes into the sidecar
    episodes: dict[str, list[int]] | None  # None when unchanged: the sidecar's still holds
    changed: bool  # the result differs from the previous scan: the sidecar needs writing
    listed: int  # folders listed this time (0 for an unchanged series)
    stray: list[str]  # temp files a killed run left in the series folder (seen when listed)


def scan_series(
    series_dir: Path | str,
    previous: dict[str, Any] | None,
    sidecar_ctime_ns: int | None,
    warn: Warn,
) -> ScanResult:
    prev_dirs: dict[str, Any] = (previous or {}).get("dirs", {})
    if previous is not None and previous.get("rules") != NAME_RULES:
        prev_dirs = {}  # read with other name rules: list every folder again
    dirs: dict[str, Any] = {}
    visited: set[tuple[int, int]] = set()
    listed = 0
    changed = False
    stray: list[str] = []
    stack: list[tuple[str, str, int | None, int]] = [("", os.fspath(series_dir), None, 0)]
    while stack:
        rel, path, season, depth = stack.pop()
        try:
            st = os.stat(path)
        except OSError as exc:
            if not rel:
                raise SeriesError(f"cannot read series folder: {exc.strerror}") from exc
            warn(f"skipped folder {rel!r}: {exc.strerror}")
            continue
        ident = (st.st_dev, st.st_ino)
        if ident in visited:
            warn(f"skipped folder {rel!r}: a symlink loop leads back to a folder already scanned")
            continue
        visited.add(ident)
        old = prev_dirs.get(rel)
        if old is not None and (
            old["mtime_ns"] == st.st_mtime_ns or (not rel and sidecar_ctime_ns == st.st_mtime_ns)
        ):
            record = old
        else:
            record = _list_folder(path, rel, season, st.st_mtime_ns, warn, stray)
            listed += 1
            changed = changed or old != record  # new content, or a new mtime to record
        dirs[rel] = record
        if depth >= MAX_DEPTH:
            if record["subdirs"]:
                warn(f"not scanned: folders nested deeper than {MAX_DEPTH} levels under {rel!r}")
            continue
        for sub in record["subdirs"]:
            sub_season = parse_season_folder(sub)
            stack.append(
                (
                    f"{rel}/{sub}" if rel else sub,
                    os.path.join(path, sub),
                    season if sub_season is None else sub_season,
                    depth + 1,
                )
            )
    if dirs.keys() != prev_dirs.keys():
        changed = True
    episodes = merge_found(dirs.values()) if changed else None
    return ScanResult({"rules": NAME_RULES, "dirs": dirs}, episodes, changed, listed, stray)


def _list_folder(
    path: str, rel: str, season: int | None, mtime_ns: int, warn: Warn, stray: list[str]
) -> dict[str, Any]:
    stems: list[str] = []  # video names without their extension, parsed after the listing
    subdirs: list[str] = []
    art_files: dict[str, int] = {}  # series folder only: NFO and artwork present, name -> size
    try:
        with os.scandir(path) as entries:
            for entry in entries:  # the hot loop of a cold scan: runs once per file
                name = entry.name
                if name[-4:] in _VIDEO_EXT4 and name[0] != ".":  # "x.mkv": no call for most files
                    stems.append(name[:-4])
                    continue
                if name[0] == ".":
                    if not rel and is_temp_name(name):
                        stray.append(name)
                    continue
                stem = video_stem(name)
                if stem is not None:
                    stems.append(stem)
                    continue
                try:
                    is_dir = entry.is_dir()  # follows links; loops are caught by inode
                    if not rel and not is_dir and name.lower().endswith(ART_EXTENSIONS):
                        art_files[name] = entry.stat().st_size
                except OSError:
                    continue
                if is_dir and name.casefold() not in EXTRAS_FOLDERS:
                    subdirs.append(name)
    except OSError as exc:
        if not rel:
            raise SeriesError(f"cannot read series folder: {exc.strerror}") from exc
        warn(f"skipped folder {rel!r}: {exc.strerror}")
        mtime_ns = -1  # never "unchanged": try again next run
    # Parsed after the listing, so the loop above stays a name test. A folder's names nearly
    # always agree on season and special-ness: then the grouping runs in C, not per name.
    stems.sort()
    stems.sort(key=len)  # by length, then name: one shape's names in one run (see nameshapes)
    results = parse_folder_stems(stems)
    seasons, specials = set(map(_SEASON_OF, results)), set(map(_SPECIAL_OF, results))
    groups: dict[tuple[int | None, bool], Iterable[int]] = {}
    if len(seasons) == 1 and len(specials) == 1:
        groups[seasons.pop(), specials.pop()] = chain.from_iterable(map(_EPISODES_OF, results))
    else:
        for parsed_season, episodes, special in results:
            groups.setdefault((parsed_season, special), []).extend(episodes)
    found: dict[str, set[int]] = {}
    for (parsed_season, special), numbers in groups.items():
        if special:
            bucket = "0"
        elif parsed_season is not None:
            bucket = str(parsed_season)
        elif season is not None:
            bucket = str(season)
        else:
            bucket = ABSOLUTE
        found.setdefault(bucket, set()).update(numbers)  # a film or an extra adds no number
    found = {bucket: numbers for bucket, numbers in found.items() if numbers}
    subdirs.sort()
    record = {
        "mtime_ns": mtime_ns,
        "season": season,
        "subdirs": subdirs,
        "videos": len(stems),
        "found": {k: sorted(v) for k, v in sorted(found.items())},
    }
    if not rel:
        record["files"] = art_files
    return record


def season_sort_key(bucket: str) -> tuple[int, int]:
    return (1, 0) if bucket == ABSOLUTE else (0, int(bucket))


def merge_found(records) -> dict[str, list[int]]:
    """The series' episodes: every folder's findings, seasons ascending, "absolute" last."""
    merged: dict[str, set[int]] = {}
    for record in records:
        for bucket, numbers in record["found"].items():
            if bucket in merged:
                merged[bucket].update(numbers)
            else:
                merged[bucket] = set(numbers)
    merged.setdefault(ABSOLUTE, set())
    return {k: sorted(merged[k]) for k in sorted(merged, key=season_sort_key)}


def is_fresh(series_dir: Path | str, scan: dict[str, Any] | None, sidecar_ctime_ns: int | None) -> bool:
    """True when no scanned folder has changed since the scan; stats only, lists nothing."""
    if not scan or not scan.get("dirs") or scan.get("rules") != NAME_RULES:
        return False
    return folders_unchanged(series_dir, {rel: rec["mtime_ns"] for rel, rec in scan["dirs"].items()}, sidecar_ctime_ns)


def folders_unchanged(series_dir: Path | str, mtimes: dict[str, int], sidecar_ctime_ns: int | None) -> bool:
    """The test behind ``is_fresh``, on {folder: recorded mtime}: also the scan index's test."""
    base = os.fspath(series_dir)
    stat, join = os.stat, os.path.join
    for rel, recorded in mtimes.items():
        try:
            mtime = stat(join(base, rel) if rel else base).st_mtime_ns
        except OSError:
            return False
        if mtime != recorded and not (not rel and mtime == sidecar_ctime_ns):
            return False
    return True
