"""The programme calendar: terms, holidays, INSET days and review points."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.calendar_rules import ProgrammeCalendar, Span
from storage.models import CalendarEntry, ReviewPoint, SchoolClosure


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


async def programme_calendar(session: AsyncSession, *, programme_id: int) -> ProgrammeCalendar:
    stmt = select(CalendarEntry.kind, CalendarEntry.start_date, CalendarEntry.end_date).where(
        CalendarEntry.programme_id == programme_id
    )
    return ProgrammeCalendar.of((await session.execute(stmt)).all())


async def all_calendars(session: AsyncSession) -> dict[int, ProgrammeCalendar]:
    """Every programme's calendar, in one query (the sweeps need them all)."""
    stmt = select(
        CalendarEntry.programme_id,
        CalendarEntry.kind,
        CalendarEntry.start_date,
        CalendarEntry.end_date,
    )
    calendars: dict[int, ProgrammeCalendar] = {}
    for programme_id, kind, start, end in (await session.execute(stmt)).all():
        calendars.setdefault(programme_id, ProgrammeCalendar()).spans.append(Span(kind, start, end))
    return calendars


async def school_closures(session: AsyncSession) -> dict[int, list[Span]]:
    """The days each school alone is closed (its own INSET days), by school id."""
    stmt = select(SchoolClosure.school_id, SchoolClosure.start_date, SchoolClosure.end_date)
    closures: dict[int, list[Span]] = {}
    for school_id, start, end in (await session.execute(stmt)).all():
        closures.setdefault(school_id, []).append(Span("inset", start, end))
    return closures


async def is_teaching_week(session: AsyncSession, *, programme_id: int, week_start: date) -> bool:
    calendar = await programme_calendar(session, programme_id=programme_id)
    return calendar.is_teaching_week(week_start)
