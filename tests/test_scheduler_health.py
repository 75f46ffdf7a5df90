"""The scheduler never dies silently: a locked database, a failing or hanging sweep and a
stale heartbeat are survived, logged, and shown on /healthz and by `mentorbot status`."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.runtime import build_runtime, web_app
from bot.settings import Settings
from scheduler.dispatch import Dispatcher
from scheduler.policy import Policy
from scheduler.service import SchedulerService, Timings
from storage.db import make_engine, session_factory, transaction
from storage.models import OutboxMessage
from storage.repo import health
from tests.factories import build_world
from tests.scheduler_harness import Clock, SchedulerHarness, add_calendar, at, set_itt_channel
from tests.slack_harness import USERS
from tests.stubs.slack_api import SlackApiStub

MONDAY_MORNING = at(date(2026, 11, 9), 9)  # the weekly prompts are due: a sweep must write
FAST = Timings(tick_seconds=0.3, sweep_timeout=1.0, dispatch_budget=2.0, dispatch_timeout=5.0)
# Another process takes SQLite's write lock and keeps it longer than the busy timeout (5 s).
HOLD_WRITE_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.rollback()
"""


@pytest.fixture
async def sched(db_url: str) -> AsyncIterator[SchedulerHarness]:
    stub = await SlackApiStub(emails=dict(USERS)).start()
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    world = await build_world(sessions)
    await add_calendar(sessions, world.programme_id)
    await set_itt_channel(sessions)
    h = SchedulerHarness(engine, sessions, stub, Clock(MONDAY_MORNING))
    h.build(db_url).timings = FAST
    yield h
    assert h.service is not None
    await h.service.stop()
    await stub.close()
    await engine.dispose()


async def heartbeat(h: SchedulerHarness) -> health.Heartbeat:
    async with h.sessions() as s:
        return await health.read(s)


async def wait_for(check: Callable[[], Awaitable[bool]], seconds: float) -> float:
    """Poll until `check` holds; returns how long it took."""
    began = time.monotonic()
    while not await check():
        assert time.monotonic() - began < seconds, "timed out"
        await asyncio.sleep(0.05)
    return time.monotonic() - began


