"""What `mentorbot config check` reports: each setting, masked, and what each platform lacks."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.settings import DEFAULT_DATABASE_URL, ConfigLine, Settings, mask
from storage.db import DatabaseUrlError, async_url

APP_TYPES = ("MultiTenant", "SingleTenant", "UserAssignedMSI")


@dataclass(slots=True)
class ConfigReport:
    lines: list[ConfigLine] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)
    usable_platforms: list[str] = field(default_factory=list)

    @property
    def works(self) -> bool:
        return bool(self.usable_platforms) and not any(self.problems.values())


def _slack_problems(s: Settings) -> list[str]:
    anything = s.slack_bot_token or s.slack_signing_secret or s.slack_app_token
    if not anything:
        return []
    problems = []
    if s.slack_bot_token is None:
        problems.append("SLACK_BOT_TOKEN is missing")
    elif not s.slack_bot_token.get_secret_value().startswith("xoxb-"):
        problems.append("SLACK_BOT_TOKEN should be a bot token starting xoxb-")
    if s.slack_signing_secret is None and s.slack_app_token is None:
        problems.append("set SLACK_SIGNING_SECRET (HTTP events) or SLACK_APP_TOKEN (Socket Mode)")
    if s.slack_app_token and not s.slack_app_token.get_secret_value().startswith("xapp-"):
        problems.append("SLACK_APP_TOKEN should be an app-level token starting xapp-")
    return problems


def _teams_problems(s: Settings) -> list[str]:
    if not (s.microsoft_app_id or s.microsoft_app_password or s.microsoft_app_tenant_id):
        return []
    problems = []
    if not s.microsoft_app_id:
        problems.append("MicrosoftAppId is missing")
    if s.microsoft_app_type not in APP_TYPES:
        problems.append(f"MicrosoftAppType must be one of {', '.join(APP_TYPES)}")
    if s.microsoft_app_type != "UserAssignedMSI" and not s.microsoft_app_password:
        problems.append("MicrosoftAppPassword is missing")
    if s.microsoft_app_type == "SingleTenant" and not s.microsoft_app_tenant_id:
        problems.append("MicrosoftAppTenantId is required for a SingleTenant app")
    return problems


def check(s: Settings) -> ConfigReport:
    report = ConfigReport()
    report.lines = [
        ConfigLine("SLACK_BOT_TOKEN", mask(s.slack_bot_token)),
        ConfigLine("SLACK_SIGNING_SECRET", mask(s.slack_signing_secret)),
        ConfigLine("SLACK_APP_TOKEN", mask(s.slack_app_token), "Socket Mode when set"),
        ConfigLine("SLACK_API_URL", s.slack_api_url),
        ConfigLine("MicrosoftAppId", s.microsoft_app_id or "(not set)"),
        ConfigLine("MicrosoftAppPassword", mask(s.microsoft_app_password)),
        ConfigLine("MicrosoftAppType", s.microsoft_app_type),
        ConfigLine("MicrosoftAppTenantId", s.microsoft_app_tenant_id or "(not set)"),
        ConfigLine(
            "DATABASE_URL",
            _display_url(s.database_url),
            "default" if s.database_url == DEFAULT_DATABASE_URL else "",
        ),
        ConfigLine("MENTORBOT_TIMEZONE", s.timezone),
    ]
    report.problems["slack"] = _slack_problems(s)
    report.problems["teams"] = _teams_problems(s)
    try:
        async_url(s.database_url)
        report.problems["database"] = []
    except DatabaseUrlError as exc:
        report.problems["database"] = [str(exc)]
    if s.slack_configured and not report.problems["slack"]:
        report.usable_platforms.append("slack")
    if s.teams_configured and not report.problems["teams"]:
        report.usable_platforms.append("teams")
    if s.teams_allow_anonymous and not s.microsoft_app_id:
        report.usable_platforms.append("teams (anonymous development mode)")
    return report


def _display_url(url: str) -> str:
    """The database URL with any password masked."""
    try:
        return (
            async_url(url).set(drivername=url.split(":", 1)[0]).render_as_string(hide_password=True)
        )
    except DatabaseUrlError:
        return url
