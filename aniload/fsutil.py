"""Atomic file writes: a file lands whole or not at all.

Every file aniload writes goes to a hidden temp file in the same folder (so the final
``os.replace`` is a rename within one filesystem, which POSIX makes atomic), is fsynced,
then renamed over the target. A crash leaves either the old file or the new one, plus at
worst a stray ``.*.aniload-tmp`` file that later runs sweep away.

Sidecars of a scan may skip the per-file fsync (``durable=False``) and be made durable
together by one ``sync_filesystem`` call at the end of the run: thousands of fsyncs cost
seconds, and a sidecar lost to a power cut only costs a rescan. Pins and everything a
user would miss (NFO, artwork) are written durable.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from aniload.errors import WriteError

TEMP_SUFFIX = ".aniload-tmp"


_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_temp_counter = itertools.count()
_pid_hex = f"{os.getpid():x}"


def _after_fork() -> None:
    global _pid_hex
    _pid_hex = f"{os.getpid():x}"


os.register_at_fork(after_in_child=_after_fork)  # forked scan workers must not share temp names


def _temp_name(folder: str, name: str, *, random: bool = False) -> str:
    """pid + counter: no getrandom() call per write (``_create_temp`` handles a taken one)."""
    if random:
        import secrets

        tag = secrets.token_hex(8)
    else:
        tag = f"{_pid_hex}-{next(_temp_counter)}"
    return os.path.join(folder, f".{name}.{tag}{TEMP_SUFFIX}")


def is_temp_name(name: str) -> bool:
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def sweep_temp_files(folder: Path | str) -> int:
    """Remove stray ``.*.aniload-tmp`` files in ``folder`` (a killed run's); return how many.

    Only for a folder no live run can be writing to (the library lock is held).
    """
    try:
        with os.scandir(folder) as it:
            stray = [e.path for e in it if is_temp_name(e.name) and not e.is_dir(follow_symlinks=False)]
    except OSError:
        return 0  # unreadable: the next run over it tries again
    removed = 0
    for path in stray:
        with contextlib.suppress(OSError):
            os.unlink(path)
            removed += 1
    return removed


def _create_temp(folder: str, name: str, created: list[str]) -> int:
    """Create the temp file for ``folder/name`` exclusively (never through a link).

    Its name goes into ``created`` before the open, so that the caller's cleanup can remove
    it even when an interrupt lands the moment the open returns. A name that is taken (a
    killed run's leftover with the same pid, a planted link) fails the open with EEXIST,
    and a random one is used instead.
    """
    created.append(_temp_name(folder, name))
    try:
        return os.open(created[0], _CREATE_FLAGS, 0o644)
    except FileExistsError:
        created[0] = _temp_name(folder, name, random=True)
        return os.open(created[0], _CREATE_FLAGS, 0o644)


def describe_os_error(exc: OSError, path: Path) -> str:
    """One line for a user: what failed, where, and the plain reason."""
    reason = {
        errno.ENOSPC: "no space left on device",
        errno.EDQUOT: "disk quota exceeded",
        errno.EROFS: "read-only file system",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    from aniload.library import display_name  # the path as a user may see it: one printable line

    return f"cannot write {display_name(os.fspath(path))}: {reason}"


@contextlib.contextmanager
def atomic_open(target: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """Yield a binary file whose content replaces ``target`` only if the block succeeds.

    On any exception the temp file is removed and ``target`` is left as it was. OS errors
    become ``WriteError`` with a one-line reason.
    """
    target = Path(target)
    tmp: list[str] = []
    landed = open_failed = False
    try:
        # The open is inside the try: a Ctrl-C that arrives during open(2) is raised the
        # moment the call returns, and the temp file it created must still be removed.
        try:
            fd = _create_temp(*os.path.split(target), tmp)
        except OSError as exc:
            open_failed = True  # nothing of ours to remove
            raise WriteError(describe_os_error(exc, target)) from exc
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh
                fh.flush()
                if durable:
                    os.fsync(fh.fileno())
            os.replace(tmp[0], target)
            landed = True
            if durable:
                fsync_dir(target.parent)
        except OSError as exc:
            raise WriteError(describe_os_error(exc, target)) from exc
    finally:
        if tmp and not (landed or open_failed):
            with contextlib.suppress(FileNotFoundError):  # gone already: interrupted after the replace
                os.unlink(tmp[0])


def read_regular_file(path: Path, *, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (or a link to one) of at most ``limit`` bytes.

    Opened non-blocking, so that a FIFO or a device under a name aniload reads (a user's
    tvshow.nfo) can neither stall the run nor feed it without end; those raise OSError.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", os.fspath(path))
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 20):
            total += len(chunk)
            if total > limit:
                raise OSError(errno.EFBIG, f"larger than {limit} bytes", os.fspath(path))
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def atomic_write(target: Path | str, data: bytes, *, durable: bool = True) -> None:
    """``atomic_open`` for bytes already in hand, without its per-call overhead.

    A scan writes thousands of sidecars; plain os calls here cost half of the file-object
    route. Same guarantees: temp file in the same folder, fsync if durable, rename, and
    the temp file removed on any failure or interrupt.
    """
    target = os.fspath(target)
    folder = os.path.dirname(target)
    tmp: list[str] = []
    landed = open_failed = False
    try:
        try:
            fd = _create_temp(folder, os.path.basename(target), tmp)
        except OSError as exc:
            open_failed = True
            raise WriteError(describe_os_error(exc, Path(target))) from exc
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                if durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp[0], target)
            landed = True
            if durable:
                fsync_dir(Path(folder or "."))
        except OSError as exc:
            raise WriteError(describe_os_error(exc, Path(target))) from exc
    finally:
        if tmp and not (landed or open_failed):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp[0])


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (the directory entry itself)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on directories; the data itself is synced
    finally:
        os.close(fd)


_syncfs = None


def sync_filesystem(path: Path) -> None:
    """Flush every pending write of the filesystem holding ``path`` with one call.

    Linux's syncfs(2) limits the flush to that filesystem; elsewhere os.sync() does all.
    """
    global _syncfs
    if _syncfs is None:
        import ctypes  # only here: most commands never sync

        try:  # the running process's own C library; no slow find_library() lookup
            _syncfs = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", False)
        except OSError:
            _syncfs = False
    if _syncfs:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            os.sync()
            return
        try:
            if _syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    os.sync()
