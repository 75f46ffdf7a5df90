"""Slack for many workspaces: the OAuth install round trip against the local Slack API
stub, requests and messages each made with their own workspace's token, an Enterprise
Grid organisation-wide install, and a workspace that uninstalls the app."""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table, inspect, select, update
from sqlmodel import SQLModel

from bot.config_check import check
from bot.settings import Settings
from bot.slack.oauth import authorization_url
from handlers import notify
from handlers.ui import Message
from storage.models import OutboxMessage, PlatformIdentity
from storage.models.slack import slack_oauth_states
from storage.repo import slack_workspaces
from tests.factories import NOW, World
from tests.slack_harness import SECRET, USERS, SlackHarness, served_slack
from tests.stubs.slack_api import SlackApiStub, Workspace

NORTH = Workspace("TNORTH", "Northfield Primary")
SOUTH = Workspace("TSOUTH", "Southgate Academy")
ORG = Workspace("E0RG", "Moorland Trust", enterprise_id="E0RG", org_wide=True)
TOKENS = {"xoxb-north": NORTH, "xoxb-south": SOUTH, "xoxb-org": ORG}


def _access(token: str, workspace: Workspace, installer: str) -> dict[str, Any]:
    """oauth.v2.access as Slack answers it for a bot-only install."""
    answer: dict[str, Any] = {
        "ok": True,
        "app_id": "A1",
        "authed_user": {"id": installer},
        "scope": "chat:write,commands",
        "token_type": "bot",
        "access_token": token,
        "bot_user_id": "UBOT",
        "team": None if workspace.org_wide else {"id": workspace.team_id, "name": workspace.name},
        "enterprise": (
            {"id": workspace.enterprise_id, "name": workspace.name}
            if workspace.enterprise_id
            else None
        ),
        "is_enterprise_install": workspace.org_wide,
    }
    return answer


CODES = {
    "code-north": _access("xoxb-north", NORTH, "UMENTOR"),
    "code-south": _access("xoxb-south", SOUTH, "UOTHER"),
    "code-org": _access("xoxb-org", ORG, "ULEAD"),
}


def served_oauth(db_url: str) -> Any:
    """The bot in OAuth mode (no SLACK_BOT_TOKEN), with the Web API stub behind it."""
    return served_slack(
        db_url,
        SlackApiStub(emails=dict(USERS), tokens=dict(TOKENS), codes=dict(CODES)),
        SLACK_BOT_TOKEN=None,
        SLACK_CLIENT_ID="1111.2222",
        SLACK_CLIENT_SECRET="client-secret-for-tests",
    )


@pytest.fixture
async def oauth(db_url: str) -> AsyncIterator[tuple[SlackHarness, World]]:
    async with served_oauth(db_url) as served:
        yield served


async def start_install(h: SlackHarness) -> tuple[str, str, str]:
    """GET /slack/install: (the approval URL, its state, the browser's state cookie)."""
    async with h.http.get("/slack/install") as response:
        assert response.status == 200
        page = await response.text()
        cookie = response.headers.getone("Set-Cookie").split(";")[0]
    url = re.search(r'href="([^"]*oauth/v2/authorize[^"]*)"', page)
    assert url is not None
    approve = html.unescape(url.group(1))
    state = parse_qs(urlsplit(approve).query)["state"][0]
    return approve, state, cookie


async def install(h: SlackHarness, code: str) -> int:
    """A workspace admin approves the app at Slack and comes back with `code`."""
    _, state, cookie = await start_install(h)
    async with h.http.get(
        "/slack/oauth_redirect", params={"code": code, "state": state}, headers={"Cookie": cookie}
    ) as response:
        return response.status


