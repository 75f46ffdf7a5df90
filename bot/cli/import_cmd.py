"""`mentorbot import`: roster and calendar CSV files."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, NoReturn

import typer

from bot.cli.common import CliError, err_console, load_settings, run
from bot.sample_data import CALENDAR, PEOPLE, PLACEMENTS, sample_files

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from storage.imports import ImportRejected, ImportResult

app = typer.Typer(
    help="Import the roster and the programme calendar from CSV.", no_args_is_help=True
)

# Bad rows listed before "... and N more".
MAX_LISTED = 200
# Below this many rows (or writes) an import is quick enough to need no progress bar.
PROGRESS_MIN = 1000


class _ProgressBar:
    """The storage layer's progress callback drawn as a rich bar on stderr (TTY only)."""

    def __init__(self) -> None:
        self._bar: Progress | None = None
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if total < PROGRESS_MIN:
            return
        if self._bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=err_console,
                transient=True,
                disable=not err_console.is_terminal,
            )
            self._bar.start()
        task = self._tasks.get(phase)
        if task is None:
            task = self._tasks[phase] = self._bar.add_task(phase, total=total)
        self._bar.update(task, completed=min(done, total), total=total)

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _reject(exc: ImportRejected, main_file: str) -> NoReturn:
    """List every bad row (one line each) and fail with the one-line summary."""
    several = len(exc.files) > 1 or exc.files != [main_file]
    for error in exc.errors[:MAX_LISTED]:
        prefix = f"{error.file}: " if several else ""
        typer.echo(f"{prefix}{error}", err=True)
    if len(exc.errors) > MAX_LISTED:
        typer.echo(f"... and {len(exc.errors) - MAX_LISTED} more", err=True)
    bad = exc.bad_rows
    raise CliError(
        f"{', '.join(exc.files)} rejected: {bad} bad {'row' if bad == 1 else 'rows'}; "
        "nothing was imported"
    )


def _report(result: ImportResult) -> None:
    files = ", ".join(result.files)
    if result.dry_run:
        typer.echo(f"dry run of {files} ({_rows(result.rows)}): nothing was written")
        verbs = ("to create", "to update")
    else:
        typer.echo(f"imported {files} ({_rows(result.rows)})")
        verbs = ("created", "updated")
    for entity, counts in result.counts.items():
        typer.echo(
            f"  {entity}: {counts.created} {verbs[0]}, {counts.updated} {verbs[1]}, "
            f"{counts.unchanged} unchanged"
        )
    if not result.changed:
        typer.echo("no changes: the database already matches the file")


def _one_source(path: Path | None, sample: bool, what: str) -> None:
    if path is None and not sample:
        raise CliError(f"give {what}, or --sample for the sample data shipped with mentorbot")
    if path is not None and sample:
        raise CliError(f"give {what} or --sample, not both")


@app.command("roster")
def roster_cmd(
    placements: Path | None = typer.Argument(
        None, metavar="PLACEMENTS.csv", help="One row per placement (see docs/csv-formats.md)."
    ),
    people: Path | None = typer.Option(
        None, "--people", metavar="PEOPLE.csv", help="Extra people and roles (name, email, roles)."
    ),
    sample: bool = typer.Option(
        False,
        "--sample",
        help="Import the sample partnership shipped with mentorbot (placements and people).",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check the files and say what would change; write nothing."
    ),
) -> None:
    """Import trainees, mentors, lead mentors, schools and placements."""
    _one_source(placements, sample, "PLACEMENTS.csv")
    if sample and people is not None:
        raise CliError("--sample imports the sample people too; leave out --people")
    if sample:
        with sample_files(PLACEMENTS, PEOPLE) as (sample_placements, sample_people):
            _roster(sample_placements, sample_people, dry_run=dry_run)
    else:
        assert placements is not None
        _roster(placements, people, dry_run=dry_run)


def _roster(placements: Path, people: Path | None, *, dry_run: bool) -> None:
    from storage.db import make_engine, session_factory
    from storage.imports import (
        CsvFileError,
        ImportRejected,
        build_roster,
        import_roster,
        read_people,
        read_placements,
    )
    from storage.migrate import ensure_current

    settings = load_settings()

    async def go() -> ImportResult:
        engine = make_engine(settings.database_url)
        try:
            await ensure_current(engine)
            with _ProgressBar() as progress:
                parsed = read_placements(placements, progress)
                extra = read_people(people, progress) if people is not None else None
                roster = build_roster(parsed, extra)
                return await import_roster(
                    session_factory(engine), roster, dry_run=dry_run, progress=progress
                )
        finally:
            await engine.dispose()

    try:
        result = run(go())
    except CsvFileError as exc:
        raise CliError(str(exc)) from None
    except ImportRejected as exc:
        _reject(exc, placements.name)
    _report(result)


@app.command("calendar")
def calendar_cmd(
    calendar: Path | None = typer.Argument(
        None, metavar="CALENDAR.csv", help="Terms, holidays, INSET days and review points."
    ),
    sample: bool = typer.Option(
        False, "--sample", help="Import the sample calendar shipped with mentorbot."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check the file and say what would change; write nothing."
    ),
) -> None:
    """Import a programme's calendar: terms, holidays, INSET days and review points."""
    _one_source(calendar, sample, "CALENDAR.csv")
    if sample:
        with sample_files(CALENDAR) as (sample_calendar,):
            _calendar(sample_calendar, dry_run=dry_run)
    else:
        assert calendar is not None
        _calendar(calendar, dry_run=dry_run)


def _calendar(calendar: Path, *, dry_run: bool) -> None:
    from storage.db import make_engine, session_factory
    from storage.imports import (
        CsvFileError,
        ImportRejected,
        build_calendar,
        import_calendar,
        read_calendar,
    )
    from storage.migrate import ensure_current

    settings = load_settings()

    async def go() -> ImportResult:
        engine = make_engine(settings.database_url)
        try:
            await ensure_current(engine)
            with _ProgressBar() as progress:
                checked = build_calendar(read_calendar(calendar, progress))
                return await import_calendar(
                    session_factory(engine), checked, dry_run=dry_run, progress=progress
                )
        finally:
            await engine.dispose()

    try:
        result = run(go())
    except CsvFileError as exc:
        raise CliError(str(exc)) from None
    except ImportRejected as exc:
        _reject(exc, calendar.name)
    _report(result)
