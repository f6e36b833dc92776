"""`aniload fetch`: every selected series through episodes -> match -> NFO -> artwork.

Two phases, so that a rejected key changes nothing:

1. **Plan** (offline): load each sidecar, rescan episodes incrementally, and decide what
   is missing. A series whose NFO and artwork are all there (or known to be unavailable)
   needs no request at all.
2. **Work** (online, only if some series needs TMDB): one cheap request checks the
   credentials (401 -> exit 2, nothing written yet), then series run concurrently, at most
   ``series_concurrency`` at a time, all sharing one HTTP client and one rate limiter.
   A series costs a search and ONE details request (everything appended); pinned series
   skip the search. The sidecar is saved after every step, and the last write into the
   series folder is always the sidecar (the scanner relies on that).

A failure is recorded against its series and step; the other series go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aniload import events as ev
from aniload import sidecar
from aniload.artnames import find_present
from aniload.config import Config
from aniload.errors import AniloadError, AuthError, DownloadError, SeriesError, TMDBError, UsageError
from aniload.events import Event, Reporter
from aniload.fsutil import atomic_write, read_regular_file, sync_filesystem
from aniload.library import SeriesFolder
from aniload.lock import library_lock
from aniload.pipeline import Warnings, fill_report, new_report, prepare
from aniload.report import RunReport, SeriesReport
from aniload.scanner import scan_series
from aniload.steps import ART_STEPS, NFO_NAME, art_file_name, art_listing, scan_episodes, unavailable_still_valid

NFO_READ_LIMIT = 16 * 1024 * 1024  # an existing tvshow.nfo is read for its ids; ours are ~2 MB at most
NO_CREDENTIALS = (
    "no TMDB credentials: set ANILOAD_TMDB_READ_ACCESS_TOKEN or ANILOAD_TMDB_API_KEY "
    "(or [tmdb] read_access_token / api_key in the config)"
)


@dataclass
class Plan:
    series: SeriesFolder
    data: dict[str, Any]
    report: SeriesReport
    dirty: bool  # the sidecar needs saving even if nothing else happens
    set_aside: bool  # a broken sidecar is to be renamed aside before the first save
    need_nfo: bool = False
    need_art: list[str] = field(default_factory=list)
    pin: int | None = None  # a tmdb id known without searching
    pin_source: str | None = None
    wrote_files: bool = False
    saved: bool = False  # its sidecar was written this run (the run's final sync is needed)

    @property
    def needs_tmdb(self) -> bool:
        return self.need_nfo or bool(self.need_art)


def fetch_library(
    library: Path | None,
    names: list[str],
    config: Config,
    reporter: Reporter,
    *,
    tmdb_id: int | None = None,
    force: bool = False,
    dry_run: bool = False,
    transport: Any = None,
) -> RunReport:
    lib, report, warn, selected = prepare("fetch", library, names, reporter)
    if tmdb_id is not None and len(names) != 1:
        raise UsageError("--tmdb-id pins one series: give exactly one --series with it")
    if tmdb_id is not None and tmdb_id <= 0:
        raise UsageError("--tmdb-id must be a positive TMDB tv id")
    if not (config.tmdb.read_access_token or config.tmdb.api_key):
        raise AuthError(NO_CREDENTIALS)
    with contextlib.nullcontext(False) if dry_run else library_lock(lib, whole_library=not names) as unclean:
        reporter.emit(Event(ev.RUN_STARTED, total=len(selected), message=str(lib)))
        plans = [_plan(s, config, warn, force=force, dry_run=dry_run, flag_pin=tmdb_id, relist=unclean) for s in selected]
        asyncio.run(_work(plans, config, reporter, warn, dry_run=dry_run, force=force, transport=transport))
        report.series.extend(p.report for p in plans)
        if not dry_run and any(p.saved for p in plans):
            sync_filesystem(lib)  # sidecars; NFO and images were fsynced as they landed
        reporter.emit(Event(ev.RUN_FINISHED, total=len(selected)))
    return report


# ----------------------------------------------------------------------------- plan


def _plan(
    series: SeriesFolder, config: Config, warn: Warnings, *, force: bool, dry_run: bool, flag_pin: int | None, relist: bool = False
) -> Plan:
    result = new_report(series)
    try:
        loaded = sidecar.load(series.dir, set_aside=False)
        if loaded.problem:
            warn(loaded.problem, series.folder)
        data, state, dirty = scan_episodes(series, loaded, warn.for_series(series), sweep=not dry_run, relist=relist)
    except SeriesError as exc:
        result.fail(str(exc))
        result.steps["episodes"] = "failed"
        return Plan(series, {}, result, dirty=False, set_aside=False)
    fill_report(result, data, config, series.dir, fresh=True)
    result.steps["episodes"] = state
    plan = Plan(series, data, result, dirty=dirty, set_aside=loaded.problem is not None)
    files = art_listing(series.dir, data, fresh=True)
    plan.need_nfo = force or result.steps["nfo"] != "present"
    for kind in ART_STEPS:
        record = data["steps"].get(kind, {})
        known_unavailable = record.get("state") == "unavailable" and unavailable_still_valid(record, config)
        present = find_present(files, kind, art_file_name(config, kind)) is not None
        if force or not (present or known_unavailable):
            plan.need_art.append(kind)
    _choose_pin(plan, flag_pin)
    match = data.get("match") or {}
    if flag_pin is not None and (match.get("tmdb_id") != flag_pin or not match.get("pinned")):
        if match.get("tmdb_id") != flag_pin:
            _redo_for_new_pin(plan, config)
        plan.data["match"] = _match_record(flag_pin, pinned=True, source="flag")
        plan.dirty = True  # saved durably before anything else (or with the scan, offline)
    return plan


def _redo_for_new_pin(plan: Plan, config: Config) -> None:
    """A new pin corrects an earlier match: what aniload made for the old one is redone.

    Files aniload did not make, and those changed since (an NFO by its content hash, an
    image by its size in bytes), stay (``--force`` replaces them).
    """
    from aniload.nforead import content_hash

    steps = plan.data["steps"]
    with contextlib.suppress(OSError):
        if steps.get("nfo", {}).get("hash") == content_hash(_read_nfo(plan)):
            plan.need_nfo = True
    for kind in ART_STEPS:
        record = steps.get(kind, {})
        if kind in plan.need_art or record.get("state") not in ("done", "unavailable"):
            continue
        written = record.get("bytes")  # not recorded by older sidecars: then redone, as before
        if record["state"] == "done" and written is not None and not _still_written(plan, config, kind, written):
            continue  # not the image aniload downloaded any more
        plan.need_art.append(kind)


def _still_written(plan: Plan, config: Config, kind: str, written: int) -> bool:
    """Whether ``kind``'s file is still the one aniload wrote: a regular file of its size.

    Asked of the file itself, not the scan's listing: a copy over it keeps the folder's mtime.
    """
    try:
        st = os.lstat(os.path.join(plan.series.dir, art_file_name(config, kind)))
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == written


def _read_nfo(plan: Plan) -> bytes:
    """The series' existing tvshow.nfo; OSError unless it is a regular file of sane size."""
    return read_regular_file(plan.series.path / NFO_NAME, limit=NFO_READ_LIMIT)


