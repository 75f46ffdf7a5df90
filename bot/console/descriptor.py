"""The console as a platform: never served, it stands in for every platform instead
(`mentorbot chat` and `demo`), so it only needs a name, labels and no limits."""

from __future__ import annotations

from bot.console import NAME
from bot.descriptor import ConfigCheck, PlatformDescriptor
from bot.settings import Settings
from scheduler.dispatch import RateLimit

# A terminal has no limits to respect, and the platforms' own are not simulated.
UNLIMITED = RateLimit(per_conversation=(10_000, 1.0), overall=(10_000, 1.0))


def rate_limit(_settings: Settings) -> RateLimit:
    return UNLIMITED


def check(_settings: Settings) -> ConfigCheck:
    return ConfigCheck()


def enabled(_settings: Settings) -> bool:
    return False  # `serve` has nobody at a terminal; chat and demo build it themselves


DESCRIPTOR = PlatformDescriptor(
    name=NAME,
    label="console",
    direct_label="console",
    command_prefix="",
    rate_limit=rate_limit,
    check=check,
    enabled=enabled,
)
