"""The demo's last step: evidence out. One trainee's IDP and the cohort report, written as
the office would export them, to a folder of their own (the paths are printed)."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from rich.text import Text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.reports import quality_pages, render
from storage.reports import scope, years
from storage.reports.cohort import CohortFilter, cohort
from storage.reports.idp import idp
from storage.reports.quality import quality
from storage.reports.quality_facts import Scope
from storage.reports.quality_records import Audience, QualityReport


async def write_reports(
    sessions: async_sessionmaker[AsyncSession], trainee_email: str, now: datetime
) -> list[Path]:
    folder = Path(tempfile.mkdtemp(prefix="mentorbot-demo-"))
    async with sessions() as s:
        trainee_id = await scope.trainee_by_email(s, trainee_email)
        found = await idp(s, trainee_id=trainee_id) if trainee_id is not None else None
        report = await cohort(s, CohortFilter(), now=now)
    written = []
    if found is not None:
        written.append(folder / "idp.html")
        written[-1].write_text(render.idp_html(found, generated_at=now), encoding="utf-8")
    written.append(folder / "cohort-report.html")
    written[-1].write_text(render.cohort_html(report), encoding="utf-8")
    written.append(await write_quality(sessions, folder, now))
    return written


async def write_quality(
    sessions: async_sessionmaker[AsyncSession], folder: Path, now: datetime
) -> Path:
    """The annual quality report of the demo's academic year, as `mentorbot report
    quality --format html` writes it (the partnership office's full picture)."""
    path = folder / "quality-report.html"
    path.write_text(quality_pages.report_html(await _quality(sessions, now)), encoding="utf-8")
    return path


async def _quality(sessions: async_sessionmaker[AsyncSession], now: datetime) -> QualityReport:
    async with sessions() as s:
        year = years.containing(now.date())
        return await quality(
            s, year, Scope(), audience=Audience.FULL, now=now, with_year_before=True
        )


async def quality_said(sessions: async_sessionmaker[AsyncSession], now: datetime) -> Text:
    """The line about the quality report: its year, its schools, how many are flagged."""
    report = await _quality(sessions, now)
    year = report.year.label
    flagged = sum(1 for school in report.schools if school.flags)
    return Text(
        f"The annual quality report {year} (quality-report.html; mentorbot report quality "
        f"--year {year}): {len(report.schools)} schools, {flagged} flagged below the "
        "policy's thresholds, for the placement offers decision."
    )


def said(paths: list[Path], trainee_name: str) -> Text:
    lines = [
        f"Evidence out (open in a browser; print to PDF on A4): {trainee_name}'s IDP and the cohort report"
    ]
    lines += [f"  {path}" for path in paths]
    return Text("\n".join(lines))
