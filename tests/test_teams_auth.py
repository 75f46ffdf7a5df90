"""Bot Framework authentication on /api/messages, done honestly: an app id is configured,
OpenID metadata and signing keys are served by the local stub, tokens are real RS256 JWTs.

A valid token is accepted and the turn runs; a missing, malformed, expired, forged or
misaddressed one gets 401 and changes nothing; so does any token when the signing keys
cannot be fetched.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from botframework.connector.auth import MicrosoftAppCredentials, ServiceClientCredentialsFactory
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from msrest.authentication import Authentication
from sqlalchemy import func, select

from bot.runtime import build_runtime, mount
from bot.settings import Settings
from bot.teams import setup as teams_setup
from storage.models import AuditEntry, PlatformIdentity, ProcessedEvent
from tests.factories import NOW, build_world
from tests.stubs.bf_connector import ConnectorStub
from tests.teams_harness import TeamsHarness, members, text_of

APP_ID = "6f1c2a9e-0000-4000-8000-00000000a11d"
ISSUER = "https://api.botframework.com"
OUTBOUND_TOKEN = "outbound-token-from-a-test-factory"


class _StaticToken(MicrosoftAppCredentials):
    """The bot's own outbound token, without Azure AD (MSAL needs https to a real tenant)."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        return OUTBOUND_TOKEN


class StaticCredentials(ServiceClientCredentialsFactory):
    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == APP_ID

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Authentication:
        return _StaticToken(app_id, "unused", oauth_scope=oauth_scope)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY = _key()
OTHER_KEY = _key()


def jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {**public, "kid": kid, "use": "sig", "endorsements": ["msteams"]}


@dataclass
class Auth:
    h: TeamsHarness
    stub: ConnectorStub

    def token(self, key: rsa.RSAPrivateKey = SIGNING_KEY, kid: str = "k1", **claims: Any) -> str:
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": APP_ID,
            "serviceurl": self.stub.url,
            "nbf": now - 10,
            "iat": now - 10,
            "exp": now + 3600,
            **claims,
        }
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})

    async def post(self, authorization: str | None, body: bytes | None = None) -> int:
        activity = body or json.dumps(self.h.activity("mentor", text="help")).encode()
        headers = {"Authorization": authorization} if authorization is not None else {}
        status, _ = await self.h.post(activity, headers)
        return status


async def _serve(db_url: str, metadata_url: str | None, stub: ConnectorStub) -> tuple[Any, Any]:
    runtime = await build_runtime(Settings(DATABASE_URL=db_url), clock=lambda: NOW)
    await build_world(runtime.sessions, platform="teams")
    settings = Settings(MicrosoftAppId=APP_ID, MicrosoftAppPassword="not-used", DATABASE_URL=db_url)
    edge = teams_setup.build(
        runtime.intake,
        settings,
        config=teams_setup.config_from(settings, openid_metadata_url=metadata_url),
        credentials=StaticCredentials(),
    )
    app = web.Application()
    mount(app, edge)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    return runtime, server


@pytest.fixture
async def auth(db_url: str) -> AsyncIterator[Auth]:
    stub = await ConnectorStub(members=members()).start()
    stub.jwks = {"keys": [jwk(SIGNING_KEY, "k1")]}
    runtime, server = await _serve(db_url, stub.openid_url, stub)
    async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
        yield Auth(TeamsHarness(http, stub, runtime), stub)
    await server.close()
    await runtime.engine.dispose()
    await stub.close()


async def nothing_changed(a: Auth) -> bool:
    async with a.h.runtime.sessions() as s:
        for model in (AuditEntry, PlatformIdentity, ProcessedEvent):
            if (await s.execute(select(func.count()).select_from(model))).scalar_one():
                return False
    return not [c for c in a.stub.calls if c.kind != "member"] and not a.stub.called("member")


async def test_valid_token_is_accepted_and_the_turn_runs(auth: Auth):
    assert await auth.post(f"Bearer {auth.token()}") == 200
    _, card = auth.h.last(auth.h.activity("mentor")["conversation"]["id"])
    assert "observe" in text_of(card)
    reply = auth.stub.called("reply")[-1]
    assert reply.headers["Authorization"] == f"Bearer {OUTBOUND_TOKEN}"
    assert auth.stub.metadata_requests == 1


