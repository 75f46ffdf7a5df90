"""Mentor quality over time (#16 item 3): the figures per mentor and per school, and the
anonymity rule: a mentor sees the trainees' evaluations only as averages over at least
three trainees, never one trainee's answers; lead mentors and ITT leads see them in full."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from storage.db import session_factory
from storage.models import Placement, WeeklyMeeting
from storage.reports import years
from storage.reports.quality import Audience, Scope, mentor_quality, quality
from tests.factories import NOW, build_world
from tests.quality_data import TRAINEE_COMMENT, build_quality

YEAR = years.parse("2026-27")


async def _world(engine: Any, evaluating: int = 3) -> Any:
    sessions = session_factory(engine)
    w = await build_world(sessions)
    return sessions, await build_quality(sessions, w, evaluating=evaluating)


async def test_a_mentor_with_three_trainees_sees_averages_only(engine: Any) -> None:
    sessions, q = await _world(engine)
    async with sessions() as s:
        mine = await mentor_quality(s, YEAR, q.world.mentor_id, audience=Audience.MENTOR, now=NOW)
    assert mine is not None and mine.trainee_evaluations == 3 and not mine.trainees_withheld
    ms1 = mine.standards[0]
    assert ms1.code == "MS1" and ms1.trainees is not None
    assert (ms1.trainees.score, ms1.trainees.evaluations, ms1.trainees.word) == (4.0, 3, "agree")
    assert ms1.tutors is not None and ms1.tutors.score == 4.0
    assert mine.evaluations == ()  # no one trainee's answers, no comment
    assert TRAINEE_COMMENT not in repr(mine) and "Tom Trainee" not in repr(mine)


async def test_a_lead_mentor_sees_the_full_picture(engine: Any) -> None:
    sessions, q = await _world(engine)
    async with sessions() as s:
        report = await quality(
            s, YEAR, Scope(frozenset({q.world.school_id})), audience=Audience.FULL, now=NOW
        )
    (school,) = report.schools
    (mo,) = school.mentors
    by_trainee = {e.respondent: e for e in mo.evaluations if e.kind == "trainee_of_mentor"}
    assert set(by_trainee) == {"Tara Trainee", "Tom Trainee", "Tia Trainee"}
    assert by_trainee["Tara Trainee"].answers["MS1"] == "strongly_agree"
    assert by_trainee["Tara Trainee"].comment == TRAINEE_COMMENT
    assert [e.respondent for e in mo.evaluations if e.kind == "tutor_of_mentor"] == ["Tess Tutor"]


@pytest.mark.parametrize("evaluating", [1, 2])
async def test_fewer_than_three_trainees_no_aggregate_for_the_mentor(
    engine: Any, evaluating: int
) -> None:
    sessions, q = await _world(engine, evaluating)
    async with sessions() as s:
        mine = await mentor_quality(s, YEAR, q.world.mentor_id, audience=Audience.MENTOR, now=NOW)
        full = await mentor_quality(s, YEAR, q.world.mentor_id, audience=Audience.FULL, now=NOW)
    assert mine is not None and mine.trainees_withheld
    assert all(line.trainees is None for line in mine.standards)
    assert mine.evaluations == ()
    # The tutor's evaluation is not the trainees': still shown.
    assert mine.standards[0].tutors is not None
    # The lead mentor still sees them.
    assert full is not None and not full.trainees_withheld
    assert full.standards[0].trainees is not None
    assert full.standards[0].trainees.evaluations == evaluating


async def test_compliance_training_and_self_evaluation(engine: Any) -> None:
    sessions, _q = await _world(engine)
    async with sessions() as s:
        report = await quality(s, YEAR, Scope(), audience=Audience.FULL, now=NOW)
    horton, exeter = (
        next(x for x in report.schools if x.name == name)
        for name in ("Horton Grange Primary", "Exeter Road Academy")
    )
    (mo,) = horton.mentors
    # Ten teaching weeks (7 Sep to 9 Nov) for three trainees; Tara's ten were held.
    assert (mo.compliance.weeks_held, mo.compliance.weeks_due) == (10, 30)
    assert (mo.compliance.observations, mo.compliance.median_feedback_days) == (1, 1.0)
    assert (mo.training_sessions, mo.training_minutes) == (2, 360)
    assert mo.standards[3].self_rags == ("amber", "red")
    assert mo.standards[0].self_rags == ("green",) * 5
    # Below the policy: meetings (10 of 30) and the trainees' MS4 (3, 2, 2: 2.33 < 3.5).
    assert {f.code for f in mo.flags} == {"meetings", "trainees"}
    assert next(f for f in mo.flags if f.code == "trainees").value == 2.33
    (omar,) = exeter.mentors
    assert (omar.compliance.weeks_held, omar.compliance.weeks_due) == (5, 10)
    codes = {f.code for f in exeter.flags}
    assert {"meetings", "feedback", "trainees", "training", "self_evaluation"} <= codes


async def test_other_years_are_not_counted(engine: Any) -> None:
    sessions, q = await _world(engine)
    async with sessions() as s:
        before = await mentor_quality(
            s, YEAR.previous(), q.world.mentor_id, audience=Audience.FULL, now=NOW
        )
    assert before is None  # no trainee that year


@pytest.mark.parametrize(
    ("text", "first"),
    [("2026-27", 2026), ("2026-2027", 2026), ("1999/00", None), ("2099-00", 2099)],
)
def test_academic_year_parsing(text: str, first: int | None) -> None:
    if first is None:
        with pytest.raises(years.BadYear):
            years.parse(text)
    else:
        year = years.parse(text)
        assert year.first == first and year.start.month == 9 and year.end.month == 8


@pytest.mark.parametrize("text", ["2026", "2026-28", "27-28", "twenty", "", "2026-26"])
def test_bad_years_are_refused(text: str) -> None:
    with pytest.raises(years.BadYear, match="2026-27"):
        years.parse(text)


async def test_the_year_before_beside_each_school(engine: Any) -> None:
    """Quality over time per school: last year's figures come with this year's."""
    sessions, q = await _world(engine)
    async with sessions() as s, s.begin():
        earlier = Placement(
            trainee_id=q.world.other_trainee_id,
            mentor_id=q.world.mentor_id,
            lead_mentor_id=q.world.lead_id,
            school_id=q.world.school_id,
            programme_id=q.world.programme_id,
            start_date=date(2025, 9, 8),
            end_date=date(2025, 10, 3),
        )
        s.add(earlier)
        await s.flush()
        assert earlier.id is not None
        for week in (date(2025, 9, 8), date(2025, 9, 15)):
            s.add(
                WeeklyMeeting(
                    placement_id=earlier.id,
                    week_start=week,
                    status="held",
                    signed_off_at=datetime(2025, 9, 20, tzinfo=UTC),
                )
            )
    async with sessions() as s:
        report = await quality(
            s, YEAR, Scope(), audience=Audience.FULL, now=NOW, with_year_before=True
        )
    horton = next(x for x in report.schools if x.name == "Horton Grange Primary")
    exeter = next(x for x in report.schools if x.name == "Exeter Road Academy")
    before = report.before(horton.school_id)
    # Four teaching weeks (8 Sep to 29 Sep 2025), two held.
    assert before is not None and (before.compliance.weeks_held, before.compliance.weeks_due) == (
        2,
        4,
    )
    assert report.before(exeter.school_id) is None
