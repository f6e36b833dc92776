"""The named stages a series goes through, and how each one's state is read back.

Each step reads and updates the series' sidecar dict; the pipeline decides which steps
run and saves the sidecar. ``disk_states`` is the single place that says what a step's
state is from the files on disk plus the sidecar, so ``scan``, ``status`` and ``fetch``
all report the same thing for the same library.
"""

from __future__ import annotations

import calendar
import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aniload import sidecar
from aniload.config import Config
from aniload.artnames import find_present, list_art_files
from aniload.library import SeriesFolder
from aniload.scanner import merge_found, scan_series

NFO_NAME = "tvshow.nfo"
ART_STEPS = ("poster", "fanart", "logo")


def _parse_iso(stamp: Any) -> float | None:
    try:
        return float(calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")))
    except (TypeError, ValueError):
        return None


def unavailable_still_valid(record: dict[str, Any], config: Config, now: float | None = None) -> bool:
    """A remembered "TMDB has none" holds until the recheck interval has passed."""
    expiry = _unavailable_expiry(record, config)
    return expiry is not None and (time.time() if now is None else now) < expiry


def _unavailable_expiry(record: dict[str, Any], config: Config) -> float | None:
    at = _parse_iso(record.get("at"))
    return None if at is None else at + config.unavailable_recheck_days * 86400


def unavailable_valid_until(data: dict[str, Any], config: Config) -> float | None:
    """When the first remembered "unavailable" expires (a cached report must not outlive it)."""
    ends = [
        end
        for record in data.get("steps", {}).values()
        if record.get("state") == "unavailable" and (end := _unavailable_expiry(record, config)) is not None
    ]
    return min(ends) if ends else None


def art_listing(series_dir: Path | str, data: dict[str, Any] | None, fresh: bool) -> dict[str, int]:
    """The series folder's NFO and image files: recorded by the scan when it is fresh, else listed now."""
    if fresh and data and data.get("scan"):
        recorded = data["scan"]["dirs"].get("", {}).get("files")
        if isinstance(recorded, dict):
            return recorded
    try:
        return list_art_files(series_dir)
    except OSError:
        return {}


def art_file_name(config: Config, step: str) -> str:
    art = config.artwork
    return {"poster": art.poster_name, "fanart": art.fanart_name, "logo": art.logo_name}[step]


def disk_states(files: dict[str, int], data: dict[str, Any] | None, config: Config) -> dict[str, str]:
    """nfo and artwork states from the folder's files and the sidecar ("episodes" is the caller's)."""
    records = (data or {}).get("steps", {})
    lower = {name.lower() for name, size in files.items() if size > 0}
    states: dict[str, str] = {}
    for step in ("nfo", *ART_STEPS):
        if not lower:  # nothing there yet (every series on a first scan)
            present = False
        elif step == "nfo":
            present = NFO_NAME in lower
        else:
            present = find_present(files, step, art_file_name(config, step)) is not None
        record = records.get(step, {})
        if present:
            states[step] = "present"
        elif record.get("state") == "failed":
            states[step] = "failed"
        elif record.get("state") == "unavailable" and unavailable_still_valid(record, config):
            states[step] = "unavailable"
        else:
            states[step] = "pending"
    return states


def first_failure(data: dict[str, Any] | None) -> str | None:
    """The error of the sidecar's first failed step, for ``status``."""
    for step in sidecar.STEPS:
        record = (data or {}).get("steps", {}).get(step, {})
        if record.get("state") == "failed":
            return f"{step}: {record.get('error') or 'failed'}"
    return None


def scan_episodes(
    series: SeriesFolder, loaded: sidecar.Loaded, warn: Callable[[str], None], *, sweep: bool = True,
    relist: bool = False,
) -> tuple[dict[str, Any], str, bool]:
    """The episodes step: (sidecar data, state, sidecar needs saving).

    A series whose folders did not change costs a few stats: nothing is listed and the
    sidecar is not rewritten. ``relist`` (the last run was killed) lists the series
    folder whatever its mtime says, so that the dead run's temp files are swept.
    """
    data = loaded.data
    fresh_sidecar = data is None
    if data is None:
        data = sidecar.new_sidecar(series.key, series.folder, series.title, series.year)
    meta = {"key": series.key, "folder": series.folder, "name": series.title, "year": series.year}
    meta_changed = data["series"] != meta
    data["series"] = meta
    previous = None if fresh_sidecar else data.get("scan")
    ctime_ns = loaded.ctime_ns
    if relist and previous and "" in previous.get("dirs", {}):
        previous = {**previous, "dirs": {**previous["dirs"], "": {**previous["dirs"][""], "mtime_ns": -1}}}
        ctime_ns = None
    result = scan_series(series.dir, previous, ctime_ns, warn)
    if sweep:
        _sweep_stray_temp_files(series.dir, result.stray)
    if not (result.changed or fresh_sidecar or meta_changed or data.get("scan") is None):
        return data, "present", False
    episodes = result.episodes or merge_found(result.scan["dirs"].values())
    same = not fresh_sidecar and data.get("scan") is not None and data.get("episodes") == episodes
    data["scan"] = {"at": sidecar.now_iso(), **result.scan}
    data["episodes"] = episodes
    if same:  # only mtimes moved (a new poster, a relist): saved, but nothing new was found
        return data, "present", True
    sidecar.set_step(data, "episodes", "done")
    return data, "done", True


def _sweep_stray_temp_files(series_dir: Path | str, names: list[str]) -> None:
    """Remove temp files a killed run left behind (they are never the only copy of anything)."""
    for name in names:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(series_dir, name))
