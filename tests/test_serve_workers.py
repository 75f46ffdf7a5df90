"""`mentorbot serve --workers 2`: two processes answer on one port, exactly one of them
sweeps (the leader election), and SIGTERM stops them all; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.stubs.slack_api import SlackApiStub

MENTORBOT = str(Path(sys.executable).with_name("mentorbot"))
LISTENING = re.compile(r"mentorbot listening on (http://\S+) \(2 workers\)")


async def started(
    db_url: str, stub: SlackApiStub, cwd: Path
) -> tuple[asyncio.subprocess.Process, str]:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": stub.url,
        "MENTORBOT_LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        MENTORBOT,
        "serve",
        "--workers",
        "2",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        env=env,
        cwd=cwd,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    seen: list[str] = []
    async with asyncio.timeout(60):
        while True:
            line = (await process.stderr.readline()).decode()
            if not line:
                pytest.fail(f"serve ended before listening: {seen}")
            seen.append(line)
            if found := LISTENING.search(line):
                return process, found.group(1)


async def answers(base: str) -> dict[int, bool]:
    """Which worker pids answered /healthz, and whether each leads, over fresh connections."""
    leaders: dict[int, bool] = {}
    async with asyncio.timeout(30):
        while len(leaders) < 2 or sum(leaders.values()) != 1:
            # A new connection each time, so that either worker may accept it.
            async with aiohttp.ClientSession() as http, http.get(f"{base}/healthz") as response:
                assert response.status == 200
                body = await response.json()
            leaders[body["pid"]] = body["leader"]
            await asyncio.sleep(0.02)
    return leaders


async def test_two_workers_share_the_port_and_one_leads(db_url, tmp_path):
    stub = await SlackApiStub().start()
    process = None
    try:
        process, base = await started(db_url, stub, tmp_path)
        leaders = await answers(base)
        assert len(leaders) == 2 and process.pid not in leaders
        assert sorted(leaders.values()) == [False, True]  # exactly one runs the sweeps
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(40):
            assert await process.wait() == 0
        for pid in leaders:  # the workers are gone too
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
    finally:
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()
        await stub.close()
