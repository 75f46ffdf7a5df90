"""Sweep time and peak memory for 10,000 and 30,000 trainees with a year of history.

    .venv/bin/python bench/sweep_bench.py [--sizes 10000,30000] [--pg-url postgresql://…]

For each size and database: a fresh schema, the generated history (bench/generate.py),
then the sweep of a Friday morning in June, when every kind of nudge and the digest are
due: the first sweep (which queues everything) and a second one (nothing new: the steady
state every minute). Peak RSS is the process's high-water mark, read before and after.
PASS/MISS against issue #17's targets for 30,000 trainees: first sweep <= 5 s, steady
<= 0.5 s, peak RSS <= 250 MB. `--baseline REV`: first the same on revision REV's code.
Not collected by pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

# The code measured: this checkout, or another revision's for --baseline (bench/baseline.py).
sys.path.insert(0, os.environ.get("MENTORBOT_BENCH_CODE") or str(Path(__file__).parents[1]))

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bench.generate import generate
from scheduler.policy import Policy
from scheduler.sweeps import Sweeper
from storage.db import make_engine, session_factory
from storage.migrate import upgrade

FRIDAY = datetime(2027, 6, 11, 9, 0, tzinfo=UTC)  # 10:00 in London, digest day
# Issue #17, for 30,000 trainees: the first sweep of a fresh deployment, a steady one, and
# the peak resident memory of either.
FIRST_TARGET, STEADY_TARGET, RSS_TARGET = 5.0, 0.5, 250.0


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def rss_mb() -> float:
    """Peak resident memory of this process (VmHWM: unlike ru_maxrss, not inherited from
    the parent that generated the data)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def fill(url: str, size: int) -> None:
    engine = make_engine(url)
    await upgrade(engine)
    t0 = time.perf_counter()
    counts = await generate(engine, size, until=FRIDAY.date())
    backend = make_url(url).get_backend_name()
    label = os.environ.get("MENTORBOT_BENCH_LABEL", "this checkout")
    print(
        f"[{label}] {backend:10} {size:>6} trainees  (generated {counts['meetings']} meetings, "
        f"{counts['ratings']} ratings in {time.perf_counter() - t0:.1f}s)",
        flush=True,
    )
    await engine.dispose()


async def measure(url: str, phase: str) -> None:
    """Runs in a fresh process, so peak RSS is the sweeps' own, not the generator's.
    `first`: the sweep that queues a whole Friday; `steady`: the sweeps after it, every
    minute, with nothing new (each in a process of its own, for its own peak memory)."""
    engine = make_engine(url)
    sweeper = Sweeper(session_factory(engine), Policy())
    start_rss = rss_mb()
    if phase == "first":
        t0 = time.perf_counter()
        first = await sweeper.run(FRIDAY)
        took, peak = time.perf_counter() - t0, rss_mb()
        print(
            f"           first sweep {took:6.2f}s  queued {first.queued}, "
            f"escalations {first.escalations}; peak RSS {peak:.0f} MB "
            f"(process started at {start_rss:.0f} MB)  "
            f"{verdict(took <= FIRST_TARGET)} (<= {FIRST_TARGET:g} s), "
            f"{verdict(peak <= RSS_TARGET)} (<= {RSS_TARGET:g} MB)",
            flush=True,
        )
        await built_at_send(engine)
    else:
        steady = []
        for minute in range(1, 5):
            t = time.perf_counter()
            result = await sweeper.run(FRIDAY.replace(minute=minute))
            steady.append((time.perf_counter() - t, result.queued))
        t2 = time.perf_counter()
        plan = await sweeper.plan(FRIDAY.replace(minute=6))
        t3 = time.perf_counter()
        best, peak = min(d for d, _ in steady), rss_mb()
        # A new process reads everything at its first sweep (as after a restart, a roster
        # change or midnight); the sweeps after it read what changed (scheduler/memo.py,
        # when the code measured has it).
        memo = getattr(sweeper, "memo", None)
        if memo is not None:
            print(
                f"           first sweep of a new process (reads everything) {steady[0][0]:.2f}s; "
                f"full reads in these sweeps: {memo.full_reads}",
                flush=True,
            )
        print(
            f"           next sweeps {' '.join(f'{d:.2f}s' for d, _ in steady)} (best {best:.2f}s)"
            f"  queued {sum(q for _, q in steady)}; plan only {t3 - t2:.2f}s "
            f"({len(plan.planned)} planned); peak RSS {peak:.0f} MB "
            f"(process started at {start_rss:.0f} MB)  "
            f"{verdict(best <= STEADY_TARGET)} (<= {STEADY_TARGET:g} s), "
            f"{verdict(peak <= RSS_TARGET)} (<= {RSS_TARGET:g} MB)",
            flush=True,
        )
    await engine.dispose()


