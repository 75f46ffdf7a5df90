"""storage/sqlite_driver.py: the interactive path's SQLite statements on the loop's thread,
never waiting there for a lock another connection holds."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text

from storage.db import make_engine
from storage.sqlite_driver import interactive


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


async def test_a_held_write_lock_is_waited_for_off_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's writer holds the lock
    turns = 0

    async def turning() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0.01)

    async def write() -> None:
        with interactive():
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t VALUES (1)"))

    ticker = asyncio.create_task(turning())
    writer = asyncio.create_task(write())
    await asyncio.sleep(0.3)
    assert not writer.done() and turns >= 10  # waiting, and the loop goes on meanwhile
    other.execute("COMMIT")
    await asyncio.wait_for(writer, 5)
    ticker.cancel()
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
    turns = 0

    async def turning() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    async def write(x: int) -> None:
        with interactive():
            async with transaction(sessions) as session:
                await session.execute(text("INSERT INTO t VALUES (:x)"), {"x": x})

    await write(0)  # the connection is made (in its thread) before counting
    ticker = asyncio.create_task(turning())
    await asyncio.sleep(0)
    before = turns
    for x in range(1, 6):
        await write(x)
    assert turns == before
    ticker.cancel()
    async with transaction(sessions) as session:
        written = (await session.execute(text("SELECT count(*) FROM t"))).scalar_one()
    assert written == 6
    await engine.dispose()
