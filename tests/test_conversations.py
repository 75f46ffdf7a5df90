"""The conversations through the neutral layer, as any edge would drive them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from handlers.context import PlatformUser
from handlers.router import Command, Conversations, Press, Submit, UseChannel
from handlers.ui import Actions, Reply
from storage.db import session_factory
from storage.models import (
    AuditEntry,
    Concern,
    FormDraft,
    MentorSelfEvaluation,
    Observation,
    OutboxMessage,
    RagRating,
    WeeklyMeeting,
)
from tests.factories import NOW, WEEK, build_world


def user(email: str) -> PlatformUser:
    async def lookup() -> str:
        return email

    return PlatformUser("console", "", email, email_lookup=lookup)


MENTOR = user("mo.mentor@example.org")
TRAINEE = user("tara.trainee@example.org")
OTHER_MENTOR = user("omar.mentor@example.org")
ITT = user("ida.itt@example.org")


@pytest.fixture
async def convo(engine):
    sessions = session_factory(engine)
    world = await build_world(sessions)
    return Conversations(sessions, clock=lambda: NOW), world, sessions


async def count(sessions, model) -> int:
    async with sessions() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


HELD = {
    "held_on": "2026-11-17",
    "duration": "60",
    "progress": "Behaviour routines with Year 4",
    "targets": "Use cold calling",
    "wellbeing": "green",
    "notes": "",
}


async def test_week_signed_off_by_someone_else_names_them_and_changes_nothing(convo):
    c, w, sessions = convo
    value = f"{w.placement_id}:{WEEK.isoformat()}"
    state = (await c.handle(MENTOR, Press("weekly.not_held", value))).open_form.state
    await c.handle(MENTOR, Submit("weekly.not_held", {"reason": "Trainee ill"}, state))
    async with sessions() as s, s.begin():  # as if the lead mentor had signed it off
        meeting = (await s.execute(select(WeeklyMeeting))).scalar_one()
        meeting.signed_off_by_id = w.lead_id
    again = await c.handle(MENTOR, Submit("weekly.not_held", {"reason": "Trip"}, state))
    assert again.nothing_changed and again.message is not None
    assert "already signed off by Lee Lead" in again.message.text
    assert again.replace_original is not None and "Lee Lead" in again.replace_original.text
    async with sessions() as s:
        meeting = (await s.execute(select(WeeklyMeeting))).scalar_one()
    assert meeting.reason_not_held == "Trainee ill"


async def test_weekly_sign_off_records_once_and_asks_trainee(convo):
    c, w, sessions = convo
    value = f"{w.placement_id}:{WEEK.isoformat()}"
    reply = await c.handle(MENTOR, Press("weekly.held", value))
    assert reply.open_form is not None and reply.open_form.form_id == "weekly.held"
    state = reply.open_form.state
    done = await c.handle(MENTOR, Submit("weekly.held", HELD, state))
    assert done.close_form and done.replace_original is not None
    assert "Signed off by Mo Mentor" in done.replace_original.text
    assert not any(isinstance(b, Actions) for b in done.replace_original.blocks)
    again = await c.handle(MENTOR, Submit("weekly.held", HELD, state))
    assert again.message is not None and "already signed off" in again.message.text
    async with sessions() as s:
        meeting = (await s.execute(select(WeeklyMeeting))).scalar_one()
        outbox = (await s.execute(select(OutboxMessage))).scalars().all()
    assert meeting.status == "held" and meeting.held_on == date(2026, 11, 17)
    assert [o.recipient_id for o in outbox] == [w.trainee_id]
    # The trainee confirms from the message they were sent.
    confirm = await c.handle(TRAINEE, Press("weekly.confirm", str(meeting.id)))
    assert confirm.replace_original is not None and "confirmed" in confirm.replace_original.text
    async with sessions() as s:
        assert (await s.get(WeeklyMeeting, meeting.id)).trainee_response == "confirmed"


async def test_weekly_form_rejects_future_date_and_long_text(convo):
    c, w, sessions = convo
    reply = await c.handle(MENTOR, Press("weekly.held", f"{w.placement_id}:{WEEK}"))
    bad = dict(HELD, held_on="2026-12-25", progress="x" * 3001)
    errors = (await c.handle(MENTOR, Submit("weekly.held", bad, reply.open_form.state))).form_errors
    assert errors is not None
    assert "future" in errors["held_on"] and "3000" in errors["progress"]
    assert await count(sessions, WeeklyMeeting) == 0


async def test_forged_placement_is_refused_and_writes_nothing(convo):
    c, w, sessions = convo
    state = {"placement_id": w.other_placement_id, "week": WEEK.isoformat()}
    reply = await c.handle(MENTOR, Submit("weekly.held", HELD, state))
    assert reply.message is not None and "only do that for trainees" in reply.message.text
    assert await count(sessions, WeeklyMeeting) == 0
    assert await count(sessions, AuditEntry) == 0


async def test_unknown_user_is_told_whom_to_ask_and_nothing_is_written(convo):
    c, _w, sessions = convo
    reply = await c.handle(user("stranger@example.org"), Command("status"))
    assert reply.message is not None and "partnership office" in reply.message.text
    from storage.models import PlatformIdentity

    assert await count(sessions, PlatformIdentity) == 0


async def test_review_point_ratings_keep_a_draft_between_steps(convo):
    c, w, sessions = convo
    first = await c.handle(MENTOR, Press("rate.start", f"{w.placement_id}:{w.review_point_id}"))
    assert first.open_form is not None
    step1 = {code: "green" for code in ("TS1", "TS2", "TS3", "TS4")} | {"TS5": "amber"}
    second = await c.handle(MENTOR, Submit("rate.step", step1, first.open_form.state))
    assert second.open_form is not None and second.open_form.state["step"] == 2
    assert await count(sessions, FormDraft) == 1
    # Coming back later reopens step 1 with the answers kept.
    again = await c.handle(MENTOR, Press("rate.start", f"{w.placement_id}:{w.review_point_id}"))
    assert {f.name: f.initial for f in again.open_form.fields}["TS5"] == "amber"
    step2 = {
        "TS6": "green",
        "TS7": "red",
        "TS8": "green",
        "PART2": "green",
        "comment": "Behaviour is a worry",
        "targets": "Seating plan",
    }
    done = await c.handle(MENTOR, Submit("rate.step", step2, second.open_form.state))
    assert done.close_form
    async with sessions() as s:
        ratings = (await s.execute(select(RagRating))).scalars().all()
    assert len(ratings) == 9 and {r.item_code: r.rating for r in ratings}["TS7"] == "red"
    assert await count(sessions, FormDraft) == 0


async def test_self_evaluation_covers_21_items(convo):
    c, _w, sessions = convo
    reply = await c.handle(MENTOR, Command("self-evaluate"))
    for _step in range(4):
        form = reply.open_form
        values = {f.name: "green" for f in form.fields if f.kind == "choice"}
        values |= {f.name: "Plenty" for f in form.fields if f.name.endswith("_strengths")}
        reply = await c.handle(MENTOR, Submit("selfeval.step", values, form.state))
    assert reply.close_form
    assert await count(sessions, MentorSelfEvaluation) == 4
    assert await count(sessions, RagRating) == 21


async def test_observation_then_trainee_acknowledges(convo):
    c, w, sessions = convo
    start = await c.handle(MENTOR, Command("observe"))
    choices = {f.name: f for f in start.open_form.fields}["placement_id"].choices
    assert [ch.label for ch in choices] == ["Tara Trainee"]  # only the mentor's own
    details = {
        "placement_id": str(w.placement_id),
        "observed_on": "2026-11-17",
        "lesson": "Y4 maths",
        "focus": "Questioning",
        "strengths": "Pace",
        "areas": "Wait time",
        "standards": ["TS2", "TS4"],
        "targets": "Wait 3 s",
    }
    rag = await c.handle(MENTOR, Submit("observe.details", details, {}))
    assert [f.name for f in rag.open_form.fields] == ["TS2", "TS4"]
    done = await c.handle(
        MENTOR, Submit("observe.rag", {"TS2": "green", "TS4": "amber"}, rag.open_form.state)
    )
    assert done.close_form
    async with sessions() as s:
        obs = (await s.execute(select(Observation))).scalar_one()
        queued = (await s.execute(select(OutboxMessage))).scalar_one()
    assert queued.recipient_id == w.trainee_id and "Acknowledge" in str(queued.payload)
    ack = await c.handle(TRAINEE, Press("observe.ack", str(obs.id)))
    assert "acknowledged" in ack.replace_original.blocks[-1].text
    # Another mentor cannot acknowledge or read it.
    refused = await c.handle(OTHER_MENTOR, Press("observe.ack", str(obs.id)))
    assert refused.message is not None and "only do that" in refused.message.text


async def test_concern_is_recorded_and_lead_mentor_alerted(convo):
    c, w, sessions = convo
    await c.handle(MENTOR, Command("concern"))
    reply = await c.handle(
        MENTOR,
        Submit(
            "concern",
            {
                "placement_id": str(w.placement_id),
                "category": "wellbeing",
                "details": "Tired and tearful",
            },
            {},
        ),
    )
    assert reply.close_form
    async with sessions() as s:
        concern = (await s.execute(select(Concern))).scalar_one()
        alert = (await s.execute(select(OutboxMessage))).scalar_one()
    assert concern.category == "wellbeing" and alert.recipient_id == w.lead_id
    forged = await c.handle(
        MENTOR,
        Submit(
            "concern",
            {"placement_id": str(w.other_placement_id), "category": "progress", "details": "x"},
            {},
        ),
    )
    assert forged.message is not None and await count(sessions, Concern) == 1


async def test_escalation_actions_for_itt_leads_only(convo):
    c, w, sessions = convo
    from handlers.escalation import raise_escalation
    from storage.repo import placements

    async with sessions() as s, s.begin():
        view = await placements.view(s, placement_id=w.placement_id)
        e = await raise_escalation(
            s,
            view=view,
            rule="missed_meetings",
            cause_key="2026-11-09",
            evidence={"weeks": "9 Nov, 16 Nov"},
            now=NOW,
        )
        assert (
            await raise_escalation(
                s, view=view, rule="missed_meetings", cause_key="2026-11-09", evidence={}, now=NOW
            )
            is None
        )
    refused = await c.handle(MENTOR, Press("escalation.ack", str(e.id)))
    assert "ITT leadership" in refused.message.text
    acked = await c.handle(ITT, Press("escalation.ack", str(e.id)))
    assert "Acknowledged by Ida Itt" in acked.replace_original.blocks[-2].text
    irp = await c.handle(ITT, Press("escalation.irp", str(e.id)))
    assert irp.open_form.form_id == "support.open"  # the button opens a support plan
    plan = {
        "target_1": "Weekly meeting every Monday",
        "support": "Lead mentor joins",
        "review_date": "2026-12-04",
    }
    done = await c.handle(ITT, Submit("support.open", plan, irp.open_form.state))
    assert done.close_form and "Support plan opened by Ida Itt" in str(done.replace_original)
    resolved = await c.handle(ITT, Press("escalation.resolve", str(e.id)))
    assert not any(isinstance(b, Actions) for b in resolved.replace_original.blocks)


async def test_status_lists_what_is_owed_with_buttons(convo):
    c, _w, _s = convo
    reply: Reply = await c.handle(MENTOR, Command("status"))
    text = str(reply.message)
    assert "weekly development meeting with Tara Trainee" in text
    assert "Ratings for Tara Trainee at Review point 1" in text
    home = await c.home(user("lee.lead@example.org"))
    assert "Your cohort" in str(home)


async def test_remind_me_tomorrow_queues_a_durable_reminder(convo):
    c, w, sessions = convo
    reply = await c.handle(MENTOR, Press("weekly.snooze", f"{w.placement_id}:{WEEK}"))
    assert reply.message is not None and "tomorrow" in reply.message.text
    async with sessions() as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
    assert row.kind == "weekly_reminder" and row.recipient_id == w.mentor_id
    # 08:30 tomorrow in the school's time zone (GMT in November).
    assert row.next_attempt_at.isoformat() == "2026-11-19T08:30:00+00:00"
    refused = await c.handle(OTHER_MENTOR, Press("weekly.snooze", f"{w.placement_id}:{WEEK}"))
    assert "only do that" in refused.message.text


async def test_an_interaction_beaten_to_the_sqlite_write_lock_is_done_again_once(
    convo, monkeypatch
):
    c, w, sessions = convo
    from sqlalchemy.exc import OperationalError

    original, calls = Conversations._route, []

    async def first_loses_the_lock(self, ctx, interaction):
        calls.append(1)
        reply = await original(self, ctx, interaction)
        if len(calls) == 1:  # written, then SQLite says another writer got there first
            raise OperationalError("INSERT …", {}, Exception("database is locked"))
        return reply

    monkeypatch.setattr(Conversations, "_route", first_loses_the_lock)
    state = {"placement_id": w.placement_id, "week": WEEK.isoformat()}
    reply = await c.handle(MENTOR, Submit("weekly.not_held", {"reason": "Trip"}, state))
    assert reply.close_form and "Signed off by Mo Mentor" in reply.replace_original.text
    assert len(calls) == 2
    assert await count(sessions, WeeklyMeeting) == 1
    assert await count(sessions, AuditEntry) == 1  # the first try left nothing behind


async def test_itt_lead_is_told_how_to_choose_the_escalation_channel(convo):
    c, _w, _sessions = convo
    home = await c.home(ITT)
    assert "No channel receives escalation alerts yet" in str(home)
    typed_here = await c.handle(ITT, Command("use this channel for escalations"))
    assert "in the channel where" in typed_here.message.text
    await c.handle(ITT, UseChannel("C-ITT", "T1"))
    assert "No channel receives" not in str(await c.home(ITT))