class LoopLag:
    """The longest the event loop was away while this ran (a Slack ack has 3 seconds)."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.02)
            self.worst = max(self.worst, time.monotonic() - before - 0.02)

    async def stop(self) -> float:
        self.task.cancel()
        return self.worst


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_locked_database_neither_freezes_the_bot_nor_stops_the_timetable(sched, db_url):
    h = sched
    path = make_url(db_url).database
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLD_WRITE_LOCK, str(path), "6", stdout=asyncio.subprocess.PIPE
    )
    assert holder.stdout is not None and await holder.stdout.readline() == b"locked\n"
    lag = LoopLag()
    assert h.service is not None
    h.service.timings = Timings(tick_seconds=0.3)  # time enough to meet the busy timeout
    h.service.start()
    await holder.wait()
    released = datetime.now(UTC)

    async def swept_since_release() -> bool:
        beat = await heartbeat(h)
        return beat.last_sweep_at is not None and beat.last_sweep_at > released

    recovered_in = await wait_for(swept_since_release, 10)
    worst = await lag.stop()
    beat = await heartbeat(h)
    print(f"loop lag {worst:.3f} s; next good tick {recovered_in:.2f} s after release")
    assert worst < 0.5  # the bot kept answering while the sweep waited for the lock
    assert (beat.last_failure_stage, beat.last_failure_type) == ("sweep", "OperationalError")
    await wait_for(lambda: mentor_prompted(h), 5)  # and what was due went out after all


async def test_a_failing_sweep_is_logged_without_personal_data_and_tried_again(
    sched, monkeypatch, caplog
):
    h = sched
    assert h.service is not None
    real_run = h.service.sweeper.run
    calls = 0

    async def fails_once(now: datetime):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("cannot plan for mo.mentor@example.org")
        return await real_run(now)

    monkeypatch.setattr(h.service.sweeper, "run", fails_once)
    caplog.set_level(logging.INFO)
    h.service.start()
    await wait_for(lambda: swept_and_sent(h), 5)
    beat = await heartbeat(h)
    assert calls >= 2
    assert (beat.last_failure_stage, beat.last_failure_type) == ("sweep", "RuntimeError")
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("scheduler"))
    assert "scheduler sweep failed: RuntimeError" in ours
    assert "mo.mentor" not in ours


async def test_a_hanging_sweep_times_out_and_the_next_tick_runs(sched, caplog):
    h = sched
    assert h.service is not None
    real_run = h.service.sweeper.run
    calls = 0

    async def hangs_once(now: datetime):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 1:
            await asyncio.Event().wait()  # a query that never comes back
        return await real_run(now)

    h.service.sweeper.run = hangs_once  # type: ignore[method-assign]
    h.service.start()
    # The sweep's heartbeat is written before the tick dispatches: wait for both.
    await wait_for(lambda: swept_and_sent(h), 5)
    assert calls >= 2
    assert (await heartbeat(h)).last_failure_type == "TimeoutError"
    assert "scheduler sweep failed: TimeoutError" in caplog.text


async def swept(h: SchedulerHarness) -> bool:
    return (await heartbeat(h)).last_sweep_at is not None


async def swept_and_sent(h: SchedulerHarness) -> bool:
    return await swept(h) and await mentor_prompted(h)


async def mentor_prompted(h: SchedulerHarness) -> bool:
    return any("Did your weekly development meeting" in p["text"] for p in h.posted_to("DUMENTOR"))


@pytest.fixture
async def web(db_url: str) -> AsyncIterator[tuple[aiohttp.ClientSession, Clock, Settings]]:
    """The web server alone (no scheduler in it), on a clock the test can move on."""
    settings = Settings(DATABASE_URL=db_url)
    runtime = await build_runtime(settings)
    clock = Clock(datetime.now(UTC))
    server = TestServer(web_app(runtime, run_dispatcher=False, clock=clock), host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
        yield http, clock, settings
    await server.close()


async def healthz(http: aiohttp.ClientSession) -> tuple[int, dict]:  # type: ignore[type-arg]
    async with http.get("/healthz") as response:
        return response.status, await response.json()


async def test_healthz_shows_the_workers_heartbeat_and_fails_when_it_is_stale(web, db_url):
    http, clock, _settings = web
    status, body = await healthz(http)
    assert (status, body["status"], body["last_sweep"]) == (200, "ok", None)  # just started
    # A worker elsewhere ticks once; this web process sees its heartbeat in the database.
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    worker = SchedulerService(engine, sessions, Policy(), Dispatcher(sessions, {}))
    await worker.timed_tick()
    status, body = await healthz(http)
    assert status == 200 and body["status"] == "ok"
    assert body["last_sweep"] and body["last_dispatch"]
    clock.advance(minutes=6)  # then nothing for six minutes
    status, body = await healthz(http)
    assert (status, body["status"], body["stale"]) == (503, "stale", ["sweep", "dispatch"])
    clock.set(datetime.now(UTC))
    await worker.timed_tick()  # the worker is back
    assert (await healthz(http))[0] == 200
    await worker.stop()
    await engine.dispose()


async def test_healthz_gives_a_new_process_time_to_tick_but_not_forever(web):
    http, clock, _settings = web
    clock.advance(minutes=4)
    assert (await healthz(http))[0] == 200
    clock.advance(minutes=2)  # up six minutes and nothing has ever ticked
    status, body = await healthz(http)
    assert status == 503 and body["last_sweep"] is None


def status_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> tuple[int, str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr(sys, "argv", ["mentorbot", "status"])
    with pytest.raises(SystemExit) as exited:
        main()
    code = exited.value.code
    return (code if isinstance(code, int) else 0), capsys.readouterr().out


def test_status_shows_the_heartbeat_and_exits_non_zero_when_stale(
    db_url, monkeypatch, capsys, tmp_path: Path
):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("MENTORBOT_TIMEZONE", "UTC")
    ten_minutes_ago = datetime.now(UTC) - timedelta(minutes=10)

    async def beat(now: datetime, failure: health.Failure | None = None) -> None:
        engine = make_engine(db_url)
        async with transaction(session_factory(engine)) as s:
            await health.record(s, now=now, swept_by="worker-1:42", dispatched=True)
            if failure is not None:
                await health.record(s, now=now, failure=failure)
            s.add(OutboxMessage(key=f"k{now.timestamp()}", kind="digest", status="dead"))
        await engine.dispose()

    asyncio.run(beat(ten_minutes_ago, health.Failure("dispatch", "TimeoutError")))
    code, out = status_cli(monkeypatch, capsys, db_url)
    assert code == 1 and "STALE" in out
    assert f"{ten_minutes_ago:%Y-%m-%d %H:%M:%S}" in out and "10 min ago" in out
    assert "dispatch (TimeoutError)" in out and "1 dead-lettered" in out and "worker-1:42" in out

    asyncio.run(beat(datetime.now(UTC)))
    code, out = status_cli(monkeypatch, capsys, db_url)
    assert code == 0 and "STALE" not in out and "under a minute ago" in out
    assert "2 dead-lettered" in out


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_busy_dispatch_loop_keeps_the_heartbeat_fresh_without_the_tick_dispatching(
    sched: SchedulerHarness,
) -> None:
    """In `serve` the dispatch loop sends; the tick reports its progress instead of queuing
    behind the same rate limit (under a backlog that made every tick's dispatch time out)."""
    h = sched
    assert h.service is not None
    loop = asyncio.get_running_loop()
    progress: list[float | None] = [None]
    h.service.dispatch_progress = lambda: progress[0]

    async def must_not_dispatch(*args: object, **kwargs: object) -> None:
        raise AssertionError("the tick dispatched beside the loop")

    h.service._dispatch_within = must_not_dispatch  # type: ignore[method-assign]
    await h.service.timed_tick()
    beat = await heartbeat(h)
    assert beat.last_sweep_at is not None and beat.last_dispatch_at is None  # no pass yet
    progress[0] = loop.time()  # the loop finished a batch just now
    await h.service.timed_tick()
    beat = await heartbeat(h)
    assert beat.last_dispatch_at is not None and beat.last_failure_at is None
