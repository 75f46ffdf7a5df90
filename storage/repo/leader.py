"""Electing one scheduler among several instances sharing a PostgreSQL database.

The leader holds a session-level advisory lock on a connection of its own; if its
process dies, PostgreSQL drops the connection and the lock with it, and a standby that
tries again takes over. SQLite is one process's database: its one instance always leads.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# An arbitrary constant: "mentorbot scheduler" as a 63-bit number.
LOCK_KEY = 0x6D656E746F72


class LeaderLock:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.connection: AsyncConnection | None = None

    @property
    def shared(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def try_acquire(self) -> bool:
        """True while this process is the leader; cheap to call on every tick."""
        if not self.shared:
            return True
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

    async def release(self) -> None:
        if self.connection is not None:
            try:
                await self.connection.execute(
                    text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY}
                )
                await self.connection.commit()
            finally:
                await self._drop()

    async def _drop(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                await connection.close()
            except Exception:
                await connection.invalidate()
