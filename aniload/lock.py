"""The library lock: one scan or fetch at a time per library.

``flock`` on ``LIBRARY/.aniload.lock``: the kernel drops the lock when the holder's file
descriptor closes, which includes the process being killed, so a crashed run never blocks
the next one and there is no stale-lock cleanup to get wrong. The file itself stays; it
holds the holder's pid as a hint for the message, and is emptied when the holder ends
normally; an interrupted run leaves it, so the next run relists. A pid found there on
taking the lock means the last holder was killed or crashed: the caller then relists every
series folder, because a temp file created in the same timestamp tick as the sidecar's
last rename does not move the folder's mtime, and the scanner would otherwise never see
(and sweep) it. The library's own folder is swept here: the scanner skips its hidden
entries, so the temp file of an index write cut short would otherwise stay for good.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from aniload.errors import LibraryError, LockHeld
from aniload.fsutil import sweep_temp_files
from aniload.library import display_name

LOCK_NAME = ".aniload.lock"


@contextlib.contextmanager
def library_lock(library: Path, *, whole_library: bool = True) -> Iterator[bool]:
    """Hold the library; yields True when the last holder did not end cleanly.

    A run over some series only (``--series``) relists just those, so it leaves the
    mark of an unclean end for the next run over the whole library.
    """
    path = library / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise LibraryError(f"cannot create the lock file {display_name(str(path))}: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            who = f" (pid {holder})" if holder else ""
            raise LockHeld(f"another aniload run{who} is working on {display_name(str(library))}; "
                           "try again when it ends") from None
        unclean = _read_pid(fd) is not None
        if unclean:
            sweep_temp_files(library)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield unclean
        if whole_library or not unclean:  # only a run that ended normally clears the mark
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # ended cleanly: the next run need not relist
    finally:
        os.close(fd)  # releases the lock


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
