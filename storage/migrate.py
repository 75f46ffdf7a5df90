"""Schema migrations (Alembic) run from our own async engine, and the is-it-current check.

The check runs at every start of `serve` (and of the commands that write), so it uses no
Alembic: importing Alembic (its runtime, every dialect's DDL) was a tenth of a second of
`serve`'s start-up. It reads the database's revision from Alembic's version table and the
newest revision from the migration scripts' own `revision`/`down_revision` lines; when
those lines are not plain, Alembic is asked after all.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

UPGRADE_HINT = "mentorbot db upgrade"
VERSIONS = Path(__file__).parent / "migrations" / "versions"
VERSION_TABLE = "alembic_version"  # Alembic's default, which storage/migrations/env.py keeps
# `revision: str = "0016"` and `down_revision: str | None = "0015"` at a script's top.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*$", re.M)


class DatabaseBehindError(RuntimeError):
    """The database schema is older than this version of mentorbot."""


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "storage:migrations")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision, as Alembic works it out from the scripts."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return heads[0]


def shipped_head() -> str:
    """The newest revision, read from the scripts' text without importing Alembic (or
    Alembic's answer when a script's lines are not plain: a merge, a computed value)."""
    found = _heads_from_text()
    return found if found is not None else head_revision()


def _heads_from_text() -> str | None:
    revisions: set[str] = set()
    superseded: set[str] = set()
    for script in VERSIONS.glob("*.py"):
        lines = dict(_REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        if "revision" not in lines:
            continue  # not a revision (the package's __init__)
        try:
            revision = ast.literal_eval(lines["revision"])
            down = ast.literal_eval(lines.get("down_revision", "None"))
        except (ValueError, SyntaxError):
            return None
        if not isinstance(revision, str) or not (down is None or isinstance(down, str)):
            return None
        revisions.add(revision)
        if down is not None:
            superseded.add(down)
    heads = revisions - superseded
    return heads.pop() if len(heads) == 1 else None


def _current(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    # Several rows would be several branches (never this project's): shown, never current.
    return ", ".join(sorted(rows)) or None


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> tuple[str | None, str]:
    """Bring the schema to `revision`; returns (revision before, revision after)."""
    from alembic import command

    before = await current_revision(engine)

    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)
    return before, head_revision() if revision == "head" else revision


async def ensure_current(engine: AsyncEngine) -> None:
    """Refuse to run on a database whose schema is behind (or unknown to) this code."""
    current = await current_revision(engine)
    head = shipped_head()
    if current != head:
        state = "empty" if current is None else f"at revision {current}"
        raise DatabaseBehindError(
            f"the database is {state} but this mentorbot needs revision {head}; "
            f"run `{UPGRADE_HINT}` first"
        )
