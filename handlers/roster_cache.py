"""Who someone is and which placements they are linked to, kept for a few seconds.

Every interaction needs the actor (identity and roles) and usually one placement (for the
rights check and the names in the answer). People act in runs (a press, then the form it
opens, then the next trainee's), so reading those once per run instead of once per
interaction removes most of the database work on the interactive path. The roster
changes by import, rarely: a change shows within `TTL_SECONDS`, in every process.

The same holds for what a form needs of the trainee's programme: its assessment
framework (the strands a target is set against) and its calendar (a target's default
review date). Both change only by `mentorbot import`, and every weekly "held" press
needs both.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from handlers.context import Actor, PlatformUser
from storage.calendar_rules import ProgrammeCalendar
from storage.repo.frameworks import Framework
from storage.repo.placements import PlacementView

TTL_SECONDS = 30.0
MAX_ENTRIES = 10_000

K = TypeVar("K")
V = TypeVar("V")


class Expiring(Generic[K, V]):
    """A bounded map whose entries are forgotten `ttl` seconds after they were kept."""

    def __init__(self, ttl: float, size: int, clock: Callable[[], float]) -> None:
        self.ttl, self.size, self.clock = ttl, size, clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is None:
            return None
        if found[0] <= self.clock():
            del self._entries[key]
            return None
        return found[1]

    def keep(self, key: K, value: V) -> None:
        self._entries[key] = (self.clock() + self.ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


class RosterCache:
    def __init__(
        self,
        ttl: float = TTL_SECONDS,
        size: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # The actor, and the conversation reference last stored for them (a changed one
        # is written again; the same one is not written on every turn).
        self.actors: Expiring[tuple[str, str, str], tuple[Actor, str]] = Expiring(ttl, size, clock)
        self.placements: Expiring[int, PlacementView] = Expiring(ttl, size, clock)
        # By programme id; shared, so never changed by whoever reads them.
        self.frameworks: Expiring[int, Framework] = Expiring(ttl, size, clock)
        self.calendars: Expiring[int, ProgrammeCalendar] = Expiring(ttl, size, clock)

    def actor(self, user: PlatformUser) -> Actor | None:
        """The actor kept for this user, unless their conversation reference changed (a
        changed one must be stored again)."""
        kept = self.actors.get(user_key(user))
        if kept is None:
            return None
        actor, digest = kept
        if user.conversation_reference is not None:
            if digest != reference_digest(user.conversation_reference):
                return None
        return actor

    def keep_actor(self, user: PlatformUser, actor: Actor) -> None:
        """Called once the interaction that resolved (and maybe linked) them committed."""
        self.actors.keep(user_key(user), (actor, reference_digest(user.conversation_reference)))

    def clear(self) -> None:
        self.actors.clear()
        self.placements.clear()
        self.frameworks.clear()
        self.calendars.clear()


def user_key(user: PlatformUser) -> tuple[str, str, str]:
    return (user.platform, user.workspace_id, user.external_id)


def reference_digest(reference: dict[str, Any] | None) -> str:
    if reference is None:
        return ""
    encoded = json.dumps(reference, sort_keys=True, default=str).encode()
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()
