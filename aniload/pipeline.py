"""Runs commands over the selected series and reports through events.

Order of business for every writing command: resolve the library and the selection
(usage errors end the run here, before anything is touched), take the library lock, then
run each series on its own: a failure is recorded against that series and the run goes
on. Sidecars of a scan are written without per-file fsync and made durable by one
filesystem sync at the end (a big scan starts another at 80%, so the last one is short).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from aniload import events as ev
from aniload import scanindex, sidecar
from aniload.config import Config
from aniload.errors import SeriesError
from aniload.events import Event, NullReporter, Reporter
from aniload.library import SeriesFolder, resolve_library, select_series
from aniload.lock import library_lock
from aniload.fsutil import sync_filesystem
from aniload.report import RunReport, SeriesReport
from aniload.scanner import is_fresh
from aniload.steps import art_listing, disk_states, first_failure, scan_episodes


class Warnings:
    """Collects warnings for the report and forwards each as an event."""

    def __init__(self, report: RunReport, reporter: Reporter) -> None:
        self.report = report
        self.reporter = reporter

    def __call__(self, message: str, series: str | None = None) -> None:
        self.report.warnings.append(f"{series}: {message}" if series else message)
        self.reporter.emit(Event(ev.WARNING, series=series, message=message))

    def for_series(self, series: SeriesFolder):
        return lambda message: self(message, series.folder)


def new_report(series: SeriesFolder) -> SeriesReport:
    return SeriesReport(key=series.key, folder=series.folder, name=series.title, year=series.year)


def prepare(command: str, library: Path | None, names: list[str], reporter: Reporter):
    lib = resolve_library(library)
    report = RunReport(command, lib)
    warn = Warnings(report, reporter)
    selected = select_series(lib, names, warn)
    return lib, report, warn, selected


def scan_library(
    library: Path | None, names: list[str], config: Config, reporter: Reporter
) -> RunReport:
    lib, report, warn, selected = prepare("scan", library, names, reporter)
    with library_lock(lib, whole_library=not names) as unclean:
        reporter.emit(Event(ev.RUN_STARTED, total=len(selected), message=str(lib)))
        whole = not names
        index = scanindex.load(lib, config) if whole and not unclean else {}
        now = time.time()
        results: dict[str, SeriesReport] = {}
        entries: dict[str, dict] = {}
        misses = []
        for series in selected:  # unchanged series: one stat of the sidecar and one per folder
            entry = index.get(series.folder)
            cached = scanindex.cached_report(series, entry, now) if entry is not None else None
            if cached is None:
                misses.append(series)
                continue
            results[series.folder], entries[series.folder] = cached, entry
            _emit_done(reporter, series, cached)
        big = len(misses) >= PARALLEL_MIN_SERIES
        workers = min(_usable_cpus(), 4) if big else 1
        if workers > 1:
            outcomes = _scan_in_processes(misses, config, warn, unclean, workers)
        else:
            outcomes = (_scan_one(s, config, reporter, warn, relist=unclean) for s in misses)
        # A big scan starts one sync when most series are done, so the disk flushes their
        # sidecars while the workers finish; the final sync, which must follow the last
        # write, then has little left to wait for. The index (only a cache, never synced)
        # is written while it waits.
        early_sync_at = int(len(misses) * 0.8) if big else -1
        syncs: list[threading.Thread] = []
        wrote_any = False
        for done, (series, (result, wrote, entry)) in enumerate(zip(misses, outcomes, strict=True), 1):
            results[series.folder] = result
            if entry is not None:
                entries[series.folder] = entry
            wrote_any |= wrote
            if done == early_sync_at and wrote_any:
                syncs.append(_start_sync(lib))
        report.series.extend(results[s.folder] for s in selected)
        if wrote_any:
            syncs.append(_start_sync(lib))  # the one that makes this run's sidecars durable
        try:
            if whole and entries != index:
                scanindex.save(lib, config, entries)
        finally:
            for syncer in syncs:
                syncer.join()
        reporter.emit(Event(ev.RUN_FINISHED, total=len(selected)))
    return report


def _start_sync(lib: Path) -> threading.Thread:
    syncer = threading.Thread(target=sync_filesystem, args=(lib,), name="syncfs")
    syncer.start()
    return syncer


def _emit_done(reporter: Reporter, series: SeriesFolder, result: SeriesReport) -> None:
    reporter.emit(Event(ev.SERIES_STARTED, series=series.folder))
    reporter.emit(Event(ev.STEP, series=series.folder, step="episodes", state=result.steps["episodes"]))
    reporter.emit(Event(ev.SERIES_FINISHED, series=series.folder, state=result.status, error=result.error))


# A big library is scanned by one process per core: parsing names and reading sidecars is
# Python work that one core cannot do at the speed `find` lists files.
PARALLEL_MIN_SERIES = 64


class _CollectedWarnings:
    """Stands in for ``Warnings`` in a worker process; the parent replays them in order."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str | None]] = []

    def __call__(self, message: str, series: str | None = None) -> None:
        self.items.append((message, series))

    def for_series(self, series: SeriesFolder):
        return lambda message: self(message, series.folder)


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours taskset and container CPU sets
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _scan_in_processes(selected: list[SeriesFolder], config: Config, warn: Warnings, relist: bool, workers: int):
    """Yield (report, wrote, entry) in library order while worker processes scan.

    Ctrl-C reaches only this process: the workers finish the series in hand and skip the
    rest, so no write is cut short (see ``forkmap``).
    """
    from aniload.forkmap import fork_map

    def scan(series: SeriesFolder):  # runs in a worker; plain values pickle fastest
        warnings = _CollectedWarnings()
        result, wrote, entry = _scan_one(series, config, NullReporter(), warnings, relist=relist)
        return (result.tmdb_id, result.status, result.steps, result.episodes, result.error), wrote, entry, warnings.items

    outcomes = fork_map(scan, selected, workers=workers, chunk=32)  # ~20 ms of work a chunk
    for series, (fields, wrote, entry, warnings) in zip(selected, outcomes, strict=True):
        result = SeriesReport(series.key, series.folder, series.title, series.year, *fields)
        for message, where in warnings:
            warn(message, where)
        _emit_done(warn.reporter, series, result)
        yield result, wrote, entry


