"""Start-up: `mentorbot --help`, every command's --help, and `serve` until it answers.

    .venv/bin/python bench/startup_bench.py [--runs 5] [--baseline REV]

Each command's `--help` is run --runs times in a fresh interpreter (as the installed
`mentorbot` runs it) and its median wall time kept; PASS when the slowest median is
<= 0.4 s. Then `mentorbot serve` (Slack configured against tests/stubs/slack_api.py, a
migrated SQLite database) is started --runs times and timed until /healthz answers (any
status: it is listening and serving), with --workers 1 and 2; PASS when <= 2 s.
`--baseline REV` first runs the same on the code of git revision REV (bench/baseline.py).
Not collected by pytest; the machine's load shows in the figures, so compare the two
columns of one run rather than runs made at different times.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The code measured: this checkout, or another revision's for --baseline (bench/baseline.py).
sys.path.insert(0, os.environ.get("MENTORBOT_BENCH_CODE") or str(Path(__file__).parents[1]))

import aiohttp

from tests.stubs.slack_api import SlackApiStub

CODE = sys.path[0]

HELP_TARGET = 0.4
SERVE_TARGET = 2.0
COMMANDS = [
    "",
    "serve",
    "worker",
    "due",
    "tick",
    "status",
    "chat",
    "demo",
    "db upgrade",
    "db status",
    "config check",
    "import roster",
    "import calendar",
    "policy show",
    "policy example",
    "manifest slack",
    "manifest teams",
    "export idp",
    "report cohort",
    "report school",
]
# The installed `mentorbot` script, importing the code measured.
ENTRY = "import sys; from bot.cli import main; sys.argv[0] = 'mentorbot'; sys.exit(main())"


def mentorbot(*args: str) -> list[str]:
    return [sys.executable, "-c", ENTRY, *args]


def env_for(**extra: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "TZ", "TMPDIR")
    return {k: v for k, v in os.environ.items() if k in keep} | {"PYTHONPATH": CODE} | extra


def time_help(command: str, runs: int, cwd: Path) -> float | None:
    """Median seconds of `mentorbot COMMAND --help`, or None if the code has no such command."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(
            mentorbot(*command.split(), "--help"), env=env_for(), cwd=cwd, capture_output=True
        )
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            return None
    return statistics.median(times)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def time_serve(env: dict[str, str], workers: int, cwd: Path) -> float | None:
    """Seconds from starting `serve` to its first /healthz answer (None: no --workers)."""
    port = free_port()
    args = ["serve", "--port", str(port)] + (["--workers", str(workers)] if workers > 1 else [])
    t0 = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *mentorbot(*args), env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        async with aiohttp.ClientSession() as http:
            while time.perf_counter() - t0 < 60:
                if process.returncode is not None:
                    return None
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        await response.read()
                        return time.perf_counter() - t0
                except aiohttp.ClientError:
                    await asyncio.sleep(0.01)
        return None
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), 60)


async def serve_times(runs: int, tmp: Path) -> dict[int, float | None]:
    stub = await SlackApiStub().start()
    try:
        env = env_for(
            DATABASE_URL=f"sqlite:///{tmp / 'mentorbot.db'}",
            SLACK_BOT_TOKEN="xoxb-bench",
            SLACK_SIGNING_SECRET="bench",
            SLACK_API_URL=stub.url,
            MENTORBOT_HOST="127.0.0.1",
            MENTORBOT_LOG_LEVEL="ERROR",
        )
        upgrade = await asyncio.create_subprocess_exec(
            *mentorbot("db", "upgrade"), env=env, cwd=tmp, stdout=subprocess.DEVNULL
        )
        assert await upgrade.wait() == 0
        found: dict[int, float | None] = {}
        for workers in (1, 2):
            times = [await time_serve(env, workers, tmp) for _ in range(runs)]
            found[workers] = None if None in times else statistics.median(t for t in times if t)
        return found
    finally:
        await stub.close()


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", metavar="REV", help="first the code of git revision REV")
    args = parser.parse_args()
    if args.baseline:
        from bench.baseline import rerun_at

        rerun_at(args.baseline, __file__, ["--runs", str(args.runs)])
    label = os.environ.get("MENTORBOT_BENCH_LABEL", "this checkout")
    print(f"[{label}] median of {args.runs} runs", flush=True)
    with tempfile.TemporaryDirectory(prefix="mentorbot-startup-") as tmp_name:
        tmp = Path(tmp_name)
        helps = {c: time_help(c, args.runs, tmp) for c in COMMANDS}
        for command, seconds in helps.items():
            shown = "(no such command)" if seconds is None else f"{seconds:.2f} s"
            print(f"  mentorbot {command + ' ' if command else ''}--help  {shown}", flush=True)
        slowest = max(s for s in helps.values() if s is not None)
        print(f"  slowest --help {slowest:.2f} s  {verdict(slowest <= HELP_TARGET)} (<= 0.4 s)")
        for workers, seconds in asyncio.run(serve_times(args.runs, tmp)).items():
            if seconds is None:
                print(f"  serve --workers {workers}: not available")
                continue
            ok = verdict(seconds <= SERVE_TARGET)
            print(f"  serve --workers {workers}: answers after {seconds:.2f} s  {ok} (<= 2 s)")


if __name__ == "__main__":
    main()
