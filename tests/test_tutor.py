"""The university visiting tutor: their placements, and a visit record that can raise a
concern; only on placements the roster links them to."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from handlers.router import Command, Conversations, Press, Submit
from handlers.ui import Actions, Reply
from storage.db import session_factory
from storage.models import (
    AuditEntry,
    Concern,
    EvaluationAnswer,
    OutboxMessage,
    PlacementEvaluation,
    TutorVisit,
)
from tests.factories import NOW, build_world
from tests.qa_world import VISIT, with_tutor
from tests.test_conversations import ITT, MENTOR

CALM = VISIT | {"issues": "", "concern": "no"}


def text(reply: Reply) -> str:
    assert reply.message is not None
    return reply.message.text + "".join(str(b) for b in reply.message.blocks)


async def count(sessions, model) -> int:
    async with sessions() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())


@pytest.fixture
async def convo(engine):
    sessions = session_factory(engine)
    world = await build_world(sessions)
    await with_tutor(sessions, world, ends=None)  # the placement runs on to June
    return Conversations(sessions, clock=lambda: NOW), world, sessions


async def test_a_tutor_sees_their_placements_and_others_are_told_it_is_for_tutors(convo):
    c, w, _sessions = convo
    mine = await c.handle(ITT, Command("tutor"))
    shown = text(mine)
    assert "Tara Trainee" in shown and "Horton Grange Primary" in shown and "Mo Mentor" in shown
    assert "Oli Other" not in shown and "No visits recorded yet" in shown
    assert mine.message is not None
    buttons = [b for blk in mine.message.blocks if isinstance(blk, Actions) for b in blk.buttons]
    assert [(b.action, b.value) for b in buttons] == [("tutor.visit", str(w.placement_id))]
    assert "Only university tutors" in text(await c.handle(MENTOR, Command("tutor")))
    assert "Only university tutors" in text(await c.handle(MENTOR, Command("visit")))
    home = await c.home(ITT)
    assert "Tara Trainee" in str(home.blocks) and "Record a visit" in str(home.blocks)


async def test_a_visit_that_raises_a_concern_alerts_the_lead_mentor_once(convo):
    c, w, sessions = convo
    opened = await c.handle(ITT, Press("tutor.visit", str(w.placement_id)))
    form = opened.open_form
    assert form is not None and form.fields[0].initial == str(w.placement_id)
    assert [f.name for f in form.fields][3:7] == ["MS1", "MS2", "MS3", "MS4"]
    values = VISIT | {"placement_id": str(w.placement_id)}
    done = await c.handle(ITT, Submit("tutor.visit", values))
    assert done.close_form
    assert "Your visit to Tara Trainee on Tue 17 Nov 2026 is recorded" in text(done)
    assert "Concern raised (attendance): the lead mentor has been told" in text(done)
    async with sessions() as s:
        visit = (await s.execute(select(TutorVisit))).scalar_one()
        concern = (await s.execute(select(Concern))).scalar_one()
        evaluation = (await s.execute(select(PlacementEvaluation))).scalar_one()
        answers = (await s.execute(select(EvaluationAnswer))).scalars().all()
        told = (await s.execute(select(OutboxMessage))).scalars().all()
        actions = (await s.execute(select(AuditEntry.action))).scalars().all()
    assert (visit.tutor_id, visit.seen, visit.concern_id) == (
        w.itt_lead_id,
        VISIT["seen"],
        concern.id,
    )
    assert (concern.raised_by_id, concern.category, concern.details) == (
        w.itt_lead_id,
        "attendance",
        VISIT["issues"],
    )
    assert (evaluation.kind, evaluation.tutor_visit_id, evaluation.mentor_id) == (
        "tutor_visit",
        visit.id,
        w.mentor_id,
    )
    assert {a.item_code: a.value for a in answers} == {k: VISIT[k] for k in ("MS1", "MS2", "MS3", "MS4")}  # fmt: skip
    assert [(o.kind, o.recipient_id) for o in told] == [("concern_alert", w.lead_id)]
    assert "Ida Itt raised an attendance concern about Tara Trainee" in str(told[0].payload)
    assert sorted(actions) == ["concern_raised", "tutor_visit_recorded"]
    listed = text(await c.handle(ITT, Command("tutor")))
    assert "Visits recorded: 1 (latest Tue 17 Nov 2026)" in listed


async def test_a_visit_without_a_concern_and_the_form_s_checks(convo):
    c, w, sessions = convo
    pid = {"placement_id": str(w.placement_id)}
    vague = await c.handle(ITT, Submit("tutor.visit", VISIT | pid | {"issues": ""}))
    assert vague.form_errors and "Say what the concern is" in vague.form_errors["issues"]
    early = await c.handle(ITT, Submit("tutor.visit", CALM | pid | {"visited_on": "2026-09-01"}))
    assert early.form_errors and "runs from Mon 7 Sep 2026" in early.form_errors["visited_on"]
    future = await c.handle(ITT, Submit("tutor.visit", CALM | pid | {"visited_on": "2026-11-30"}))
    assert future.form_errors and "future" in future.form_errors["visited_on"]
    assert await count(sessions, TutorVisit) == 0 and await count(sessions, AuditEntry) == 0
    done = await c.handle(ITT, Submit("tutor.visit", CALM | pid))
    assert "is recorded" in text(done) and "concern" not in text(done)
    assert await count(sessions, TutorVisit) == 1 and await count(sessions, Concern) == 0
    assert await count(sessions, OutboxMessage) == 0


async def test_a_tutor_cannot_act_on_a_placement_that_is_not_theirs(convo):
    c, w, sessions = convo
    other = str(w.other_placement_id)
    pressed = await c.handle(ITT, Press("tutor.visit", other))
    assert pressed.open_form is None and "only do that" in text(pressed)
    forged = await c.handle(ITT, Submit("tutor.visit", VISIT | {"placement_id": other}))
    assert "only do that" in text(forged)
    garbled = await c.handle(ITT, Submit("tutor.visit", VISIT | {"placement_id": "1 OR 1=1"}))
    assert "couldn't read that" in text(garbled)
    by_mentor = await c.handle(MENTOR, Submit("tutor.visit", VISIT | {"placement_id": str(w.placement_id)}))  # fmt: skip
    assert "Only university tutors" in text(by_mentor)
    for model in (TutorVisit, Concern, PlacementEvaluation, OutboxMessage, AuditEntry):
        assert await count(sessions, model) == 0, model.__name__


async def test_the_tutor_s_evaluation_owed_shows_once_the_placement_has_ended(engine):
    sessions = session_factory(engine)
    w = await build_world(sessions)
    await with_tutor(sessions, w)  # ends today
    c = Conversations(sessions, clock=lambda: NOW)
    mine = await c.handle(ITT, Command("tutor"))
    assert mine.message is not None
    actions = [b.action for blk in mine.message.blocks if isinstance(blk, Actions) for b in blk.buttons]  # fmt: skip
    assert actions == ["evaluation.start", "tutor.visit"]


async def test_the_tutor_s_concern_reaches_the_itt_team_at_the_next_sweep(engine, db_url):
    from datetime import date

    from storage.models import Escalation
    from tests.scheduler_harness import Clock, SchedulerHarness, at, set_itt_channel
    from tests.slack_harness import USERS
    from tests.stubs.slack_api import SlackApiStub

    stub = await SlackApiStub(emails=dict(USERS)).start()
    sessions = session_factory(engine)
    w = await build_world(sessions)
    await with_tutor(sessions, w, ends=None)
    await set_itt_channel(sessions)
    h = SchedulerHarness(engine, sessions, stub, Clock(at(date(2026, 11, 18), 9)))
    h.build(db_url)
    try:
        c = Conversations(sessions, clock=lambda: at(date(2026, 11, 18), 9))
        values = VISIT | {"placement_id": str(w.placement_id)}
        assert "is recorded" in text(await c.handle(ITT, Submit("tutor.visit", values)))
        await h.tick_at(at(date(2026, 11, 18), 10))
        async with sessions() as s:
            rules = (await s.execute(select(Escalation.rule))).scalars().all()
        assert rules == ["concern"]
        alerts = [p for p in h.posted_to("CITT") if "Tara Trainee" in p["text"]]
        assert len(alerts) == 1
    finally:
        assert h.service is not None
        await h.service.leader.release()
        await stub.close()
