"""A local stand-in for the Bot Framework connector (127.0.0.1, port 0) that records calls.

It answers /v3/conversations the way the real connector does (new activity ids, a new
thread id when a conversation is created in a channel), serves the member lookups
TeamsInfo makes, and can be told to fail the next call of a kind (429 with Retry-After,
500). It also serves OpenID metadata and a JWKS, for the token checks.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Call:
    kind: str  # create, send, reply, update, member
    conversation_id: str
    activity_id: str | None
    body: dict[str, Any]
    headers: dict[str, str]
    result_id: str | None = None  # the activity id the stub answered with


@dataclass
class Member:
    id: str
    aad_object_id: str
    name: str
    email: str


@dataclass
class ConnectorStub:
    members: list[Member] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    # The latest content of each activity the bot sent or updated, by activity id.
    activities: dict[str, dict[str, Any]] = field(default_factory=dict)
    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    metadata_requests: int = 0
    # Cleared (hang_metadata), requests for the OpenID metadata are not answered until it
    # is set again.
    metadata_answers: asyncio.Event = field(default_factory=asyncio.Event)
    server: TestServer | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/"))

    @property
    def openid_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/v1/.well-known/openidconfiguration"))

    def hang_metadata(self, hang: bool = True) -> None:
        if hang:
            self.metadata_answers.clear()
        else:
            self.metadata_answers.set()

    async def start(self) -> ConnectorStub:
        self.metadata_answers.set()
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._reply)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        app.router.add_get("/v1/.well-known/openidconfiguration", self._openid)
        app.router.add_get("/v1/keys", self._keys)
        self.server = TestServer(app, host="127.0.0.1", port=0)
        await self.server.start_server()
        return self

    async def close(self) -> None:
        self.metadata_answers.set()  # hanging requests end, so the server can stop at once
        if self.server is not None:
            await self.server.close()

    def fail_next(self, kind: str, status: int, headers: dict[str, str] | None = None) -> None:
        self.failures.setdefault(kind, []).append((status, headers or {}))

    def called(self, kind: str) -> list[Call]:
        return [c for c in self.calls if c.kind == kind]

    def to(self, conversation_id: str, *kinds: str) -> list[Call]:
        kinds = kinds or ("send", "reply")
        return [c for c in self.calls if c.conversation_id == conversation_id and c.kind in kinds]

    async def wait_for(self, kind: str, count: int = 1, within: float = 5.0) -> list[Call]:
        deadline = asyncio.get_running_loop().time() + within
        while len(self.called(kind)) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"{kind} called {len(self.called(kind))} times, wanted {count}"
                )
            await asyncio.sleep(0.01)
        return self.called(kind)

    def _new_id(self) -> str:
        return f"1763{next(self._ids):09d}"

    async def _record(
        self, request: web.Request, kind: str, cid: str, aid: str | None
    ) -> tuple[dict[str, Any], web.Response | None]:
        body = await request.json() if request.can_read_body else {}
        self.calls.append(Call(kind, cid, aid, body, dict(request.headers)))
        if self.failures.get(kind):
            status, headers = self.failures[kind].pop(0)
            error = {"error": {"code": "ServiceError", "message": f"injected {status}"}}
            return body, web.json_response(error, status=status, headers=headers)
        return body, None

    async def _create(self, request: web.Request) -> web.Response:
        body, failed = await self._record(request, "create", "", None)
        if failed:
            return failed
        aid = self._new_id()
        channel = ((body.get("channelData") or {}).get("channel") or {}).get("id")
        cid = f"{channel};messageid={aid}" if channel else f"a:created-{aid}"
        if body.get("activity"):
            self.activities[aid] = body["activity"]
        self.calls[-1].result_id = aid
        return web.json_response({"id": cid, "activityId": aid}, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        body, failed = await self._record(request, "send", cid, None)
        if failed:
            return failed
        aid = self._new_id()
        self.activities[aid] = body
        self.calls[-1].result_id = aid
        return web.json_response({"id": aid}, status=201)

    async def _reply(self, request: web.Request) -> web.Response:
        cid, to = request.match_info["cid"], request.match_info["aid"]
        body, failed = await self._record(request, "reply", cid, to)
        if failed:
            return failed
        aid = self._new_id()
        self.activities[aid] = body
        self.calls[-1].result_id = aid
        return web.json_response({"id": aid}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        cid, aid = request.match_info["cid"], request.match_info["aid"]
        body, failed = await self._record(request, "update", cid, aid)
        if failed:
            return failed
        self.activities[aid] = body
        self.calls[-1].result_id = aid
        return web.json_response({"id": aid})

    async def _member(self, request: web.Request) -> web.Response:
        cid, mid = request.match_info["cid"], request.match_info["mid"]
        _body, failed = await self._record(request, "member", cid, mid)
        if failed:
            return failed
        for m in self.members:
            if mid in (m.id, m.aad_object_id):
                return web.json_response(
                    {
                        "id": m.id,
                        "name": m.name,
                        "aadObjectId": m.aad_object_id,
                        "email": m.email,
                        "userPrincipalName": m.email,
                        "tenantId": "tenant-1",
                        "userRole": "user",
                    }
                )
        error = {"error": {"code": "MemberNotFoundInConversation", "message": "not found"}}
        return web.json_response(error, status=404)

    async def _openid(self, request: web.Request) -> web.Response:
        self.metadata_requests += 1
        await self.metadata_answers.wait()
        return web.json_response(
            {
                "issuer": "https://api.botframework.com",
                "jwks_uri": str(request.url.with_path("/v1/keys")),
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _keys(self, _request: web.Request) -> web.Response:
        return web.json_response(self.jwks)


@dataclass
class BrokenService:
    """A misbehaving server on 127.0.0.1 (port 0), for service URLs and OpenID metadata
    that fail: every path under

      /status/{code}/…  answers that status with a JSON error body,
      /garbage/…        answers 200 with a body that is not JSON,
      /empty/…          answers 200 with an empty body,
      /hang/…           never answers (until the server closes).
    """

    server: TestServer | None = None
    requests: int = 0
    _closing: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, mode: str) -> str:
        assert self.server is not None
        return str(self.server.make_url(f"/{mode}/"))

    async def start(self) -> BrokenService:
        app = web.Application()
        app.router.add_route("*", "/status/{code:\\d+}/{tail:.*}", self._status)
        app.router.add_route("*", "/garbage/{tail:.*}", self._garbage)
        app.router.add_route("*", "/empty/{tail:.*}", self._empty)
        app.router.add_route("*", "/hang/{tail:.*}", self._hang)
        self.server = TestServer(app, host="127.0.0.1", port=0)
        await self.server.start_server()
        return self

    async def close(self) -> None:
        self._closing.set()  # hanging requests end, so the server can stop at once
        if self.server is not None:
            await self.server.close()

    async def _status(self, request: web.Request) -> web.Response:
        self.requests += 1
        code = int(request.match_info["code"])
        error = {"error": {"code": "ServiceError", "message": f"broken {code}"}}
        return web.json_response(error, status=code)

    async def _garbage(self, _request: web.Request) -> web.Response:
        self.requests += 1
        return web.Response(body=b"\xff<html>not json{", content_type="application/json")

    async def _empty(self, _request: web.Request) -> web.Response:
        self.requests += 1
        return web.Response(status=200)

    async def _hang(self, _request: web.Request) -> web.Response:
        self.requests += 1
        await self._closing.wait()
        return web.Response(status=503)
