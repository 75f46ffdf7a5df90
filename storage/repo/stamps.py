"""What changed since a process last read: the roster's stamp, and the rows appended to
the append-only tables a sweep keeps between ticks (ratings, outbox keys), by id."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChangeStamp, OutboxMessage, RagRating
from storage.repo.sweeps import _core


async def roster(session: AsyncSession) -> int:
    """The roster's version: moved on by the database's own triggers (revision 0016)."""
    stmt = select(ChangeStamp.version).where(ChangeStamp.name == "roster")
    return int((await _core(session, stmt)).scalar_one_or_none() or 0)


async def marks(session: AsyncSession) -> tuple[int, int]:
    """The newest rating's id and the newest outbox row's id: where a later delta starts."""
    stmt = select(
        select(func.coalesce(func.max(RagRating.id), 0)).scalar_subquery(),
        select(func.coalesce(func.max(OutboxMessage.id), 0)).scalar_subquery(),
    )
    rating, outbox = (await _core(session, stmt)).one()
    return int(rating), int(outbox)


async def rated_since(session: AsyncSession, *, after_id: int) -> set[tuple[int, int]]:
    """(placement, review point) pairs rated by ratings newer than `after_id`."""
    stmt = (
        select(RagRating.placement_id, RagRating.review_point_id)
        .where(
            RagRating.id > after_id,
            RagRating.placement_id.is_not(None),
            RagRating.review_point_id.is_not(None),
        )
        .distinct()
    )
    return {(pid, rp) for pid, rp in (await _core(session, stmt)).all()}


async def keys_since(session: AsyncSession, *, after_id: int) -> set[str]:
    """Outbox keys of the rows newer than `after_id`."""
    stmt = select(OutboxMessage.key).where(OutboxMessage.id > after_id)
    return set((await _core(session, stmt)).scalars().all())
