"""A trainee with a full autumn term of records, for the evidence-out tests (and counts of
what was written, so the exports can be checked to contain every record)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.catalogue import TEACHERS_STANDARDS
from storage.models import (
    Concern,
    Escalation,
    Observation,
    RagRating,
    ReviewPoint,
    WeeklyMeeting,
)
from tests.factories import World
from tests.support_data import add_plan

TERM_START = date(2026, 9, 7)
WEEKS = 12
OBSERVATIONS = 6


@dataclass(frozen=True)
class Term:
    meetings: int
    observations: int
    ratings: int  # review-point ratings
    concerns: int
    escalations: int
    support_plans: int
    targets: int  # records that set targets


def _at(day: date, hour: int = 16) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def full_term(sessions: async_sessionmaker[AsyncSession], w: World) -> Term:
    """Weekly meetings (held, rescheduled, not held, disputed), observations with feedback
    and acknowledgements, two review points of ratings (TS1 Red then Green), a concern that
    was escalated, acknowledged and resolved, and a support plan."""
    async with sessions() as s, s.begin():
        targets = 0
        for n in range(WEEKS):
            week = TERM_START + timedelta(weeks=n)
            meeting = WeeklyMeeting(placement_id=w.placement_id, week_start=week)
            if n % 6 == 4:
                meeting.status, meeting.rescheduled_to = "rescheduled", week + timedelta(days=7)
            elif n % 6 == 5:
                meeting.status, meeting.reason_not_held = "not_held", "Trip <b>day</b>"
            else:
                meeting.status, meeting.held_on = "held", week + timedelta(days=1)
                meeting.duration_minutes, meeting.progress_discussed = 60, f"Progress week {n + 1}"
                meeting.targets, meeting.wellbeing = f"Target set in week {n + 1}", "green"
                meeting.signed_off_by_id, meeting.signed_off_at = w.mentor_id, _at(week)
                meeting.trainee_response = "disputed" if n == 2 else "confirmed"
                meeting.trainee_comment = "We ran out of time" if n == 2 else None
                meeting.trainee_responded_at = _at(week + timedelta(days=2))
                targets += 1
            s.add(meeting)
        for n in range(OBSERVATIONS):
            day = TERM_START + timedelta(weeks=2 * n, days=2)
            observation = Observation(
                placement_id=w.placement_id,
                observer_id=w.mentor_id,
                observed_on=day,
                lesson=f"Lesson {n + 1}",
                focus="Questioning",
                strengths="Clear modelling",
                areas_for_development="Wait time",
                targets=f"Observation target {n + 1}",
                created_at=_at(day + timedelta(days=n % 3)),
                acknowledged_at=_at(day + timedelta(days=4)) if n < OBSERVATIONS - 1 else None,
            )
            s.add(observation)
            await s.flush()
            s.add(
                RagRating(
                    scale="teachers_standards",
                    item_code="TS4",
                    rating="amber",
                    subject_id=w.trainee_id,
                    rater_id=w.mentor_id,
                    placement_id=w.placement_id,
                    observation_id=observation.id,
                    created_at=observation.created_at,
                )
            )
            targets += 1
        second = ReviewPoint(
            programme_id=w.programme_id,
            name="Review point 2",
            start_date=date(2026, 11, 30),
            end_date=date(2026, 12, 4),
        )
        s.add(second)
        await s.flush()
        ratings = 0
        for point, when, ts1 in (
            (w.review_point_id, _at(date(2026, 11, 12)), "red"),
            (second.id, _at(date(2026, 12, 2)), "green"),
        ):
            for entry in TEACHERS_STANDARDS:
                rating = ts1 if entry.code == "TS1" else "amber" if entry.code == "TS5" else "green"
                s.add(
                    RagRating(
                        scale="teachers_standards",
                        item_code=entry.code,
                        rating=rating,
                        subject_id=w.trainee_id,
                        rater_id=w.mentor_id,
                        placement_id=w.placement_id,
                        review_point_id=point,
                        comment=f"{entry.code} comment",
                        targets="Plan for <script>alert(1)</script>" if entry.code == "TS1" else "",
                        created_at=when,
                    )
                )
                ratings += 1
                targets += entry.code == "TS1"
        concern = Concern(
            placement_id=w.placement_id,
            raised_by_id=w.mentor_id,
            category="progress",
            details="Behaviour routines not yet secure",
            created_at=_at(date(2026, 10, 14)),
        )
        open_concern = Concern(
            placement_id=w.placement_id,
            raised_by_id=w.lead_id,
            category="wellbeing",
            details="Tired",
            created_at=_at(date(2026, 11, 11)),
        )
        s.add_all([concern, open_concern])
        await s.flush()
        escalation = Escalation(
            placement_id=w.placement_id,
            rule="concern",
            cause_key=f"concern:{concern.id}",
            evidence={"concern_id": concern.id, "category": "progress"},
            status="resolved",
            created_at=_at(date(2026, 10, 14), 17),
            acknowledged_by_id=w.itt_lead_id,
            acknowledged_at=_at(date(2026, 10, 15)),
            resolved_by_id=w.itt_lead_id,
            resolved_at=_at(date(2026, 11, 2)),
        )
        s.add(escalation)
        await s.flush()
        await add_plan(
            s,
            placement_id=w.placement_id,
            escalation_id=escalation.id,
            targets=("Secure routines by half term",),
            support="Weekly co-teaching",
            review_date=date(2026, 10, 30),
            opened_by_id=w.itt_lead_id,
            led_by_id=w.itt_lead_id,
            opened_at=_at(date(2026, 10, 15), 12),
            closed_at=_at(date(2026, 11, 2)),
        )
        targets += 1
    return Term(WEEKS, OBSERVATIONS, ratings, 2, 1, 1, targets)
