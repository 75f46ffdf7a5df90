"""`mentorbot serve`: the bot's web server (every enabled platform, health) and scheduler.

The listening socket is bound here, before anything else starts, so a port in use is one
line at once, and `--port 0` is told the port it got. With `--workers N` the bound socket
is shared by N forked processes (bot/cli/workers.py); the kernel hands each new connection
to whichever worker accepts it first, so a busy worker takes fewer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from bot.cli.common import CliError, err_console, load_policy, load_settings, run

if TYPE_CHECKING:
    import socket

    from bot.descriptor import Connection
    from bot.runtime import Runtime
    from bot.settings import Settings
    from scheduler.policy import Policy

MAX_WORKERS = 32
BACKLOG = 1024  # aiohttp's own default would be 128: a burst waits in the kernel, not refused


def serve(
    host: str = typer.Option(
        None, help="Interface to listen on (default MENTORBOT_HOST or 0.0.0.0)."
    ),
    port: int = typer.Option(None, help="Port to listen on (default PORT or 3978)."),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=MAX_WORKERS,
        help="Processes sharing the port, e.g. one per core; one of them runs the scheduler.",
    ),
) -> None:
    """Run the bot: /slack/events, /api/messages and /healthz on one web server."""
    import socket

    from bot.config_check import check

    settings = load_settings()
    report = check(settings)
    if not report.works:
        problems = "; ".join(p for ps in report.problems.values() for p in ps)
        raise CliError(problems or "no chat platform is configured; run `mentorbot config check`")
    policy = load_policy(settings)
    host = host or settings.host
    sock = socket.create_server(
        (host, port if port is not None else settings.port), backlog=BACKLOG
    )
    address = f"http://{host}:{sock.getsockname()[1]}"
    if workers == 1:
        run(run_bot(settings, policy, sock, ready=_announce(address)))
        return
    if settings.database_url.startswith("sqlite"):
        # Correct on SQLite (one sweeps; rows are claimed), but SQLite has one writer at a
        # time: under a load of submissions, workers wait on each other's writes.
        err_console.print(
            "note: SQLite takes one write at a time: several workers do not speed up "
            "submissions on SQLite"
        )
    import bot.runtime  # noqa: F401  (imported once here, shared by the forked workers)
    from bot.cli import workers as pool

    shared = _share(settings, workers)

    def worker(notify: Callable[[], None]) -> None:
        run(run_bot(shared, policy, sock, ready=lambda _runtime: notify()))

    def listening() -> None:
        err_console.print(f"mentorbot listening on {address} ({workers} workers)")

    code = pool.supervise(workers, worker, announce=listening)
    if code:
        raise typer.Exit(code)


def _announce(address: str) -> Callable[[Runtime], None]:
    def ready(runtime: Runtime) -> None:
        err_console.print(f"mentorbot listening on {address} ({', '.join(sorted(runtime.edges))})")

    return ready


def _share(settings: Settings, workers: int) -> Settings:
    """Each worker sends at its share of the platforms' overall rates, so that together
    they keep to them (each worker has a dispatcher of its own)."""
    return settings.model_copy(
        update={
            "slack_rate": settings.slack_rate / workers,
            "teams_rate": settings.teams_rate / workers,
        }
    )


async def run_bot(
    settings: Settings,
    policy: Policy,
    sock: socket.socket,
    ready: Callable[[Runtime], None],
) -> None:
    """Serve on `sock` until SIGTERM or SIGINT, then stop cleanly: the scheduler lets its
    tick finish, connections close, the web server and the database shut down."""
    import asyncio
    import signal

    from aiohttp import web
    from rich.text import Text

    from bot.runtime import build_runtime, web_app

    runtime = await build_runtime(settings, policy=policy)
    runner = web.AppRunner(web_app(runtime), handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock, backlog=BACKLOG).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    ready(runtime)
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
        await stop.wait()
    finally:
        await runtime.scheduler.stop()
        for connection in reversed(opened):
            await connection.close()
        await runner.cleanup()  # closes the runtime


def _connections(runtime: Runtime) -> list[Connection]:
    return [c for edge in runtime.edges.values() for c in edge.connections]
