"""The sweep keeps what it read between ticks (scheduler/memo.py): what changes between two
sweeps on the same day must still be acted on at the next one, and nothing it kept may
make it act on what is no longer true."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from storage.db import session_factory
from storage.models import Escalation, Person, Placement, School, WeeklyMeeting
from storage.repo import stamps
from tests.factories import build_world, tara_rating
from tests.scheduler_harness import SchedulerHarness, at
from tests.test_scheduler import prompts, sched  # noqa: F401  (the partnership fixture)


async def off_track_alerts(h: SchedulerHarness) -> list[dict]:  # type: ignore[type-arg]
    return [a for a in h.posted_to("CITT") if "a rating marked off track" in a["text"]]


async def test_a_red_recorded_between_two_sweeps_of_a_day_is_escalated_at_the_next(sched):  # noqa: F811
    h, w = sched
    await h.tick_at(at(date(2026, 11, 11), 9))
    assert not await off_track_alerts(h)
    async with h.sessions() as s, s.begin():
        s.add(tara_rating(w, "TS7", "red", at(date(2026, 11, 11), 9, 2)))
    await h.tick_at(at(date(2026, 11, 11), 9, 3))
    alerts = await off_track_alerts(h)
    assert len(alerts) == 1 and "TS7" in str(alerts[0]["blocks"])
    assert h.service.sweeper.memo.full_reads == 1  # the second sweep read only what changed


async def test_a_trainee_placed_between_two_sweeps_is_prompted_at_the_next(sched):  # noqa: F811
    h, w = sched
    await h.tick_at(at(date(2026, 11, 9), 9))
    async with h.sessions() as s, s.begin():
        newcomer = Person(email="nia.new@example.org", full_name="Nia Newcomer")
        s.add(newcomer)
        await s.flush()
        placement = Placement(
            trainee_id=newcomer.id,
            mentor_id=w.mentor_id,
            lead_mentor_id=w.lead_id,
            school_id=w.school_id,
            programme_id=w.programme_id,
            start_date=date(2026, 11, 9),
            end_date=date(2027, 6, 30),
        )
        s.add(placement)
        await s.flush()
        new_id = placement.id
    await h.tick_at(at(date(2026, 11, 9), 9, 1))
    keys = [o.key for o in await h.outbox("weekly_prompt")]
    assert f"weekly:{new_id}:2026-11-09" in keys
    assert any("Nia Newcomer" in p["text"] for p in prompts(h))


async def test_a_week_signed_off_late_is_not_escalated_from_what_was_kept(sched):  # noqa: F811
    h, w = sched
    await h.tick_at(at(date(2026, 11, 9), 9))
    await h.tick_at(at(date(2026, 11, 16), 9))
    # Monday 23 Nov before nine: both weeks asked about and missed, and `mentorbot due`
    # says the escalation is coming (the sweeper keeps who missed them).
    ahead = await h.service.sweeper.plan(at(date(2026, 11, 23), 8, 50))
    assert any(p.kind == "escalation_alert" for p in ahead.planned)
    async with h.sessions() as s, s.begin():  # the mentor signs the week of 16 Nov off
        s.add(
            WeeklyMeeting(
                placement_id=w.placement_id,
                week_start=date(2026, 11, 16),
                status="held",
                signed_off_by_id=w.mentor_id,
                signed_off_at=at(date(2026, 11, 23), 8, 55),
            )
        )
    await h.tick_at(at(date(2026, 11, 23), 9))
    async with h.sessions() as s:
        stmt = select(Escalation.placement_id).where(Escalation.rule == "missed_meetings")
        raised = set((await s.execute(stmt)).scalars().all())
    # Tara's mentor signed a week off: not escalated. Oli's missed both: escalated.
    assert raised == {w.other_placement_id}


async def test_the_first_sweep_after_the_reminder_time_sends_the_prompt_alone(sched):  # noqa: F811
    h, w = sched
    await h.tick_at(at(date(2026, 11, 12), 9))  # Thursday: the bot's first sweep this week
    await h.tick_at(at(date(2026, 11, 13), 9))
    mine = [o for o in await h.outbox() if o.recipient_id == w.mentor_id]
    sent = [o.kind for o in mine if o.status != "cancelled"]
    assert sent.count("weekly_prompt") == 1 and "weekly_reminder" not in sent
    assert len(prompts(h)) == 1  # one message about the week in the mentor's DMs


async def test_the_roster_stamp_moves_with_the_roster_and_only_with_it(engine):
    sessions = session_factory(engine)
    w = await build_world(sessions)

    async def stamp() -> int:
        async with sessions() as s:
            return await stamps.roster(s)

    async def change(stmt) -> int:  # type: ignore[no-untyped-def]
        before = await stamp()
        async with sessions() as s, s.begin():
            await s.execute(stmt)
        return await stamp() - before

    person = update(Person).where(Person.id == w.mentor_id)
    school = update(School).where(School.id == w.school_id)
    assert await change(person.values(email="mo.new@example.org")) == 0
    assert await change(person.values(full_name="Mo Mentor-Smith")) > 0
    assert await change(school.values(name="Horton Grange")) > 0
    assert await change(school.values(slack_team_id="T0NEW")) == 0
    assert (
        await change(
            update(Placement)
            .where(Placement.id == w.placement_id)
            .values(end_date=date(2027, 7, 2))
        )
        > 0
    )
