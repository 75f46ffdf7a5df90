"""Which mentors a person may look up for mentor quality, by name or e-mail."""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import Person, Placement


async def mentors_matching(
    session: AsyncSession, query: str, *, school_ids: frozenset[int] | None, limit: int = 5
) -> list[tuple[int, str]]:
    """Mentors (id, name) of placements in these schools (None: anywhere) whose e-mail is
    the query or whose name contains it."""
    text = query.strip().lower()
    stmt = (
        select(Person.id, Person.full_name)
        .join(Placement, Placement.mentor_id == Person.id)
        .where(or_(Person.email == text, func.lower(Person.full_name).contains(text)))
    )
    if school_ids is not None:
        stmt = stmt.where(Placement.school_id.in_(school_ids))
    stmt = stmt.distinct().order_by(Person.full_name).limit(limit)
    return [(int(pid), name) for pid, name in (await session.execute(stmt)).all()]


async def mentors_schools(session: AsyncSession, mentor_id: int) -> frozenset[int]:
    """The schools where this person has mentored a trainee."""
    stmt = select(Placement.school_id).where(Placement.mentor_id == mentor_id).distinct()
    return frozenset((await session.execute(stmt)).scalars())


async def name_of(session: AsyncSession, person_id: int) -> str | None:
    person = await session.get(Person, person_id)
    return person.full_name if person is not None else None
