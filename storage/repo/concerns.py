"""Concerns, escalations and recovery plans."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import Concern, Escalation, EscalationTarget, RecoveryPlan
from storage.repo.upsert import insert_ignore, transition


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


async def add_recovery_plan(session: AsyncSession, *, plan: RecoveryPlan) -> RecoveryPlan:
    session.add(plan)
    await session.flush()
    return plan


async def escalation_target(session: AsyncSession, *, level: int) -> EscalationTarget | None:
    """The channel chosen for exactly this level: "one level up" never falls back to the
    channel that has not acknowledged (the route decides what goes where instead)."""
    stmt = select(EscalationTarget).where(EscalationTarget.level == level)
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
