"""A support plan as stored, for tests that need one already there (reports, privacy,
the scheduler): the plan, one stage and its targets."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SupportPlan, SupportStage, SupportTarget
from storage.types import utcnow


async def add_plan(
    s: AsyncSession,
    *,
    placement_id: int,
    opened_by_id: int,
    led_by_id: int,
    review_date: date,
    targets: tuple[str, ...] = ("Plan every lesson with the mentor",),
    support: str = "Weekly co-planning",
    escalation_id: int | None = None,
    stage: str = "support_plan",
    opened_at: datetime | None = None,
    closed_at: datetime | None = None,
) -> SupportStage:
    opened = opened_at or utcnow()
    plan = SupportPlan(
        placement_id=placement_id,
        escalation_id=escalation_id,
        opened_by_id=opened_by_id,
        opened_at=opened,
        status="closed" if closed_at else "open",
        closed_at=closed_at,
    )
    s.add(plan)
    await s.flush()
    row = SupportStage(
        plan_id=plan.id or 0,
        placement_id=placement_id,
        stage=stage,
        position=1,
        started_on=opened.date(),
        review_date=review_date,
        led_by_id=led_by_id,
        support=support,
        outcome="close" if closed_at else None,
        ended_on=closed_at.date() if closed_at else None,
    )
    s.add(row)
    await s.flush()
    for n, text in enumerate(targets, start=1):
        s.add(SupportTarget(stage_id=row.id or 0, placement_id=placement_id, position=n, text=text))
    await s.flush()
    return row
