"""`mentorbot serve`: the bot's web server (every enabled platform, health) and scheduler."""

from __future__ import annotations

import asyncio

import typer
from aiohttp import web
from rich.text import Text

from bot.cli.common import CliError, err_console, load_policy, load_settings
from bot.config_check import check
from bot.descriptor import Connection
from bot.runtime import Runtime, build_runtime, web_app
from bot.settings import Settings
from scheduler.policy import Policy


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
    policy = load_policy(settings)
    asyncio.run(_serve(settings, policy, host or settings.host, port or settings.port))


async def _serve(settings: Settings, policy: Policy, host: str, port: int) -> None:
    runtime = await build_runtime(settings, policy=policy)
    runner = web.AppRunner(web_app(runtime))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    err_console.print(
        f"mentorbot listening on http://{host}:{port} ({', '.join(sorted(runtime.edges))})"
    )
    for edge in runtime.edges.values():
        for warning in edge.warnings:
            err_console.print(Text(warning, style="bold red"))
    opened: list[Connection] = []
    try:
        for connection in _connections(runtime):
            await connection.open()
            opened.append(connection)
            err_console.print(f"{connection.name} connected")
        runtime.scheduler.start()
        await asyncio.Event().wait()
    finally:
        await runtime.scheduler.stop()
        for connection in reversed(opened):
            await connection.close()
        await runner.cleanup()  # closes the runtime


def _connections(runtime: Runtime) -> list[Connection]:
    return [c for edge in runtime.edges.values() for c in edge.connections]