def _choose_pin(plan: Plan, flag_pin: int | None) -> None:
    """flag > earlier flag pin (sidecar) > tmdb id in an existing NFO > folder name > earlier match."""
    from aniload.nforead import read_nfo_ids

    match = plan.data.get("match") or {}
    if flag_pin is not None:
        plan.pin, plan.pin_source = flag_pin, "flag"
        return
    if match.get("pinned"):
        plan.pin, plan.pin_source = match["tmdb_id"], match.get("source", "flag")
        return
    with contextlib.suppress(OSError, ValueError):
        nfo_id = read_nfo_ids(_read_nfo(plan)).get("tmdb")
        if nfo_id:
            plan.pin, plan.pin_source = int(nfo_id), "nfo"
            return
    if plan.series.tmdb_id_hint:
        plan.pin, plan.pin_source = plan.series.tmdb_id_hint, "folder"
    elif match.get("tmdb_id"):
        plan.pin, plan.pin_source = match["tmdb_id"], "match"


# ----------------------------------------------------------------------------- work


async def _work(plans: list[Plan], config: Config, reporter: Reporter, warn: Warnings, *, dry_run: bool, force: bool, transport: Any) -> None:
    from aniload.tmdb import TMDBClient, build_http_client

    online = [p for p in plans if p.needs_tmdb and p.report.status == "ok"]
    offline = [p for p in plans if p not in online]
    if not online:
        for plan in offline:
            _finish_offline(plan, reporter, dry_run)
        return
    t = config.tmdb
    async with build_http_client(
        max_connections=t.max_connections, connect_timeout=t.connect_timeout, read_timeout=t.read_timeout, transport=transport
    ) as http:
        client = TMDBClient(
            http, api_base=t.api_base, api_key=t.api_key, read_access_token=t.read_access_token,
            requests_per_second=t.requests_per_second, max_retries=t.max_retries,
        )
        try:
            await client.check_credentials()  # AuthError ends the run here: nothing written yet
        except TMDBError as exc:  # TMDB unreachable after retries: the run still reports
            for plan in offline:
                _finish_offline(plan, reporter, dry_run)
            for plan in online:
                _fail_unreached(plan, str(exc), reporter, dry_run)
            return
        for plan in offline:
            _finish_offline(plan, reporter, dry_run)
        gate = asyncio.Semaphore(config.series_concurrency)
        # Images share the client's pool; keep some connections free for API requests.
        image_gate = asyncio.Semaphore(max(1, t.max_connections - 4))
        worker = SeriesWorker(client, http, config, reporter, dry_run=dry_run, force=force, image_gate=image_gate)

        async def one(plan: Plan) -> None:
            async with gate:
                await worker.run(plan)

        await asyncio.gather(*(one(p) for p in online))


