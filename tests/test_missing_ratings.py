"""Ratings still missing after a review point: the lead mentor is told, then the ITT team,
but only about review points the mentor was asked about (a partnership that starts
mid-year is not escalated for the review points that ended before it started)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from storage.models import Escalation
from tests.scheduler_harness import SchedulerHarness, at
from tests.test_scheduler import sched  # noqa: F401  (a partnership on a test clock)

# Review point 1 of tests.factories runs Mon 9 - Fri 20 Nov 2026; the policy's
# missing_ratings_days is 7: the lead mentor is told a week after, the ITT team two weeks.
LEAD_TOLD = date(2026, 11, 30)
ITT_TOLD = date(2026, 12, 7)


async def _missing_escalations(h: SchedulerHarness) -> list[Escalation]:
    async with h.sessions() as s:
        stmt = select(Escalation).where(Escalation.rule == "missing_ratings")
        return list((await s.execute(stmt)).scalars().all())


async def test_a_review_point_the_mentor_was_asked_about_is_chased_up(sched):  # noqa: F811
    h, w = sched
    await h.tick_at(at(date(2026, 11, 3)))  # a week before (2 Nov is INSET): nudged
    assert [m.recipient_id for m in await h.outbox("review_point_nudge")][:1] == [w.mentor_id]
    await h.tick_at(at(LEAD_TOLD))
    told = await h.outbox("missing_ratings")
    # Each trainee's own lead mentor (the other placement is at another school).
    assert len(told) == 2 and w.lead_id in {m.recipient_id for m in told}
    assert await _missing_escalations(h) == []
    await h.tick_at(at(ITT_TOLD, 10))
    raised = await _missing_escalations(h)
    assert {e.placement_id for e in raised} == {w.placement_id, w.other_placement_id}


async def test_a_partnership_starting_after_a_review_point_is_not_escalated_for_it(sched):  # noqa: F811
    h, _w = sched
    # The bot's first day is well after Review point 1: nobody was ever asked for those
    # ratings, so neither the lead mentors nor the ITT team are told they are missing.
    await h.tick_at(at(ITT_TOLD, 10))
    await h.tick_at(at(date(2026, 12, 8), 10))
    assert await h.outbox("missing_ratings") == []
    assert await _missing_escalations(h) == []
