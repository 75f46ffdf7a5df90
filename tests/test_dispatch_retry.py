"""Retry timing (#17): a passing 5xx is sent again within a second; a row that keeps
failing waits the long backoff; a 429 waits its Retry-After. Nothing is sent twice."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from sqlalchemy import select

from bot.slack.output import SlackOutput
from bot.slack.setup import web_client
from bot.slack.tokens import SingleWorkspace
from scheduler.dispatch import Dispatcher
from storage.db import session_factory
from storage.models import OutboxMessage
from tests.stubs.slack_api import SlackApiStub
from tests.test_dispatch_processes import queue_rows


def dispatcher(engine, stub: SlackApiStub) -> Dispatcher:  # type: ignore[no-untyped-def]
    output = SlackOutput(SingleWorkspace(web_client("xoxb-test", stub.url)))
    return Dispatcher(session_factory(engine), {"slack": output})


async def the_row(engine) -> OutboxMessage:  # type: ignore[no-untyped-def]
    async with session_factory(engine)() as s:
        return (await s.execute(select(OutboxMessage))).scalar_one()


async def test_a_500_is_sent_again_within_a_second_and_only_once(engine):
    stub = await SlackApiStub().start()
    try:
        await queue_rows(engine, 1)
        stub.fail_next("chat.postMessage", 500)
        sending = dispatcher(engine, stub)
        began = time.monotonic()
        first = await sending.run_once()
        assert (first.sent, first.retried) == (0, 1)  # tried, failed, due again soon
        while (await the_row(engine)).status != "sent":
            assert time.monotonic() - began < 1.5, "not sent again within a second"
            await sending.run_once()
            await asyncio.sleep(0.05)
        # Tried twice (the 500, then the send that arrived), after asking whether the
        # first had arrived after all.
        assert len(stub.called("chat.postMessage")) == 2
        assert stub.called("conversations.history")
    finally:
        await stub.close()


async def test_a_row_that_keeps_failing_waits_the_backoff(engine):
    stub = await SlackApiStub().start()
    try:
        await queue_rows(engine, 1)
        for status in (500, 503, 502, 500):
            stub.fail_next("chat.postMessage", status)
        sending = dispatcher(engine, stub)
        for _soon in range(3):  # the first three failures: due again within half a second
            assert (await sending.run_once()).retried == 1
            assert await waits_from(engine, datetime.now(UTC)) <= 0.5
            await asyncio.sleep(await waits_from(engine, datetime.now(UTC)) + 0.05)
        before = datetime.now(UTC)
        assert (await sending.run_once()).retried == 1  # the fourth: the long backoff
        assert 16.0 <= await waits_from(engine, before) <= 17.5
        assert len(stub.called("chat.postMessage")) == 4
    finally:
        await stub.close()


async def test_a_429_waits_its_retry_after(engine):
    stub = await SlackApiStub().start()
    try:
        await queue_rows(engine, 1)
        stub.fail_next(
            "chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "20"}
        )
        before = datetime.now(UTC)
        assert (await dispatcher(engine, stub).run_once()).retried == 1
        assert 19.5 <= await waits_from(engine, before) <= 20.5
        assert (await the_row(engine)).attempts == 0  # "not now" is no failed attempt
    finally:
        await stub.close()


async def waits_from(engine, moment: datetime) -> float:  # type: ignore[no-untyped-def]
    """Seconds from `moment` until the row is due again."""
    due = (await the_row(engine)).next_attempt_at
    return (due.replace(tzinfo=UTC) - moment).total_seconds()