def _scan_one(
    series: SeriesFolder, config: Config, reporter: Reporter, warn: Warnings, *, relist: bool = False
) -> tuple[SeriesReport, bool, dict | None]:
    """(report, whether the sidecar was written, the scan index entry or None)."""
    result = new_report(series)
    reporter.emit(Event(ev.SERIES_STARTED, series=series.folder))
    reporter.emit(Event(ev.STEP, series=series.folder, step="episodes", state="running"))
    wrote = False
    try:
        loaded = sidecar.load(series.dir)
        if loaded.problem:
            warn(loaded.problem, series.folder)
        data, state, dirty = scan_episodes(series, loaded, warn.for_series(series), relist=relist)
        if dirty:
            sidecar.save(series.dir, data, durable=False)
            wrote = True
        fill_report(result, data, config, series.dir, fresh=True)
        result.steps["episodes"] = state
        entry = scanindex.entry_for(series.dir, data, result, config) if not loaded.problem else None
    except SeriesError as exc:
        result.fail(str(exc))
        result.steps["episodes"] = "failed"
        entry = None
    reporter.emit(Event(ev.STEP, series=series.folder, step="episodes", state=result.steps["episodes"]))
    reporter.emit(Event(ev.SERIES_FINISHED, series=series.folder, state=result.status, error=result.error))
    return result, wrote, entry


def fill_report(result: SeriesReport, data: dict | None, config: Config, series_dir: Path | str, fresh: bool) -> None:
    data = data or {}
    result.episodes = data.get("episodes") or {"absolute": []}
    match = data.get("match")
    result.tmdb_id = match.get("tmdb_id") if match else None
    result.steps.update(disk_states(art_listing(series_dir, data, fresh), data, config))


def status_library(
    library: Path | None, names: list[str], config: Config, reporter: Reporter
) -> RunReport:
    """Read-only: never writes a file (not even the lock), never touches the network."""
    lib, report, warn, selected = prepare("status", library, names, reporter)
    for series in selected:
        result = new_report(series)
        try:
            loaded = sidecar.load(series.dir, set_aside=False)
            if loaded.problem:
                warn(loaded.problem, series.folder)
            data = loaded.data
            fresh = data is not None and is_fresh(series.dir, data.get("scan"), loaded.ctime_ns)
            fill_report(result, data, config, series.dir, fresh)
            result.steps["episodes"] = "present" if fresh else "pending"
            failure = first_failure(data)
            if failure:
                result.fail(failure)
        except SeriesError as exc:
            result.fail(str(exc))
        report.series.append(result)
    return report
