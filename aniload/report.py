"""What a run found and did, per series: the data behind ``--json``, the summary table and
the exit code. Plain data, so every renderer and every test reads the same thing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aniload.errors import EXIT_OK, EXIT_SERIES_FAILED
from aniload.library import display_name
from aniload.sidecar import STEPS


class SeriesReport:
    """One series' outcome. Plain classes, not dataclasses: every start would pay ~1 ms
    to build each one."""

    __slots__ = ("key", "folder", "name", "year", "tmdb_id", "status", "steps", "episodes", "error")

    def __init__(
        self,
        key: str,
        folder: str,
        name: str,
        year: int | None,
        tmdb_id: int | None = None,
        status: str = "ok",
        steps: dict[str, str] | None = None,
        episodes: dict[str, list[int]] | None = None,
        error: str | None = None,
    ) -> None:
        self.key, self.folder, self.name, self.year = key, folder, name, year
        self.tmdb_id, self.status, self.error = tmdb_id, status, error
        self.steps = {s: "pending" for s in STEPS} if steps is None else steps
        self.episodes = {"absolute": []} if episodes is None else episodes

    def __repr__(self) -> str:
        return f"SeriesReport({self.folder!r}, status={self.status!r}, steps={self.steps!r})"

    def fail(self, error: str) -> None:
        self.status = "failed"
        self.error = error

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "folder": self.folder,
            "name": self.name,
            "year": self.year,
            "tmdb_id": self.tmdb_id,
            "status": self.status,
            "steps": dict(self.steps),
            "episodes": self.episodes,
            "error": self.error,
        }


class RunReport:
    __slots__ = ("command", "library", "series", "warnings")

    def __init__(self, command: str, library: Path) -> None:
        self.command, self.library = command, library
        self.series: list[SeriesReport] = []
        self.warnings: list[str] = []

    @property
    def failed(self) -> int:
        return sum(1 for s in self.series if s.status == "failed")

    @property
    def exit_code(self) -> int:
        return EXIT_SERIES_FAILED if self.failed else EXIT_OK

    def to_json(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "library": display_name(str(self.library)),
            "series": [s.to_json() for s in self.series],
            "summary": {
                "series": len(self.series),
                "ok": len(self.series) - self.failed,
                "failed": self.failed,
            },
        }
