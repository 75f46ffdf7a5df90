"""Microsoft Teams as a platform: its settings, limits and edge, for `bot.platforms`."""

from __future__ import annotations

from bot.descriptor import ConfigCheck, Edge, PlatformDescriptor
from bot.settings import ConfigLine, Settings, mask
from bot.teams import NAME
from handlers.intake import Intake
from scheduler.dispatch import RateLimit

APP_TYPES = ("MultiTenant", "SingleTenant", "UserAssignedMSI")
# Seven messages a second per conversation; the app's ceiling per tenant (50 a second) is
# MENTORBOT_TEAMS_RATE.
PER_CONVERSATION = (7.0, 1.0)


def rate_limit(settings: Settings) -> RateLimit:
    return RateLimit(per_conversation=PER_CONVERSATION, overall=(settings.teams_rate, 1.0))


def problems(s: Settings) -> list[str]:
    if not (s.microsoft_app_id or s.microsoft_app_password or s.microsoft_app_tenant_id):
        return []
    found = []
    if not s.microsoft_app_id:
        found.append("MicrosoftAppId is missing")
    if s.microsoft_app_type not in APP_TYPES:
        found.append(f"MicrosoftAppType must be one of {', '.join(APP_TYPES)}")
    if s.microsoft_app_type != "UserAssignedMSI" and not s.microsoft_app_password:
        found.append("MicrosoftAppPassword is missing")
    if s.microsoft_app_type == "SingleTenant" and not s.microsoft_app_tenant_id:
        found.append("MicrosoftAppTenantId is required for a SingleTenant app")
    return found


def _ready(s: Settings, found: list[str]) -> str | None:
    if s.teams_configured and not found:
        return NAME
    if anonymous(s):
        return f"{NAME} (anonymous development mode)"
    return None


def check(s: Settings) -> ConfigCheck:
    lines = [
        ConfigLine("MicrosoftAppId", s.microsoft_app_id or "(not set)"),
        ConfigLine("MicrosoftAppPassword", mask(s.microsoft_app_password)),
        ConfigLine("MicrosoftAppType", s.microsoft_app_type),
        ConfigLine("MicrosoftAppTenantId", s.microsoft_app_tenant_id or "(not set)"),
    ]
    found = problems(s)
    return ConfigCheck(lines, found, _ready(s, found))


def enabled(settings: Settings) -> bool:
    """Teams runs with an app id and password, or anonymously when that was asked for."""
    return settings.teams_configured or anonymous(settings)


def anonymous(settings: Settings) -> bool:
    return settings.teams_allow_anonymous and not settings.microsoft_app_id


def edge_for(settings: Settings, intake: Intake) -> Edge:
    # botbuilder is imported only where Teams is served: a Slack-only bot starts without it.
    from bot.teams import setup

    return setup.edge_for(settings, intake)


DESCRIPTOR = PlatformDescriptor(
    name=NAME,
    label="Teams",
    direct_label="Teams chat",
    command_prefix="",
    rate_limit=rate_limit,
    check=check,
    # With an app id and password, or anonymously when that was asked for.
    enabled=enabled,
    build=edge_for,
    # A proactive message needs the conversation the install (or a first message) gave.
    needs_conversation=True,
)
