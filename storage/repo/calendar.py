"""The programme calendar: terms, holidays, INSET days and review points."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import ReviewPoint


async def review_point(session: AsyncSession, *, review_point_id: int) -> ReviewPoint | None:
    return await session.get(ReviewPoint, review_point_id)


async def current_review_point(
    session: AsyncSession, *, programme_id: int, on: date
) -> ReviewPoint | None:
    """The latest review point that has started by `on`."""
    stmt = (
        select(ReviewPoint)
        .where(ReviewPoint.programme_id == programme_id, ReviewPoint.start_date <= on)
        .order_by(ReviewPoint.start_date.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()
