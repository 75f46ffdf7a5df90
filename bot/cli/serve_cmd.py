"""`mentorbot serve`: the bot's web server (Slack, Teams, health) and its dispatcher."""

from __future__ import annotations

import asyncio
import logging

import typer
from aiohttp import web

from bot.cli.common import CliError, err_console, load_settings
from bot.config_check import check
from bot.runtime import build_runtime, web_app
from scheduler.policy import PolicyError
from scheduler.policy import load as _load_policy
from scheduler.service import SchedulerService

log = logging.getLogger(__name__)


def serve(
    host: str = typer.Option(
        None, help="Interface to listen on (default MENTORBOT_HOST or 0.0.0.0)."
    ),
    port: int = typer.Option(None, help="Port to listen on (default PORT or 3978)."),
) -> None:
    """Run the bot: /slack/events, /api/messages and /healthz on one web server."""
    settings = load_settings()
    report = check(settings)
    if not report.works:
        problems = "; ".join(p for ps in report.problems.values() for p in ps)
        raise CliError(problems or "no chat platform is configured; run `mentorbot config check`")
    asyncio.run(_serve(settings, host or settings.host, port or settings.port))


async def _serve(settings, host: str, port: int) -> None:  # type: ignore[no-untyped-def]
    runtime = await build_runtime(settings)
    service = SchedulerService(
        runtime.engine,
        runtime.sessions,
        load_policy(settings),
        runtime.dispatcher,
    )
    app = web_app(runtime)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    err_console.print(
        f"mentorbot listening on http://{host}:{port} ({', '.join(sorted(runtime.channels))})"
    )
    if settings.teams_allow_anonymous and not settings.microsoft_app_id:
        err_console.print(
            "[bold red]WARNING: Teams anonymous mode: /api/messages accepts UNAUTHENTICATED "
            "requests. For the Bot Framework Emulator only; never expose this server.[/]"
        )
    socket_handler = None
    if settings.slack_app_token is not None and runtime.slack_app is not None:
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        socket_handler = AsyncSocketModeHandler(
            runtime.slack_app, settings.slack_app_token.get_secret_value()
        )
        await socket_handler.connect_async()
        err_console.print("Slack Socket Mode connected")
    service.start()
    try:
        await asyncio.Event().wait()
    finally:
        await service.stop()
        if socket_handler is not None:
            await socket_handler.close_async()
        await runner.cleanup()


def load_policy(settings):  # type: ignore[no-untyped-def]
    try:
        return _load_policy(settings.policy_file)
    except PolicyError as exc:
        raise CliError(str(exc)) from exc
