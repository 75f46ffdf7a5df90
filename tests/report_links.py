"""For the scenario in which a lead mentor asks for the cohort report: report links switched
on, and the link the bot answered with opened as the lead mentor's browser would."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.test_utils import TestServer

from bot.runtime import build_runtime, web_app
from bot.settings import Settings
from handlers import notify
from handlers.digest.flow import digest
from handlers.keys import Digest
from handlers.reports import links
from handlers.reports.flow import ReportInDigest
from tests.factories import NOW, WEEK, World

PUBLIC = "https://mentorbot.example.org"
SECRET = "scenario-link-secret-0123456789"
# The token is base64url JSON, a dot and an HMAC-SHA256 (43 characters).
LINK = re.compile(re.escape(PUBLIC) + r"/reports/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]{43}")


def switch_on(monkeypatch: Any | None = None) -> None:
    """Links on for this process (and for `mentorbot chat`, from the environment)."""
    if monkeypatch is not None:
        monkeypatch.setenv("MENTORBOT_LINK_SECRET", SECRET)
        monkeypatch.setenv("MENTORBOT_PUBLIC_URL", PUBLIC)
    links.configure(links.LinkSettings(SECRET.encode(), PUBLIC))


async def send_digest(runtime: Any, w: World) -> None:
    """The lead mentor's weekly digest, as the scheduler would queue it (its own parts)."""
    async with runtime.sessions() as s, s.begin():
        await notify.to_person(
            s,
            key=str(Digest(w.lead_id, WEEK)),
            kind="digest",
            recipient_id=w.lead_id,
            message=digest([], [], ReportInDigest().section(None, {})),
            not_before=NOW,
        )
    await runtime.dispatcher.drain()


async def opens(seen: str, http: aiohttp.ClientSession | None, db_url: str = "") -> None:
    """The link in what the lead mentor saw opens their school's heatmap, and nobody
    else's trainees. `http`: the edge's own server; None: a server started here."""
    # A terminal wraps a long link; the words around it are joined with spaces.
    found = LINK.search(seen) or LINK.search(seen.replace(" ", ""))
    assert found, f"no report link in what the lead mentor saw:\n{seen}"
    path = urlsplit(found.group()).path
    if http is not None:
        status, page = await _get(http, path)
    else:
        runtime = await build_runtime(Settings(DATABASE_URL=db_url), clock=lambda: NOW)
        server = TestServer(web_app(runtime, run_dispatcher=False), host="127.0.0.1", port=0)
        await server.start_server()
        try:
            async with aiohttp.ClientSession(base_url=server.make_url("")) as client:
                status, page = await _get(client, path)
        finally:
            await server.close()
    links.configure(None)
    assert status == 200
    assert "Latest rating per trainee and standard" in page and "Tara Trainee" in page
    assert "Oli Other" not in page  # a trainee of another school


async def _get(http: aiohttp.ClientSession, path: str) -> tuple[int, str]:
    async with http.get(path) as response:
        return response.status, await response.text()
