"""The composition root: one database, the handlers, the edges and the dispatcher, wired."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.settings import Settings
from bot.slack import setup as slack_setup
from bot.teams import setup as teams_setup
from handlers.intake import Intake
from handlers.ports import OutputChannel
from handlers.router import Conversations
from scheduler.dispatch import RATE_LIMITS, Dispatcher, RateLimit
from storage.db import INTERACTION_SLOTS, make_engine, session_factory
from storage.migrate import ensure_current
from storage.repo import health

log = logging.getLogger(__name__)
DISPATCH_IDLE_SECONDS = 5.0


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    conversations: Conversations
    dispatcher: Dispatcher
    channels: dict[str, OutputChannel] = field(default_factory=dict)
    slack_app: AsyncApp | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    http: aiohttp.ClientSession | None = None
    intake: Intake | None = None
    parked_wake: asyncio.Event = field(default_factory=asyncio.Event)

    async def close(self) -> None:
        if self.http is not None:
            await self.http.close()
        await self.engine.dispose()

    async def dispatch_loop(self) -> None:
        """Send queued notifications as soon as they are queued, and every few seconds."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), DISPATCH_IDLE_SECONDS)
            self.wake.clear()
            try:
                await self.dispatcher.drain()
            except Exception:
                log.exception("dispatch failed; will retry")

    async def parked_loop(self) -> None:
        """Handle interactions parked while the bot was busy, as soon as they are parked
        (and every few seconds, for those a crashed process left behind)."""
        if self.intake is None:
            return
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
    settings: Settings, *, clock: Callable[[], datetime] | None = None
) -> Runtime:
    engine = make_engine(settings.database_url)
    try:
        await ensure_current(engine)
    except Exception:
        await engine.dispose()
        raise
    sessions = session_factory(engine)
    conversations = Conversations(sessions, timezone=settings.timezone, clock=clock)
    intake = Intake(conversations, slots=INTERACTION_SLOTS, clock=clock)
    channels: dict[str, OutputChannel] = {}
    slack_app = None
    http = aiohttp.ClientSession() if settings.slack_bot_token is not None else None
    if settings.slack_bot_token is not None:
        slack_app, slack_output = slack_setup.build(
            conversations,
            token=settings.slack_bot_token.get_secret_value(),
            signing_secret=settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None,
            api_url=settings.slack_api_url,
            session=http,
            intake=intake,
        )
        channels["slack"] = slack_output
    # Teams: botbuilder CloudAdapter; an app id and password, or anonymous (Emulator) mode.
    if teams_setup.enabled(settings):
        channels["teams"] = teams_setup.build(conversations, settings, intake=intake)
    limits = {
        "slack": RateLimit(RATE_LIMITS["slack"].per_conversation, (settings.slack_rate, 1.0)),
        "teams": RateLimit(RATE_LIMITS["teams"].per_conversation, (settings.teams_rate, 1.0)),
    }
    dispatcher = Dispatcher(sessions, channels, clock=clock, limits=limits)
    runtime = Runtime(
        settings,
        engine,
        sessions,
        conversations,
        dispatcher,
        channels,
        slack_app,
        http=http,
        intake=intake,
    )
    conversations.on_queued = runtime.wake.set
    intake.on_parked = runtime.parked_wake.set
    return runtime


def web_app(
    runtime: Runtime,
    *,
    run_dispatcher: bool = True,
    clock: Callable[[], datetime] | None = None,
) -> web.Application:
    """The one aiohttp application: /slack/events, /api/messages, /healthz.

    /healthz answers 503 when the database is unavailable or the scheduler's last sweep
    or dispatch is older than five minutes (`clock`: real time unless a test moves it)."""
    app = web.Application(client_max_size=1024 * 1024)
    if runtime.slack_app is not None and runtime.settings.slack_signing_secret is not None:
        slack_setup.mount(
            app, runtime.slack_app, runtime.settings.slack_signing_secret.get_secret_value()
        )
    # Teams: POST /api/messages, when build_runtime built the Teams edge.
    teams_setup.mount(app, runtime.channels.get("teams"))

    now = clock or (lambda: datetime.now(UTC))
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
            "platforms": sorted(runtime.channels),
            "last_sweep": _iso(beat.last_sweep_at),
            "last_dispatch": _iso(beat.last_dispatch_at),
            "stale": stale,
        }
        return web.json_response(body, status=503 if stale else 200)

    app.router.add_get("/healthz", healthz)

    async def background(_app: web.Application) -> AsyncIterator[None]:
        loops = [runtime.dispatch_loop(), runtime.parked_loop()] if run_dispatcher else []
        tasks = [asyncio.create_task(loop) for loop in loops]
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if runtime.intake is not None:
            await runtime.intake.settle()
        await runtime.close()

    app.cleanup_ctx.append(background)
    return app


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
