"""Every scenario of `tests.scenarios` at every edge (× SQLite and PostgreSQL).

Each edge has one small driver that plays a scenario's action the way a person would there
and returns, per person, the text of what reached them; the test then checks the same
phrases and the same stored records whatever the edge.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.runtime import Runtime, build_runtime, web_app
from bot.settings import Settings
from storage.db import make_engine, session_factory
from storage.models import Observation, WeeklyMeeting
from tests import (
    report_links,
    scenarios_qa,
    scenarios_quality,
    scenarios_support,
    scenarios_targets,
)
from tests import scenarios as sc
from tests.console_harness import flat, run_cli
from tests.factories import NOW, WEEK, World, build_world, queue_weekly_prompt
from tests.scenario_drivers_frameworks import (
    ConsoleFrameworks,
    SlackFrameworks,
    TeamsFrameworks,
)
from tests.scenario_drivers_qa import ConsoleQa, SlackQa, TeamsQa
from tests.scenario_drivers_quality import ConsoleQuality, SlackQuality, TeamsQuality
from tests.scenario_drivers_support import ConsoleSupport, SlackSupport, TeamsSupport
from tests.scenario_drivers_targets import ConsoleTargets, SlackTargets, TeamsTargets
from tests.scenarios_frameworks import OWN_COMMENT
from tests.scenarios_frameworks import SCENARIOS as FRAMEWORKS_SCENARIOS
from tests.slack_harness import SECRET, SlackHarness
from tests.slack_harness import USERS as SLACK_USERS
from tests.stubs.bf_connector import ConnectorStub
from tests.stubs.slack_api import SlackApiStub
from tests.teams_harness import USERS as TEAMS_USERS
from tests.teams_harness import TeamsHarness, members, text_of
from tests.test_logs_private import assert_private
from tests.test_qa_review import rate

Seen = dict[str, str]


_prompt = queue_weekly_prompt


async def _rated(db_url: str, w: World) -> None:
    """The mentor's ratings at Review point 1 are in (the QA form checks them)."""
    engine = make_engine(db_url)
    try:
        await rate(session_factory(engine), w)
    finally:
        await engine.dispose()


async def _id_of(runtime: Runtime, model: type) -> int:
    async with runtime.sessions() as s:
        return (await s.execute(select(model.id))).scalar_one()  # type: ignore[attr-defined]


@asynccontextmanager
async def _served(runtime: Runtime) -> AsyncIterator[aiohttp.ClientSession]:
    server = TestServer(web_app(runtime, run_dispatcher=False), host="127.0.0.1", port=0)
    await server.start_server()
    async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
        yield http
    await server.close()


