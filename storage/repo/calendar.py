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


async def is_teaching_week(session: AsyncSession, *, programme_id: int, week_start: date) -> bool:
    """A week is for teaching if a term covers its Monday and no holiday or INSET spans the
    whole working week. With no calendar imported, every week counts."""
    from datetime import timedelta

    from storage.models import CalendarEntry

    friday = week_start + timedelta(days=4)
    stmt = select(CalendarEntry).where(
        CalendarEntry.programme_id == programme_id,
        CalendarEntry.start_date <= friday,
        CalendarEntry.end_date >= week_start,
    )
    entries = list((await session.execute(stmt)).scalars().all())
    has_calendar = (
        await session.execute(
            select(CalendarEntry.id).where(CalendarEntry.programme_id == programme_id).limit(1)
        )
    ).first() is not None
    if not has_calendar:
        return True
    in_term = any(e.kind == "term" for e in entries)
    off_days = set()
    for e in entries:
        if e.kind in ("holiday", "inset"):
            day = max(e.start_date, week_start)
            while day <= min(e.end_date, friday):
                off_days.add(day)
                day += timedelta(days=1)
    return in_term and len(off_days) < 5
