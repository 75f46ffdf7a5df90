"""What a chat platform is to the rest of the bot: a descriptor, and the edge it builds.

A platform is one folder under `bot/` plus a `PlatformDescriptor` in it, listed once in
`bot.platforms`. The composition root, the CLI, the dispatcher's limits and the console
read the descriptors; nothing outside the platform's folder knows its SDK, its settings
or its routes. `handlers/` and `scheduler/` see only what the root injects from here
(rate limits, the order to reach people in, command prefixes).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from bot.settings import ConfigLine, Settings
from handlers.intake import Intake, UserFactory
from handlers.ports import OutputChannel
from scheduler.dispatch import RateLimit

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Hook = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Route:
    """One inbound HTTP endpoint on the bot's one aiohttp application."""

    method: str
    path: str
    handler: Handler


@dataclass(frozen=True, slots=True)
class Connection:
    """A connection an edge opens itself while serving (Slack's Socket Mode), instead of
    waiting for requests on a route."""

    name: str  # told to the operator once it is open
    open: Hook
    close: Hook


@dataclass(frozen=True, slots=True)
class Edge:
    """What a platform's folder builds for a running bot: the inbound side (routes or
    connections) and the output channel the dispatcher sends through."""

    output: OutputChannel
    routes: tuple[Route, ...] = ()
    connections: tuple[Connection, ...] = ()
    # Rebuilds the person behind a parked interaction with the platform's own lookups
    # (Slack: their e-mail through the Web API), so a first-time user is still matched.
    users: UserFactory | None = None
    # Released when the runtime closes: HTTP sessions, signing-key fetchers.
    closers: tuple[Hook, ...] = ()
    # Said loudly when serving starts (Teams accepting unauthenticated requests).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConfigCheck:
    """A platform's part of `mentorbot config check`."""

    lines: list[ConfigLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # What can run with these settings ("teams (anonymous development mode)"), or None.
    ready: str | None = None


Builder = Callable[[Settings, Intake], Edge]


@dataclass(frozen=True, slots=True)
class PlatformDescriptor:
    name: str  # as stored on identities, outbox rows and the roster (storage.enums.Platform)
    label: str  # "Slack", for people
    direct_label: str  # how a person is reached there: "Slack DM"
    # What people type before a command ("/mentor " on Slack; nothing where they chat).
    command_prefix: str
    rate_limit: Callable[[Settings], RateLimit]
    check: Callable[[Settings], ConfigCheck]
    # Whether the settings ask for this platform to run (even half-configured: `serve`
    # refuses that through `check`, the tests build edges from partial settings).
    enabled: Callable[[Settings], bool]
    # Builds the running edge; None for a platform that is not served (the console).
    build: Builder | None = None
    # True where the bot can only message someone who has a conversation with it (Teams:
    # the app installed for them); False where it finds them by e-mail (Slack).
    needs_conversation: bool = False
