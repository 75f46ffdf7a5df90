"""The one table of user-visible scenarios that every edge (Slack, Teams, console) must pass.

A scenario names what a person does (`action`, carried out by each edge's driver in that
edge's own way: a modal, a card, typed lines), what each person then sees (`seen`: phrases
in the messages that reach them) and what is stored (`stored`: rows per model, each once).
The people are those of `tests.factories.build_world`: Mo Mentor mentors Tara Trainee,
Lee Lead is their lead mentor, and the stranger is on no roster.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AuditEntry,
    Concern,
    Observation,
    OutboxMessage,
    PlatformIdentity,
    RagRating,
    ReviewPointQA,
    WeeklyMeeting,
)

# What the people type into the forms, the same at every edge.
HELD = {
    "held_on": "2026-11-17",
    "duration": "60",
    "progress": "Routines with Year 4",
    "targets": "Cold calling",
    "wellbeing": "amber",
}
CONCERN = {"category": "attendance", "details": "Absent three days"}
OBSERVATION = {
    "observed_on": "2026-11-17",
    "lesson": "Y4 fractions",
    "focus": "Questioning",
    "strengths": "Clear modelling",
    "areas": "Wait time",
    "standards": ["TS2", "TS4"],
    "targets": "Wait three seconds",
}
OBSERVATION_RATINGS = {"TS2": "green", "TS4": "amber"}
# The lead mentor's QA form at Review point 1 (the mentor's ratings are in already).
QA = {
    "evidence": ["weekly_meetings", "observations"],
    "evidence_note": "Weeks 6 to 10",
    "agreed": "no",
    "disagreement": "TS7 reads Amber on the logs",
    "actions": "Joint observation next week",
}

Check = Callable[[AsyncSession], Awaitable[None]]


@dataclass(frozen=True)
class Scenario:
    id: str
    action: str  # the driver method that plays it
    seen: dict[str, tuple[str, ...]]  # person -> phrases that reach them
    stored: dict[type, int] = field(default_factory=dict)  # model -> rows afterwards
    check: Check | None = None  # anything else about the stored record

    def __str__(self) -> str:
        return self.id


async def _one(s: AsyncSession, model: type) -> Any:
    return (await s.execute(select(model))).scalar_one()


async def _meeting_held_and_confirmed(s: AsyncSession) -> None:
    meeting = await _one(s, WeeklyMeeting)
    assert (meeting.status, meeting.wellbeing) == ("held", "amber")
    assert meeting.progress_discussed == HELD["progress"] and meeting.targets == HELD["targets"]
    assert meeting.trainee_response == "confirmed"


async def _concern_recorded(s: AsyncSession) -> None:
    concern = await _one(s, Concern)
    assert (concern.category, concern.details) == (CONCERN["category"], CONCERN["details"])
    kinds = (await s.execute(select(OutboxMessage.kind))).scalars().all()
    assert kinds.count("concern_alert") == 1  # the lead mentor is told once


async def _observation_acknowledged(s: AsyncSession) -> None:
    observation = await _one(s, Observation)
    assert observation.acknowledged_at is not None
    ratings = (
        (await s.execute(select(RagRating).where(RagRating.observation_id == observation.id)))
        .scalars()
        .all()
    )
    assert {r.item_code: r.rating for r in ratings} == OBSERVATION_RATINGS


async def _qa_recorded(s: AsyncSession) -> None:
    form = await _one(s, ReviewPointQA)
    assert form.evidence_checked == "weekly_meetings,observations"
    assert (form.judgement_agreed, form.disagreement) == (False, QA["disagreement"])
    assert form.actions == QA["actions"]
    kinds = (await s.execute(select(OutboxMessage.kind))).scalars().all()
    assert kinds.count("qa_recorded") == 1  # the mentor is told once


SCENARIOS = [
    Scenario(
        "weekly-held-and-confirmed",
        "weekly_held",
        seen={
            "mentor": ("Signed off by Mo Mentor",),
            "trainee": (
                "Mo Mentor has recorded your weekly development meeting",
                "Routines with Year 4",
            ),
        },
        stored={WeeklyMeeting: 1},
        check=_meeting_held_and_confirmed,
    ),
    Scenario(
        "concern-alerts-lead-mentor",
        "concern",
        seen={
            "mentor": ("the lead mentor has been told",),
            "lead": ("attendance concern about Tara Trainee",),
        },
        stored={Concern: 1},
        check=_concern_recorded,
    ),
    Scenario(
        "observation-acknowledged",
        "observation",
        seen={
            "mentor": ("Observation feedback for Tara Trainee recorded",),
            "trainee": ("Y4 fractions", "▲ Amber"),
        },
        stored={Observation: 1},
        check=_observation_acknowledged,
    ),
    Scenario(
        "lead-mentor-records-qa-form",
        "qa_form",
        seen={
            "lead": ("QA form for Tara Trainee at Review point 1 recorded: judgement not agreed",),
            "mentor": ("Lee Lead recorded the QA form for Tara Trainee", "TS7 reads Amber"),
        },
        stored={ReviewPointQA: 1},
        check=_qa_recorded,
    ),
    Scenario(
        "qa-form-refused-to-a-mentor",
        "qa_refused",
        seen={"mentor": ("Only lead mentors",)},
        stored={ReviewPointQA: 0, AuditEntry: 0},
    ),
    Scenario(
        # Slack: the App Home button; Teams: the button on the digest card; console: typed.
        # The driver opens the link (tests/report_links.py): their school's heatmap only.
        "lead-mentor-opens-the-cohort-report",
        "cohort_report",
        seen={"lead": ("Your cohort report is ready", "The link works for 24 hours")},
    ),
    Scenario(
        "stranger-told-whom-to-ask",
        "stranger",
        seen={"stranger": ("partnership office",)},
        stored={PlatformIdentity: 0, AuditEntry: 0, WeeklyMeeting: 0, Concern: 0},
    ),
    Scenario(
        "help-lists-the-commands",
        "help",
        seen={"mentor": ("status", "observe", "concern", "rate", "self-evaluate", "training")},
    ),
    Scenario(
        "status-shows-what-is-owed",
        "status",
        seen={
            "mentor": (
                "Tara Trainee",
                "week of Mon 16 Nov 2026",
                "Ratings for Tara Trainee at Review point 1",
            )
        },
        stored={WeeklyMeeting: 0},
    ),
]
