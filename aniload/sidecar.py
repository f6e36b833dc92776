"""The per-series sidecar ``.aniload.json``: what aniload knows and has done for a series.

Schema 1 (a JSON object):

    schema        1
    written_by    "aniload 0.1.0"
    series        {key, folder, name, year}
    scan          {at, dirs: {REL: {mtime_ns, season, subdirs: [...], videos, found: {SEASON: [...]}}}}
                  one record per scanned folder ("" = the series folder): a rescan compares
                  mtimes and re-lists only the folders that changed
    episodes      {"1": [1, 2], "0": [1], "absolute": [...]}: the merged result
    match         {tmdb_id, media_type: "tv", pinned, source, at} or null
    steps         {STEP: {state, at, error, ...}}: what each step last did; extra keys per
                  step (the NFO's content hash; an image's file_path and bytes written,
                  so that a new pin redoes only images nobody has replaced since)

A sidecar that is not valid JSON or not of this shape is renamed aside (never deleted)
so that a user can look at it, and rebuilt. One from a newer schema is never rewritten:
that series fails until aniload is upgraded, because a downgrade would lose data.
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any, NamedTuple

from aniload import __version__
from aniload.errors import SidecarError, WriteError
from aniload.fsutil import atomic_write

SIDECAR_NAME = ".aniload.json"
SCHEMA = 1
STEPS = ("episodes", "nfo", "poster", "fanart", "logo")


class Loaded(NamedTuple):
    data: dict[str, Any] | None  # None: no usable sidecar (missing or set aside)
    ctime_ns: int | None  # the sidecar's ctime: equals the folder's mtime if it was the last write
    problem: str | None  # a warning for the user (corrupt, foreign), or None


_last_stamp: tuple[int, str] = (-1, "")


def now_iso() -> str:
    """UTC now to the second; formatted once per second (a scan stamps every series twice)."""
    global _last_stamp
    second = int(time.time())
    if _last_stamp[0] != second:
        _last_stamp = (second, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second)))
    return _last_stamp[1]


def new_sidecar(key: str, folder: str, name: str, year: int | None) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "written_by": f"aniload {__version__}",
        "series": {"key": key, "folder": folder, "name": name, "year": year},
        "scan": None,
        "episodes": {"absolute": []},
        "match": None,
        "steps": {},
    }


def load(series_dir: Path | str, *, set_aside: bool = True) -> Loaded:
    """Read the sidecar; a broken one is renamed aside when ``set_aside`` (status passes False)."""
    path = os.path.join(series_dir, SIDECAR_NAME)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # a FIFO must not block
    except FileNotFoundError:
        return Loaded(None, None, None)
    except OSError as exc:
        if os.path.islink(path):
            return _set_aside(path, "is a symlink", set_aside)
        raise SidecarError(f"cannot read {SIDECAR_NAME}: {exc.strerror}") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SidecarError(f"{SIDECAR_NAME} is not a regular file; move it out of the way")
        ctime_ns = st.st_ctime_ns
        raw = os.read(fd, st.st_size + 1)  # one read: sidecars are small, and this runs per series
        while len(raw) > st.st_size and (more := os.read(fd, 1 << 20)):
            raw += more  # grew while we read: take the rest
    except OSError as exc:
        raise SidecarError(f"cannot read {SIDECAR_NAME}: {exc.strerror}") from exc
    finally:
        os.close(fd)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return _set_aside(path, "is not valid JSON", set_aside)
    shape_problem = _shape_problem(data)
    if shape_problem == "newer":
        raise SidecarError(
            f"{SIDECAR_NAME} has schema {data['schema']}, newer than this aniload understands "
            f"({SCHEMA}); upgrade aniload (the file is left untouched)"
        )
    if shape_problem:
        return _set_aside(path, shape_problem, set_aside)
    return Loaded(data, ctime_ns, None)


def _shape_problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "is not a JSON object"
    schema = data.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool):
        return "has no schema number (not an aniload sidecar)"
    if schema > SCHEMA:
        return "newer"
    if schema < 1:
        return f"has unknown schema {schema}"
    if not isinstance(data.get("series"), dict):
        return "has no series record"
    if not isinstance(data.get("steps"), dict) or not all(
        isinstance(v, dict) for v in data["steps"].values()
    ):
        return "has a malformed steps record"
    if not _numbers_by_key(data.get("episodes")):
        return "has a malformed episodes record"
    scan = data.get("scan")
    if scan is not None and not _scan_ok(scan):
        return "has a malformed scan record"
    match = data.get("match")
    if match is not None and not (
        isinstance(match, dict) and isinstance(match.get("tmdb_id"), int)
    ):
        return "has a malformed match record"
    return None


def _scan_ok(scan: Any) -> bool:
    if not isinstance(scan, dict) or not isinstance(scan.get("dirs"), dict):
        return False
    for rec in scan["dirs"].values():
        if not (
            isinstance(rec, dict)
            and type(rec.get("mtime_ns")) is int
            and isinstance(rec.get("subdirs"), list)
            and all(isinstance(s, str) for s in rec["subdirs"])
            and _numbers_by_key(rec.get("found"))
            and (rec.get("season") is None or _is_count(rec["season"]))
            and _is_count(rec.get("videos", 0))
        ):
            return False
        files = rec.get("files", {})
        if not (isinstance(files, dict) and all(_is_count(size) for size in files.values())):
            return False
    return True


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _numbers_by_key(value: Any) -> bool:
    """A {SEASON: [int, ...]} map, SEASON being "absolute" or a season number ("0", "1", ...).

    The numbers are checked with C-level set()/min() calls: fast enough for every load."""
    if not isinstance(value, dict):
        return False
    for key, numbers in value.items():
        if key != "absolute" and not (key.isascii() and key.isdigit()):
            return False
        if type(numbers) is not list:
            return False
        if numbers and (not set(map(type, numbers)) <= {int} or min(numbers) < 0):
            return False
    return True


def _set_aside(path_str: str, why: str, set_aside: bool) -> Loaded:
    path = Path(path_str)
    if not set_aside:
        return Loaded(None, None, f"{SIDECAR_NAME} {why}; the next scan sets it aside and rebuilds it")
    stamp = time.strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{SIDECAR_NAME}.bad-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{SIDECAR_NAME}.bad-{stamp}-{n}")
    try:
        os.rename(path, aside)
    except OSError as exc:
        raise SidecarError(f"{SIDECAR_NAME} {why} and cannot be set aside: {exc.strerror}") from exc
    return Loaded(None, None, f"{SIDECAR_NAME} {why}: kept as {aside.name}, rebuilt")


def save(series_dir: Path | str, data: dict[str, Any], *, durable: bool) -> None:
    """Write atomically; ``durable=False`` defers the fsync to one sync at the end of the run."""
    data["written_by"] = f"aniload {__version__}"
    try:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in a folder name: escape them, JSON keeps them
        payload = json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    try:
        atomic_write(os.path.join(series_dir, SIDECAR_NAME), payload, durable=durable)
    except WriteError as exc:  # re-labelled: a sidecar failure is the series' failure
        raise SidecarError(str(exc)) from exc


def set_step(data: dict[str, Any], step: str, state: str, error: str | None = None, **extra: Any) -> None:
    record = {"state": state, "at": now_iso(), "error": error}
    record.update(extra)
    data["steps"][step] = record
