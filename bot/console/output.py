"""The console as the dispatcher's output port: each message is printed for its recipient.

One `ConsoleOutput` is registered under every platform's name (bot/platforms.py), so the
dispatcher picks a person's platform from the roster exactly as in production, and the
console shows where the message would have gone ("→ Ben Hughes (Slack DM)").
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from handlers.ports import Address, Delivery, OutputChannel
from handlers.ui import Message


@dataclass(frozen=True, slots=True)
class Delivered:
    """One message as it reached the console."""

    platform: str
    person_id: int | None
    email: str | None
    channel_id: str | None
    message: Message
    key: str
    at: datetime
    message_id: str

    @property
    def recipient_key(self) -> str:
        return f"channel:{self.channel_id}" if self.channel_id else f"person:{self.person_id}"


class Inbox(Protocol):
    """Whoever shows delivered messages (the chat session or the demo)."""

    async def delivered(self, item: Delivered) -> None: ...

    async def updated(self, channel_id: str, message_id: str, message: Message) -> None: ...


class ConsoleOutput:
    """An `OutputChannel` that hands each message to the inbox instead of a chat platform."""

    def __init__(
        self,
        platform: str,
        inbox: Inbox,
        clock: Callable[[], datetime],
        counter: Iterable[int] | None = None,
    ) -> None:
        self.platform = platform
        self.inbox = inbox
        self.clock = clock
        self._ids = iter(counter if counter is not None else itertools.count(1))
        self._sent: dict[str, Delivery] = {}

    async def send(self, address: Address, message: Message, *, key: str) -> Delivery:
        message_id = str(next(self._ids))
        channel = address.channel_id or f"dm:{address.person_id or address.email}"
        await self.inbox.delivered(
            Delivered(
                platform=self.platform,
                person_id=address.person_id,
                email=address.email,
                channel_id=address.channel_id,
                message=message,
                key=key,
                at=self.clock(),
                message_id=message_id,
            )
        )
        # No learned id: the console must not pose as the person's Slack or Teams identity.
        delivery = Delivery(channel_id=f"console:{self.platform}:{channel}", message_id=message_id)
        self._sent[key] = delivery
        return delivery

    async def update(self, channel_id: str, message_id: str, message: Message) -> None:
        await self.inbox.updated(channel_id, message_id, message)

    async def already_sent(self, address: Address, *, key: str) -> Delivery | None:
        return self._sent.get(key)


class Relay:
    """An inbox passing on to one set later: the session that shows the messages is made
    after the runtime whose outputs deliver to it."""

    def __init__(self) -> None:
        self.target: Inbox | None = None

    async def delivered(self, item: Delivered) -> None:
        if self.target is not None:
            await self.target.delivered(item)

    async def updated(self, channel_id: str, message_id: str, message: Message) -> None:
        if self.target is not None:
            await self.target.updated(channel_id, message_id, message)


def console_channels(
    inbox: Inbox, clock: Callable[[], datetime], platforms: Iterable[str]
) -> dict[str, OutputChannel]:
    """The console registered under each platform name, sharing one message numbering."""
    counter = itertools.count(1)
    return {p: ConsoleOutput(p, inbox, clock, counter) for p in platforms}
