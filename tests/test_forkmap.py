"""The forked worker map behind a big scan, and the parallel scan against the sequential one."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from aniload import pipeline
from aniload.config import Config
from aniload.events import NullReporter
from aniload.forkmap import WorkerDied, fork_map
from tests.conftest import build_library


def test_results_come_back_in_order_from_every_worker():
    items = list(range(1000))
    out = list(fork_map(lambda n: (n * n, os.getpid()), items, workers=3, chunk=7))
    assert [square for square, _ in out] == [n * n for n in items]
    assert os.getpid() not in {pid for _, pid in out}  # the work ran in the children


def test_the_work_is_shared_between_workers():
    def slow(n):
        time.sleep(0.01)  # one worker alone would need 0.6 s: the others start long before
        return os.getpid()

    assert len(set(fork_map(slow, list(range(60)), workers=2, chunk=2))) == 2


def test_more_chunks_than_one_pipe_write_holds_are_merged():
    items = list(range(5000))
    assert list(fork_map(lambda n: n + 1, items, workers=2, chunk=1)) == [n + 1 for n in items]


def test_an_exception_in_a_worker_is_raised_here_and_no_child_is_left():
    def boom(n):
        if n == 37:
            raise ValueError("bad item 37")
        return n

    with pytest.raises(ValueError, match="bad item 37"):
        list(fork_map(boom, list(range(100)), workers=2, chunk=5))
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child was reaped


def test_an_exception_that_does_not_pickle_still_ends_the_map_with_its_text():
    class Local(Exception):  # defined in a function: pickle cannot find it by name
        pass

    def boom(n):
        raise Local("bad item")

    with pytest.raises(WorkerDied, match="bad item"):
        list(fork_map(boom, list(range(10)), workers=2, chunk=2))


def test_a_worker_that_dies_ends_the_map_instead_of_hanging():
    def die(n):
        if n == 50:
            os.kill(os.getpid(), signal.SIGKILL)
        return n

    with pytest.raises(WorkerDied):
        list(fork_map(die, list(range(100)), workers=2, chunk=10))


def test_interrupt_lets_workers_finish_the_item_in_hand_then_stop(tmp_path):
    """Ctrl-C in the parent: no item is cut short, the rest are skipped, no child is left."""
    def slow(n):
        (tmp_path / f"started-{n}").touch()
        time.sleep(0.05)
        (tmp_path / f"finished-{n}").touch()
        return n

    timer = threading.Timer(0.3, lambda: signal.pthread_kill(threading.main_thread().ident, signal.SIGINT))
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        list(fork_map(slow, list(range(400)), workers=2, chunk=4))
    assert time.monotonic() - started < 2
    begun = {p.name.split("-")[1] for p in tmp_path.glob("started-*")}
    ended = {p.name.split("-")[1] for p in tmp_path.glob("finished-*")}
    assert begun == ended and 0 < len(begun) < 400
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def _scan(root, monkeypatch, parallel: bool):
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_SERIES", 2 if parallel else 10**9)
    monkeypatch.setattr(pipeline, "_usable_cpus", lambda: 2)
    for sidecar_file in root.glob("*/.aniload.json"):
        sidecar_file.unlink()
    (root / ".aniload-index.json").unlink(missing_ok=True)
    report = pipeline.scan_library(root, [], Config(), NullReporter())
    return [s.to_json() for s in report.series], report.warnings


def test_parallel_scan_reports_exactly_what_the_sequential_scan_does(tmp_path, monkeypatch):
    spec = {}
    for i in range(70):
        if i % 3 == 0:
            spec[f"Show {i} (20{i % 25:02d})"] = [f"[G] Show {i} - {e:02d} [1080p].mkv" for e in range(1, 6)]
        elif i % 3 == 1:
            spec[f"Show {i}"] = {"Season 1": [f"Show.{i}.S01E{e:02d}.mkv" for e in range(1, 4)], "Specials": ["OVA 1.mkv"]}
        else:
            spec[f"Serie {i}"] = {"Staffel 2": [f"Serie {i} - Folge {e}.mp4" for e in (1, 2, 4)]}
    root = build_library(tmp_path / "lib", spec)
    (root / "Show 1" / "Season 1" / "loop").symlink_to("..")  # a warning, replayed by the parent
    sequential = _scan(root, monkeypatch, parallel=False)
    parallel = _scan(root, monkeypatch, parallel=True)
    assert parallel == sequential
    assert any("symlink loop" in w for w in parallel[1])
    assert len(parallel[0]) == 70 and all(s["status"] == "ok" for s in parallel[0])


def test_when_no_process_can_be_forked_the_work_is_done_here(monkeypatch):
    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert list(fork_map(lambda n: (n, os.getpid()), [1, 2, 3], workers=2, chunk=1)) == [
        (1, os.getpid()), (2, os.getpid()), (3, os.getpid())
    ]
