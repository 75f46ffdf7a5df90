"""A local stand-in for the Slack Web API (127.0.0.1, port 0) that records every call.

It answers the methods mentorbot uses the way Slack documents them, keeps the messages
"posted" (with their metadata, for conversations.history) and can be told to fail the
next call to a method (429 with Retry-After, 500) to test retries.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None = None  # the bearer token the call was made with


@dataclass(frozen=True)
class Workspace:
    """A workspace the stub knows a bot token for (auth.test answers with it)."""

    team_id: str
    name: str = "Test"
    enterprise_id: str | None = None
    org_wide: bool = False


@dataclass
class SlackApiStub:
    emails: dict[str, str] = field(default_factory=dict)  # user id -> e-mail
    calls: list[Call] = field(default_factory=list)
    posted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    failures: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]] = field(
        default_factory=dict
    )
    server: TestServer | None = None
    delay: float = 0.0  # seconds each chat.postMessage takes, to catch a dispatcher mid-run
    # OAuth: bot token -> its workspace (others are T1's); install code (or "refresh:" and
    # a refresh token) -> what oauth.v2.access answers
    tokens: dict[str, Workspace] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)  # tokens answered with token_revoked
    homes: dict[str, str] = field(default_factory=dict)  # user id -> the only team finding them
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/"))

    async def start(self) -> SlackApiStub:
        app = web.Application()
        app.router.add_post("/api/{method}", self._handle)
        app.router.add_get("/api/{method}", self._handle)
        self.server = TestServer(app, host="127.0.0.1", port=0)
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    def fail_next(
        self,
        method: str,
        status: int,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.failures.setdefault(method, []).append(
            (status, headers or {}, body or {"ok": False, "error": "internal_error"})
        )

    def called(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def tokens_used(self, method: str) -> list[str | None]:
        return [c.token for c in self.calls if c.method == method]

    async def wait_for(
        self, method: str, count: int = 1, within: float = 5.0
    ) -> list[dict[str, Any]]:
        deadline = asyncio.get_running_loop().time() + within
        while len(self.called(method)) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"{method} called {len(self.called(method))} times, wanted {count}: {[c.method for c in self.calls]}"
                )
            await asyncio.sleep(0.01)
        return self.called(method)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.method == "GET":
            params: dict[str, Any] = dict(request.query)
        elif request.content_type == "application/json":
            params = await request.json()
        else:
            params = {**request.query, **dict(await request.post())}
        for key in ("blocks", "view", "metadata"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        if self.delay and method == "chat.postMessage":
            await asyncio.sleep(self.delay)
        bearer = request.headers.get("Authorization", "")
        token = bearer.removeprefix("Bearer ") if bearer.startswith("Bearer ") else None
        self.calls.append(Call(method, params, token or params.get("token")))
        if token in self.revoked:
            return web.json_response({"ok": False, "error": "token_revoked"})
        if self.failures.get(method):
            status, headers, body = self.failures[method].pop(0)
            return web.json_response(body, status=status, headers=headers)
        return web.json_response(self._answer(method, params, token or params.get("token")))

    def _answer(self, method: str, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method == "auth.test":
            return self._auth_test(token)
        if method == "oauth.v2.access":
            if p.get("grant_type") == "refresh_token":  # token rotation
                code = "refresh:" + str(p.get("refresh_token"))
            else:
                code = str(p.get("code"))
            return self.codes.get(code) or {"ok": False, "error": "invalid_code"}
        if method == "users.info":
            uid = str(p.get("user"))
            if uid not in self.emails:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": {"id": uid, "profile": {"email": self.emails[uid]}}}
        if method == "users.lookupByEmail":
            team = self.tokens.get(token or "", Workspace("T1")).team_id
            for uid, email in self.emails.items():
                if email == p.get("email") and self.homes.get(uid, team) == team:
                    return {"ok": True, "user": {"id": uid}}
            return {"ok": False, "error": "users_not_found"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(p.get("users"))}}
        if method == "chat.postMessage":
            ts = f"{1763000000 + next(self._ts)}.000100"
            channel = str(p.get("channel"))
            self.posted.setdefault(channel, []).insert(
                0, {"ts": ts, "text": p.get("text"), "metadata": p.get("metadata")}
            )
            return {"ok": True, "channel": channel, "ts": ts}
        if method == "conversations.history":
            return {"ok": True, "messages": self.posted.get(str(p.get("channel")), [])}
        return {"ok": True}

    def _auth_test(self, token: str | None) -> dict[str, Any]:
        workspace = self.tokens.get(token or "", Workspace("T1"))
        answer: dict[str, Any] = {
            "ok": True,
            "user_id": "UBOT",
            "bot_id": "BBOT",
            "team_id": workspace.enterprise_id if workspace.org_wide else workspace.team_id,
            "team": workspace.name,
            "url": "https://test.slack.com/",
        }
        if workspace.enterprise_id:
            answer["enterprise_id"] = workspace.enterprise_id
            answer["is_enterprise_install"] = workspace.org_wide
        return answer
