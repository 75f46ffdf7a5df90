"""Cohort report benchmark: 2,000 trainees with a year of records, built under 5 s?

Fills a fresh SQLite database (and PostgreSQL with --pg-url) with bench/generate.py's
year of history, then, in a fresh process (so the peak memory is the report's, not the
generator's), builds the cohort report for the whole partnership and renders it as HTML
and CSV, and the School Summary Report of one school. Prints the time of each, the peak
RSS, and PASS/MISS against the 5 s target for the cohort report (query + HTML).

    python -m bench.cohort_report [--trainees 2000] [--pg-url postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.generate import generate
from bench.sweep_bench import pg_drop, pg_scratch, rss_mb
from storage.db import make_engine, session_factory
from storage.migrate import upgrade

TARGET_SECONDS = 5.0
YEAR_END = datetime(2027, 7, 16, 12, 0, tzinfo=UTC)


async def fill(url: str, trainees: int) -> None:
    engine = make_engine(url)
    await upgrade(engine)
    t0 = time.perf_counter()
    counts = await generate(engine, trainees, until=YEAR_END.date())
    print(
        f"{make_url(url).get_backend_name():10} {trainees} trainees: generated "
        f"{counts['meetings']} meetings, {counts['ratings']} ratings in "
        f"{time.perf_counter() - t0:.1f}s",
        flush=True,
    )
    await engine.dispose()


async def measure(url: str) -> None:
    from handlers.reports import files, render
    from storage.reports.cohort import CohortFilter, cohort
    from storage.reports.school import school_report

    engine = make_engine(url)
    sessions = session_factory(engine)
    async with sessions() as session:
        t0 = time.perf_counter()
        report = await cohort(session, CohortFilter(), now=YEAR_END)
        t1 = time.perf_counter()
        html = render.cohort_html(report)
        t2 = time.perf_counter()
        csv_text = files.cohort_csv(report)
        t3 = time.perf_counter()
        school_id = report.trainees[0].school_id
        await school_report(session, school_id=school_id, now=YEAR_END)
        t4 = time.perf_counter()
    await engine.dispose()
    built = t2 - t0
    verdict = "PASS" if built < TARGET_SECONDS else "MISS"
    print(
        f"  cohort report, {len(report.trainees)} trainees × {len(report.weeks)} weeks: "
        f"query {t1 - t0:.2f}s + HTML {t2 - t1:.2f}s ({len(html) / 1e6:.1f} MB) = "
        f"{built:.2f}s  [{verdict} < {TARGET_SECONDS:.0f}s]; CSV {t3 - t2:.2f}s "
        f"({len(csv_text) / 1e3:.0f} kB); one school's summary {t4 - t3:.2f}s; "
        f"peak RSS {rss_mb():.0f} MB",
        flush=True,
    )


def one(url: str, trainees: int) -> None:
    asyncio.run(fill(url, trainees))
    subprocess.run([sys.executable, "-m", "bench.cohort_report", "--measure", url], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=2000)
    parser.add_argument("--pg-url", default=os.environ.get("MENTORBOT_TEST_DATABASE_URL"))
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        asyncio.run(measure(args.measure))
        return
    with tempfile.TemporaryDirectory() as folder:
        one(f"sqlite:///{Path(folder) / 'bench.db'}", args.trainees)
    if args.pg_url:
        name, url = asyncio.run(pg_scratch(args.pg_url))
        try:
            one(url, args.trainees)
        finally:
            asyncio.run(pg_drop(args.pg_url, name))


if __name__ == "__main__":
    main()
