"""Slack as a platform: its settings, limits and edge, for `bot.platforms`."""

from __future__ import annotations

from bot.descriptor import ConfigCheck, Edge, PlatformDescriptor
from bot.settings import ConfigLine, Settings, mask
from bot.slack import COMMAND, NAME
from handlers.intake import Intake
from scheduler.dispatch import RateLimit

# chat.postMessage allows about one message per second per channel, with short bursts;
# the workspace-wide ceiling is MENTORBOT_SLACK_RATE (5 a second unless lowered).
PER_CHANNEL = (1.0, 1.0)


def rate_limit(settings: Settings) -> RateLimit:
    return RateLimit(per_conversation=PER_CHANNEL, overall=(settings.slack_rate, 1.0))


def enabled(settings: Settings) -> bool:
    return settings.slack_bot_token is not None or settings.slack_oauth


def _oauth_problems(s: Settings) -> list[str]:
    found = []
    if not s.slack_client_id:
        found.append("SLACK_CLIENT_ID is missing (OAuth mode: set it with SLACK_CLIENT_SECRET)")
    if s.slack_client_secret is None:
        found.append("SLACK_CLIENT_SECRET is missing (OAuth mode: set it with SLACK_CLIENT_ID)")
    if s.slack_signing_secret is None:
        found.append("set SLACK_SIGNING_SECRET: /slack/install and events need HTTP")
    return found


def _single_token_problems(s: Settings) -> list[str]:
    found = []
    if s.slack_bot_token is None:
        found.append("SLACK_BOT_TOKEN is missing (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)")
    elif not s.slack_bot_token.get_secret_value().startswith("xoxb-"):
        found.append("SLACK_BOT_TOKEN should be a bot token starting xoxb-")
    if s.slack_signing_secret is None and s.slack_app_token is None:
        found.append("set SLACK_SIGNING_SECRET (HTTP events) or SLACK_APP_TOKEN (Socket Mode)")
    return found


def problems(s: Settings) -> list[str]:
    if not (s.slack_bot_token or s.slack_signing_secret or s.slack_app_token or s.slack_oauth):
        return []
    found = _oauth_problems(s) if s.slack_oauth else _single_token_problems(s)
    if s.slack_app_token and not s.slack_app_token.get_secret_value().startswith("xapp-"):
        found.append("SLACK_APP_TOKEN should be an app-level token starting xapp-")
    return found


def mode(s: Settings) -> str:
    if s.slack_oauth:
        return "OAuth: many workspaces, each installs at /slack/install"
    if s.slack_bot_token is not None:
        return "single token: one workspace"
    return "(not configured)"


def check(s: Settings) -> ConfigCheck:
    lines = [ConfigLine("Slack mode", mode(s))]
    if s.slack_oauth:
        scopes = s.slack_scopes or "(the manifest's)"
        lines += [
            ConfigLine("SLACK_CLIENT_ID", s.slack_client_id or "(not set)"),
            ConfigLine("SLACK_CLIENT_SECRET", mask(s.slack_client_secret)),
            ConfigLine("SLACK_SCOPES", scopes),
            ConfigLine(
                "SLACK_TOKEN_ROTATION_EXPIRATION_MINUTES",
                str(s.slack_token_rotation_minutes),
                "used when token rotation is on at Slack",
            ),
        ]
        if s.slack_bot_token is not None:
            note = "ignored: each workspace's token comes from its install"
            lines.append(ConfigLine("SLACK_BOT_TOKEN", mask(s.slack_bot_token), note))
    else:
        lines.append(ConfigLine("SLACK_BOT_TOKEN", mask(s.slack_bot_token)))
    lines += [
        ConfigLine("SLACK_SIGNING_SECRET", mask(s.slack_signing_secret)),
        ConfigLine("SLACK_APP_TOKEN", mask(s.slack_app_token), "Socket Mode when set"),
        ConfigLine("SLACK_API_URL", s.slack_api_url),
    ]
    found = problems(s)
    ready = None
    if s.slack_configured and not found:
        ready = f"{NAME} (OAuth, many workspaces)" if s.slack_oauth else NAME
    return ConfigCheck(lines, found, ready)


def edge_for(settings: Settings, intake: Intake) -> Edge:
    # slack_bolt is imported only where Slack is served: a Teams-only bot starts without it.
    from bot.slack import setup

    return setup.edge_for(settings, intake)


DESCRIPTOR = PlatformDescriptor(
    name=NAME,
    label="Slack",
    direct_label="Slack DM",
    command_prefix=COMMAND + " ",
    rate_limit=rate_limit,
    check=check,
    enabled=enabled,
    build=edge_for,
)
