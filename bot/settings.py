"""Configuration from the environment (and an optional .env), in each ecosystem's own names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///mentorbot.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default=DEFAULT_SLACK_API_URL, alias="SLACK_API_URL")
    # OAuth mode (many workspaces): the app's credentials; SLACK_BOT_TOKEN is then unused.
    slack_client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    # Comma-separated bot scopes to ask for at install; the manifest's when not set.
    slack_scopes: str | None = Field(default=None, alias="SLACK_SCOPES")
    # Only needed when the app has more than one redirect URL configured at Slack.
    slack_redirect_uri: str | None = Field(default=None, alias="SLACK_REDIRECT_URI")
    # With token rotation on at Slack, a token is refreshed this long before it expires.
    slack_token_rotation_minutes: int = Field(
        default=120, ge=1, le=11 * 60, alias="SLACK_TOKEN_ROTATION_EXPIRATION_MINUTES"
    )

    microsoft_app_id: str | None = Field(
        default=None, validation_alias=AliasChoices("MicrosoftAppId", "MICROSOFT_APP_ID")
    )
    microsoft_app_password: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD"),
    )
    microsoft_app_type: str = Field(
        default="MultiTenant",
        validation_alias=AliasChoices("MicrosoftAppType", "MICROSOFT_APP_TYPE"),
    )
    microsoft_app_tenant_id: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID"),
    )
    # Accept unauthenticated Bot Framework requests (Emulator); only honoured with no app id.
    teams_allow_anonymous: bool = Field(default=False, alias="MENTORBOT_TEAMS_ALLOW_ANONYMOUS")
    # The provider's own Microsoft 365 tenant(s), comma-separated: allowed besides the
    # schools' tenants from the roster (ITT leads and the office are in no school).
    teams_tenants: str | None = Field(default=None, alias="MENTORBOT_TEAMS_TENANTS")

    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    # The scheduling policy (TOML); the defaults from DESIGN.md when not set.
    policy_file: Path | None = Field(default=None, alias="MENTORBOT_POLICY")
    timezone: str = Field(default="Europe/London", alias="MENTORBOT_TIMEZONE")
    # Where a process journals interactions it acknowledged while the database was too busy
    # to take them (one file per process, replayed at start). Default: beside a SQLite
    # database file, else ./mentorbot-parked in the working directory.
    park_journal_dir: Path | None = Field(default=None, alias="MENTORBOT_PARK_JOURNAL_DIR")
    # Overall send rates (messages per second) for the dispatcher; per-conversation limits
    # are the platforms' own and fixed. Lower them for a small workspace's tier.
    slack_rate: float = Field(default=5.0, gt=0, alias="MENTORBOT_SLACK_RATE")
    teams_rate: float = Field(default=50.0, gt=0, alias="MENTORBOT_TEAMS_RATE")
    host: str = Field(default="0.0.0.0", alias="MENTORBOT_HOST")
    port: int = Field(default=3978, alias="PORT")
    # Signed links to report pages (`report` and `idp` in chat): the secret they are signed
    # with, this server's public address, and how long a link works.
    link_secret: SecretStr | None = Field(default=None, alias="MENTORBOT_LINK_SECRET")
    public_url: str | None = Field(default=None, alias="MENTORBOT_PUBLIC_URL")
    link_hours: int = Field(default=24, ge=1, le=24 * 30, alias="MENTORBOT_LINK_HOURS")

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack_sdk joins method names onto base_url without adding a slash.
        return value if value.endswith("/") else value + "/"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def slack_oauth(self) -> bool:
        """Many workspaces, each installing the app through /slack/install."""
        return self.slack_client_id is not None or self.slack_client_secret is not None

    @property
    def slack_configured(self) -> bool:
        if self.slack_oauth:
            return bool(self.slack_client_id and self.slack_client_secret) and (
                self.slack_signing_secret is not None
            )
        return self.slack_bot_token is not None and (
            self.slack_signing_secret is not None or self.slack_app_token is not None
        )

    @property
    def teams_configured(self) -> bool:
        return bool(self.microsoft_app_id and self.microsoft_app_password)


@dataclass(frozen=True, slots=True)
class ConfigLine:
    name: str
    value: str  # already masked when secret
    note: str = ""


def mask(secret: SecretStr | str | None) -> str:
    """Show that a secret is set, and its last four characters, never the rest."""
    if secret is None:
        return "(not set)"
    raw = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    if len(raw) <= 8:
        return "****"
    return "****" + raw[-4:]
