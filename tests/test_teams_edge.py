"""The edge of /api/messages under bad input and failing connectors: what the sender
gets back (never a 5xx), what the person sees, and that nothing is written.

Builds on the anonymous-mode `teams` fixture of tests/test_teams.py.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from storage.models import AuditEntry, PlatformIdentity, ProcessedEvent
from tests.stubs.bf_connector import BrokenService
from tests.teams_harness import TENANT, TeamsHarness, text_of
from tests.test_teams import CHAT, count, teams  # noqa: F401  (the fixture)


async def nothing_written(h: TeamsHarness) -> bool:
    for model in (PlatformIdentity, AuditEntry, ProcessedEvent):
        if await count(h, model):
            return False
    return True


def with_tenant(activity: dict[str, Any], channel: Any, conversation: Any) -> dict[str, Any]:
    activity["channelData"] = {"tenant": {"id": channel}}
    activity["conversation"]["tenantId"] = conversation
    return activity


@pytest.mark.parametrize(
    ("channel", "conversation"),
    [
        ("evil-tenant", "evil-tenant"),
        ("'; drop table person; --", None),
        (None, "x" * 5000),
        (TENANT, "9d7f1e6c-55aa-4c1e-8e43-0f2b7c1d2e3f"),  # the two places disagree
        ({"id": TENANT}, TENANT),
    ],
)
async def test_forged_tenant_ids_are_refused_and_link_nobody(teams, channel, conversation):  # noqa: F811
    h, _w = teams
    added = with_tenant(h.activity("mentor", "conversationUpdate"), channel, conversation)
    added["membersAdded"] = [added["recipient"]]
    for activity in (
        added,
        with_tenant(
            h.activity("mentor", "installationUpdate", action="add"), channel, conversation
        ),
        with_tenant(h.activity("mentor", text="status"), channel, conversation),
    ):
        status, _ = await h.post(activity)
        assert status == 400
    assert await nothing_written(h) and h.stub.calls == []


async def test_a_tenant_id_in_capitals_is_the_same_tenant(teams):  # noqa: F811
    h, _w = teams
    await h.install("mentor")
    shouting = with_tenant(h.activity("mentor", text="help"), TENANT.upper(), TENANT.upper())
    assert (await h.post(shouting))[0] == 200
    assert await count(h, PlatformIdentity) == 1  # not a second identity for the same person


async def test_connector_failures_are_contained(teams, caplog):  # noqa: F811
    h, _w = teams
    await h.install("mentor")
    broken = await BrokenService().start()
    try:
        urls = [broken.url("status/500"), broken.url("status/403"), broken.url("garbage")]
        caplog.set_level(logging.INFO)
        for url in urls:
            typed = "status — please keep this private"
            status, _ = await h.post(h.activity("mentor", text=typed, serviceUrl=url))
            assert status == 200, url
            assert typed not in caplog.text
        # A card value we can't read, and the polite answer can't be sent either.
        status, _ = await h.post(h.activity("mentor", value={"x": 1}, serviceUrl=urls[0]))
        assert status == 200
    finally:
        await broken.close()
    # The connector is back: the person is answered as usual.
    assert await h.say("mentor", "help") == 200
    assert "observe" in text_of(h.last(CHAT["mentor"])[1])


async def test_unusable_service_urls_are_refused(teams):  # noqa: F811
    h, _w = teams
    for url in ("not a url", "ftp://127.0.0.1/", "http://", "http://host:99999/", 42, ""):
        status, _ = await h.post(h.activity("mentor", text="help", serviceUrl=url))
        assert status == 400, url
    assert await nothing_written(h) and h.stub.calls == []


async def test_invokes_are_politely_refused(teams):  # noqa: F811
    h, _w = teams
    execute = {"action": {"type": "Action.Execute", "verb": "weekly.held", "data": {"x": 1}}}
    status, body = await h.post(
        h.activity("mentor", "invoke", name="adaptiveCard/action", value=execute)
    )
    answer = json.loads(body)
    assert status == 200 and answer["statusCode"] == 400
    assert answer["type"] == "application/vnd.microsoft.error"
    assert "couldn't read that" in answer["value"]["message"]
    status, _ = await h.post(h.activity("mentor", "invoke", name="task/fetch", value={}))
    assert status == 400
    assert await nothing_written(h) and h.stub.calls == []


async def test_odd_bodies_are_refused_not_failed(teams):  # noqa: F811
    h, _w = teams
    for body in (
        b"[" * 100_000 + b"]" * 100_000,
        b'{"type": 5}',
        b'{"type": "message", "from": 3}',
    ):
        status, _ = await h.post(body)
        assert status == 400
    status, _ = await h.post(
        h.activity("mentor", "messageReaction", reactionsAdded=[{"type": "like"}])
    )
    assert status == 200
    assert await nothing_written(h) and h.stub.calls == []


async def test_expect_replies_comes_back_in_the_answer(teams):  # noqa: F811
    h, _w = teams
    await h.install("mentor")
    calls = len(h.stub.calls)
    status, body = await h.post(h.activity("mentor", text="help", deliveryMode="expectReplies"))
    assert status == 200
    (reply,) = json.loads(body)["activities"]
    assert "observe" in text_of(reply["attachments"][0]["content"])
    assert len(h.stub.calls) == calls  # buffered into the answer, not sent to the connector
