"""Requests to POST /slack/events as anyone on the internet might send them: Hypothesis
strategies for tests/test_fuzz_slack.py and bench/fuzz_slack.py.

Each request starts from a real-shaped payload of a kind Slack sends us (a button press,
a modal submission or closing, a slash command, a DM, App Home, a shortcut, the URL and
SSL checks), is mutated (values replaced by other JSON or by hostile strings, keys
dropped or added, forged workspace ids), encoded as Slack would or oddly (wrong content
type, not UTF-8, truncated, huge, nested deep) and signed, left unsigned or signed with
a timestamp that is stale or not a number.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp.test_utils import TestServer
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import SQLModel

from bot.runtime import Runtime, build_runtime, web_app
from bot.settings import Settings
from storage.models import PlatformIdentity
from tests.factories import NOW, build_world
from tests.slack_harness import SECRET, USERS
from tests.stubs.slack_api import SlackApiStub

WEEK = "2026-11-16"
HOSTILE = [
    "",
    "TEVIL",
    "E0FORGED",
    "<script>alert(1)</script>",
    "UMENTOR",
    "T1",
    "weekly.held",
    "1:2026-11-16",
    "\x00\ud800",
    "é" * 40,
    "x" * 5000,
    "[" * 5000,
    '{"s": {"placement_id": 2}, "o": ["C", "1"]}',
    "2026-02-30",
    "-1",
]
LEAF = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(HOSTILE)
)
JSON = st.recursive(
    LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
CONTENT_TYPES = [
    "application/json",
    "application/x-www-form-urlencoded",
    "Application/JSON",
    "application/json; charset=latin-1",
    "text/plain",
    "multipart/form-data; boundary=x",
    "",
]


@dataclass(frozen=True)
class FuzzRequest:
    kind: str
    body: bytes
    headers: dict[str, str]

    def reproducer(self) -> str:
        return f"kind={self.kind} headers={self.headers!r} body={self.body[:2000]!r}"


def _user(user: str) -> dict[str, Any]:
    return {"id": user, "username": user.lower(), "team_id": "T1"}


def base_payloads(placement_id: int) -> dict[str, dict[str, Any]]:
    """One real-shaped payload of each kind, from UMENTOR in workspace T1."""
    team = {"id": "T1", "domain": "school"}
    value = f"{placement_id}:{WEEK}"
    metadata = json.dumps({"s": {"placement_id": placement_id, "week": WEEK}, "o": ["D1", "1.1"]})
    view = {
        "id": "V1",
        "team_id": "T1",
        "type": "modal",
        "callback_id": "weekly.not_held",
        "private_metadata": metadata,
        "hash": "h1",
        "blocks": [
            {"type": "input", "block_id": "reason", "element": {"type": "plain_text_input"}}
        ],
        "state": {"values": {"reason": {"reason": {"type": "plain_text_input", "value": "Ill"}}}},
    }
    interactive = {"team": team, "user": _user("UMENTOR"), "api_app_id": "A1", "token": "x"}
    return {
        "block_actions": {
            **interactive,
            "type": "block_actions",
            "trigger_id": "trig",
            "container": {"type": "message", "message_ts": "1.1", "channel_id": "D1"},
            "channel": {"id": "D1", "name": "directmessage"},
            "view": None,
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [
                {"action_id": "weekly.held", "block_id": "b1", "value": value, "type": "button"}
            ],
        },
        "view_submission": {**interactive, "type": "view_submission", "view": view},
        "view_closed": {**interactive, "type": "view_closed", "view": view, "is_cleared": False},
        "shortcut": {**interactive, "type": "shortcut", "callback_id": "s", "trigger_id": "t"},
        "event_callback": {
            "token": "x",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": "Ev1",
            "event_time": 1763000000,
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
            "event": {
                "type": "message",
                "channel_type": "im",
                "user": "UMENTOR",
                "text": "help",
                "channel": "D1",
                "ts": "5.5",
            },
        },
        "app_home_opened": {
            "token": "x",
            "team_id": "T1",
            "type": "event_callback",
            "event_id": "Ev2",
            "event": {"type": "app_home_opened", "user": "UMENTOR", "tab": "home"},
        },
        "url_verification": {"type": "url_verification", "challenge": "c", "token": "x"},
        "command": {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "UMENTOR",
            "command": "/mentor",
            "text": "help",
            "trigger_id": "trig",
            "is_enterprise_install": "false",
        },
        "ssl_check": {"ssl_check": "1", "token": "x"},
    }


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*at, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*at, index))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any, *, delete: bool = False) -> Any:
    """A copy of `value` with the part at `path` set to `new` (or removed)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy: Any = dict(value) if isinstance(value, dict) else list(value)
    if rest:
        copy[head] = _replace(value[head], rest, new, delete=delete)
    elif delete:
        del copy[head]
    else:
        copy[head] = new
    return copy


@st.composite
def mutated(draw: st.DrawFn, payload: dict[str, Any]) -> Any:
    """The payload with up to three values replaced, keys removed or keys added."""
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        path = draw(st.sampled_from(_paths(payload)))
        op = draw(st.sampled_from(["replace", "delete", "add"]))
        if op == "delete" and path:
            payload = _replace(payload, path, None, delete=True)
        elif op == "add" and isinstance(_get(payload, path), dict):
            key = draw(
                st.sampled_from(["team_id", "user", "actions", "view", "command", "type"])
                | st.text(max_size=8)
            )
            payload = _replace(payload, (*path, key), draw(JSON))
        else:
            payload = _replace(payload, path, draw(JSON))
    return payload


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _form_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def encode(kind: str, payload: Any) -> tuple[bytes, str]:
    """The body and content type Slack would use for this kind of payload."""
    if kind in ("command", "ssl_check") and isinstance(payload, dict):
        form = {str(k): _form_value(v) for k, v in payload.items()}
        body = urlencode(form, encoding="utf-8", errors="surrogatepass")
        return body.encode(), "application/x-www-form-urlencoded"
    text = json.dumps(payload)  # ASCII: anything else is escaped
    if kind in ("event_callback", "app_home_opened", "url_verification"):
        return text.encode(), "application/json"
    return urlencode({"payload": text}).encode(), "application/x-www-form-urlencoded"


