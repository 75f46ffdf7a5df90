"""Every interaction that writes records once, however often and however fast it arrives.

Each scenario fires the same interaction several times at once (a double click, a
platform retry of a slow request, two devices) and checks what a person would notice:
one record, one audit entry, one notification. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from handlers.escalation import raise_escalation
from handlers.router import Conversations, Interaction, Press, Submit
from storage.db import session_factory
from storage.models import (
    AuditEntry,
    Concern,
    Observation,
    OutboxMessage,
    ReviewPointQA,
    SupportPlan,
    SupportReview,
    WeeklyMeeting,
)
from storage.repo import placements
from tests.factories import NOW, WEEK, World, build_world
from tests.test_conversations import HELD, ITT, MENTOR, TRAINEE
from tests.test_qa_review import AGREED as QA_AGREED
from tests.test_qa_review import LEAD as QA_LEAD
from tests.test_qa_review import rate

COPIES = 5


async def _count(sessions: Any, model: Any, **where: Any) -> int:
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    async with sessions() as s:
        return int((await s.execute(stmt)).scalar_one())


async def _signed_meeting(c: Conversations, w: World, sessions: Any) -> int:
    form = await c.handle(MENTOR, Press("weekly.held", f"{w.placement_id}:{WEEK}"))
    assert form.open_form is not None
    await c.handle(MENTOR, Submit("weekly.held", HELD, form.open_form.state))
    async with sessions() as s:
        return int((await s.execute(select(WeeklyMeeting.id))).scalar_one())


async def _observation(c: Conversations, w: World, sessions: Any) -> int:
    rag = await c.handle(MENTOR, Submit("observe.details", OBSERVED | _for(w), {}))
    assert rag.open_form is not None
    await c.handle(MENTOR, Submit("observe.rag", {"TS2": "green"}, rag.open_form.state))
    async with sessions() as s:
        return int((await s.execute(select(Observation.id))).scalar_one())


async def _escalation(w: World, sessions: Any) -> int:
    async with sessions() as s, s.begin():
        view = await placements.view(s, placement_id=w.placement_id)
        assert view is not None
        e = await raise_escalation(
            s, view=view, rule="concern", cause_key="c1", evidence={}, now=NOW
        )
        assert e is not None and e.id is not None
        return e.id


def _for(w: World) -> dict[str, Any]:
    return {"placement_id": str(w.placement_id)}


OBSERVED = {
    "observed_on": "2026-11-17",
    "lesson": "Y4 maths",
    "focus": "Questioning",
    "strengths": "Pace",
    "areas": "Wait time",
    "standards": ["TS2"],
    "targets": "Wait 3 s",
}
CONCERN = {"category": "wellbeing", "details": "Tired and tearful"}
IRP = {"target_1": "Weekly meeting", "support": "Lead mentor joins", "review_date": "2026-12-04"}

Setup = Callable[[Conversations, World, Any], Awaitable[tuple[Any, Interaction]]]


async def _concern(c: Conversations, w: World, _s: Any) -> tuple[Any, Interaction]:
    return MENTOR, Submit("concern", CONCERN | _for(w), {}, event_key="view:V1:h1")


async def _observe(c: Conversations, w: World, _s: Any) -> tuple[Any, Interaction]:
    rag = await c.handle(MENTOR, Submit("observe.details", OBSERVED | _for(w), {}))
    assert rag.open_form is not None
    return MENTOR, Submit("observe.rag", {"TS2": "green"}, rag.open_form.state, event_key="v:2")


async def _sign_off(c: Conversations, w: World, _s: Any) -> tuple[Any, Interaction]:
    # No key at all (two devices): the week's own row decides.
    form = await c.handle(MENTOR, Press("weekly.held", f"{w.placement_id}:{WEEK}"))
    assert form.open_form is not None
    return MENTOR, Submit("weekly.held", HELD, form.open_form.state)


async def _confirm(c: Conversations, w: World, s: Any) -> tuple[Any, Interaction]:
    return TRAINEE, Press("weekly.confirm", str(await _signed_meeting(c, w, s)))


async def _disagree(c: Conversations, w: World, s: Any) -> tuple[Any, Interaction]:
    meeting = await _signed_meeting(c, w, s)
    return TRAINEE, Submit("weekly.disagree", {"comment": "Not 60 min"}, {"meeting_id": meeting})


async def _obs_ack(c: Conversations, w: World, s: Any) -> tuple[Any, Interaction]:
    return TRAINEE, Press("observe.ack", str(await _observation(c, w, s)))


async def _esc_ack(_c: Conversations, w: World, s: Any) -> tuple[Any, Interaction]:
    return ITT, Press("escalation.ack", str(await _escalation(w, s)))


async def _esc_resolve(_c: Conversations, w: World, s: Any) -> tuple[Any, Interaction]:
    return ITT, Press("escalation.resolve", str(await _escalation(w, s)))


async def _irp(_c: Conversations, w: World, s: Any) -> tuple[Any, Interaction]:
    state = {"escalation_id": await _escalation(w, s), "placement_id": w.placement_id}
    return ITT, Submit("support.open", IRP, state, event_key="view:V9:h")


async def _support_review(_c: Conversations, w: World, s: Any) -> tuple[Any, Interaction]:
    from tests.support_data import add_plan

    async with s() as session, session.begin():
        stage = await add_plan(
            session,
            placement_id=w.placement_id,
            opened_by_id=w.lead_id,
            led_by_id=w.lead_id,
            review_date=date(2026, 11, 20),
        )
    state = {"stage_id": stage.id, "due": "2026-11-20"}
    values = {"met_1": "not_met", "decision": "extend", "next_date": "2026-11-27"}
    return QA_LEAD, Submit("support.review", values, state)


async def _qa(_c: Conversations, w: World, s: Any) -> tuple[Any, Interaction]:
    # No key (the lead mentor on two devices): the trainee and review point decide.
    await rate(s, w)
    target = {"target": f"{w.placement_id}:{w.review_point_id}"}
    return QA_LEAD, Submit("qa", QA_AGREED | target)


@dataclass(frozen=True)
class Scenario:
    name: str
    setup: Setup
    audit_action: str
    record: Any = None  # a table that must hold exactly one row afterwards
    notified: str | None = None  # an outbox kind that must be queued exactly once


SCENARIOS = [
    Scenario("concern form twice", _concern, "concern_raised", Concern, "concern_alert"),
    Scenario("observation form twice", _observe, "observation_recorded", Observation),
    Scenario("weekly sign-off from two devices", _sign_off, "weekly_sign_off", WeeklyMeeting),
    Scenario("trainee presses Confirm", _confirm, "weekly_confirmed"),
    Scenario("trainee disputes twice", _disagree, "weekly_disputed", None, "weekly_disputed"),
    Scenario("trainee acknowledges feedback", _obs_ack, "observation_acknowledged"),
    Scenario("ITT lead double-clicks Acknowledge", _esc_ack, "escalation_acknowledged"),
    Scenario("ITT lead double-clicks Resolve", _esc_resolve, "escalation_resolved"),
    Scenario("support plan form twice", _irp, "support_plan_opened", SupportPlan, None),
    Scenario("QA form twice", _qa, "review_point_qa_recorded", ReviewPointQA, "qa_recorded"),
    Scenario("support plan review twice", _support_review, "support_plan_reviewed", SupportReview),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_the_same_interaction_at_once_records_once(engine: Any, scenario: Scenario) -> None:
    sessions = session_factory(engine)
    world = await build_world(sessions)
    c = Conversations(sessions, clock=lambda: NOW)
    who, interaction = await scenario.setup(c, world, sessions)
    replies = await asyncio.gather(*(c.handle(who, interaction) for _ in range(COPIES)))
    assert all(r.message is None or "went wrong" not in r.message.text for r in replies)
    assert await _count(sessions, AuditEntry, action=scenario.audit_action) == 1
    if scenario.record is not None:
        assert await _count(sessions, scenario.record) == 1
    if scenario.notified is not None:
        assert await _count(sessions, OutboxMessage, kind=scenario.notified) == 1
    # And once more, later (a retry after the first answer): still one.
    await c.handle(who, interaction)
    assert await _count(sessions, AuditEntry, action=scenario.audit_action) == 1


async def test_a_refused_form_keeps_nothing_so_the_corrected_one_is_answered(engine: Any) -> None:
    sessions = session_factory(engine)
    w = await build_world(sessions)
    c = Conversations(sessions, clock=lambda: NOW)
    key = "view:V5:h5"
    bad = await c.handle(MENTOR, Submit("concern", _for(w) | {"category": "x"}, {}, event_key=key))
    assert bad.form_errors
    fixed = await c.handle(MENTOR, Submit("concern", CONCERN | _for(w), {}, event_key=key))
    assert fixed.close_form and await _count(sessions, Concern) == 1
