"""The cases for fuzzing POST /api/messages, and the app they are sent to.

Used by tests/test_fuzz_teams.py (a bounded run in the test suite) and
bench/fuzz_teams.py (a long run). A case is a mutated activity (message, invoke,
conversation or installation update; card submissions with garbage values; service URLs
that are closed, answer 500 or garbage; odd types, huge fields) or a raw body (not JSON,
nested too deep, too large), sent with the right content type or a wrong one, and in
authenticated mode with a bearer token (valid, forged, expired, for another bot, junk).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import aiohttp
from aiohttp.test_utils import TestServer
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import SQLModel

from bot.runtime import Runtime, build_runtime, web_app
from bot.settings import Settings
from bot.teams import render
from tests.factories import NOW, build_world
from tests.stubs.bf_connector import BrokenService, ConnectorStub
from tests.teams_harness import BOT, TENANT, USERS, TeamsHarness, members
from tests.test_teams_auth import OTHER_KEY, SIGNING_KEY, Auth, jwk
from tests.test_teams_auth import _serve as serve_authenticated

KINDS = ("message", "invoke", "conversationUpdate", "installationUpdate")
# Where a case's serviceUrl points; resolved to real URLs when it is sent.
SERVICES = (
    *"ok status/500 status/502 status/404 status/401 status/429 garbage empty closed".split(),
    *("not a url", "ftp://127.0.0.1/", "http://", ""),
)
ACTIONS = tuple(
    "weekly.held weekly.not_held weekly.confirm weekly.snooze observe.start observe.rag "
    "rate.start rate.pick selfeval.start escalation.ack escalation.resolve concern.start "
    "status.show command.run".split()
)
FORMS = ("weekly.held", "weekly.not_held", "observe.details", "rate.step", "concern.start")

# --- strategies -------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
junk = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
texts = (
    st.text(max_size=200)
    | st.sampled_from(["help", "status", "observe", "use this channel for escalations"])
    | st.builds(lambda n: "x" * n, st.integers(10_000, 200_000))
    | st.builds(lambda s: f"<at>mentorbot</at> {s}", st.text(max_size=40))
)


def mostly(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`common` four times in five: enough readable activities to reach the bot's turn."""
    return one_in(5).flatmap(lambda hit: rare if hit else common)


def one_in(n: int) -> st.SearchStrategy[bool]:
    # sampled_from, not integers: Hypothesis favours the ends of an integer range.
    return st.sampled_from(range(n)).map(lambda i: i == 0)


tenants = mostly(
    st.just(TENANT), st.sampled_from([TENANT.upper(), None]) | st.uuids().map(str) | junk
)
ids = (
    st.text(max_size=40)
    | st.integers()
    | st.none()
    | st.builds(lambda n: "9" * n, st.integers(1, 5000))
)


def press_values() -> st.SearchStrategy[Any]:
    return st.builds(
        lambda action, value: {"mb": {"action": action, "value": value}},
        st.sampled_from(ACTIONS) | junk,
        st.text(max_size=30) | st.from_regex(r"\d{1,6}:20\d\d-\d\d-\d\d", fullmatch=True) | junk,
    )


def form_values() -> st.SearchStrategy[Any]:
    data = st.fixed_dictionaries(
        {"form": st.sampled_from(FORMS) | junk, "state": junk, "o": ids, "f": junk}
    )
    inputs = st.dictionaries(st.sampled_from(["held_on", "duration", "reason", "rag"]), junk)
    return st.builds(lambda d, i: {"mb": d, **i}, data, inputs)


card_values = junk | press_values() | form_values() | st.builds(lambda j: {"mb": j}, junk)


@dataclass
class Case:
    """One request: an activity (or raw bytes) and how it is sent."""

    body: dict[str, Any] | bytes
    service: str = "ok"
    content_type: str = "application/json"
    token: str | None = None  # a key of Tokens.make, in authenticated mode
    notes: list[str] = field(default_factory=list)

    def payload(self, urls: dict[str, str]) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        body = dict(self.body)
        if "serviceUrl" in body and body["serviceUrl"] == "<service>":
            body["serviceUrl"] = urls.get(self.service, self.service)
        return json.dumps(body).encode()

    def reproducer(self, urls: dict[str, str]) -> str:
        payload = self.payload(urls)
        shown = payload[:2000].decode(errors="replace")
        more = f" … ({len(payload)} bytes)" if len(payload) > 2000 else ""
        return (
            f"content-type={self.content_type!r} service={self.service!r} token={self.token!r} "
            f"notes={self.notes}\n{shown}{more}"
        )


