"""What a run found and did, per series: the data behind ``--json``, the summary table and
the exit code. Plain data, so every renderer and every test reads the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aniload.errors import EXIT_OK, EXIT_SERIES_FAILED
from aniload.library import display_name
from aniload.sidecar import STEPS


@dataclass(slots=True)
class SeriesReport:
    key: str
    folder: str
    name: str
    year: int | None
    tmdb_id: int | None = None
    status: str = "ok"
    steps: dict[str, str] = field(default_factory=lambda: {s: "pending" for s in STEPS})
    episodes: dict[str, list[int]] = field(default_factory=lambda: {"absolute": []})
    error: str | None = None

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


@dataclass(slots=True)
class RunReport:
    command: str
    library: Path
    series: list[SeriesReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

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
