"""Rolling out: `mentorbot reach`, `mentorbot import schools` and `mentorbot school confirm`.

Heavy modules (settings, the database, the descriptors) are imported inside the commands,
so `mentorbot --help` stays quick."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli.common import CliError, load_settings, run

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from handlers.reach import Reach
    from storage.imports import ImportResult

school_app = typer.Typer(help="A school's chat tenant: confirm one learned.", no_args_is_help=True)
COLUMNS = ("name", "email", "roles", "school", "platform", "reachable", "why", "fix")


def reach(
    format: str = typer.Option(
        "table", "--format", help="table (for people) or csv (for a spreadsheet)."
    ),
) -> None:
    """Everyone on the roster: their platform, whether the bot can reach them now and, if
    not, why and what fixes it. Exits 1 when anyone cannot be reached."""
    if format not in ("table", "csv"):
        raise CliError(f"unknown format {format!r} (table or csv)")
    found = run(_assess())
    if format == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in found:
            writer.writerow(_cells(r))
    else:
        _table(found)
    if any(not r.can_reach for r in found):
        raise typer.Exit(1)


def _cells(r: Reach) -> list[str]:
    from bot import platforms

    label = platforms.label(r.platform) if r.platform else "-"
    return [r.name, r.email, ", ".join(r.roles), r.school, label, r.reachable, r.why, r.fix]


def _table(found: list[Reach]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Who mentorbot can reach", show_lines=False)
    for column in ("name", "roles", "school", "platform", "reachable", "why / fix"):
        table.add_column(column, overflow="fold")
    for r in found:
        name, _email, roles, school, label, reachable, why, fix = _cells(r)
        detail = f"{why} Fix: {fix}" if fix else why
        style = None if r.can_reach else "bold red"
        table.add_row(name, roles, school, label, reachable, detail, style=style)
    Console().print(table)
    unreachable = sum(1 for r in found if not r.can_reach)
    typer.echo(f"{len(found)} people, {unreachable} cannot be reached now")


async def _assess() -> list[Reach]:
    from bot import platforms
    from handlers import reach as assess
    from storage.db import make_engine, session_factory
    from storage.migrate import ensure_current
    from storage.repo import reach as facts

    settings = load_settings()
    connected = {p.name for p in platforms.enabled(settings)}
    conversation_only = {p.name for p in platforms.PLATFORMS if p.needs_conversation}
    first = next((n for n in platforms.names() if n in connected), None)
    engine = make_engine(settings.database_url)
    try:
        await ensure_current(engine)
        async with session_factory(engine)() as session:
            everyone = await facts.everyone(session)
            revoked, installed = await _slack_workspaces(session)
    finally:
        await engine.dispose()
    return [
        assess.assess(
            p,
            connected=connected,
            revoked=revoked,
            first_choice=first,
            conversation_only=conversation_only,
            labels={p.name: p.label for p in platforms.PLATFORMS},
            installed=installed if settings.slack_client_id else None,
            installing="slack",
        )
        for p in everyone
    ]


async def _slack_workspaces(session: AsyncSession) -> tuple[dict[str, str], set[str]]:
    """Slack workspaces that uninstalled the app or revoked its tokens (id -> why), and
    those it is installed in (OAuth mode)."""
    from storage.repo import slack_workspaces

    known = await slack_workspaces.workspaces(session)
    revoked = {w: r.reason.replace("_", " ") for w, r in known.revoked.items()}
    return revoked, set(known.installed)


def import_schools(
    schools: Path | None = typer.Argument(
        None, metavar="SCHOOLS.csv", help="One row per school (see docs/csv-formats.md)."
    ),
    sample: bool = typer.Option(
        False, "--sample", help="Import the sample partnership's schools shipped with mentorbot."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check the file and say what would change; write nothing."
    ),
) -> None:
    """Import each school's platform, Slack team id or Teams tenant id, time zone and the
    days it alone is closed (see docs/csv-formats.md)."""
    from bot.sample_data import SCHOOLS, sample_files

    if (schools is None) == (not sample):
        raise CliError("give SCHOOLS.csv or --sample (one of them)")
    if sample:
        with sample_files(SCHOOLS) as (path,):
            _import_file(path, dry_run)
    else:
        assert schools is not None
        _import_file(schools, dry_run)


def _import_file(path: Path, dry_run: bool) -> None:
    from bot.cli.import_cmd import _reject, _report
    from storage.imports import CsvFileError, ImportRejected

    try:
        result = run(_import(path, dry_run))
    except CsvFileError as exc:
        raise CliError(str(exc)) from None
    except ImportRejected as exc:
        _reject(exc, path.name)
    _report(result)


async def _import(path: Path, dry_run: bool) -> ImportResult:
    from storage.db import make_engine, session_factory
    from storage.imports.schools import import_schools, read_schools
    from storage.migrate import ensure_current

    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        await ensure_current(engine)
        rows = read_schools(path)
        return await import_schools(session_factory(engine), rows, file=path.name, dry_run=dry_run)
    finally:
        await engine.dispose()


@school_app.command("confirm")
def confirm(name: str = typer.Argument(..., help="The school's name, as on the roster.")) -> None:
    """Confirm the Teams tenant learned for a school from its first activity."""
    school = run(_confirm(name))
    typer.echo(f"{name}: Teams tenant {school} confirmed")


async def _confirm(name: str) -> str:
    from storage.db import make_engine, session_factory, transaction
    from storage.migrate import ensure_current
    from storage.repo import tenants

    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        await ensure_current(engine)
        async with transaction(session_factory(engine)) as session:
            school = await tenants.confirm(session, school_name=name)
            if school is None:
                raise CliError(f"no school named {name!r} on the roster")
            if not school.teams_tenant_id:
                raise CliError(f"{name} has no Teams tenant yet (none learned or imported)")
            return school.teams_tenant_id
    finally:
        await engine.dispose()