def _finish_offline(plan: Plan, reporter: Reporter, dry_run: bool) -> None:
    """A series that needs nothing from TMDB (or already failed): save its scan, report it."""
    folder = plan.series.folder
    reporter.emit(Event(ev.SERIES_STARTED, series=folder))
    if plan.dirty and not dry_run:  # a series that failed its scan has nothing to save
        try:
            _save(plan, durable=plan.pin_source == "flag")
        except SeriesError as exc:
            plan.report.fail(str(exc))
    reporter.emit(Event(ev.SERIES_FINISHED, series=folder, state=plan.report.status, error=plan.report.error))


def _fail_unreached(plan: Plan, message: str, reporter: Reporter, dry_run: bool) -> None:
    """TMDB could not be reached at all: keep the scan (and a new pin), fail the online steps."""
    plan.report.fail(message)
    for step in (["nfo"] if plan.need_nfo else []) + plan.need_art:
        plan.report.steps[step] = "failed"
    _finish_offline(plan, reporter, dry_run)


def _save(plan: Plan, *, durable: bool = False) -> None:
    if plan.set_aside:
        sidecar.load(plan.series.dir)  # renames the broken one aside, keeps it
        plan.set_aside = False
    sidecar.save(plan.series.dir, plan.data, durable=durable)
    plan.dirty = False
    plan.saved = True


