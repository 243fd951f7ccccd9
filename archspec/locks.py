"""Exclusive locks on a folder (a run directory, a sweep directory) held by one process.

`hold_lock(path)` takes an flock on `path` without waiting: atomic (two processes can never
both hold it), and released by the kernel when the holder exits, even after kill -9, so a lock
is never stale.  The file keeps the holder's process id, for the message the loser gets.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from archspec.errors import ArchspecError


class Lock:
    """A held lock; `release()` (or the end of the process) gives it up."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path, self.fd = path, fd

    def release(self) -> None:
        if self.fd >= 0:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = -1


def hold_lock(path: Path, holder: str) -> Lock:
    """Take the lock at `path` or raise ArchspecError("<holder> (process N) is running here")."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        raise ArchspecError(
            f"{holder} (process {pid}) is running here; wait for it or stop it first"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return Lock(path, fd)


def alive(pid: int) -> bool:
    """Whether a process with this id exists (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
