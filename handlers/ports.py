"""The output port: how the scheduler's dispatcher reaches a person or a channel.

Each edge (Slack, Teams, console) implements `OutputChannel`; the dispatcher picks one per
recipient from the roster (a person is reached on their school's platform).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from handlers.ui import Message


@dataclass(frozen=True, slots=True)
class Address:
    """Where a message goes: a person (by identity or e-mail) or a channel."""

    platform: str
    person_id: int | None = None
    email: str | None = None
    external_id: str | None = None
    workspace_id: str = ""
    reference: dict[str, Any] | None = None
    channel_id: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    channel_id: str
    message_id: str
    # Set when the edge had to look the person up (by e-mail) or open a new DM:
    # the dispatcher stores it so the next message needs no lookup.
    learned_external_id: str | None = None
    learned_reference: dict[str, Any] | None = field(default=None)
    # Set when the person was found in a workspace (tenant) not known before.
    learned_workspace_id: str | None = None


class SendError(Exception):
    """A send that failed. `retry_after` (seconds) when the platform said when to retry;
    `permanent` when retrying cannot help (no such user, not on the platform); `held` when
    the person cannot be messaged until they connect (Teams: nobody has installed the app
    for them yet): the message waits for them instead of being given up on."""

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
        held: bool = False,
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.permanent = permanent or held
        self.held = held


class OutputChannel(Protocol):
    platform: str

    async def send(self, address: Address, message: Message, *, key: str) -> Delivery: ...

    async def update(self, channel_id: str, message_id: str, message: Message) -> None: ...

    async def already_sent(self, address: Address, *, key: str) -> Delivery | None:
        """For an uncertain row (crashed mid-send): the earlier delivery, if the platform has it."""
        ...
