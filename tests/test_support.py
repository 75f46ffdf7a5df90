"""Staged support plans through the neutral layer: who may open and review them, forged
and stale ids, each review recorded once, extend / close / the last stage, the status
view, the policy's stages, and the reminders the sweep sends."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from handlers.router import Command, Conversations, Press, Submit
from handlers.support import stages
from scheduler.policy import Policy, PolicyError, load
from storage.db import session_factory
from storage.models import (
    AuditEntry,
    OutboxMessage,
    SupportPlan,
    SupportReview,
    SupportStage,
)
from tests.factories import NOW, build_world
from tests.scheduler_harness import Clock, SchedulerHarness, add_calendar, at, set_itt_channel
from tests.slack_harness import USERS
from tests.stubs.slack_api import SlackApiStub
from tests.support_data import add_plan
from tests.test_conversations import ITT, MENTOR, OTHER_MENTOR, TRAINEE, user

LEAD = user("lee.lead@example.org")
OTHER_LEAD = user("ola.lead@example.org")
OPEN = {"target_1": "Arrive by 8am", "support": "Check-ins", "review_date": "2026-11-20"}


@pytest.fixture
async def convo(engine):
    sessions = session_factory(engine)
    world = await build_world(sessions)
    return Conversations(sessions, clock=lambda: NOW), world, sessions


async def count(sessions, model, **where) -> int:  # type: ignore[no-untyped-def]
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    async with sessions() as s:
        return int((await s.execute(stmt)).scalar_one())


async def _open(c: Conversations, who=LEAD, values=OPEN):  # type: ignore[no-untyped-def]
    form = await c.handle(who, Command("support Tara Trainee"))
    assert form.open_form is not None, form.message
    return await c.handle(who, Submit("support.open", values, form.open_form.state))


async def _stage(sessions, position: int = 1) -> SupportStage:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        stmt = select(SupportStage).where(SupportStage.position == position)
        return (await s.execute(stmt)).scalar_one()


async def test_a_mentor_is_refused_and_nothing_is_stored(convo):
    c, _w, sessions = convo
    reply = await c.handle(MENTOR, Command("support Tara Trainee"))
    assert "Only lead mentors and ITT leads" in reply.message.text
    # On its own, `support` lists the plans a mentor's trainees have (none), no way to open.
    listing = await c.handle(MENTOR, Command("support"))
    assert "No open support plans" in str(listing.message) and "support <" not in str(
        listing.message
    )
    assert await count(sessions, SupportPlan) == 0 and await count(sessions, AuditEntry) == 0


async def test_a_lead_mentor_only_for_their_own_schools_trainees(convo):
    c, w, sessions = convo
    reply = await c.handle(OTHER_LEAD, Command("support Tara Trainee"))
    assert "No trainee in your care matches" in reply.message.text
    # A form's state pointing at another school's placement is refused, not stored.
    forged = await c.handle(
        OTHER_LEAD, Submit("support.open", OPEN, {"placement_id": w.placement_id})
    )
    assert "linked to on the roster" in forged.message.text
    assert await count(sessions, SupportPlan) == 0


@pytest.mark.parametrize(
    "state",
    [{"placement_id": "abc"}, {"placement_id": 999999}, {}, {"placement_id": -1}],
)
async def test_forged_form_state_is_a_clear_refusal(convo, state):
    c, _w, sessions = convo
    reply = await c.handle(LEAD, Submit("support.open", OPEN, state))
    assert reply.message is not None and "Traceback" not in reply.message.text
    assert await count(sessions, SupportPlan) == 0


async def test_a_lead_mentor_cannot_borrow_an_escalation(convo):
    c, w, sessions = convo
    state = {"placement_id": w.placement_id, "escalation_id": 1}
    reply = await c.handle(LEAD, Submit("support.open", OPEN, state))
    assert "linked to on the roster" in reply.message.text  # only ITT leads act on alerts
    assert await count(sessions, SupportPlan) == 0


@pytest.mark.parametrize("action", ["support.ack", "support.review", "escalation.irp"])
@pytest.mark.parametrize("value", ["999999", "x", "-3", ""])
async def test_forged_button_values(convo, action, value):
    c, _w, sessions = convo
    who = TRAINEE if action == "support.ack" else ITT
    reply = await c.handle(who, Press(action, value))
    assert reply.message is not None and reply.open_form is None
    assert await count(sessions, AuditEntry) == 0


async def test_opening_tells_people_and_refuses_a_second_plan(convo):
    c, w, sessions = convo
    done = await _open(c)
    assert done.close_form and "Support plan opened for Tara Trainee" in done.message.text
    async with sessions() as s:
        told = (await s.execute(select(OutboxMessage.recipient_id))).scalars().all()
    assert sorted(told) == sorted([w.trainee_id, w.mentor_id])  # not Lee: Lee did it
    again = await c.handle(LEAD, Command("support tara"))
    assert "already has an open support plan" in again.message.text
    assert "support.review" in str(again.message)  # with the button to record its review
    assert await count(sessions, SupportPlan) == 1


async def test_targets_are_checked(convo):
    c, _w, sessions = convo
    form = await c.handle(LEAD, Command("support Tara Trainee"))
    bad = {**OPEN, "target_1": "x" * 3001, "strand_1": "NOPE", "review_date": "2026-11-01"}
    reply = await c.handle(LEAD, Submit("support.open", bad, form.open_form.state))
    assert set(reply.form_errors) == {"target_1", "strand_1", "review_date"}
    assert await count(sessions, SupportPlan) == 0
    # The review date is defaulted from the stage's period (14 days).
    review = next(f for f in form.open_form.fields if f.name == "review_date")
    assert review.initial == "2026-12-02"


async def test_only_the_trainee_acknowledges_once(convo):
    c, _w, sessions = convo
    await _open(c)
    stage = await _stage(sessions)
    refused = await c.handle(MENTOR, Press("support.ack", str(stage.id)))
    assert "linked to on the roster" in refused.message.text
    done = await c.handle(TRAINEE, Press("support.ack", str(stage.id)))
    assert "You acknowledged your support plan" in done.replace_original.text
    twice = await c.handle(TRAINEE, Press("support.ack", str(stage.id)))
    assert "already" in twice.message.text
    assert await count(sessions, AuditEntry, action="support_plan_acknowledged") == 1


async def test_review_recorded_once_then_extend_then_close(convo):
    c, w, sessions = convo
    await _open(c)
    stage = await _stage(sessions)
    refused = await c.handle(MENTOR, Press("support.review", str(stage.id)))
    assert refused.open_form is None
    form = await c.handle(LEAD, Press("support.review", str(stage.id)))
    state = form.open_form.state
    no_date = await c.handle(
        LEAD, Submit("support.review", {"met_1": "met", "decision": "extend"}, state)
    )
    assert set(no_date.form_errors) == {"next_date"}
    extend = {"met_1": "not_met", "decision": "extend", "next_date": "2026-11-27"}
    done = await c.handle(LEAD, Submit("support.review", extend, state))
    assert "extended; review on Fri 27 Nov 2026" in done.message.text
    again = await c.handle(LEAD, Submit("support.review", extend, state))  # the same form
    assert "recorded already" in again.message.text
    assert await count(sessions, SupportReview) == 1
    assert (await _stage(sessions)).review_date == date(2026, 11, 27)
    form = await c.handle(LEAD, Press("support.review", str(stage.id)))
    close = {"met_1": "met", "decision": "close"}
    closed = await c.handle(LEAD, Submit("support.review", close, form.open_form.state))
    assert "support plan is closed" in closed.message.text
    async with sessions() as s:
        plan = (await s.execute(select(SupportPlan))).scalar_one()
    assert plan.status == "closed" and plan.closed_by_id == w.lead_id
    after = await c.handle(LEAD, Press("support.review", str(stage.id)))
    assert "closed" in after.message.text and after.open_form is None
    listing = await c.handle(TRAINEE, Command("support"))
    assert "No open support plans" in str(listing.message)


async def test_the_last_stage_has_no_next(convo):
    c, w, sessions = convo
    async with sessions() as s, s.begin():
        panel = await add_plan(
            s,
            placement_id=w.placement_id,
            opened_by_id=w.itt_lead_id,
            led_by_id=w.itt_lead_id,
            review_date=date(2026, 11, 20),
            stage="panel",
        )
        panel.position = 3
    form = await c.handle(ITT, Press("support.review", str(panel.id)))
    decision = next(f for f in form.open_form.fields if f.name == "decision")
    assert [ch.value for ch in decision.choices] == ["close", "extend"]
    nxt = {"met_1": "met", "decision": "next"}
    reply = await c.handle(ITT, Submit("support.review", nxt, form.open_form.state))
    assert reply.form_errors and "decision" in reply.form_errors


async def test_status_shows_the_plan_to_each_of_its_people(convo):
    c, _w, _sessions = convo
    await _open(c)
    trainee = str((await c.handle(TRAINEE, Command("status"))).message)
    assert "Your support plan: review on Fri 20 Nov 2026" in trainee and "support.ack" in trainee
    mentor = str((await c.handle(MENTOR, Command("status"))).message)
    assert "Support plan for Tara Trainee" in mentor and "support.review" not in mentor
    lead = str((await c.handle(LEAD, Command("support"))).message)
    assert "support.review" in lead
    itt = str((await c.handle(ITT, Command("support"))).message)
    assert "Tara Trainee" in itt and "support.review" in itt
    other = str((await c.handle(OTHER_MENTOR, Command("support"))).message)
    assert "Tara Trainee" not in other


def test_stages_come_from_the_policy(tmp_path: Path):
    path = tmp_path / "policy.toml"
    path.write_text(
        "support_review_nudge_days = [3]\n"
        '[[support_stages]]\ncode = "informal"\nreview_days = 10\nled_by = "lead_mentor"\n'
        'label = "Informal support"\n'
        '[[support_stages]]\ncode = "formal"\nreview_days = 28\nled_by = "itt_lead"\n'
        'tell = ["trainee", "lead_mentor"]\n'
    )
    policy = load(path)
    try:
        stages.configure(policy.stages())
        assert [s.code for s in stages.current()] == ["informal", "formal"]
        assert stages.at(2).review_days == 28 and stages.at(3) is None
        from handlers.support.words import stage_label

        assert stage_label("informal") == "Informal support"
    finally:
        stages.configure(None)
    assert Policy().stages() == stages.DEFAULT_STAGES
    path.write_text('[[support_stages]]\ncode = "x"\nreview_days = 10\nled_by = "mentor"\n')
    with pytest.raises(PolicyError, match="line 4"):
        load(path)


async def test_reminders_before_the_review_and_when_overdue(engine, db_url):
    stub = await SlackApiStub(emails=dict(USERS)).start()
    sessions = session_factory(engine)
    w = await build_world(sessions)
    await add_calendar(sessions, w.programme_id)
    await set_itt_channel(sessions)
    h = SchedulerHarness(engine, sessions, stub, Clock(at(date(2026, 11, 9))))
    h.build(db_url)
    try:
        async with sessions() as s, s.begin():
            await add_plan(
                s,
                placement_id=w.placement_id,
                opened_by_id=w.lead_id,
                led_by_id=w.lead_id,
                review_date=date(2026, 11, 16),  # a Monday
            )
        await h.tick_at(at(date(2026, 11, 11), 9))  # five days before: nothing yet
        assert not await h.outbox("support_review")
        await h.tick_at(at(date(2026, 11, 14), 10))  # Saturday, two days before: not sent
        assert not await h.outbox("support_review")
        await h.tick_at(at(date(2026, 11, 16), 6))  # before working hours
        assert not await h.outbox("support_review")
        await h.tick_at(at(date(2026, 11, 16), 9))  # the day: one reminder, to the leader
        await h.tick_at(at(date(2026, 11, 16), 11))
        sent = await h.outbox("support_review")
        assert [o.recipient_id for o in sent] == [w.lead_id]
        await h.tick_at(at(date(2026, 11, 17), 9))  # overdue: once
        await h.tick_at(at(date(2026, 11, 18), 9))
        overdue = await h.outbox("support_overdue")
        assert [o.recipient_id for o in overdue] == [w.lead_id]
    finally:
        await h.service.leader.release()
        await stub.close()


async def test_the_idp_lists_each_stage_with_its_reviews(convo):
    from handlers.reports import files, render
    from storage.reports.idp import idp

    c, w, sessions = convo
    await _open(c, values={**OPEN, "strand_1": "TS7"})
    stage = await _stage(sessions)
    form = await c.handle(LEAD, Press("support.review", str(stage.id)))
    nxt = {"met_1": "not_met", "decision": "next"}
    await c.handle(LEAD, Submit("support.review", nxt, form.open_form.state))
    async with sessions() as s:
        found = await idp(s, trainee_id=w.trainee_id)
    assert found is not None
    assert [(p.stage, p.position, p.outcome) for p in found.support_plans] == [
        ("support_plan", 1, "next"),
        ("cause_for_concern", 2, None),
    ]
    assert found.support_plans[0].reviews[0]["not_met"] == [1]
    page = render.idp_html(found, generated_at=NOW)
    for words in (
        "Cause for concern",
        "not met: 1",
        "Move to the next stage",
        "Arrive by 8am (TS7)",
    ):
        assert words in page, words
    exported = json.loads(files.idp_json(found))
    assert len(exported["support_plans"]) == 2


async def test_two_leads_opening_at_once_make_one_plan(convo):
    import asyncio

    c, w, sessions = convo
    state = {"placement_id": w.placement_id}
    replies = await asyncio.gather(
        c.handle(LEAD, Submit("support.open", OPEN, state)),
        c.handle(ITT, Submit("support.open", OPEN, state)),
    )
    assert await count(sessions, SupportPlan) == 1
    assert any("already has an open support plan" in str(r.message) for r in replies)
