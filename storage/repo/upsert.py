"""Dialect-aware INSERT … ON CONFLICT DO NOTHING, for idempotent writes on both databases."""

from __future__ import annotations

from typing import Any

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