class SlackDriver(SlackTargets, SlackSupport, SlackFrameworks, SlackQa, SlackQuality):
    """Slash commands, buttons in DMs and modals, signed as Slack signs them."""

    ID: ClassVar[dict[str, str]] = {
        "mentor": "UMENTOR",
        "trainee": "UTRAINEE",
        "lead": "ULEAD",
        "stranger": "USTRANGER",
    }

    def __init__(self, h: SlackHarness, w: World) -> None:
        self.h, self.w, self.answers = h, w, defaultdict(list)

    def seen(self) -> Seen:
        out: Seen = {}
        for person, uid in self.ID.items():
            said = [
                json.dumps(c, ensure_ascii=False)
                for c in self.h.stub.called("chat.postMessage")
                + self.h.stub.called("chat.postEphemeral")
                + self.h.stub.called("chat.update")
                if c.get("channel") == f"D{uid}" or c.get("user") == uid
            ]
            out[person] = "\n".join(said + self.answers[person])
        return out

    async def _submit(self, person: str, view: dict[str, Any], values: dict[str, Any]) -> Any:
        status, body = await self.h.submit(self.ID[person], view, values)
        assert status == 200
        self.answers[person].append(json.dumps(body, ensure_ascii=False))
        return body

    async def _press_last(self, person: str, action: str, value: str) -> None:
        channel = f"D{self.ID[person]}"
        ts = self.h.stub.posted[channel][-1]["ts"]
        assert await self.h.press(self.ID[person], action, value, channel=channel, ts=ts) == 200

    async def _form(self, command: str, person: str = "mentor") -> dict[str, Any]:
        before = len(self.h.stub.called("views.open"))
        await self.h.command(self.ID[person], command)
        return (await self.h.stub.wait_for("views.open", before + 1))[-1]["view"]

    async def weekly_held(self) -> None:
        await _prompt(self.h.runtime, self.w)
        await self._press_last("mentor", "weekly.held", f"{self.w.placement_id}:{WEEK}")
        view = (await self.h.stub.wait_for("views.open"))[-1]["view"]
        await self._submit("mentor", view, sc.HELD)
        await self.h.stub.wait_for("chat.update")
        await self.h.runtime.dispatcher.drain()
        meeting = await _id_of(self.h.runtime, WeeklyMeeting)
        await self._press_last("trainee", "weekly.confirm", str(meeting))
        await self.h.stub.wait_for("chat.update", 2)

    async def concern(self) -> None:
        values = {"placement_id": str(self.w.placement_id), **sc.CONCERN}
        await self._submit("mentor", await self._form("concern"), values)
        await self.h.runtime.dispatcher.drain()

    async def observation(self) -> None:
        details = {"placement_id": str(self.w.placement_id), **sc.OBSERVATION}
        body = await self._submit("mentor", await self._form("observe"), details)
        await self._submit("mentor", body["view"], sc.OBSERVATION_RATINGS)
        await self.h.runtime.dispatcher.drain()
        await self._press_last(
            "trainee", "observe.ack", str(await _id_of(self.h.runtime, Observation))
        )
        await self.h.stub.wait_for("chat.update")

    async def _say(self, person: str, text: str) -> None:
        before = len(self.h.stub.called("chat.postMessage"))
        assert (await self.h.command(self.ID[person], text)).status == 200
        await self.h.stub.wait_for("chat.postMessage", before + 1)

    async def qa_form(self) -> None:
        await rate(self.h.runtime.sessions, self.w)
        values = {"target": f"{self.w.placement_id}:{self.w.review_point_id}", **sc.QA}
        await self._submit("lead", await self._form("qa", "lead"), values)
        await self.h.runtime.dispatcher.drain()

    async def qa_refused(self) -> None:
        await rate(self.h.runtime.sessions, self.w)
        await self._say("mentor", "qa")

    async def cohort_report(self) -> None:
        report_links.switch_on()
        before = len(self.h.stub.called("chat.postMessage"))
        assert await self.h.press("ULEAD", "reports.cohort", "-", home=True) == 200
        await self.h.stub.wait_for("chat.postMessage", before + 1)
        await report_links.opens(self.seen()["lead"], self.h.http)

    async def stranger(self) -> None:
        await self._say("stranger", "status")

    async def help(self) -> None:
        await self._say("mentor", "help")

    async def status(self) -> None:
        await self._say("mentor", "status")


@asynccontextmanager
async def slack(db_url: str, **_: Any) -> AsyncIterator[SlackDriver]:
    stub = await SlackApiStub(emails=dict(SLACK_USERS)).start()
    settings = Settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=stub.url,
        DATABASE_URL=db_url,
    )
    runtime = await build_runtime(settings, clock=lambda: NOW)
    world = await build_world(runtime.sessions)
    async with _served(runtime) as http:
        yield SlackDriver(SlackHarness(http, stub, runtime), world)
    await stub.close()


