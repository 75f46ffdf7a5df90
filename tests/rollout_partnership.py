"""A partnership as an office rolls it out: three schools on Slack workspaces of their own,
two on Microsoft 365 tenants of their own, the provider's ITT team on its own Slack
workspace; its roster, people, calendar and schools imported from CSV; the bot served
over HTTP with the local Slack Web API and Bot Framework connector stubs behind it. Used
by tests/test_rollout_term.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.runtime import Runtime, build_runtime, web_app
from bot.settings import Settings
from scheduler.dispatch import Limiters, RateLimit
from storage.imports import (
    build_calendar,
    build_roster,
    import_calendar,
    import_roster,
    read_calendar,
    read_people,
    read_placements,
)
from storage.imports.schools import import_schools, read_schools
from storage.models import (
    OutboxMessage,
    Person,
    Placement,
    RagRating,
    ReviewPoint,
    WeeklyMeeting,
)
from storage.repo import slack_workspaces
from tests import teams_harness
from tests.scheduler_harness import Clock, at
from tests.slack_harness import SECRET, SlackHarness
from tests.stubs.bf_connector import ConnectorStub, Member
from tests.stubs.slack_api import SlackApiStub, Workspace
from tests.teams_harness import BOT, TeamsHarness, User, text_of
from tests.test_rollout_teams import in_tenant

PROGRAMME = "PGCE Primary 2026-27"
OAK = "0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a"
ELM = "0e0e0e0e-0e0e-4e0e-8e0e-0e0e0e0e0e0e"
ELSEWHERE = "99999999-9999-4999-8999-999999999999"

NORTH = Workspace("TNORTH", "Northfield Primary")
SOUTH = Workspace("TSOUTH", "Southgate Academy")
WEST = Workspace("TWEST", "Westbrook School")
UNI = Workspace("TUNI", "Wessex University ITT")
TOKEN = {w.team_id: f"xoxb-{w.team_id.lower()}" for w in (NORTH, SOUTH, WEST, UNI)}
SLACK_PEOPLE = {  # Slack user id -> (e-mail, home workspace)
    "UNIA": ("nia.hart@northfield.example.org", NORTH),
    "UNAT": ("nat.reed@trainees.example.org", NORTH),
    "UNOEL": ("noel.cole@northfield.example.org", NORTH),
    "USOL": ("sol.park@southgate.example.org", SOUTH),
    "USAMI": ("sami.ray@trainees.example.org", SOUTH),
    "USKY": ("sky.moss@trainees.example.org", SOUTH),
    "USUKI": ("suki.lane@southgate.example.org", SOUTH),
    "UWES": ("wes.ford@westbrook.example.org", WEST),
    "UWILLA": ("willa.fox@trainees.example.org", WEST),
    "UWYN": ("wyn.hale@westbrook.example.org", WEST),
    "UIDA": ("ida.itt@wessex.example.ac.uk", UNI),
    "UADA": ("ada.office@wessex.example.ac.uk", UNI),
}
# Seb Dunn (Southgate) is on the roster under an address no Slack account uses.
TEAMS_PEOPLE = {  # key -> (name, e-mail, tenant); Eli's school did not install it for him
    "olu": ("Olu Ade", "olu.ade@oaktree.example.org", OAK),
    "ona": ("Ona Bell", "ona.bell@trainees.example.org", OAK),
    "orla": ("Orla Kerr", "orla.kerr@oaktree.example.org", OAK),
    "eli": ("Eli Ward", "eli.ward@elmpark.example.org", ELM),
    "ema": ("Ema Lin", "ema.lin@trainees.example.org", ELM),
    "eve": ("Eve Moss", "eve.moss@elmpark.example.org", ELM),
}
PRE_INSTALLED = ("olu", "ona", "orla", "ema", "eve")

PLACEMENTS = f"""trainee_name,trainee_email,mentor_name,mentor_email,lead_mentor_name,lead_mentor_email,school,school_platform,programme,start_date,end_date
Nat Reed,nat.reed@trainees.example.org,Nia Hart,nia.hart@northfield.example.org,Noel Cole,noel.cole@northfield.example.org,Northfield Primary,slack,{PROGRAMME},2026-09-07,2027-06-25
Sami Ray,sami.ray@trainees.example.org,Sol Park,sol.park@southgate.example.org,Suki Lane,suki.lane@southgate.example.org,Southgate Academy,slack,{PROGRAMME},2026-09-07,2027-06-25
Sky Moss,sky.moss@trainees.example.org,Seb Dunn,seb.dunn@home.example.net,Suki Lane,suki.lane@southgate.example.org,Southgate Academy,slack,{PROGRAMME},2026-09-07,2027-06-25
Willa Fox,willa.fox@trainees.example.org,Wes Ford,wes.ford@westbrook.example.org,Wyn Hale,wyn.hale@westbrook.example.org,Westbrook School,slack,{PROGRAMME},2026-09-07,2027-06-25
Ona Bell,ona.bell@trainees.example.org,Olu Ade,olu.ade@oaktree.example.org,Orla Kerr,orla.kerr@oaktree.example.org,Oak Tree Primary,teams,{PROGRAMME},2026-09-07,2027-06-25
Ema Lin,ema.lin@trainees.example.org,Eli Ward,eli.ward@elmpark.example.org,Eve Moss,eve.moss@elmpark.example.org,Elm Park Academy,teams,{PROGRAMME},2026-09-07,2027-06-25
"""
PEOPLE = """name,email,roles
Ida Itt,ida.itt@wessex.example.ac.uk,itt_lead
Ada Office,ada.office@wessex.example.ac.uk,admin
"""
CALENDAR = f"""programme,kind,name,start_date,end_date
{PROGRAMME},term,Autumn term,2026-09-07,2026-12-18
{PROGRAMME},holiday,Autumn half-term,2026-10-26,2026-10-30
{PROGRAMME},review_point,Review point 1,2026-11-30,2026-12-04
"""
# Oak Tree alone is closed on Monday 16 November (its own INSET day).
SCHOOLS = f"""school,platform,slack_team_id,teams_tenant_id,timezone,closed_days
Northfield Primary,slack,TNORTH,,Europe/London,
Southgate Academy,slack,TSOUTH,,Europe/London,
Westbrook School,slack,TWEST,,Europe/London,
Oak Tree Primary,teams,,{OAK},Europe/London,2026-11-16
Elm Park Academy,teams,,{ELM},Europe/London,
"""
FAST = RateLimit((1000, 1.0), (1000, 1.0))  # the simulated clock does not move real time


def _access(workspace: Workspace) -> dict[str, Any]:
    """oauth.v2.access as Slack answers it for a bot-only install."""
    return {
        "ok": True,
        "app_id": "A1",
        "authed_user": {"id": "UADMIN-" + workspace.team_id},
        "scope": "chat:write,commands,users:read,users:read.email",
        "token_type": "bot",
        "access_token": TOKEN[workspace.team_id],
        "bot_user_id": "UBOT",
        "team": {"id": workspace.team_id, "name": workspace.name},
        "enterprise": None,
        "is_enterprise_install": False,
    }


@dataclass
class Partnership:
    runtime: Runtime
    clock: Clock
    slack: SlackHarness
    teams: TeamsHarness
    ids: dict[str, int]  # e-mail -> person id

    async def tick(self, day: date, hh: int, mm: int = 0) -> None:
        self.clock.set(at(day, hh, mm))
        await self.runtime.scheduler.tick()

    async def rows(self, *, kind: str | None = None) -> list[OutboxMessage]:
        async with self.runtime.sessions() as s:
            stmt = select(OutboxMessage).order_by(OutboxMessage.id)
            if kind is not None:
                stmt = stmt.where(OutboxMessage.kind == kind)
            return list((await s.execute(stmt)).scalars().all())

    def person(self, email: str) -> int:
        return self.ids[email]


def _files(tmp: Path) -> dict[str, Path]:
    files = {}
    for name, text in (
        ("placements", PLACEMENTS),
        ("people", PEOPLE),
        ("calendar", CALENDAR),
        ("schools", SCHOOLS),
    ):
        files[name] = tmp / f"{name}.csv"
        files[name].write_text(text)
    return files


async def _import(runtime: Runtime, tmp: Path) -> None:
    """What `mentorbot import roster|calendar|schools` does with the office's files."""
    files = _files(tmp)
    roster = build_roster(read_placements(files["placements"]), read_people(files["people"]))
    await import_roster(runtime.sessions, roster)
    await import_calendar(runtime.sessions, build_calendar(read_calendar(files["calendar"])))
    await import_schools(runtime.sessions, read_schools(files["schools"]), file="schools.csv")


