"""Subject access: every row held about one person, table by table (PERSON_TABLES)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (every table registered on the metadata)
from storage.privacy.tables import PERSON_TABLES, PersonLink
from storage.repo.messaging import audit

# Records whose audit entries are about the trainee of their placement.
PLACEMENT_RECORDS = (
    "weekly_meeting",
    "target",
    "observation",
    "concern",
    "escalation",
    "support_plan",
    "support_stage",
    "support_target",
    "support_review",
    "support_target_review",
)


@dataclass(frozen=True)
class Subject:
    """The person a request is about, and what ties records to them."""

    id: int
    email: str
    full_name: str
    roles: frozenset[str]
    placement_ids: tuple[int, ...]  # placements they are the trainee of
    identities: tuple[tuple[str, str, str], ...]  # (platform, workspace_id, external_id)


@dataclass
class Held:
    subject: Subject
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items()}


def table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


async def find_subject(session: AsyncSession, email: str) -> Subject | None:
    person = table("person")
    found = (
        await session.execute(
            sa.select(person.c.id, person.c.email, person.c.full_name).where(
                person.c.email == email.strip().lower()
            )
        )
    ).first()
    if found is None:
        return None
    return await subject_of(session, found.id, found.email, found.full_name)


async def subject_of(session: AsyncSession, pid: int, email: str, full_name: str) -> Subject:
    role, placement, identity = table("person_role"), table("placement"), table("platform_identity")
    roles = await session.scalars(sa.select(role.c.role).where(role.c.person_id == pid))
    placements = await session.scalars(
        sa.select(placement.c.id).where(placement.c.trainee_id == pid).order_by(placement.c.id)
    )
    identities = await session.execute(
        sa.select(identity.c.platform, identity.c.workspace_id, identity.c.external_id).where(
            identity.c.person_id == pid
        )
    )
    return Subject(
        id=pid,
        email=email,
        full_name=full_name,
        roles=frozenset(roles),
        placement_ids=tuple(placements),
        identities=tuple((p, w, e) for p, w, e in identities),
    )


def rows_of(name: str, link: PersonLink, subject: Subject) -> sa.ColumnElement[bool]:
    """The WHERE clause picking the rows of `name` that belong to the subject."""
    t = table(name)
    clauses: list[sa.ColumnElement[bool]] = [t.c[col] == subject.id for col in link.columns]
    if link.via_placement and subject.placement_ids:
        clauses.append(t.c.placement_id.in_(subject.placement_ids))
    if link.via_identity:
        clauses.extend(
            sa.and_(t.c.platform == p, t.c.workspace_id == w, t.c.external_id == e)
            for p, w, e in subject.identities
        )
    if name == "audit_log":
        clauses.append(about_subject(subject))
    return sa.or_(*clauses) if clauses else sa.false()


def about_subject(subject: Subject) -> sa.ColumnElement[bool]:
    """Audit entries by the person, about them, or about a record of their placements."""
    log = table("audit_log")
    clauses: list[sa.ColumnElement[bool]] = [
        log.c.actor_id == subject.id,
        sa.and_(log.c.entity == "person", log.c.entity_id == subject.id),
    ]
    if subject.placement_ids:
        clauses.append(
            sa.and_(log.c.entity == "placement", log.c.entity_id.in_(subject.placement_ids))
        )
        for name in PLACEMENT_RECORDS:
            t = table(name)
            ids = sa.select(t.c.id).where(t.c.placement_id.in_(subject.placement_ids))
            clauses.append(sa.and_(log.c.entity == name, log.c.entity_id.in_(ids)))
    return sa.or_(*clauses)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


EXPORTED = "person.exported"


async def held_about(session: AsyncSession, subject: Subject) -> Held:
    """Every row held about the subject; the export itself is audited (by the office)."""
    held = Held(subject)
    for name, link in PERSON_TABLES.items():
        t = table(name)
        result = await session.execute(
            sa.select(t).where(rows_of(name, link, subject)).order_by(t.c.id)
        )
        held.tables[name] = [{k: _plain(v) for k, v in row._mapping.items()} for row in result]
    await audit(
        session,
        actor_id=None,
        action=EXPORTED,
        entity="person",
        entity_id=subject.id,
        detail={"by": "office"},
    )
    return held
