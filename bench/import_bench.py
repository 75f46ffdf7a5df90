"""Time `mentorbot import roster` on a large placements.csv, on SQLite and PostgreSQL.

    .venv/bin/python bench/import_bench.py [--rows 30000] [--pg-url postgresql://…]

Generates a roster (a third as many trainees as rows, each with three placements; one
mentor per ten rows; one lead mentor per school), then for each database: a fresh schema,
the first import, the same file again (nothing to change) and a file with a tenth of the
rows changed. Each run is the installed `mentorbot` command, start-up included.

PostgreSQL runs when --pg-url (or MENTORBOT_BENCH_DATABASE_URL, or
MENTORBOT_TEST_DATABASE_URL) names a server; a scratch database is created there and
dropped afterwards. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import make_engine

HEADER = [
    "trainee_name",
    "trainee_email",
    "mentor_name",
    "mentor_email",
    "lead_mentor_name",
    "lead_mentor_email",
    "school",
    "school_platform",
    "programme",
    "start_date",
    "end_date",
]
TERMS = [("2025-09-01", "2025-12-19"), ("2026-01-05", "2026-03-27"), ("2026-04-13", "2026-07-17")]
MENTORBOT = Path(sys.executable).with_name("mentorbot")


def generate(path: Path, rows: int, *, changed_every: int = 0) -> None:
    """The roster; with changed_every=n, every n-th row has a renamed mentor and a new end."""
    trainees = max(-(-rows // len(TERMS)), 1)
    mentors = max(rows // 10, 1)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(rows):
            t, term = i % trainees, i // trainees % len(TERMS)
            m = (i * 7919 + term) % mentors
            school = m // 6
            start, end = TERMS[term]
            mentor_name = f"Mentor {m}"
            if changed_every and i % changed_every == 0:
                end = end[:-2] + "10"
            if changed_every and m % changed_every == 0:
                mentor_name += " (renamed)"
            out.writerow(
                [
                    f"Trainee {t}",
                    f"trainee{t}@uni.example.ac.uk",
                    mentor_name,
                    f"mentor{m}@school{school}.example.sch.uk",
                    f"Lead Mentor {school}",
                    f"lead{school}@school{school}.example.sch.uk",
                    f"School {school}",
                    "slack" if school % 2 else "teams",
                    f"PGCE Programme {t % 3}",
                    start,
                    end,
                ]
            )


def mentorbot(url: str, *args: str) -> tuple[float, str]:
    env = {**os.environ, "DATABASE_URL": url}
    began = time.perf_counter()
    done = subprocess.run(
        [str(MENTORBOT), *args], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"mentorbot {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


def bench(label: str, url: str, first: Path, changed: Path) -> None:
    mentorbot(url, "db", "upgrade")
    runs = [("first import", first), ("re-import", first), ("updated file", changed)]
    for name, path in runs:
        seconds, out = mentorbot(url, "import", "roster", str(path))
        placements = next(line for line in out.splitlines() if "placements:" in line).strip()
        print(f"{label:<10} {name:<13} {seconds:6.2f} s   {placements}")


async def _pg_admin(admin_url: str, statement: str) -> None:
    engine = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("MENTORBOT_BENCH_DATABASE_URL")
        or os.environ.get("MENTORBOT_TEST_DATABASE_URL"),
        help="a PostgreSQL server URL (a scratch database is created on it)",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mentorbot-bench-") as tmp:
        folder = Path(tmp)
        first, changed = folder / "placements.csv", folder / "placements-changed.csv"
        generate(first, args.rows)
        generate(changed, args.rows, changed_every=10)
        print(f"{args.rows} placement rows; each run is the `mentorbot` command, start-up included")
        if not args.skip_sqlite:
            bench("sqlite", f"sqlite:///{folder / 'bench.db'}", first, changed)
        if args.pg_url:
            name = f"mb_bench_{uuid.uuid4().hex[:8]}"
            asyncio.run(_pg_admin(args.pg_url, f'CREATE DATABASE "{name}"'))
            try:
                url = make_url(args.pg_url).set(database=name).render_as_string(False)
                bench("postgres", url, first, changed)
            finally:
                asyncio.run(
                    _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                )
        else:
            print("postgres   skipped (no --pg-url)")


if __name__ == "__main__":
    main()
