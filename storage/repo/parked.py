"""Parked interactions: kept when the bot was busy, claimed and handled later."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy import false as sa_false
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import ParkedInteraction
from storage.repo.upsert import insert_ignore


async def park(session: AsyncSession, rows: list[dict[str, Any]], *, now: datetime) -> int:
    """Keep interactions (platform, workspace_id, external_id, event_key, interaction);
    one already parked under the same key is kept once."""
    full = [
        {"attempts": 0, "next_attempt_at": now, "received_at": now, "priority": 0, **row}
        for row in rows
    ]
    return await insert_ignore(session, ParkedInteraction, full, conflict=["platform", "event_key"])


async def claim(
    session: AsyncSession, *, now: datetime, limit: int, lease: timedelta
) -> list[ParkedInteraction]:
    """Take up to `limit` due rows, what people typed first, then oldest first; each is due
    again after `lease` unless its handling deletes it (a process that died holding it
    loses nothing)."""
    stmt = (
        select(ParkedInteraction)
        .where(ParkedInteraction.next_attempt_at <= now)
        .order_by(ParkedInteraction.priority, ParkedInteraction.id)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    else:
        # SQLite: take the write lock before reading, so that another process claiming at
        # the same moment reads after this claim commits instead of claiming the same rows
        # (a write statement takes the lock even when it changes nothing).
        await session.execute(
            update(ParkedInteraction).where(sa_false()).values(attempts=ParkedInteraction.attempts)
        )
    rows = list((await session.execute(stmt)).scalars().all())
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + lease * row.attempts
    await session.flush()
    return rows


async def give_back(session: AsyncSession, *, platform: str, event_key: str) -> None:
    """A claim that could not be tried (the database was too busy): due again now, and it
    does not count as an attempt."""
    await session.execute(
        update(ParkedInteraction)
        .where(ParkedInteraction.platform == platform, ParkedInteraction.event_key == event_key)
        .values(
            attempts=ParkedInteraction.attempts - 1,
            next_attempt_at=ParkedInteraction.received_at,
        )
    )


async def drop(session: AsyncSession, *, platform: str, event_key: str) -> None:
    await session.execute(
        delete(ParkedInteraction).where(
            ParkedInteraction.platform == platform, ParkedInteraction.event_key == event_key
        )
    )


async def waiting(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many are parked, and since when the oldest (for health and status)."""
    stmt = select(func.count(), func.min(ParkedInteraction.received_at))
    count, oldest = (await session.execute(stmt)).one()
    return int(count), oldest
