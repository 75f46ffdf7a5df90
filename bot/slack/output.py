"""Sending to Slack for the dispatcher: proactive DMs and channel alerts, updates in place.

Each message carries its outbox key in Slack message metadata, so after a crash the
dispatcher can ask whether an uncertain row already reached Slack instead of resending it.
"""

from __future__ import annotations

import logging

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import NAME, render
from handlers.ports import Address, Delivery, SendError
from handlers.ui import Message

log = logging.getLogger(__name__)
METADATA_TYPE = "mentorbot_outbox"
PERMANENT = {
    "users_not_found",
    "user_not_found",
    "channel_not_found",
    "is_archived",
    "not_in_channel",
    "account_inactive",
    "user_disabled",
    "invalid_auth",
    "not_authed",
}


def api_error(exc: SlackApiError) -> str:
    """The `error` code Slack gave, or the HTTP status when the body was not JSON."""
    data = exc.response.data
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return str(exc.response.status_code)


def _error(exc: Exception) -> SendError:
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        code = api_error(exc)
        if status == 429:
            retry = exc.response.headers.get("Retry-After") or exc.response.headers.get(
                "retry-after"
            )
            return SendError("slack rate limited", retry_after=float(retry or 1))
        return SendError(f"slack {code}", permanent=code in PERMANENT)
    return SendError(f"slack unreachable: {type(exc).__name__}")


class SlackOutput:
    platform = NAME

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def _channel(self, address: Address) -> tuple[str, str | None, dict[str, str] | None]:
        """(channel, learned user id, learned reference) for an address."""
        if address.channel_id:
            return address.channel_id, None, None
        user_id, learned = address.external_id, None
        if not user_id:
            if not address.email:
                raise SendError("no Slack user and no e-mail", permanent=True)
            found = await self.client.users_lookupByEmail(email=address.email)
            user_id = learned = str((found.get("user") or {}).get("id"))
        stored = (address.reference or {}).get("channel")
        if stored and not learned:
            return str(stored), None, None
        opened = await self.client.conversations_open(users=user_id)
        channel = str((opened.get("channel") or {}).get("id"))
        return channel, learned or user_id, {"channel": channel}

    async def send(self, address: Address, message: Message, *, key: str) -> Delivery:
        try:
            channel, learned, reference = await self._channel(address)
            response = await self.client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=render.message_blocks(message),
                metadata={"event_type": METADATA_TYPE, "event_payload": {"key": key}},
            )
        except (SlackApiError, ClientError, TimeoutError) as exc:
            raise _error(exc) from exc
        return Delivery(channel, str(response.get("ts")), learned, reference)

    async def update(self, channel_id: str, message_id: str, message: Message) -> None:
        try:
            await self.client.chat_update(
                channel=channel_id,
                ts=message_id,
                text=message.text,
                blocks=render.message_blocks(message),
            )
        except (SlackApiError, ClientError, TimeoutError) as exc:
            raise _error(exc) from exc

    async def already_sent(self, address: Address, *, key: str) -> Delivery | None:
        try:
            channel, learned, reference = await self._channel(address)
            history = await self.client.conversations_history(
                channel=channel, limit=50, include_all_metadata=True
            )
        except (SlackApiError, ClientError, TimeoutError) as exc:
            raise _error(exc) from exc
        for item in history.get("messages") or []:
            metadata = item.get("metadata") or {}
            if (
                metadata.get("event_type") == METADATA_TYPE
                and (metadata.get("event_payload") or {}).get("key") == key
            ):
                return Delivery(channel, str(item.get("ts")), learned, reference)
        return None
