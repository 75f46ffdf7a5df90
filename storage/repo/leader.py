"""Electing one scheduler among several instances sharing a database.

PostgreSQL: the leader holds a session-level advisory lock on a connection of its own; if
its process dies, PostgreSQL drops the connection and the lock with it, and a standby that
tries again takes over.

SQLite: the processes sharing a database file (`serve --workers N`, or a `worker` beside
`serve`) take an exclusive flock on a file beside it, `<database>.leader`; the kernel drops
it when the process dies. Within one process every instance leads, as before: the lock is
held once per process and shared. (Not the database file itself: closing any descriptor
of that file would drop SQLite's own POSIX locks.) An in-memory database is one process's
own, so its one instance always leads.
"""

from __future__ import annotations

import fcntl
import os

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# An arbitrary constant: "mentorbot scheduler" as a 63-bit number.
LOCK_KEY = 0x6D656E746F72

# The SQLite leader files this process holds: path -> (descriptor, instances holding it).
_files: dict[str, tuple[int, int]] = {}


class LeaderLock:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.connection: AsyncConnection | None = None
        self._file: str | None = None  # the SQLite leader file this instance holds
        self.held = False  # whether this instance led at its last try

    @property
    def shared(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def try_acquire(self) -> bool:
        """True while this process is the leader; cheap to call on every tick."""
        if self.shared:
            self.held = await self._try_advisory()
        else:
            self.held = self._try_file()
        return self.held

    async def release(self) -> None:
        self.held = False
        self._release_file()
        if self.connection is not None:
            try:
                await self.connection.execute(
                    text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY}
                )
                await self.connection.commit()
            finally:
                await self._drop()

    async def _try_advisory(self) -> bool:
        if self.connection is not None:
            try:
                await self.connection.execute(text("SELECT 1"))
                return True
            except Exception:
                await self._drop()
        connection = await self.engine.connect()
        got = (
            await connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY})
        ).scalar()
        await connection.commit()
        if got:
            self.connection = connection
            return True
        await connection.close()
        return False

    def _try_file(self) -> bool:
        if self._file is not None:
            return True
        path = _leader_file(self.engine)
        if path is None:
            return True
        if path in _files:
            fd, holders = _files[path]
            _files[path] = (fd, holders + 1)
        else:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            _files[path] = (fd, 1)
        self._file = path
        return True

    def _release_file(self) -> None:
        path, self._file = self._file, None
        if path is None or path not in _files:
            return
        fd, holders = _files[path]
        if holders > 1:
            _files[path] = (fd, holders - 1)
            return
        del _files[path]
        os.close(fd)  # closing the only descriptor drops the flock

    async def _drop(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                await connection.close()
            except Exception:
                await connection.invalidate()


def _leader_file(engine: AsyncEngine) -> str | None:
    """The lock file beside a SQLite database file, or None for an in-memory database."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return os.path.abspath(database) + ".leader"