class SeriesWorker:
    """Runs the online steps of one series at a time (many instances of ``run`` at once)."""

    def __init__(self, client, http, config: Config, reporter: Reporter, *, dry_run: bool, force: bool, image_gate) -> None:
        self.client, self.http, self.config, self.reporter = client, http, config, reporter
        self.dry_run, self.force, self.image_gate = dry_run, force, image_gate
        self.languages = [config.language, *config.fallback_languages]

    def _step(self, plan: Plan, step: str, state: str, message: str | None = None) -> None:
        if step in plan.report.steps:  # "match" and "details" are progress only, not report steps
            plan.report.steps[step] = state
        self.reporter.emit(Event(ev.STEP, series=plan.series.folder, step=step, state=state, message=message))
        if message and self.dry_run:  # a dry run's whole point is saying what it would do
            self._say(plan, f"{step}: {message}")

    def _say(self, plan: Plan, message: str) -> None:
        self.reporter.emit(Event(ev.MESSAGE, series=plan.series.folder, message=message))

    async def run(self, plan: Plan) -> None:
        folder = plan.series.folder
        self.reporter.emit(Event(ev.SERIES_STARTED, series=folder))
        current = "match"
        try:
            if plan.pin_source == "flag" and plan.dirty and not self.dry_run:
                _save(plan, durable=True)  # a pin goes to disk at once
            self._step(plan, "match", "running")
            tmdb_id = await self._match(plan)
            current = "details"
            details = await self.client.tv_details(tmdb_id, language=self.config.language, image_languages=self.languages)
            picks = self._pick_images(details)
            if plan.need_nfo:
                current = "nfo"
                self._write_nfo(plan, details, picks)
            first_error = None
            for kind in plan.need_art:
                current = kind
                try:
                    await self._artwork(plan, kind, picks.get(kind))
                except DownloadError as exc:  # one image failing costs the series none of its other art
                    self._fail(plan, kind, str(exc))
                    first_error = first_error or plan.report.error
            if first_error:
                plan.report.error = first_error  # the series' one-line reason: its first failure
        except asyncio.CancelledError:  # Ctrl-C or SIGTERM: not ok; nothing to record as failed
            plan.report.fail(f"interrupted during {current}")
            raise
        except SeriesError as exc:
            self._fail(plan, current, str(exc))
        except AniloadError as exc:  # e.g. the key was revoked mid-run: this series fails
            self._fail(plan, current, str(exc))
        except Exception as exc:  # a bug must not take the other series down with it
            self._fail(plan, current, f"internal error ({type(exc).__name__}: {exc}); please report it")
        finally:
            self._close(plan)
            self.reporter.emit(Event(ev.SERIES_FINISHED, series=folder, state=plan.report.status, error=plan.report.error))

    async def _match(self, plan: Plan) -> int:
        from aniload.tmdb import find_series

        if plan.pin is not None:
            self._step(plan, "match", "done", f"tmdb {plan.pin} (pinned by {plan.pin_source})")
            if plan.pin_source in ("nfo", "folder"):
                plan.data["match"] = _match_record(plan.pin, pinned=False, source=plan.pin_source)
            plan.report.tmdb_id = plan.pin
            return plan.pin
        s = plan.series
        found = await find_series(
            self.client, s.title, s.year, language=self.config.language,
            fallback_languages=self.config.fallback_languages, image_languages=self.languages, folder_name=s.folder,
        )
        plan.data["match"] = _match_record(found.tmdb_id, pinned=False, source="search", name=found.name, year=found.year)
        plan.report.tmdb_id = found.tmdb_id
        self._step(plan, "match", "done", found.label())
        return found.tmdb_id

    def _pick_images(self, details: dict) -> dict[str, dict]:
        from aniload.artwork import DETAILS_KEY, pick_image

        images = details.get("images") if isinstance(details.get("images"), dict) else {}
        picks = {}
        for kind in ART_STEPS:
            entries = images.get(DETAILS_KEY[kind])
            chosen = pick_image(
                entries if isinstance(entries, list) else [], kind=kind,
                language=self.config.language, fallback_languages=self.config.fallback_languages,
            )
            if chosen:
                picks[kind] = chosen
        return picks

    def _write_nfo(self, plan: Plan, details: dict, picks: dict[str, dict]) -> None:
        from aniload.nfo import render_tvshow_nfo
        from aniload.nforead import content_hash

        art = {"poster": "poster", "fanart": "fanart", "logo": "clearlogo"}
        payload = render_tvshow_nfo(
            details, language=self.config.language, fallback_languages=self.config.fallback_languages,
            image_base=self.config.tmdb.image_base,
            artwork={art[k]: v["file_path"] for k, v in picks.items()},
            date_added=sidecar.now_iso().replace("T", " ").rstrip("Z"),
        )
        if self.dry_run:
            self._step(plan, "nfo", "pending", f"would write {NFO_NAME} ({len(payload)} bytes)")
            return
        atomic_write(plan.series.path / NFO_NAME, payload, durable=True)
        plan.wrote_files = True
        sidecar.set_step(plan.data, "nfo", "done", hash=content_hash(payload), tmdb_id=details.get("id"))
        self._step(plan, "nfo", "done")
        _save(plan)

    async def _artwork(self, plan: Plan, kind: str, image: dict | None) -> None:
        from aniload.artwork import EXPECT, image_url

        if image is None:
            if not self.dry_run:
                sidecar.set_step(plan.data, kind, "unavailable")
                _save(plan)
            self._step(plan, kind, "unavailable", "TMDB has none")
            return
        art = self.config.artwork
        size = {"poster": art.poster_size, "fanart": art.fanart_size, "logo": art.logo_size}[kind]
        try:
            url = image_url(self.config.tmdb.image_base, size, image["file_path"], kind=kind)
        except ValueError as exc:
            raise SeriesError(f"{kind}: unusable image path from TMDB ({exc})") from None
        name = art_file_name(self.config, kind)
        if self.dry_run:
            self._step(plan, kind, "pending", f"would download {name} from {url}")
            return
        from aniload.artwork import download_image

        self._step(plan, kind, "running")
        async with self.image_gate:
            written = await download_image(
                self.http, url, plan.series.path / name, expect=EXPECT[kind],
                max_bytes=art.max_image_mb * 1024 * 1024, what=kind,
                attempts=self.config.tmdb.max_retries + 1,
            )
        plan.wrote_files = True
        sidecar.set_step(plan.data, kind, "done", file_path=image["file_path"], size=size, bytes=written)
        self._step(plan, kind, "done")
        _save(plan)

    def _fail(self, plan: Plan, step: str, message: str) -> None:
        message = message.replace("\n", " ")
        plan.report.fail(message)
        failed = ["nfo", *ART_STEPS] if step in ("match", "details") else [step]
        for name in failed:
            if name == "nfo" and not plan.need_nfo or name in ART_STEPS and name not in plan.need_art:
                continue
            if plan.report.steps.get(name) in ("done", "unavailable"):
                continue
            if not self.dry_run:
                sidecar.set_step(plan.data, name, "failed", error=message)
            plan.report.steps[name] = "failed"
        self.reporter.emit(Event(ev.STEP, series=plan.series.folder, step=step, state="failed", message=message))

    def _close(self, plan: Plan) -> None:
        """Record what is now in the folder, then save: the sidecar is the folder's last write."""
        if self.dry_run:
            return
        try:
            if plan.wrote_files and plan.data.get("scan"):
                plan.data["scan"]["dirs"].get("", {})["mtime_ns"] = -1  # relist the top folder only
                rescan = scan_series(plan.series.dir, plan.data["scan"], None, lambda m: None)
                plan.data["scan"] = {"at": plan.data["scan"].get("at"), **rescan.scan}
            _save(plan)
        except SeriesError as exc:
            plan.report.fail(str(exc))


def _match_record(tmdb_id: int, *, pinned: bool, source: str, name: str | None = None, year: int | None = None) -> dict:
    record = {"tmdb_id": int(tmdb_id), "media_type": "tv", "pinned": pinned, "source": source, "at": sidecar.now_iso()}
    if name is not None:
        record.update(name=name, year=year)
    return record
