"""Building the bolt app and mounting it on the one aiohttp application."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import edge, listeners, payload, render, workspace
from bot.slack.output import SlackOutput
from handlers.intake import Intake
from handlers.router import Conversations
from storage.db import INTERACTION_SLOTS

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
    intake: Intake | None = None,
) -> tuple[AsyncApp, SlackOutput]:
    """`intake`: shared with the other edges (one set of slots per process)."""
    client = web_client(token, api_url, session)
    intake = intake or Intake(conversations, slots=INTERACTION_SLOTS)
    # A parked interaction is handled later with the same client: a first-time user can
    # still be matched to the roster by their Slack e-mail then.
    intake.users["slack"] = lambda team, user_id: listeners.platform_user(client, team, user_id)
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret or "socket-mode-has-no-signing-secret",
        request_verification_enabled=signing_secret is not None,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
    )
    app.middleware(workspace.same_workspace)
    listeners.register(app, intake)
    app.error(on_error)
    return app, SlackOutput(client)


async def on_error(
    error: Exception, body: dict[str, Any], response: BoltResponse | None
) -> BoltResponse | None:
    """A listener or middleware that raised before acknowledging is answered 500 by bolt,
    which the edge turns into a 400 (Slack shows the user an error, and resends an event).
    A modal would then just say it could not connect; it is replaced by an apology."""
    kind = payload.kind_of(body) if isinstance(body, dict) else None
    log.error("slack listener error kind=%s: %s", kind, type(error).__name__)
    if response is not None and response.status >= 500 and kind == "view_submission":
        return BoltResponse(
            status=200, body={"response_action": "update", "view": render.sorry_view()}
        )
    return None


def mount(web_app: web.Application, app: AsyncApp, signing_secret: str) -> None:
    web_app.router.add_post(PATH, edge.handler(app, signing_secret))
