"""`mentorbot report quality --year 2026-27`: the annual quality report per school, for
the placement offers decision (a table, CSV or one HTML page), flagged against the
policy's `[quality]` thresholds."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli.common import load_policy, load_settings, run

if TYPE_CHECKING:
    from storage.reports.quality_records import Average, QualityReport
    from storage.reports.years import AcademicYear


class QualityFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    HTML = "html"


def _year(text: str) -> AcademicYear:
    """A wrong year is a usage error: its message and exit status 2."""
    from storage.reports.years import BadYear, parse

    try:
        return parse(text)
    except BadYear as exc:
        raise typer.BadParameter(str(exc), param_hint="--year") from exc


def report_quality(
    year: str = typer.Option(
        ..., "--year", help="The academic year, 1 Sep to 31 Aug, written 2026-27."
    ),
    fmt: QualityFormat = typer.Option(QualityFormat.TABLE, "--format", help="table, csv or html."),
    out: Path | None = typer.Option(
        None, "--out", help="The file to write (csv and html; default: printed)."
    ),
) -> None:
    """The annual quality report: per school and mentor, evaluations per mentor standard,
    training, meetings held and feedback timeliness, flagged below the policy."""
    academic_year = _year(year)
    report = run(_report(academic_year))
    if fmt is QualityFormat.TABLE:
        _table(report)
        return
    from handlers.reports import quality_pages

    text = (
        quality_pages.report_csv(report)
        if fmt is QualityFormat.CSV
        else quality_pages.report_html(report)
    )
    if out is None:
        typer.echo(text, nl=False)
        return
    from bot.cli.report_cmd import _write

    _write(out, text)


async def _report(year: AcademicYear) -> QualityReport:
    from bot.cli.report_cmd import _session
    from storage.reports.quality import quality
    from storage.reports.quality_facts import Scope
    from storage.reports.quality_records import Audience

    thresholds = load_policy(load_settings()).quality.thresholds()
    async with _session() as session:
        return await quality(
            session,
            year,
            Scope(),
            audience=Audience.FULL,
            now=datetime.now(UTC),
            thresholds=thresholds,
            with_year_before=True,
        )


# The table's column headings (string keys: every word from one place).
COLUMNS = ("q_tab_who", "q_trainees", "q_meetings", "q_tab_feedback")
MORE = ("q_tab_trainees", "q_tab_tutors", "q_training", "q_self_evaluated")


def _table(report: QualityReport) -> None:
    """One table per school (the school's line, then its mentors'), its flags beneath."""
    from rich.console import Console
    from rich.table import Table

    from handlers.quality import words
    from handlers.text import t

    console = Console(highlight=False, width=max(Console().width, 110))
    title = t("page_quality_report_title", year=report.year.label)
    if not report.schools:
        console.print(t("q_tab_nothing", title=title, year=report.year.label))
        return
    console.print(f"[bold]{title}[/]  ({_thresholds(report)})")
    for s in report.schools:
        table = Table(title=s.name, title_justify="left", show_edge=False)
        for name in (*COLUMNS, *MORE):
            table.add_column(t(name), overflow="fold")
        c = s.compliance
        table.add_row(
            f"[bold]{t('q_tab_the_school')}[/]",
            str(sum(m.trainees for m in s.mentors)),
            _held(c.weeks_held, c.weeks_due, c.held_share),
            _days(c.median_feedback_days),
            _avg(s.trainees),
            _avg(s.tutors),
            words.hours(sum(m.training_minutes for m in s.mentors)) + " h",
            "",
        )
        for m in s.mentors:
            c = m.compliance
            table.add_row(
                m.name,
                str(m.trainees),
                _held(c.weeks_held, c.weeks_due, c.held_share),
                _days(c.median_feedback_days),
                "–" if m.trainees_withheld else _avg(m.overall("trainees")),
                _avg(m.overall("tutors")),
                words.hours(m.training_minutes) + " h",
                m.self_evaluated_at.date().isoformat()
                if m.self_evaluated_at
                else t("q_not_self_evaluated"),
            )
        console.print(table)
        console.print(f"  {words.year_before(report.before(s.school_id), report.year)}")
        for f in s.flags:
            console.print(f"  {words.flag(f)}")
        if not s.flags:
            console.print(f"  ✔ {t('q_no_flags')}")
        console.print()


def _thresholds(report: QualityReport) -> str:
    from handlers.quality import words
    from handlers.text import t

    limits = report.thresholds
    return t(
        "page_quality_thresholds",
        meetings=words.percent(limits.min_meetings_held),
        feedback=words.number(limits.max_median_feedback_days),
        score=words.number(limits.min_evaluation_score),
        hours=words.number(limits.min_training_hours),
    )


def _held(held: int, due: int, share: float | None) -> str:
    from handlers.quality import words

    return f"{held}/{due} ({words.percent(share)})"


def _days(days: float | None) -> str:
    from handlers.quality import words

    return words.days(days)


def _avg(avg: Average | None) -> str:
    from handlers.quality import words
    from handlers.text import t

    if avg is None:
        return "–"
    return t("q_tab_average", score=words.number(avg.score), n=avg.evaluations)
