"""Shared fixtures: a freshly migrated database per test, on SQLite and PostgreSQL.

Each test gets its own database copied from a template migrated once per run, so no test
sees another's data and the order tests run in never matters.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import logs as bot_logs
from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from tests.pg_databases import PgDatabases

PG_ENV = "MENTORBOT_TEST_DATABASE_URL"
BACKENDS = ["sqlite", "postgres"]


def _pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV)


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _pg_admin(statement: str) -> None:
    admin = make_engine(_pg_admin_url() or "", isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(_migrate(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    admin = _pg_admin_url()
    if not admin:
        yield None
        return
    name = f"mb_tpl_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    asyncio.run(_migrate(make_url(admin).set(database=name).render_as_string(False)))
    yield name
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_databases(pg_template: str | None) -> Iterator[PgDatabases | None]:
    """Copies of the template made ahead and dropped behind, on a thread of their own."""
    admin = _pg_admin_url()
    if not admin or pg_template is None:
        yield None
        return
    dsn = make_url(admin).set(drivername="postgresql").render_as_string(False)
    databases = PgDatabases(dsn, pg_template)
    yield databases
    databases.close()


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    pg_databases: PgDatabases | None,
) -> Iterator[str]:
    """A migrated, empty database URL (plain, as a user would write it)."""
    if request.param == "sqlite":
        path = tmp_path / "mentorbot.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    admin = _pg_admin_url()
    if not admin or pg_databases is None:
        pytest.skip(f"{PG_ENV} is not set")
    name = pg_databases.take()
    yield make_url(admin).set(database=name).render_as_string(False)
    pg_databases.give_back(name)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite database only, for tests that are not about the backend."""
    path = tmp_path / "mentorbot.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(db_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
def log_everything() -> Iterator[io.StringIO]:
    """All loggers enabled at their defaults, the root at DEBUG via `configure`, into a buffer;
    put back as it was afterwards, so no other test sees the change."""
    manager = logging.Logger.manager
    existing = [
        logging.getLogger(name)
        for name, obj in list(manager.loggerDict.items())
        if isinstance(obj, logging.Logger)
    ]
    saved = [(lg, lg.level, lg.disabled, lg.propagate) for lg in existing]
    root = logging.getLogger()
    root_saved = (root.level, list(root.handlers))
    for lg in existing:
        lg.setLevel(logging.NOTSET)
        lg.disabled = False
        lg.propagate = True
    buffer = io.StringIO()
    bot_logs.configure(logging.DEBUG, stream=buffer)
    yield buffer
    for lg, level, disabled, propagate in saved:
        lg.setLevel(level)
        lg.disabled = disabled
        lg.propagate = propagate
    root.setLevel(root_saved[0])
    root.handlers[:] = root_saved[1]
