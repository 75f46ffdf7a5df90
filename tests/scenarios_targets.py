"""Targets in the scenario table (Slack, Teams, console): a target set in week 1 is
reviewed in week 2; bad targets are refused with a reason each and nothing is stored; a
review gone past its date is on the mentor's status with a button to do it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Target, TargetReview, WeeklyMeeting
from tests.scenarios import Scenario

WEEK1, WEEK2 = date(2026, 11, 9), date(2026, 11, 16)
# Week 1's meeting (signed off late, on Wednesday 18 November): one target, reviewed by Friday.
HELD1 = {
    "held_on": "2026-11-12",
    "duration": "50",
    "progress": "Transitions between activities",
    "wellbeing": "green",
}
TARGET = {
    "target_1": "Narrate the positives before any sanction",
    "target_1_strand": "TS7",
    "target_1_review": "2026-11-20",
}
HELD2 = {
    "held_on": "2026-11-17",
    "duration": "60",
    "progress": "Behaviour log for the week",
    "wellbeing": "amber",
}
# Refused: too long, a strand that is not the programme's, a past date, and one too many
# (two targets are open already).
BAD = {
    "target_1": "x" * 301,
    "target_1_strand": "TS7",
    "target_2": "Plan one hinge question",
    "target_2_strand": "TS99",
    "target_3": "Mark the books on Thursday",
    "target_3_strand": "TS6",
    "target_3_review": "2026-11-10",
}
TYPED = [
    HELD1["progress"],
    TARGET["target_1"],
    HELD2["progress"],
    BAD["target_2"],
    BAD["target_3"],
]


async def _reviewed_and_carried(s: AsyncSession) -> None:
    target = (await s.execute(select(Target))).scalar_one()
    review = (await s.execute(select(TargetReview))).scalar_one()
    assert (target.strand_code, target.text) == ("TS7", TARGET["target_1"])
    assert (target.set_on, target.status) == (date(2026, 11, 12), "open")
    assert target.review_by == date(2026, 11, 27)  # carried to the next meeting
    assert (review.target_id, review.outcome, review.decision) == (target.id, "not_met", "carry")
    meetings = (await s.execute(select(WeeklyMeeting).order_by(WeeklyMeeting.week_start))).all()
    assert target.meeting_id == meetings[0][0].id and review.meeting_id == meetings[1][0].id


SCENARIOS = [
    Scenario(
        "target-set-in-week-1-is-reviewed-in-week-2",
        "target_set_then_reviewed",
        seen={
            "mentor": ("Targets set", "Targets reviewed", "carried forward to Fri 27 Nov 2026"),
            "trainee": (
                "Narrate the positives before any sanction",
                "review by Fri 20 Nov 2026",
            ),
        },
        stored={WeeklyMeeting: 2, Target: 1, TargetReview: 1},
        check=_reviewed_and_carried,
    ),
    Scenario(
        "bad-targets-refused",
        "targets_refused",
        seen={
            "mentor": (
                "Please keep this under 300 characters",
                "Please choose one of the options.",
                "The review date must be after today",
                "at most 3 open targets at a time",
            )
        },
        stored={WeeklyMeeting: 0, Target: 2, TargetReview: 0},
    ),
    Scenario(
        "overdue-target-review-on-status",
        "target_overdue_status",
        seen={
            "mentor": (
                "Review Tara Trainee's target (TS7), due by Fri 13 Nov 2026",
                "Open targets for Tara Trainee",
                "Review at sign-off",
            )
        },
        stored={TargetReview: 0},
    ),
]
