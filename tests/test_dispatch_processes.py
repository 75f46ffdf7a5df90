"""The dispatcher as real processes: killed with SIGKILL mid-run, and two at once on one
PostgreSQL database. Each notification must reach Slack exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from handlers.codec import message_to_dict
from handlers.ui import Message, Section
from storage.db import session_factory
from storage.models import OutboxMessage, Person, PlatformIdentity
from tests.stubs.slack_api import SlackApiStub

SUNDAY = "2026-11-22T12:00:00+00:00"  # nothing new is due: only the queued rows go out
LATER = "2026-11-22T12:05:00+00:00"  # after the two-minute claim lease
MENTORBOT = str(Path(sys.executable).with_name("mentorbot"))


async def queue_rows(engine, count: int) -> None:
    sessions = session_factory(engine)
    async with sessions() as s, s.begin():
        people = [Person(email=f"p{i}@example.org", full_name=f"Person {i}") for i in range(count)]
        s.add_all(people)
        await s.flush()
        s.add_all(
            PlatformIdentity(
                person_id=p.id,
                platform="slack",
                workspace_id="T1",
                external_id=f"U{i}",
                conversation_reference={"channel": f"DU{i}"},
            )
            for i, p in enumerate(people)
        )
        payload = message_to_dict(Message("Weekly digest", (Section("Weekly digest"),)))
        s.add_all(
            OutboxMessage(
                key=f"digest:{p.id}:2026-11-16",
                kind="digest",
                recipient_id=p.id,
                payload=payload,
                next_attempt_at=datetime(2026, 11, 22, tzinfo=UTC),
            )
            for p in people
        )


def env(db_url: str, stub: SlackApiStub) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": stub.url,
        "MENTORBOT_SLACK_RATE": "2000",
    }


async def tick(db_url: str, stub: SlackApiStub, at: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        MENTORBOT,
        "tick",
        "--at",
        at,
        env=env(db_url, stub),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def delivered(stub: SlackApiStub) -> Counter[str]:
    return Counter(c["metadata"]["event_payload"]["key"] for c in stub.called("chat.postMessage"))


async def statuses(engine) -> dict[str, int]:
    sessions = session_factory(engine)
    async with sessions() as s:
        rows = (
            await s.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
        ).all()
    return dict(rows)


async def test_kill_9_mid_dispatch_loses_nothing_and_sends_nothing_twice(engine, db_url):
    stub = await SlackApiStub(delay=0.004).start()
    try:
        await queue_rows(engine, 600)
        first = await tick(db_url, stub, SUNDAY)
        while len(stub.called("chat.postMessage")) < 120:
            if first.returncode is not None:
                pytest.fail("the dispatcher finished before it could be killed")
            await asyncio.sleep(0.005)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        assert first.returncode == -signal.SIGKILL
        before = sum(delivered(stub).values())
        assert 0 < before < 600
        second = await tick(db_url, stub, LATER)
        _out, err = await second.communicate()
        assert second.returncode == 0, err.decode()
        counts = delivered(stub)
        assert len(counts) == 600  # nothing lost
        assert max(counts.values()) == 1  # and, for Slack, nothing twice
        assert await statuses(engine) == {"sent": 600}
    finally:
        await stub.close()


@pytest.mark.postgres
async def test_two_dispatchers_on_postgres_send_each_message_once(engine, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("two processes sharing a database is the PostgreSQL deployment")
    # Slow enough that the second process, started a moment later, still finds rows to
    # claim on a busy machine (each process sends one at a time).
    stub = await SlackApiStub(delay=0.01).start()
    try:
        await queue_rows(engine, 400)
        one, two = await tick(db_url, stub, SUNDAY), await tick(db_url, stub, SUNDAY)
        results = await asyncio.gather(one.communicate(), two.communicate())
        assert one.returncode == 0 and two.returncode == 0, [r[1].decode() for r in results]
        outputs = sorted(r[0].decode().split(":")[0] for r in results)
        assert outputs == ["leader", "standby"] or outputs == ["leader", "leader"]
        counts = delivered(stub)
        assert len(counts) == 400 and max(counts.values()) == 1
        sent = [int(r[0].decode().split("sent ")[1].split(",")[0]) for r in results]
        assert sum(sent) == 400 and min(sent) > 0  # both really dispatched
        assert await statuses(engine) == {"sent": 400}
    finally:
        await stub.close()


@pytest.mark.postgres
async def test_standby_takes_over_when_the_leader_goes(engine, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("leader election is for instances sharing PostgreSQL")
    from storage.db import make_engine
    from storage.repo.leader import LeaderLock

    other = make_engine(db_url)
    leader, standby = LeaderLock(engine), LeaderLock(other)
    try:
        assert await leader.try_acquire()
        assert not await standby.try_acquire()
        assert await leader.try_acquire()  # still the leader on the next tick
        await leader.connection.invalidate()  # the leader's process dies: its session ends
        leader.connection = None
        assert await standby.try_acquire()
    finally:
        await standby.release()
        await other.dispose()
