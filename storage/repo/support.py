"""Support plans: opened, acknowledged, reviewed, moved on a stage or closed.

State changes are conditional updates (`transition`): of two presses or two submissions
of the same review, exactly one changes the stage; the other is told it was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.enums import SupportDecision, SupportPlanStatus
from storage.models import (
    Placement,
    SupportPlan,
    SupportReview,
    SupportStage,
    SupportTarget,
    SupportTargetReview,
)
from storage.repo.upsert import transition


@dataclass(frozen=True, slots=True)
class NewTarget:
    text: str
    strand_code: str | None = None


@dataclass(slots=True)
class PlanNow:
    """A plan with its current (latest) stage and that stage's targets."""

    plan: SupportPlan
    stage: SupportStage
    targets: list[SupportTarget] = field(default_factory=list)


async def lock_placement(session: AsyncSession, *, placement_id: int) -> None:
    """Hold the placement's row until the transaction ends (SQLite: writes are serialised)."""
    await session.get(Placement, placement_id, with_for_update=True)


async def open_plan_of(session: AsyncSession, *, placement_id: int) -> SupportPlan | None:
    stmt = select(SupportPlan).where(
        SupportPlan.placement_id == placement_id, SupportPlan.status == SupportPlanStatus.OPEN
    )
    return (await session.execute(stmt.limit(1))).scalars().first()


async def open_plan(
    session: AsyncSession,
    *,
    placement_id: int,
    escalation_id: int | None,
    opened_by_id: int,
    now: datetime,
) -> SupportPlan:
    plan = SupportPlan(
        placement_id=placement_id,
        escalation_id=escalation_id,
        opened_by_id=opened_by_id,
        opened_at=now,
    )
    session.add(plan)
    await session.flush()
    return plan


async def add_stage(
    session: AsyncSession,
    *,
    plan: SupportPlan,
    stage: str,
    position: int,
    started_on: date,
    review_date: date,
    led_by_id: int,
    support: str,
    targets: list[NewTarget],
) -> SupportStage:
    row = SupportStage(
        plan_id=plan.id or 0,
        placement_id=plan.placement_id,
        stage=stage,
        position=position,
        started_on=started_on,
        review_date=review_date,
        led_by_id=led_by_id,
        support=support,
    )
    session.add(row)
    await session.flush()
    for n, target in enumerate(targets, start=1):
        session.add(
            SupportTarget(
                stage_id=row.id or 0,
                placement_id=plan.placement_id,
                position=n,
                text=target.text,
                strand_code=target.strand_code,
            )
        )
    await session.flush()
    return row


async def stage(session: AsyncSession, *, stage_id: int) -> SupportStage | None:
    return await session.get(SupportStage, stage_id)


async def plan(session: AsyncSession, *, plan_id: int) -> SupportPlan | None:
    return await session.get(SupportPlan, plan_id)


async def targets_of(session: AsyncSession, *, stage_ids: list[int]) -> list[SupportTarget]:
    if not stage_ids:
        return []
    stmt = (
        select(SupportTarget)
        .where(SupportTarget.stage_id.in_(stage_ids))  # type: ignore[attr-defined]
        .order_by(SupportTarget.stage_id, SupportTarget.position)
    )
    return list((await session.execute(stmt)).scalars().all())


async def acknowledge(session: AsyncSession, *, stage_id: int, at: datetime) -> bool:
    """The trainee acknowledged the stage's plan; False if they had already."""
    return await transition(
        session,
        SupportStage,
        record_id=stage_id,
        only_if=SupportStage.acknowledged_at.is_(None),  # type: ignore[union-attr]
        values={"acknowledged_at": at},
    )


async def record_review(
    session: AsyncSession,
    *,
    stage: SupportStage,
    due_on: date,
    reviewed_on: date,
    decision: SupportDecision,
    next_review_date: date | None,
    note: str,
    by_id: int,
    met: dict[int, bool],
    now: datetime,
) -> SupportReview | None:
    """The review of `stage` at its review date `due_on`; None if that review is recorded
    already (the stage's date moved on, or it ended): decided by the stage's own update."""
    still_due = (SupportStage.review_date == due_on) & SupportStage.ended_on.is_(None)  # type: ignore[union-attr]
    if decision is SupportDecision.EXTEND:
        values: dict[str, object] = {"review_date": next_review_date}
    else:
        values = {"outcome": decision.value, "ended_on": reviewed_on}
    if not await transition(
        session, SupportStage, record_id=stage.id or 0, only_if=still_due, values=values
    ):
        return None
    review = SupportReview(
        stage_id=stage.id or 0,
        placement_id=stage.placement_id,
        due_on=due_on,
        reviewed_on=reviewed_on,
        decision=decision.value,
        next_review_date=next_review_date,
        note=note,
        by_id=by_id,
        recorded_at=now,
    )
    session.add(review)
    await session.flush()
    for target_id, was_met in met.items():
        session.add(
            SupportTargetReview(
                review_id=review.id or 0,
                target_id=target_id,
                placement_id=stage.placement_id,
                met=was_met,
            )
        )
    await session.flush()
    await session.refresh(stage)
    return review


async def close_plan(session: AsyncSession, *, plan_id: int, by_id: int, at: datetime) -> bool:
    return await transition(
        session,
        SupportPlan,
        record_id=plan_id,
        only_if=SupportPlan.status == SupportPlanStatus.OPEN,
        values={"status": SupportPlanStatus.CLOSED.value, "closed_at": at, "closed_by_id": by_id},
    )


async def plans_now(
    session: AsyncSession,
    *,
    placement_ids: list[int] | None = None,
    only_open: bool = True,
) -> list[PlanNow]:
    """Plans (open ones unless asked) with their latest stage and its targets, in sets;
    placement_ids None: every placement."""
    stmt = select(SupportPlan, SupportStage).join(
        SupportStage, SupportStage.plan_id == SupportPlan.id
    )
    if only_open:
        stmt = stmt.where(SupportPlan.status == SupportPlanStatus.OPEN)
    if placement_ids is not None:
        stmt = stmt.where(SupportPlan.placement_id.in_(placement_ids))  # type: ignore[attr-defined]
    latest: dict[int, PlanNow] = {}
    for plan_row, stage_row in (await session.execute(stmt.order_by(SupportPlan.id))).all():
        found = latest.get(plan_row.id or 0)
        if found is None or stage_row.position > found.stage.position:
            latest[plan_row.id or 0] = PlanNow(plan_row, stage_row)
    targets = await targets_of(session, stage_ids=[p.stage.id or 0 for p in latest.values()])
    by_stage: dict[int, list[SupportTarget]] = {}
    for t in targets:
        by_stage.setdefault(t.stage_id, []).append(t)
    out = list(latest.values())
    for p in out:
        p.targets = by_stage.get(p.stage.id or 0, [])
    return out


async def stages_due(
    session: AsyncSession, *, by: date, stage_id: int | None = None
) -> list[SupportStage]:
    """Open stages of open plans reviewed on or before `by` (the sweep), or the one stage
    (the still-relevant check before a late send)."""
    stmt = (
        select(SupportStage)
        .join(SupportPlan, SupportPlan.id == SupportStage.plan_id)
        .where(
            SupportPlan.status == SupportPlanStatus.OPEN,
            SupportStage.ended_on.is_(None),  # type: ignore[union-attr]
            SupportStage.review_date <= by,
        )
    )
    if stage_id is not None:
        stmt = stmt.where(SupportStage.id == stage_id)
    return list((await session.execute(stmt.order_by(SupportStage.id))).scalars().all())
