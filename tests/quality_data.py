"""Test data for mentor quality: Mo Mentor with three trainees at Horton Grange who have
evaluated him, a tutor's evaluation, his self-evaluation, training, meetings and
observation feedback; Omar Mentor at Exeter Road evaluated by his one trainee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.catalogue import mentor_items
from storage.enums import EvaluationKind, MeetingStatus, Scale
from storage.models import (
    EvaluationAnswer,
    MentorSelfEvaluation,
    MentorTraining,
    Observation,
    Person,
    PersonRole,
    Placement,
    PlacementEvaluation,
    RagRating,
    WeeklyMeeting,
)
from tests.factories import World

EVALUATED_AT = datetime(2026, 11, 13, 15, 0, tzinfo=UTC)
# Each trainee's answers to MS1..MS4 (Tara first): MS1 averages (5+4+3)/3 = 4.
TRAINEE_ANSWERS = (
    ("strongly_agree", "agree", "agree", "neutral"),
    ("agree", "agree", "strongly_agree", "disagree"),
    ("neutral", "agree", "agree", "disagree"),
)
TUTOR_ANSWERS = ("agree", "strongly_agree", "agree", "agree")
TRAINEE_COMMENT = "Always found time for me on Fridays"
TRAINEE_NAMES = ("Tara Trainee", "Tom Trainee", "Tia Trainee")


@dataclass
class QualityWorld:
    world: World
    tutor_id: int
    placement_ids: tuple[int, ...]  # Mo's three trainees, Tara's first


async def _person(s: AsyncSession, email: str, name: str, role: str) -> int:
    person = Person(email=email, full_name=name)
    s.add(person)
    await s.flush()
    assert person.id is not None
    s.add(PersonRole(person_id=person.id, role=role))
    return person.id


async def _evaluate(
    s: AsyncSession,
    placement: Placement,
    kind: EvaluationKind,
    respondent: int,
    values: tuple[str, ...],
    comment: str = "",
    prefix: str = "MS",
) -> int:
    assert placement.id is not None
    evaluation = PlacementEvaluation(
        placement_id=placement.id,
        kind=kind,
        respondent_id=respondent,
        mentor_id=placement.mentor_id,
        school_id=placement.school_id,
        comment=comment,
        submitted_at=EVALUATED_AT,
    )
    s.add(evaluation)
    await s.flush()
    assert evaluation.id is not None
    s.add_all(
        EvaluationAnswer(
            evaluation_id=evaluation.id, respondent_id=respondent, item_code=f"{prefix}{n}", value=v
        )
        for n, v in enumerate(values, start=1)
    )
    return evaluation.id


async def _self_evaluate(s: AsyncSession, mentor_id: int) -> None:
    """Green on every item but MS4's (Amber, Red)."""
    at = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    for standard in ("MS1", "MS2", "MS3", "MS4"):
        row = MentorSelfEvaluation(mentor_id=mentor_id, standard_code=standard, created_at=at)
        s.add(row)
        await s.flush()
        for item in (i for i in mentor_items() if i.parent_code == standard):
            rag = {"MS4.1": "amber", "MS4.2": "red"}.get(item.code, "green")
            s.add(
                RagRating(
                    scale=Scale.MENTOR_STANDARDS,
                    item_code=item.code,
                    rating=rag,
                    subject_id=mentor_id,
                    rater_id=mentor_id,
                    self_evaluation_id=row.id,
                    created_at=at,
                )
            )


async def build_quality(
    sessions: async_sessionmaker[AsyncSession], w: World, *, evaluating: int = 3
) -> QualityWorld:
    """`evaluating` of Mo's three trainees have evaluated him (Tara first)."""
    async with sessions() as s, s.begin():
        tutor = await _person(s, "tess.tutor@example.org", "Tess Tutor", "tutor")
        tara = await s.get(Placement, w.placement_id)
        assert tara is not None
        placements = [tara]
        for email, name in (
            ("tom.trainee@example.org", TRAINEE_NAMES[1]),
            ("tia.trainee@example.org", TRAINEE_NAMES[2]),
        ):
            trainee = await _person(s, email, name, "trainee")
            placement = Placement(
                trainee_id=trainee,
                mentor_id=w.mentor_id,
                lead_mentor_id=w.lead_id,
                school_id=w.school_id,
                programme_id=w.programme_id,
                start_date=tara.start_date,
                end_date=tara.end_date,
            )
            s.add(placement)
            placements.append(placement)
        await s.flush()
        for placement, answers in list(zip(placements, TRAINEE_ANSWERS, strict=True))[:evaluating]:
            comment = TRAINEE_COMMENT if placement is tara else ""
            kind = EvaluationKind.TRAINEE_OF_MENTOR
            made = await _evaluate(s, placement, kind, placement.trainee_id, answers, comment)
            if placement is tara:  # the school itself (no mentor standard)
                s.add(
                    EvaluationAnswer(
                        evaluation_id=made,
                        respondent_id=tara.trainee_id,
                        item_code="SC1",
                        value="strongly_agree",
                    )
                )
        await _evaluate(s, tara, EvaluationKind.TUTOR_OF_MENTOR, tutor, TUTOR_ANSWERS)
        # Mo's view of the training he had: TR1..TR3 (averages 4.33).
        training = ("agree", "strongly_agree", "agree")
        await _evaluate(s, tara, EvaluationKind.MENTOR_OF_TRAINING, w.mentor_id, training, "", "TR")
        other = await s.get(Placement, w.other_placement_id)
        assert other is not None
        await _evaluate(
            s, other, EvaluationKind.TRAINEE_OF_MENTOR, w.other_trainee_id, ("disagree",) * 4
        )
        await _self_evaluate(s, w.mentor_id)
        s.add_all(
            MentorTraining(
                mentor_id=w.mentor_id,
                attended_on=date(2026, 10, day),
                minutes=180,
                provider="University of Example",
                topic="Mentoring conversations",
            )
            for day in (7, 14)
        )
        _meetings_and_feedback(s, w, [p.id for p in placements if p.id is not None])
        return QualityWorld(w, tutor, tuple(p.id for p in placements if p.id is not None))


def _meetings_and_feedback(s: AsyncSession, w: World, mine: list[int]) -> None:
    """Tara's meetings held and signed off every week from 7 Sep to 9 Nov (10 weeks);
    Oli's on alternate weeks. One observation each: Tara's fed back in 1 day, Oli's in 6."""
    for n in range(10):
        week = date(2026, 9, 7) + timedelta(weeks=n)
        signed = datetime.combine(week + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
        s.add(_held(mine[0], week, signed))
        if n % 2 == 0:
            s.add(_held(w.other_placement_id, week, signed))
    for pid, observer, days in (
        (mine[0], w.mentor_id, 1),
        (w.other_placement_id, w.other_mentor_id, 6),
    ):
        s.add(
            Observation(
                placement_id=pid,
                observer_id=observer,
                observed_on=date(2026, 11, 2),
                lesson="Y4 fractions",
                created_at=datetime(2026, 11, 2 + days, 16, 0, tzinfo=UTC),
            )
        )


def _held(placement_id: int, week: date, signed: datetime) -> WeeklyMeeting:
    return WeeklyMeeting(
        placement_id=placement_id,
        week_start=week,
        status=MeetingStatus.HELD,
        held_on=week,
        signed_off_at=signed,
    )