@asynccontextmanager
async def served_partnership(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Partnership]:
    """The bot as `serve` runs it (dispatcher and scheduler driven by the test), in OAuth
    mode and for Teams, on the office's imported partnership; nothing installed yet."""
    slack_stub = SlackApiStub(
        emails={uid: email for uid, (email, _w) in SLACK_PEOPLE.items()},
        tokens={TOKEN[w.team_id]: w for w in (NORTH, SOUTH, WEST, UNI)},
        codes={f"code-{w.team_id}": _access(w) for w in (NORTH, SOUTH, WEST, UNI)},
        homes={uid: w.team_id for uid, (_e, w) in SLACK_PEOPLE.items()},
    )
    await slack_stub.start()
    members = []
    for key, (name, email, _tenant) in TEAMS_PEOPLE.items():
        user = User(key, f"29:1{key}", f"aad-{key}-0000", name, email)
        monkeypatch.setitem(teams_harness.USERS, key, user)
        members.append(Member(user.id, user.aad, name, email))
    connector = await ConnectorStub(members=members).start()
    env = {
        "SLACK_CLIENT_ID": "1111.2222",
        "SLACK_CLIENT_SECRET": "client-secret-for-tests",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_stub.url,
        "MENTORBOT_TEAMS_ALLOW_ANONYMOUS": "true",
        "DATABASE_URL": db_url,
    }
    for name, value in env.items():  # `mentorbot reach` reads the same settings
        monkeypatch.setenv(name, value)
    for name in ("SLACK_BOT_TOKEN", "MicrosoftAppId", "MICROSOFT_APP_ID", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    clock = Clock(at(date(2026, 11, 6), 9))
    runtime = await build_runtime(Settings(), clock=clock)
    runtime.dispatcher.limiters = Limiters({"slack": FAST, "teams": FAST})
    await _import(runtime, tmp_path)
    server = TestServer(web_app(runtime, run_dispatcher=False), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
            async with runtime.sessions() as s:
                ids = {p.email: p.id for p in (await s.execute(select(Person))).scalars().all()}
            yield Partnership(
                runtime,
                clock,
                SlackHarness(http, slack_stub, runtime),
                TeamsHarness(http, connector, runtime),
                {e: i for e, i in ids.items() if i is not None},
            )
    finally:
        await server.close()
        await runtime.close()
        await slack_stub.close()
        await connector.close()


# -- the office's part -------------------------------------------------------------------


async def teams_install(p: Partnership, key: str) -> None:
    """The school's Teams admin pre-installed the app for them: Teams sends the install
    events from the school's own tenant."""
    tenant = TEAMS_PEOPLE[key][2]
    for kind, extra in (
        ("conversationUpdate", {"membersAdded": [dict(BOT)]}),
        ("installationUpdate", {"action": "add"}),
    ):
        status, _ = await p.teams.post(in_tenant(p.teams.activity(key, kind, **extra), tenant))
        assert status == 200


async def slash(p: Partnership, user: str, text: str, channel: str) -> None:
    """An ITT lead types a /mentor command in a channel of the provider's workspace."""
    form = {
        "team_id": "TUNI",
        "channel_id": channel,
        "channel_name": channel.lower(),
        "user_id": user,
        "command": "/mentor",
        "text": text,
        "trigger_id": f"trig-{user}",
        "api_app_id": "A1",
    }
    response = await p.slack.post(urlencode(form).encode(), "application/x-www-form-urlencoded")
    assert response.status == 200


async def wait_until_revoked(p: Partnership, team: str) -> None:
    for _ in range(300):  # the listener runs after the event is acknowledged
        async with p.runtime.sessions() as s:
            if team in (await slack_workspaces.workspaces(s)).revoked:
                return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{team} never recorded as uninstalled")


async def sign_off(p: Partnership, trainee: str, mentor: str, week: date) -> None:
    """The mentor signs the week's meeting off (the weekly conversation's own tests drive
    the form; here only that it was signed off matters)."""
    async with p.runtime.sessions() as s, s.begin():
        placement = (
            await s.execute(select(Placement).where(Placement.trainee_id == p.person(trainee)))
        ).scalar_one()
        s.add(
            WeeklyMeeting(
                placement_id=placement.id,
                week_start=week,
                status="held",
                held_on=week + timedelta(days=1),
                duration_minutes=60,
                signed_off_by_id=p.person(mentor),
                signed_off_at=p.clock.now,
            )
        )


async def red_at_review_point(p: Partnership, trainee: str, mentor: str) -> None:
    async with p.runtime.sessions() as s, s.begin():
        placement = (
            await s.execute(select(Placement).where(Placement.trainee_id == p.person(trainee)))
        ).scalar_one()
        point = (await s.execute(select(ReviewPoint))).scalar_one()
        s.add(
            RagRating(
                scale="teachers_standards",
                item_code="TS7",
                rating="red",
                subject_id=p.person(trainee),
                rater_id=p.person(mentor),
                placement_id=placement.id,
                review_point_id=point.id,
                created_at=p.clock.now,
            )
        )


# -- what the platforms saw --------------------------------------------------------------


def slack_calls_with_the_wrong_token(p: Partnership) -> list[tuple[str, str, str | None]]:
    """Every call made for a person or channel whose workspace is known, with a token
    that is not that workspace's: (method, for whom, token)."""
    home = {uid: TOKEN[w.team_id] for uid, (_e, w) in SLACK_PEOPLE.items()}
    wrong = []
    for call in p.slack.stub.calls:
        params = call.params
        if call.method == "chat.postMessage":
            channel = str(params["channel"])
            whose = channel[1:] if channel.startswith("D") else channel
            want = home.get(whose, TOKEN["TUNI"])  # CITT, CDIRECTOR: the provider's
        elif call.method == "conversations.open":
            whose = str(params["users"])
            want = home[whose]
        elif call.method == "users.info":
            whose = str(params["user"])
            want = home[whose]
        else:
            continue
        if call.token != want:
            wrong.append((call.method, whose, call.token))
    return wrong


def slack_posts(p: Partnership, channel: str) -> list[str]:
    return [
        str(c["text"]) + json.dumps(c.get("blocks"), ensure_ascii=False)
        for c in p.slack.stub.called("chat.postMessage")
        if c["channel"] == channel
    ]


def teams_cards(p: Partnership, key: str) -> list[str]:
    return [text_of(card) for _id, card in p.teams.sent(teams_harness.USERS[key].chat)]
