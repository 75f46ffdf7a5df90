"""GET /reports/{token}: the report a signed link grants, or a plain 403 page.

The token is checked (signature, expiry) before the database is touched; the holder's
rights are then read from the roster again, so a lead mentor's link gives 403 for a
trainee of another school. Logs carry the grant's kind and ids, never names.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import ConfigLine, Settings, mask
from handlers.reports import links, pages, render

log = logging.getLogger(__name__)
ROUTE = links.PATH + "{token}"
MIN_SECRET = 16
HEADERS = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    # The pages are self-contained: inline CSS, nothing else loads, no script runs.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}


def _page(text: str, status: int) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", headers=HEADERS)


def forbidden() -> web.Response:
    return _page(render.forbidden_html(), 403)


def handler(
    sessions: async_sessionmaker[AsyncSession], now: Callable[[], datetime]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def report(request: web.Request) -> web.Response:
        settings = links.current()
        moment = now()
        grant = (
            links.verify(request.match_info["token"], settings.secret, now=moment)
            if settings is not None
            else None
        )
        if grant is None:
            log.info("report link refused: invalid or expired")
            return forbidden()
        async with sessions() as session:
            html = await pages.page(session, grant, now=moment)
        if html is None:
            log.warning(
                "report link refused: person_id=%s may not see %s %s",
                grant.person_id,
                grant.kind,
                grant.target,
            )
            return forbidden()
        log.info("report served: %s for person_id=%s", grant.kind, grant.person_id)
        return _page(html, 200)

    return report


def mount(
    app: web.Application,
    sessions: async_sessionmaker[AsyncSession],
    now: Callable[[], datetime],
) -> None:
    app.router.add_get(ROUTE, handler(sessions, now))


def link_settings(settings: Settings) -> links.LinkSettings | None:
    """Links are made only with both a secret and the public address; else they are off
    (the bot says so in chat, and `mentorbot config check` says why)."""
    if settings.link_secret is None or not settings.public_url:
        return None
    secret = settings.link_secret.get_secret_value().encode()
    if len(secret) < MIN_SECRET:
        return None  # a guessable key would let anyone forge a link
    return links.LinkSettings(secret, settings.public_url, timedelta(hours=settings.link_hours))


def config_lines(settings: Settings) -> list[ConfigLine]:
    off = "" if link_settings(settings) is not None else "report links are off until both are set"
    secret = settings.link_secret
    if secret is not None and len(secret.get_secret_value().encode()) < MIN_SECRET:
        off = f"report links are off: the secret needs at least {MIN_SECRET} characters"
    return [
        ConfigLine("MENTORBOT_LINK_SECRET", mask(settings.link_secret), off),
        ConfigLine("MENTORBOT_PUBLIC_URL", settings.public_url or "(not set)", off),
        ConfigLine("MENTORBOT_LINK_HOURS", str(settings.link_hours)),
    ]
