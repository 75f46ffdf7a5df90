"""The composition root: the one place the running bot is put together.

Every command that runs the bot (`serve`, `worker`, `tick`, `due`, `chat`, `demo`) calls
`build_runtime`: one database, the conversations, the intake, the edges of the platforms
the settings enable (or the console in their place), the dispatcher with the platforms'
rate limits and the order to reach people in, and the scheduler service. What
`handlers/` and `scheduler/` need to know about platforms is injected here from the
descriptors (bot/platforms.py); they name none themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import platforms
from bot.console.descriptor import UNLIMITED
from bot.console.output import Inbox, console_channels
from bot.descriptor import Edge
from bot.settings import Settings
from bot.web import reports as reports_web
from handlers.intake import Intake
from handlers.ports import OutputChannel
from handlers.reports import links as report_links
from handlers.router import Conversations
from handlers.support import stages as support_stages
from scheduler.dispatch import Dispatcher
from scheduler.policy import Policy
from scheduler.service import SchedulerService
from storage.db import INTERACTION_SLOTS, make_engine, session_factory
from storage.journal import ParkJournal
from storage.migrate import ensure_current
from storage.repo import health

log = logging.getLogger(__name__)
DISPATCH_IDLE_SECONDS = 5.0
Clock = Callable[[], datetime]


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    conversations: Conversations
    intake: Intake
    dispatcher: Dispatcher
    scheduler: SchedulerService
    edges: dict[str, Edge] = field(default_factory=dict)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    parked_wake: asyncio.Event = field(default_factory=asyncio.Event)
    dispatched_at: float | None = None  # event-loop time the dispatch loop last did a batch

    @property
    def channels(self) -> dict[str, OutputChannel]:
        """The output channel of each platform the dispatcher can send to."""
        return self.dispatcher.channels

    async def close(self) -> None:
        await self.scheduler.stop()  # releases the leader lock, if this process held it
        for edge in self.edges.values():
            for closer in edge.closers:
                await closer()
        await self.engine.dispose()

    async def dispatch_loop(self) -> None:
        """Send queued notifications as soon as they are queued, and every few seconds."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), DISPATCH_IDLE_SECONDS)
            self.wake.clear()
            try:
                await self._dispatch_all()
            except Exception:
                log.exception("dispatch failed; will retry")

    async def _dispatch_all(self) -> None:
        """Dispatch until nothing is due, noting each finished batch for the heartbeat."""
        loop = asyncio.get_running_loop()
        while True:
            step = await self.dispatcher.run_once()
            self.dispatched_at = loop.time()
            if not step.handled:
                return

    async def parked_loop(self) -> None:
        """Handle interactions parked while the bot was busy, as soon as they are parked
        (and every few seconds, for those a crashed process left behind)."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.parked_wake.wait(), DISPATCH_IDLE_SECONDS)
            self.parked_wake.clear()
            try:
                while await self.intake.drain():
                    pass
            except Exception as exc:
                log.warning("handling parked interactions failed: %s", type(exc).__name__)


async def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    policy: Policy | None = None,
    engine: AsyncEngine | None = None,
    console: Inbox | None = None,
) -> Runtime:
    """The bot for these settings. `console`: show every message there instead of sending
    it through the platforms (chat, demo); `engine`: a database the caller opened (the
    runtime closes it)."""
    engine = engine or make_engine(settings.database_url)
    try:
        await ensure_current(engine)
        return _compose(settings, engine, clock, policy or Policy(), console)
    except BaseException:
        await engine.dispose()
        raise


def _compose(
    settings: Settings,
    engine: AsyncEngine,
    clock: Clock | None,
    policy: Policy,
    console: Inbox | None,
) -> Runtime:
    sessions = session_factory(engine)
    # The handlers make report links with what the environment gives (or say they are off).
    report_links.configure(reports_web.link_settings(settings))
    # The support plans' stages are the policy's (handlers never read the policy).
    support_stages.configure(policy.stages())
    conversations = Conversations(
        sessions,
        timezone=settings.timezone,
        clock=clock,
        command_prefixes=platforms.command_prefixes(),
    )
    journal = ParkJournal(None if console is not None else park_journal_folder(settings))
    intake = Intake(conversations, slots=INTERACTION_SLOTS, clock=clock, journal=journal)
    edges = _edges(settings, intake) if console is None else {}
    dispatcher = _dispatcher(settings, sessions, edges, clock, console)
    scheduler = SchedulerService(engine, sessions, policy, dispatcher, clock=clock)
    runtime = Runtime(settings, engine, sessions, conversations, intake, dispatcher, scheduler)
    runtime.edges = edges
    conversations.on_queued = runtime.wake.set
    intake.on_parked = runtime.parked_wake.set
    return runtime


def park_journal_folder(settings: Settings) -> Path | None:
    if settings.park_journal_dir is not None:
        return settings.park_journal_dir
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return None
        return Path(url.database).with_name(Path(url.database).name + ".parked")
    return Path.cwd() / "mentorbot-parked"


def _edges(settings: Settings, intake: Intake) -> dict[str, Edge]:
    """The edge of every platform the settings enable, in the platforms' order."""
    edges: dict[str, Edge] = {}
    for platform in platforms.enabled(settings):
        if platform.build is None:
            continue
        edge = edges[platform.name] = platform.build(settings, intake)
        if edge.users is not None:
            intake.users[platform.name] = edge.users
    return edges


