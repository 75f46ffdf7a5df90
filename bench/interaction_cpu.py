"""CPU of one interaction inside the bot, without the platform edge (#17, target 1).

    .venv/bin/python bench/interaction_cpu.py [--n 500] [--backend sqlite|postgres]
                                              [--profile FILE]

Builds the runtime on a fresh database with tests.factories.build_world, then, one at a
time (so the figures are this work's alone), hands the conversations:
  - press:  "weekly.held" on this week's prompt (reads the meeting, returns the form);
  - submit: "weekly.not_held" for a week never signed off (writes the meeting and its
            audit entry);
  - concern: a concern raised (writes it, its audit entry and the lead mentor's alert);
and prints the process CPU (all threads: the database driver's included) per interaction
in ms, with PASS/MISS against the targets (press <= 3 ms, submit <= 4 ms; the edge's own
cost is measured by bench/slack_ack.py). Not collected by pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGETS = {"press": 3.0, "submit": 4.0, "concern": 4.0}
FIRST_WEEK = date(2026, 11, 23)


async def _measure(n: int, db_url: str, profile: str | None) -> dict[str, float]:
    from bot.runtime import build_runtime
    from bot.settings import Settings
    from handlers.context import PlatformUser
    from handlers.router import Press, Submit
    from storage.db import make_engine
    from storage.migrate import upgrade
    from tests.factories import NOW, build_world

    engine = make_engine(db_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    settings = Settings(DATABASE_URL=db_url)
    runtime = await build_runtime(settings, clock=lambda: NOW)
    world = await build_world(runtime.sessions)
    conversations = runtime.conversations

    async def email() -> str:
        return "mo.mentor@example.org"

    user = PlatformUser("slack", "T1", "UMENTOR", email_lookup=email)
    this_week = NOW.date() - timedelta(days=NOW.date().weekday())
    press = Press("weekly.held", f"{world.placement_id}:{this_week.isoformat()}")

    def submit(i: int) -> Submit:
        week = FIRST_WEEK + timedelta(weeks=i)
        state = {"placement_id": world.placement_id, "week": week.isoformat()}
        return Submit("weekly.not_held", {"reason": "Trainee ill"}, state, f"view:V{i}:h")

    await conversations.handle(user, press)  # first sight: identity learned, caches warm
    results: dict[str, float] = {}
    profiler = cProfile.Profile() if profile else None

    def concern(i: int) -> Submit:
        values = {"placement_id": str(world.placement_id), "category": "wellbeing"}
        values["details"] = "Tired and tearful"
        return Submit("concern", values, {}, f"view:C{i}:h")

    def interaction(kind: str, i: int) -> Press | Submit:
        return press if kind == "press" else submit(i) if kind == "submit" else concern(i)

    for kind in ("press", "submit", "concern"):
        if profiler is not None:
            profiler.enable()
        started = time.process_time()
        for i in range(n):
            reply = await conversations.handle(user, interaction(kind, i))
            assert not reply.form_errors, reply.form_errors
        results[kind] = (time.process_time() - started) * 1000 / n
        if profiler is not None:
            profiler.disable()
    if profiler is not None and profile:
        profiler.dump_stats(profile)
    await runtime.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("MENTORBOT_TEST_DATABASE_URL"))
    parser.add_argument("--profile", help="cProfile both loops into this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mentorbot-cpu-") as tmp:
        if args.backend == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'mentorbot.db'}"
        else:
            url = _fresh_pg(args.pg_url or "postgresql://postgres@127.0.0.1:5432/test")
        results = asyncio.run(_measure(args.n, url, args.profile))
    print(f"interaction CPU, {args.n} each, {args.backend}:")
    for kind, ms in results.items():
        verdict = "PASS" if ms <= TARGETS[kind] else "MISS"
        print(f"  {kind:<7} {ms:6.2f} ms  (target <= {TARGETS[kind]:.0f} ms) -> {verdict}")


def _fresh_pg(url: str) -> str:
    """A new empty database beside the given one (dropped by the next run)."""
    import asyncpg  # type: ignore[import-untyped]

    name = "mentorbot_cpu_bench"

    async def create() -> None:
        conn = await asyncpg.connect(url.replace("postgresql://", "postgres://"))
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {name}")
            await conn.execute(f"CREATE DATABASE {name}")
        finally:
            await conn.close()

    asyncio.run(create())
    return url.rsplit("/", 1)[0] + f"/{name}"


if __name__ == "__main__":
    main()
