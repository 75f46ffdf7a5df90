"""The scheduler on a controllable clock: what is sent, when, to whom — and what is not."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from handlers.context import PlatformUser
from handlers.router import Conversations, Press, Submit
from scheduler.policy import Policy
from storage.db import session_factory
from storage.models import Escalation, Person, PersonRole, RagRating
from tests.factories import build_world
from tests.scheduler_harness import Clock, SchedulerHarness, add_calendar, at, set_itt_channel
from tests.slack_harness import USERS
from tests.stubs.slack_api import SlackApiStub


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
    await h.service.leader.release()
    await stub.close()


def prompts(h: SchedulerHarness) -> list[dict]:
    return [
        p for p in h.posted_to("DUMENTOR") if "Did your weekly development meeting" in p["text"]
    ]


def user(email: str) -> PlatformUser:
    async def lookup() -> str:
        return email

    return PlatformUser("console", "", email, email_lookup=lookup)


async def test_prompt_waits_for_monday_morning_and_skips_holidays(sched):
    h, _w = sched
    await h.tick_at(at(date(2026, 11, 8), 10))  # Sunday
    await h.tick_at(at(date(2026, 11, 9), 8, 0))  # Monday, before the 08:30 prompt
    assert not prompts(h)
    await h.tick_at(at(date(2026, 11, 9), 8, 45))
    await h.tick_at(at(date(2026, 11, 9), 9, 30))  # a second sweep queues nothing new
    sent = prompts(h)
    assert len(sent) == 1 and "week of Mon 9 Nov 2026" in sent[0]["text"]
    # Half-term week: no prompt at all.
    await h.tick_at(at(date(2026, 10, 26), 9))
    assert len(prompts(h)) == 1
    # A Monday INSET day: the prompt waits for Tuesday morning.
    await h.tick_at(at(date(2026, 11, 2), 9))
    assert len(prompts(h)) == 1
    await h.tick_at(at(date(2026, 11, 3), 7, 30))  # before working hours
    assert len(prompts(h)) == 1
    await h.tick_at(at(date(2026, 11, 3), 9))
    assert "week of Mon 2 Nov 2026" in prompts(h)[-1]["text"]


async def test_bank_holiday_waits_for_next_working_day(sched):
    h, w = sched
    async with h.sessions() as s, s.begin():
        from storage.models import CalendarEntry

        s.add(
            CalendarEntry(
                programme_id=w.programme_id,
                kind="term",
                name="Christmas club",
                start_date=date(2026, 12, 28),
                end_date=date(2026, 12, 31),
            )
        )
    await h.tick_at(at(date(2026, 12, 28), 10))  # substitute Boxing Day bank holiday
    assert not [p for p in prompts(h) if "28 Dec" in p["text"]]
    await h.tick_at(at(date(2026, 12, 29), 10))
    assert [p for p in prompts(h) if "28 Dec" in p["text"]]


async def test_mentor_who_never_answers_gets_capped_reminders(sched):
    h, w = sched
    h.service.sweeper.policy = Policy(max_nudges_per_person_per_week=1)
    await h.tick_at(at(date(2026, 11, 9), 9))  # prompt
    await h.tick_at(at(date(2026, 11, 12), 9))  # Thursday: reminder (and a review-point nudge)
    await h.tick_at(at(date(2026, 11, 13), 9))
    kinds = [o.kind for o in await h.outbox() if o.recipient_id == w.mentor_id]
    nudges = [k for k in kinds if k in ("weekly_reminder", "review_point_nudge")]
    assert kinds.count("weekly_prompt") == 1 and len(nudges) == 1


async def test_two_missed_weeks_escalate_once_and_acknowledgement_stops_raising(sched):
    h, w = sched

    def tara_alerts(channel: str) -> list[dict]:
        return [
            a
            for a in h.posted_to(channel)
            if "Tara Trainee" in a["text"] and "two consecutive" in a["text"]
        ]

    await h.tick_at(at(date(2026, 11, 9), 9))  # weeks before the bot ran never count
    await h.tick_at(at(date(2026, 11, 16), 9))  # the week of 9 Nov was asked about and missed
    assert not tara_alerts("CITT")
    await h.tick_at(at(date(2026, 11, 23), 9))  # weeks of 9 and 16 Nov both missed
    assert len(tara_alerts("CITT")) == 1
    assert "Mon 9 Nov 2026, Mon 16 Nov 2026" in str(tara_alerts("CITT")[0]["blocks"])
    async with h.sessions() as s:
        stmt = select(Escalation).where(
            Escalation.rule == "missed_meetings", Escalation.placement_id == w.placement_id
        )
        e = (await s.execute(stmt)).scalar_one()
    convo = Conversations(h.sessions, clock=h.clock)
    h.clock.set(at(date(2026, 11, 23), 10))
    await convo.handle(user("ida.itt@example.org"), Press("escalation.ack", str(e.id)))
    await h.tick_at(at(date(2026, 11, 25), 10))  # acknowledged: not raised a level
    await h.tick_at(at(date(2026, 11, 30), 9))  # a third missed week: same open cause, no new alert
    assert not tara_alerts("CDIRECTOR") and len(tara_alerts("CITT")) == 1


async def test_ignored_alert_is_sent_again_one_level_up(sched):
    h, _w = sched
    await h.tick_at(at(date(2026, 11, 9), 9))
    await h.tick_at(at(date(2026, 11, 16), 9))
    await h.tick_at(at(date(2026, 11, 23), 9))
    assert h.posted_to("CITT") and not h.posted_to("CDIRECTOR")
    await h.tick_at(at(date(2026, 11, 23), 16))
    assert not h.posted_to("CDIRECTOR")
    await h.tick_at(at(date(2026, 11, 24), 9, 30))  # 24½ hours, nobody acknowledged
    again = h.posted_to("CDIRECTOR")
    assert again and "raised to level 2" in str(again[0]["blocks"])
    await h.tick_at(at(date(2026, 11, 26), 9, 30))  # only as many levels as the policy has
    assert len(h.posted_to("CDIRECTOR")) == len(again)


async def test_red_at_review_point_escalates(sched):
    h, w = sched
    async with h.sessions() as s, s.begin():
        s.add(
            RagRating(
                scale="teachers_standards",
                item_code="TS7",
                rating="red",
                subject_id=w.trainee_id,
                rater_id=w.mentor_id,
                placement_id=w.placement_id,
                review_point_id=w.review_point_id,
                created_at=at(date(2026, 11, 10)),
            )
        )
        s.add(
            RagRating(
                scale="teachers_standards",
                item_code="TS2",
                rating="green",
                subject_id=w.trainee_id,
                rater_id=w.mentor_id,
                placement_id=w.placement_id,
                review_point_id=w.review_point_id,
                created_at=at(date(2026, 11, 10)),
            )
        )
    await h.tick_at(at(date(2026, 11, 11), 9))
    red = [a for a in h.posted_to("CITT") if "a rating marked off track" in a["text"]]
    assert len(red) == 1 and "TS7" in str(red[0]["blocks"]) and "TS2" not in str(red[0]["blocks"])


async def test_downtime_catch_up_sends_once_and_only_what_still_applies(sched):
    h, w = sched
    # Down from before the 7-day nudge (2 Nov) until the review point is two days off.
    async with h.sessions() as s, s.begin():
        from storage.models import ReviewPoint

        rp = await s.get(ReviewPoint, w.review_point_id)
        rp.start_date, rp.end_date = date(2026, 11, 25), date(2026, 11, 27)
    await h.tick_at(at(date(2026, 11, 23), 9, 5))
    nudges = [o for o in await h.outbox("review_point_nudge") if o.recipient_id == w.mentor_id]
    assert [o.key.rsplit(":", 1)[1] for o in nudges] == ["2"]  # the 7-day one is not sent late
    sent = [o for o in await h.outbox("weekly_prompt") if o.recipient_id == w.mentor_id]
    assert len(sent) == 1 and sent[0].key.endswith("2026-11-23")  # not one per missed week


async def test_rate_limited_send_honours_retry_after(sched):
    h, _w = sched
    h.stub.fail_next(
        "chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "30"}
    )
    result = await h.tick_at(at(date(2026, 11, 9), 9))
    assert result.dispatch.retried >= 1
    pending = [o for o in await h.outbox() if o.status == "pending"]
    assert pending and pending[0].next_attempt_at == at(date(2026, 11, 9), 9) + timedelta(
        seconds=30
    )
    await h.tick_at(at(date(2026, 11, 9), 9) + timedelta(seconds=10))
    assert [o for o in await h.outbox() if o.status == "pending"]
    await h.tick_at(at(date(2026, 11, 9), 9) + timedelta(seconds=31))
    assert all(o.status == "sent" for o in await h.outbox())


async def test_unreachable_person_is_dead_lettered_and_shown_in_digest(sched):
    h, w = sched
    del h.stub.emails["UMENTOR"]  # not in the Slack workspace
    async with h.sessions() as s, s.begin():
        admin = Person(email="ada.admin@example.org", full_name="Ada Admin")
        s.add(admin)
        await s.flush()
        s.add(PersonRole(person_id=admin.id, role="admin"))
    h.stub.emails["UADMIN"] = "ada.admin@example.org"
    await h.tick_at(at(date(2026, 11, 9), 9))
    for minutes in range(1, 8):  # failures of a permanent kind are not retried
        await h.tick_at(at(date(2026, 11, 9), 9, minutes))
    dead = [o for o in await h.outbox() if o.status == "dead"]
    assert dead and dead[0].recipient_id == w.mentor_id
    # The partnership office is told, not left to find out: once, in one summary with
    # the fix, never one message per failed send.
    for minutes in range(8, 12):
        await h.tick_at(at(date(2026, 11, 9), 9, minutes))
    notices = h.posted_to("DUADMIN")
    assert len(notices) == 1
    summary = str(notices[0]["blocks"])
    assert "Mo Mentor" in summary and "weekly prompt" in summary
    assert "matches no account" in summary and "Fix: correct their e-mail" in summary
    assert "Could not deliver a " not in summary
    await h.tick_at(at(date(2026, 11, 10), 9))  # the next day: no new failures, no notice
    assert len(h.posted_to("DUADMIN")) == 1
    await h.tick_at(at(date(2026, 11, 13), 9))  # Friday digest to the lead mentor
    digest = h.posted_to("DULEAD")[-1]
    assert "Could not be reached" in str(digest["blocks"]) and "Mo Mentor" in str(digest["blocks"])


async def test_answered_prompt_cancels_a_late_reminder(sched):
    h, w = sched
    for _ in range(12):  # every first attempt fails (Slack is having a bad minute)
        h.stub.fail_next("chat.postMessage", 500)
    await h.tick_at(at(date(2026, 11, 12), 9))  # prompt and reminder queued; sends fail
    convo = Conversations(h.sessions, clock=h.clock)
    mentor = user("mo.mentor@example.org")
    form = (
        await convo.handle(mentor, Press("weekly.not_held", f"{w.placement_id}:2026-11-09"))
    ).open_form
    await convo.handle(mentor, Submit("weekly.not_held", {"reason": "Trip"}, form.state))
    await h.tick_at(at(date(2026, 11, 12), 10))
    assert {
        o.status
        for o in await h.outbox()
        if o.recipient_id == w.mentor_id and o.kind.startswith("weekly")
    } <= {"sent", "cancelled"}
    assert any(o.status == "cancelled" for o in await h.outbox())


async def test_the_timetable_is_one_tick_added_again_at_every_start(sched):
    h, _w = sched
    from sqlalchemy import inspect

    for _ in range(2):  # a restart adds the tick (and the daily retention) again, never twice
        h.service.start()
        jobs = [job.id for job in h.service.scheduler.get_jobs()]
        assert sorted(jobs) == ["mentorbot-retention", "mentorbot-tick"]
        await h.service.stop()
    # Kept in memory: no synchronous job store writing to the database on the event loop.
    async with h.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert "apscheduler_jobs" not in tables and "scheduler_health" in tables


async def test_digest_due_on_an_inset_friday_comes_on_the_next_school_day(sched):
    h, w = sched
    async with h.sessions() as s, s.begin():
        from storage.models import CalendarEntry

        s.add(
            CalendarEntry(
                programme_id=w.programme_id,
                kind="inset",
                name="Friday INSET",
                start_date=date(2026, 11, 13),
                end_date=date(2026, 11, 13),
            )
        )
    await h.tick_at(at(date(2026, 11, 13), 9))  # Friday, an INSET day: nothing goes out
    assert not await h.outbox("digest")
    await h.tick_at(at(date(2026, 11, 16), 9))  # Monday: last week's digest, once
    await h.tick_at(at(date(2026, 11, 16), 10))
    digests = [o for o in await h.outbox("digest") if o.recipient_id == w.lead_id]
    assert [o.key for o in digests] == [f"digest:{w.lead_id}:2026-11-09"]
    await h.tick_at(at(date(2026, 11, 20), 9))  # that week's own digest on its Friday
    assert len([o for o in await h.outbox("digest") if o.recipient_id == w.lead_id]) == 2
