"""Dialect-aware INSERT … ON CONFLICT DO NOTHING, for idempotent writes on both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignore(
    session: AsyncSession, model: Any, rows: list[dict[str, Any]], *, conflict: list[str]
) -> int:
    """Insert rows whose key is new; returns how many were inserted."""
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    table = model.__table__
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing(index_elements=conflict)
    else:
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=conflict)
    # RETURNING counts what was really inserted: a driver's rowcount for a many-row
    # insert is -1 on asyncpg, and ignored conflicts return no row on either database.
    result = await session.execute(stmt.returning(table.c.id), rows)
    return len(result.all())


async def transition(
    session: AsyncSession,
    model: Any,
    *,
    record_id: int,
    only_if: Any,
    values: dict[str, Any],
) -> bool:
    """`UPDATE … SET values WHERE id = record_id AND only_if`: True if this call changed it.

    A state change (acknowledge, confirm, resolve, sign off) decided by the database, not by
    reading first: of two concurrent presses exactly one gets True, on SQLite (where
    `FOR UPDATE` does nothing) as on PostgreSQL. Objects already loaded are not touched:
    refresh them to show the state that won.
    """
    stmt = (
        update(model)
        .where(model.id == record_id, only_if)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0) == 1)
