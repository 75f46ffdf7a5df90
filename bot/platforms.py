"""The chat platforms this bot speaks: the one list of them.

Adding a platform is a folder under `bot/` with a `descriptor.py`, and a line here (and
its name in `storage.enums.Platform`, the roster's vocabulary). Everything else reads
these: the composition root builds the enabled ones' edges and gives the dispatcher
their limits, `config check` asks each what it lacks, the console labels messages by them.

The order is the order in which someone with no school (an ITT lead, an admin) not yet
seen on any platform is tried: Slack first, since it can find a person by e-mail; Teams
needs a conversation the person started; the console last.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.console.descriptor import DESCRIPTOR as CONSOLE
from bot.descriptor import PlatformDescriptor
from bot.settings import Settings
from bot.slack.descriptor import DESCRIPTOR as SLACK
from bot.teams.descriptor import DESCRIPTOR as TEAMS
from scheduler.dispatch import RateLimit

PLATFORMS: tuple[PlatformDescriptor, ...] = (SLACK, TEAMS, CONSOLE)
BY_NAME: Mapping[str, PlatformDescriptor] = {p.name: p for p in PLATFORMS}


def names() -> tuple[str, ...]:
    return tuple(p.name for p in PLATFORMS)


def enabled(settings: Settings) -> tuple[PlatformDescriptor, ...]:
    return tuple(p for p in PLATFORMS if p.enabled(settings))


def label(name: str) -> str:
    """ "Slack" for "slack"; an unknown name as it is."""
    found = BY_NAME.get(name)
    return found.label if found is not None else name


def direct_label(name: str) -> str:
    found = BY_NAME.get(name)
    return found.direct_label if found is not None else label(name)


def rate_limits(settings: Settings) -> dict[str, RateLimit]:
    return {p.name: p.rate_limit(settings) for p in PLATFORMS}


def command_prefixes() -> dict[str, str]:
    return {p.name: p.command_prefix for p in PLATFORMS}
