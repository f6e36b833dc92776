"""`make demo`: the real pipeline on a sample library, from a fresh checkout.

Builds ./demo-library (ignored by git), starts the project's TMDB stand-in on a free
loopback port, and runs the installed `aniload` exactly as a user would: an offline
`scan`, a `fetch` (match, tvshow.nfo, artwork) with live progress, a re-run that costs
nothing, then `status`. Ends by showing the tree and one tvshow.nfo.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.sample_library import make_sample_library  # noqa: E402
from standin import Standin  # noqa: E402

ANILOAD = str(Path(sys.executable).parent / "aniload")


def step(env: dict[str, str], title: str, *args: str) -> None:
    print(f"\n$ aniload {' '.join(args)}    # {title}", flush=True)
    code = subprocess.call([ANILOAD, *args], env=env)
    print(f"(exit code {code})", flush=True)


def show_tree(library: Path, limit: int = 3) -> None:
    print(f"\n{library.name}/")
    for series in sorted(p for p in library.iterdir() if p.is_dir() and not p.name.startswith("."))[:limit]:
        print(f"  {series.name}/")
        for entry in sorted(series.iterdir()):
            if entry.is_dir():
                print(f"    {entry.name}/  ({sum(1 for _ in entry.iterdir())} files)")
            elif not entry.name.endswith((".mkv", ".mp4")):
                print(f"    {entry.name}  ({entry.stat().st_size:,} bytes)")
        videos = sum(1 for e in series.iterdir() if e.name.endswith((".mkv", ".mp4")))
        if videos:
            print(f"    ... {videos} video files")
    print("  ...")


def main() -> None:
    library = make_sample_library(ROOT / "demo-library")
    print(f"sample library: {library}")
    with Standin() as tmdb, tempfile.TemporaryDirectory() as home:
        print(f"TMDB stand-in: {tmdb.api_base}")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANILOAD_")}
        env.update(
            HOME=home,
            XDG_CONFIG_HOME=home,
            ANILOAD_LIBRARY=str(library),
            ANILOAD_TMDB_API_BASE=tmdb.api_base,
            ANILOAD_TMDB_IMAGE_BASE=tmdb.image_base,
            ANILOAD_TMDB_READ_ACCESS_TOKEN=tmdb.read_access_token,
        )
        step(env, "offline episode scan; writes .aniload.json per series", "scan")
        step(env, "match on TMDB, write tvshow.nfo, download artwork", "fetch")
        print(f"TMDB API requests so far: {len(tmdb.api_requests())}")
        tmdb.reset_log()
        step(env, "run again: everything is present, nothing is asked", "fetch")
        print(f"TMDB API requests for the re-run: {len(tmdb.api_requests())}")
        step(env, "read-only status", "status")
    show_tree(library)
    nfo = library / "Attack on Titan (2013)" / "tvshow.nfo"
    print(f"\n{nfo.relative_to(library.parent)} (first 40 lines):")
    print("\n".join(nfo.read_text(encoding="utf-8").splitlines()[:40]))


if __name__ == "__main__":
    main()