@st.composite
def damaged(draw: st.DrawFn, body: bytes) -> bytes:
    """The body as sent, or broken on the wire: cut short, not UTF-8, huge, nested deep."""
    how = draw(
        st.sampled_from(
            ["as is"] * 18 + ["truncate", "latin-1", "garbage", "huge", "deep", "empty"]
        )
    )
    if how == "truncate":
        return body[: draw(st.integers(min_value=0, max_value=len(body)))]
    if how == "latin-1":
        return body + b"\xff\xfe\xe9"
    if how == "garbage":
        return draw(st.binary(max_size=200))
    if how == "huge":
        return body + b"&pad=" + b"x" * draw(st.sampled_from([70_000, 1_048_577]))
    if how == "deep":
        return b"payload=" + b"%5B" * 50_000 if draw(st.booleans()) else b"[" * 50_000
    return body if how == "as is" else b""


def sign(body: bytes, timestamp: str, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)


@st.composite
def signature(draw: st.DrawFn, body: bytes) -> dict[str, str]:
    """Signed now (mostly), unsigned, signed with another secret or with a timestamp that
    is stale, in the future or not a number at all."""
    now = int(time.time())
    how = draw(
        st.sampled_from(
            ["signed"] * 18
            + ["unsigned", "wrong secret", "stale", "future", "odd timestamp", "odd signature"]
        )
    )
    if how == "unsigned":
        return draw(st.sampled_from([{}, {"X-Slack-Request-Timestamp": draw(HEADER_TEXT)}]))
    if how == "wrong secret":
        return sign(body, str(now), "not-the-secret")
    if how in ("stale", "future"):
        return sign(body, str(now + (-1 if how == "stale" else 1) * draw(st.integers(301, 10**12))))
    if how == "odd timestamp":
        odd = draw(HEADER_TEXT | st.sampled_from([" 1", "1e9", "0x10", "-1", "9" * 5000, "١٢٣"]))
        return (
            sign(body, odd)
            if draw(st.booleans())
            else {"X-Slack-Request-Timestamp": odd, "X-Slack-Signature": "v0=x"}
        )
    if how == "odd signature":
        return {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": draw(HEADER_TEXT)}
    return sign(body, str(now))


@st.composite
def requests(draw: st.DrawFn, placement_id: int) -> FuzzRequest:
    bases = base_payloads(placement_id)
    kind = draw(st.sampled_from(sorted(bases)))
    body, content_type = encode(kind, draw(mutated(bases[kind])))
    body = draw(damaged(body))
    content_type = draw(st.sampled_from([content_type] * 21 + CONTENT_TYPES))
    headers = {"Content-Type": content_type} if content_type else {}
    return FuzzRequest(kind, body, {**headers, **draw(signature(body))})


# ---------------------------------------------------------------- the app under fuzz

UNWRITTEN = {"scheduler_health"}  # the scheduler's heartbeat, not written by requests


@dataclass
class Outcome:
    status: int
    wrote: bool  # some table's row count changed
    foreign_workspaces: set[str]  # identities stored with a workspace other than T1


@dataclass
class FuzzTarget:
    """The running app (SQLite, Web API stub, dispatcher off) and a client for it."""

    http: aiohttp.ClientSession
    runtime: Runtime
    placement_id: int

    async def send(self, request: FuzzRequest) -> int:
        headers = dict(request.headers)
        # aiohttp's client adds a content type of its own unless told there is none.
        skip = () if "Content-Type" in headers else ("Content-Type",)
        async with self.http.post(
            "/slack/events", data=request.body, headers=headers, skip_auto_headers=skip
        ) as response:
            await response.read()
            return response.status

    async def settle(self, within: float = 10.0) -> None:
        """Waits for bolt's listeners still running after their acknowledgement."""
        busy = [
            task
            for task in asyncio.all_tasks()
            if not task.done() and "run_ack_function" in task.get_coro().__qualname__  # type: ignore[union-attr]
        ]
        if busy:
            await asyncio.wait(busy, timeout=within)

    async def counts(self) -> dict[str, int]:
        tables = [t for name, t in SQLModel.metadata.tables.items() if name not in UNWRITTEN]
        query = select(*(select(func.count()).select_from(t).scalar_subquery() for t in tables))
        async with self.runtime.sessions() as session:
            row = (await session.execute(query)).one()
        return {t.name: n for t, n in zip(tables, row, strict=True)}

    async def foreign_workspaces(self) -> set[str]:
        query = select(PlatformIdentity.workspace_id).where(PlatformIdentity.workspace_id != "T1")
        async with self.runtime.sessions() as session:
            return set((await session.execute(query)).scalars())

    async def check(self, request: FuzzRequest) -> Outcome:
        await self.settle()
        before = await self.counts()
        status = await self.send(request)
        await self.settle()
        after = await self.counts()
        return Outcome(status, before != after, await self.foreign_workspaces())


@asynccontextmanager
async def serving(db_url: str) -> AsyncIterator[FuzzTarget]:
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
    try:
        async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
            yield FuzzTarget(http, runtime, world.placement_id)
    finally:
        await server.close()
        await stub.close()