class TeamsDriver(TeamsTargets, TeamsSupport, TeamsFrameworks, TeamsQa, TeamsQuality):
    """Messages and form cards in each person's 1:1 chat with the bot."""

    def __init__(self, h: TeamsHarness, w: World) -> None:
        self.h, self.w, self.installed = h, w, set()

    async def install(self, *people: str) -> None:
        """Each person adds the bot in Teams before it can reach them."""
        for person in set(people) - self.installed:
            await self.h.install(person)
            self.installed.add(person)

    def seen(self) -> Seen:
        out: Seen = {}
        for person in ("mentor", "trainee", "lead", "stranger"):
            cards = []
            for activity_id, card in self.h.sent(TEAMS_USERS[person].chat):
                cards += [text_of(card), *map(text_of, self.h.updates(activity_id))]
            out[person] = "\n".join(cards)
        return out

    def _last(self, person: str) -> str:
        return self.h.last(TEAMS_USERS[person].chat)[0]

    async def weekly_held(self) -> None:
        await self.install("mentor", "trainee")
        await _prompt(self.h.runtime, self.w)
        prompt = self._last("mentor")
        await self.h.press("mentor", prompt, "weekly.held", f"{self.w.placement_id}:{WEEK}")
        assert await self.h.submit("mentor", self._last("mentor"), sc.HELD) == 200
        await self.h.runtime.dispatcher.drain()
        meeting = await _id_of(self.h.runtime, WeeklyMeeting)
        confirm = self._last("trainee")
        assert await self.h.press("trainee", confirm, "weekly.confirm", str(meeting)) == 200

    async def concern(self) -> None:
        await self.install("mentor", "lead")
        await self.h.say("mentor", "concern")
        values = {"placement_id": str(self.w.placement_id), **sc.CONCERN}
        assert await self.h.submit("mentor", self._last("mentor"), values) == 200
        await self.h.runtime.dispatcher.drain()

    async def observation(self) -> None:
        await self.install("mentor", "trainee")
        await self.h.say("mentor", "observe")
        form = self._last("mentor")
        # Teams sends a multi-select as comma-separated values.
        standards = ",".join(sc.OBSERVATION["standards"])
        details = {
            "placement_id": str(self.w.placement_id),
            **sc.OBSERVATION,
            "standards": standards,
        }
        assert await self.h.submit("mentor", form, details) == 200
        assert await self.h.submit("mentor", form, sc.OBSERVATION_RATINGS) == 200
        await self.h.runtime.dispatcher.drain()
        observation = await _id_of(self.h.runtime, Observation)
        feedback = self._last("trainee")
        assert await self.h.press("trainee", feedback, "observe.ack", str(observation)) == 200

    async def qa_form(self) -> None:
        await self.install("lead", "mentor")
        await rate(self.h.runtime.sessions, self.w)
        await self.h.say("lead", "qa")
        # Teams sends a multi-select as comma-separated values.
        values = {
            "target": f"{self.w.placement_id}:{self.w.review_point_id}",
            **sc.QA,
            "evidence": ",".join(sc.QA["evidence"]),
        }
        assert await self.h.submit("lead", self._last("lead"), values) == 200
        await self.h.runtime.dispatcher.drain()

    async def qa_refused(self) -> None:
        await self.install("mentor")
        await rate(self.h.runtime.sessions, self.w)
        assert await self.h.say("mentor", "qa") == 200

    async def cohort_report(self) -> None:
        report_links.switch_on()
        await self.install("lead")
        await report_links.send_digest(self.h.runtime, self.w)
        card = self._last("lead")
        assert "reports.cohort" in json.dumps(self.h.card(card))  # the digest card's button
        assert await self.h.press("lead", card, "reports.cohort", "-") == 200
        await report_links.opens(self.seen()["lead"], self.h.http)

    async def stranger(self) -> None:
        await self.install("stranger")  # greeted with whom to ask, and not linked
        assert await self.h.say("stranger", "status") == 200

    async def help(self) -> None:
        assert await self.h.say("mentor", "help") == 200

    async def status(self) -> None:
        assert await self.h.say("mentor", "status") == 200


@asynccontextmanager
async def teams(db_url: str, **_: Any) -> AsyncIterator[TeamsDriver]:
    stub = await ConnectorStub(members=members()).start()
    settings = Settings(MENTORBOT_TEAMS_ALLOW_ANONYMOUS=True, DATABASE_URL=db_url)
    runtime = await build_runtime(settings, clock=lambda: NOW)
    world = await build_world(runtime.sessions, platform="teams")
    async with _served(runtime) as http:
        yield TeamsDriver(TeamsHarness(http, stub, runtime), world)
    await stub.close()


TARA = "tara.trainee@example.org"


NAMES = {"Mo Mentor": "mentor", "Tara Trainee": "trainee", "Lee Lead": "lead"}


