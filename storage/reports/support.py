"""A trainee's support plans for the IDP: one record per stage, with its targets and the
outcome of each review, read in one query per table over all their placements."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import select

from storage.models import (
    Person,
    SupportPlan,
    SupportReview,
    SupportStage,
    SupportTarget,
    SupportTargetReview,
)
from storage.reports.records import SupportStageRecord


async def support_stages(session: AsyncSession, ids: list[int]) -> list[SupportStageRecord]:
    if not ids:
        return []
    opener, leader = aliased(Person), aliased(Person)
    stmt = (
        select(SupportPlan, SupportStage, opener.full_name, leader.full_name)
        .join(SupportStage, SupportStage.plan_id == SupportPlan.id)
        .join(opener, opener.id == SupportPlan.opened_by_id)
        .join(leader, leader.id == SupportStage.led_by_id)
        .where(SupportPlan.placement_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(SupportPlan.opened_at, SupportPlan.id, SupportStage.position)
    )
    rows = (await session.execute(stmt)).all()
    targets = await _targets(session, ids)
    reviews = await _reviews(session, ids)
    return [
        SupportStageRecord(
            plan_id=plan.id or 0,
            stage=stage.stage,
            position=stage.position,
            opened_by=opened_by,
            led_by=led_by,
            started_on=stage.started_on,
            review_date=stage.review_date,
            support=stage.support,
            targets=targets.get(stage.id or 0, []),
            acknowledged_at=stage.acknowledged_at,
            reviews=reviews.get(stage.id or 0, []),
            outcome=stage.outcome,
            ended_on=stage.ended_on,
            plan_status=plan.status,
        )
        for plan, stage, opened_by, led_by in rows
    ]


async def _targets(session: AsyncSession, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    stmt = (
        select(SupportTarget)
        .where(SupportTarget.placement_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(SupportTarget.stage_id, SupportTarget.position)
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for t in (await session.execute(stmt)).scalars():
        out.setdefault(t.stage_id, []).append(
            {"position": t.position, "text": t.text, "strand_code": t.strand_code}
        )
    return out


async def _reviews(session: AsyncSession, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    stmt = (
        select(SupportReview)
        .where(SupportReview.placement_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(SupportReview.stage_id, SupportReview.reviewed_on, SupportReview.id)
    )
    reviews = list((await session.execute(stmt)).scalars())
    outcomes = (
        await session.execute(
            select(SupportTargetReview.review_id, SupportTarget.position, SupportTargetReview.met)
            .join(SupportTarget, SupportTarget.id == SupportTargetReview.target_id)
            .where(SupportTargetReview.placement_id.in_(ids))  # type: ignore[attr-defined]
            .order_by(SupportTarget.position)
        )
    ).all()
    by_review: dict[int, dict[str, list[int]]] = {}
    for review_id, position, met in outcomes:
        entry = by_review.setdefault(review_id, {"met": [], "not_met": []})
        entry["met" if met else "not_met"].append(position)
    out: dict[int, list[dict[str, Any]]] = {}
    for r in reviews:
        out.setdefault(r.stage_id, []).append(
            {
                "due_on": r.due_on,
                "reviewed_on": r.reviewed_on,
                "decision": r.decision,
                "next_review_date": r.next_review_date,
                **by_review.get(r.id or 0, {"met": [], "not_met": []}),
            }
        )
    return out


def stage_started_at(record: SupportStageRecord) -> datetime:
    """When a stage began, for the timeline (a day: taken at midnight UTC)."""
    return datetime.combine(record.started_on, time(), tzinfo=UTC)


def stage_ended_at(record: SupportStageRecord) -> datetime:
    return datetime.combine(record.ended_on or record.review_date, time(), tzinfo=UTC)
