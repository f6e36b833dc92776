"""`make demo`: the real pipeline on a sample library, from a fresh checkout.

Builds ./demo-library (ignored by git), then runs the installed `aniload` exactly as a
user would: `scan` with live progress, then `status`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.sample_library import make_sample_library  # noqa: E402

ANILOAD = str(Path(sys.executable).parent / "aniload")


def step(title: str, *args: str) -> None:
    print(f"\n$ aniload {' '.join(args)}    # {title}", flush=True)
    code = subprocess.call([ANILOAD, *args])
    print(f"(exit code {code})", flush=True)


def main() -> None:
    library = make_sample_library(ROOT / "demo-library")
    print(f"sample library: {library}")
    step("offline episode scan; writes .aniload.json per series", "scan", str(library))
    step("rescan: nothing changed, nothing listed or written", "scan", str(library))
    step("read-only status", "status", str(library))
    step("one series as JSON", "status", str(library), "--series", "Attack on Titan (2013)", "--json")


if __name__ == "__main__":
    main()