def base(user: str, kind: Any, tenant: Any, conversation_type: Any) -> dict[str, Any]:
    u = USERS[user]
    return {
        "type": kind,
        "id": f"fuzz-{time.monotonic_ns()}",
        "timestamp": "2026-11-18T10:00:00.000Z",
        "serviceUrl": "<service>",
        "channelId": "msteams",
        "from": {"id": u.id, "name": u.name, "aadObjectId": u.aad},
        "conversation": {"id": u.chat, "conversationType": conversation_type, "tenantId": tenant},
        "recipient": dict(BOT),
        "locale": "en-GB",
        "channelData": {"tenant": {"id": tenant}},
    }


def _kind_fields(draw: st.DrawFn, kind: Any) -> dict[str, Any]:
    if kind == "message":
        fields: dict[str, Any] = {"text": draw(texts | junk)}
        if not draw(one_in(3)):
            fields["value"] = draw(card_values)
            fields["replyToId"] = draw(ids)
        return fields
    if kind == "invoke":
        name = draw(st.sampled_from(["adaptiveCard/action", "task/fetch", "task/submit"]) | junk)
        value = draw(
            st.builds(
                lambda verb, data: {
                    "action": {"type": "Action.Execute", "verb": verb, "data": data}
                },
                junk,
                card_values,
            )
            | card_values
        )
        return {"name": name, "value": value}
    if kind == "conversationUpdate":
        added = st.just([dict(BOT)]) | st.lists(junk, max_size=3) | junk
        return {"membersAdded": draw(added), "membersRemoved": draw(st.just(None) | junk)}
    if kind == "installationUpdate":
        return {"action": draw(st.sampled_from(["add", "remove", "add-upgrade"]) | junk)}
    return {}


MUTABLE = ("from", "conversation", "recipient", "channelData", "serviceUrl", "id", "locale")


@st.composite
def activity_cases(draw: st.DrawFn) -> Case:
    kind = draw(
        mostly(st.sampled_from(KINDS), st.sampled_from(["typing", "event", "MESSAGE"]) | junk)
    )
    scope = draw(mostly(st.just("personal"), st.sampled_from(["channel", "groupChat"]) | junk))
    case = Case(base(draw(st.sampled_from(list(USERS))), kind, draw(tenants), scope))
    assert isinstance(case.body, dict)
    case.body.update(_kind_fields(draw, kind))
    case.service = draw(mostly(st.just("ok"), st.sampled_from(SERVICES)))
    # A few fields replaced by junk, or dropped.
    for name in draw(st.lists(st.sampled_from(MUTABLE), max_size=2, unique=True)):
        if draw(st.booleans()):
            case.body.pop(name)
            case.notes.append(f"dropped {name}")
        else:
            case.body[name] = draw(junk)
            case.notes.append(f"junk {name}")
    if draw(one_in(10)):
        case.body["channelData"] = {"tenant": {"id": draw(tenants)}, "channel": {"id": draw(junk)}}
    return case


raw_bodies = st.sampled_from(
    [
        b"",
        b"{",
        b"null",
        b"[]",
        b"42",
        b'"message"',
        b"\xff\xfe\x00",
        b"[" * 50_000 + b"]" * 50_000,
        b'{"type": "message"}',
        b'{"type": "message", "conversation": {"id": "x"}}',
        b" " * (1024 * 1024 + 1),
    ]
) | st.binary(max_size=300)


# How often each kind of case comes up (Hypothesis's own draws are far from uniform).
SHAPES = ["activity"] * 10 + ["raw body", "wrong content type"]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    shape = draw(st.sampled_from(SHAPES))
    case = Case(draw(raw_bodies)) if shape == "raw body" else draw(activity_cases())
    if shape == "wrong content type":
        case.content_type = draw(
            st.sampled_from(["text/plain", "application/x-www-form-urlencoded", "", "json/junk"])
        )
    return case


@st.composite
def token_cases(draw: st.DrawFn) -> Case:
    case = draw(cases())
    case.token = draw(st.sampled_from(["valid", "forged", "expired", "other bot", "junk", ""]))
    return case


# --- running them ------------------------------------------------------------------------


