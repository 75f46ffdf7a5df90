"""Fuzzing POST /slack/events at length: the requests of tests/test_fuzz_slack.py, thousands.

    .venv/bin/python bench/fuzz_slack.py [--examples 2000] [--seed 0]
    .venv/bin/python -m bench.fuzz_slack ...        (the same, from the repo root)

Starts the real aiohttp app in this process (fresh migrated SQLite in a temp dir,
build_world data, Slack Web API stub, dispatcher off) and sends it Hypothesis-generated
requests (tests/slack_fuzz.py): every kind of payload Slack sends us, mutated, oddly
encoded, signed or not. Prints how many got each status code (and per kind of payload),
then a reproducer for each 5xx, for each refusal (4xx) that wrote to the database and for
each identity stored under a foreign workspace. Exits 1 if there was any; not collected
by pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.slack_fuzz import FuzzRequest, FuzzTarget, requests, serving

SHOWN = 5  # reproducers printed per kind of failure


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    by_kind: Counter[tuple[str, int]] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    refusals_that_wrote: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.server_errors or self.refusals_that_wrote or self.foreign)


def fuzz(
    loop: asyncio.AbstractEventLoop, target: FuzzTarget, examples: int, seed_value: int
) -> Tally:
    tally = Tally()

    # Generation only, no shrinking: nothing is raised, so every example runs and is counted.
    @seed(seed_value)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one(data: st.DataObject) -> None:
        request: FuzzRequest = data.draw(requests(target.placement_id))
        outcome = loop.run_until_complete(target.check(request))
        tally.statuses[outcome.status] += 1
        tally.by_kind[(request.kind, outcome.status)] += 1
        if outcome.status >= 500:
            tally.server_errors.append(request.reproducer())
        elif outcome.status >= 400 and outcome.wrote:
            tally.refusals_that_wrote.append(request.reproducer())
        if outcome.foreign_workspaces and not tally.foreign:
            tally.foreign.append(
                f"{sorted(outcome.foreign_workspaces)!r} after {request.reproducer()}"
            )

    one()
    return tally


async def _start(db_url: str) -> None:
    from storage.db import make_engine
    from storage.migrate import upgrade

    engine = make_engine(db_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def report(tally: Tally, examples: int, seconds: float) -> None:
    print(f"{examples} examples in {seconds:.1f} s")
    print("status  count")
    for status, count in sorted(tally.statuses.items()):
        print(f"{status:>6}  {count}")
    print("\nkind               status  count")
    for (kind, status), count in sorted(tally.by_kind.items()):
        print(f"{kind:<18} {status:>6}  {count}")
    for title, found in (
        ("5xx", tally.server_errors),
        ("refusals that wrote", tally.refusals_that_wrote),
        ("identities under a foreign workspace", tally.foreign),
    ):
        print(f"\n{title}: {len(found)}")
        for reproducer in found[:SHOWN]:
            print("  " + reproducer)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)  # refusals are logged; thousands of them
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory(prefix="mentorbot-fuzz-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'mentorbot.db'}"
        loop.run_until_complete(_start(db_url))
        app = serving(db_url)
        target = loop.run_until_complete(app.__aenter__())
        started = time.perf_counter()
        try:
            tally = fuzz(loop, target, args.examples, args.seed)
        finally:
            loop.run_until_complete(app.__aexit__(None, None, None))
            loop.close()
    report(tally, sum(tally.statuses.values()), time.perf_counter() - started)
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
