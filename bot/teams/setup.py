"""Building the Teams edge: CloudAdapter, the bot's turns behind POST /api/messages, output."""

from __future__ import annotations

import logging

from botbuilder.integration.aiohttp import CloudAdapter
from botframework.connector.auth import ServiceClientCredentialsFactory
from msrest.universal_http.requests import ClientRetryPolicy

from bot.descriptor import Edge, Route
from bot.settings import Settings
from bot.teams import edge
from bot.teams.auth import BotConfig, RequestAuth, authentication
from bot.teams.descriptor import anonymous
from bot.teams.output import Conversations as Known
from bot.teams.output import TeamsOutput
from bot.teams.tenants import TenantGate
from bot.teams.turns import TeamsBot
from handlers.intake import Intake

log = logging.getLogger(__name__)
PATH = "/api/messages"
ANONYMOUS_WARNING = (
    "WARNING: Teams anonymous mode: /api/messages accepts UNAUTHENTICATED requests. "
    "For the Bot Framework Emulator only; never expose this server."
)


def _fast_retry_policy() -> None:
    """msrest builds every client's retry policy by testing 999 status codes against a
    500-item list: ~8 ms of CPU, twice per turn (connector and token clients). The same
    codes as a set give the same policy in microseconds. (Only msrest's __init__ reads it.)"""
    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]


def config_from(settings: Settings, *, openid_metadata_url: str | None = None) -> BotConfig:
    return BotConfig.create(
        settings.microsoft_app_id,
        settings.microsoft_app_password.get_secret_value()
        if settings.microsoft_app_password
        else None,
        settings.microsoft_app_type,
        settings.microsoft_app_tenant_id,
        openid_metadata_url=openid_metadata_url,
    )


def build(
    intake: Intake,
    settings: Settings,
    *,
    config: BotConfig | None = None,
    credentials: ServiceClientCredentialsFactory | None = None,
) -> Edge:
    """POST /api/messages and the Teams output channel, sharing one CloudAdapter.

    `config` and `credentials` replace what the settings give (tests: a local OpenID
    metadata endpoint, and outbound tokens without Azure AD)."""
    _fast_retry_policy()
    config = config or config_from(settings)
    bfa, _factory = authentication(config, credentials)
    adapter = CloudAdapter(bfa)
    known = Known()
    auth = RequestAuth(bfa, app_id=config.APP_ID, allow_anonymous=anonymous(settings))
    home = [*(settings.teams_tenants or "").split(","), settings.microsoft_app_tenant_id or ""]
    gate = TenantGate(intake.conversations.sessions, home)
    endpoint = edge.handler(adapter, TeamsBot(intake, known), auth, gate)

    async def close() -> None:
        auth.close()  # its key-fetching threads
        await bfa.close()  # the reused connector clients' connections

    warnings: tuple[str, ...] = ()
    if auth.anonymous:
        log.warning("Teams accepts UNAUTHENTICATED requests (anonymous development mode)")
        warnings = (ANONYMOUS_WARNING,)
    return Edge(
        output=TeamsOutput(adapter, config.APP_ID, known),
        routes=(Route("POST", PATH, endpoint),),
        closers=(close,),
        warnings=warnings,
    )


def edge_for(settings: Settings, intake: Intake) -> Edge:
    return build(intake, settings)
