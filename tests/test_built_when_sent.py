"""The weekly prompts and the digests are built when they are sent, not when the sweep
queues them (handlers.owed.BuildsLater): the outbox holds their key alone, and what
arrives says what is true when it arrives."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from handlers.codec import BUILT_WHEN_SENT
from storage.models import Placement
from tests.factories import tara_rating
from tests.scheduler_harness import SchedulerHarness, at
from tests.test_scheduler import prompts, sched  # noqa: F401  (the partnership fixture)

FRIDAY = at(date(2026, 11, 13), 9)  # the digest's day


async def queue_only(h: SchedulerHarness, moment):  # type: ignore[no-untyped-def]
    """The sweep at `moment`, with nothing sent yet."""
    h.clock.set(moment)
    assert h.service is not None
    return await h.service.sweeper.run(moment)


async def send_now(h: SchedulerHarness) -> None:
    assert h.service is not None
    await h.service.dispatcher.drain()


async def test_the_outbox_keeps_a_prompt_s_key_alone_and_the_mentor_gets_it_whole(sched):  # noqa: F811
    h, w = sched
    await queue_only(h, at(date(2026, 11, 9), 9))
    [row] = [o for o in await h.outbox("weekly_prompt") if o.recipient_id == w.mentor_id]
    assert row.payload == BUILT_WHEN_SENT  # no trainee's name waits in the outbox
    await send_now(h)
    [sent] = prompts(h)
    assert "Tara Trainee" in sent["text"] and "9 Nov" in sent["text"]
    buttons = [
        e["action_id"] for b in sent["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["weekly.held", "weekly.rescheduled", "weekly.not_held", "weekly.snooze"]


async def test_a_digest_shows_the_ratings_recorded_after_it_was_queued(sched):  # noqa: F811
    h, w = sched
    await queue_only(h, FRIDAY)
    mine = [o.key for o in await h.outbox("digest") if o.recipient_id == w.lead_id]
    assert mine == [f"digest:{w.lead_id}:2026-11-09"]
    async with h.sessions() as s, s.begin():  # rated a minute later, before it goes out
        s.add(tara_rating(w, "TS2", "green", at(date(2026, 11, 13), 9, 1)))
    await send_now(h)
    [digest] = h.posted_to("DULEAD")
    shown = str(digest["blocks"])
    assert "Weekly digest" in digest["text"]
    assert "Tara Trainee" in shown and "TS2" in shown


async def test_a_digest_whose_trainees_have_all_left_is_not_sent(sched):  # noqa: F811
    h, w = sched
    await queue_only(h, FRIDAY)
    async with h.sessions() as s, s.begin():  # both placements end early, that morning
        await s.execute(
            update(Placement)
            .where(Placement.lead_mentor_id == w.lead_id)
            .values(end_date=date(2026, 11, 12))
        )
    await send_now(h)
    assert not h.posted_to("DULEAD")
    [row] = [o for o in await h.outbox("digest") if o.recipient_id == w.lead_id]
    assert row.status == "cancelled"


async def test_mentorbot_due_still_shows_what_the_digest_would_say(sched):  # noqa: F811
    h, w = sched
    assert h.service is not None
    ahead = await h.service.sweeper.plan(FRIDAY)
    [digest] = [p for p in ahead.planned if p.kind == "digest" and p.recipient_id == w.lead_id]
    assert digest.message is not None and "Tara Trainee" in str(digest.message.blocks)
    assert not await h.outbox()  # planning writes nothing