async def event_from(
    h: SlackHarness,
    workspace: Workspace,
    team: str,
    event: dict[str, Any],
    event_id: str,
    *,
    authorized: str | None = None,
) -> int:
    """A signed event from a workspace (`team`: where it happened, inside an org;
    `authorized`: the workspace the authorizations name, when not the same)."""
    authorization: dict[str, Any] = {
        "team_id": authorized or team,
        "user_id": "UBOT",
        "is_bot": True,
    }
    body: dict[str, Any] = {
        "token": "legacy",
        "team_id": team,
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
    }
    if workspace.enterprise_id:
        body["enterprise_id"] = workspace.enterprise_id
        authorization.update(
            enterprise_id=workspace.enterprise_id, is_enterprise_install=workspace.org_wide
        )
        body["is_enterprise_install"] = workspace.org_wide
    body["authorizations"] = [authorization]
    response = await h.post(json.dumps(body).encode(), "application/json")
    return response.status


def dm(user: str, text: str = "help") -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "channel": "D" + user,
        "ts": "5.5",
        "event_ts": "5.5",
    }


def posted_with(h: SlackHarness) -> dict[str, str | None]:
    """Each DM channel posted to, and the token the post was made with."""
    return {
        str(c.params.get("channel")): c.token
        for c in h.stub.calls
        if c.method == "chat.postMessage"
    }


async def queue(h: SlackHarness, person_id: int, key: str) -> None:
    async with h.runtime.sessions() as s, s.begin():
        await notify.to_person(
            s,
            key=key,
            kind="weekly_prompt",
            recipient_id=person_id,
            message=Message("Did your weekly meeting take place?"),
            not_before=NOW,
        )


# -- the install round trip -----------------------------------------------------------


async def test_install_round_trip_stores_the_workspace_token(oauth):
    h, _w = oauth
    approve, state, cookie = await start_install(h)
    query = parse_qs(urlsplit(approve).query)
    assert approve.startswith(authorization_url(h.stub.url))  # SLACK_API_URL's host
    assert query["client_id"] == ["1111.2222"]
    assert set(query["scope"][0].split(",")) >= {"chat:write", "commands", "users:read.email"}
    async with h.http.get(
        "/slack/oauth_redirect",
        params={"code": "code-north", "state": state},
        headers={"Cookie": cookie},
    ) as response:
        assert response.status == 200
        assert "slack://" in await response.text()  # the "open Slack" page
    exchanged = h.stub.called("oauth.v2.access")
    assert [c["code"] for c in exchanged] == ["code-north"]
    async with h.runtime.sessions() as s:
        found = await slack_workspaces.workspaces(s)
    assert found.installed == {"TNORTH": "Northfield Primary"} and found.revoked == {}


async def test_install_refuses_forged_replayed_or_failed_returns(oauth):
    h, _w = oauth
    _, state, cookie = await start_install(h)
    back = "/slack/oauth_redirect"
    forged = {"code": "code-north", "state": "not-a-state-we-issued"}
    async with h.http.get(back, params=forged, headers={"Cookie": cookie}) as response:
        assert response.status in (400, 401)
    ok = {"code": "code-north", "state": state}
    async with h.http.get(back, params=ok, headers={"Cookie": cookie}) as response:
        assert response.status == 200
    async with h.http.get(back, params=ok, headers={"Cookie": cookie}) as response:
        assert response.status in (400, 401)  # a state is good for one return
    _, state, cookie = await start_install(h)
    bad_code = {"code": "code-nobody", "state": state}
    async with h.http.get(back, params=bad_code, headers={"Cookie": cookie}) as response:
        assert response.status == 401
    async with h.http.get(back, params={"error": "access_denied"}) as response:
        assert response.status == 200  # the admin cancelled: told so, nothing stored
    async with h.runtime.sessions() as s:
        found = await slack_workspaces.workspaces(s)
    assert list(found.installed) == ["TNORTH"]


# -- each workspace with its own token ----------------------------------------------------


