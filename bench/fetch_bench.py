"""Fetch figures for `make bench` (`bench/run.py fetch`): every figure measured in this run.

Against the TMDB stand-in (in this process, in a thread) limited like TMDB to 40 API
requests/s, with 40 ms added to every API answer, the real CLI in a subprocess:

1. fetches SERIES new series (folders "Title (Year)" named after the stand-in's
   synthetic catalogue, a few episode files each, no sidecar/NFO/art): API requests per
   series, 429 answers, wall time against the time the requests need at 40/s, every
   series ok, images downloaded;
   (RUNS times, each on a fresh library: the median wall time counts, the worst request count);
2. runs again on the same library: API requests (must be 0);
3. fetches one series twice in fresh libraries, once with normal images and once with the
   poster padded to ~50 MB ("huge" fault): peak RSS of each run and their difference.

Environment knobs (for diagnosis, not needed for `make bench`):
  BENCH_FETCH_SERIES  number of series (default 150)
  BENCH_FETCH_RUNS    cold fetches, each on a fresh library; the median counts (default 3)
  BENCH_FETCH_TOML    extra TOML lines for aniload's config file, e.g.
                      $'series_concurrency = 8\\n[tmdb]\\nrequests_per_second = 39'
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from standin import Catalog, Fault, Standin  # noqa: E402

ANILOAD = [str(Path(sys.executable).parent / "aniload")]
SERIES = int(os.environ.get("BENCH_FETCH_SERIES", 150))
RUNS = max(1, int(os.environ.get("BENCH_FETCH_RUNS", 3)))
RATE = 40.0  # the stand-in's limit, like TMDB's
LATENCY = 0.04  # seconds added to every API answer
HUGE_MB = 50
EPISODES = ("S01E01", "S01E02", "S01E03")
TIME_LIMIT = 120.0  # a run slower than this is killed: the benchmark must not hang


def _title_year(rec: dict) -> tuple[str, int]:
    title = next((t["name"] for t in rec["translations"] if t["iso_639_1"] == "en" and t["name"]),
                 rec["original_name"])
    return title, int(rec["first_air_date"][:4])


def _make_library(root: Path, records: list[dict]) -> Path:
    root.mkdir(parents=True)
    for rec in records:
        title, year = _title_year(rec)
        folder = root / f"{title} ({year})"
        folder.mkdir()
        for ep in EPISODES:
            (folder / f"{title} - {ep} - 1080p.mkv").touch()
    return root


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANILOAD_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    return env


def _run(args: list[str], env: dict[str, str], out_dir: Path, tag: str) -> tuple[float, int, int, str]:
    """(wall seconds, peak RSS KiB, exit code, stdout) of one aniload run (its CPU seconds
    are kept in ``_run.cpu``); output goes to
    files (not pipes) so a big --json document cannot block the child before wait4."""
    out_path, err_path = out_dir / f"{tag}.out", out_dir / f"{tag}.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(ANILOAD + args, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        deadline = start + TIME_LIMIT
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        elapsed = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    _run.cpu = usage.ru_utime + usage.ru_stime  # type: ignore[attr-defined]
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    if code not in (0, 1):
        tail = err_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        raise SystemExit(f"fetch bench: `aniload {' '.join(args)}` exited {code}" + "".join(f"\n  {t}" for t in tail))
    return elapsed, usage.ru_maxrss, code, stdout


def _summary(stdout: str) -> dict:
    try:
        doc = json.loads(stdout)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _fetch_args(lib: Path, config: Path | None) -> list[str]:
    return ["-q", *(["--config", str(config)] if config else []), "fetch", str(lib), "--json"]


def fetch_figures() -> list[tuple[str, str, str, str]]:
    work = Path(tempfile.mkdtemp(prefix="aniload-fetch-bench-"))
    try:
        return _figures(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _figures(work: Path) -> list[tuple[str, str, str, str]]:
    t0 = time.perf_counter()
    catalog = Catalog.synthetic(SERIES)
    records = list(catalog)
    home = work / "home"
    (home / ".config").mkdir(parents=True)
    env = _env(home)
    extra = os.environ.get("BENCH_FETCH_TOML", "").replace("\\n", "\n").strip()
    config = None
    if extra:  # only for diagnosis; the figures of `make bench` use aniload's defaults
        config = work / "extra.toml"
        config.write_text(extra + "\n", encoding="utf-8")
    rows: list[tuple[str, str, str, str]] = []

    with Standin(catalog, rate_limit=RATE, latency=LATENCY) as tmdb:
        env.update(ANILOAD_TMDB_API_BASE=tmdb.api_base, ANILOAD_TMDB_IMAGE_BASE=tmdb.image_base,
                   ANILOAD_TMDB_READ_ACCESS_TOKEN=tmdb.read_access_token)

        # 1. cold fetches of SERIES new series, each on a fresh library; the median run counts
        cold = []
        for i in range(RUNS):
            lib = _make_library(work / f"library-{i}", records)
            tmdb.reset_log()
            wall, _, code, out = _run(_fetch_args(lib, config), env, work, f"cold-{i}")
            api_log = tmdb.api_requests()
            cold.append({
                "lib": lib, "wall": wall, "cpu": _run.cpu, "load": os.getloadavg()[0], "code": code, "summary": _summary(out).get("summary", {}),
                "api": len(api_log), "r429": tmdb.count(status=429, kind="api"),
                "checks": tmdb.count(kind="api", path_contains="/configuration"),
                "images": tmdb.count(kind="image"), "images_ok": tmdb.count(kind="image", status=200),
                "span": (max(r.finished for r in api_log) - min(r.started for r in api_log)) if api_log else 0.0,
            })
            print(f"fetch: cold run {i + 1}/{RUNS}: {wall:.1f}s, {len(api_log)} API requests", file=sys.stderr)
        med = sorted(cold, key=lambda c: c["wall"])[len(cold) // 2]
        lib = med["lib"]
        worst_api = max(cold, key=lambda c: c["api"])
        api, checks = worst_api["api"], worst_api["checks"]
        r429 = sum(c["r429"] for c in cold)
        ok = min(c["summary"].get("ok", 0) for c in cold)
        failed = max(c["summary"].get("failed", 0) for c in cold)
        ratios = sorted(c["wall"] / (c["api"] / RATE) for c in cold)
        ideal = med["api"] / RATE
        runs = f"median of {RUNS}, " if RUNS > 1 else ""
        rows += [
            (f"fetch {SERIES} new series: API requests/series", f"{(api - checks) / SERIES:.2f}", "must <= 2",
             f"{api} requests = {(api - checks) / SERIES:.2f}/series + {checks} key check"
             f" ({api / SERIES:.2f}/series with it){'; worst of ' + str(RUNS) + ' runs' if RUNS > 1 else ''}"),
            ("  429 answers from the stand-in", str(r429), "goal 0",
             f"in {RUNS} run{'s' if RUNS > 1 else ''}; limit {RATE:g}/s, {LATENCY * 1000:.0f} ms latency"),
            ("  wall / (requests / 40 per s)", f"{med['wall'] / ideal:.2f}x", "goal <= 1.2x, must <= 1.5x",
             f"{runs}{med['wall']:.2f} s vs {ideal:.2f} s; first..last API request {med['span']:.2f} s"
             + (f"; runs {' '.join(f'{r:.2f}x' for r in ratios)}" if RUNS > 1 else "")
             + f"; aniload CPU {med['cpu']:.1f} s; load avg {med['load']:.1f} on {os.cpu_count()} CPUs"),
            ("  series ok", f"{ok}/{SERIES}", f"must {SERIES}/{SERIES}",
             f"exit {'/'.join(str(c['code']) for c in cold)}, failed {failed}"),
            ("  images downloaded", str(med["images_ok"]), "",
             f"{med['images']} image requests ({med['images'] / SERIES:.2f}/series)"),
        ]

        # 2. the same library again: nothing is missing, nothing is asked ----------------
        tmdb.reset_log()
        wall2, _, code2, out2 = _run(_fetch_args(lib, config), env, work, "rerun")
        ok2 = _summary(out2).get("summary", {}).get("ok", 0)
        rows.append(("  re-run: API requests", str(tmdb.count(kind="api")), "must 0",
                     f"{tmdb.count(kind='image')} images, {wall2 * 1000:.0f} ms, {ok2}/{SERIES} ok, exit {code2}"))

        # 3. peak RSS: one series with normal images, then with a ~50 MB poster ----------
        rec = records[0]
        big_config = work / "big.toml"
        big_config.write_text(_with_max_image_mb(extra, 4 * HUGE_MB), encoding="utf-8")
        one = _make_library(work / "one-normal", [rec])
        tmdb.reset_log()
        _, rss_normal, code_n, _ = _run(_fetch_args(one, big_config), env, work, "one-normal")
        poster_normal = _poster_size(one)
        huge = _make_library(work / "one-huge", [rec])
        faults = [tmdb.add_fault(Fault("huge", path_contains=p["file_path"], size=HUGE_MB * 1024 * 1024, times=None))
                  for p in rec["images"]["posters"]]
        try:
            _, rss_huge, code_h, _ = _run(_fetch_args(huge, big_config), env, work, "one-huge")
        finally:
            tmdb.clear_faults()
        poster_huge = _poster_size(huge)
        fired = sum(f.fired for f in faults)
        grew = (rss_huge - rss_normal) / 1024
        landed = poster_huge >= HUGE_MB * 1024 * 1024
        rows += [
            ("peak RSS: 1 series, normal images", f"{rss_normal / 1024:.0f} MB", "",
             f"poster {poster_normal / 1024:.0f} KB, exit {code_n}"),
            (f"peak RSS: 1 series, {HUGE_MB} MB poster", f"{rss_huge / 1024:.0f} MB", "",
             f"poster {poster_huge / 2**20:.1f} MiB {'landed' if landed else 'DID NOT LAND'}"
             f" (fault fired {fired}x), exit {code_h}"),
            ("  RSS growth for the 50 MB poster", f"{grew:+.1f} MB", "goal a few MB, not ~50", ""),
        ]
        if tmdb.errors:
            rows.append(("  stand-in errors", str(len(tmdb.errors)), "must 0", tmdb.errors[-1].strip().splitlines()[-1]))
    print(f"fetch: section took {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return rows


def _with_max_image_mb(extra: str, mb: int) -> str:
    """The diagnosis TOML (if any) plus ``[artwork] max_image_mb``, kept valid TOML: top-level
    keys first, then the extra tables, then [artwork] (unless the extra already has it)."""
    if "[artwork]" in extra:
        return extra.replace("[artwork]", f"[artwork]\nmax_image_mb = {mb}", 1) + "\n"
    return (extra + "\n" if extra else "") + f"[artwork]\nmax_image_mb = {mb}\n"


def _poster_size(lib: Path) -> int:
    for folder in lib.iterdir():
        poster = folder / "poster.jpg"
        if poster.exists():
            return poster.stat().st_size
    return 0


if __name__ == "__main__":
    from bench.run import print_table

    print_table(fetch_figures())
