"""Targets are personal data: in a subject access export, their text redacted on erasure,
and deleted with the placement's meetings by retention (reviews first, on both databases)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from scheduler.policy import Policy
from storage.models import Placement, Target, TargetReview, WeeklyMeeting
from storage.privacy.erase import erase_person
from storage.privacy.held import find_subject, held_about
from storage.privacy.retention import apply_retention
from tests.factories import World, build_world

TARA = "tara.trainee@example.org"


async def _placement(s, w: World, start: date, end: date) -> int:
    placement = Placement(
        trainee_id=w.trainee_id,
        mentor_id=w.mentor_id,
        lead_mentor_id=w.lead_id,
        school_id=w.school_id,
        programme_id=w.programme_id,
        start_date=start,
        end_date=end,
    )
    s.add(placement)
    await s.flush()
    return placement.id or 0


async def _set_and_review(s, w: World, placement_id: int, week: date, text: str) -> int:
    set_at = WeeklyMeeting(placement_id=placement_id, week_start=week, status="held")
    reviewed_at = WeeklyMeeting(placement_id=placement_id, week_start=week.replace(day=week.day + 7), status="held")  # fmt: skip
    s.add_all([set_at, reviewed_at])
    await s.flush()
    target = Target(
        trainee_id=w.trainee_id,
        placement_id=placement_id,
        strand_code="TS7",
        text=text,
        set_on=week,
        review_by=reviewed_at.week_start,
        meeting_id=set_at.id,
        set_by_id=w.mentor_id,
    )
    s.add(target)
    await s.flush()
    s.add(
        TargetReview(
            target_id=target.id or 0,
            placement_id=placement_id,
            meeting_id=reviewed_at.id or 0,
            outcome="partly",
            decision="carry",
            reviewed_on=reviewed_at.week_start,
            reviewed_by_id=w.mentor_id,
        )
    )
    return target.id or 0


async def test_retention_deletes_old_targets_with_their_meetings(sessions):
    w = await build_world(sessions)
    async with sessions() as s, s.begin():
        old = await _placement(s, w, date(2018, 9, 3), date(2019, 7, 12))
        await _set_and_review(s, w, old, date(2018, 10, 1), "Old target")
        kept = await _set_and_review(s, w, w.placement_id, date(2026, 10, 5), "Current target")
    async with sessions() as s:
        counts = await apply_retention(
            s, Policy().retention.by_kind(), today=date(2026, 12, 1), by="office"
        )
    assert counts["meetings"] == 2
    async with sessions() as s:
        left = (await s.execute(select(Target.id))).scalars().all()
        reviews = (await s.execute(select(TargetReview.target_id))).scalars().all()
    assert left == [kept] and reviews == [kept]


async def test_export_and_erasure_cover_targets(sessions):
    w = await build_world(sessions)
    async with sessions() as s, s.begin():
        await _set_and_review(s, w, w.placement_id, date(2026, 10, 5), "Tara Trainee leads the plenary")  # fmt: skip
    async with sessions() as s, s.begin():
        subject = await find_subject(s, TARA)
        assert subject is not None
        held = await held_about(s, subject)
    assert len(held.tables["target"]) == 1 and len(held.tables["target_review"]) == 1
    async with sessions() as s:
        erased = await erase_person(s, TARA)
    assert erased is not None
    async with sessions() as s:
        text = (await s.execute(select(Target.text))).scalar_one()
    assert text == "a former trainee leads the plenary"
