"""Who is acting, through which platform, and the errors every conversation shares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import Role


@dataclass(frozen=True, slots=True)
class PlatformUser:
    """A user as an edge knows them, before we know who they are on the roster."""

    platform: str
    workspace_id: str
    external_id: str
    # Asks the platform for the user's e-mail (Slack users.info, Teams member lookup);
    # called at most once, the first time we meet someone.
    email_lookup: Callable[[], Awaitable[str | None]] | None = None
    conversation_reference: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    person_id: int
    name: str
    roles: frozenset[str]
    platform: str

    def has(self, role: Role) -> bool:
        return role.value in self.roles


@dataclass(slots=True)
class Ctx:
    """One interaction's unit of work: the session (one transaction), who, and when."""

    session: AsyncSession
    actor: Actor
    now: datetime
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    # How a command is typed where the actor is ("/mentor " in Slack, nothing where the bare
    # word is the command), for help and hints; injected, never decided here.
    command_prefix: str = ""
    # Placements read a moment ago (handlers.roster_cache.RosterCache); None: always read.
    roster: Any = None

    @property
    def today(self) -> date:
        return self.now.astimezone(self.timezone).date()


class NotOnRoster(Exception):
    """The user could not be matched to anyone on the roster."""


class Forbidden(Exception):
    """The roster does not link the actor to the record named in the request."""

    def __init__(self, reason: str, **ids: object) -> None:
        super().__init__(reason)
        self.ids = ids


class BadRequest(Exception):
    """A payload we cannot use (forged, stale or malformed ids)."""
