"""What the bot knows about reaching each person: their school's platform and tenant, the
identities it has for them, and how their last messages went. Read in a few set-based
queries for `mentorbot reach`, the office's daily summary and the digest."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import (
    OutboxMessage,
    Person,
    PersonRole,
    Placement,
    PlatformIdentity,
    School,
    SchoolClosure,
)


@dataclass(frozen=True, slots=True)
class SchoolReach:
    id: int
    name: str
    platform: str
    slack_team_id: str | None
    teams_tenant_id: str | None
    tenant_confirmed: bool


@dataclass(frozen=True, slots=True)
class IdentityReach:
    platform: str
    workspace_id: str
    has_conversation: bool


@dataclass(slots=True)
class PersonFacts:
    id: int
    name: str
    email: str
    roles: set[str] = field(default_factory=set)
    school: SchoolReach | None = None  # of their latest placement
    identities: list[IdentityReach] = field(default_factory=list)
    last_sent: datetime | None = None
    last_dead: datetime | None = None
    last_error: str | None = None
    held: int = 0  # messages waiting for them to connect


async def everyone(session: AsyncSession) -> list[PersonFacts]:
    """Every person on the roster with what reaching them depends on, by name."""
    found = {
        p.id: PersonFacts(p.id, p.full_name, p.email)
        for p in (await session.execute(select(Person).order_by(Person.full_name, Person.id)))
        .scalars()
        .all()
        if p.id is not None
    }
    for person_id, role in (
        await session.execute(select(PersonRole.person_id, PersonRole.role))
    ).all():
        if person_id in found:
            found[person_id].roles.add(role)
    await _schools(session, found)
    for i in (await session.execute(select(PlatformIdentity))).scalars().all():
        if i.person_id in found:
            found[i.person_id].identities.append(
                IdentityReach(i.platform, i.workspace_id, bool(i.conversation_reference))
            )
    await _outcomes(session, found)
    return list(found.values())


async def schools(session: AsyncSession) -> list[tuple[SchoolReach, list[date]]]:
    """Every school with the first day of each of its own closures, by name."""
    closed: dict[int, list[date]] = defaultdict(list)
    stmt = select(SchoolClosure.school_id, SchoolClosure.start_date).order_by(
        SchoolClosure.start_date
    )
    for school_id, start in (await session.execute(stmt)).all():
        closed[school_id].append(start)
    rows = (await session.execute(select(School).order_by(School.name))).scalars().all()
    return [
        (
            SchoolReach(
                s.id, s.name, s.platform, s.slack_team_id, s.teams_tenant_id, s.tenant_confirmed
            ),
            closed.get(s.id, []),
        )
        for s in rows
        if s.id is not None
    ]


async def _schools(session: AsyncSession, found: dict[int, PersonFacts]) -> None:
    schools = {
        s.id: SchoolReach(
            s.id, s.name, s.platform, s.slack_team_id, s.teams_tenant_id, s.tenant_confirmed
        )
        for s in (await session.execute(select(School))).scalars().all()
        if s.id is not None
    }
    stmt = select(
        Placement.trainee_id,
        Placement.mentor_id,
        Placement.lead_mentor_id,
        Placement.tutor_id,
        Placement.school_id,
    ).order_by(Placement.end_date, Placement.id)
    for trainee, mentor, lead, tutor, school_id in (await session.execute(stmt)).all():
        for person_id in (trainee, mentor, lead, tutor):  # the latest placement wins
            if person_id in found:
                found[person_id].school = schools.get(school_id)


async def _outcomes(session: AsyncSession, found: dict[int, PersonFacts]) -> None:
    sent = select(OutboxMessage.recipient_id, func.max(OutboxMessage.sent_at)).where(
        OutboxMessage.status == "sent",
        OutboxMessage.recipient_id.is_not(None),  # type: ignore[union-attr]
    )
    for person_id, when in (await session.execute(sent.group_by(OutboxMessage.recipient_id))).all():
        if person_id in found:
            found[person_id].last_sent = when
    dead = (
        select(OutboxMessage.recipient_id, OutboxMessage.next_attempt_at, OutboxMessage.last_error)
        .where(OutboxMessage.status == "dead", OutboxMessage.recipient_id.is_not(None))  # type: ignore[union-attr]
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )
    for person_id, when, error in (await session.execute(dead)).all():
        if person_id in found:
            found[person_id].last_dead, found[person_id].last_error = when, error
    held = (
        select(OutboxMessage.recipient_id, func.count())
        .where(OutboxMessage.status == "held")
        .group_by(OutboxMessage.recipient_id)
    )
    for person_id, n in (await session.execute(held)).all():
        if person_id in found:
            found[person_id].held = int(n)


@dataclass(frozen=True, slots=True)
class Undelivered:
    """Messages dead-lettered for one recipient (None: a channel) since a moment; or, when
    `held`, the messages waiting for someone first held since then."""

    recipient_id: int | None
    kinds: tuple[str, ...]
    count: int
    last_error: str
    held: bool = False


async def undelivered_since(
    session: AsyncSession, *, since: datetime, leave_out: tuple[str, ...] = ()
) -> list[Undelivered]:
    """Dead letters given up on at or after `since` (a dead row's due time is the moment it
    was given up on; "at": a summary queued by a sweep comes before that tick's sends)."""
    stmt = (
        select(
            OutboxMessage.recipient_id,
            OutboxMessage.kind,
            OutboxMessage.last_error,
        )
        .where(OutboxMessage.status == "dead", OutboxMessage.next_attempt_at >= since)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )
    if leave_out:
        stmt = stmt.where(OutboxMessage.kind.not_in(leave_out))  # type: ignore[attr-defined]
    kinds: dict[int | None, list[str]] = defaultdict(list)
    errors: dict[int | None, str] = {}
    for recipient_id, kind, error in (await session.execute(stmt)).all():
        kinds[recipient_id].append(kind)
        errors[recipient_id] = error or ""
    found = [Undelivered(r, tuple(dict.fromkeys(k)), len(k), errors[r]) for r, k in kinds.items()]
    return found + await _newly_held(session, since=since)


async def _newly_held(session: AsyncSession, *, since: datetime) -> list[Undelivered]:
    """People whose messages are held (they cannot be messaged until they connect), each
    said once: only those whose first held message was held at or after `since` (a held
    row's due time is the moment it was held)."""
    stmt = (
        select(OutboxMessage.recipient_id, OutboxMessage.kind, OutboxMessage.last_error)
        .where(OutboxMessage.status == "held", OutboxMessage.recipient_id.is_not(None))  # type: ignore[union-attr]
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )
    first = (
        select(OutboxMessage.recipient_id)
        .where(OutboxMessage.status == "held")
        .group_by(OutboxMessage.recipient_id)
        .having(func.min(OutboxMessage.next_attempt_at) >= since)
    )
    new = set((await session.execute(first)).scalars().all())
    kinds: dict[int, list[str]] = defaultdict(list)
    errors: dict[int, str] = {}
    for recipient_id, kind, error in (await session.execute(stmt)).all():
        if recipient_id in new:
            kinds[recipient_id].append(kind)
            errors[recipient_id] = error or ""
    return [
        Undelivered(r, tuple(dict.fromkeys(k)), len(k), errors[r], held=True)
        for r, k in kinds.items()
    ]


async def last_queued(session: AsyncSession, *, kind: str, recipient_id: int) -> datetime | None:
    """When the last message of this kind was queued for this person."""
    stmt = select(func.max(OutboxMessage.created_at)).where(
        OutboxMessage.kind == kind, OutboxMessage.recipient_id == recipient_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def names(session: AsyncSession, *, person_ids: list[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    stmt = select(Person.id, Person.full_name).where(Person.id.in_(person_ids))
    return {i: n for i, n in (await session.execute(stmt)).all() if i is not None}
