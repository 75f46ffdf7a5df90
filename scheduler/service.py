"""Running the sweeps and the dispatcher on a timetable (APScheduler), on one leader.

Every instance dispatches (rows are claimed, so none is sent twice); only the leader
sweeps. The timetable is one interval job kept in memory and added again at every start:
everything that must survive a restart is in the database (a "remind me tomorrow" is an
outbox row), and a sweep decides from the database what is due, so the first tick after
downtime catches up on what was missed. (A persistent APScheduler job store would put a
synchronous driver on the event loop: one locked SQLite file froze the bot, and the job
was never run again.)

A timetabled tick can never stop the timetable: each stage is bounded by a timeout, a
failure is logged (types and ids only) and tried again at the next tick, and every tick
leaves a heartbeat in the database for /healthz and `mentorbot status`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import traceback
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception, wait_random

from scheduler.dispatch import Dispatcher, DispatchResult
from scheduler.policy import Policy
from scheduler.retention import RETENTION_HOUR, RETENTION_JOB, run_retention
from scheduler.sweeps import Sweeper, SweepResult
from storage.db import is_busy, transaction
from storage.repo import health
from storage.repo.leader import LeaderLock

log = logging.getLogger(__name__)
TICK_SECONDS = 60.0
TICK_JOB = "mentorbot-tick"
STOP_WAIT = 15.0  # seconds stop() waits for a running tick to finish (then for its cancel)
# Which process swept last: the leader, as far as `mentorbot status` can tell.
INSTANCE = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class Timings:
    """How often the timetable ticks and how long each stage of a tick may take."""

    tick_seconds: float = TICK_SECONDS
    # A steady sweep of 30,000 trainees takes about two seconds; the first one after a long
    # downtime longer. Four minutes keeps a hung sweep inside the five minutes after which
    # the heartbeat is called stale.
    sweep_timeout: float = 240.0
    # No new batch is claimed after this: a Monday's prompts at Slack's rate are sent over
    # a few ticks instead of one tick that never ends. The hard timeout covers a send that
    # hangs; rows it had claimed are due again when their lease runs out.
    # Within the tick's minute, so the next tick (and its sweep) is not skipped; `serve`
    # also dispatches continuously between ticks.
    dispatch_budget: float = 40.0
    dispatch_timeout: float = 55.0
    heartbeat_timeout: float = 15.0


@dataclass(slots=True)
class TickResult:
    leader: bool
    sweep: SweepResult | None
    dispatch: DispatchResult


class SchedulerService:
    def __init__(
        self,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        policy: Policy,
        dispatcher: Dispatcher,
        *,
        database_url: str | None = None,  # no longer needed (no persistent job store)
        clock: Callable[[], datetime] | None = None,
        timings: Timings | None = None,
        wall_clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.sessions = sessions
        self.sweeper = Sweeper(sessions, policy)
        self.policy = policy
        self.dispatcher = dispatcher
        self.leader = LeaderLock(engine)
        self.clock = clock or (lambda: datetime.now(UTC))
        # The heartbeat is real time even when sweeps run on a simulated clock (`tick --at`).
        self.wall_clock = wall_clock or (lambda: datetime.now(UTC))
        self.timings = timings or Timings()
        self.scheduler: AsyncIOScheduler | None = None
        self._ticking: asyncio.Task[Any] | None = None  # the timetabled tick now running
        # Set by a process that dispatches continuously (`serve`): when its loop last
        # finished a pass (event-loop time). The tick then leaves dispatching to that loop
        # (two dispatchers in one process only queue behind one rate limit) and reports
        # its progress in the heartbeat instead.
        self.dispatch_progress: Callable[[], float | None] | None = None
        # What the tick holds back while it runs (`serve`: the drain of parked work).
        self.hold_back: Callable[[], AbstractAsyncContextManager[None]] = _nothing_held

    async def tick(self) -> TickResult:
        """One sweep (if leader) and dispatch until nothing is due; raises what fails."""
        now = self.clock()
        leader = await self.leader.try_acquire()
        sweep = await self.sweeper.run(now) if leader else None
        dispatch = await self.dispatcher.drain()
        return TickResult(leader, sweep, dispatch)

    async def timed_tick(self) -> None:
        """The timetable's tick: bounded, never raises, and leaves a heartbeat."""
        self._ticking = asyncio.current_task()
        # While the tick runs, work that can wait (parked interactions) holds back, so that
        # on SQLite the sweep and the heartbeat are not starved of the one write lock.
        async with self.hold_back():
            await self._tick_stages()

    async def _tick_stages(self) -> None:
        t = self.timings
        failure: health.Failure | None = None
        leader, swept, dispatched = False, False, False
        try:
            leader = await asyncio.wait_for(self.leader.try_acquire(), t.sweep_timeout)
        except Exception as exc:
            failure = _failed("leader", exc)
        if leader:
            try:
                await asyncio.wait_for(self.sweeper.run(self.clock()), t.sweep_timeout)
                swept = True
            except Exception as exc:
                failure = _failed("sweep", exc)
        if self.dispatch_progress is not None:
            dispatched = self._dispatching_elsewhere()
        else:
            try:
                await asyncio.wait_for(self._dispatch_within(t.dispatch_budget), t.dispatch_timeout)
                dispatched = True
            except Exception as exc:
                failure = _failed("dispatch", exc)
        await self._heartbeat(swept=swept, dispatched=dispatched, failure=failure)

    async def timed_retention(self) -> None:
        """The daily retention job: on the leader only, bounded, never raises."""
        try:
            if await asyncio.wait_for(self.leader.try_acquire(), self.timings.sweep_timeout):
                await asyncio.wait_for(
                    run_retention(self.sessions, self.policy, today=self.clock().date()),
                    self.timings.sweep_timeout,
                )
        except Exception as exc:
            log.warning("retention not applied: %s", type(exc).__name__)

    def _dispatching_elsewhere(self) -> bool:
        """The process's own dispatch loop finished a pass within the last two ticks (a
        pass through a long backlog still finishes one batch every few seconds)."""
        assert self.dispatch_progress is not None
        last = self.dispatch_progress()
        now = asyncio.get_running_loop().time()
        return last is not None and now - last <= 2 * self.timings.tick_seconds

    async def _dispatch_within(self, budget: float) -> None:
        """Dispatcher.drain, but claiming no new batch once `budget` seconds are spent."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + budget
        while loop.time() < deadline:
            step = await self.dispatcher.run_once()
            if not step.handled:
                return

    async def _heartbeat(
        self, *, swept: bool, dispatched: bool, failure: health.Failure | None
    ) -> None:
        # One upsert per tick. If it fails (the database is what is failing), the tick
        # still ends normally; the stale heartbeat is what then tells someone.
        try:
            async with asyncio.timeout(self.timings.heartbeat_timeout):
                # SQLite busy past its wait: tried again within the timeout, not given up.
                async for attempt in AsyncRetrying(
                    retry=retry_if_exception(is_busy), wait=wait_random(0.05, 0.5)
                ):
                    with attempt:
                        async with transaction(self.sessions) as session:
                            await health.record(
                                session,
                                now=self.wall_clock(),
                                swept_by=INSTANCE if swept else None,
                                dispatched=dispatched,
                                failure=failure,
                            )
        except Exception as exc:
            log.warning("scheduler heartbeat not recorded: %s", type(exc).__name__)

    def start(self) -> None:
        self.scheduler = AsyncIOScheduler(jobstores={"default": MemoryJobStore()}, timezone=UTC)
        self.scheduler.add_job(
            self.timed_tick,
            "interval",
            seconds=self.timings.tick_seconds,
            id=TICK_JOB,
            replace_existing=True,
            # A tick that overran is not run again for each slot it missed: one is enough.
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.add_job(
            self.timed_retention,
            "cron",
            hour=RETENTION_HOUR,
            id=RETENTION_JOB,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.start()

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        # A tick still running is ended here, before the caller closes the database under it
        # (its claimed rows are due again when their lease runs out; nothing is lost).
        running = self._ticking
        if running is not None and not running.done() and running is not asyncio.current_task():
            # Let it finish (every stage is bounded): cancelling it in the middle of a
            # database call could leave a driver waiting on a connection being closed.
            await asyncio.wait({running}, timeout=STOP_WAIT)
            if not running.done():
                running.cancel()
                await asyncio.wait({running}, timeout=STOP_WAIT)
        await self.leader.release()


@asynccontextmanager
async def _nothing_held() -> AsyncIterator[None]:
    yield


def _failed(stage: str, exc: BaseException) -> health.Failure:
    """Log a failed stage by exception type and where it was raised, never its message:
    a database error can quote the row it refused, names and e-mails included."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else "?"
    log.error(
        "scheduler %s failed: %s at %s; the next tick tries again",
        stage,
        type(exc).__name__,
        where,
    )
    return health.Failure(stage=stage, type_name=type(exc).__name__)
