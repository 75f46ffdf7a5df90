"""Drives the running aiohttp app the way Slack does: real-shaped, signed payloads over HTTP."""

from __future__ import annotations

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

from bot.runtime import Runtime, build_runtime, web_app
from bot.settings import Settings
from tests.factories import NOW, World, build_world
from tests.stubs.slack_api import SlackApiStub

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
USERS = {
    "UMENTOR": "mo.mentor@example.org",
    "UTRAINEE": "tara.trainee@example.org",
    "UOTHER": "omar.mentor@example.org",
    "ULEAD": "lee.lead@example.org",
    "UITT": "ida.itt@example.org",
    "USTRANGER": "stranger@example.org",
}


def _hash(view: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(view, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class SlackHarness:
    http: aiohttp.ClientSession
    stub: SlackApiStub
    runtime: Runtime

    def headers(
        self, body: bytes, *, timestamp: int | None = None, secret: str = SECRET
    ) -> dict[str, str]:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        # Signed over the raw bytes, as Slack does (so a non-UTF-8 body can be signed too).
        digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
        signature = "v0=" + digest.hexdigest()
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}

    async def post(
        self, body: bytes, content_type: str, extra: dict[str, str] | None = None, **sign: Any
    ) -> aiohttp.ClientResponse:
        headers = {"Content-Type": content_type, **self.headers(body, **sign), **(extra or {})}
        async with self.http.post("/slack/events", data=body, headers=headers) as response:
            await response.read()
            return response

    async def command(self, user: str, text: str) -> aiohttp.ClientResponse:
        form = {
            "token": "legacy",
            "team_id": "T1",
            "team_domain": "school",
            "channel_id": "C1",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/mentor",
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": "https://hooks.slack.invalid/commands/1",
            "trigger_id": f"trig-{user}",
        }
        return await self.post(urlencode(form).encode(), "application/x-www-form-urlencoded")

    async def interactive(self, payload: dict[str, Any]) -> tuple[int, str]:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **self.headers(body)}
        async with self.http.post("/slack/events", data=body, headers=headers) as response:
            return response.status, await response.text()

    async def press(
        self,
        user: str,
        action_id: str,
        value: str,
        *,
        channel: str = "",
        ts: str = "",
        home: bool = False,
    ) -> int:
        container: dict[str, Any] = (
            {"type": "view", "view_id": "VHOME"}
            if home
            else {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False}
        )
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": "T1"},
            "api_app_id": "A1",
            "token": "legacy",
            "container": container,
            "trigger_id": f"trig-{user}",
            "team": {"id": "T1", "domain": "school"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "directmessage"} if channel else None,
            "view": {"id": "VHOME", "type": "home"} if home else None,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b1",
                    "value": value,
                    "type": "button",
                    "action_ts": str(time.time()),
                }
            ],
        }
        status, _ = await self.interactive(payload)
        return status

    async def submit(
        self, user: str, view: dict[str, Any], values: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Fill in the modal Slack was asked to open, as a person would, and submit it."""
        state: dict[str, Any] = {}
        for block in view["blocks"]:
            if block["type"] != "input" or block["block_id"] not in values:
                continue
            element, value = block["element"], values[block["block_id"]]
            action = element["action_id"]
            kind = element["type"]
            if kind == "datepicker":
                entry = {"type": kind, "selected_date": value}
            elif kind in ("radio_buttons", "static_select"):
                entry = {"type": kind, "selected_option": {"value": value}}
            elif kind in ("checkboxes", "multi_static_select"):
                entry = {"type": kind, "selected_options": [{"value": v} for v in value]}
            else:
                entry = {"type": kind, "value": value}
            state[block["block_id"]] = {action: entry}
        payload = {
            "type": "view_submission",
            "team": {"id": "T1", "domain": "school"},
            "user": {"id": user, "username": user.lower(), "team_id": "T1"},
            "api_app_id": "A1",
            "token": "legacy",
            "trigger_id": f"trig-{user}",
            # Slack gives a view a new hash whenever it is updated (the next step of a form).
            "view": {
                **view,
                "id": "V1",
                "team_id": "T1",
                "state": {"values": state},
                "hash": _hash(view),
            },
        }
        status, text = await self.interactive(payload)
        return status, (json.loads(text) if text.strip() else {})

    async def event(self, event: dict[str, Any], event_id: str, retry: int | None = None) -> int:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": "T1",
                "api_app_id": "A1",
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
            }
        ).encode()
        extra = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else None
        )
        response = await self.post(body, "application/json", extra)
        return response.status

    def last_view(self) -> dict[str, Any]:
        return self.stub.called("views.open")[-1]["view"]


@asynccontextmanager
async def served_slack(
    db_url: str, stub: SlackApiStub | None = None, **settings: Any
) -> AsyncIterator[tuple[SlackHarness, World]]:
    """The bot as `serve` runs it for Slack (dispatcher off), on a fresh partnership,
    with the Web API served by the local stub. `settings` replace the single-token ones
    (`SLACK_BOT_TOKEN=None` with a client id and secret: OAuth mode)."""
    stub = stub or SlackApiStub(emails=dict(USERS))
    await stub.start()
    chosen = {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SECRET} | settings
    runtime = await build_runtime(
        Settings(**chosen, SLACK_API_URL=stub.url, DATABASE_URL=db_url), clock=lambda: NOW
    )
    world = await build_world(runtime.sessions)
    server = TestServer(web_app(runtime, run_dispatcher=False), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
            yield SlackHarness(http, stub, runtime), world
    finally:
        await server.close()
        await stub.close()
