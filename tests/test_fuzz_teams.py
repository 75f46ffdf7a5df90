"""Fuzzing POST /api/messages: whatever arrives, the answer is never a 5xx, and what is
not a readable activity from Teams changes nothing.

Cases (tests/teams_fuzz.py) go over HTTP to the real aiohttp app in anonymous (emulator)
mode, and some with bearer tokens to an app with an app id whose OpenID metadata is
served locally. `bench/fuzz_teams.py` runs the same cases for longer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings

from tests.teams_fuzz import Case, Fuzz, cases, running, token_cases

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
async def anonymous(db_url: str) -> AsyncIterator[Fuzz]:
    async with running(db_url) as fuzz:
        yield fuzz


@pytest.fixture
async def authenticated(db_url: str) -> AsyncIterator[Fuzz]:
    async with running(db_url, authenticated=True) as fuzz:
        yield fuzz


@settings(FUZZ, max_examples=150)
@given(case=cases())
async def test_no_request_gets_a_5xx_and_bad_input_writes_nothing(anonymous: Fuzz, case: Case):
    await anonymous.check(case)


@settings(FUZZ, max_examples=50)
@given(case=token_cases())
async def test_with_tokens_no_5xx_and_only_a_valid_token_gets_in(authenticated: Fuzz, case: Case):
    status = await authenticated.check(case)
    if case.token != "valid":
        # Refused: 401, or a body refused unread (too large, not JSON) before the token.
        assert status in (401, 413, 415), case.reproducer(authenticated.urls)
