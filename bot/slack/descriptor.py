"""Slack as a platform: its settings, limits and edge, for `bot.platforms`."""

from __future__ import annotations

from bot.descriptor import ConfigCheck, PlatformDescriptor
from bot.settings import ConfigLine, Settings, mask
from bot.slack import COMMAND, NAME, setup
from scheduler.dispatch import RateLimit

# chat.postMessage allows about one message per second per channel, with short bursts;
# the workspace-wide ceiling is MENTORBOT_SLACK_RATE (5 a second unless lowered).
PER_CHANNEL = (1.0, 1.0)


def rate_limit(settings: Settings) -> RateLimit:
    return RateLimit(per_conversation=PER_CHANNEL, overall=(settings.slack_rate, 1.0))


def enabled(settings: Settings) -> bool:
    return settings.slack_bot_token is not None


def problems(s: Settings) -> list[str]:
    if not (s.slack_bot_token or s.slack_signing_secret or s.slack_app_token):
        return []
    found = []
    if s.slack_bot_token is None:
        found.append("SLACK_BOT_TOKEN is missing")
    elif not s.slack_bot_token.get_secret_value().startswith("xoxb-"):
        found.append("SLACK_BOT_TOKEN should be a bot token starting xoxb-")
    if s.slack_signing_secret is None and s.slack_app_token is None:
        found.append("set SLACK_SIGNING_SECRET (HTTP events) or SLACK_APP_TOKEN (Socket Mode)")
    if s.slack_app_token and not s.slack_app_token.get_secret_value().startswith("xapp-"):
        found.append("SLACK_APP_TOKEN should be an app-level token starting xapp-")
    return found


def check(s: Settings) -> ConfigCheck:
    lines = [
        ConfigLine("SLACK_BOT_TOKEN", mask(s.slack_bot_token)),
        ConfigLine("SLACK_SIGNING_SECRET", mask(s.slack_signing_secret)),
        ConfigLine("SLACK_APP_TOKEN", mask(s.slack_app_token), "Socket Mode when set"),
        ConfigLine("SLACK_API_URL", s.slack_api_url),
    ]
    found = problems(s)
    return ConfigCheck(lines, found, NAME if s.slack_configured and not found else None)


DESCRIPTOR = PlatformDescriptor(
    name=NAME,
    label="Slack",
    direct_label="Slack DM",
    command_prefix=COMMAND + " ",
    rate_limit=rate_limit,
    check=check,
    enabled=enabled,
    build=setup.edge_for,
)
