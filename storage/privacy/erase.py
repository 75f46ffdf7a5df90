"""Erasure on request: the person's name, e-mail and platform ids go; the records others
need (a mentor's meetings, a cohort's counts) stay, tied to "a former trainee" / "a former
mentor". One transaction; running it again changes nothing."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import EscalationStatus, OutboxStatus, Role, SupportPlanStatus
from storage.privacy.held import Subject, find_subject, rows_of, table
from storage.privacy.tables import PERSON_TABLES
from storage.repo.messaging import audit
from storage.types import utcnow

ERASED_DOMAIN = "erased.invalid"
ACTION = "person.erased"


class ErasureRefused(Exception):
    """Erasure would remove someone the partnership still has a duty towards."""


@dataclass
class Erasure:
    person_id: int
    label: str
    already_erased: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def label_for(roles: frozenset[str]) -> str:
    if Role.TRAINEE in roles:
        return "a former trainee"
    if roles & {Role.MENTOR, Role.LEAD_MENTOR}:
        return "a former mentor"
    return "a former member of staff"


def is_erased(email: str) -> bool:
    return email.endswith(f"@{ERASED_DOMAIN}")


async def open_duties(session: AsyncSession, subject: Subject) -> list[str]:
    """Why erasure is refused: an open escalation or support plan about the person."""
    if not subject.placement_ids:
        return []
    escalation, plan = table("escalation"), table("support_plan")
    escalations = await session.scalar(
        sa.select(sa.func.count()).where(
            escalation.c.placement_id.in_(subject.placement_ids),
            escalation.c.status != EscalationStatus.RESOLVED,
        )
    )
    plans = await session.scalar(
        sa.select(sa.func.count()).where(
            plan.c.placement_id.in_(subject.placement_ids),
            plan.c.status == SupportPlanStatus.OPEN,
        )
    )
    reasons = []
    if escalations:
        reasons.append(f"{escalations} open escalation(s)")
    if plans:
        reasons.append(f"{plans} open support plan(s)")
    return reasons


async def erase_person(
    session: AsyncSession, email: str, *, force: bool = False, dry_run: bool = False
) -> Erasure | None:
    """Erase the person with this e-mail (None: nobody has it). With dry_run everything is
    done and then rolled back, so the counts are exactly what a real run would change."""
    async with session.begin() as tx:
        subject = await find_subject(session, email)
        if subject is None:
            return None
        label = label_for(subject.roles)
        if is_erased(subject.email):
            return Erasure(subject.id, subject.full_name, already_erased=True)
        reasons = await open_duties(session, subject)
        if reasons and not force:
            raise ErasureRefused(" and ".join(reasons))
        erasure = Erasure(subject.id, label)
        erasure.counts = await _erase(session, subject, label)
        await audit(
            session,
            actor_id=None,
            action=ACTION,
            entity="person",
            entity_id=subject.id,
            detail={"by": "office", "forced": bool(reasons)},
        )
        if dry_run:
            await tx.rollback()
    return erasure


async def _erase(session: AsyncSession, subject: Subject, label: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    parked = table("parked_interaction")
    counts["parked_interaction"] = await _delete(
        session, parked, rows_of("parked_interaction", PERSON_TABLES["parked_interaction"], subject)
    )
    identity, draft, outbox = (
        table("platform_identity"),
        table("form_draft"),
        table("outbox_message"),
    )
    counts["platform_identity"] = await _delete(
        session, identity, identity.c.person_id == subject.id
    )
    counts["form_draft"] = await _delete(session, draft, draft.c.owner_id == subject.id)
    cancelled = await session.execute(
        sa.update(outbox)
        .where(
            outbox.c.recipient_id == subject.id,
            outbox.c.status.in_((OutboxStatus.PENDING, OutboxStatus.HELD)),
        )
        .values(status=OutboxStatus.CANCELLED, payload={})
    )
    counts["outbox_cancelled"] = _rowcount(cancelled)
    # What was sent (or given up on) stays as a count, without what it said.
    await session.execute(
        sa.update(outbox).where(outbox.c.recipient_id == subject.id).values(payload={})
    )
    counts["text_redacted"] = await _redact_text(session, subject, label)
    person = table("person")
    await session.execute(
        sa.update(person)
        .where(person.c.id == subject.id)
        .values(full_name=label, email=f"erased-{subject.id}@{ERASED_DOMAIN}", updated_at=utcnow())
    )
    return counts


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def _delete(session: AsyncSession, t: sa.Table, where: sa.ColumnElement[bool]) -> int:
    return _rowcount(await session.execute(sa.delete(t).where(where)))


def _needles(subject: Subject) -> list[str]:
    needles = [subject.full_name.strip(), subject.email]
    return [n for n in needles if len(n) >= 3]


def _pattern(subject: Subject) -> re.Pattern[str]:
    # Full name and e-mail in any case; the first name alone only as a capitalised word
    # ("Tara said"), so that a name that is also a word is not struck from every note.
    parts = [re.escape(n) for n in _needles(subject)]
    first = subject.full_name.split()[0] if subject.full_name.split() else ""
    alternatives = "|".join(
        [f"(?i:{p})" for p in parts] + ([rf"\b{re.escape(first)}\b"] if len(first) >= 3 else [])
    )
    return re.compile(alternatives)


async def _redact_text(session: AsyncSession, subject: Subject, label: str) -> int:
    """Free text (and JSON) anywhere that names the person: the name becomes the label."""
    pattern = _pattern(subject)
    first = subject.full_name.split()[0] if subject.full_name.split() else subject.full_name
    likes = {n.lower() for n in _needles(subject)} | {first.lower()}
    changed = 0
    for name, link in PERSON_TABLES.items():
        if not link.text:
            continue
        t = table(name)
        texts = [sa.func.lower(sa.cast(t.c[col], sa.Text)) for col in link.text]
        where = sa.or_(*(col.contains(n, autoescape=True) for col in texts for n in likes))
        rows = (
            await session.execute(sa.select(t.c.id, *(t.c[c] for c in link.text)).where(where))
        ).all()
        for row in rows:
            values = {col: _redacted(row._mapping[col], pattern, label) for col in link.text}
            values = {k: v for k, v in values.items() if v != row._mapping[k]}
            if values:
                await session.execute(sa.update(t).where(t.c.id == row.id).values(**values))
                changed += 1
    return changed


def _redacted(value: Any, pattern: re.Pattern[str], label: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(label, value)
    if isinstance(value, dict | list):
        return json.loads(pattern.sub(label, json.dumps(value, ensure_ascii=False)))
    return value
