"""The lead mentor's review-point QA form: who may record it, when it is owed, what is kept,
what the mentor and the lead mentor are told, and the sweep's nudge and digest line."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from handlers.router import Command, Conversations, Press, Submit
from handlers.ui import Actions, Reply
from storage.db import session_factory
from storage.models import AuditEntry, OutboxMessage, ReviewPointQA
from storage.repo import qa
from tests.factories import NOW, World, build_world, tara_rating
from tests.scheduler_harness import Clock, SchedulerHarness, add_calendar, at, set_itt_channel
from tests.slack_harness import USERS
from tests.stubs.slack_api import SlackApiStub
from tests.test_conversations import ITT, MENTOR, user

LEAD = user("lee.lead@example.org")
OTHER_LEAD = user("ola.lead@example.org")  # lead mentor at the other school
AGREED = {
    "evidence": ["weekly_meetings", "ratings"],
    "evidence_note": "Weeks 6 to 10 signed off",
    "agreed": "yes",
    "actions": "Joint observation before Christmas",
}
NOT_AGREED = AGREED | {"agreed": "no", "disagreement": "TS7 is Amber, not Green, on the logs"}


async def rate(sessions: Any, w: World, **ratings: str) -> None:
    """The mentor's ratings at the review point, as the ratings form stores them."""
    async with sessions() as s, s.begin():
        for code, rating in (ratings or {"TS1": "green", "TS7": "amber"}).items():
            s.add(tara_rating(w, code, rating, NOW))


@pytest.fixture
async def convo(engine):
    sessions = session_factory(engine)
    world = await build_world(sessions)
    return Conversations(sessions, clock=lambda: NOW), world, sessions


async def count(sessions: Any, model: Any) -> int:
    async with sessions() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())


def target(w: World) -> str:
    return f"{w.placement_id}:{w.review_point_id}"


def text(reply: Reply) -> str:
    assert reply.message is not None
    return reply.message.text + "".join(str(b) for b in reply.message.blocks)


async def test_lead_mentor_records_the_form_once_ratings_are_in_and_the_mentor_is_told(convo):
    c, w, sessions = convo
    before = await c.handle(LEAD, Command("qa"))
    assert "No QA forms are owed" in text(before)
    await rate(sessions, w)
    opened = await c.handle(LEAD, Command("qa"))
    form = opened.open_form
    assert form is not None and form.form_id == "qa"
    # The one owed form is chosen already, with the mentor's judgement to check.
    assert form.fields[0].initial == target(w)
    assert form.intro and "Mo Mentor's ratings for Tara Trainee" in form.intro
    assert "TS7 ▲ Amber" in form.intro
    done = await c.handle(LEAD, Submit("qa", AGREED | {"target": target(w)}))
    assert done.close_form
    assert "QA form for Tara Trainee at Review point 1 recorded: judgement agreed" in text(done)
    async with sessions() as s:
        row = (await s.execute(select(ReviewPointQA))).scalar_one()
        told = (await s.execute(select(OutboxMessage))).scalars().all()
    assert (row.trainee_id, row.review_point_id, row.lead_mentor_id) == (
        w.trainee_id,
        w.review_point_id,
        w.lead_id,
    )
    assert row.evidence_checked == "weekly_meetings,ratings" and row.judgement_agreed
    assert row.disagreement is None and row.actions == AGREED["actions"]
    assert [(o.kind, o.recipient_id) for o in told] == [("qa_recorded", w.mentor_id)]
    assert "Lee Lead recorded the QA form for Tara Trainee" in str(told[0].payload)
    after = await c.handle(LEAD, Command("qa"))
    assert "No QA forms are owed" in text(after)


async def test_not_agreeing_needs_a_reason_and_keeps_it(convo):
    c, w, sessions = convo
    await rate(sessions, w)
    missing = await c.handle(LEAD, Submit("qa", AGREED | {"agreed": "no", "target": target(w)}))
    assert missing.form_errors and "say why" in missing.form_errors["disagreement"]
    assert await count(sessions, ReviewPointQA) == 0
    done = await c.handle(LEAD, Submit("qa", NOT_AGREED | {"target": target(w)}))
    assert "judgement not agreed" in text(done) and NOT_AGREED["disagreement"] in text(done)
    async with sessions() as s:
        row = (await s.execute(select(ReviewPointQA))).scalar_one()
    assert not row.judgement_agreed and row.disagreement == NOT_AGREED["disagreement"]


async def test_only_a_lead_mentor_of_the_school_or_an_itt_lead_may_record_it(convo):
    c, w, sessions = convo
    await rate(sessions, w)
    mentor = await c.handle(MENTOR, Command("qa"))
    assert "Only lead mentors" in text(mentor)
    pressed = await c.handle(OTHER_LEAD, Press("qa.start", target(w)))
    assert pressed.open_form is None and "only do that for trainees" in text(pressed)
    forged = await c.handle(OTHER_LEAD, Submit("qa", AGREED | {"target": target(w)}))
    assert forged.close_form and "only do that for trainees" in text(forged)
    by_mentor = await c.handle(MENTOR, Submit("qa", AGREED | {"target": target(w)}))
    assert "Only lead mentors" in text(by_mentor)
    assert await count(sessions, ReviewPointQA) == 0
    assert await count(sessions, AuditEntry) == 0
    # The other school's lead mentor owes nothing for a trainee who is not theirs.
    assert "No QA forms are owed" in text(await c.handle(OTHER_LEAD, Command("qa")))
    itt = await c.handle(ITT, Press("qa.start", target(w)))
    assert itt.open_form is not None
    done = await c.handle(ITT, Submit("qa", AGREED | {"target": target(w)}))
    assert "recorded" in text(done) and await count(sessions, ReviewPointQA) == 1


