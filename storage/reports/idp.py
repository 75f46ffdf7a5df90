"""The Individual Development Portfolio (IDP) of one trainee: every record, as data.

Read in one query per record kind over all of the trainee's placements (never one per
record), so a trainee with a year of weekly meetings costs the same handful of queries.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import select

from storage.enums import SupportDecision
from storage.models import (
    Concern,
    Escalation,
    Observation,
    Person,
    Placement,
    RagRating,
    ReviewPoint,
    WeeklyMeeting,
)
from storage.reports.common import Frameworks, as_row, frameworks_of, placement_rows
from storage.reports.records import (
    ConcernRecord,
    EscalationRecord,
    Idp,
    MeetingRecord,
    ObservationRecord,
    RatingGrid,
    RatingRecord,
    SupportStageRecord,
    TargetRecord,
    TimelineEvent,
)
from storage.reports.support import stage_ended_at, stage_started_at, support_stages
from storage.reports.targets import set_targets


async def idp(session: AsyncSession, *, trainee_id: int) -> Idp | None:
    """The IDP of one trainee across all their placements; None for an unknown person."""
    person = await session.get(Person, trainee_id)
    if person is None:
        return None
    rows = await session.execute(placement_rows().where(Placement.trainee_id == trainee_id))
    placements = [as_row(r) for r in rows.all()]
    ids = [p.id for p in placements]
    on = await frameworks_of(session, {p.programme_id for p in placements})
    meetings = await _meetings(session, ids)
    observations = await _observations(session, ids)
    ratings = await _ratings(session, ids, on.codes)
    concerns = await _concerns(session, ids)
    escalations = await _escalations(session, ids)
    plans = await support_stages(session, ids)
    assert person.id is not None
    return Idp(
        trainee_id=person.id,
        trainee_name=person.full_name,
        trainee_email=person.email,
        placements=placements,
        meetings=meetings,
        observations=observations,
        ratings=ratings,
        grid=_grid(on, ratings),
        targets=_targets(meetings, observations, ratings, plans),
        concerns=concerns,
        escalations=escalations,
        support_plans=plans,
        timeline=_timeline(concerns, escalations, plans),
        set_targets=await set_targets(session, trainee_id=trainee_id),
        scale=on.scale,
        scale_keys=on.keys,
    )


async def _meetings(session: AsyncSession, ids: list[int]) -> list[MeetingRecord]:
    signer = aliased(Person)
    m = WeeklyMeeting
    stmt = (
        select(
            m.week_start,
            m.status,
            m.held_on,
            m.duration_minutes,
            m.progress_discussed,
            m.targets,
            m.wellbeing,
            m.notes,
            m.rescheduled_to,
            m.reason_not_held,
            signer.full_name,
            m.signed_off_at,
            m.trainee_response,
            m.trainee_comment,
            m.trainee_responded_at,
        )
        .outerjoin(signer, signer.id == m.signed_off_by_id)
        .where(m.placement_id.in_(ids))
        .order_by(m.week_start)
    )
    return [MeetingRecord(*row) for row in (await session.execute(stmt)).all()]


async def _observations(session: AsyncSession, ids: list[int]) -> list[ObservationRecord]:
    o = Observation
    stmt = (
        select(o, Person.full_name)
        .join(Person, Person.id == o.observer_id)
        .where(o.placement_id.in_(ids))
        .order_by(o.observed_on, o.id)
    )
    found = (await session.execute(stmt)).all()
    obs_ids = [row[0].id for row in found]
    standards: dict[int, list[tuple[str, str]]] = {i: [] for i in obs_ids}
    rated = select(RagRating.observation_id, RagRating.item_code, RagRating.rating).where(
        RagRating.observation_id.in_(obs_ids)
    )
    for obs_id, code, rag in (await session.execute(rated.order_by(RagRating.id))).all():
        standards[obs_id].append((code, rag))
    return [
        ObservationRecord(
            id=ob.id or 0,
            observed_on=ob.observed_on,
            lesson=ob.lesson,
            observer=observer,
            focus=ob.focus,
            strengths=ob.strengths,
            areas_for_development=ob.areas_for_development,
            targets=ob.targets,
            feedback_at=ob.created_at,
            acknowledged_at=ob.acknowledged_at,
            standards=tuple(standards.get(ob.id or 0, ())),
        )
        for ob, observer in found
    ]


async def _ratings(session: AsyncSession, ids: list[int], scales: list[str]) -> list[RatingRecord]:
    """Review-point ratings on the frameworks of the trainee's programmes."""
    r = RagRating
    stmt = (
        select(
            ReviewPoint.name,
            ReviewPoint.start_date,
            r.item_code,
            r.rating,
            r.comment,
            r.targets,
            Person.full_name,
            r.created_at,
        )
        .join(ReviewPoint, ReviewPoint.id == r.review_point_id)
        .join(Person, Person.id == r.rater_id)
        .where(r.placement_id.in_(ids), r.scale.in_(scales))
        .order_by(ReviewPoint.start_date, r.item_code, r.created_at, r.id)
    )
    return [RatingRecord(*row) for row in (await session.execute(stmt)).all()]


