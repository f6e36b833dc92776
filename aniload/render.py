"""Progress and summary renderers for the CLI; the only module besides cli.py that knows Rich.

Three ways to show a run, all on stderr so stdout stays clean for ``--json``:
- a terminal: a Rich live view (overall bar, one row per series being worked on) and a
  summary table at the end;
- anything else (cron, a pipe, a log file): one plain line per finished series and per
  warning, so logs grep well;
- ``--quiet``: nothing.
Rich honours NO_COLOR by itself. Rich is imported only when a terminal asks for it.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from aniload import events as ev
from aniload.events import Event
from aniload.report import RunReport
from aniload.sidecar import STEPS as STEP_NAMES


def make_renderer(*, quiet: bool, stream: TextIO = sys.stderr):
    if quiet:
        return QuietRenderer()
    if stream.isatty():
        return LiveRenderer(stream)
    return PlainRenderer(stream)


class QuietRenderer:
    def emit(self, event: Event) -> None:
        pass

    def close(self) -> None:
        pass

    def summary(self, report: RunReport) -> None:
        pass


class PlainRenderer:
    """One line per finished series: ``[  3/120] ok      Frieren (2023)``."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.total = 0
        self.done = 0

    def emit(self, event: Event) -> None:
        if event.kind == ev.RUN_STARTED:
            self.total = event.total or 0
        elif event.kind == ev.SERIES_FINISHED:
            self.done += 1
            width = len(str(self.total))
            line = f"[{self.done:>{width}}/{self.total}] {event.state:<7} {event.series}"
            if event.error:
                line += f": {event.error}"
            self._write(line)
        elif event.kind == ev.WARNING:
            where = f"{event.series}: " if event.series else ""
            self._write(f"warning: {where}{event.message}")
        elif event.kind == ev.MESSAGE:
            self._write(f"{event.series}: {event.message}")

    def _write(self, line: str) -> None:
        # One physical line per event, whatever the names hold.
        self.stream.write(line.replace("\n", "\\n").replace("\r", "\\r") + "\n")
        self.stream.flush()

    def close(self) -> None:
        pass

    def summary(self, report: RunReport) -> None:
        n = len(report.series)
        self._write(f"{report.command}: {n} series, {n - report.failed} ok, {report.failed} failed")


class LiveRenderer:
    """A Rich live view: overall progress plus one row per active series and its step."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = Console(file=stream, stderr=True)
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
        )
        self.task = self.progress.add_task("aniload", total=None)
        self.active: dict[str, str] = {}
        self.failed = 0
        self.live = Live(self._view(), console=self.console, refresh_per_second=8, transient=True)
        self.live.start()
        self._last = 0.0

    def _view(self):
        from rich.console import Group
        from rich.markup import escape
        from rich.text import Text

        rows = [Text.from_markup(f"  [cyan]{escape(_one_line(s))}[/] {escape(step)}") for s, step in list(self.active.items())[:12]]
        if len(self.active) > 12:
            rows.append(Text(f"  … and {len(self.active) - 12} more"))
        return Group(self.progress, *rows)

    def emit(self, event: Event) -> None:
        kind = event.kind
        if kind == ev.RUN_STARTED:
            self.progress.update(self.task, total=event.total, description=event.message or "aniload")
        elif kind == ev.SERIES_STARTED and event.series is not None:
            self.active[event.series] = "starting"
        elif kind == ev.STEP and event.series in self.active:
            self.active[event.series] = f"{event.step}: {event.state}"
        elif kind == ev.SERIES_FINISHED:
            self.active.pop(event.series or "", None)
            self.failed += event.state == "failed"
            self.progress.advance(self.task)
        elif kind == ev.WARNING:
            where = f"{event.series}: " if event.series else ""
            self.console.print(f"warning: {_one_line(where + (event.message or ''))}", style="yellow", markup=False, highlight=False)
        elif kind == ev.MESSAGE:
            self.console.print(_one_line(f"{event.series}: {event.message}"), markup=False, highlight=False)
        now = time.monotonic()
        if now - self._last > 0.1:  # rebuilding the view per event would cost more than the scan
            self._last = now
            self.live.update(self._view())

    def close(self) -> None:
        self.live.stop()

    def summary(self, report: RunReport) -> None:
        LiveTable(self.console).print(report, limit=60)


class LiveTable:
    """The end-of-run table on a terminal (and `status` on a terminal)."""

    def __init__(self, console) -> None:
        self.console = console

    def print(self, report: RunReport, *, limit: int | None) -> None:
        from rich.markup import escape
        from rich.table import Table

        table = Table(title=escape(f"aniload {report.command}: {report.library}"), title_justify="left")
        table.add_column("series", min_width=22, no_wrap=True, overflow="ellipsis")
        table.add_column("status")
        for step in STEP_NAMES:
            table.add_column(step)
        table.add_column("episodes found", justify="right")
        shown = report.series
        if limit is not None and len(shown) > limit:  # a big library: only what needs attention
            shown = [s for s in report.series if s.status == "failed"][:limit]
        for s in shown:
            count = sum(len(v) for v in s.episodes.values())
            status = "[red]failed[/]" if s.status == "failed" else "[green]ok[/]"
            table.add_row(escape(_one_line(s.folder)), status, *(s.steps.get(k, "") for k in STEP_NAMES), str(count))
        if shown:
            self.console.print(table)
        for s in report.series:
            if s.error:
                self.console.print(f"[red]failed[/] {escape(_one_line(s.folder))}: {escape(_one_line(s.error))}", highlight=False)
        n = len(report.series)
        self.console.print(f"{n} series, {n - report.failed} ok, {report.failed} failed", highlight=False)


def status_listing(report: RunReport, stream: TextIO) -> None:
    """`aniload status` for a person: a table on a terminal, one tab-separated line per series otherwise."""
    if stream.isatty():
        from rich.console import Console

        LiveTable(Console(file=stream)).print(report, limit=None)
        return
    for s in report.series:
        steps = " ".join(f"{k}={v}" for k, v in s.steps.items())
        count = sum(len(v) for v in s.episodes.values())
        fields = [s.folder, s.status, steps, f"{count} episodes"]
        if s.error:
            fields.append(s.error)
        stream.write("\t".join(_one_line(f) for f in fields) + "\n")


def _one_line(text: str) -> str:
    return text.replace("\n", "\\n").replace("\r", "\\r")
