"""Slack for many workspaces: the OAuth v2 install flow and the end of an installation.

`GET /slack/install` sends a workspace admin to Slack to approve the app (bolt's
`AsyncOAuthFlow`); Slack sends them back to `GET /slack/oauth_redirect` with a code, which
is exchanged for the workspace's bot token (`oauth.v2.access`, through SLACK_API_URL like
every call) and kept in slack_sdk's `AsyncSQLAlchemyInstallationStore` on our database.
The install's `state` is kept in slack_sdk's SQL state store on the same database, so a
browser sent to Slack by one bot instance may come back to another. Both stores' tables
are created by migration 0007, never by the stores.

Each request is then answered with its own workspace's token (bolt's installation store
authorize, refreshing rotating tokens through the same client), and each message sent with
its recipient's workspace's token (bot/slack/tokens.py). `app_uninstalled` and
`tokens_revoked` end the workspace's installation (storage.repo.slack_workspaces.revoke).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.descriptor import Route
from bot.manifests import SLACK_REDIRECT_PATH, slack_bot_scopes
from bot.settings import Settings
from bot.slack.tokens import Installed
from storage.db import transaction
from storage.repo import slack_workspaces

log = logging.getLogger(__name__)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = SLACK_REDIRECT_PATH
STATE_SECONDS = 10 * 60  # time to approve the app at Slack and come back
UNAVAILABLE = "The installation could not be saved just now. Please try again in a minute."


def scopes(settings: Settings) -> list[str]:
    """SLACK_SCOPES (comma-separated) when set, else the manifest's bot scopes."""
    if settings.slack_scopes:
        return [scope.strip() for scope in settings.slack_scopes.split(",") if scope.strip()]
    return slack_bot_scopes()


def authorization_url(api_url: str) -> str:
    """Slack's approval page, on the same host as its Web API (slack.com, slack-gov.com,
    or a local stand-in), so SLACK_API_URL moves the whole flow."""
    base = api_url[: -len("api/")] if api_url.endswith("/api/") else "https://slack.com/"
    return base + "oauth/v2/authorize"


@dataclass(frozen=True, slots=True)
class OAuth:
    """What the Slack edge needs in OAuth mode."""

    settings: AsyncOAuthSettings  # with our authorize (below) in place of bolt's
    tokens: Installed
    client_id: str


def build(
    settings: Settings,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    client: AsyncWebClient,
    http: aiohttp.ClientSession,
) -> OAuth:
    """The install flow, the per-workspace authorize and tokens, on our engine. `client`
    (no token of its own, base URL SLACK_API_URL) makes oauth.v2.access, auth.test and
    token refreshes."""
    if not settings.slack_client_id or settings.slack_client_secret is None:
        raise ValueError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are both needed")
    client_id = settings.slack_client_id
    secret = settings.slack_client_secret.get_secret_value()
    minutes = settings.slack_token_rotation_minutes
    store = AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=log)
    oauth_settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=secret,
        scopes=scopes(settings),
        user_scopes=[],
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorization_url(settings.slack_api_url),
        callback_options=AsyncCallbackOptions(success=_installed, failure=_not_installed),
        installation_store=store,
        token_rotation_expiration_minutes=minutes,
        state_store=InstallStates(sessions, STATE_SECONDS, engine),
        state_expiration_seconds=STATE_SECONDS,
        logger=log,
    )
    # bolt's own authorize would refresh tokens through a client of its own, at slack.com;
    # this one uses ours. Caching the auth.test answer per token saves a call to Slack on
    # every request (a new token, after a refresh or a reinstall, is asked about again).
    oauth_settings.authorize = AsyncInstallationStoreAuthorize(
        logger=log,
        installation_store=store,
        client_id=client_id,
        client_secret=secret,
        token_rotation_expiration_minutes=minutes,
        cache_enabled=True,
        client=client,
    )
    tokens = Installed(
        store=store,
        sessions=sessions,
        client_id=client_id,
        rotator=AsyncTokenRotator(client_id=client_id, client_secret=secret, client=client),
        rotation_minutes=minutes,
        api_url=settings.slack_api_url,
        http=http,
    )
    return OAuth(oauth_settings, tokens, client_id)


class InstallStates(AsyncSQLAlchemyOAuthStateStore):
    """slack_sdk's state store, which forgets states nobody came back with: every visit
    to the install page (anyone may visit it) issues one."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], seconds: int, engine: AsyncEngine
    ) -> None:
        super().__init__(expiration_seconds=seconds, engine=engine, logger=log)
        self.sessions = sessions

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        async with transaction(self.sessions) as session:
            await slack_workspaces.drop_expired_states(session, now=datetime.now(UTC))
        return await super().async_issue(*args, **kwargs)


async def _installed(args: AsyncSuccessArgs) -> BoltResponse:
    installation = args.installation
    log.info(
        "slack app installed team_id=%s enterprise_id=%s org_wide=%s",
        installation.team_id,
        installation.enterprise_id,
        installation.is_enterprise_install,
    )
    return await args.default.success(args)


async def _not_installed(args: AsyncFailureArgs) -> BoltResponse:
    log.info("slack install refused: %s", args.reason)
    if args.suggested_status_code >= 500:
        return BoltResponse(status=503, body=UNAVAILABLE, headers={"content-type": "text/plain"})
    return await args.default.failure(args)


# -- the two pages ---------------------------------------------------------------------

Step = Callable[[AsyncBoltRequest], Awaitable[BoltResponse]]


def _page(step: Step) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def page(request: web.Request) -> web.StreamResponse:
        headers: dict[str, str | Sequence[str]] = {
            name.lower(): value for name, value in request.headers.items()
        }
        bolt_request = AsyncBoltRequest(body="", query=request.query_string, headers=headers)
        try:
            response = await step(bolt_request)
        except Exception as exc:  # the database or Slack could not be reached
            log.error("slack install step failed: %s", type(exc).__name__)
            return web.Response(status=503, text=UNAVAILABLE)
        return await to_aiohttp_response(response)

    return page


def routes(app: AsyncApp) -> tuple[Route, ...]:
    flow = app.oauth_flow
    if flow is None:
        return ()
    return (
        Route("GET", INSTALL_PATH, _page(flow.handle_installation)),
        Route("GET", REDIRECT_PATH, _page(flow.handle_callback)),
    )


# -- the end of an installation ---------------------------------------------------------


def register_revocations(
    app: AsyncApp, sessions: async_sessionmaker[AsyncSession], client_id: str
) -> None:
    """`app_uninstalled` and `tokens_revoked` (of the bot's token) end the workspace's
    installation: its tokens are deleted, and its leaving kept for the reach report."""

    async def revoke(context: AsyncBoltContext, reason: str) -> None:
        workspace = context.enterprise_id if context.is_enterprise_install else context.team_id
        if not workspace:
            log.warning("slack %s without a workspace: ignored", reason)
            return
        async with transaction(sessions) as session:
            await slack_workspaces.revoke(
                session,
                client_id=client_id,
                workspace_id=workspace,
                reason=reason,
                now=datetime.now(UTC),
            )
        log.warning("slack %s team_id=%s: nothing more is sent there", reason, workspace)

    @app.event("app_uninstalled")
    async def on_uninstalled(context: AsyncBoltContext) -> None:
        await revoke(context, slack_workspaces.UNINSTALLED)

    @app.event("tokens_revoked")
    async def on_tokens_revoked(event: dict[str, Any], context: AsyncBoltContext) -> None:
        # The app asks for no user tokens; only the bot's token matters here.
        if (event.get("tokens") or {}).get("bot"):
            await revoke(context, slack_workspaces.TOKENS_REVOKED)
