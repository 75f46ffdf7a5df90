"""Sending to Teams for the dispatcher: proactive chats and channel alerts, updates in place.

A person is reached through the conversation reference stored when they installed the
bot (or last wrote to it); an escalation channel through the reference stored when an ITT
lead typed "use this channel for escalations" there, each alert starting a new thread.

Limits, and what is done about them:

- A person who has never installed the bot has no reference. Opening a 1:1 chat needs
  their AAD object id, the tenant and a service URL; the roster has only an e-mail, so
  the message is *held* ("not installed") instead of guessing: it waits, and is sent
  when the install event (or their first message) gives the bot their conversation.
  An escalation alert is not held: it goes to the other ITT leads at once.
- Teams cannot search a conversation for a message, so `already_sent` cannot recover an
  uncertain row (the bot crashed mid-send): it says "not sent" and the row is sent again
  (possibly a duplicate; rare: only a crash between the connector's answer and the
  outbox update).
- `update` gets only the conversation and activity ids from the outbox; the service URL
  comes from what this process has seen for that conversation, else the last one seen
  (one deployment serves one tenant, which has one service URL).
- Personal conversation ids are ~130 characters; the outbox keeps 512. A longer id would
  be recorded as a short alias ("h:" + digest) that this process maps back for `update`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.teams import NAME, render
from handlers.ports import Address, Delivery, SendError
from handlers.ui import Message

log = logging.getLogger(__name__)
SEND_SECONDS = 30.0
MAX_CHANNEL_ID = 512  # outbox_message.platform_channel_id
PERMANENT = {400, 403, 404, 410, 413}


class Conversations:
    """What this process knows about conversations: service URLs and long-id aliases."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._urls: OrderedDict[str, str] = OrderedDict()
        self._aliases: OrderedDict[str, str] = OrderedDict()
        self.last_url: str | None = None

    def learn(self, conversation_id: str | None, service_url: str | None) -> None:
        if not conversation_id or not service_url:
            return
        self._urls[_base(conversation_id)] = service_url
        self._urls.move_to_end(_base(conversation_id))
        self.last_url = service_url
        while len(self._urls) > self.limit:
            self._urls.popitem(last=False)

    def service_url(self, conversation_id: str) -> str | None:
        return self._urls.get(_base(conversation_id)) or self.last_url

    def short_id(self, conversation_id: str) -> str:
        if len(conversation_id) <= MAX_CHANNEL_ID:
            return conversation_id
        alias = "h:" + hashlib.sha256(conversation_id.encode()).hexdigest()[:40]
        self._aliases[alias] = conversation_id
        while len(self._aliases) > self.limit:
            self._aliases.popitem(last=False)
        return alias

    def full_id(self, channel_id: str) -> str | None:
        if channel_id.startswith("h:"):
            return self._aliases.get(channel_id)
        return channel_id


def _base(conversation_id: str) -> str:
    """A channel thread's conversation id without the thread (";messageid=…")."""
    return conversation_id.split(";", 1)[0]


def error(exc: BaseException) -> SendError:
    if isinstance(exc, SendError):
        return exc
    if isinstance(exc, HttpOperationError) and exc.response is not None:
        status = int(getattr(exc.response, "status_code", 0) or 0)
        if status == 429:
            headers = getattr(exc.response, "headers", None) or {}
            retry = headers.get("Retry-After") or headers.get("retry-after")
            try:
                delay = float(retry) if retry else 1.0
            except ValueError:
                delay = 1.0
            return SendError("teams rate limited", retry_after=delay)
        return SendError(f"teams connector {status}", permanent=status in PERMANENT)
    if isinstance(exc, ClientRequestError | TimeoutError | ConnectionError):
        return SendError(f"teams unreachable: {type(exc).__name__}")
    # Token acquisition (PermissionError from MSAL) and anything else: worth a retry.
    return SendError(f"teams send failed: {type(exc).__name__}")