async def test_two_workspaces_each_answered_and_messaged_with_their_own_token(oauth):
    h, w = oauth
    assert await install(h, "code-north") == 200
    assert await install(h, "code-south") == 200
    assert await event_from(h, NORTH, "TNORTH", dm("UMENTOR"), "EvN1") == 200
    assert await event_from(h, SOUTH, "TSOUTH", dm("UOTHER"), "EvS1") == 200
    await h.stub.wait_for("chat.postMessage", 2)
    assert posted_with(h) == {"DUMENTOR": "xoxb-north", "DUOTHER": "xoxb-south"}
    async with h.runtime.sessions() as s:
        where = dict(
            (
                await s.execute(select(PlatformIdentity.person_id, PlatformIdentity.workspace_id))
            ).all()
        )
    assert where == {w.mentor_id: "TNORTH", w.other_mentor_id: "TSOUTH"}

    h.stub.calls.clear()
    await queue(h, w.mentor_id, "prompt:north")
    await queue(h, w.other_mentor_id, "prompt:south")
    result = await h.runtime.dispatcher.drain()
    assert result.sent == 2
    assert posted_with(h) == {"DUMENTOR": "xoxb-north", "DUOTHER": "xoxb-south"}


async def test_a_request_naming_another_workspace_than_its_token_is_refused(oauth):
    h, _w = oauth
    await install(h, "code-north")
    await install(h, "code-south")
    # Signed, but naming two workspaces: the token found for one must not act for the other.
    assert await event_from(h, SOUTH, "TSOUTH", dm("UMENTOR"), "EvX", authorized="TNORTH") == 403
    assert h.stub.called("chat.postMessage") == []


async def test_an_uninstalled_workspace_is_never_sent_to_again(oauth):
    h, w = oauth
    await install(h, "code-north")
    await install(h, "code-south")
    await event_from(h, SOUTH, "TSOUTH", dm("UOTHER"), "EvS1")
    await h.stub.wait_for("chat.postMessage")
    uninstalled = {"type": "app_uninstalled", "event_ts": "9.9"}
    assert await event_from(h, SOUTH, "TSOUTH", uninstalled, "EvGone") == 200
    for _ in range(200):  # the listener runs after the event is acknowledged
        async with h.runtime.sessions() as s:
            found = await slack_workspaces.workspaces(s)
        if found.revoked:
            break
        await asyncio.sleep(0.01)
    assert list(found.installed) == ["TNORTH"]
    gone = found.revoked["TSOUTH"]
    assert (gone.name, gone.reason) == ("Southgate Academy", slack_workspaces.UNINSTALLED)

    h.stub.calls.clear()
    await queue(h, w.other_mentor_id, "prompt:south")
    result = await h.runtime.dispatcher.drain()
    assert (result.sent, result.dead) == (0, 1)  # dead at once, not retried
    assert "xoxb-south" not in [c.token for c in h.stub.calls]
    async with h.runtime.sessions() as s:
        row = (
            await s.execute(select(OutboxMessage).where(OutboxMessage.key == "prompt:south"))
        ).scalar_one()
    assert row.status == "dead" and row.attempts == 1
    assert "reinstall the app in workspace Southgate Academy" in (row.last_error or "")

    # Its people's messages to the bot are not acted on either; reinstalling brings it back.
    assert await event_from(h, SOUTH, "TSOUTH", dm("UOTHER"), "EvS2") == 200
    assert "xoxb-south" not in [c.token for c in h.stub.calls]
    assert await install(h, "code-south") == 200
    async with h.runtime.sessions() as s:
        found = await slack_workspaces.workspaces(s)
    assert "TSOUTH" in found.installed and found.revoked == {}


async def test_revoked_bot_token_ends_the_installation(oauth):
    h, _w = oauth
    await install(h, "code-north")
    revoked = {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}, "event_ts": "9.9"}
    assert await event_from(h, NORTH, "TNORTH", revoked, "EvRev") == 200
    for _ in range(200):
        async with h.runtime.sessions() as s:
            found = await slack_workspaces.workspaces(s)
        if found.revoked:
            break
        await asyncio.sleep(0.01)
    assert found.installed == {}
    assert found.revoked["TNORTH"].reason == slack_workspaces.TOKENS_REVOKED


async def test_enterprise_grid_org_install_serves_each_workspace_of_the_org(oauth):
    h, w = oauth
    assert await install(h, "code-org") == 200
    assert await event_from(h, ORG, "TINORG", dm("ULEAD"), "EvO1") == 200
    await h.stub.wait_for("chat.postMessage")
    assert posted_with(h) == {"DULEAD": "xoxb-org"}
    h.stub.calls.clear()
    await queue(h, w.lead_id, "digest:org")
    assert (await h.runtime.dispatcher.drain()).sent == 1
    assert posted_with(h) == {"DULEAD": "xoxb-org"}


