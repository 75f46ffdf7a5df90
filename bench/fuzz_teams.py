"""A long fuzz run of POST /api/messages: the cases of tests/teams_fuzz.py, many more.

    .venv/bin/python bench/fuzz_teams.py [--examples 2000] [--authenticated 200] [--seed N]

Sends `--examples` generated requests to the app in anonymous (emulator) mode and
`--authenticated` more, with bearer tokens (valid, forged, expired, for another bot,
junk, none), to an app with an app id whose signing keys the connector stub serves. Each
runs against a fresh migrated SQLite database with the `build_world` roster.

Prints the count of answers per status code for each mode, then every 5xx (and every
request that was not a readable activity yet wrote rows) with a reproducer: the body,
content type, where its serviceUrl pointed and which token it carried. Exits 1 if there
was any, 0 otherwise. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from storage.db import make_engine
from storage.migrate import upgrade
from tests.teams_fuzz import Case, Fuzz, cases, running, token_cases

T = TypeVar("T")


class Loop:
    """An event loop in a thread: the app runs there while Hypothesis drives it from here."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


async def migrated(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def fuzz_mode(
    loop: Loop,
    tmp: Path,
    *,
    authenticated: bool,
    examples: int,
    strategy: st.SearchStrategy[Case],
    chosen_seed: int | None,
) -> tuple[Counter[int], list[str]]:
    db_url = f"sqlite:///{tmp / ('auth.db' if authenticated else 'anon.db')}"
    loop.run(migrated(db_url))
    context = running(db_url, authenticated=authenticated)
    fuzz: Fuzz = loop.run(context.__aenter__())
    statuses: Counter[int] = Counter()
    problems: list[str] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # every example counts; nothing is shrunk or replayed
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def one(case: Case) -> None:
        status, problem = loop.run(fuzz.verdict(case))
        statuses[status] += 1
        if problem is not None:
            problems.append(problem)

    try:
        (seed(chosen_seed)(one) if chosen_seed is not None else one)()
    finally:
        loop.run(context.__aexit__(None, None, None))
    return statuses, problems


def report(mode: str, statuses: Counter[int], problems: list[str], seconds: float) -> None:
    total = sum(statuses.values())
    counts = ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
    print(f"{mode}: {total} requests in {seconds:.0f} s; status counts {{{counts}}}")
    for problem in problems:
        print(f"\n--- {mode} reproducer ---\n{problem}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=2000, help="anonymous-mode requests")
    parser.add_argument(
        "--authenticated", type=int, default=200, help="requests with bearer tokens"
    )
    parser.add_argument("--seed", type=int, default=None, help="Hypothesis seed, to repeat a run")
    args = parser.parse_args()
    # The app logs every refused or failed request; the summary is what matters here.
    logging.basicConfig(level=logging.CRITICAL)
    loop = Loop()
    failed = False
    try:
        with tempfile.TemporaryDirectory(prefix="mentorbot-fuzz-") as tmp:
            modes = (
                ("anonymous", False, args.examples, cases()),
                ("authenticated", True, args.authenticated, token_cases()),
            )
            for mode, authenticated, examples, strategy in modes:
                if examples <= 0:
                    continue
                start = time.perf_counter()
                statuses, problems = fuzz_mode(
                    loop,
                    Path(tmp),
                    authenticated=authenticated,
                    examples=examples,
                    strategy=strategy,
                    chosen_seed=args.seed,
                )
                report(mode, statuses, problems, time.perf_counter() - start)
                failed = failed or bool(problems)
    finally:
        loop.stop()
    print("\nFAIL: 5xx answers or writes from bad input" if failed else "\nOK: no 5xx")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
