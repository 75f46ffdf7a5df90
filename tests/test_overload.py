"""A busy Monday morning at either edge: answered in time, nothing lost, nothing twice.

One table of edges (Slack, Teams) drives the same scenarios."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.runtime import build_runtime, web_app
from bot.settings import Settings
from bot.teams.turns import TURN_BUDGET
from handlers.text import t
from storage.models import Concern, OutboxMessage, ParkedInteraction
from tests.factories import NOW, World, build_world
from tests.slack_harness import SlackHarness, served_slack
from tests.stubs.bf_connector import ConnectorStub
from tests.teams_harness import USERS as TEAMS_USERS
from tests.teams_harness import TeamsHarness, members


class SlackEdge:
    """The concern form, filled in and submitted through the Slack edge."""

    def __init__(self, h: SlackHarness) -> None:
        self.h, self.runtime = h, h.runtime

    async def open_concern(self) -> Any:
        await self.h.command("UMENTOR", "concern")
        return (await self.h.stub.wait_for("views.open"))[-1]["view"]

    async def submit(self, form: Any, values: dict[str, str]) -> int:
        status, body = await self.h.submit("UMENTOR", form, values)
        if body.get("response_action") == "update":
            assert body["view"]["title"]["text"] == "Saving"
        return status

    def said(self) -> list[str]:
        return [json.dumps(c) for c in self.h.stub.called("chat.postMessage")]


class TeamsEdge:
    """The same, through the Teams edge (a form card in the 1:1 chat)."""

    def __init__(self, h: TeamsHarness) -> None:
        self.h, self.runtime = h, h.runtime

    async def open_concern(self) -> Any:
        await self.h.say("mentor", "concern")
        return self.h.last(TEAMS_USERS["mentor"].chat)[0]

    async def submit(self, form: Any, values: dict[str, str]) -> int:
        return await self.h.submit("mentor", form, values)

    def said(self) -> list[str]:
        return [json.dumps(card) for _, card in self.h.sent(TEAMS_USERS["mentor"].chat)]


@asynccontextmanager
async def _slack(db_url: str) -> AsyncIterator[tuple[Any, World]]:
    async with served_slack(db_url) as (harness, world):
        yield SlackEdge(harness), world


@asynccontextmanager
async def _teams(db_url: str) -> AsyncIterator[tuple[Any, World]]:
    stub = await ConnectorStub(members=members()).start()
    settings = Settings(MENTORBOT_TEAMS_ALLOW_ANONYMOUS=True, DATABASE_URL=db_url)
    runtime = await build_runtime(settings, clock=lambda: NOW)
    world = await build_world(runtime.sessions, platform="teams")
    async with _served(runtime) as http:
        harness = TeamsHarness(http, stub, runtime)
        await harness.install("mentor")
        yield TeamsEdge(harness), world
    await stub.close()


@asynccontextmanager
async def _served(runtime: Any) -> AsyncIterator[aiohttp.ClientSession]:
    server = TestServer(web_app(runtime, run_dispatcher=False), host="127.0.0.1", port=0)
    await server.start_server()
    async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
        yield http
    await server.close()


EDGES = {"slack": _slack, "teams": _teams}


@pytest.fixture(params=sorted(EDGES))
async def edge(request: pytest.FixtureRequest, db_url: str) -> AsyncIterator[tuple[Any, World]]:
    async with EDGES[request.param](db_url) as built:
        yield built


async def count(runtime: Any, model: Any, **where: Any) -> int:
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    async with runtime.sessions() as s:
        return int((await s.execute(stmt)).scalar_one())


def _values(w: World) -> dict[str, str]:
    return {"placement_id": str(w.placement_id), "category": "wellbeing", "details": "Tearful"}


async def test_double_clicked_submission_records_and_notifies_once(edge: Any) -> None:
    e, w = edge
    form = await e.open_concern()
    statuses = await asyncio.gather(*(e.submit(form, _values(w)) for _ in range(3)))
    assert statuses == [200, 200, 200]
    assert await count(e.runtime, Concern) == 1
    assert await count(e.runtime, OutboxMessage, kind="concern_alert") == 1


async def test_busy_bot_keeps_the_submission_and_answers_it_later(edge: Any) -> None:
    e, w = edge
    form = await e.open_concern()
    intake = e.runtime.intake
    for _ in range(intake.capacity):  # every slot busy
        await intake.slots.acquire()
    started = time.monotonic()
    assert await e.submit(form, _values(w)) == 200
    assert time.monotonic() - started < 3.0 + (TURN_BUDGET if isinstance(e, TeamsEdge) else 0)
    assert await count(e.runtime, ParkedInteraction) == 1
    assert await count(e.runtime, Concern) == 0
    for _ in range(intake.capacity):
        intake.slots.release()
    assert await intake.drain() == 1
    assert await count(e.runtime, Concern) == 1 and await count(e.runtime, ParkedInteraction) == 0
    await e.runtime.dispatcher.drain()
    said = e.said()
    assert any("lead mentor has been told" in s for s in said)  # the late answer
    assert not any(t("sorry")[:20] in s for s in said)  # no apology for being busy
