"""A lead mentor asks for the cohort report on Slack, Teams and the console, and the link
the bot answers with opens their school's heatmap (× SQLite and PostgreSQL).

Kept beside tests/test_scenarios.py (whose edges it reuses) while that table is being
extended by another change; the row moves into tests/scenarios.py when both have landed.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.runtime import build_runtime, web_app
from bot.settings import Settings
from tests.factories import NOW
from tests.slack_harness import USERS as SLACK_USERS
from tests.test_scenarios import EDGES

PUBLIC = "https://mentorbot.example.org"
LINK = re.compile(
    re.escape(PUBLIC) + r"/reports/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]{43}"
)  # an HMAC-SHA256


async def _ask(edge: str, driver: Any) -> None:
    if edge == "slack":
        before = len(driver.h.stub.called("chat.postMessage"))
        assert (await driver.h.command("ULEAD", "report")).status == 200
        await driver.h.stub.wait_for("chat.postMessage", before + 1)
    elif edge == "teams":
        await driver.install("lead")
        assert await driver.h.say("lead", "report") == 200
    else:
        driver.first = "lead"
        lead = next(e for e in SLACK_USERS.values() if e.startswith("lee."))
        await driver._chat(lead, "report")


async def _open(db_url: str, path: str, http: aiohttp.ClientSession | None) -> tuple[int, str]:
    if http is not None:  # the edge's own server
        async with http.get(path) as response:
            return response.status, await response.text()
    runtime = await build_runtime(Settings(DATABASE_URL=db_url), clock=lambda: NOW)
    server = TestServer(web_app(runtime, run_dispatcher=False), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession(base_url=server.make_url("")) as client:
            async with client.get(path) as response:
                return response.status, await response.text()
    finally:
        await server.close()


@pytest.mark.parametrize("edge", sorted(EDGES))
async def test_a_lead_mentor_gets_a_cohort_report_link_that_opens(
    edge, db_url, monkeypatch, capsys, tmp_path
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MENTORBOT_LINK_SECRET", "chat-link-secret-0123456789")
    monkeypatch.setenv("MENTORBOT_PUBLIC_URL", PUBLIC)
    async with EDGES[edge](db_url, monkeypatch=monkeypatch, capsys=capsys) as driver:
        await _ask(edge, driver)
        seen = driver.seen()["lead"]
        # The terminal wraps a long link; the words around it are joined with spaces.
        found = LINK.search(seen.replace(" ", "") if edge == "console" else seen)
        assert found, f"no report link in what the lead mentor saw:\n{seen}"
        assert "24 hours" in seen
        http = driver.h.http if edge != "console" else None
        status, page = await _open(db_url, urlsplit(found.group()).path, http)
    assert status == 200
    assert "Cohort report" in page and "Tara Trainee" in page
    assert "Oli Other" not in page  # another school's trainee
    assert "Latest rating per trainee and standard" in page