MALFORMED = [
    None,
    "",
    "Bearer",
    "Bearer ",
    "Bearer not-a-jwt",
    "Bearer a.b.c",
    "Basic dXNlcjpwYXNz",
    "Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0.",
]


async def test_missing_or_malformed_token_gets_401(auth: Auth):
    for header in MALFORMED:
        assert await auth.post(header) == 401, header
    assert await nothing_changed(auth)


BAD_TOKENS: dict[str, Any] = {
    "forged (the right kid, another key)": lambda a: a.token(key=OTHER_KEY),
    "unknown kid": lambda a: a.token(key=OTHER_KEY, kid="unknown"),
    "expired": lambda a: a.token(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
    "for another bot": lambda a: a.token(aud="some-other-bot"),
    "another issuer": lambda a: a.token(iss="https://sts.windows.net/evil/"),
    "another service URL": lambda a: a.token(serviceurl="https://attacker.example/"),
}


async def test_bad_tokens_get_401_and_change_nothing(auth: Auth):
    for name, make in BAD_TOKENS.items():
        assert await auth.post(f"Bearer {make(auth)}") == 401, name
    assert await nothing_changed(auth)
    # and a good one still works afterwards
    assert await auth.post(f"Bearer {auth.token()}") == 200


async def test_a_token_that_checked_out_is_taken_again_only_where_it_was_for(auth: Auth):
    # The Bot Framework sends one token with many activities: the second is not checked
    # again (kept), but the same token on an activity for another service URL still is.
    header = f"Bearer {auth.token()}"
    assert await auth.post(header) == 200
    assert await auth.post(header) == 200
    assert len(auth.stub.called("reply")) == 2
    elsewhere = auth.h.activity("mentor", text="help", serviceUrl="https://attacker.example/")
    assert await auth.post(header, json.dumps(elsewhere).encode()) == 401
    assert len(auth.stub.called("reply")) == 2


async def test_malformed_body_with_no_token_is_401_not_400(auth: Auth):
    assert await auth.post(None, b"{not json") == 401
    assert await auth.post(f"Bearer {auth.token()}", b"{not json") == 400


async def test_signing_keys_unreachable_means_401(db_url: str):
    stub = await ConnectorStub(members=members()).start()
    closed = await ConnectorStub().start()
    unreachable = closed.openid_url
    await closed.close()  # nothing listens there any more
    runtime, server = await _serve(db_url, unreachable, stub)
    try:
        async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
            a = Auth(TeamsHarness(http, stub, runtime), stub)
            assert await a.post(f"Bearer {a.token()}") == 401
            assert await nothing_changed(a)
    finally:
        await server.close()
        await runtime.engine.dispose()
        await stub.close()


async def _timed(a: Auth, token: str) -> tuple[int, float]:
    start = time.perf_counter()
    status = await a.post(f"Bearer {token}")
    return status, time.perf_counter() - start


async def test_hanging_metadata_means_a_quick_401_and_no_stuck_threads(auth: Auth):
    auth.stub.hang_metadata()  # the endpoint accepts the connection, never answers
    for _ in range(20):
        status, seconds = await _timed(auth, auth.token(key=OTHER_KEY))
        assert (status, seconds < 5) == (401, True), seconds
    # Many at once too: each is refused in time, none waits behind another for good.
    together = await asyncio.gather(*(_timed(auth, auth.token(key=OTHER_KEY)) for _ in range(20)))
    assert all(status == 401 and seconds < 5 for status, seconds in together), together
    assert await nothing_changed(auth)

    # The endpoint answers again: valid tokens get in, promptly, as many as the checking
    # threads (a thread still stuck on the old fetch would make one of them wait).
    auth.stub.hang_metadata(False)
    deadline = time.monotonic() + 10
    while await auth.post(f"Bearer {auth.token()}") != 200:
        assert time.monotonic() < deadline, "valid tokens still refused"
        await asyncio.sleep(0.2)
    after = await asyncio.gather(*(_timed(auth, auth.token()) for _ in range(4)))
    assert all(status == 200 and seconds < 2 for status, seconds in after), after
