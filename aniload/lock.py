"""The library lock: one scan or fetch at a time per library.

``flock`` on ``LIBRARY/.aniload.lock``: the kernel drops the lock when the holder's file
descriptor closes, which includes the process being killed, so a crashed run never blocks
the next one and there is no stale-lock cleanup to get wrong. The file itself stays; it
holds the holder's pid only as a hint for the message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from aniload.errors import LibraryError, LockHeld

LOCK_NAME = ".aniload.lock"


@contextlib.contextmanager
def library_lock(library: Path) -> Iterator[None]:
    path = library / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise LibraryError(f"cannot create the lock file {path}: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            who = f" (pid {holder})" if holder else ""
            raise LockHeld(f"another aniload run{who} is working on {library}; try again when it ends") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
