"""`mentorbot export idp` and `mentorbot report cohort|school`: evidence out, as files.

Heavy modules (the database, the templates) are imported inside the commands so that
`mentorbot --help` stays quick.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from bot.cli.common import CliError, load_settings, run

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

export_app = typer.Typer(help="Export one trainee's evidence.", no_args_is_help=True)
report_app = typer.Typer(
    help="Build the cohort report, a School Summary Report or the annual quality report.",
    no_args_is_help=True,
)
# Above this many trainees a report shows a progress bar while it is built.
PROGRESS_FROM = 200
out_console = Console(stderr=True, highlight=False)


class IdpFormat(StrEnum):
    HTML = "html"
    CSV = "csv"
    JSON = "json"


class CohortFormat(StrEnum):
    HTML = "html"
    CSV = "csv"


@contextlib.asynccontextmanager
async def _session() -> AsyncIterator[AsyncSession]:
    from storage.db import make_engine, session_factory
    from storage.migrate import ensure_current

    engine = make_engine(load_settings().database_url)
    try:
        await ensure_current(engine)
        async with session_factory(engine)() as session:
            yield session
    finally:
        await engine.dispose()


class _Stages:
    """A progress bar over a report's stages, shown only when it covers many trainees."""

    def __init__(self, total: int, trainees: int) -> None:
        self.total, self.trainees = total, trainees
        self.stack = contextlib.ExitStack()
        self.advance: Callable[[], None] = lambda: None

    def __enter__(self) -> _Stages:
        if self.trainees >= PROGRESS_FROM:
            from rich.progress import Progress

            progress = self.stack.enter_context(Progress(console=out_console, transient=True))
            task = progress.add_task(f"{self.trainees} trainees", total=self.total)
            self.advance = lambda: progress.advance(task)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()


def _write(out: Path, content: str | bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        out.write_bytes(content)
    else:
        out.write_text(content, encoding="utf-8")
    out_console.print(f"Written: {out}")


@export_app.command("idp")
def export_idp(
    trainee: str = typer.Option(..., "--trainee", help="The trainee's e-mail address."),
    fmt: IdpFormat = typer.Option(IdpFormat.HTML, "--format", help="html, csv (zipped) or json."),
    out: Path = typer.Option(..., "--out", help="The file to write."),
) -> None:
    """One trainee's IDP: every meeting, observation, rating, target, concern and plan."""
    _write(out, run(_idp(trainee, fmt)))


async def _idp(email: str, fmt: IdpFormat) -> str | bytes:
    from handlers.reports import files, render
    from storage.reports import scope
    from storage.reports.idp import idp

    async with _session() as session:
        trainee_id = await scope.trainee_by_email(session, email)
        if trainee_id is None:
            raise CliError(f"no trainee with the e-mail {email.strip().lower()!r} on the roster")
        found = await idp(session, trainee_id=trainee_id)
    assert found is not None
    if fmt is IdpFormat.JSON:
        return files.idp_json(found)
    if fmt is IdpFormat.CSV:
        return files.idp_csv_zip(found)
    return render.idp_html(found, generated_at=datetime.now(UTC))


@report_app.command("cohort")
def report_cohort(
    programme: str | None = typer.Option(None, "--programme", help="Only this programme."),
    school: str | None = typer.Option(None, "--school", help="Only this school."),
    review_point: str | None = typer.Option(
        None, "--review-point", help="Ratings at this review point (default: the latest)."
    ),
    fmt: CohortFormat = typer.Option(CohortFormat.HTML, "--format", help="html or csv."),
    out: Path = typer.Option(..., "--out", help="The file to write."),
) -> None:
    """The cohort report: rating heatmap, meetings per week, feedback timeliness, open items."""
    _write(out, run(_cohort(programme, school, review_point, fmt)))


async def _cohort(
    programme: str | None, school: str | None, review_point: str | None, fmt: CohortFormat
) -> str:
    from handlers.reports import files, render
    from storage.reports.cohort import CohortFilter, UnknownName, cohort, trainee_count

    f = CohortFilter(programme=programme, school=school, review_point=review_point)
    try:
        async with _session() as session:
            with _Stages(2, await trainee_count(session, f)) as stages:
                report = await cohort(session, f, now=datetime.now(UTC))
                stages.advance()
                text = (
                    files.cohort_csv(report)
                    if fmt is CohortFormat.CSV
                    else render.cohort_html(report)
                )
                stages.advance()
    except UnknownName as exc:
        raise CliError(str(exc)) from exc
    return text


@report_app.command("school")
def report_school(
    school: str = typer.Option(..., "--school", help="The school's name as on the roster."),
    out: Path = typer.Option(..., "--out", help="The HTML file to write."),
) -> None:
    """The School Summary Report: placements, compliance, RAG distribution, concerns, QA."""
    _write(out, run(_school(school)))


async def _school(name: str) -> str:
    from handlers.reports import render
    from storage.reports.cohort import CohortFilter, UnknownName, trainee_count
    from storage.reports.school import school_id_named, school_report

    try:
        async with _session() as session:
            school_id = await school_id_named(session, name)
            count = await trainee_count(session, CohortFilter(school_ids=frozenset({school_id})))
            with _Stages(2, count) as stages:
                report = await school_report(session, school_id=school_id, now=datetime.now(UTC))
                stages.advance()
                text = render.school_html(report)
                stages.advance()
    except UnknownName as exc:
        raise CliError(str(exc)) from exc
    return text
