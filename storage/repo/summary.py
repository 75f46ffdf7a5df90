"""What a stretch of mentoring left in the database, counted there (the demo's summary)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import (
    Concern,
    Escalation,
    Observation,
    OutboxMessage,
    PlacementEvaluation,
    RagRating,
    SupportPlan,
    TutorVisit,
    WeeklyMeeting,
)


@dataclass(frozen=True, slots=True)
class Totals:
    sent_by_kind: Counter[str]
    sent_by_platform: list[tuple[str, int]]
    meetings_signed_off: int
    records_confirmed: int
    trainees_rated: int
    review_point_ratings: int
    observations: int
    observations_acknowledged: int
    concerns: int
    escalations: int
    escalations_acknowledged: int
    support_plans: int


async def _count(session: AsyncSession, model: type, *where: object) -> int:
    stmt = select(func.count()).select_from(model)
    for condition in where:
        stmt = stmt.where(condition)
    return int((await session.execute(stmt)).scalar_one())


async def totals(session: AsyncSession) -> Totals:
    sent = OutboxMessage.status == "sent"
    at_review_point = RagRating.review_point_id.is_not(None)
    by_kind = select(OutboxMessage.kind, func.count()).where(sent).group_by(OutboxMessage.kind)
    by_platform = (
        select(OutboxMessage.platform, func.count())
        .where(sent)
        .group_by(OutboxMessage.platform)
        .order_by(OutboxMessage.platform)
    )
    rated = select(func.count(func.distinct(RagRating.placement_id))).where(at_review_point)
    return Totals(
        sent_by_kind=Counter({k: int(n) for k, n in (await session.execute(by_kind)).all()}),
        sent_by_platform=[
            (p or "?", int(n)) for p, n in (await session.execute(by_platform)).all()
        ],
        meetings_signed_off=await _count(
            session, WeeklyMeeting, WeeklyMeeting.signed_off_at.is_not(None)
        ),
        records_confirmed=await _count(
            session, WeeklyMeeting, WeeklyMeeting.trainee_response == "confirmed"
        ),
        trainees_rated=int((await session.execute(rated)).scalar_one()),
        review_point_ratings=await _count(session, RagRating, at_review_point),
        observations=await _count(session, Observation),
        observations_acknowledged=await _count(
            session, Observation, Observation.acknowledged_at.is_not(None)
        ),
        concerns=await _count(session, Concern),
        escalations=await _count(session, Escalation),
        escalations_acknowledged=await _count(
            session, Escalation, Escalation.acknowledged_at.is_not(None)
        ),
        support_plans=await _count(session, SupportPlan),
    )


@dataclass(frozen=True, slots=True)
class QaCycleCounts:
    visits: int
    asks: int  # end-of-placement evaluations asked, reminders included
    by_kind: dict[str, int]  # evaluations answered, by EvaluationKind


async def qa_cycle_counts(session: AsyncSession) -> QaCycleCounts:
    """The quality-assurance cycle's records, counted (the demo's closing table)."""
    asked = OutboxMessage.kind.in_(("evaluation_ask", "evaluation_reminder"))  # type: ignore[attr-defined]
    kinds = select(PlacementEvaluation.kind, func.count()).group_by(PlacementEvaluation.kind)
    return QaCycleCounts(
        visits=await _count(session, TutorVisit),
        asks=await _count(session, OutboxMessage, asked),
        by_kind={k: int(n) for k, n in (await session.execute(kinds)).all()},
    )
