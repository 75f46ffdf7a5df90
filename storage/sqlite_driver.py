"""SQLite statements without the trips to aiosqlite's thread (#17, target 1).

aiosqlite runs each SQLite connection in a thread of its own, and every call on it is a
round trip to that thread (a future, a queue put, a thread switch, the event loop woken
through its self-pipe). SQLAlchemy's adapter made four per statement (open a cursor,
execute, fetch, close), about fourteen for a weekly sign-off. Worse than their CPU: each
trip hands the event loop to everything else that is ready, so under load (200 requests
being parsed) a transaction holding SQLite's one write lock waited a whole loop turn at
every statement, and the other writers waited for it, in SQLite's busy handler (sleeps of
1 to 100 ms). At 200 concurrent submissions a slot was held ~100 ms for ~3 ms of work and
the intake parked most of them ("Saving…").

`one_trip` (a "connect" listener on our SQLite engines) swaps each connection's adapter
for one whose statements, commits and rollbacks run:

- *in place*, on the event loop's thread, inside `interactive()` (the handlers' short
  transactions). A statement there cannot wait for a lock: the connection's busy timeout
  is 0, and a statement SQLite answers "busy" (another connection holds the write lock)
  is done again in the connection's thread with the usual wait, so a busy database stalls
  that interaction, never the loop. Between begin and commit such a transaction gives the
  loop up only where a handler awaits something else (a platform lookup), so it holds the
  write lock for its own CPU time, not for loop turns;
- otherwise in *one* trip to the connection's thread (statement, rows, cursor closed
  there), so the scheduler's and the reports' long reads never block the loop.

A transaction's first write (in place or in the thread) first takes the connection's turn
at writing (storage/sqlite_turns.py), given back when the transaction ends: in place only
if nobody is waiting for one, else in the thread, in line. So a background writer waiting
for the lock is not starved by interactive writers that never wait.

Nothing else changes: the same sqlite3 connection, statements, transactions and errors.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import sqlite3
import time
import weakref
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.util import await_

from storage import sqlite_turns
from storage.sqlite_turns import WriteTurns

_Outcome = tuple[Any, list[Any], int, int | None]
_IN_PLACE: ContextVar[bool] = ContextVar("mentorbot_sqlite_in_place", default=False)
# The wait for the write lock of a statement done in the connection's thread (the busy
# timeout the connection had before, storage.db's).
WAIT_MS = 5000
# Each aiosqlite connection's turns at writing (those of its database file).
_TURNS: weakref.WeakKeyDictionary[Any, WriteTurns] = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def interactive() -> Iterator[None]:
    """SQLite statements in this block (and the tasks it starts) run on the loop's thread."""
    token = _IN_PLACE.set(True)
    try:
        yield
    finally:
        _IN_PLACE.reset(token)


def in_place() -> bool:
    """Whether SQLite statements now run on the loop's thread (inside `interactive()`)."""
    return _IN_PLACE.get()


def _busy(exc: BaseException) -> bool:
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc)
    return "database is locked" in text or "database is busy" in text


def _run(conn: sqlite3.Connection, operation: Any, parameters: Any, many: bool) -> _Outcome:
    """The statement, its rows, and the cursor closed."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _waiting(
    conn: sqlite3.Connection, turns: WriteTurns | None, write: bool, work: Any, *args: Any
) -> Any:
    """In the connection's thread: `work` allowed to wait, first for its turn at writing
    (when it is a transaction's first write), then for SQLite's write lock; WAIT_MS in all."""
    start = time.monotonic()
    if write and turns is not None and not turns.take(conn, WAIT_MS / 1000):
        raise sqlite3.OperationalError("database is locked")
    left = WAIT_MS - int((time.monotonic() - start) * 1000)
    conn.execute(f"PRAGMA busy_timeout={max(left, 1)}")
    try:
        return work(conn, *args)
    finally:
        conn.execute("PRAGMA busy_timeout=0")
        _ended(conn, turns)


def _ended(conn: sqlite3.Connection, turns: WriteTurns | None) -> None:
    """After each operation: the turn given back once no transaction is open (committed,
    rolled back, or a write that ran on its own)."""
    if turns is not None and not conn.in_transaction:
        turns.give_back(conn)


def _commit(conn: sqlite3.Connection) -> None:
    conn.commit()


def _rollback(conn: sqlite3.Connection) -> None:
    conn.rollback()


async def _do(aio: Any, work: Any, *args: Any, write: bool = False) -> Any:
    """`work` on the connection: in place when interactive (the thread only when busy or
    when this write must wait its turn). `write`: the statement may begin a transaction's
    writes, for which the connection takes its turn first."""
    conn: sqlite3.Connection = aio._conn
    turns = _TURNS.get(aio)
    if not _IN_PLACE.get():
        return await aio._execute(_waiting, conn, turns, write, work, *args)
    if not write or turns is None or turns.try_take(conn):
        try:
            return work(conn, *args)
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
        finally:
            _ended(conn, turns)
    # Waiting in the thread. Cancelled meanwhile, the statement is let finish before the
    # cancellation goes on: the rollback that follows runs in place, and must not
    # overtake it (a statement after its rollback would leave a transaction open).
    trip = asyncio.ensure_future(aio._execute(_waiting, conn, turns, write, work, *args))
    try:
        return await asyncio.shield(trip)
    except asyncio.CancelledError:
        with contextlib.suppress(BaseException):
            await trip
        raise


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor: each statement in place or in one trip (see the module)."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no aiosqlite cursor, no trip
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _trip(self, operation: Any, parameters: Any, many: bool) -> None:
        async with self._adapt_connection._execute_mutex:
            outcome: _Outcome = await _do(
                self._connection,
                _run,
                operation,
                parameters,
                many,
                write=sqlite_turns.writes(operation),
            )
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._trip(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._trip(operation, seq_of_parameters, True)

    async def _async_soft_close(self) -> None:
        """Nothing to close: the cursor was closed after its statement."""

    def close(self) -> None:
        self._rows.clear()


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor

    def commit(self) -> None:
        try:
            await_(_do(self._connection, _commit))
        except Exception as error:
            self._handle_exception(error)

    def rollback(self) -> None:
        try:
            await_(_do(self._connection, _rollback))
        except Exception as error:
            self._handle_exception(error)

    def close(self) -> None:
        self._give_turn_back()
        super().close()

    def terminate(self) -> None:
        self._give_turn_back()
        super().terminate()

    def _give_turn_back(self) -> None:
        # A connection closed (or dropped) inside a transaction must not keep the others
        # waiting for a turn it will never give back.
        turns, conn = _TURNS.get(self._connection), self._connection._connection
        if turns is not None and conn is not None:
            turns.give_back(conn)


def one_trip(dbapi_connection: Any, _record: Any) -> None:
    """A "connect" listener (before storage.db's pragmas, whose busy timeout it replaces):
    this connection's statements as the module says."""
    if type(dbapi_connection) is AsyncAdapt_aiosqlite_connection:
        dbapi_connection.__class__ = OneTripConnection
        aio = dbapi_connection._connection
        # The file's path as SQLite resolved it ("" in memory): every engine of this
        # process on one file shares its turns.
        path = next((row[2] for row in aio._conn.execute("PRAGMA database_list")), "")
        turns = sqlite_turns.for_file(path)
        if turns is not None:
            _TURNS[aio] = turns
