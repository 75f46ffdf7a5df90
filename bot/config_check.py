"""What `mentorbot config check` reports: each setting, masked, and what each platform lacks."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot import platforms
from bot.settings import DEFAULT_DATABASE_URL, ConfigLine, Settings
from bot.web import reports
from storage.db import DatabaseUrlError, async_url


@dataclass(slots=True)
class ConfigReport:
    lines: list[ConfigLine] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)
    usable_platforms: list[str] = field(default_factory=list)

    @property
    def works(self) -> bool:
        return bool(self.usable_platforms) and not any(self.problems.values())


def check(s: Settings) -> ConfigReport:
    report = ConfigReport()
    for platform in platforms.PLATFORMS:
        found = platform.check(s)
        report.lines += found.lines
        report.problems[platform.name] = found.problems
        if found.ready is not None:
            report.usable_platforms.append(found.ready)
    report.lines += [
        ConfigLine(
            "DATABASE_URL",
            _display_url(s.database_url),
            "default" if s.database_url == DEFAULT_DATABASE_URL else "",
        ),
        ConfigLine("MENTORBOT_TIMEZONE", s.timezone),
        *reports.config_lines(s),
    ]
    try:
        async_url(s.database_url)
        report.problems["database"] = []
    except DatabaseUrlError as exc:
        report.problems["database"] = [str(exc)]
    return report


def _display_url(url: str) -> str:
    """The database URL with any password masked."""
    try:
        return (
            async_url(url).set(drivername=url.split(":", 1)[0]).render_as_string(hide_password=True)
        )
    except DatabaseUrlError:
        return url
