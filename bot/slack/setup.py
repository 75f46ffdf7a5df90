"""Building the Slack edge: the bolt app behind POST /slack/events (or Socket Mode), and
the output channel, sharing one Web API client."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.descriptor import Connection, Edge, Route
from bot.settings import Settings
from bot.slack import NAME, channels, edge, listeners, oauth, payload, render, workspace
from bot.slack.output import SlackOutput
from bot.slack.tokens import NotInstalled, SingleWorkspace, Tokens
from handlers.context import PlatformUser
from handlers.intake import Intake
from storage.db import engine_of

log = logging.getLogger(__name__)
PATH = "/slack/events"


def web_client(
    token: str | None, api_url: str, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    # SLACK_API_URL reaches every Web API call through this one client (GovSlack, tests).
    # One shared HTTP session keeps connections (and TLS) open between calls.
    return AsyncWebClient(token=token, base_url=api_url, session=session)


def bolt_app(
    client: AsyncWebClient,
    intake: Intake,
    signing_secret: str | None,
    installs: oauth.OAuth | None = None,
) -> AsyncApp:
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret or "socket-mode-has-no-signing-secret",
        # edge.handler has checked the signature on the raw bytes before bolt sees a
        # request (and Socket Mode has none): bolt's own check would be the same HMAC again.
        request_verification_enabled=False,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
        oauth_settings=installs.settings if installs is not None else None,
    )
    app.middleware(workspace.same_workspace)
    inbound = listeners.Inbound(intake)
    listeners.register(app, inbound)
    channels.register(app, inbound)
    if installs is not None:
        oauth.register_revocations(app, intake.conversations.sessions, installs.client_id)
    app.error(on_error)
    return app


def _tokens(
    settings: Settings, intake: Intake, http: aiohttp.ClientSession
) -> tuple[AsyncWebClient, Tokens, oauth.OAuth | None]:
    """The shared client and where each workspace's token comes from: SLACK_BOT_TOKEN
    (one workspace), or each workspace's installation (OAuth mode)."""
    if settings.slack_oauth:
        client = web_client(None, settings.slack_api_url, http)
        sessions = intake.conversations.sessions
        installs = oauth.build(settings, engine_of(sessions), sessions, client, http)
        return client, installs.tokens, installs
    if settings.slack_bot_token is None:
        raise ValueError("SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET) is not set")
    client = web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url, http)
    return client, SingleWorkspace(client), None


def edge_for(settings: Settings, intake: Intake) -> Edge:
    """The Slack edge for these settings (see the descriptor for what they must hold)."""
    http = aiohttp.ClientSession()
    client, tokens, installs = _tokens(settings, intake, http)
    secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    )
    app = bolt_app(client, intake, secret, installs)
    routes = (Route("POST", PATH, edge.handler(app, secret)),) if secret is not None else ()
    app_token = settings.slack_app_token
    sockets = (SocketMode(app, app_token.get_secret_value()).connection(),) if app_token else ()
    return Edge(
        output=SlackOutput(tokens),
        routes=routes + oauth.routes(app),
        connections=sockets,
        # A parked interaction is handled later with its workspace's client: a first-time
        # user can still be matched to the roster by their Slack e-mail then.
        users=lambda team, user_id: later_user(tokens, team, user_id),
        closers=(http.close,),
    )


def later_user(tokens: Tokens, team: str, user_id: str) -> PlatformUser:
    """The person behind a parked interaction, their e-mail asked of their workspace."""

    async def email() -> str | None:
        try:
            client = await tokens.client_for(team)
        except NotInstalled:
            return None
        lookup = listeners.platform_user(client, team, user_id).email_lookup
        return await lookup() if lookup is not None else None

    return PlatformUser(NAME, team or "", user_id, email_lookup=email)


class SocketMode:
    """Slack over a WebSocket the bot opens (for schools behind firewalls): no routes."""

    def __init__(self, app: AsyncApp, app_token: str) -> None:
        self.app, self.app_token = app, app_token
        self.handler: AsyncSocketModeHandler | None = None

    def connection(self) -> Connection:
        return Connection("Slack Socket Mode", self.open, self.close)

    async def open(self) -> None:
        self.handler = AsyncSocketModeHandler(self.app, self.app_token)
        await self.handler.connect_async()

    async def close(self) -> None:
        if self.handler is not None:
            await self.handler.close_async()
            self.handler = None


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
