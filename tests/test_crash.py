"""Crash safety through the real CLI: SIGKILL at random moments, two runs on one library,
Ctrl-C and SIGTERM.

Whatever the moment a run dies or is stopped, a user must find:
- every tvshow.nfo well-formed XML, every poster.jpg/fanart.jpg a whole JPEG and every
  clearlogo.png a whole PNG (Pillow decodes it, the end marker is there), every
  .aniload.json valid JSON (atomic writes: no sidecar is ever set aside as broken);
- a lock that does not outlive its holder: the next scan/fetch runs, never exit 75;
- no *.aniload-tmp file after the next run (a graceful stop leaves none at all);
- a library that the next fetch completes.

The SIGKILL test is seeded (``CRASH_SEED=... pytest tests/test_crash.py`` tries another
seed) and prints where its kills landed (``-s`` shows it; ``CRASH_VERBOSE=1`` lists every
kill). Bugs found here are pinned by strict xfail tests at the end of the file: each
fails for the reason it names and starts passing (XPASS, so strict fails) once fixed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from aniload.fsutil import sweep_temp_files
from standin import Fault
from tests.conftest import build_library, snapshot

SEED = int(os.environ.get("CRASH_SEED", "1234"))
KILLS = 24  # SIGKILLs that must land while the process is still running
MIN_KILLS = 20
HARD_LIMIT = 90.0  # seconds: a safety net for a very busy machine (the loop takes 25-50 s)

TEMP_SUFFIX = ".aniload-tmp"
SIDECAR = ".aniload.json"
LOCK = ".aniload.lock"
OUTPUTS = ("tvshow.nfo", "poster.jpg", "fanart.jpg", "clearlogo.png", SIDECAR)
JPEG_END = b"\xff\xd9"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _eps(title: str, count: int, fmt: str = "{t} - {e:02d}.mkv") -> list[str]:
    return [fmt.format(t=title, e=e) for e in range(1, count + 1)]


# Eleven series of the stand-in's default catalogue; each one matches without ambiguity.
# Mushi-Shi has no fanart and no logo on TMDB: the "unavailable" path is in the mix too.
LIBRARY = {
    "Attack on Titan (2013)": {
        "Season 1": _eps("Attack on Titan", 12, "{t} - S01E{e:02d}.mkv"),
        "Season 2": _eps("Attack on Titan", 6, "{t} - S02E{e:02d}.mkv"),
    },
    "Frieren (2023)": _eps("[SubsPlease] Sousou no Frieren", 10, "{t} - {e:02d} (1080p).mkv"),
    "Cowboy Bebop": {"Season 1": _eps("Cowboy Bebop", 12, "{t} - 1x{e:02d}.mkv")},
    "Hunter x Hunter (1999)": _eps("Hunter x Hunter", 12),
    "Fullmetal Alchemist Brotherhood (2009)": _eps("Fullmetal Alchemist Brotherhood", 12),
    "SPY x FAMILY (2022)": {"Season 1": _eps("SPY x FAMILY", 12, "{t} - S01E{e:02d}.mkv")},
    "Jujutsu Kaisen (2020)": _eps("Jujutsu Kaisen", 12),
    "Vinland Saga (2019)": {"S01": _eps("Vinland Saga", 12, "{t} - S01E{e:02d}.mkv")},
    "Chainsaw Man (2022)": _eps("Chainsaw Man", 12),
    "Mob Psycho 100 (2016)": {"Season 01": _eps("Mob Psycho 100", 12, "{t} - S01E{e:02d}.mkv")},
    "Mushi-Shi (2005)": _eps("Mushishi", 12),
}
N_SERIES = len(LIBRARY)
FINISHED_LINE = re.compile(r"^\[\s*\d+/\d+\] (\S+)\s+(.+?)(?::.*)?$")


# ----------------------------------------------------------------------------- helpers


def aniload(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "aniload", *map(os.fspath, args)]


def start(args: list[str], env: dict[str, str], **kw) -> subprocess.Popen:
    kw.setdefault("stdout", subprocess.DEVNULL)
    kw.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, **kw)


def finish(proc: subprocess.Popen, timeout: float = 60) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, (out or b"").decode("utf-8", "replace"), (err or b"").decode("utf-8", "replace")


def series_dirs(lib: Path) -> list[Path]:
    return sorted(p for p in lib.iterdir() if p.is_dir() and not p.name.startswith("."))


def temp_files(lib: Path) -> list[Path]:
    return sorted(p for p in lib.rglob(f"*{TEMP_SUFFIX}"))


def check_file(path: Path, data: bytes) -> None:
    """One aniload output is whole: raises AssertionError (with the path) if it is not."""
    name = path.name
    try:
        if name == "tvshow.nfo":
            assert ET.fromstring(data).tag == "tvshow"
        elif name == SIDECAR:
            doc = json.loads(data)
            assert isinstance(doc, dict) and doc.get("schema") == 1 and isinstance(doc.get("steps"), dict)
        else:
            fmt, magic, end = ("PNG", b"\x89PNG\r\n\x1a\n", PNG_END) if name.endswith(".png") else ("JPEG", b"\xff\xd8\xff", JPEG_END)
            assert data.startswith(magic), "wrong magic"
            assert data.endswith(end), "no end marker"
            with Image.open(io.BytesIO(data)) as im:
                assert im.format == fmt
                im.verify()
            with Image.open(io.BytesIO(data)) as im:
                im.load()  # decodes every byte: a truncated image raises here
    except Exception as exc:  # noqa: BLE001 - any failure is "not whole"
        raise AssertionError(f"{path} is not whole ({len(data)} bytes): {type(exc).__name__}: {exc}") from None


def check_whole(lib: Path, seen: set | None = None) -> list[Path]:
    """Every NFO, image and sidecar under lib is whole and no sidecar was set aside.

    Returns the temp files found. ``seen`` caches files already checked (same inode, size
    and mtime: an atomic replace always brings a new inode)."""
    seen = set() if seen is None else seen
    temps = []
    for series in series_dirs(lib):
        for entry in series.iterdir():
            name = entry.name
            if name.endswith(TEMP_SUFFIX):
                temps.append(entry)
                continue
            assert ".bad-" not in name, f"a sidecar was set aside as broken: {entry}"
            if name not in OUTPUTS:
                continue
            st = entry.stat()
            key = (str(entry), st.st_ino, st.st_size, st.st_mtime_ns)
            if key not in seen:
                check_file(entry, entry.read_bytes())
                seen.add(key)
    return temps + [p for p in lib.iterdir() if p.name.endswith(TEMP_SUFFIX)]


def reset_outputs(lib: Path) -> None:
    """Back to a library aniload has never seen (episode files stay)."""
    for series in series_dirs(lib):
        for name in OUTPUTS:
            (series / name).unlink(missing_ok=True)


def add_episode(lib: Path, n: int) -> None:
    """A new episode in every series: the next scan must rewrite every sidecar."""
    for series in series_dirs(lib):
        (series / f"{series.name} - Extra Episode {100 + n}.mkv").touch()


def lock_pid(lib: Path) -> int | None:
    try:
        text = (lib / LOCK).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def sidecar_of(series: Path) -> dict:
    return json.loads((series / SIDECAR).read_bytes())


def stat_key(path: Path):
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the run ended (exit {proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


@contextlib.contextmanager
def reaped(proc: subprocess.Popen):
    """No test leaves a run behind: one still alive at the end of the block is killed."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def signal_and_wait(proc: subprocess.Popen, sig: int) -> tuple[int, float]:
    """Send ``sig``; (exit code, seconds until the run ended), waiting at most 10 s."""
    t0 = time.monotonic()
    proc.send_signal(sig)
    code = proc.wait(timeout=10)
    return code, time.monotonic() - t0


