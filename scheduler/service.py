"""Running the sweeps and the dispatcher on a timetable (APScheduler), on one leader.

Every instance dispatches (rows are claimed, so none is sent twice); only the leader
sweeps. APScheduler keeps its jobs in the same database (a persistent job store), so a
one-off job survives a restart, and a tick missed while the bot was down runs once when
it starts again (coalesced), not once per missed slot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from scheduler.dispatch import Dispatcher, DispatchResult
from scheduler.policy import Policy
from scheduler.sweeps import Sweeper, SweepResult
from storage.db import sync_url
from storage.repo.leader import LeaderLock

log = logging.getLogger(__name__)
TICK_SECONDS = 60
JOBS_TABLE = "apscheduler_jobs"

# APScheduler stores jobs by reference to a module-level function; the running service
# registers itself here so the stored job can find it after a restart.
_current: SchedulerService | None = None


async def run_tick() -> None:
    if _current is not None:
        await _current.tick()


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
        database_url: str,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.sweeper = Sweeper(sessions, policy)
        self.dispatcher = dispatcher
        self.leader = LeaderLock(engine)
        self.database_url = database_url
        self.clock = clock or (lambda: datetime.now(UTC))
        self.scheduler: AsyncIOScheduler | None = None

    async def tick(self) -> TickResult:
        now = self.clock()
        leader = await self.leader.try_acquire()
        sweep = await self.sweeper.run(now) if leader else None
        dispatch = await self.dispatcher.drain()
        return TickResult(leader, sweep, dispatch)

    def start(self) -> None:
        global _current
        _current = self
        store = SQLAlchemyJobStore(
            url=sync_url(self.database_url).render_as_string(False), tablename=JOBS_TABLE
        )
        self.scheduler = AsyncIOScheduler(jobstores={"default": store}, timezone=UTC)
        self.scheduler.add_job(
            run_tick,
            "interval",
            seconds=TICK_SECONDS,
            id="mentorbot-tick",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.start()

    async def stop(self) -> None:
        global _current
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        await self.leader.release()
        _current = None
