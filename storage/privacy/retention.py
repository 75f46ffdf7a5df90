"""Retention: records of a placement are kept for a number of years after it ends (per
record kind, set in the policy), then deleted. The placement and the person stay (they
are the cohort's history; a person is erased on request, not by age)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from storage.privacy.held import table
from storage.repo.messaging import audit

ACTION = "retention.applied"
# In the order they are deleted: what refers to a record goes before it.
KINDS = (
    "evaluations",
    "ratings",
    "observations",
    "meetings",
    "support_plans",
    "escalations",
    "concerns",
    "qa_forms",
)


SUPPORT_PARTS = ("support_target_review", "support_review", "support_target", "support_stage")


def cutoff(today: date, years: int) -> date:
    """Placements that ended before this day are past their retention."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February, in a year without one
        return today.replace(year=today.year - years, day=28)


def _ended_before(day: date) -> sa.Select[tuple[int]]:
    placement = table("placement")
    return sa.select(placement.c.id).where(placement.c.end_date < day)


async def _delete_kind(session: AsyncSession, kind: str, day: date) -> int:
    ended = _ended_before(day)
    if kind == "qa_forms":
        qa, placement, point = table("review_point_qa"), table("placement"), table("review_point")
        expired = (
            sa.select(sa.literal(1))
            .select_from(placement.join(point, point.c.programme_id == placement.c.programme_id))
            .where(
                placement.c.trainee_id == qa.c.trainee_id,
                point.c.id == qa.c.review_point_id,
                placement.c.end_date < day,
            )
        )
        return await _delete(session, qa, sa.exists(expired))
    if kind == "observations":
        observation, rating = table("observation"), table("rag_rating")
        observed = sa.select(observation.c.id).where(observation.c.placement_id.in_(ended))
        # An observation's own ratings go with it.
        await session.execute(sa.delete(rating).where(rating.c.observation_id.in_(observed)))
        return await _delete(session, observation, observation.c.placement_id.in_(ended))
    if kind == "meetings":
        await _delete_targets(session, ended)
    if kind == "evaluations":
        return await _delete_evaluations(session, ended)
    if kind == "concerns":
        concern, visit = table("concern"), table("tutor_visit")
        gone = sa.select(concern.c.id).where(concern.c.placement_id.in_(ended))
        # A tutor's visit kept longer than the concern it raised keeps its record.
        await session.execute(
            sa.update(visit).where(visit.c.concern_id.in_(gone)).values(concern_id=None)
        )
        return await _delete(session, concern, concern.c.placement_id.in_(ended))
    if kind == "escalations":
        escalation, plan = table("escalation"), table("support_plan")
        gone = sa.select(escalation.c.id).where(escalation.c.placement_id.in_(ended))
        # A plan kept longer than its escalation keeps its own record, without the link.
        await session.execute(
            sa.update(plan).where(plan.c.escalation_id.in_(gone)).values(escalation_id=None)
        )
        return await _delete(session, escalation, escalation.c.placement_id.in_(ended))
    if kind == "support_plans":
        # What refers to a row goes before it; the plan's own row last (its count).
        for name in SUPPORT_PARTS:
            part = table(name)
            await _delete(session, part, part.c.placement_id.in_(ended))
        plan = table("support_plan")
        return await _delete(session, plan, plan.c.placement_id.in_(ended))
    t = table(
        {
            "ratings": "rag_rating",
            "meetings": "weekly_meeting",
            "concerns": "concern",
        }[kind]
    )
    return await _delete(session, t, t.c.placement_id.in_(ended))


async def _delete_targets(session: AsyncSession, ended: sa.Select[tuple[int]]) -> None:
    """Targets go with the meetings they were set at (they are that record's targets),
    and their reviews before them; a review held at an ended placement's meeting too."""
    target, review, meeting = table("target"), table("target_review"), table("weekly_meeting")
    gone = sa.select(target.c.id).where(target.c.placement_id.in_(ended))
    at_meetings = sa.select(meeting.c.id).where(meeting.c.placement_id.in_(ended))
    await session.execute(
        sa.delete(review).where(
            sa.or_(review.c.target_id.in_(gone), review.c.meeting_id.in_(at_meetings))
        )
    )
    await session.execute(sa.delete(target).where(target.c.placement_id.in_(ended)))
    # A target set elsewhere but tied to a meeting going now keeps its own record.
    await session.execute(
        sa.update(target).where(target.c.meeting_id.in_(at_meetings)).values(meeting_id=None)
    )


async def _delete_evaluations(session: AsyncSession, ended: sa.Select[tuple[int]]) -> int:
    """Tutors' visits and end-of-placement evaluations (with their answers): counted as
    the forms and visits deleted."""
    evaluation, answer, visit = (
        table("placement_evaluation"),
        table("evaluation_answer"),
        table("tutor_visit"),
    )
    forms = sa.select(evaluation.c.id).where(evaluation.c.placement_id.in_(ended))
    await session.execute(sa.delete(answer).where(answer.c.evaluation_id.in_(forms)))
    count = await _delete(session, evaluation, evaluation.c.placement_id.in_(ended))
    return count + await _delete(session, visit, visit.c.placement_id.in_(ended))


async def _delete(session: AsyncSession, t: sa.Table, where: sa.ColumnElement[bool]) -> int:
    result = await session.execute(sa.delete(t).where(where))
    return int(getattr(result, "rowcount", 0) or 0)


async def apply_retention(
    session: AsyncSession,
    years: Mapping[str, int],
    *,
    today: date,
    by: str,
    dry_run: bool = False,
) -> dict[str, int]:
    """Delete every record past its kind's retention, in one transaction; the counts per
    kind. Audited (with the counts and who ran it) when anything was deleted. With dry_run
    everything is done and rolled back, so the counts are what a real run would delete."""
    async with session.begin() as tx:
        counts = {
            kind: await _delete_kind(session, kind, cutoff(today, years[kind])) for kind in KINDS
        }
        if any(counts.values()):
            await audit(
                session,
                actor_id=None,
                action=ACTION,
                entity="retention",
                entity_id=None,
                detail={"by": by, "counts": counts},
            )
        if dry_run:
            await tx.rollback()
    return counts
