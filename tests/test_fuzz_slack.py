"""Whatever anyone sends to POST /slack/events, signed or not, well-formed or not, it is
never answered with a 5xx; a refusal (4xx) writes nothing; no identity is ever stored
for a workspace other than the one the bot's token belongs to.

Hypothesis drives the real aiohttp app over HTTP (tests/slack_fuzz.py); bench/fuzz_slack.py
runs the same requests in the thousands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.slack_fuzz import FuzzTarget, requests, serving

EXAMPLES = 1000  # about 7 s on two idle cores


@pytest.fixture
def target(sqlite_url: str) -> Iterator[tuple[asyncio.AbstractEventLoop, FuzzTarget]]:
    """One app for all examples (starting one per example would take most of the time);
    each example compares the database before and after its own request."""
    loop = asyncio.new_event_loop()
    app = serving(sqlite_url)
    running = loop.run_until_complete(app.__aenter__())
    yield loop, running
    loop.run_until_complete(app.__aexit__(None, None, None))
    loop.close()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_request_gets_an_answer_below_500_and_a_refusal_writes_nothing(target, data):
    loop, app = target
    request = data.draw(requests(app.placement_id))
    outcome = loop.run_until_complete(app.check(request))
    assert outcome.status < 500, request.reproducer()
    if 400 <= outcome.status < 500:
        assert not outcome.wrote, request.reproducer()
    assert not outcome.foreign_workspaces, request.reproducer()
