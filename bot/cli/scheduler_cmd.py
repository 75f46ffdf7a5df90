"""`mentorbot due`, `tick`, `worker` and `policy`: the scheduler from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import CliError, err_console, load_policy, load_settings, run

if TYPE_CHECKING:
    from scheduler.service import TickResult

policy_app = typer.Typer(help="Show or check the scheduling policy.", no_args_is_help=True)


def _when(raw: str | None) -> datetime:
    if raw is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise CliError(
            f"--at {raw!r} is not an ISO date-time (e.g. 2026-11-23T09:00+00:00)"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def due(
    at: str = typer.Option(
        None, "--at", help="The moment to ask about (ISO date-time; default now)."
    ),
    dry_run: bool = typer.Option(True, "--dry-run/--no-dry-run", help="Only show (the default)."),
) -> None:
    """Print, as a table, what would be sent at that moment, to whom and why."""
    from bot.runtime import build_runtime

    settings = load_settings()
    moment = _when(at)
    policy = load_policy(settings)

    async def go() -> list[Any]:
        runtime = await build_runtime(settings, clock=lambda: moment, policy=policy)
        try:
            result = await runtime.scheduler.sweeper.plan(moment)
            from storage.repo import people

            rows = []
            async with runtime.sessions() as s:
                for p in result.planned:
                    person = (
                        await people.by_id(s, person_id=p.recipient_id) if p.recipient_id else None
                    )
                    who = (
                        person.email
                        if person
                        else f"escalation channel (level {p.escalation_level or 1})"
                    )
                    rows.append((p.kind, who, p.why, p.key))
            return rows
        finally:
            await runtime.close()

    rows = run(go())
    table = Table("kind", "to", "why", "key", title=f"due at {moment.isoformat()}")
    for row in rows:
        table.add_row(*row)
    Console(highlight=False, emoji=False, markup=False, width=200).print(table)
    typer.echo(f"{len(rows)} message(s) due")


def tick(
    at: str = typer.Option(
        None, "--at", help="Run as of this moment (ISO date-time; default now)."
    ),
) -> None:
    """Run one sweep and dispatch as of that moment."""
    from bot.runtime import build_runtime

    settings = load_settings()
    moment = _when(at)
    policy = load_policy(settings)

    async def go() -> TickResult:
        runtime = await build_runtime(settings, clock=lambda: moment, policy=policy)
        try:
            return await runtime.scheduler.tick()
        finally:
            await runtime.close()  # releases the leader lock

    result = run(go())
    sweep = result.sweep
    queued = sweep.queued if sweep else 0
    raised = sweep.escalations if sweep else 0
    d = result.dispatch
    typer.echo(
        f"{'leader' if result.leader else 'standby'}: queued {queued}, escalations {raised}; "
        f"sent {d.sent}, retried {d.retried}, dead {d.dead}, cancelled {d.cancelled}, held {d.held}"
    )


def worker() -> None:
    """Run the scheduler and dispatcher as a process of their own (no web server)."""
    from bot.runtime import build_runtime

    settings = load_settings()
    policy = load_policy(settings)

    async def go() -> None:
        import asyncio

        runtime = await build_runtime(settings, policy=policy)
        runtime.scheduler.start()
        err_console.print("mentorbot worker running (Ctrl-C to stop)")
        try:
            await asyncio.Event().wait()
        finally:
            await runtime.close()

    run(go())


@policy_app.command("show")
def policy_show() -> None:
    """Print the policy in force (the file in MENTORBOT_POLICY, or the defaults)."""
    from scheduler import policy as policy_mod

    settings = load_settings()
    policy = load_policy(settings)
    table = Table("setting", "value", title=f"policy: {settings.policy_file or 'defaults'}")
    for name, value in policy_mod.describe(policy):
        table.add_row(name, value)
    Console(highlight=False, emoji=False, markup=False).print(table)


@policy_app.command("example")
def policy_example() -> None:
    """Print a policy file with the defaults, to copy and edit."""
    from scheduler.policy_example import EXAMPLE

    typer.echo(EXAMPLE, nl=False)
