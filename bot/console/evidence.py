"""The demo's last step: evidence out. One trainee's IDP and the cohort report, written as
the office would export them, to a folder of their own (the paths are printed)."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from rich.text import Text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.reports import render
from storage.reports import scope
from storage.reports.cohort import CohortFilter, cohort
from storage.reports.idp import idp


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
    return written


def said(paths: list[Path], trainee_name: str) -> Text:
    lines = [
        f"Evidence out (open in a browser; print to PDF on A4): {trainee_name}'s IDP and the cohort report"
    ]
    lines += [f"  {path}" for path in paths]
    return Text("\n".join(lines))
