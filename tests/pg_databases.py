"""Per-test PostgreSQL databases, made ahead of time and dropped afterwards on a thread.

Every PostgreSQL test gets its own database copied from a migrated template. Made and
dropped in the test's own setup and teardown, that cost 0.5 s to create and 1.3-2 s to
drop per test on the 2-core CI machines (DROP DATABASE waits for the disk): minutes of a
run spent waiting. Here one thread, with one admin connection, keeps a few copies ready
and drops used ones in the background, so the server does that work while tests run.
"""

from __future__ import annotations

import asyncio
import itertools
import queue
import threading
import uuid

import asyncpg

AHEAD = 3  # copies kept ready: a test rarely waits, and few are left over to drop
_CREATE, _DROP, _STOP = 0, 1, 2  # what the thread does first when several are asked


class PgDatabases:
    def __init__(self, admin_dsn: str, template: str) -> None:
        self._dsn = admin_dsn
        self._template = template
        self._ready: queue.Queue[str | BaseException] = queue.Queue()
        self._work: queue.PriorityQueue[tuple[int, int, str]] = queue.PriorityQueue()
        self._order = itertools.count()  # keeps the queue's order stable within a priority
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="pg-databases", daemon=True)
        for _ in range(AHEAD):
            self._ask(_CREATE)
        self._thread.start()

    def take(self) -> str:
        """A fresh database's name (its copy of the template); one more is started."""
        self._ask(_CREATE)
        got = self._ready.get(timeout=120)
        if isinstance(got, BaseException):
            raise got
        return got

    def give_back(self, name: str) -> None:
        self._ask(_DROP, name)

    def close(self) -> None:
        """Drops what is used and what was made ahead, then ends the thread."""
        self._closing = True  # copies still asked for are not made
        self._ask(_STOP)
        self._thread.join(timeout=300)

    def _ask(self, what: int, name: str = "") -> None:
        self._work.put((what, next(self._order), name))

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        conn = await asyncpg.connect(self._dsn)
        try:
            while True:
                what, _, name = await asyncio.to_thread(self._work.get)
                if what == _STOP:
                    break
                if what == _CREATE:
                    if not self._closing:
                        await self._create(conn)
                else:
                    await _drop(conn, name)
            await self._drop_rest(conn)
        finally:
            await conn.close()

    async def _create(self, conn: asyncpg.Connection) -> None:
        name = f"mb_{uuid.uuid4().hex[:12]}"
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        except Exception as exc:  # the test that takes it fails with the reason
            self._ready.put(exc)
            return
        self._ready.put(name)

    async def _drop_rest(self, conn: asyncpg.Connection) -> None:
        while not self._work.empty():
            what, _, name = self._work.get_nowait()
            if what == _DROP:
                await _drop(conn, name)
        while not self._ready.empty():
            got = self._ready.get_nowait()
            if isinstance(got, str):
                await _drop(conn, got)


async def _drop(conn: asyncpg.Connection, name: str) -> None:
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
