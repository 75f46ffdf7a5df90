"""storage/sqlite_driver.py: the interactive path's SQLite statements on the loop's thread,
never waiting there for a lock another connection holds; and writers in this process
taking turns first come, first served (storage/sqlite_turns.py), so a background writer
is not starved by interactive ones."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from storage import sqlite_driver
from storage.db import make_engine, session_factory
from storage.models import OutboxMessage
from storage.sqlite_driver import interactive
from storage.sqlite_turns import WriteTurns, writes
from tests.stubs.slack_api import SlackApiStub
from tests.test_dispatch_processes import queue_rows
from tests.test_dispatch_retry import dispatcher


async def test_interactive_statements_run_on_the_loops_thread(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    threads: list[int] = []

    def thread_id() -> int:
        threads.append(threading.get_ident())
        return 1

    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        raw.driver_connection._conn.create_function("thread_id", 0, thread_id)  # type: ignore[union-attr]
        with interactive():
            await conn.execute(text("SELECT thread_id()"))
        await conn.execute(text("SELECT thread_id()"))
    await engine.dispose()
    assert threads[0] == threading.get_ident()  # in place
    assert threads[1] != threading.get_ident()  # in the connection's thread


class LoopTurns:
    """Counts the event loop's turns while it runs: a task that sleeps `every` seconds."""

    def __init__(self, *, every: float) -> None:
        self.every, self.turns = every, 0
        self._task: asyncio.Task[None] | None = None

    async def _count(self) -> None:
        while True:
            self.turns += 1
            await asyncio.sleep(self.every)

    def start(self) -> None:
        self._task = asyncio.create_task(self._count())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


async def test_a_held_write_lock_is_waited_for_off_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's writer holds the lock
    loop = LoopTurns(every=0.01)

    async def write() -> None:
        with interactive():
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t VALUES (1)"))

    loop.start()
    writer = asyncio.create_task(write())
    await asyncio.sleep(0.3)
    assert not writer.done() and loop.turns >= 10  # waiting, and the loop goes on meanwhile
    other.execute("COMMIT")
    await asyncio.wait_for(writer, 5)
    loop.stop()
    other.close()
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 1
    await engine.dispose()


async def test_an_interactive_transaction_holds_its_slot_for_no_turn_of_the_loop(
    tmp_path: Path,
) -> None:
    # Under load the loop has hundreds of requests to go through in each turn: a
    # transaction that waited for turns (AsyncSession closing in a task of its own) held
    # its intake slot ~60 ms for ~1 ms of work, and submissions were parked ("Saving…").
    from storage.db import session_factory, transaction

    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
    sessions = session_factory(engine)
    loop = LoopTurns(every=0)

    async def write(x: int) -> None:
        with interactive():
            async with transaction(sessions) as session:
                await session.execute(text("INSERT INTO t VALUES (:x)"), {"x": x})

    await write(0)  # the connection is made (in its thread) before counting
    loop.start()
    await asyncio.sleep(0)
    before = loop.turns
    for x in range(1, 6):
        await write(x)
    assert loop.turns == before
    loop.stop()
    async with transaction(sessions) as session:
        written = (await session.execute(text("SELECT count(*) FROM t"))).scalar_one()
    assert written == 6
    await engine.dispose()


async def test_messages_sent_while_interactions_keep_writing_are_marked_sent(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interactive writers never wait, and each holds the write lock for its handler's CPU
    time: before turns, the dispatcher's writes (the claim, then each mark of a message sent)
    polled SQLite's lock from their thread, found it held at each poll and failed with
    "database is locked" (the messages left claimed, to be sent again after their lease)."""
    monkeypatch.setattr(sqlite_driver, "WAIT_MS", 500)
    engine = make_engine(sqlite_url)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE busy_work (x INTEGER)"))
    await queue_rows(engine, 3)
    stub = await SlackApiStub().start()
    writing = True

    async def interactions() -> None:
        with interactive():
            while writing:
                async with engine.begin() as conn:
                    await conn.execute(text("INSERT INTO busy_work VALUES (1)"))
                    # A handler's work inside its transaction: the loop is not given up.
                    time.sleep(0.05)  # noqa: ASYNC251
                await asyncio.sleep(0)

    busy = [asyncio.create_task(interactions()) for _ in range(3)]
    try:
        await asyncio.sleep(0.1)
        result = await asyncio.wait_for(dispatcher(engine, stub).run_once(), 10)
        writing = False
        await asyncio.gather(*busy)
        assert result.sent == 3
        async with session_factory(engine)() as s:
            rows = (await s.execute(select(OutboxMessage))).scalars().all()
        assert [row.status for row in rows] == ["sent"] * 3
        assert len(stub.called("chat.postMessage")) == 3
        async with engine.connect() as conn:  # and the interactions went on meanwhile
            assert (await conn.execute(text("SELECT count(*) FROM busy_work"))).scalar() > 3
    finally:
        writing = False
        for task in busy:
            with contextlib.suppress(BaseException):
                await task
        await stub.close()
        await engine.dispose()


def test_a_turn_goes_to_whoever_waited_first_not_to_one_who_never_waits() -> None:
    turns = WriteTurns()
    first, waiting, barging = object(), object(), object()
    assert turns.try_take(first)
    taken = threading.Event()

    def wait_for_turn() -> None:
        if turns.take(waiting, timeout=5):
            taken.set()

    waiter = threading.Thread(target=wait_for_turn)
    waiter.start()
    while not turns.waiting():
        time.sleep(0.001)
    assert not turns.try_take(barging)  # someone is waiting: no jumping the queue
    turns.give_back(first)
    assert taken.wait(5) and turns.holder() is waiting
    assert not turns.try_take(barging)
    turns.give_back(waiting)
    assert turns.try_take(barging)
    waiter.join()


def test_a_wait_for_a_turn_ends_after_its_timeout() -> None:
    turns = WriteTurns()
    holder, other = object(), object()
    assert turns.try_take(holder)
    assert not turns.take(other, timeout=0.05)
    assert turns.waiting() == 0 and turns.holder() is holder


def test_the_first_writes_of_a_transaction_are_told_from_reads() -> None:
    assert writes("INSERT INTO t VALUES (1)")
    assert writes("  update t SET x = 1")
    assert writes("DELETE FROM t")
    assert not writes("SELECT 1")
    assert not writes("WITH q AS (SELECT 1) SELECT * FROM q")