class LineReader:
    """Collects a child's stderr lines as they come (the plain renderer flushes each line)."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for raw in iter(stream.readline, b""):
            with self._lock:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def snapshot(self) -> list[str]:
        with self._lock:
            return list(self.lines)

    def finished(self) -> list[tuple[str, str]]:
        """(state, folder) of every "[ i/N] state folder" line so far."""
        out = []
        for line in self.snapshot():
            m = FINISHED_LINE.match(line)
            if m:
                out.append((m.group(1), m.group(2)))
        return out

    def join(self) -> str:
        self._thread.join(timeout=10)
        return "\n".join(self.lines)


def assert_complete_and_ok(doc: dict, lib: Path) -> None:
    assert doc["summary"] == {"series": N_SERIES, "ok": N_SERIES, "failed": 0}, doc["summary"]
    for s in doc["series"]:
        assert s["status"] == "ok" and s["error"] is None, s
        steps = s["steps"]
        assert steps["nfo"] in ("done", "present"), s
        assert steps["poster"] in ("done", "present"), s
        assert steps["fanart"] in ("done", "present", "unavailable"), s
        assert steps["logo"] in ("done", "present", "unavailable"), s
        folder = lib / s["folder"]
        assert (folder / "tvshow.nfo").is_file() and (folder / "poster.jpg").is_file()
        for kind, name in (("fanart", "fanart.jpg"), ("logo", "clearlogo.png")):
            assert (folder / name).is_file() == (steps[kind] != "unavailable"), (s["folder"], kind)


# ----------------------------------------------------------------------------- SIGKILL


def test_sigkill_at_random_moments_never_leaves_a_broken_library(tmp_path, cli_env, tmdb, tmdb_env):
    """KILLS SIGKILLs at seeded random delays, some into `scan`, most into `fetch` (on a
    new library, on a half-done one, and with --force while every file is replaced).
    After each kill: everything on disk is whole; `status` reads the library; the next
    `scan` is not blocked by the dead run's lock (exit 0, not 75), sets no sidecar aside
    and leaves no temp file. Finally one `fetch` completes every series."""
    tmdb.latency, tmdb.image_latency = 0.04, 0.006  # a little slower: kills land in every phase
    env = {**cli_env, **tmdb_env}
    lib = build_library(tmp_path / "lib", LIBRARY)
    rng = random.Random(SEED)
    seen: set = set()
    began = time.monotonic()

    # Scale the delays: one full fetch of a new library, one scan that rewrites every
    # sidecar, each timed from start to taking the lock and from start to end.
    code, out, err, f_lock, f_end = timed_run(aniload("fetch", lib, "--json"), env, lib)
    assert code == 0, err
    assert_complete_and_ok(json.loads(out), lib)
    add_episode(lib, 0)
    code, _, err, s_lock, s_end = timed_run(aniload("scan", lib), env, lib)
    assert code == 0, err
    f_work, s_work = f_end - f_lock, s_end - s_lock  # what follows the interpreter's start-up
    reset_outputs(lib)

    kills: list[dict] = []
    missed = Counter()
    complete = False  # the library has everything: a plain fetch would have nothing to do
    attempt = 0
    while len(kills) < KILLS and attempt < 2 * KILLS and time.monotonic() - began < HARD_LIMIT:
        attempt += 1
        command = "scan" if rng.random() < 0.3 else "fetch"
        args: list[str | Path] = [command, lib, "-q"]
        if command == "scan":
            add_episode(lib, attempt)
        elif complete or rng.random() < 0.15:
            if rng.random() < 0.5:
                reset_outputs(lib)
            else:
                args.append("--force")  # every NFO and image is replaced while we kill
        # Where the kill lands: a few in the interpreter's start-up; most at a random moment
        # of the work after the run took the lock (timing from the lock keeps them in the
        # work however slow start-ups are on the machine today); and some fetches the
        # moment a temp file shows up, i.e. in the middle of writing an NFO or an image.
        # A scan writes its sidecars in the first part of its work (then one syncfs and
        # the exit): half of the scan kills aim at that first third.
        mode = rng.random()
        if mode < 0.08:
            after_lock, at_write, delay = False, False, rng.uniform(0.0, f_lock if command == "fetch" else s_lock)
        elif command == "fetch":
            at_write = mode < 0.45
            after_lock, delay = True, (0.0 if at_write else rng.uniform(0.0, f_work))
        else:
            after_lock, at_write, delay = True, False, rng.uniform(0.0, s_work) * rng.choice((0.3, 1.0))
        before = {s.name: stat_key(s / SIDECAR) for s in series_dirs(lib)}
        tmdb.reset_log()

        proc = start(aniload(*args), env)
        if after_lock:
            while proc.poll() is None and lock_pid(lib) != proc.pid:
                time.sleep(0.001)
        if at_write:
            folders = series_dirs(lib)
            deadline = time.monotonic() + f_work
            while proc.poll() is None and time.monotonic() < deadline and not any(
                e.name.endswith(TEMP_SUFFIX) for f in folders for e in os.scandir(f)
            ):
                time.sleep(0.0002)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=10)
        killed = code == -signal.SIGKILL
        if killed:
            kills.append(_where(command, args, delay, after_lock, lib, proc.pid, before, tmdb))
            kills[-1]["at_write"] = at_write
        else:  # it finished before the kill: fine, but not a kill
            assert code != 75, f"the lock of an earlier, killed run blocked {args}"
            assert code == 0, f"{args} exited {code} (not killed)"
            missed[command] += 1
            if os.environ.get("CRASH_VERBOSE"):
                print("missed", args[2:], round(delay, 3), after_lock, "api", len(tmdb.api_requests()), "img", len(tmdb.image_requests()))

        # Right after the kill, before any other run touches the library: everything whole.
        left = check_whole(lib, seen)
        if killed:
            kills[-1]["temps"] = len(left)
        label = f"after kill #{len(kills)} ({kills[-1] if kills else None})"

        # The next runs: `status` reads the killed library (it takes no lock: it runs
        # alongside); `scan` takes the lock the dead run held, sweeps its temp files and
        # finds no sidecar to set aside.
        status = start(aniload("status", lib, "--json"), env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        c_code, c_out, c_err = finish(start(aniload("scan", lib, "--json"), env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        s_code, s_out, s_err = finish(status)
        assert s_code in (0, 1), f"status {label}: exit {s_code}: {s_err}"
        status_doc = json.loads(s_out)
        assert len(status_doc["series"]) == N_SERIES
        assert c_code != 75, f"the dead run's lock blocked the next scan {label}: {c_err}"
        assert c_code == 0, f"scan {label}: exit {c_code}: {c_err}"
        assert json.loads(c_out)["summary"]["ok"] == N_SERIES
        assert "warning" not in c_err, f"scan {label} complained: {c_err}"
        stray = check_whole(lib, seen)
        assert not stray, f"temp files survived the next run {label}: {stray}"
        complete = all(
            s["steps"][k] in ("present", "unavailable") for s in status_doc["series"] for k in ("nfo", "poster", "fanart", "logo")
        )

    phases = Counter(k["phase"] for k in kills)
    if os.environ.get("CRASH_VERBOSE"):
        print("\n".join(map(str, kills)))
    print(
        f"\nSIGKILL seed {SEED}: {len(kills)} kills in {attempt} runs, {time.monotonic() - began:.1f}s "
        f"(fetch: lock at {f_lock:.2f}s, end {f_end:.2f}s; scan: lock at {s_lock:.2f}s, end {s_end:.2f}s; "
        f"finished before the kill: {dict(missed)}); landed: {dict(sorted(phases.items()))}; "
        f"kills aimed at a write: {sum(1 for k in kills if k['at_write'])}; "
        f"kills that left a temp file (landed mid-write): {sum(1 for k in kills if k.get('temps'))}"
    )
    assert len(kills) >= MIN_KILLS, f"only {len(kills)} kills landed: {dict(phases)}"
    assert sum(1 for k in kills if k["command"] == "scan") >= 2, dict(phases)
    assert sum(1 for k in kills if k["command"] == "fetch") >= MIN_KILLS // 2, dict(phases)
    assert sum(1 for k in kills if k.get("temps")) >= 1, "no kill landed in the middle of a write"

    # After all kills, one fetch completes everything.
    code, out, err = finish(start(aniload("fetch", lib, "--json"), env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    assert code == 0, err
    assert_complete_and_ok(json.loads(out), lib)
    assert check_whole(lib) == []
    for series in series_dirs(lib):
        assert sidecar_of(series)["match"]["tmdb_id"], series


def timed_run(args: list[str], env: dict[str, str], lib: Path) -> tuple[int, str, str, float, float]:
    """Run to the end; also return when it took the lock and when it ended (seconds from start)."""
    out, err = (lib.parent / "timed.out", lib.parent / "timed.err")
    with out.open("wb") as fo, err.open("wb") as fe:
        t0 = time.monotonic()
        proc = start(args, env, stdout=fo, stderr=fe)
        t_lock = None
        while proc.poll() is None:
            if t_lock is None and lock_pid(lib) == proc.pid:
                t_lock = time.monotonic() - t0
            time.sleep(0.002)
        t_end = time.monotonic() - t0
    return proc.returncode, out.read_text(), err.read_text(), t_lock or 0.0, t_end


def _where(command: str, args: list, delay: float, after_lock: bool, lib: Path, pid: int, before: dict, tmdb) -> dict:
    """Which phase the kill landed in, from what the dead run left behind."""
    held = lock_pid(lib) == pid
    rewritten = sum(1 for s in series_dirs(lib) if stat_key(s / SIDECAR) != before.get(s.name))
    api, images = len(tmdb.api_requests()), len(tmdb.image_requests())
    if not held:
        phase = "startup"
    elif command == "scan":
        phase = "writing sidecars" if 0 < rewritten < N_SERIES else ("before writes" if rewritten == 0 else "after writes")
    elif api == 0:
        phase = "plan, no answer yet"
    elif images == 0:
        phase = "matching"
    else:
        phase = "matching+artwork"
    tag = "force" if "--force" in args else "fetch"
    return {"command": command, "delay": round(delay, 3), "after_lock": after_lock, "phase": f"{command if command == 'scan' else tag}: {phase}",
            "api": api, "images": images, "sidecars_written": rewritten}


# ----------------------------------------------------------------------------- two runs


def test_second_run_while_fetch_holds_the_lock_exits_75_and_changes_nothing(tmp_path, cli_env, tmdb, tmdb_env):
    env = {**cli_env, **tmdb_env}
    lib = build_library(tmp_path / "lib", LIBRARY)
    # The first request of the first run (the credentials check) hangs for a while: the
    # run holds the lock and, on a new library, writes nothing until it is answered.
    tmdb.add_fault(Fault(kind="slow", delay=5.0, times=1))
    first = start(aniload("fetch", lib, "--json"), env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: lock_pid(lib) == first.pid, 20, "the first fetch to take the lock", first)
        before = snapshot(lib)
        t0 = time.monotonic()
        for args in (["scan", lib], ["fetch", lib], ["fetch", lib, "--series", "Cowboy Bebop", "--json"], ["scan", lib, "--json"]):
            proc = start(aniload(*args), env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            code, out, err = finish(proc, timeout=20)
            assert code == 75, (args, code, err)
            lines = err.strip().splitlines()
            assert len(lines) == 1, (args, err)
            assert "another aniload run" in lines[0] and f"pid {first.pid}" in lines[0] and str(lib) in lines[0], lines[0]
            if "--json" in args:
                assert json.loads(out)["error"] == lines[0].removeprefix("aniload: error: ")
            else:
                assert out == ""
        # status needs no lock: it reads alongside the running fetch
        code, out, err = finish(start(aniload("status", lib, "--json"), env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        assert code == 0, err
        assert time.monotonic() - t0 < 4.5, "too slow to be sure the first run had not started writing"
        assert snapshot(lib) == before  # not a byte, not an mtime (the lock file included)
    finally:
        code, out, err = finish(first, timeout=60)
    assert code == 0, err  # the first run did not notice
    assert_complete_and_ok(json.loads(out), lib)


# ----------------------------------------------------------------------------- Ctrl-C


def _interrupt_fetch(lib: Path, env: dict[str, str], sig: int, *, mid_write: bool = False):
    """Start a fetch, let two series finish, send ``sig``; return (exit code, seconds to
    stop, stderr, the series lines printed before the signal, the lines printed after)."""
    proc = start(aniload("fetch", lib), env, stderr=subprocess.PIPE)
    reader = LineReader(proc.stderr)
    with reaped(proc):
        wait_for(lambda: len(reader.finished()) >= 2, 30, "two series to finish", proc)
        if mid_write:  # an NFO or image is being written: its temp file exists
            wait_for(lambda: bool(temp_files(lib)), 10, "a write in flight", proc)
        before = reader.finished()
        code, stopped_in = signal_and_wait(proc, sig)
    err = reader.join()
    return code, stopped_in, err, before, reader.finished()[len(before):]


def _assert_sidecars_match_disk(lib: Path) -> None:
    """No sidecar claims a file that is not on disk (state "done" without the file)."""
    for series in series_dirs(lib):
        if not (series / SIDECAR).exists():
            continue
        steps = sidecar_of(series)["steps"]
        for kind, name in (("nfo", "tvshow.nfo"), ("poster", "poster.jpg"), ("fanart", "fanart.jpg"), ("logo", "clearlogo.png")):
            if steps.get(kind, {}).get("state") == "done":
                assert (series / name).is_file(), (series.name, kind)


def _assert_finished_series_recorded(lib: Path, folders: list[str]) -> None:
    for folder in folders:
        series = lib / folder
        side = sidecar_of(series)
        steps = side["steps"]
        assert side["match"]["tmdb_id"], folder
        assert steps["nfo"]["state"] == "done" and (series / "tvshow.nfo").is_file(), folder
        assert steps["poster"]["state"] == "done" and (series / "poster.jpg").is_file(), folder
        for kind, name in (("fanart", "fanart.jpg"), ("logo", "clearlogo.png")):
            assert steps[kind]["state"] in ("done", "unavailable"), (folder, kind, steps[kind])
            assert (series / name).is_file() == (steps[kind]["state"] == "done"), (folder, kind)


def test_ctrl_c_during_fetch_stops_at_once_and_keeps_what_was_done(tmp_path, cli_env, tmdb, tmdb_env):
    """SIGINT with several series in flight (images slow): exit 130 within 2 s, no temp
    file, every file whole, the series finished before the interrupt fully recorded in
    their sidecars; the next fetch does only what is left."""
    tmdb.latency, tmdb.image_latency = 0.02, 0.25
    env = {**cli_env, **tmdb_env}
    lib = build_library(tmp_path / "lib", LIBRARY)
    code, stopped_in, err, before, _after = _interrupt_fetch(lib, env, signal.SIGINT)
    assert code == 130, err
    assert stopped_in < 2.0, f"took {stopped_in:.2f}s to stop"
    assert err.rstrip().endswith("aniload: interrupted") and "Traceback" not in err, err
    assert check_whole(lib) == [], "Ctrl-C left temp files"

    finished = [folder for state, folder in before]
    assert all(state == "ok" for state, _ in before), err
    assert 2 <= len(finished) < N_SERIES, f"the interrupt did not land mid-run: {finished}"
    _assert_finished_series_recorded(lib, finished)
    _assert_sidecars_match_disk(lib)
    in_flight = [s for s in series_dirs(lib) if s.name not in finished and (s / SIDECAR).exists()]
    assert in_flight, "no series was in flight at the interrupt"  # their sidecars were saved too

    # The next fetch does only what is left: nothing again for the finished series.
    tmdb.latency, tmdb.image_latency = 0.0, 0.0
    proc = start(aniload("fetch", lib, "--json"), env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    code, out, err = finish(proc)
    assert code == 0, err
    doc = json.loads(out)
    assert_complete_and_ok(doc, lib)
    for s in doc["series"]:
        if s["folder"] in finished:
            assert set(s["steps"].values()) <= {"present", "unavailable"}, s
    assert check_whole(lib) == []


def test_ctrl_c_does_not_log_cut_short_series_as_ok(tmp_path, cli_env, tmdb, tmdb_env):
    """A cron log that says "ok  Hunter x Hunter (1999)" for a series that got nothing is
    a lie a user will believe. A series stopped by the interrupt may be logged, but not as ok."""
    tmdb.latency, tmdb.image_latency = 0.02, 0.25
    env = {**cli_env, **tmdb_env}
    lib = build_library(tmp_path / "lib", LIBRARY)
    code, _, err, before, after = _interrupt_fetch(lib, env, signal.SIGINT)
    assert code == 130, err
    for state, folder in after:
        steps = sidecar_of(lib / folder)["steps"] if (lib / folder / SIDECAR).exists() else {}
        complete = all(steps.get(k, {}).get("state") in ("done", "unavailable") for k in ("nfo", "poster", "fanart", "logo"))
        assert state != "ok" or complete, f"logged as ok after the interrupt, but unfinished: {folder}\n{err}"


def test_ctrl_c_during_scan_of_a_large_library(tmp_path, cli_env):
    n = 1200
    lib = tmp_path / "big"
    for i in range(n):
        season = lib / f"Generated Series {i:05d}" / "Season 1"
        season.mkdir(parents=True)
        for e in (1, 2, 3):
            (season / f"Generated Series {i:05d} - S01E{e:02d}.mkv").touch()
    folders = series_dirs(lib)
    count = lambda: sum(1 for f in folders if (f / SIDECAR).exists())  # noqa: E731
    proc = start(aniload("scan", lib), cli_env, stderr=subprocess.PIPE)
    reader = LineReader(proc.stderr)
    with reaped(proc):
        wait_for(lambda: count() >= 50, 60, "the scan to write 50 sidecars", proc)
        code, stopped_in = signal_and_wait(proc, signal.SIGINT)
    err = reader.join()
    assert code == 130, err[-2000:]
    assert stopped_in < 2.0, f"took {stopped_in:.2f}s to stop"
    assert err.rstrip().endswith("aniload: interrupted") and "Traceback" not in err, err[-2000:]
    written = count()
    assert 50 <= written < n, f"the interrupt did not land mid-scan ({written} of {n})"
    left = check_whole(lib)
    if len(left) == 1 and left[0].name.startswith(f".{SIDECAR}.") and _open_window_leaks():
        # Known bug, pinned down by test_interrupt_during_the_temp_files_open_leaves_no_temp_file:
        # a Ctrl-C landing in open(2) leaks that sidecar's temp file (about 1 run in 3 here).
        # Once fsutil is fixed this is never taken and the assertion below is strict.
        left = []
    assert left == [], "Ctrl-C left temp files"
    # every sidecar written is whole and complete for its series
    for folder in folders:
        if (folder / SIDECAR).exists():
            assert sidecar_of(folder)["episodes"] == {"1": [1, 2, 3], "absolute": []}, folder.name

    proc = start(aniload("scan", lib, "--json"), cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    code, out, err = finish(proc)
    assert code == 0, err[-2000:]
    assert json.loads(out)["summary"] == {"series": n, "ok": n, "failed": 0}
    assert count() == n and temp_files(lib) == []


# ----------------------------------------------------------------------------- SIGTERM


def test_sigterm_during_fetch_stops_like_ctrl_c(tmp_path, cli_env, tmdb, tmdb_env):
    """`kill PID`, `systemctl stop`, `timeout 1h aniload fetch` and `docker stop` send
    SIGTERM: a user expects the same clean stop as Ctrl-C (in-flight writes removed,
    sidecars saved), with the conventional exit code 128 + 15. The signal is sent the
    moment a temp file shows up, i.e. while an NFO or image is being written."""
    tmdb.latency, tmdb.image_latency = 0.02, 0.25
    env = {**cli_env, **tmdb_env}
    lib = build_library(tmp_path / "lib", LIBRARY)
    code, stopped_in, err, before, _after = _interrupt_fetch(lib, env, signal.SIGTERM, mid_write=True)
    assert check_whole(lib) == [], f"SIGTERM left temp files (exit {code})"
    assert code == 143, f"exit {code}: {err}"
    assert stopped_in < 2.0
    assert "aniload: terminated" in err, err
    _assert_finished_series_recorded(lib, [folder for _, folder in before])
    _assert_sidecars_match_disk(lib)


def test_an_interrupted_json_run_still_prints_one_json_document(tmp_path, cli_env, tmdb, tmdb_env):
    tmdb.latency = 0.05
    lib = build_library(tmp_path / "lib", LIBRARY)
    proc = start(aniload("fetch", lib, "--json"), {**cli_env, **tmdb_env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader = LineReader(proc.stderr)
    with reaped(proc):
        wait_for(lambda: len(reader.finished()) >= 1, 30, "a series to finish", proc)
        code, _ = signal_and_wait(proc, signal.SIGTERM)
    reader.join()
    assert code == 143
    doc = json.loads(proc.stdout.read())
    assert doc["command"] == "fetch" and doc["error"] == "terminated" and doc["series"] == []


def test_sigterm_inside_the_event_loop_cancels_the_work_like_ctrl_c(capfd):
    """In-process and deterministic: the signal arrives while a task runs synchronous code
    (as fetch does while it writes a file and saves a sidecar). Ctrl-C there lets that code
    finish and stops the task at its next await; SIGTERM must do the same, and leave no
    "Task exception was never retrieved" traceback on stderr (a cron mail full of it)."""
    import asyncio
    import gc

    from aniload import cli

    steps: list[str] = []

    async def work() -> None:
        try:
            steps.append("write")
            os.kill(os.getpid(), signal.SIGTERM)  # delivered now, mid-way through synchronous code
            steps.append("saved")  # e.g. the sidecar save right after a file landed
            await asyncio.sleep(5)
            steps.append("not reached")
        finally:
            steps.append("cleanup")

    previous = signal.signal(signal.SIGTERM, cli._on_sigterm)
    try:
        t0 = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            asyncio.run(work())
        gc.collect()
    finally:
        signal.signal(signal.SIGTERM, previous)
        if hasattr(cli, "_terminated"):
            cli._terminated = False
    assert time.monotonic() - t0 < 2
    assert steps == ["write", "saved", "cleanup"]
    assert "never retrieved" not in capfd.readouterr().err


# ----------------------------------------------------------------------------- stray temp files


def _open_window_leaks() -> bool:
    """True while aniload.fsutil leaks the temp file of an interrupt that lands in open(2)."""
    import tempfile

    from aniload import fsutil

    real_open = os.open
    with tempfile.TemporaryDirectory() as d:
        target = Path(d) / SIDECAR

        def open_then_interrupt(path, flags, *args, **kw):
            fd = real_open(path, flags, *args, **kw)
            if os.fspath(path).endswith(TEMP_SUFFIX):
                os.close(fd)
                raise KeyboardInterrupt  # CPython raises it right after the call that was running returns
            return fd

        os.open = open_then_interrupt
        try:
            fsutil.atomic_write(target, b"{}")
        except KeyboardInterrupt:
            pass
        finally:
            os.open = real_open
        return any(name.endswith(TEMP_SUFFIX) for name in os.listdir(d))


def test_interrupt_during_the_temp_files_open_leaves_no_temp_file():
    """Python runs the SIGINT handler (KeyboardInterrupt) as soon as the call that was
    running when the signal came returns. For open(2) with O_CREAT that is after the temp
    file exists, but before ``atomic_open`` has entered the block that cleans it up."""
    assert not _open_window_leaks()


def test_sweep_temp_files_takes_only_our_temp_files(tmp_path: Path) -> None:
    stray = [tmp_path / ".poster.jpg.0badf00d.aniload-tmp", tmp_path / ".tvshow.nfo.12345678.aniload-tmp"]
    for p in stray:
        p.write_bytes(b"half")
    keep = [tmp_path / "poster.jpg", tmp_path / ".aniload.json", tmp_path / "x.aniload-tmp"]
    for p in keep:
        p.write_bytes(b"x")
    (tmp_path / ".dir.aniload-tmp").mkdir()
    assert sweep_temp_files(tmp_path) == 2
    assert all(p.exists() for p in keep) and not any(p.exists() for p in stray)
    assert sweep_temp_files(tmp_path) == 0
    assert sweep_temp_files(tmp_path / "missing") == 0


def _library_of_a_killed_fetch(tmp_path: Path, env: dict, tmdb) -> tuple[Path, int]:
    """A fetched two-series library whose next fetch was SIGKILLed holding the lock."""
    lib = build_library(tmp_path / "lib", {"Cowboy Bebop": ["Cowboy Bebop - 01.mkv"], "Frieren (2023)": ["Frieren - 01.mkv"]})
    assert subprocess.run(aniload("fetch", lib, "-q"), env=env).returncode == 0
    tmdb.add_fault(Fault(kind="slow", delay=2.0, times=1))
    proc = start(aniload("fetch", lib, "--force"), env)
    wait_for(lambda: lock_pid(lib) == proc.pid, 20, "the fetch to take the lock", proc)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL
    return lib, proc.pid


def test_temp_file_of_a_kill_in_the_sidecars_clock_tick_is_swept(tmp_path, cli_env, tmdb, tmdb_env):
    """Each series ends with two sidecar saves back to back (the last step's and the
    closing one). The second save's temp file is usually created within the same
    timestamp tick as the first one's rename (ext4/tmpfs stamp with a coarse clock), so
    the folder's mtime does not move. A SIGKILL (or power cut) between that create and
    its rename leaves ``folder mtime == sidecar ctime`` plus a stray temp file; the
    scanner takes that equality as "only aniload's own writes since" and never lists the
    folder again, so the temp file is never swept.

    The test makes that state exactly: a real SIGKILL of a fetch, then a temp file whose
    creation did not move the folder's mtime (os.utime puts it back, as the coarse clock
    would have)."""
    env = {**cli_env, **tmdb_env}
    lib, pid = _library_of_a_killed_fetch(tmp_path, env, tmdb)

    series = lib / "Cowboy Bebop"
    stray = series / f".{SIDECAR}.0badc0de{TEMP_SUFFIX}"
    stray.write_bytes(b'{"schema":1,"wri')  # the killed save had written part of its JSON
    st = series.stat()
    os.utime(series, ns=(st.st_atime_ns, (series / SIDECAR).stat().st_ctime_ns))

    for command in ("scan", "fetch"):
        assert subprocess.run(aniload(command, lib, "-q"), env=env).returncode == 0
        assert temp_files(lib) == [], f"the stray temp file survived the next {command}"


@pytest.mark.parametrize("next_run", [["scan"], ["fetch"], ["scan", "--series", "Frieren (2023)"]])
def test_temp_file_of_a_killed_index_write_is_swept_by_the_next_run(tmp_path, cli_env, tmdb, tmdb_env, next_run):
    """A whole-library scan writes ``.aniload-index.json`` in the library folder itself,
    whose hidden entries the scanner never looks at. A kill between that temp file's
    create and its rename (CI caught one) left it for good; the next run that takes the
    lock of a dead holder, whatever its command, now sweeps the library folder."""
    env = {**cli_env, **tmdb_env}
    lib, pid = _library_of_a_killed_fetch(tmp_path, env, tmdb)

    stray = lib / f"..aniload-index.json.{pid:x}-7{TEMP_SUFFIX}"
    stray.write_bytes(b'{"fingerprint":[2,"pos')  # the killed write had begun its JSON
    assert subprocess.run(aniload(*next_run[:1], lib, *next_run[1:], "-q"), env=env).returncode == 0
    assert temp_files(lib) == [], f"the stray temp file survived the next {' '.join(next_run)}"
    assert (lib / "Cowboy Bebop" / "tvshow.nfo").exists()
