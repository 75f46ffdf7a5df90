"""Targets in the scheduler: a review not done by its date nudges the mentor (once per
review date), the lead mentor's digest counts open and overdue targets, and a target
reviewed "not met" three times in a row escalates (the policy can turn it off)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from scheduler.policy import OffTrackRules, Policy
from storage.db import session_factory
from storage.models import Escalation, Target, TargetReview, WeeklyMeeting
from tests.factories import World, build_world
from tests.scheduler_harness import Clock, SchedulerHarness, add_calendar, at, set_itt_channel
from tests.slack_harness import USERS
from tests.stubs.slack_api import SlackApiStub


async def _harness(engine, db_url, policy: Policy | None = None):
    stub = await SlackApiStub(emails=dict(USERS)).start()
    sessions = session_factory(engine)
    world = await build_world(sessions)
    await add_calendar(sessions, world.programme_id)
    await set_itt_channel(sessions)
    h = SchedulerHarness(engine, sessions, stub, Clock(at(date(2026, 11, 9))))
    if policy is not None:
        h.policy = policy
    h.build(db_url)
    return h, world, stub


@pytest.fixture
async def sched(engine, db_url):
    h, world, stub = await _harness(engine, db_url)
    yield h, world
    await h.service.leader.release()
    await stub.close()


async def add_target(h: SchedulerHarness, w: World, review_by: date, strand: str = "TS7") -> int:
    async with h.sessions() as s, s.begin():
        target = Target(
            trainee_id=w.trainee_id,
            placement_id=w.placement_id,
            strand_code=strand,
            text="Use cold calling",
            set_on=date(2026, 11, 3),
            review_by=review_by,
            set_by_id=w.mentor_id,
        )
        s.add(target)
        await s.flush()
        assert target.id is not None
        return target.id


WEEKS = [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]


async def add_reviews(h: SchedulerHarness, w: World, target_id: int, outcomes: list[str]) -> None:
    for week, outcome in zip(WEEKS, outcomes, strict=False):
        await review(h, w, target_id, week, outcome)


async def review(h: SchedulerHarness, w: World, target_id: int, week: date, outcome: str) -> None:
    """A review at the week's meeting (the meeting made when it is the first of its week)."""
    async with h.sessions() as s, s.begin():
        meeting = (
            await s.execute(
                select(WeeklyMeeting).where(
                    WeeklyMeeting.placement_id == w.placement_id, WeeklyMeeting.week_start == week
                )
            )
        ).scalar_one_or_none()
        if meeting is None:
            meeting = WeeklyMeeting(placement_id=w.placement_id, week_start=week, status="held")
            s.add(meeting)
            await s.flush()
        s.add(
            TargetReview(
                target_id=target_id,
                placement_id=w.placement_id,
                meeting_id=meeting.id or 0,
                outcome=outcome,
                decision="carry",
                reviewed_on=week,
                reviewed_by_id=w.mentor_id,
            )
        )


def nudges(h: SchedulerHarness) -> list[dict]:
    return [p for p in h.posted_to("DUMENTOR") if "was due for review" in p["text"]]


async def test_a_target_not_reviewed_by_its_date_nudges_the_mentor_once(sched):
    h, w = sched
    target_id = await add_target(h, w, review_by=date(2026, 11, 13))
    await h.tick_at(at(date(2026, 11, 13), 10))  # due today: not late yet
    assert not nudges(h)
    await h.tick_at(at(date(2026, 11, 16), 9))
    await h.tick_at(at(date(2026, 11, 17), 9))
    (nudge,) = nudges(h)
    assert "Tara Trainee" in nudge["text"] and "Fri 13 Nov 2026" in nudge["text"]
    assert "weekly.held" in str(nudge["blocks"])  # reviewed on the weekly meeting form
    # Carried forward to a new date: a new nudge only once that date has passed.
    async with h.sessions() as s, s.begin():
        target = await s.get(Target, target_id)
        target.review_by = date(2026, 11, 20)
    await h.tick_at(at(date(2026, 11, 19), 9))
    assert len(nudges(h)) == 1
    await h.tick_at(at(date(2026, 11, 23), 9))
    assert len(nudges(h)) == 2
    # Reviewed and closed: nothing more.
    async with h.sessions() as s, s.begin():
        target = await s.get(Target, target_id)
        target.status, target.review_by = "met", date(2026, 11, 27)
    await h.tick_at(at(date(2026, 11, 30), 9))
    assert len(nudges(h)) == 2


async def test_the_digest_counts_open_and_overdue_targets(sched):
    h, w = sched
    await add_target(h, w, review_by=date(2026, 11, 13))
    await add_target(h, w, review_by=date(2026, 12, 4), strand="TS4")
    await h.tick_at(at(date(2026, 11, 20), 8, 5))  # Friday: the digest slot
    digests = [p for p in h.posted_to("DULEAD") if "Weekly digest" in p["text"]]
    assert digests, h.stub.called("chat.postMessage")
    shown = str(digests[-1]["blocks"])
    assert "Targets" in shown and "2 open · 1 overdue for review" in shown


def alerts(h: SchedulerHarness) -> list[dict]:
    return [a for a in h.posted_to("CITT") if "not met several times in a row" in a["text"]]


async def test_three_not_met_in_a_row_escalates_with_the_evidence(sched):
    h, w = sched
    target_id = await add_target(h, w, review_by=date(2026, 11, 27))
    await add_reviews(h, w, target_id, ["not_met", "not_met"])
    other = await add_target(h, w, review_by=date(2026, 11, 27), strand="TS2")
    await add_reviews(h, w, other, ["not_met", "partly", "not_met", "not_met"])
    await h.tick_at(at(date(2026, 11, 18), 9))
    assert not alerts(h)  # two in a row, and a streak broken by "partly"
    await review(h, w, target_id, date(2026, 11, 30), "not_met")
    await h.tick_at(at(date(2026, 11, 30), 10))
    await h.tick_at(at(date(2026, 12, 1), 10))
    (alert,) = alerts(h)
    blocks = str(alert["blocks"])
    assert "Tara Trainee" in alert["text"] and "TS7" in blocks
    assert "Mon 2 Nov 2026, Mon 9 Nov 2026, Mon 30 Nov 2026" in blocks
    async with h.sessions() as s:
        e = (
            await s.execute(select(Escalation).where(Escalation.rule == "target_not_met"))
        ).scalar_one()
    assert e.cause_key == f"target:{target_id}" and e.placement_id == w.placement_id
    assert e.evidence == {
        "target_id": target_id,
        "strand": "TS7",
        "reviews": ["2026-11-02", "2026-11-09", "2026-11-30"],
    }


async def test_the_rule_is_off_at_zero(engine, db_url):
    h, w, stub = await _harness(
        engine, db_url, Policy(off_track=OffTrackRules(target_not_met_times=0))
    )
    try:
        target_id = await add_target(h, w, review_by=date(2026, 11, 27))
        await add_reviews(h, w, target_id, ["not_met", "not_met", "not_met"])
        await h.tick_at(at(date(2026, 11, 18), 10))
        assert not alerts(h)
    finally:
        await h.service.leader.release()
        await stub.close()


def test_the_nudge_key_reads_back_and_refuses_junk():
    from handlers import keys

    stored = "target-review:12:2026-11-20"
    assert keys.parse(stored) == keys.TargetReviewNudge(12, date(2026, 11, 20))
    assert str(keys.parse(stored)) == stored
    assert (
        keys.parse("target-review:12") is None and keys.parse("target-review:x:2026-11-20") is None
    )
