"""A busy Monday morning at the Slack edge: answered in time, nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.runtime import build_runtime, web_app
from bot.settings import Settings
from handlers.text import t
from storage.models import Concern, OutboxMessage, ParkedInteraction
from tests.factories import NOW, World, build_world
from tests.slack_harness import SECRET, USERS, SlackHarness
from tests.stubs.slack_api import SlackApiStub


@pytest.fixture
async def slack(db_url: str) -> AsyncIterator[tuple[SlackHarness, World]]:
    stub = await SlackApiStub(emails=dict(USERS)).start()
    settings = Settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=stub.url,
        DATABASE_URL=db_url,
    )
    runtime = await build_runtime(settings, clock=lambda: NOW)
    world = await build_world(runtime.sessions)
    server = TestServer(web_app(runtime, run_dispatcher=False), host="127.0.0.1", port=0)
    await server.start_server()
    async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
        yield SlackHarness(http, stub, runtime), world
    await server.close()
    await stub.close()


async def count(h: SlackHarness, model: Any, **where: Any) -> int:
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    async with h.runtime.sessions() as s:
        return int((await s.execute(stmt)).scalar_one())


async def concern_form(h: SlackHarness, w: World) -> tuple[dict[str, Any], dict[str, Any]]:
    await h.command("UMENTOR", "concern")
    view = (await h.stub.wait_for("views.open"))[-1]["view"]
    values = {"placement_id": str(w.placement_id), "category": "wellbeing", "details": "Tearful"}
    return view, values


async def test_double_clicked_submission_records_and_notifies_once(slack: Any) -> None:
    h, w = slack
    view, values = await concern_form(h, w)
    answers = await asyncio.gather(*(h.submit("UMENTOR", view, values) for _ in range(3)))
    assert [status for status, _ in answers] == [200, 200, 200]
    assert await count(h, Concern) == 1
    assert await count(h, OutboxMessage, kind="concern_alert") == 1


async def test_busy_bot_keeps_the_submission_and_answers_it_later(slack: Any) -> None:
    h, w = slack
    view, values = await concern_form(h, w)
    intake = h.runtime.intake
    assert intake is not None
    for _ in range(intake.capacity):  # every slot busy
        await intake.slots.acquire()
    started = time.monotonic()
    status, body = await h.submit("UMENTOR", view, values)
    assert status == 200 and time.monotonic() - started < 3.0
    assert body.get("response_action") == "update"  # the modal says it is saving
    assert await count(h, ParkedInteraction) == 1 and await count(h, Concern) == 0
    for _ in range(intake.capacity):
        intake.slots.release()
    assert await intake.drain() == 1
    assert await count(h, Concern) == 1 and await count(h, ParkedInteraction) == 0
    await h.runtime.dispatcher.drain()
    said = [json.dumps(c) for c in h.stub.called("chat.postMessage")]
    assert any("Tearful" not in s and "concern" in s.lower() for s in said)
    assert not any(t("sorry")[:20] in s for s in said)  # no apology for being busy
