"""Engines and sessions. SQLite is the embedded default; PostgreSQL the scale-out one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_driver

SQLITE_BUSY_TIMEOUT_MS = sqlite_driver.WAIT_MS


class DatabaseUrlError(ValueError):
    """A DATABASE_URL that names no database we support."""


def async_url(url: str) -> URL:
    """Accept plain `sqlite:///…` / `postgresql://…` and choose the async driver for the user."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a long message
        raise DatabaseUrlError(f"DATABASE_URL is not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    raise DatabaseUrlError(
        f"DATABASE_URL uses {backend!r}; mentorbot supports sqlite:/// and postgresql:// URLs"
    )


def sync_url(url: str) -> URL:
    """The same database through a synchronous driver (APScheduler's job store needs one)."""
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite")
    return parsed.set(drivername="postgresql+psycopg")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; SQLite leaves foreign keys off by
    # default. A second writer waits for the lock (SQLITE_BUSY_TIMEOUT_MS) only in the
    # connection's thread: storage/sqlite_driver.py sets the timeout around each statement
    # it does there; on the event loop's thread a statement must not wait at all.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_not_durable(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


POOL_SIZE = 12
# Interactions run in at most this many at once (handlers.intake); the rest of the pool
# stays free for the scheduler, the dispatcher and the health check.
INTERACTION_SLOTS = POOL_SIZE - 4


def json_text(value: Any) -> str:
    """A JSON column's text, as the standard library would write it but in C (a sweep writes
    tens of thousands of message payloads). Keys that are not strings become strings, as
    json.dumps makes them."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str, *, durable: bool = True, **kwargs: Any) -> AsyncEngine:
    """`durable=False` (a throwaway SQLite database, e.g. the demo's) skips waiting for the
    disk on commit."""
    parsed = async_url(url)
    kwargs.setdefault("json_serializer", json_text)
    kwargs.setdefault("json_deserializer", orjson.loads)
    # SQL parameters carry names, e-mails and typed text: never in logs or error messages.
    kwargs.setdefault("hide_parameters", True)
    # A bounded pool, no overflow: load waits in handlers.intake (and is parked there when
    # it cannot be served in time), never in a pool that fails after a timeout.
    if parsed.database not in (None, "", ":memory:") and "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", POOL_SIZE)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", 60)
    if parsed.get_backend_name() == "sqlite":
        # check_same_thread: the interactive path's statements run on the loop's thread
        # (storage/sqlite_driver.py), never at the same time as the connection's thread.
        connect_args = {"timeout": 30, "check_same_thread": False}
        engine = create_async_engine(parsed, connect_args=connect_args, **kwargs)
        event.listen(engine.sync_engine, "connect", sqlite_driver.one_trip)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        if not durable:
            event.listen(engine.sync_engine, "connect", _sqlite_not_durable)
        return engine
    return create_async_engine(parsed, pool_pre_ping=True, **kwargs)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def engine_of(sessions: async_sessionmaker[AsyncSession]) -> AsyncEngine:
    """The engine a session factory was made on (for a library that wants the engine)."""
    bind = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        raise TypeError("this session factory is not bound to an async engine")
    return bind


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: committed if the block finishes, rolled back whole if it raises."""
    session = sessions()
    try:
        async with session.begin():
            yield session
    finally:
        if sqlite_driver.in_place() and _is_sqlite(session):
            # Done in place, nothing in a close waits, so nothing can interrupt it: closed
            # directly. AsyncSession's own exit closes in a task of its own behind a
            # shield, three more turns of the loop, each behind everything else the loop
            # has to do, all the while holding the connection and an interaction's slot.
            await session.close()
        else:
            await session.__aexit__(None, None, None)


def _is_sqlite(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "sqlite"


# Rows an import must have written before the planner's statistics are brought up to date.
RESTATS_AFTER = 1000


async def refresh_statistics(
    sessions: async_sessionmaker[AsyncSession], tables: list[str], *, written: int
) -> None:
    """After a bulk import on PostgreSQL, ANALYZE the tables it filled. Until autovacuum
    gets to them the planner guesses their sizes, and the first sweep on a fresh deployment
    (which comes straight after the import) took slow plans. SQLite keeps no statistics
    unless asked, and its plans were chosen without them."""
    bind = sessions.kw.get("bind")
    if written < RESTATS_AFTER or not isinstance(bind, AsyncEngine):
        return
    if bind.dialect.name != "postgresql":
        return
    async with bind.connect() as connection:
        for name in tables:
            await connection.exec_driver_sql(f'ANALYZE "{name}"')  # our own table names
        await connection.commit()


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked": another writer won; the transaction can be retried."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig or exc)


def is_overload(exc: BaseException) -> bool:
    """The database could not serve this now (locked past its wait, or no connection free
    in time): the work should wait and be done later, not be reported as an error."""
    return is_busy(exc) or isinstance(exc, PoolTimeout)


async def ping(engine: AsyncEngine) -> bool:
    """True when the database answers (the health check)."""
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