def harmless(case: Case) -> bool:
    """Whether the request must change nothing: it is not a readable activity from
    Teams, or nothing the bot acts on (an invoke, an odd type, a card that is not ours,
    a tenant id that is not a GUID)."""
    if isinstance(case.body, bytes) or "json" not in case.content_type:
        return True
    if case.token not in (None, "valid"):
        return True
    body = case.body
    if body.get("type") not in ("message", "conversationUpdate", "installationUpdate"):
        return True
    channel = body.get("channelData")
    tenant = (channel.get("tenant") or {}) if isinstance(channel, dict) else {}
    tenant_id = tenant.get("id") if isinstance(tenant, dict) else None
    if tenant_id is not None and not _is_guid(tenant_id):
        return True
    if body.get("type") == "message" and body.get("value") is not None:
        try:
            render.read_value(body["value"])
        except ValueError:
            return True
    return False


def _is_guid(value: Any) -> bool:
    try:
        return isinstance(value, str) and len(value) == 36 and bool(uuid.UUID(value))
    except ValueError:
        return False


async def row_counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.sessions() as s:
        return {
            table.name: (await s.execute(select(func.count()).select_from(table))).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


@dataclass(repr=False)
class Fuzz:
    """The app under test and the servers its service URLs point at."""

    http: aiohttp.ClientSession
    runtime: Runtime
    urls: dict[str, str]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Fuzz(tokens={sorted(self.headers)})"

    async def send(self, case: Case) -> tuple[int, str]:
        headers = {"Content-Type": case.content_type} if case.content_type else {}
        headers.update(self.headers.get(case.token or "", {}))
        payload = case.payload(self.urls)
        async with self.http.post("/api/messages", data=payload, headers=headers) as response:
            return response.status, (await response.text())[:300]

    async def verdict(self, case: Case) -> tuple[int, str | None]:
        """The status, and what was wrong (a 5xx, rows written by bad input) if anything."""
        before = await row_counts(self.runtime) if harmless(case) else None
        status, text = await self.send(case)
        if status >= 500:
            return status, f"{status} {text}\n{case.reproducer(self.urls)}"
        if before is not None:
            after = await row_counts(self.runtime)
            if after != before:
                changed = {k: (before[k], after[k]) for k in after if after[k] != before[k]}
                return status, f"wrote rows {changed}\n{case.reproducer(self.urls)}"
        return status, None

    async def check(self, case: Case) -> int:
        status, problem = await self.verdict(case)
        assert problem is None, problem
        return status


async def service_urls(stub: ConnectorStub, broken: BrokenService) -> dict[str, str]:
    closed = await ConnectorStub().start()
    closed_url = closed.url
    await closed.close()  # nothing listens there any more
    urls = {"ok": stub.url, "closed": closed_url}
    for mode in SERVICES:
        if mode.startswith("status/") or mode in ("garbage", "empty"):
            urls[mode] = broken.url(mode)
    return urls


def token_headers(stub: ConnectorStub) -> dict[str, dict[str, str]]:
    a = Auth(cast(Any, None), stub)
    now = int(time.time())
    tokens = {
        "valid": a.token(),
        "forged": a.token(key=OTHER_KEY),
        "expired": a.token(exp=now - 3600, iat=now - 7200),
        "other bot": a.token(aud="some-other-bot"),
        "junk": "not-a-jwt",
    }
    return {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}


async def _anonymous_app(db_url: str) -> tuple[Runtime, TestServer]:
    settings = Settings(MENTORBOT_TEAMS_ALLOW_ANONYMOUS=True, DATABASE_URL=db_url)
    runtime = await build_runtime(settings, clock=lambda: NOW)
    await build_world(runtime.sessions, platform="teams")
    server = TestServer(web_app(runtime, run_dispatcher=False), host="127.0.0.1", port=0)
    await server.start_server()
    return runtime, server


@asynccontextmanager
async def running(db_url: str, *, authenticated: bool = False) -> AsyncIterator[Fuzz]:
    """The app (anonymous, or with an app id and locally served signing keys), the
    connector stub and the broken servers, everyone on the roster already installed."""
    stub = await ConnectorStub(members=members()).start()
    stub.jwks = {"keys": [jwk(SIGNING_KEY, "k1")]}
    broken = await BrokenService().start()
    if authenticated:
        runtime, server = await serve_authenticated(db_url, stub.openid_url, stub)
    else:
        runtime, server = await _anonymous_app(db_url)
    try:
        async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
            if not authenticated:
                for user in USERS:
                    await TeamsHarness(http, stub, runtime).install(user)
            fuzz = Fuzz(http, runtime, await service_urls(stub, broken))
            fuzz.headers = token_headers(stub) if authenticated else {}
            yield fuzz
    finally:
        await server.close()
        await runtime.engine.dispose()
        await broken.close()
        await stub.close()
