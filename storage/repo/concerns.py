"""Concerns and escalations (support plans: storage/repo/support.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import Concern, Escalation, EscalationTarget
from storage.repo.upsert import insert_ignore, transition
from storage.types import utcnow


async def add_concern(session: AsyncSession, *, concern: Concern) -> Concern:
    session.add(concern)
    await session.flush()
    return concern


async def open_escalation(
    session: AsyncSession,
    *,
    placement_id: int,
    rule: str,
    cause_key: str,
    evidence: dict[str, Any],
) -> Escalation | None:
    """Record a new escalation; None if this cause was already escalated."""
    inserted = await insert_ignore(
        session,
        Escalation,
        [
            {
                "placement_id": placement_id,
                "rule": rule,
                "cause_key": cause_key,
                "evidence": evidence,
                "status": "open",
                "level": 1,
            }
        ],
        conflict=["placement_id", "rule", "cause_key"],
    )
    if not inserted:
        return None
    stmt = select(Escalation).where(
        Escalation.placement_id == placement_id,
        Escalation.rule == rule,
        Escalation.cause_key == cause_key,
    )
    return (await session.execute(stmt)).scalar_one()


# Rows per INSERT when escalations are opened in sets (within SQLite's bound parameters).
OPEN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Opened:
    """An escalation just recorded, as its alert reads it. Not a model object: building one
    per row cost a fifth of a millisecond, and a fresh deployment's first sweep opens
    thousands."""

    id: int
    placement_id: int
    rule: str
    cause_key: str
    evidence: dict[str, Any]
    status: str = "open"
    level: int = 1


async def open_escalations_in_sets(
    session: AsyncSession,
    *,
    causes: list[tuple[int, str, str, dict[str, Any]]],
    alerted_at: datetime,
) -> list[Opened]:
    """Record new escalations in sets, as alerted at `alerted_at`: (placement, rule,
    cause, evidence) each; those whose cause was already escalated are left out."""
    table = Escalation.__table__  # type: ignore[attr-defined]
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    opened: list[Opened] = []
    created_at = utcnow()
    for start in range(0, len(causes), OPEN_CHUNK):
        values = [
            {
                "placement_id": placement_id,
                "rule": rule,
                "cause_key": cause,
                "evidence": evidence,
                "status": "open",
                "level": 1,
                "created_at": created_at,
                "last_alerted_at": alerted_at,
            }
            for placement_id, rule, cause, evidence in causes[start : start + OPEN_CHUNK]
        ]
        insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
        stmt = insert.on_conflict_do_nothing(
            index_elements=["placement_id", "rule", "cause_key"]
        ).returning(table.c.id, table.c.placement_id, table.c.rule, table.c.cause_key)
        ids = {(p, r, c): i for i, p, r, c in (await session.execute(stmt, values)).all()}
        for v in values:
            found = ids.get((v["placement_id"], v["rule"], v["cause_key"]))
            if found is not None:
                opened.append(
                    Opened(found, v["placement_id"], v["rule"], v["cause_key"], v["evidence"])
                )
    return opened


async def escalation(session: AsyncSession, *, escalation_id: int) -> Escalation | None:
    return await session.get(Escalation, escalation_id, with_for_update=True)


async def acknowledge_escalation(
    session: AsyncSession, *, escalation_id: int, by_id: int | None, at: datetime
) -> bool:
    """Open → acknowledged; False if someone (or a double click) got there first."""
    return await transition(
        session,
        Escalation,
        record_id=escalation_id,
        only_if=Escalation.status == "open",
        values={"status": "acknowledged", "acknowledged_by_id": by_id, "acknowledged_at": at},
    )


async def resolve_escalation(
    session: AsyncSession, *, escalation_id: int, by_id: int | None, at: datetime
) -> bool:
    """Any state → resolved, once."""
    return await transition(
        session,
        Escalation,
        record_id=escalation_id,
        only_if=Escalation.status != "resolved",
        values={"status": "resolved", "resolved_by_id": by_id, "resolved_at": at},
    )


async def open_escalations(session: AsyncSession) -> list[Escalation]:
    stmt = (
        select(Escalation)
        .where(Escalation.status != "resolved")
        .order_by(Escalation.created_at, Escalation.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def escalation_target(session: AsyncSession, *, level: int) -> EscalationTarget | None:
    """The channel chosen for exactly this level: "one level up" never falls back to the
    channel that has not acknowledged (the route decides what goes where instead)."""
    stmt = select(EscalationTarget).where(EscalationTarget.level == level)
    return (await session.execute(stmt)).scalar_one_or_none()


async def level_of_channel(session: AsyncSession, *, platform: str, channel_id: str) -> int | None:
    """The (lowest) escalation level a channel was chosen for, if any."""
    stmt = (
        select(EscalationTarget.level)
        .where(EscalationTarget.platform == platform, EscalationTarget.channel_id == channel_id)
        .order_by(EscalationTarget.level)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def set_escalation_target(
    session: AsyncSession,
    *,
    level: int,
    platform: str,
    workspace_id: str,
    channel_id: str,
    conversation_reference: dict[str, Any] | None,
    set_by_id: int | None,
) -> EscalationTarget:
    stmt = select(EscalationTarget).where(EscalationTarget.level == level)
    target = (await session.execute(stmt)).scalar_one_or_none()
    if target is None:
        target = EscalationTarget(level=level, platform=platform, channel_id=channel_id)
        session.add(target)
    target.platform, target.workspace_id, target.channel_id = platform, workspace_id, channel_id
    target.conversation_reference, target.set_by_id = conversation_reference, set_by_id
    await session.flush()
    return target