async def built_at_send(engine: Any) -> None:
    """What the first sweep no longer builds (code with `scheduler.relevance.built_now`):
    the dispatcher builds each prompt and digest as it sends it. Its cost per message, on
    100 of each kind queued, so the work moved is shown, not hidden."""
    try:
        from scheduler.relevance import built_now
    except ImportError:
        return  # a revision that built everything in the sweep
    from storage.models import OutboxMessage

    sessions = session_factory(engine)
    sent_at = FRIDAY.replace(minute=5)
    for kind in ("weekly_prompt", "digest"):
        async with sessions() as s:
            stmt = select(OutboxMessage.key).where(OutboxMessage.kind == kind).limit(100)
            keys = list((await s.execute(stmt)).scalars())
        t0, cpu0 = time.perf_counter(), time.process_time()
        for key in keys:
            async with sessions() as s:
                await built_now(s, key=key, now=sent_at)
        n = max(len(keys), 1)
        print(
            f"           built when sent: {kind} {1000 * (time.perf_counter() - t0) / n:.1f} ms "
            f"each ({1000 * (time.process_time() - cpu0) / n:.1f} ms CPU), {len(keys)} measured",
            flush=True,
        )


def one(url: str, size: int) -> None:
    asyncio.run(fill(url, size))
    for phase in ("first", "steady"):
        subprocess.run([sys.executable, __file__, "--measure", url, "--phase", phase], check=True)


async def pg_scratch(admin: str) -> tuple[str, str]:
    name = f"mb_bench_{uuid.uuid4().hex[:8]}"
    eng = make_engine(admin, isolation_level="AUTOCOMMIT")
    async with eng.connect() as c:
        await c.execute(text(f'CREATE DATABASE "{name}"'))
    await eng.dispose()
    return name, make_url(admin).set(database=name).render_as_string(False)


async def pg_drop(admin: str, name: str) -> None:
    eng = make_engine(admin, isolation_level="AUTOCOMMIT")
    async with eng.connect() as c:
        await c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await eng.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,30000")
    parser.add_argument("--pg-url", default=os.environ.get("MENTORBOT_TEST_DATABASE_URL"))
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--phase", default="steady", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", metavar="REV", help="first the code of git revision REV")
    args = parser.parse_args()
    if args.measure:
        asyncio.run(measure(args.measure, args.phase))
        return
    if args.baseline:
        from bench.baseline import rerun_at

        argv = [a for a in sys.argv[1:] if a not in ("--baseline", args.baseline)]
        rerun_at(args.baseline, __file__, argv)
    for size in (int(s) for s in args.sizes.split(",")):
        if args.backend in ("sqlite", "both"):
            with tempfile.TemporaryDirectory() as tmp:
                one(f"sqlite:///{tmp}/bench.db", size)
        if args.backend in ("postgres", "both") and args.pg_url:
            name, url = asyncio.run(pg_scratch(args.pg_url))
            try:
                one(url, size)
            finally:
                asyncio.run(pg_drop(args.pg_url, name))


if __name__ == "__main__":
    main()
