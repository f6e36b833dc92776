"""`make bench`: every figure is a ratio of two timings taken in this one run, on one tree.

Scan figures (issue 2), on a library of SERIES x FILES episode files:
  cold scan / find, unchanged rescan / find, scan --series X (big library) / (library of X),
  peak RSS of the cold scan; and the file-name parsers compared on the shared corpus.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from aniload.scanindex import INDEX_NAME  # noqa: E402
from aniload.sidecar import SIDECAR_NAME  # noqa: E402
from bench.trees import make_tree, series_folder  # noqa: E402

WORK = HERE / ".work"
SERIES = int(os.environ.get("BENCH_SERIES", 2000))
FILES = int(os.environ.get("BENCH_FILES", 50))
ROUNDS = 7  # the median of 7 rounds: one disturbed round does not move it
ANILOAD = [str(Path(sys.executable).parent / "aniload")]


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one command, its output discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"benchmark command failed with exit {code}: {' '.join(cmd)}")
    return elapsed, usage.ru_maxrss


def median_ratio(tops: list[float], bottoms: list[float]) -> float:
    """The median of the rounds' ratios (each round timed both sides back to back)."""
    return statistics.median(t / b for t, b in zip(tops, bottoms, strict=True))


def forget_scans(lib: Path) -> None:
    """Back to a library aniload has never seen: no sidecars, no scan index."""
    for entry in os.scandir(lib):
        try:
            os.unlink(os.path.join(entry.path, SIDECAR_NAME))
        except (FileNotFoundError, NotADirectoryError):
            pass
    (lib / INDEX_NAME).unlink(missing_ok=True)
    # The deletions are the benchmark's own set-up: on disk before the timed run starts, as
    # on a library that never had sidecars (left dirty, they slow every file create after).
    os.sync()


def scan_figures() -> list[tuple[str, str, str, str]]:
    # Byte-compile first, as a normal (non-editable) install does: timings are of the tool, not of
    # Python compiling its source on every start (PYTHONDONTWRITEBYTECODE may be set here).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "aniload")], check=True)
    lib = WORK / "library"
    single = WORK / "single"
    shutil.rmtree(WORK, ignore_errors=True)
    t0 = time.perf_counter()
    make_tree(lib, SERIES, FILES)
    target = SERIES // 2
    make_tree(single, SERIES, FILES, only=target)
    print(f"built {SERIES} series x {FILES} files in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    env = {**os.environ, "XDG_CONFIG_HOME": str(WORK / "xdg")}  # no user config file
    env.pop("ANILOAD_CONFIG", None)
    find = ["find", str(lib), "-type", "f"]
    timed(find)  # warm the cache for both sides
    # Each round times find and then aniload back to back, and the figure is the median of
    # the rounds' ratios: on a shared machine whose speed drifts over seconds, both sides
    # of a ratio then see the same machine.
    colds, rescans, finds, rss = [], [], [], 0
    for _ in range(ROUNDS):
        finds.append(timed(find)[0])
        forget_scans(lib)
        t, r = timed(ANILOAD + ["-q", "scan", str(lib)], env)
        colds.append(t)
        rss = max(rss, r)
        rescans.append(timed(ANILOAD + ["-q", "scan", str(lib)], env)[0])
    cold_ratio, rescan_ratio = median_ratio(colds, finds), median_ratio(rescans, finds)
    find_t, cold, rescan = (statistics.median(v) for v in (finds, colds, rescans))
    name = series_folder(target)
    timed(ANILOAD + ["-q", "scan", str(single)], env)
    bigs, smalls = [], []
    for _ in range(ROUNDS):
        bigs.append(timed(ANILOAD + ["-q", "scan", str(lib), "--series", name], env)[0])
        smalls.append(timed(ANILOAD + ["-q", "scan", str(single), "--series", name], env)[0])
    one_ratio = median_ratio(bigs, smalls)
    one_big, one_small = statistics.median(bigs), statistics.median(smalls)
    files = SERIES * FILES
    return [
        ("find LIB -type f", f"{find_t * 1000:.0f} ms", "", f"{files:,} files"),
        ("cold scan / find", f"{cold_ratio:.2f}x", "goal <= 4x, must <= 6x", f"{cold * 1000:.0f} ms"),
        ("unchanged rescan / find", f"{rescan_ratio:.2f}x", "goal <= 1.5x, must <= 2.5x", f"{rescan * 1000:.0f} ms"),
        ("scan --series X: big / single", f"{one_ratio:.2f}x", "must <= 1.5x", f"{one_big * 1000:.0f} / {one_small * 1000:.0f} ms"),
        ("peak RSS of cold scan", f"{rss / 1024:.0f} MB", "goal <= 150 MB", ""),
    ]


def parser_figures() -> list[tuple[str, str, str, str]]:
    from bench.parser_compare import compare

    rows = compare(ROOT.parent / "shared" / "filename_corpus.json")
    return [
        (f"parser: {r['parser']}", f"{r['correct']}/{r['total']} ({r['accuracy'] * 100:.1f}%)", "", f"{r['us_per_name']:.1f} us/name")
        for r in rows
    ]


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())


def main() -> None:
    which = set(sys.argv[1:]) or {"scan", "parser", "fetch"}
    rows = []
    if "parser" in which:
        rows += parser_figures()
    if "scan" in which:
        rows += scan_figures()
    if "fetch" in which:
        from bench.fetch_bench import fetch_figures

        rows += fetch_figures()
    print_table(rows)


if __name__ == "__main__":
    main()
