"""One bot per database: an exclusive lock on a file beside the SQLite file.

Two bot processes on one database both poll Telegram and both send every queued reply, so
users get their replies twice. The lock is an `flock` on `<database>.lock`, held for the
process's life; the operating system releases it when the process ends, even on SIGKILL, so
a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


class AlreadyRunning(RuntimeError):
    """Another process holds the database's lock."""


class DatabaseLock:
    """The held lock (keep the object alive; `release` or process exit frees it)."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def acquire(cls, database: Path) -> DatabaseLock:
        """Take the lock of `database`, or raise AlreadyRunning with a message for the operator."""
        path = database.with_name(database.name + ".lock")
        if str(database) == ":memory:":
            return cls(path, None)  # nothing to share
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise AlreadyRunning(
                f"Another Pathways bot (process {holder}) is already running on {database}. "
                "Two bots on one database would send every reply twice: stop the other one "
                f"first. (The lock is held on {path}.)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(path, fd)

    def release(self) -> None:
        """Let go of the lock (twice is harmless)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