class ConsoleDriver(ConsoleTargets, ConsoleSupport, ConsoleFrameworks, ConsoleQa, ConsoleQuality):
    """`mentorbot chat` with the lines typed piped in. A panel is what reached the person it
    is addressed to; prompts, forms and echoed typing are seen by whoever is at the console."""

    def __init__(self, db_url: str, monkeypatch: Any, capsys: Any, world: World) -> None:
        self.db_url, self.monkeypatch, self.capsys = db_url, monkeypatch, capsys
        self.world = world
        self.out, self.first = "", "mentor"

    def seen(self) -> Seen:
        seen: dict[str, list[str]] = defaultdict(list)
        at_console, panel_for = self.first, None
        for line in self.out.splitlines():
            if line.startswith("╭"):
                named = [who for name, who in NAMES.items() if name in line]
                panel_for = named[0] if named else at_console
            elif line.startswith("╰"):
                panel_for = None
            else:
                prompt = line.split("> ", 1)[0]
                if panel_for is None and prompt in NAMES:
                    at_console = NAMES[prompt]
                seen[panel_for or at_console].append(line)
        return {person: flat("\n".join(seen[person])) for person in (*NAMES.values(), "stranger")}

    async def _chat(self, email: str, *lines: str) -> None:
        args = ("chat", "--as", email, "--at", NOW.strftime("%Y-%m-%dT%H:%M"))
        code, out, err = await asyncio.to_thread(
            run_cli, self.monkeypatch, self.capsys, self.db_url, *args, stdin=lines
        )
        assert code == 0 and "Traceback" not in err, err
        self.out = out

    async def weekly_held(self) -> None:
        held = [sc.HELD[k] for k in ("held_on", "duration", "progress", "targets", "wellbeing")]
        # "5" is Yes for the week of 16 November; "1" is the trainee's Confirm. The two
        # empty lines: no notes, no new target.
        lines = ("status", "5", *held, "", "", f"/as {TARA}", "1")
        await self._chat(SLACK_USERS["UMENTOR"], *lines)

    async def concern(self) -> None:
        c = sc.CONCERN
        await self._chat(
            SLACK_USERS["UMENTOR"], "concern", "Tara Trainee", c["category"], c["details"]
        )

    async def observation(self) -> None:
        o = sc.OBSERVATION
        standards = ", ".join(s.removeprefix("TS") for s in o["standards"])
        fields = [o[k] for k in ("observed_on", "lesson", "focus", "strengths", "areas")]
        ratings = list(sc.OBSERVATION_RATINGS.values())
        lines = ["observe", "1", *fields, standards, o["targets"], *ratings]
        await self._chat(SLACK_USERS["UMENTOR"], *lines, f"/as {TARA}", "1")

    async def qa_form(self) -> None:
        await _rated(self.db_url, self.world)
        q = sc.QA
        # The one form owed is chosen already (an empty line keeps it).
        answers = ["", ", ".join(q["evidence"]), q["evidence_note"], q["agreed"]]
        self.first = "lead"
        lines = ["qa", *answers, q["disagreement"], q["actions"]]
        await self._chat("lee.lead@example.org", *lines)

    async def qa_refused(self) -> None:
        await _rated(self.db_url, self.world)
        await self._chat(SLACK_USERS["UMENTOR"], "qa")

    async def cohort_report(self) -> None:
        report_links.switch_on(self.monkeypatch)
        self.first = "lead"
        await self._chat("lee.lead@example.org", "report")
        await report_links.opens(self.seen()["lead"], None, self.db_url)

    async def stranger(self) -> None:
        self.first = "stranger"
        await self._chat(SLACK_USERS["USTRANGER"], "status")

    async def help(self) -> None:
        await self._chat(SLACK_USERS["UMENTOR"], "help")

    async def status(self) -> None:
        await self._chat(SLACK_USERS["UMENTOR"], "status")


@asynccontextmanager
async def console(db_url: str, *, monkeypatch: Any, capsys: Any) -> AsyncIterator[ConsoleDriver]:
    monkeypatch.delenv("MENTORBOT_DEBUG", raising=False)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    engine = make_engine(db_url)
    try:
        world = await build_world(session_factory(engine))
    finally:
        await engine.dispose()
    yield ConsoleDriver(db_url, monkeypatch, capsys, world)


EDGES = {"slack": slack, "teams": teams, "console": console}


async def _stored(db_url: str, scenario: sc.Scenario) -> None:
    engine = make_engine(db_url)
    try:
        async with session_factory(engine)() as s:
            for model, expected in scenario.stored.items():
                rows = (await s.execute(select(func.count()).select_from(model))).scalar_one()
                assert (model.__name__, rows) == (model.__name__, expected)
            if scenario.check is not None:
                await scenario.check(s)
    finally:
        await engine.dispose()


# What people type in the scenarios' forms: never in a log line, at any level (#14).
TYPED = [
    *(sc.HELD[k] for k in ("progress", "targets")),
    sc.CONCERN["details"],
    *(sc.OBSERVATION[k] for k in ("lesson", "focus", "strengths", "areas", "targets")),
    *(sc.QA[k] for k in ("evidence_note", "disagreement", "actions")),
    *scenarios_targets.TYPED,
    *scenarios_support.TYPED,
    *OWN_COMMENT.values(),
    *scenarios_qa.TYPED,
]


@pytest.mark.parametrize("edge", sorted(EDGES))
@pytest.mark.parametrize(
    "scenario",
    sc.SCENARIOS
    + scenarios_targets.SCENARIOS
    + scenarios_support.SCENARIOS
    + FRAMEWORKS_SCENARIOS
    + scenarios_qa.SCENARIOS
    + scenarios_quality.SCENARIOS,
    ids=str,
)
async def test_scenario(scenario, edge, db_url, monkeypatch, capsys, tmp_path, log_everything):
    """Also run with every logger at DEBUG: no name, e-mail or typed text is logged."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    async with EDGES[edge](db_url, monkeypatch=monkeypatch, capsys=capsys) as driver:
        await getattr(driver, scenario.action)()
        seen = driver.seen()
    for person, phrases in scenario.seen.items():
        for phrase in phrases:
            assert phrase in seen[person], f"{person} never saw {phrase!r}:\n{seen[person]}"
    await _stored(db_url, scenario)
    logged = log_everything.getvalue()
    leaked = [line for line in logged.splitlines() if any(t.lower() in line.lower() for t in TYPED)]
    assert not leaked, "typed text in the logs:\n" + "\n".join(leaked[:10])
    assert_private(logged)
