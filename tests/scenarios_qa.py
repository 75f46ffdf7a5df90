"""Scenarios of the QA cycle (issue #16), on Slack, Teams and the console alike: a
placement ends, the trainee and the tutor are asked and answer; a tutor's visit raises a
concern. Ida Itt is also the link tutor here (tests/qa_world.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Concern,
    EvaluationAnswer,
    OutboxMessage,
    PlacementEvaluation,
    TutorVisit,
)
from tests.qa_world import TRAINEE_ANSWERS, TUTOR_ANSWERS, VISIT
from tests.scenarios import Scenario

# What people type in these scenarios' forms: never in a log line.
TYPED = [
    str(TRAINEE_ANSWERS["comment"]),
    str(TUTOR_ANSWERS["comment"]),
    VISIT["seen"],
    VISIT["issues"],
]


async def _both_answered_once(s: AsyncSession) -> None:
    rows = (await s.execute(select(PlacementEvaluation))).scalars().all()
    assert sorted((e.kind, e.comment) for e in rows) == [
        ("trainee_of_mentor", TRAINEE_ANSWERS["comment"]),
        ("tutor_of_mentor", TUTOR_ANSWERS["comment"]),
    ]
    answers = (await s.execute(select(EvaluationAnswer))).scalars().all()
    by_kind = {e.id: e.kind for e in rows}
    tutor = {a.item_code: a.value for a in answers if by_kind[a.evaluation_id] == "tutor_of_mentor"}
    assert tutor == {k: v for k, v in TUTOR_ANSWERS.items() if k != "comment"}
    keys = (await s.execute(select(OutboxMessage.key))).scalars().all()
    asks = [k for k in keys if k.startswith("evaluation:")]
    # Asked once each (trainee, tutor, and the mentor about their training).
    assert len(asks) == 3 and all(k.endswith(":0") for k in asks)


async def _visit_and_concern(s: AsyncSession) -> None:
    visit = (await s.execute(select(TutorVisit))).scalar_one()
    concern = (await s.execute(select(Concern))).scalar_one()
    assert visit.concern_id == concern.id and visit.seen == VISIT["seen"]
    assert (concern.category, concern.details) == ("attendance", VISIT["issues"])
    kinds = (await s.execute(select(OutboxMessage.kind))).scalars().all()
    assert kinds.count("concern_alert") == 1  # the lead mentor is told once


SCENARIOS = [
    Scenario(
        "placement-ends-trainee-and-tutor-answer",
        "evaluations_answered",
        seen={
            "trainee": (
                "Your placement at Horton Grange Primary has ended",
                "your evaluation is recorded",
            ),
        },
        stored={PlacementEvaluation: 2, EvaluationAnswer: 9},
        check=_both_answered_once,
    ),
    Scenario(
        "tutor-visit-raises-a-concern",
        "tutor_visit",
        seen={"lead": ("attendance concern about Tara Trainee",)},
        stored={TutorVisit: 1, Concern: 1, PlacementEvaluation: 1, EvaluationAnswer: 4},
        check=_visit_and_concern,
    ),
]
