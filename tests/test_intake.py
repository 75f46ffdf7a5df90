"""When the bot is busy, an interaction is kept, handled later and answered by message."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from handlers import concern
from handlers.intake import Intake, interaction_from_dict, interaction_to_dict
from handlers.router import Command, Conversations, Press, Submit, UseChannel
from storage.db import session_factory
from storage.models import AuditEntry, Concern, OutboxMessage, ParkedInteraction
from tests.factories import NOW, build_world
from tests.test_conversations import MENTOR, user

CONCERN = {"category": "wellbeing", "details": "Tired and tearful"}


async def _count(sessions: Any, model: Any, **where: Any) -> int:
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    async with sessions() as s:
        return int((await s.execute(stmt)).scalar_one())


@pytest.fixture
async def world(engine: Any) -> Any:
    sessions = session_factory(engine)
    w = await build_world(sessions)
    c = Conversations(sessions, clock=lambda: NOW)
    intake = Intake(c, slots=1, users={"console": lambda ws, ext: user(ext)}, clock=lambda: NOW)
    return intake, w, sessions


async def test_busy_bot_parks_the_form_and_answers_by_message_later(world: Any) -> None:
    intake, w, sessions = world
    form = Submit("concern", CONCERN | {"placement_id": str(w.placement_id)}, {}, "view:V1:h")
    async with intake.slots:  # every slot taken: the bot is busy
        outcome = await intake.answer(MENTOR, form, budget=0.05)
    assert outcome.parked and outcome.reply is None
    assert await _count(sessions, ParkedInteraction) == 1
    assert await _count(sessions, Concern) == 0
    # Another process (or this one after a restart) handles what was parked.
    fresh = Intake(intake.conversations, slots=2, users=intake.users, clock=lambda: NOW)
    assert await fresh.drain() == 1
    assert await _count(sessions, Concern) == 1
    assert await _count(sessions, ParkedInteraction) == 0
    async with sessions() as s:
        late = await s.execute(select(OutboxMessage).where(OutboxMessage.kind == "late_reply"))
        row = late.scalar_one()
    assert row.recipient_id == w.mentor_id and "concern" in row.payload["text"].lower()
    assert await fresh.drain() == 0  # nothing twice


async def test_slow_interaction_finishes_late_and_its_parked_copy_records_nothing(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake, w, sessions = world
    original = concern.on_submit

    async def slow(ctx: Any, raw: Any) -> Any:
        await asyncio.sleep(0.3)
        return await original(ctx, raw)

    monkeypatch.setattr(concern, "on_submit", slow)
    # The park waits for its commit here (a busy test machine must not send it to the
    # journal instead: that path has its own test below).
    from handlers import intake as intake_module

    monkeypatch.setattr(intake_module, "PARK_WAIT", 10.0)
    form = Submit("concern", CONCERN | {"placement_id": str(w.placement_id)}, {}, "view:V2:h")
    outcome = await intake.answer(MENTOR, form, budget=0.05)
    assert outcome.late is not None and outcome.reply is None
    assert await _count(sessions, ParkedInteraction) == 1  # survives a crash meanwhile
    reply = await outcome.late
    assert reply.close_form
    await intake.drain()
    assert await _count(sessions, Concern) == 1
    assert await _count(sessions, AuditEntry, action="concern_raised") == 1
    assert await _count(sessions, ParkedInteraction) == 0
    assert await _count(sessions, OutboxMessage, kind="late_reply") == 0


async def test_parked_form_with_errors_is_answered_with_what_to_correct(world: Any) -> None:
    intake, w, sessions = world
    bad = Submit("concern", {"placement_id": str(w.placement_id), "category": "x"}, {}, "v:3")
    async with intake.slots:
        assert (await intake.answer(MENTOR, bad, budget=0.05)).parked
    await intake.drain()
    async with sessions() as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
    assert row.kind == "late_reply" and "•" in row.payload["text"]
    assert await _count(sessions, ParkedInteraction) == 0


@pytest.mark.parametrize(
    "interaction",
    [
        Command("status"),
        Press("weekly.held", "1:2026-11-16"),
        Submit("rate.step", {"TS1": "green", "list": ["a", "b"]}, {"step": 2}),
        UseChannel("C1", "T1", {"conversation": {"id": "x"}}),
    ],
    ids=lambda i: type(i).__name__,
)
def test_interactions_survive_the_trip_through_the_database(interaction: Any) -> None:
    back = interaction_from_dict(interaction_to_dict(interaction, key="k1"))
    assert type(back) is type(interaction) and back.event_key == "k1"
    assert interaction_to_dict(back, key="k1") == interaction_to_dict(interaction, key="k1")


async def test_parked_press_that_opens_a_form_is_answered_with_a_button_to_open_it(
    world: Any,
) -> None:
    intake, w, sessions = world
    press = Press("weekly.held", f"{w.placement_id}:2026-11-16")
    async with intake.slots:
        assert (await intake.answer(MENTOR, press, budget=0.05)).parked
    await intake.drain()
    async with sessions() as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
    buttons = [b for block in row.payload["blocks"] for b in block.get("buttons", [])]
    assert [(b["action"], b["value"]) for b in buttons] == [("weekly.held", press.value)]


async def test_swamped_bot_parks_at_once_instead_of_waiting_out_the_budget(world: Any) -> None:
    intake, w, sessions = world
    intake._waiting = 500  # hundreds queued for a slot, a few finished a second
    form = Submit("concern", CONCERN | {"placement_id": str(w.placement_id)}, {}, "view:V7:h")
    loop = asyncio.get_running_loop()
    started = loop.time()
    outcome = await intake.answer(MENTOR, form, budget=2.0)
    assert outcome.parked and loop.time() - started < 1.0
    intake._waiting = 0
    assert await intake.drain() == 1 and await _count(sessions, Concern) == 1


async def test_form_acknowledged_while_the_database_is_stuck_survives_a_crash(
    world: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake, w, sessions = world
    from handlers import intake as intake_module
    from storage.journal import ParkJournal
    from storage.repo import parked

    stuck = asyncio.Event()
    original = parked.park

    async def never(*args: Any, **kwargs: Any) -> int:
        await stuck.wait()  # the database does not take the park in time
        return await original(*args, **kwargs)

    monkeypatch.setattr(parked, "park", never)
    monkeypatch.setattr(intake_module, "PARK_WAIT", 0.05)
    intake.journal = ParkJournal(tmp_path / "parked")
    form = Submit("concern", CONCERN | {"placement_id": str(w.placement_id)}, {}, "view:V9:h")
    async with intake.slots:
        outcome = await intake.answer(MENTOR, form, budget=0.05)
    assert outcome.parked  # acknowledged to the platform
    assert await _count(sessions, ParkedInteraction) == 0  # not in the database...
    # ...and the process dies here (its journal file is left, unlocked).
    assert intake._writer is not None
    intake._writer.cancel()
    intake.journal.close()
    monkeypatch.setattr(parked, "park", original)
    restarted = Intake(intake.conversations, slots=2, users=intake.users, clock=lambda: NOW)
    restarted.journal = ParkJournal(tmp_path / "parked")
    assert await restarted.recover() == 1
    assert await restarted.recover() == 0  # the file is gone once its rows are stored
    assert await restarted.drain() == 1
    assert await _count(sessions, Concern) == 1


async def test_a_live_process_journal_is_not_taken_by_another(tmp_path: Any) -> None:
    from storage.journal import ParkJournal, orphaned_rows

    journal = ParkJournal(tmp_path)
    await journal.append([{"event_key": "k1", "platform": "slack"}])
    assert orphaned_rows(tmp_path) == []  # still held by its process
    journal.close()
    [(_path, rows)] = orphaned_rows(tmp_path)
    assert [row["event_key"] for row in rows] == ["k1"]


async def test_busy_bot_handles_typed_forms_before_presses_and_a_repeated_press_once(
    world: Any,
) -> None:
    intake, w, sessions = world
    press = Press("status.show", "")
    form = Submit("concern", CONCERN | {"placement_id": str(w.placement_id)}, {}, "view:V7:h")
    async with intake.slots:
        for interaction in (press, press, press, form):
            assert (await intake.answer(MENTOR, interaction, budget=0.01)).parked
    async with sessions() as s:
        rows = (await s.execute(select(ParkedInteraction))).scalars().all()
    assert len(rows) == 2  # three presses of the same button in a minute: answered once
    fresh = Intake(intake.conversations, slots=2, users=intake.users, clock=lambda: NOW)
    assert await fresh.drain(limit=1) == 1
    assert await _count(sessions, Concern) == 1  # the form went first
    assert await _count(sessions, ParkedInteraction) == 1


async def test_a_long_park_backlog_goes_to_the_journal_without_waiting(
    world: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake, w, sessions = world
    from handlers import intake as intake_module
    from storage.journal import ParkJournal

    monkeypatch.setattr(intake_module, "BACKLOG_TO_JOURNAL", 0)
    monkeypatch.setattr(intake_module, "PARK_WAIT", 30.0)  # would wait this long otherwise
    intake.journal = ParkJournal(tmp_path / "parked")
    form = Submit("concern", CONCERN | {"placement_id": str(w.placement_id)}, {}, "view:V8:h")
    async with intake.slots:
        outcome = await asyncio.wait_for(intake.answer(MENTOR, form, budget=0.05), 5)
    assert outcome.parked
    assert "view:V8:h" in intake.journal.keys or await _count(sessions, ParkedInteraction) == 1
    await intake.settle()  # the writer catches up: in the table, the journal emptied
    assert await _count(sessions, ParkedInteraction) == 1
    assert not intake.journal.keys


async def test_a_parked_form_the_busy_database_refused_is_not_given_up(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Overload is no real try: MAX_ATTEMPTS drains that found the database locked do not
    drop what the person typed."""
    from sqlalchemy.exc import OperationalError

    from handlers import intake as intake_module

    intake, w, sessions = world
    form = Submit("concern", CONCERN | {"placement_id": str(w.placement_id)}, {}, "view:V6:h")
    async with intake.slots:
        assert (await intake.answer(MENTOR, form, budget=0.01)).parked
    real = intake.conversations.handle

    async def locked(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(intake.conversations, "handle", locked)
    for _ in range(intake_module.MAX_ATTEMPTS + 2):
        assert await intake.drain() == 1  # due again at once, each time
    monkeypatch.setattr(intake.conversations, "handle", real)
    assert await intake.drain() == 1
    assert await _count(sessions, Concern) == 1
    assert await _count(sessions, ParkedInteraction) == 0


async def test_parked_work_waits_while_the_scheduler_ticks(world: Any) -> None:
    intake, w, sessions = world
    form = Submit("concern", CONCERN | {"placement_id": str(w.placement_id)}, {}, "view:V5:h")
    async with intake.slots:
        assert (await intake.answer(MENTOR, form, budget=0.01)).parked
    async with intake.hold_drain():  # a tick is running
        draining = asyncio.create_task(intake.drain())
        await asyncio.sleep(0.2)
        assert not draining.done() and await _count(sessions, Concern) == 0
    assert await draining == 1 and await _count(sessions, Concern) == 1
