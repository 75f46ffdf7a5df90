"""A partnership on a controllable clock, with the real sweeps and dispatcher sending to the
local Slack Web API stub."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.slack.output import SlackOutput
from bot.slack.setup import web_client
from bot.slack.tokens import SingleWorkspace
from scheduler.dispatch import Dispatcher, RateLimit
from scheduler.policy import Policy
from scheduler.service import SchedulerService, TickResult
from storage.models import CalendarEntry, OutboxMessage
from storage.repo import concerns
from tests.stubs.slack_api import SlackApiStub

LONDON = ZoneInfo("Europe/London")
FAST = {"slack": RateLimit((100, 1.0), (1000, 1.0))}


def at(day: date, hh: int = 9, mm: int = 0) -> datetime:
    """A school-local wall-clock time, as the aware UTC instant the bot works in."""
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=LONDON).astimezone(UTC)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class SchedulerHarness:
    engine: object
    sessions: async_sessionmaker[AsyncSession]
    stub: SlackApiStub
    clock: Clock
    policy: Policy = field(default_factory=Policy)
    service: SchedulerService | None = None

    def build(self, database_url: str) -> SchedulerService:
        output = SlackOutput(SingleWorkspace(web_client("xoxb-test", self.stub.url)))
        dispatcher = Dispatcher(self.sessions, {"slack": output}, clock=self.clock, limits=FAST)
        self.service = SchedulerService(
            self.engine,
            self.sessions,
            self.policy,
            dispatcher,
            database_url=database_url,
            clock=self.clock,
        )  # type: ignore[arg-type]
        return self.service

    async def tick_at(self, moment: datetime) -> TickResult:
        self.clock.set(moment)
        assert self.service is not None
        return await self.service.tick()

    async def outbox(self, kind: str | None = None) -> list[OutboxMessage]:
        async with self.sessions() as s:
            stmt = select(OutboxMessage).order_by(OutboxMessage.id)
            if kind:
                stmt = stmt.where(OutboxMessage.kind == kind)
            return list((await s.execute(stmt)).scalars().all())

    def posted_to(self, channel: str) -> list[dict]:  # type: ignore[type-arg]
        return [c for c in self.stub.called("chat.postMessage") if c["channel"] == channel]


async def add_calendar(sessions: async_sessionmaker[AsyncSession], programme_id: int) -> None:
    """Autumn term 2026 with a half-term and a Monday INSET day."""
    async with sessions() as s, s.begin():
        s.add_all(
            [
                CalendarEntry(
                    programme_id=programme_id,
                    kind="term",
                    name="Autumn",
                    start_date=date(2026, 9, 7),
                    end_date=date(2026, 12, 18),
                ),
                CalendarEntry(
                    programme_id=programme_id,
                    kind="holiday",
                    name="Half-term",
                    start_date=date(2026, 10, 26),
                    end_date=date(2026, 10, 30),
                ),
                CalendarEntry(
                    programme_id=programme_id,
                    kind="inset",
                    name="INSET",
                    start_date=date(2026, 11, 2),
                    end_date=date(2026, 11, 2),
                ),
            ]
        )


async def set_itt_channel(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s, s.begin():
        await concerns.set_escalation_target(
            s,
            level=1,
            platform="slack",
            workspace_id="T1",
            channel_id="CITT",
            conversation_reference=None,
            set_by_id=None,
        )
        await concerns.set_escalation_target(
            s,
            level=2,
            platform="slack",
            workspace_id="T1",
            channel_id="CDIRECTOR",
            conversation_reference=None,
            set_by_id=None,
        )
