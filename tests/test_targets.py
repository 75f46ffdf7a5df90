"""Targets as records: set on the weekly meeting form, reviewed at the next, carried
forward (across placements too), listed on status, in the digest and the IDP."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from handlers.reports import render
from handlers.router import Command, Conversations, Press, Submit
from handlers.ui import Facts, Section
from storage.db import session_factory
from storage.models import OutboxMessage, Placement, Target, TargetReview, WeeklyMeeting
from storage.reports.idp import idp
from tests.factories import WEEK, build_world
from tests.scheduler_harness import Clock, add_calendar, at
from tests.test_conversations import MENTOR, TRAINEE, user

WEEK2 = WEEK + timedelta(days=7)  # 23 Nov 2026
HELD = {
    "held_on": "2026-11-17",
    "duration": "60",
    "progress": "Behaviour routines",
    "wellbeing": "green",
}
NEW = {
    "target_1": "Use cold calling in every lesson",
    "target_1_strand": "TS7",
    "target_2": "Plan a hinge question",
    "target_2_strand": "TS6",
    "target_2_review": "2026-12-04",
}


@pytest.fixture
async def convo(engine):
    sessions = session_factory(engine)
    world = await build_world(sessions)
    await add_calendar(sessions, world.programme_id)
    clock = Clock(at(date(2026, 11, 18), 10))
    return Conversations(sessions, clock=clock), world, sessions, clock


async def rows(sessions, model) -> list:
    async with sessions() as s:
        order = model.id  # type: ignore[attr-defined]
        return list((await s.execute(select(model).order_by(order))).scalars().all())


async def sign_off(c, w, week: date, values: dict, who=MENTOR):
    opened = await c.handle(who, Press("weekly.held", f"{w.placement_id}:{week}"))
    assert opened.open_form is not None
    return opened.open_form, await c.handle(
        who, Submit("weekly.held", values, opened.open_form.state)
    )


def text_of(blocks) -> str:
    out = []
    for b in blocks:
        if isinstance(b, Section):
            out += [b.heading or "", b.text]
        elif isinstance(b, Facts):
            out += [f"{k}: {v}" for k, v in b.pairs]
    return "\n".join(out)


async def test_set_in_week_1_shown_to_trainee_and_reviewed_in_week_2(convo):
    c, w, sessions, clock = convo
    form, done = await sign_off(c, w, WEEK, HELD | NEW)
    # The form offers the programme's strands and the next meeting as the review date.
    review = {f.name: f for f in form.fields}["target_1_review"]
    assert review.initial == "2026-11-27"  # Friday of the next teaching week
    assert {ch.value for ch in {f.name: f for f in form.fields}["target_1_strand"].choices} >= {
        "TS1",
        "PART2",
    }
    assert done.close_form and "Targets set" in text_of(done.replace_original.blocks)
    first, second = await rows(sessions, Target)
    assert (first.strand_code, first.review_by, first.status) == ("TS7", date(2026, 11, 27), "open")
    assert (second.strand_code, second.review_by) == ("TS6", date(2026, 12, 4))
    assert first.trainee_id == w.trainee_id and first.meeting_id is not None
    # The trainee sees them on the record they are asked to confirm.
    (confirm,) = [o for o in await rows(sessions, OutboxMessage) if o.kind == "weekly_confirm"]
    assert "Use cold calling in every lesson" in str(confirm.payload)
    assert "review by Fri 27 Nov 2026" in str(confirm.payload)

    # Week 2: the form reviews the target due (the other is due later and is not shown).
    clock.set(at(date(2026, 11, 25), 10))
    opened = await c.handle(MENTOR, Press("weekly.held", f"{w.placement_id}:{WEEK2}"))
    names = [f.name for f in opened.open_form.fields]
    assert f"review_{first.id}" in names and f"review_{second.id}" not in names
    missing = await c.handle(MENTOR, Submit("weekly.held", HELD, opened.open_form.state))
    assert missing.form_errors == {f"review_{first.id}": "This is required."}
    values = HELD | {"held_on": "2026-11-24", f"review_{first.id}": "not_met"}
    done = await c.handle(MENTOR, Submit("weekly.held", values, opened.open_form.state))
    assert "carried forward to Fri 4 Dec 2026" in text_of(done.replace_original.blocks)
    (reviewed,) = await rows(sessions, TargetReview)
    assert (reviewed.target_id, reviewed.outcome, reviewed.decision) == (
        first.id,
        "not_met",
        "carry",
    )
    assert reviewed.reviewed_on == date(2026, 11, 24) and reviewed.reviewed_by_id == w.mentor_id
    carried, _ = await rows(sessions, Target)
    assert (carried.status, carried.review_by) == ("open", date(2026, 12, 4))
    # The same submission again (a retry) reviews nothing twice.
    await c.handle(MENTOR, Submit("weekly.held", values, opened.open_form.state))
    assert len(await rows(sessions, TargetReview)) == 1

    # Week 3: met closes it by default.
    clock.set(at(date(2026, 12, 2), 10))
    week3 = WEEK2 + timedelta(days=7)
    # Both are due now; the second is partly met and carried to the next meeting.
    values = HELD | {"held_on": "2026-12-01", f"review_{first.id}": "met"}
    values[f"review_{second.id}"] = "partly"
    _, done = await sign_off(c, w, week3, values)
    assert done.close_form, done.form_errors
    met, partly = await rows(sessions, Target)
    assert met.status == "met" and met.closed_at is not None
    assert (partly.status, partly.review_by) == ("open", date(2026, 12, 11))
    # The IDP has each target with the history of its reviews.
    async with sessions() as s:
        found = await idp(s, trainee_id=w.trainee_id)
    assert found is not None
    history = {x.id: [(r.outcome, r.decision) for r in x.reviews] for x in found.set_targets}
    assert history[first.id] == [("not_met", "carry"), ("met", "close")]
    assert [x.id for x in found.open_targets] == [second.id]
    page = render.idp_html(found, generated_at=clock.now)
    assert "Targets set at weekly meetings, with their reviews (2)" in page
    assert "✖ not met, carried forward (Mo Mentor)" in page and "✔ met (closed)" in page
    assert "TS6 – Plan a hinge question (review by 11 Dec 2026)" in page  # current targets


async def test_bad_targets_are_refused_and_nothing_is_stored(convo):
    c, w, sessions, _clock = convo
    bad = HELD | {
        "target_1": "x" * 301,
        "target_1_strand": "TS7",
        "target_2": "Plan a hinge question",
        "target_2_strand": "TS99",  # forged: not a strand of the programme
        "target_3": "Mark books",
        "target_3_strand": "TS6",
        "target_3_review": "2026-11-10",  # in the past
    }
    _, reply = await sign_off(c, w, WEEK, bad)
    errors = reply.form_errors or {}
    assert "300" in errors["target_1"]
    assert errors["target_2_strand"] == "Please choose one of the options."
    assert "after today" in errors["target_3_review"]
    beyond = HELD | {"target_1": "Mark books", "target_1_review": "2027-07-30"}
    _, reply = await sign_off(c, w, WEEK, beyond)
    errors = reply.form_errors or {}
    assert "strand" in errors["target_1_strand"] and "Wed 30 Jun 2027" in errors["target_1_review"]
    assert await rows(sessions, Target) == [] and await rows(sessions, WeeklyMeeting) == []


async def test_at_most_three_open_targets_at_a_time(convo):
    c, w, sessions, clock = convo
    await sign_off(c, w, WEEK, HELD | NEW)  # two open, one due at the next meeting
    clock.set(at(date(2026, 11, 25), 10))
    first, _second = await rows(sessions, Target)
    two_more = {
        "target_1": "Use mini whiteboards",
        "target_1_strand": "TS6",
        "target_2": "Greet at the door",
        "target_2_strand": "TS7",
    }
    carry = HELD | {"held_on": "2026-11-24", f"review_{first.id}": "partly"} | two_more
    _, reply = await sign_off(c, w, WEEK2, carry)
    assert "at most 3 open targets" in (reply.form_errors or {})["target_2"]
    assert len(await rows(sessions, WeeklyMeeting)) == 1  # week 2 is not signed off
    assert len(await rows(sessions, Target)) == 2
    # Closing the one reviewed makes room.
    close = carry | {f"decision_{first.id}": "close"}
    _, reply = await sign_off(c, w, WEEK2, close)
    assert reply.close_form
    statuses = [x.status for x in await rows(sessions, Target)]
    assert statuses == ["closed", "open", "open", "open"]


async def test_open_targets_carry_to_the_next_placement_and_show_on_status(convo):
    c, w, sessions, clock = convo
    await sign_off(c, w, WEEK, HELD | NEW)
    # The trainee moves to a second placement with another mentor in January.
    async with sessions() as s, s.begin():
        first = await s.get(Placement, w.placement_id)
        first.end_date = date(2026, 12, 18)
        s.add(
            Placement(
                trainee_id=w.trainee_id,
                mentor_id=w.other_mentor_id,
                lead_mentor_id=w.lead_id,
                school_id=w.school_id,
                programme_id=w.programme_id,
                start_date=date(2027, 1, 4),
                end_date=date(2027, 3, 26),
            )
        )
    async with sessions() as s:
        second_id = (
            await s.execute(select(Placement.id).where(Placement.start_date == date(2027, 1, 4)))
        ).scalar_one()
    clock.set(at(date(2027, 1, 6), 10))
    omar = user("omar.mentor@example.org")
    opened = await c.handle(omar, Press("weekly.held", f"{second_id}:2027-01-04"))
    reviews = [f.name for f in opened.open_form.fields if f.name.startswith("review_")]
    assert len(reviews) == 2  # both overdue now: reviewed at the new placement's meeting
    status = await c.handle(omar, Command("status"))
    seen = text_of(status.message.blocks)
    assert "Review Tara Trainee's target (TS7), due by Fri 27 Nov 2026" in seen
    assert "Open targets for Tara Trainee" in seen and "⚠ review overdue" in seen
    mine = await c.handle(TRAINEE, Command("status"))
    assert "Use cold calling in every lesson" in text_of(mine.message.blocks)
    values = {
        "held_on": "2027-01-05",
        "duration": "45",
        "progress": "Settling in",
        "wellbeing": "green",
    } | {name: "met" for name in reviews}
    done = await c.handle(omar, Submit("weekly.held", values, opened.open_form.state))
    assert done.close_form
    reviewed = await rows(sessions, TargetReview)
    assert {r.placement_id for r in reviewed} == {second_id}
    assert [x.status for x in await rows(sessions, Target)] == ["met", "met"]


async def test_a_meeting_without_targets_signs_off_as_before(convo):
    c, w, sessions, _clock = convo
    _, done = await sign_off(c, w, WEEK, HELD | {"targets": "Talked about cold calling"})
    assert done.close_form and "Targets set" not in text_of(done.replace_original.blocks)
    (meeting,) = await rows(sessions, WeeklyMeeting)
    assert meeting.targets == "Talked about cold calling"
    async with sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Target))).scalar_one() == 0
