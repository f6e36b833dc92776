"""Run one function over many items in forked child processes; results come back in order.

A cold scan of a big library is CPU work (parsing every file name) that one core cannot do
at the speed ``find`` lists files. ``multiprocessing.Pool`` spent a tenth of the scan on
itself: pickling every task to the children, two helper threads in the parent, and an
import that costs more than the rest of start-up. Here the children inherit the items by
``fork``, take chunk numbers from a pipe (the fastest child takes the most), and send back
one pickle per chunk over a pipe of their own.

Ctrl-C and SIGTERM reach a terminal's or a service manager's whole process group; the
children ignore both and the parent decides: it raises a flag in shared memory that the
children read before each item, so each finishes the item in hand (no write is cut short)
and exits; the parent waits for them and re-raises. A child also stops when it sees that
its parent has died (SIGKILL), so no orphan goes on writing. A child that dies (killed,
out of memory) ends the map with ``WorkerDied`` instead of a hang.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import select
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from aniload.errors import AniloadError

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_MAX_CHUNKS = 1024  # chunk numbers are 4 bytes: 1,024 fit one atomic pipe write (PIPE_BUF)
_HEADER = 4


class WorkerDied(AniloadError):
    """A child process ended without sending all of its results (killed, out of memory)."""


def fork_map(func: Callable[[Any], Any], items: Sequence[Any], *, workers: int, chunk: int) -> Iterator[Any]:
    """Yield ``func(item)`` for each item, in order; ``func`` runs in ``workers`` children,
    which take up to ``chunk`` items at a time."""
    if not items:
        return
    bounds = _chunk_bounds(len(items), workers, chunk)
    count = len(bounds)
    workers = max(1, min(workers, count))
    stop = mmap.mmap(-1, 1)  # shared with the children: 1 = finish the item in hand, then exit
    jobs_r, jobs_w = os.pipe()
    os.write(jobs_w, b"".join(k.to_bytes(_HEADER, "little") for k in range(count)))
    os.close(jobs_w)  # the children read chunk numbers until the pipe is empty
    children: dict[int, int] = {}  # result pipe's read end -> pid
    parent = os.getpid()
    try:
        for _ in range(workers):
            read_end, write_end = os.pipe()
            # Blocked across fork(), so that a Ctrl-C cannot reach a child before it has
            # set itself to ignore it; the parent gets it when unblocked.
            signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
            try:
                pid = os.fork()
            except OSError:  # out of processes or memory: go on with the workers there are
                signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
                os.close(read_end)
                os.close(write_end)
                break
            if pid == 0:  # pragma: no cover - runs in the child, which never returns
                try:
                    os.close(read_end)
                    for fd in children:
                        os.close(fd)
                    _child(func, items, bounds, jobs_r, write_end, stop, parent)
                finally:
                    os._exit(1)  # whatever happens, a child never runs the parent's code
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
            os.close(write_end)
            children[read_end] = pid
        os.close(jobs_r)
        jobs_r = -1
        if children:
            yield from _collect(children, count)
        else:  # not a single fork worked: do the work here
            yield from map(func, items)
    except BaseException:
        stop[0] = 1
        raise
    finally:
        if jobs_r >= 0:
            os.close(jobs_r)
        _drain_and_reap(children)
        stop.close()


def _chunk_bounds(total: int, workers: int, largest: int) -> list[tuple[int, int]]:
    """(start, end) of each chunk: ``largest`` items while plenty remain, then smaller and
    smaller ones, so that the workers run out of work at nearly the same moment."""
    while True:
        bounds, start = [], 0
        while start < total:
            size = max(1, min(largest, (total - start) // (workers * 4)))
            bounds.append((start, start + size))
            start += size
        if len(bounds) <= _MAX_CHUNKS:
            return bounds
        largest *= 2


def _child(func, items, bounds, jobs_r: int, out: int, stop: mmap.mmap, parent: int) -> None:
    code = 0
    try:
        for signum in _STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)  # the parent decides when to stop
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        while len(number := os.read(jobs_r, _HEADER)) == _HEADER:
            k = int.from_bytes(number, "little")
            results = []
            start, end = bounds[k]
            for item in items[start:end]:
                if stop[0] or os.getppid() != parent:
                    os._exit(0)
                results.append(func(item))
            _send(out, (k, results, None))
    except BaseException as exc:  # a bug in func: hand it to the parent, which re-raises it
        code = 1
        with contextlib.suppress(OSError):  # the parent is gone: nobody to tell
            try:
                _send(out, (-1, None, exc))
            except (pickle.PicklingError, TypeError, AttributeError):  # it does not pickle
                _send(out, (-1, None, WorkerDied(f"a scan worker failed: {exc!r}")))
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers a second time


def _send(fd: int, message: Any) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(payload).to_bytes(_HEADER, "little") + payload)
    while view:
        view = view[os.write(fd, view) :]


def _collect(children: dict[int, int], count: int) -> Iterator[Any]:
    """Yield results in item order as chunks arrive (in any order) from the children."""
    buffers = {fd: bytearray() for fd in children}
    done: dict[int, list] = {}
    next_chunk = 0
    open_fds = list(children)
    while next_chunk < count:
        if not open_fds:
            raise WorkerDied(
                "a scan worker process ended before its work was done (killed or out of memory?); "
                "what it finished is saved, run the scan again"
            )
        ready, _, _ = select.select(open_fds, [], [])
        for fd in ready:
            data = os.read(fd, 1 << 20)
            if not data:
                open_fds.remove(fd)
                continue
            buf = buffers[fd]
            buf += data
            while len(buf) >= _HEADER and len(buf) >= _HEADER + (size := int.from_bytes(buf[:_HEADER], "little")):
                k, results, error = pickle.loads(buf[_HEADER : _HEADER + size])
                del buf[: _HEADER + size]
                if error is not None:
                    raise error
                done[k] = results
        while next_chunk in done:
            yield from done.pop(next_chunk)
            next_chunk += 1


def _drain_and_reap(children: dict[int, int]) -> None:
    """Read the pipes to their end (a child blocked on a full pipe could not exit), then wait."""
    for fd in children:
        try:
            while os.read(fd, 1 << 20):
                pass
        except OSError:
            pass
        os.close(fd)
    for pid in children.values():
        while True:
            try:
                os.waitpid(pid, 0)
                break
            except InterruptedError:  # pragma: no cover - PEP 475 retries; kept for clarity
                continue
            except ChildProcessError:
                break