def _grid(on: Frameworks, ratings: list[RatingRecord]) -> RatingGrid:
    points: list[str] = []
    cells: dict[tuple[str, str], str] = {}
    for rating in ratings:  # ordered by review point, then time: the last one given wins
        if rating.review_point not in points:
            points.append(rating.review_point)
        cells[(rating.item_code, rating.review_point)] = rating.rating
    return RatingGrid(on.standards, tuple(points), cells)


async def _concerns(session: AsyncSession, ids: list[int]) -> list[ConcernRecord]:
    c = Concern
    stmt = (
        select(c.id, c.created_at, Person.full_name, c.category, c.details)
        .join(Person, Person.id == c.raised_by_id)
        .where(c.placement_id.in_(ids))
        .order_by(c.created_at, c.id)
    )
    return [ConcernRecord(*row) for row in (await session.execute(stmt)).all()]


async def _escalations(session: AsyncSession, ids: list[int]) -> list[EscalationRecord]:
    e, acked, resolved = Escalation, aliased(Person), aliased(Person)
    stmt = (
        select(
            e.id,
            e.created_at,
            e.rule,
            e.status,
            e.level,
            e.evidence,
            acked.full_name,
            e.acknowledged_at,
            resolved.full_name,
            e.resolved_at,
        )
        .outerjoin(acked, acked.id == e.acknowledged_by_id)
        .outerjoin(resolved, resolved.id == e.resolved_by_id)
        .where(e.placement_id.in_(ids))
        .order_by(e.created_at, e.id)
    )
    return [EscalationRecord(*row) for row in (await session.execute(stmt)).all()]


def _targets(
    meetings: list[MeetingRecord],
    observations: list[ObservationRecord],
    ratings: list[RatingRecord],
    plans: list[SupportStageRecord],
) -> list[TargetRecord]:
    """Targets as they are kept today: free text on each record that sets them. The
    history is every such text in date order; the last one is the current set."""
    found = [
        TargetRecord(m.held_on or m.week_start, "weekly_meeting", m.targets)
        for m in meetings
        if m.targets
    ]
    found += [
        TargetRecord(o.observed_on, "observation", o.targets) for o in observations if o.targets
    ]
    found += [
        TargetRecord(r.rated_at.date(), "review_point", f"{r.item_code}: {r.targets}")
        for r in ratings
        if r.targets
    ]
    found += [
        TargetRecord(p.started_on, "support_plan", "; ".join(t["text"] for t in p.targets))
        for p in plans
        if p.targets
    ]
    return sorted(found, key=lambda target: target.set_on)


def _timeline(
    concerns: list[ConcernRecord],
    escalations: list[EscalationRecord],
    plans: list[SupportStageRecord],
) -> list[TimelineEvent]:
    events = [TimelineEvent(c.raised_at, "concern", c.category) for c in concerns]
    for e in escalations:
        events.append(TimelineEvent(e.created_at, "escalation", e.rule))
        if e.acknowledged_at is not None:
            events.append(TimelineEvent(e.acknowledged_at, "acknowledged", e.rule))
        if e.resolved_at is not None:
            events.append(TimelineEvent(e.resolved_at, "resolved", e.rule))
    for p in plans:
        events.append(TimelineEvent(stage_started_at(p), "stage_started", p.stage))
        if p.outcome == SupportDecision.CLOSE:
            events.append(TimelineEvent(stage_ended_at(p), "plan_closed", p.stage))
    return sorted(events, key=lambda event: event.at)
