"""Schema migrations (Alembic) run from our own async engine, and the is-it-current check."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

UPGRADE_HINT = "mentorbot db upgrade"


class DatabaseBehindError(RuntimeError):
    """The database schema is older than this version of mentorbot."""


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "storage:migrations")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return heads[0]


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> tuple[str | None, str]:
    """Bring the schema to `revision`; returns (revision before, revision after)."""
    before = await current_revision(engine)

    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)
    return before, head_revision() if revision == "head" else revision


async def ensure_current(engine: AsyncEngine) -> None:
    """Refuse to run on a database whose schema is behind (or unknown to) this code."""
    current = await current_revision(engine)
    head = head_revision()
    if current != head:
        state = "empty" if current is None else f"at revision {current}"
        raise DatabaseBehindError(
            f"the database is {state} but this mentorbot needs revision {head}; "
            f"run `{UPGRADE_HINT}` first"
        )
