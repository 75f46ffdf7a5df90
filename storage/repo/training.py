"""Mentor training logged: recorded one at a time, summed per mentor in one query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import MentorTraining


@dataclass(frozen=True, slots=True)
class TrainingTotal:
    sessions: int
    minutes: int


async def add(session: AsyncSession, *, training: MentorTraining) -> MentorTraining:
    session.add(training)
    await session.flush()
    return training


MANY = 2500


async def totals(
    session: AsyncSession, *, mentor_ids: Iterable[int], since: date
) -> dict[int, TrainingTotal]:
    """Sessions and minutes per mentor attended on or after `since` (set-based: one query
    for a whole digest's mentors)."""
    ids = sorted(set(mentor_ids))
    if not ids:
        return {}
    stmt = (
        select(MentorTraining.mentor_id, func.count(), func.sum(MentorTraining.minutes))
        .where(MentorTraining.attended_on >= since)
        .group_by(MentorTraining.mentor_id)
    )
    if len(ids) <= MANY:
        stmt = stmt.where(MentorTraining.mentor_id.in_(ids))
    # else digest day, most mentors: all of them once, not an IN list of tens of thousands
    # (which SQLite's limit on bound values would refuse for a large partnership).
    wanted = set(ids)
    rows = (await session.execute(stmt)).all()
    return {mentor: TrainingTotal(int(n), int(m or 0)) for mentor, n, m in rows if mentor in wanted}