async def test_the_same_form_twice_records_once(convo):
    c, w, sessions = convo
    await rate(sessions, w)
    first = await c.handle(LEAD, Submit("qa", AGREED | {"target": target(w)}))
    again = await c.handle(LEAD, Submit("qa", NOT_AGREED | {"target": target(w)}))
    assert "recorded" in text(first)
    assert "already recorded by Lee Lead on Wed 18 Nov 2026" in text(again)
    assert await count(sessions, ReviewPointQA) == 1
    async with sessions() as s:
        assert (await s.execute(select(ReviewPointQA.judgement_agreed))).scalar_one()
    # The nudge's button, pressed late, says so too rather than opening the form.
    late = await c.handle(LEAD, Press("qa.start", target(w)))
    assert late.open_form is None and "already recorded" in text(late)


async def test_status_and_app_home_show_the_count_with_a_button(convo):
    c, w, sessions = convo
    await rate(sessions, w)
    status = await c.handle(LEAD, Command("status"))
    assert "QA forms owed: 1" in text(status)
    assert status.message is not None
    buttons = [
        b for block in status.message.blocks if isinstance(block, Actions) for b in block.buttons
    ]
    assert any(b.action == "qa.start" for b in buttons)
    home = await c.home(LEAD)
    assert "QA forms owed: 1" in str(home.blocks) and "Record a QA form" in str(home.blocks)
    assert "QA forms owed" not in str((await c.home(MENTOR)).blocks)
    await c.handle(LEAD, Submit("qa", AGREED | {"target": target(w)}))
    assert "QA forms owed: 0" in text(await c.handle(LEAD, Command("status")))


async def test_the_school_summary_lists_recorded_forms(convo):
    c, w, sessions = convo
    await rate(sessions, w)
    await c.handle(LEAD, Submit("qa", NOT_AGREED | {"target": target(w)}))
    async with sessions() as s:
        mine = await qa.listed(s, school_id=w.school_id)
        other = await qa.listed(s, school_id=w.school_id + 1)
        at_point = await qa.listed(s, review_point_id=w.review_point_id)
    assert [(r.trainee_name, r.lead_mentor_name, r.review_point_name) for r in mine] == [
        ("Tara Trainee", "Lee Lead", "Review point 1")
    ]
    assert mine[0].placement_id == w.placement_id and other == [] and len(at_point) == 1


# --- the sweep: the nudge to the lead mentor and the digest line -----------------------


@pytest.fixture
async def sched(engine, db_url):
    stub = await SlackApiStub(emails=dict(USERS)).start()
    sessions = session_factory(engine)
    world = await build_world(sessions)
    await add_calendar(sessions, world.programme_id)
    await set_itt_channel(sessions)
    h = SchedulerHarness(engine, sessions, stub, Clock(at(date(2026, 11, 9))))
    h.build(db_url)
    yield h, world
    assert h.service is not None
    await h.service.leader.release()
    await stub.close()


async def test_sweep_nudges_the_lead_mentor_once_ratings_are_in_until_recorded(sched):
    h, w = sched
    await h.tick_at(at(date(2026, 11, 10), 9))
    assert not await h.outbox("qa_owed")  # no ratings yet: nothing to check
    await rate(h.sessions, w)
    await h.tick_at(at(date(2026, 11, 11), 9))
    await h.tick_at(at(date(2026, 11, 11), 10))
    nudges = await h.outbox("qa_owed")
    assert [(o.recipient_id, o.key) for o in nudges] == [(w.lead_id, f"qa-owed:{target(w)}")]
    posted = [p for p in h.posted_to("DULEAD") if "your QA form is owed" in p["text"]]
    assert len(posted) == 1 and "Tara Trainee" in posted[0]["text"]
    # The Friday digest counts it.
    await h.tick_at(at(date(2026, 11, 13), 9))
    digest = [p for p in h.posted_to("DULEAD") if "QA forms owed: 1" in str(p["blocks"])]
    assert len(digest) == 1


async def test_a_recorded_form_is_not_nudged(sched):
    h, w = sched
    await rate(h.sessions, w)
    convo = Conversations(h.sessions, clock=lambda: at(date(2026, 11, 10), 16))
    await convo.handle(LEAD, Submit("qa", AGREED | {"target": target(w)}))
    await h.tick_at(at(date(2026, 11, 11), 9))
    assert not await h.outbox("qa_owed")
    await h.tick_at(at(date(2026, 11, 13), 9))
    assert not [p for p in h.posted_to("DULEAD") if "QA forms owed" in str(p["blocks"])]


async def test_a_long_past_review_point_is_counted_but_not_nudged(sched):
    """Forms owed at a review point more than two months gone (the bot came later) stay on
    the lead mentor's status; the sweep does not start nudging about them."""
    h, w = sched
    async with h.sessions() as s, s.begin():
        from storage.models import ReviewPoint

        point = await s.get(ReviewPoint, w.review_point_id)
        assert point is not None
        point.start_date, point.end_date = date(2026, 9, 7), date(2026, 9, 11)
    await rate(h.sessions, w)
    await h.tick_at(at(date(2026, 11, 11), 9))
    assert not await h.outbox("qa_owed")
    convo = Conversations(h.sessions, clock=lambda: at(date(2026, 11, 11), 10))
    assert "QA forms owed: 1" in text(await convo.handle(LEAD, Command("status")))
