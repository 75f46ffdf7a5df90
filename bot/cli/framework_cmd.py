"""`mentorbot import framework` and `mentorbot framework`: a provider's own assessment
framework from CSV, and which framework each programme is rated on."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli.common import CliError, load_settings, run
from bot.cli.import_cmd import _reject, _report

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from storage.imports import ImportResult
    from storage.repo.frameworks import Framework

app = typer.Typer(
    help="Assessment frameworks: what each programme's trainees are rated on.",
    no_args_is_help=True,
)


def import_framework(
    file: Path = typer.Argument(
        ..., metavar="FRAMEWORK.csv", help="Strand and scale rows (see docs/csv-formats.md)."
    ),
    programme: str | None = typer.Option(
        None, "--programme", metavar="NAME", help="Put this programme on the framework too."
    ),
    force: bool = typer.Option(
        False, "--force", help="Move the programme even if it has ratings on another framework."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check the file and say what would change; write nothing."
    ),
) -> None:
    """Import a provider's own assessment framework: its strands and its scale."""
    from storage.imports import CsvFileError, ImportRejected
    from storage.imports.framework import FrameworkRefused, import_framework
    from storage.imports.framework_csv import read_framework

    async def go() -> ImportResult:
        engine, sessions = await _open()
        try:
            checked = read_framework(file)
            return await import_framework(
                sessions, checked, programme=programme, dry_run=dry_run, force=force
            )
        finally:
            await engine.dispose()

    try:
        result = run(go())
    except CsvFileError as exc:
        raise CliError(str(exc)) from None
    except ImportRejected as exc:
        _reject(exc, file.name)
    except FrameworkRefused as exc:
        _refused(exc.problems, file.name)
    _report(result)


@app.command("list")
def list_cmd() -> None:
    """Each framework: its code, scale, strands and the programmes rated on it."""
    from storage.repo import frameworks

    async def go() -> tuple[list[Framework], dict[int, list[str]]]:
        engine, sessions = await _open()
        try:
            async with sessions() as s:
                return await frameworks.all_frameworks(s), await frameworks.programmes_by_framework(
                    s
                )
        finally:
            await engine.dispose()

    found, programmes = run(go())
    for f in found:
        scale = " · ".join(
            f"{v.symbol} {v.label}" + (" (off track)" if v.off_track else "") for v in f.values
        )
        typer.echo(f"{f.code}: {f.name}\n  scale: {scale}")
        typer.echo("  strands: " + ", ".join(s.code for s in f.strands))
        typer.echo("  programmes: " + (", ".join(programmes.get(f.id, [])) or "none"))


@app.command("use")
def use_cmd(
    code: str = typer.Argument(..., metavar="CODE", help="The framework's code (see list)."),
    programme: str = typer.Argument(..., metavar="PROGRAMME", help="The programme's name."),
    force: bool = typer.Option(
        False, "--force", help="Move the programme even if it has ratings on another framework."
    ),
) -> None:
    """Put a programme on a framework (shipped or imported)."""
    from storage.imports.framework import FrameworkRefused, use_framework

    async def go() -> bool:
        engine, sessions = await _open()
        try:
            return await use_framework(sessions, code=code, programme=programme, force=force)
        finally:
            await engine.dispose()

    try:
        moved = run(go())
    except FrameworkRefused as exc:
        raise CliError("; ".join(exc.problems)) from None
    typer.echo(f"{programme} is {'now' if moved else 'already'} rated on {code}")


def _refused(problems: list[str], name: str) -> None:
    for problem in problems:
        typer.echo(problem, err=True)
    raise CliError(f"{name} rejected: nothing was imported")


async def _open() -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    from storage.db import make_engine, session_factory
    from storage.migrate import ensure_current

    engine = make_engine(load_settings().database_url)
    try:
        await ensure_current(engine)
    except BaseException:
        await engine.dispose()
        raise
    return engine, session_factory(engine)