# -- the tables: migration 0007 is slack_sdk's schema --------------------------------------


def _sdk_tables() -> list[Table]:
    """slack_sdk's own declarations of the tables its stores use."""
    metadata = MetaData()
    return [
        SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations"),
        SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots"),
        SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states"),
    ]


def _shape(column_type: Any) -> tuple[type, int | None]:
    return column_type.python_type, getattr(column_type, "length", None)


async def test_migrated_slack_tables_are_slack_sdks(engine):
    def read(connection: Any) -> dict[str, Any]:
        inspector = inspect(connection)
        return {
            table.name: (
                {
                    c["name"]: (_shape(c["type"]), c["nullable"])
                    for c in inspector.get_columns(table.name)
                },
                {i["name"]: tuple(i["column_names"]) for i in inspector.get_indexes(table.name)},
            )
            for table in _sdk_tables()
        }

    async with engine.connect() as conn:
        migrated = await conn.run_sync(read)
    for table in _sdk_tables():
        columns = {c.name: (_shape(c.type), c.nullable) for c in table.columns}
        indexes = {i.name: tuple(c.name for c in i.columns) for i in table.indexes}
        assert migrated[table.name] == (columns, indexes), table.name
        # The declarations storage/ queries them by say the same.
        ours = SQLModel.metadata.tables[table.name]
        assert {c.name: (_shape(c.type), c.nullable) for c in ours.columns} == columns


# -- config check ------------------------------------------------------------------------


def _lines(settings: Settings) -> dict[str, str]:
    return {line.name: line.value for line in check(settings).lines}


def test_config_check_tells_oauth_mode_from_single_token_mode():
    oauth = Settings(
        _env_file=None,
        SLACK_CLIENT_ID="1111.2222",
        SLACK_CLIENT_SECRET="client-secret-for-tests",
        SLACK_SIGNING_SECRET=SECRET,
    )
    report = check(oauth)
    assert report.problems["slack"] == []
    assert report.usable_platforms == ["slack (OAuth, many workspaces)"]
    assert _lines(oauth)["Slack mode"].startswith("OAuth")
    assert "client-secret" not in json.dumps(_lines(oauth))  # masked
    assert _lines(oauth)["SLACK_SCOPES"] == "(the manifest's)"

    single = Settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-1-2", SLACK_SIGNING_SECRET=SECRET)
    assert check(single).usable_platforms == ["slack"]
    assert _lines(single)["Slack mode"] == "single token: one workspace"

    half = Settings(_env_file=None, SLACK_CLIENT_ID="1111.2222", SLACK_APP_TOKEN="xapp-1")
    problems = check(half).problems["slack"]
    assert any("SLACK_CLIENT_SECRET is missing" in p for p in problems)
    assert any("SLACK_SIGNING_SECRET" in p for p in problems)
    assert check(half).usable_platforms == []


async def test_a_rotating_token_is_refreshed_before_it_expires(oauth):
    """With token rotation on at Slack, an install's token expires in 12 hours; a token
    within SLACK_TOKEN_ROTATION_EXPIRATION_MINUTES of expiring is refreshed (through
    SLACK_API_URL) before it is used, for requests and for messages alike."""
    h, w = oauth
    h.stub.codes["code-rotating"] = dict(
        _access("xoxb-north", NORTH, "UMENTOR"), refresh_token="xoxe-1", expires_in=60
    )
    h.stub.codes["refresh:xoxe-1"] = dict(
        _access("xoxb-north-2", NORTH, "UMENTOR"), refresh_token="xoxe-2", expires_in=43200
    )
    h.stub.tokens["xoxb-north-2"] = NORTH
    assert await install(h, "code-rotating") == 200
    assert await event_from(h, NORTH, "TNORTH", dm("UMENTOR"), "EvR1") == 200
    await h.stub.wait_for("chat.postMessage")
    assert posted_with(h) == {"DUMENTOR": "xoxb-north-2"}
    refreshes = [c for c in h.stub.called("oauth.v2.access") if c.get("grant_type")]
    assert [c["refresh_token"] for c in refreshes] == ["xoxe-1"]  # once, then kept

    h.stub.calls.clear()
    await queue(h, w.mentor_id, "prompt:rotated")
    assert (await h.runtime.dispatcher.drain()).sent == 1
    assert posted_with(h) == {"DUMENTOR": "xoxb-north-2"}
    assert h.stub.called("oauth.v2.access") == []


