"""Shared fixtures: an isolated environment for the real CLI, and library builders.

Every CLI test runs ``python -m aniload`` in a subprocess with HOME and XDG_CONFIG_HOME
pointing into the test's temp folder and every ANILOAD_* variable removed, so nothing
from the developer's machine (a real config, a real key) can leak in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "filename_corpus.json"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANILOAD_")}
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), NO_COLOR="1", PYTHONIOENCODING="utf-8")
    env.pop("COLUMNS", None)
    return env


@pytest.fixture
def run(cli_env):
    def _run(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 60, stdin=None) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "aniload", *map(os.fspath, args)],
            env={**cli_env, **(env or {})},
            capture_output=True,
            timeout=timeout,
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
        )
        return Result(
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )

    return _run


# Four series the stand-in TMDB knows, in the layouts a real library mixes: season folder,
# fansub name, flat, 1x01. Shared by the fetch and fault tests.
STANDIN_SPEC = {
    "Attack on Titan (2013)": {"Season 1": ["Attack on Titan - S01E01.mkv", "Attack on Titan - S01E02.mkv"]},
    "Frieren (2023)": ["[SubsPlease] Sousou no Frieren - 05 (1080p) [F02B9CEE].mkv"],
    "Hunter x Hunter (1999)": ["Hunter x Hunter - 01.mkv"],
    "Cowboy Bebop": {"Season 1": ["Cowboy Bebop - 1x01.mkv"]},
}
STANDIN_IDS = {"Attack on Titan (2013)": 1429, "Frieren (2023)": 209867, "Hunter x Hunter (1999)": 12850, "Cowboy Bebop": 30991}


def build_library(root: Path, spec: dict[str, dict[str, list[str]] | list[str]]) -> Path:
    """``{"Series (2020)": {"Season 1": [names], "": [flat names]}}`` or ``{"Series": [flat names]}``."""
    root.mkdir(parents=True, exist_ok=True)
    for series, content in spec.items():
        folders = {"": content} if isinstance(content, list) else content
        for sub, names in folders.items():
            where = root / series / sub if sub else root / series
            where.mkdir(parents=True, exist_ok=True)
            for name in names:
                (where / name).touch()
    return root


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every entry under root with mtime, size and (for files) content: to prove nothing changed."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            data = p.read_bytes() if p.is_file() and not p.is_symlink() else b""
            out[str(p.relative_to(root))] = (st.st_mtime_ns, st.st_size, data)
    return out


@pytest.fixture
def tmdb():
    """The project's TMDB stand-in on a free loopback port, for one test."""
    from standin import Standin

    with Standin() as server:
        yield server


@pytest.fixture
def tmdb_env(tmdb) -> dict[str, str]:
    return {
        "ANILOAD_TMDB_API_BASE": tmdb.api_base,
        "ANILOAD_TMDB_IMAGE_BASE": tmdb.image_base,
        "ANILOAD_TMDB_READ_ACCESS_TOKEN": tmdb.read_access_token,
    }
