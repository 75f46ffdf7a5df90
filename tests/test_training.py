"""The worked example conversation: a mentor logs mentor training they attended; it shows
on their status and, counted, in the lead mentor's weekly digest."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from handlers.router import Command, Conversations, Press, Submit
from storage.db import session_factory
from storage.models import AuditEntry, MentorTraining
from tests.factories import NOW, build_world
from tests.scheduler_harness import Clock, SchedulerHarness, add_calendar, at, set_itt_channel
from tests.slack_harness import USERS
from tests.stubs.slack_api import SlackApiStub
from tests.test_conversations import MENTOR, TRAINEE

TWILIGHT = {
    "attended_on": "2026-11-12",
    "minutes": "90",
    "provider": "University of Example",
    "topic": "Mentoring conversations",
}


async def _count(sessions: Any, model: Any) -> int:
    async with sessions() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())


@pytest.fixture
async def convo(engine: Any) -> tuple[Conversations, Any]:
    sessions = session_factory(engine)
    await build_world(sessions)
    return Conversations(sessions, clock=lambda: NOW), sessions


async def test_mentor_logs_training_and_sees_it_on_their_status(convo: Any) -> None:
    c, sessions = convo
    form = await c.handle(MENTOR, Command("training"))
    assert form.open_form is not None and form.open_form.form_id == "training"
    before = await c.handle(MENTOR, Command("status"))
    assert before.message is not None and "No mentor training logged" in str(before.message)
    done = await c.handle(MENTOR, Submit("training", TWILIGHT, {}))
    assert done.close_form and done.message is not None
    assert "Mentoring conversations (1.5 h)" in done.message.text
    status = await c.handle(MENTOR, Command("status"))
    assert "Mentor training this academic year: 1.5 h (sessions: 1)" in str(status.message)
    assert await _count(sessions, MentorTraining) == 1
    assert await _count(sessions, AuditEntry) == 1
    # From the App Home's button too.
    again = await c.handle(MENTOR, Press("training.start", "-"))
    assert again.open_form is not None


@pytest.mark.parametrize(
    ("field", "bad"),
    [("attended_on", "2026-12-25"), ("minutes", "5"), ("minutes", "a lot"), ("topic", "")],
)
async def test_a_wrong_entry_is_refused_with_the_reason_and_nothing_stored(
    convo: Any, field: str, bad: str
) -> None:
    c, sessions = convo
    reply = await c.handle(MENTOR, Submit("training", TWILIGHT | {field: bad}, {}))
    assert field in reply.form_errors
    assert await _count(sessions, MentorTraining) == 0


async def test_only_mentors_log_training(convo: Any) -> None:
    c, sessions = convo
    refused = await c.handle(TRAINEE, Command("training"))
    assert refused.message is not None and "Only mentors" in refused.message.text
    forged = await c.handle(TRAINEE, Submit("training", TWILIGHT, {}))
    assert forged.message is not None and await _count(sessions, MentorTraining) == 0


async def test_lead_mentors_digest_counts_each_mentors_training(engine: Any, db_url: str) -> None:
    stub = await SlackApiStub(emails=dict(USERS)).start()
    sessions = session_factory(engine)
    w = await build_world(sessions)
    await add_calendar(sessions, w.programme_id)
    await set_itt_channel(sessions)
    h = SchedulerHarness(engine, sessions, stub, Clock(at(date(2026, 11, 9))))
    h.build(db_url)
    try:
        c = Conversations(sessions, clock=lambda: NOW)
        await c.handle(MENTOR, Submit("training", TWILIGHT, {}))
        await c.handle(MENTOR, Submit("training", TWILIGHT | {"minutes": "60"}, {}))
        await h.tick_at(at(date(2026, 11, 20), 9))  # Friday: the lead mentor's digest
        digest = str(h.posted_to("DULEAD")[-1]["blocks"])
        assert "Mentor training logged this academic year" in digest
        assert "Mo Mentor" in digest and "2.5 h (sessions: 2)" in digest
    finally:
        await h.service.leader.release()
        await stub.close()
