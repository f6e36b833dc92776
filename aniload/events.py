"""Plain events from the core to whoever shows progress.

Core code never prints: it hands events to a ``Reporter``. The CLI picks a renderer (Rich
live view, plain lines, nothing). Keeping this a tiny data-only module lets every layer
import it without pulling in a UI library.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

# Event kinds, in the order a run emits them.
RUN_STARTED = "run_started"  # total = number of selected series
SERIES_STARTED = "series_started"
STEP = "step"  # step + state (+ message): a step began ("running") or ended
SERIES_FINISHED = "series_finished"  # state = "ok" | "failed", error = one line
WARNING = "warning"  # something skipped or repaired; the run goes on
MESSAGE = "message"  # what a dry run would do, and similar notes for the user
RUN_FINISHED = "run_finished"


class Event(NamedTuple):
    """A tuple: a scan of 2,000 series emits ten thousand of these."""

    kind: str
    series: str | None = None  # the series folder name
    step: str | None = None
    state: str | None = None
    message: str | None = None
    error: str | None = None
    total: int | None = None


class Reporter(Protocol):
    def emit(self, event: Event) -> None: ...


class NullReporter:
    def emit(self, event: Event) -> None:
        pass
