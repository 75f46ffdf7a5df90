"""`quality` in chat (#16 item 3): a mentor with three trainees sees averages only, a lead
mentor sees the full picture of their school's mentors, an ITT lead every school; fewer
than three trainees' evaluations: no aggregate shown to the mentor."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from handlers.router import Command, Conversations, Press
from handlers.ui import Reply
from storage.db import session_factory
from storage.models import EvaluationAnswer, Placement, PlacementEvaluation
from tests.factories import NOW, build_world
from tests.quality_data import TRAINEE_COMMENT, build_quality
from tests.test_conversations import ITT, MENTOR, OTHER_MENTOR, TRAINEE, user

LEAD = user("lee.lead@example.org")
OTHER_LEAD = user("ola.lead@example.org")


async def _convo(engine: Any, evaluating: int = 3) -> Conversations:
    sessions = session_factory(engine)
    await build_quality(sessions, await build_world(sessions), evaluating=evaluating)
    return Conversations(sessions, clock=lambda: NOW)


def _text(reply: Reply) -> str:
    assert reply.message is not None
    return str(reply.message)


async def test_a_mentor_with_three_trainees_sees_aggregates_only(engine: Any) -> None:
    c = await _convo(engine)
    seen = _text(await c.handle(MENTOR, Command("quality")))
    assert "Mentor quality: Mo Mentor, 2026-27" in seen
    assert "trainees agree (4 of 5, from 3)" in seen  # MS1 averaged over the three
    assert "tutors agree (4 of 5, from 1)" in seen
    assert "✔ Green 5 · ▲ Amber 0 · ✖ Red 0" in seen  # the self-evaluation, in words
    assert "10 of 30 due (33%)" in seen and "6 h (sessions: 2)" in seen
    assert "no one trainee's answers or comments are shown" in seen
    for private in (TRAINEE_COMMENT, "Tara Trainee", "Tom Trainee", "MS1 strongly agree"):
        assert private not in seen


async def test_a_lead_mentor_sees_the_full_picture(engine: Any) -> None:
    c = await _convo(engine)
    seen = _text(await c.handle(LEAD, Command("quality Mo Mentor")))
    assert "Mentor quality: Mo Mentor, 2026-27" in seen
    assert "Tara Trainee (trainee, end of placement)" in seen
    assert "MS1 strongly agree" in seen and TRAINEE_COMMENT in seen
    assert "Tess Tutor (tutor, end of placement)" in seen
    # The school's lines: Horton Grange only (Exeter Road is not theirs).
    schools = _text(await c.handle(LEAD, Command("quality")))
    assert "Horton Grange Primary" in schools and "Mo Mentor" in schools
    assert "Exeter Road" not in schools and "Omar Mentor" not in schools


async def test_lead_mentors_and_mentors_stay_within_their_rights(engine: Any) -> None:
    c = await _convo(engine)
    assert "I can't find a mentor called" in _text(
        await c.handle(OTHER_LEAD, Command("quality Mo Mentor"))
    )
    assert "your own mentor quality only" in _text(
        await c.handle(OTHER_MENTOR, Command("quality Mo Mentor"))
    )
    assert "for mentors (their own)" in _text(await c.handle(TRAINEE, Command("quality")))
    everyone = _text(await c.handle(ITT, Command("quality")))
    assert "Horton Grange Primary" in everyone and "Exeter Road Academy" in everyone
    assert "⚠" in everyone  # Omar's school is below the thresholds
    assert "Tara Trainee (trainee" in _text(
        await c.handle(ITT, Command("quality mo.mentor@example.org"))
    )


@pytest.mark.parametrize("evaluating", [1, 2])
async def test_fewer_than_three_answers_no_aggregate_to_the_mentor(
    engine: Any, evaluating: int
) -> None:
    c = await _convo(engine, evaluating)
    seen = _text(await c.handle(MENTOR, Command("quality")))
    assert "once at least 3 trainees have evaluated you" in seen
    assert "trainees agree" not in seen and "trainees strongly" not in seen
    assert "trainees none yet" in seen
    assert TRAINEE_COMMENT not in seen
    # Omar, with one trainee's evaluation, is told the same.
    assert "once at least 3 trainees" in _text(await c.handle(OTHER_MENTOR, Command("quality")))
    # The lead mentor sees what there is.
    lead = _text(await c.handle(LEAD, Command("quality Mo Mentor")))
    assert f"trainees {'strongly agree' if evaluating == 1 else 'agree'}" in lead


async def test_a_lead_mentor_who_mentors_sees_their_own_as_a_mentor(engine: Any) -> None:
    c = await _convo(engine)
    seen = _text(await c.handle(LEAD, Command("quality Lee Lead")))
    assert "I can't find a mentor called" in seen  # Lee mentors nobody this year


async def test_an_oversized_or_odd_name_is_answered_not_crashed(engine: Any) -> None:
    c = await _convo(engine)
    assert "I can't find a mentor" in _text(await c.handle(LEAD, Command("quality " + "x" * 5000)))
    assert "I can't find a mentor" in _text(await c.handle(LEAD, Command("quality %' OR 1=1 --")))


async def test_the_year_before_is_shown_beside_this_year(engine: Any) -> None:
    """Quality over time: last year's headline figures under this year's."""
    sessions = session_factory(engine)
    w = await build_world(sessions)
    await build_quality(sessions, w)
    async with sessions() as s, s.begin():
        s.add(
            Placement(
                trainee_id=w.other_trainee_id,
                mentor_id=w.mentor_id,
                lead_mentor_id=w.lead_id,
                school_id=w.school_id,
                programme_id=w.programme_id,
                start_date=date(2025, 9, 8),
                end_date=date(2025, 12, 19),
            )
        )
    c = Conversations(sessions, clock=lambda: NOW)
    seen = _text(await c.handle(MENTOR, Command("quality")))
    assert "The year before (2025-26): meetings held 0%; training 0 h" in seen
    assert "trainees none yet" in seen


async def test_the_app_home_button_answers_as_the_command(engine: Any) -> None:
    c = await _convo(engine)
    seen = _text(await c.handle(MENTOR, Press("quality.show", "-")))
    assert "trainees agree (4 of 5, from 3)" in seen and TRAINEE_COMMENT not in seen


async def test_a_lead_mentor_who_mentors_sees_their_own_line_as_a_mentor(engine: Any) -> None:
    """Lee Lead mentors one trainee at Horton Grange, who evaluated them: in the school's
    lines Lee's own trainees' figure is withheld, and so is the school's (beside Mo's, seen
    in full, it would give Lee's trainee's answers away by difference)."""
    sessions = session_factory(engine)
    w = await build_world(sessions)
    await build_quality(sessions, w)
    async with sessions() as s, s.begin():
        mine = Placement(
            trainee_id=w.other_trainee_id,
            mentor_id=w.lead_id,
            lead_mentor_id=w.lead_id,
            school_id=w.school_id,
            programme_id=w.programme_id,
            start_date=date(2026, 9, 14),
            end_date=date(2027, 6, 30),
        )
        s.add(mine)
        await s.flush()
        assert mine.id is not None
        evaluation = PlacementEvaluation(
            placement_id=mine.id,
            kind="trainee_of_mentor",
            respondent_id=w.other_trainee_id,
            mentor_id=w.lead_id,
            school_id=w.school_id,
            submitted_at=NOW,
        )
        s.add(evaluation)
        await s.flush()
        assert evaluation.id is not None
        s.add(
            EvaluationAnswer(
                evaluation_id=evaluation.id,
                respondent_id=w.other_trainee_id,
                item_code="MS1",
                value="strongly_disagree",
            )
        )
    c = Conversations(sessions, clock=lambda: NOW)
    lines = _text(await c.handle(LEAD, Command("quality")))
    horton = next(line for line in lines.split("\\n") if "Horton Grange Primary" in line)
    assert "trainees –" in horton
    lee = next(line for line in lines.split("\\n") if "• Lee Lead" in line)
    assert "trainees –" in lee and "strongly disagree" not in lines
    mo = next(line for line in lines.split("\\n") if "• Mo Mentor" in line)
    assert "trainees agree" in mo  # another mentor: in full
    # The ITT lead sees all of it.
    itt = _text(await c.handle(ITT, Command("quality")))
    assert "trainees strongly disagree" in itt


async def test_many_schools_are_cut_short_with_where_to_find_the_rest(
    engine: Any, monkeypatch: Any
) -> None:
    from handlers.quality import flow

    monkeypatch.setattr(flow, "MAX_SCHOOLS", 1)
    c = await _convo(engine)
    seen = _text(await c.handle(ITT, Command("quality")))
    assert "…and 1 more school:" in seen and "mentorbot report quality --year 2026-27" in seen
