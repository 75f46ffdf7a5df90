"""Building the bolt app and mounting it on the one aiohttp application."""

from __future__ import annotations

import logging

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import edge, listeners
from bot.slack.output import SlackOutput
from handlers.router import Conversations

log = logging.getLogger(__name__)
PATH = "/slack/events"


def web_client(
    token: str, api_url: str, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    # SLACK_API_URL reaches every Web API call through this one client (GovSlack, tests).
    # One shared HTTP session keeps connections (and TLS) open between calls.
    return AsyncWebClient(token=token, base_url=api_url, session=session)


def build(
    conversations: Conversations,
    *,
    token: str,
    signing_secret: str | None,
    api_url: str,
    session: aiohttp.ClientSession | None = None,
) -> tuple[AsyncApp, SlackOutput]:
    client = web_client(token, api_url, session)
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret or "socket-mode-has-no-signing-secret",
        request_verification_enabled=signing_secret is not None,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
    )
    listeners.register(app, conversations)

    @app.error
    async def on_error(error: Exception) -> None:
        log.error("slack listener error: %s", type(error).__name__)

    return app, SlackOutput(client)


def mount(web_app: web.Application, app: AsyncApp, signing_secret: str) -> None:
    web_app.router.add_post(PATH, edge.handler(app, signing_secret))
