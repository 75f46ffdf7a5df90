"""Whose evidence a person may see, from the roster (asked again each time a link opens)."""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.enums import Role
from storage.models import Person, PersonRole, Placement

PARTNERSHIP_ROLES = frozenset({Role.ITT_LEAD, Role.ADMIN})


async def roles_of(session: AsyncSession, person_id: int) -> frozenset[str]:
    stmt = select(PersonRole.role).where(PersonRole.person_id == person_id)
    return frozenset((await session.execute(stmt)).scalars())


async def schools_led(session: AsyncSession, person_id: int) -> frozenset[int]:
    """The schools where this person is the lead mentor of at least one placement."""
    stmt = select(Placement.school_id).where(Placement.lead_mentor_id == person_id).distinct()
    return frozenset((await session.execute(stmt)).scalars())


async def school_scope(
    session: AsyncSession, person_id: int, roles: frozenset[str]
) -> frozenset[int] | None:
    """None: the whole partnership (ITT lead, admin); else the schools a lead mentor leads
    (empty for everyone else)."""
    if roles & PARTNERSHIP_ROLES:
        return None
    if Role.LEAD_MENTOR in roles:
        return await schools_led(session, person_id)
    return frozenset()


async def may_see_trainee(
    session: AsyncSession, person_id: int, roles: frozenset[str], trainee_id: int
) -> bool:
    """A trainee: only themselves; a mentor: their own trainees; a lead mentor: trainees
    placed in their schools; ITT leads and admins: everyone."""
    if roles & PARTNERSHIP_ROLES or (person_id == trainee_id and Role.TRAINEE in roles):
        return True
    links = [Placement.mentor_id == person_id] if Role.MENTOR in roles else []
    if Role.LEAD_MENTOR in roles:
        links.append(
            Placement.school_id.in_(
                select(Placement.school_id).where(Placement.lead_mentor_id == person_id)
            )
        )
    if not links:
        return False
    stmt = select(func.count()).where(Placement.trainee_id == trainee_id, or_(*links))
    return int((await session.execute(stmt)).scalar_one()) > 0


async def trainees_matching(
    session: AsyncSession, query: str, *, limit: int = 5
) -> list[tuple[int, str]]:
    """Trainees (id, name) whose e-mail is the query or whose name contains it."""
    text = query.strip().lower()
    stmt = (
        select(Person.id, Person.full_name)
        .join(Placement, Placement.trainee_id == Person.id)
        .where(or_(Person.email == text, func.lower(Person.full_name).contains(text)))
        .distinct()
        .order_by(Person.full_name)
        .limit(limit)
    )
    return [(int(pid), name) for pid, name in (await session.execute(stmt)).all()]


async def trainee_by_email(session: AsyncSession, email: str) -> int | None:
    stmt = (
        select(Person.id)
        .join(Placement, Placement.trainee_id == Person.id)
        .where(Person.email == email.strip().lower())
        .limit(1)
    )
    found = (await session.execute(stmt)).scalar()
    return int(found) if found is not None else None
