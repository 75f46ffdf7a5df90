"""The mentor quality page behind a signed link: the mentor sees their own (trainees only
as averages), their lead mentor and ITT leads the full picture, anyone else a 403."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.test_utils import TestServer

from bot.runtime import build_runtime, web_app
from bot.settings import Settings
from handlers.reports import links, pages
from handlers.reports.links import Grant
from handlers.router import Command, Conversations
from storage.db import session_factory
from tests import report_links
from tests.factories import NOW, build_world
from tests.quality_data import TRAINEE_COMMENT, build_quality
from tests.test_conversations import MENTOR


async def _page(engine: Any, person_id: int, mentor_id: int) -> str | None:
    async with session_factory(engine)() as s:
        grant = Grant("quality", person_id, int(NOW.timestamp()) + 3600, target=mentor_id)
        return await pages.page(s, grant, now=NOW)


async def test_the_mentor_page_follows_the_anonymity_rule(engine: Any) -> None:
    sessions = session_factory(engine)
    w = await build_world(sessions)
    await build_quality(sessions, w)
    own = await _page(engine, w.mentor_id, w.mentor_id)
    assert own is not None and "Mentor quality: Mo Mentor" in own
    assert "Academic year 2026-27" in own and "agree (4 of 5, from 3)" in own
    assert TRAINEE_COMMENT not in own and "Tom Trainee" not in own
    assert "no one trainee" in own
    lead = await _page(engine, w.lead_id, w.mentor_id)
    assert lead is not None and TRAINEE_COMMENT in lead and "Tom Trainee" in lead
    itt = await _page(engine, w.itt_lead_id, w.mentor_id)
    assert itt is not None and TRAINEE_COMMENT in itt
    # Another school's mentor, a trainee, another school's lead mentor: 403.
    assert await _page(engine, w.other_mentor_id, w.mentor_id) is None
    assert await _page(engine, w.trainee_id, w.mentor_id) is None
    assert await _page(engine, w.lead_id, w.other_mentor_id) is None


async def test_quality_in_chat_links_to_the_page_served_over_http(
    db_url: str, engine: Any, monkeypatch: Any
) -> None:
    """The link `quality` answers with opens the page (the mentor's view); altered: 403."""
    sessions = session_factory(engine)
    w = await build_world(sessions)
    await build_quality(sessions, w)
    report_links.switch_on(monkeypatch)
    try:
        reply = await Conversations(sessions, clock=lambda: NOW).handle(MENTOR, Command("quality"))
    finally:
        links.configure(None)
    found = report_links.LINK.search(str(reply.message))
    assert found is not None
    path = urlsplit(found.group()).path
    runtime = await build_runtime(Settings(DATABASE_URL=db_url), clock=lambda: NOW)
    server = TestServer(web_app(runtime, run_dispatcher=False), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
            async with http.get(path) as ok:
                page = await ok.text()
                assert ok.status == 200 and "Mentor quality: Mo Mentor" in page
                assert TRAINEE_COMMENT not in page
            async with http.get(path[:-3] + "AAA") as altered:
                assert altered.status == 403
    finally:
        await server.close()
        links.configure(None)
