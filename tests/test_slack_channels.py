"""Slack channels: an ITT lead chooses the channel escalation alerts go to, by slash
command, @mention or plain message there, and the alerts then arrive in it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from handlers.escalation import raise_escalation
from storage.models import AuditEntry, EscalationTarget
from storage.repo import placements
from tests.factories import NOW, World
from tests.slack_harness import SlackHarness, served_slack

CHANNEL = "CITT"
USE = "use this channel for escalations"


@pytest.fixture
async def slack(db_url: str) -> AsyncIterator[tuple[SlackHarness, World]]:
    async with served_slack(db_url) as served:
        yield served


async def command(h: SlackHarness, user: str, text: str, channel: str = CHANNEL) -> int:
    form = {
        "team_id": "T1",
        "channel_id": channel,
        "channel_name": "itt-leadership",
        "user_id": user,
        "command": "/mentor",
        "text": text,
        "trigger_id": f"trig-{user}",
    }
    response = await h.post(urlencode(form).encode(), "application/x-www-form-urlencoded")
    return response.status


def message(user: str, text: str, ts: str, kind: str = "message", **extra: Any) -> dict:
    event = {"type": kind, "user": user, "text": text, "channel": CHANNEL, "ts": ts}
    event["event_ts"] = ts
    if kind == "message":
        event["channel_type"] = "channel"
    return {**event, **extra}


async def target(h: SlackHarness) -> EscalationTarget | None:
    async with h.runtime.sessions() as s:
        return (await s.execute(select(EscalationTarget))).scalar_one_or_none()


async def channel_sets(h: SlackHarness) -> int:
    async with h.runtime.sessions() as s:
        query = select(func.count()).where(AuditEntry.action == "escalation_channel_set")
        return (await s.execute(query)).scalar_one()


def said_in(h: SlackHarness, channel: str) -> list[str]:
    posts = [c for c in h.stub.called("chat.postMessage") if c["channel"] == channel]
    return [str(c["text"]) + json.dumps(c.get("blocks"), ensure_ascii=False) for c in posts]


async def test_slash_command_in_a_channel_sends_escalations_there(slack):
    h, w = slack
    assert await command(h, "UITT", USE) == 200
    await h.stub.wait_for("chat.postMessage")
    assert "Escalation alerts will come to this channel" in said_in(h, CHANNEL)[0]
    found = await target(h)
    assert found is not None
    assert (found.platform, found.workspace_id, found.channel_id) == ("slack", "T1", CHANNEL)

    async with h.runtime.sessions() as s, s.begin():
        view = await placements.view(s, placement_id=w.placement_id)
        assert view is not None
        e = await raise_escalation(
            s,
            view=view,
            rule="missed_meetings",
            cause_key="2026-11-09",
            evidence={"weeks": "9 Nov, 16 Nov"},
            now=NOW,
        )
        assert e is not None
    await h.runtime.dispatcher.drain()
    (alert,) = [c for c in h.stub.called("chat.postMessage") if c.get("metadata")]
    assert alert["channel"] == CHANNEL and "escalation.ack" in json.dumps(alert["blocks"])

    # Acknowledged from the channel, the alert is updated in place there.
    await h.press("UITT", "escalation.ack", str(e.id), channel=CHANNEL, ts="1763000001.000100")
    (update,) = await h.stub.wait_for("chat.update")
    assert update["channel"] == CHANNEL and "Acknowledged by Ida Itt" in json.dumps(update)


async def test_only_the_itt_leadership_can_choose_the_channel(slack):
    h, _w = slack
    await command(h, "UMENTOR", USE)
    await h.stub.wait_for("chat.postMessage")
    assert "Only members of the ITT leadership team" in said_in(h, CHANNEL)[0]
    assert await target(h) is None


async def test_mention_and_its_message_event_set_the_channel_once(slack):
    h, _w = slack
    text = f"<@UBOT> {USE.capitalize()}."
    # Slack sends a message that mentions the bot twice: as a message and as a mention.
    assert await h.event(message("UITT", text, "1700000000.000200"), "Ev1") == 200
    assert await h.event(message("UITT", text, "1700000000.000200", "app_mention"), "Ev2") == 200
    await h.stub.wait_for("chat.postMessage")
    await asyncio.sleep(0.2)
    assert len(said_in(h, CHANNEL)) == 1
    assert (await target(h)) is not None and await channel_sets(h) == 1


async def test_the_words_alone_in_a_channel_set_it(slack):
    h, _w = slack
    assert await h.event(message("UITT", USE, "1700000000.000300"), "Ev3") == 200
    await h.stub.wait_for("chat.postMessage")
    found = await target(h)
    assert found is not None and found.channel_id == CHANNEL


async def test_other_channel_talk_is_ignored_and_a_mention_gets_help(slack):
    h, _w = slack
    await h.event(message("UMENTOR", "lunch at 12?", "1.1"), "Ev4")
    await h.event(message("UMENTOR", USE, "1.2", bot_id="BBOT"), "Ev5")  # a bot's message
    await h.event(message("UMENTOR", USE, "1.3", subtype="message_changed"), "Ev6")
    await h.event(message("UMENTOR", "<@UBOT> status", "1.4", "app_mention"), "Ev7")
    await h.stub.wait_for("chat.postMessage")
    await asyncio.sleep(0.2)
    (help_text,) = said_in(h, CHANNEL)
    # Help as typed on Slack (the descriptor's command prefix), and nobody's records.
    assert "/mentor observe" in help_text and "Tara Trainee" not in help_text
    assert await target(h) is None


async def test_the_words_in_a_dm_are_not_a_channel(slack):
    h, _w = slack
    await command(h, "UITT", USE, channel="DUITT")
    await h.stub.wait_for("chat.postMessage")
    assert await target(h) is None


async def test_answer_comes_by_dm_when_the_bot_is_not_in_the_channel(slack):
    h, _w = slack
    h.stub.fail_next("chat.postMessage", 200, {"ok": False, "error": "not_in_channel"})
    await command(h, "UITT", USE)
    posts = await h.stub.wait_for("chat.postMessage", count=2)
    assert [p["channel"] for p in posts] == [CHANNEL, "DUITT"]
    assert "Escalation alerts will come to this channel" in said_in(h, "DUITT")[0]


def test_channel_messages_are_checked_like_any_event() -> None:
    from bot.slack import payload

    body = {
        "type": "event_callback",
        "team_id": "T1",
        "event": message("UITT", USE, str(time.time()), "app_mention"),
        "event_id": "Ev8",
    }
    assert payload.problem(body) is None
    body["event"]["user"] = ["UITT"]
    assert payload.problem(body) is not None


async def test_the_level_two_channel_is_chosen_in_another_channel(slack):
    h, _w = slack
    assert await command(h, "UITT", USE) == 200
    assert await command(h, "UITT", "use this channel for level 2 escalations", "CDIR") == 200
    await h.stub.wait_for("chat.postMessage")
    for _ in range(50):
        if len(h.stub.called("chat.postMessage")) >= 2:
            break
        await asyncio.sleep(0.02)
    assert any("raised to level 2" in said for said in said_in(h, "CDIR"))
    async with h.runtime.sessions() as s:
        rows = (await s.execute(select(EscalationTarget))).scalars().all()
    assert {(t.level, t.channel_id) for t in rows} == {(1, CHANNEL), (2, "CDIR")}
