"""A large partnership's reads take another path (one pass over every row instead of IN
lists, which SQLite caps at 32,766 values): the same data must give the same answers
either way, so each is asked both ways here on a small partnership."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from storage.db import session_factory
from storage.models import MentorTraining, Target, WeeklyMeeting
from storage.repo import qa, targets, training
from storage.repo import sweeps as q
from tests.factories import World, build_world, tara_rating

ON = date(2026, 11, 25)


async def _partnership(engine) -> tuple[World, object]:  # type: ignore[no-untyped-def]
    sessions = session_factory(engine)
    w = await build_world(sessions)
    async with sessions() as s, s.begin():
        for n, week in enumerate((date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16))):
            s.add(
                WeeklyMeeting(
                    placement_id=w.placement_id,
                    week_start=week,
                    status="held",
                    signed_off_by_id=w.mentor_id if n < 2 else None,
                    signed_off_at=datetime(2026, 11, 20, tzinfo=UTC) if n < 2 else None,
                )
            )
        # Tara is rated (her QA form is owed); Oli is not (his is not).
        s.add(tara_rating(w, "TS1", "amber", datetime(2026, 11, 12, tzinfo=UTC)))
        for trainee, placement, day in (
            (w.trainee_id, w.placement_id, date(2026, 10, 1)),
            (w.other_trainee_id, w.other_placement_id, date(2026, 9, 20)),
            (w.trainee_id, w.placement_id, date(2026, 9, 1)),
        ):
            s.add(
                Target(
                    trainee_id=trainee,
                    placement_id=placement,
                    strand_code="TS1",
                    text="Plan for questioning",
                    set_on=day,
                    review_by=date(2026, 12, 4),
                    set_by_id=w.mentor_id,
                )
            )
        s.add(
            MentorTraining(
                mentor_id=w.mentor_id,
                attended_on=date(2026, 10, 7),
                minutes=90,
                provider="University of Example",
                topic="Coaching",
            )
        )
    return w, sessions


async def _ask(sessions, w: World) -> tuple:  # type: ignore[no-untyped-def]
    mentors = [w.mentor_id, w.other_mentor_id]
    async with sessions() as s:
        last = await q.last_signed_off(s, placement_ids=[w.placement_id, w.other_placement_id])
        owed = await qa.owed_by_mentor(s, mentor_ids=mentors, on=ON)
        trained = await training.totals(s, mentor_ids=mentors, since=date(2026, 9, 1))
        opened = await targets.open_targets(s, trainee_ids=[w.trainee_id, w.other_trainee_id])
        return last, owed, trained, [(x.trainee_id, x.set_on) for x in opened]


async def test_one_pass_and_in_lists_give_the_same_answers(engine, monkeypatch: pytest.MonkeyPatch):
    w, sessions = await _partnership(engine)
    by_lists = await _ask(sessions, w)
    last, owed, trained, opened = by_lists
    assert last == {w.placement_id: date(2026, 11, 9)}  # the newest week signed off
    assert owed == {w.mentor_id: 1}
    assert trained[w.mentor_id].minutes == 90 and w.other_mentor_id not in trained
    assert opened == [
        (w.trainee_id, date(2026, 9, 1)),
        (w.other_trainee_id, date(2026, 9, 20)),
        (w.trainee_id, date(2026, 10, 1)),
    ]  # oldest first
    for module, name in ((q, "ONE_PASS"), (qa, "MANY"), (training, "MANY"), (targets, "ONE_PASS")):
        monkeypatch.setattr(module, name, 0)
    assert await _ask(sessions, w) == by_lists