def _dispatcher(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    edges: dict[str, Edge],
    clock: Clock | None,
    console: Inbox | None,
) -> Dispatcher:
    order = platforms.names()
    if console is not None:
        # The console stands in for every platform, so that people are reached on their
        # school's platform as in production; one at a time, printed in the order queued.
        channels = console_channels(console, clock or _now, order)
        limits = dict.fromkeys(order, UNLIMITED)
        return Dispatcher(
            sessions, channels, clock=clock, limits=limits, reach_order=order, concurrency=1
        )
    channels = {name: edge.output for name, edge in edges.items()}
    limits = platforms.rate_limits(settings)
    return Dispatcher(sessions, channels, clock=clock, limits=limits, reach_order=order)


def _now() -> datetime:
    return datetime.now(UTC)


# -- the one aiohttp application ----------------------------------------------------------


def mount(app: web.Application, edge: Edge) -> None:
    """An edge's inbound routes on the bot's web application."""
    for route in edge.routes:
        app.router.add_route(route.method, route.path, route.handler)


def web_app(
    runtime: Runtime,
    *,
    run_dispatcher: bool = True,
    clock: Clock | None = None,
) -> web.Application:
    """The one aiohttp application: each enabled platform's routes, /healthz, and the
    report pages behind signed links (/reports/{token}).

    /healthz answers 503 when the database is unavailable or the scheduler's last sweep
    or dispatch is older than five minutes (`clock`: real time unless a test moves it)."""
    app = web.Application(client_max_size=1024 * 1024)
    for edge in runtime.edges.values():
        mount(app, edge)
    app.router.add_get("/healthz", _healthz(runtime, clock or _now))
    reports_web.mount(app, runtime.sessions, clock or runtime.conversations.clock)
    app.cleanup_ctx.append(_background(runtime, run_dispatcher))
    return app


def _healthz(runtime: Runtime, now: Clock) -> Callable[[web.Request], Awaitable[web.Response]]:
    started = now()

    async def healthz(_request: web.Request) -> web.Response:
        # The heartbeat is read from the database, so a web process without a scheduler in
        # it reports the worker's; a process up for less than STALE_AFTER is given that long.
        try:
            async with runtime.sessions() as session:
                beat = await health.read(session)
        except Exception as exc:
            log.warning("health check cannot read the database: %s", type(exc).__name__)
            return web.json_response({"status": "database unavailable"}, status=503)
        stale = beat.stale(now(), since=started)
        body = {
            "status": "stale" if stale else "ok",
            "platforms": sorted(runtime.edges),
            "last_sweep": _iso(beat.last_sweep_at),
            "last_dispatch": _iso(beat.last_dispatch_at),
            "stale": stale,
            # Which process answered, and whether it runs the sweeps (`serve --workers N`).
            "pid": os.getpid(),
            "leader": runtime.scheduler.leader.held,
        }
        return web.json_response(body, status=503 if stale else 200)

    return healthz


def _background(
    runtime: Runtime, run_dispatcher: bool
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def background(_app: web.Application) -> AsyncIterator[None]:
        await runtime.intake.recover()  # what a stopped process acknowledged but never stored
        loops = [runtime.dispatch_loop(), runtime.parked_loop()] if run_dispatcher else []
        if run_dispatcher:  # the scheduler's tick leaves dispatching to the loop
            runtime.scheduler.dispatch_progress = lambda: runtime.dispatched_at
            runtime.scheduler.hold_back = runtime.intake.hold_drain
        tasks = [asyncio.create_task(loop) for loop in loops]
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await runtime.intake.settle()
        await runtime.close()

    return background


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