def connector(turn_context: TurnContext) -> Any:
    """The turn's connector client, with its own HTTP retries off: the outbox retries."""
    client = turn_context.turn_state.get(turn_context.adapter.BOT_CONNECTOR_CLIENT_KEY)
    client.config.retry_policy.retries = 0
    return client


def reference_from(data: dict[str, Any] | None) -> ConversationReference:
    try:
        reference = ConversationReference().deserialize(data or {})
    except Exception as exc:
        raise SendError("teams reference unreadable", permanent=True) from exc
    if not reference.service_url or not reference.conversation or not reference.conversation.id:
        raise SendError("teams reference incomplete", permanent=True)
    return reference


class TeamsOutput:
    platform = NAME

    def __init__(self, adapter: CloudAdapter, app_id: str | None, known: Conversations) -> None:
        self.adapter = adapter
        self.app_id = app_id or None
        self.known = known

    async def _continue(self, reference: ConversationReference, work: Any) -> None:
        try:
            await asyncio.wait_for(
                self.adapter.continue_conversation(reference, work, self.app_id), SEND_SECONDS
            )
        except Exception as exc:
            raise error(exc) from exc

    async def send(self, address: Address, message: Message, *, key: str) -> Delivery:
        if not address.reference:
            raise SendError("teams: not installed for this person", held=True)
        reference = reference_from(address.reference)
        conversation = reference.conversation
        outgoing = render.activity(render.message_card(message), message.text)
        sent: dict[str, str] = {}

        async def work(turn_context: TurnContext) -> None:
            client = connector(turn_context)
            outgoing.from_property = reference.bot
            if address.channel_id and conversation.conversation_type == "channel":
                # A new thread in the channel, so each alert can be found and answered.
                created = await client.conversations.create_conversation(
                    ConversationParameters(
                        is_group=True,
                        bot=reference.bot,
                        channel_data={"channel": {"id": _base(conversation.id)}},
                        activity=outgoing,
                        tenant_id=conversation.tenant_id,
                    )
                )
                sent["conversation"] = created.id or _base(conversation.id)
                sent["activity"] = created.activity_id or ""
            else:
                outgoing.conversation = conversation
                # The person's own tenant, where Teams looks for it (botbuilder writes the
                # conversation's as "tenantID", which a multi-tenant bot cannot rely on).
                tenant = conversation.tenant_id or address.workspace_id
                if tenant:
                    outgoing.channel_data = {"tenant": {"id": tenant}}
                response = await client.conversations.send_to_conversation(
                    conversation.id, outgoing
                )
                sent["conversation"] = conversation.id
                sent["activity"] = response.id if response is not None else ""

        await self._continue(reference, work)
        self.known.learn(sent["conversation"], reference.service_url)
        log.info("teams message sent (%s)", key.split(":", 1)[0])
        return Delivery(self.known.short_id(sent["conversation"]), sent["activity"])

    async def update(self, channel_id: str, message_id: str, message: Message) -> None:
        conversation_id = self.known.full_id(channel_id)
        service_url = self.known.service_url(conversation_id) if conversation_id else None
        if not conversation_id or not service_url:
            raise SendError("teams: conversation not seen by this process yet")
        reference = ConversationReference(
            channel_id="msteams",
            service_url=service_url,
            conversation=ConversationAccount(id=conversation_id),
            bot=ChannelAccount(id=self.app_id or "bot"),
        )
        replacement: Activity = render.activity(render.message_card(message), message.text)
        replacement.id = message_id
        replacement.conversation = reference.conversation

        async def work(turn_context: TurnContext) -> None:
            await connector(turn_context).conversations.update_activity(
                conversation_id, message_id, replacement
            )

        await self._continue(reference, work)

    async def already_sent(self, address: Address, *, key: str) -> Delivery | None:
        """Teams has no way to look a message up by our key: always "not sent"."""
        return None
