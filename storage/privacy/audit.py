"""The audit listing: who did what and when, names looked up when it is read (the log
itself holds ids only, so an erased person reads as "a former trainee")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from storage.privacy.held import PLACEMENT_RECORDS, Subject, about_subject, table


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    by: str
    action: str
    record: str
    about: str
    detail: dict[str, Any]


async def audit_lines(
    session: AsyncSession, *, subject: Subject | None, since: datetime | None
) -> list[AuditLine]:
    log, person = table("audit_log"), table("person")
    query = (
        sa.select(log, person.c.full_name.label("actor_name"))
        .select_from(log.outerjoin(person, person.c.id == log.c.actor_id))
        .order_by(log.c.at, log.c.id)
    )
    if subject is not None:
        query = query.where(about_subject(subject))
    if since is not None:
        query = query.where(log.c.at >= since)
    rows = (await session.execute(query)).all()
    about = await _trainees_of(session, [(r.entity, r.entity_id) for r in rows])
    return [
        AuditLine(
            at=r.at,
            by=r.actor_name or str((r.detail or {}).get("by", "mentorbot")),
            action=r.action,
            record=f"{r.entity} {r.entity_id}" if r.entity_id is not None else r.entity,
            about=about.get((r.entity, r.entity_id), ""),
            detail=r.detail or {},
        )
        for r in rows
    ]


async def _trainees_of(
    session: AsyncSession, records: list[tuple[str, int | None]]
) -> dict[tuple[str, int | None], str]:
    """Whom each record is about: the person, or the trainee of the record's placement."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for entity, entity_id in records:
        if entity_id is not None and entity in ("person", "placement", *PLACEMENT_RECORDS):
            wanted[entity].add(entity_id)
    person, placement = table("person"), table("placement")
    names: dict[tuple[str, int | None], str] = {}
    for entity, ids in wanted.items():
        if entity == "person":
            query = sa.select(person.c.id, person.c.full_name).where(person.c.id.in_(ids))
        else:
            t = placement if entity == "placement" else table(entity)
            link = t.c.id if entity == "placement" else t.c.placement_id
            query = (
                sa.select(t.c.id, person.c.full_name)
                .select_from(
                    t.join(placement, placement.c.id == link).join(
                        person, person.c.id == placement.c.trainee_id
                    )
                )
                .where(t.c.id.in_(ids))
            )
        for record_id, name in await session.execute(query):
            names[(entity, record_id)] = name
    return names