async def test_someone_not_met_yet_is_found_in_their_own_workspace(oauth):
    h, w = oauth
    await install(h, "code-north")
    await install(h, "code-south")
    h.stub.homes["UOTHER"] = "TSOUTH"
    h.stub.calls.clear()
    await queue(h, w.other_mentor_id, "prompt:unmet")
    assert (await h.runtime.dispatcher.drain()).sent == 1
    lookups = [c.token for c in h.stub.calls if c.method == "users.lookupByEmail"]
    assert lookups == ["xoxb-north", "xoxb-south"]  # not in the first, found in the second
    assert posted_with(h) == {"DUOTHER": "xoxb-south"}
    async with h.runtime.sessions() as s:
        identity = (
            await s.execute(
                select(PlatformIdentity).where(PlatformIdentity.person_id == w.other_mentor_id)
            )
        ).scalar_one()
    assert (identity.workspace_id, identity.external_id) == ("TSOUTH", "UOTHER")


async def test_before_any_install_the_office_is_told_to_install(oauth):
    h, w = oauth
    await queue(h, w.mentor_id, "prompt:early")
    assert (await h.runtime.dispatcher.drain()).dead == 1
    async with h.runtime.sessions() as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
    assert "not installed in any Slack workspace yet" in (row.last_error or "")
    assert h.stub.called("chat.postMessage") == []


async def test_the_weeks_prompts_reach_each_school_through_its_own_workspace(oauth):
    """The scheduler's own sweep: each mentor's weekly prompt goes out with the token of
    the workspace they are in, one school per workspace."""
    h, _w = oauth
    await install(h, "code-north")
    await install(h, "code-south")
    await event_from(h, NORTH, "TNORTH", dm("UMENTOR"), "EvN1")
    await event_from(h, SOUTH, "TSOUTH", dm("UOTHER"), "EvS1")
    await h.stub.wait_for("chat.postMessage", 2)
    h.stub.calls.clear()
    result = await h.runtime.scheduler.tick()
    assert result.dispatch is not None and result.dispatch.dead == 0
    prompts = {
        str(c.params["channel"]): c.token
        for c in h.stub.calls
        if c.method == "chat.postMessage" and "weekly" in json.dumps(c.params.get("metadata"))
    }
    assert prompts == {"DUMENTOR": "xoxb-north", "DUOTHER": "xoxb-south"}


async def test_a_parked_interaction_is_matched_through_its_own_workspace(oauth):
    """An interaction parked while the bot was busy is handled later: the person's e-mail
    is asked of their own workspace, with its token."""
    h, _w = oauth
    await install(h, "code-north")
    await install(h, "code-south")
    person = h.runtime.intake.users["slack"]("TSOUTH", "UOTHER")
    assert person.email_lookup is not None
    assert await person.email_lookup() == USERS["UOTHER"]
    assert h.stub.tokens_used("users.info") == ["xoxb-south"]
    h.stub.revoked.add("xoxb-south")  # gone at Slack before the event arrives
    assert await person.email_lookup() is None


async def test_install_states_nobody_came_back_with_are_forgotten(oauth):
    h, _w = oauth
    await start_install(h)
    await start_install(h)
    async with h.runtime.sessions() as s, s.begin():  # both left unused for an hour
        await s.execute(update(slack_oauth_states).values(expire_at=datetime(2020, 1, 1)))
    _, state, _cookie = await start_install(h)
    async with h.runtime.sessions() as s:
        kept = (await s.execute(select(slack_oauth_states.c.state))).scalars().all()
    assert kept == [state]
