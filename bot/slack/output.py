"""Sending to Slack for the dispatcher: proactive DMs and channel alerts, updates in place.

Each message carries its outbox key in Slack message metadata, so after a crash the
dispatcher can ask whether an uncertain row already reached Slack instead of resending it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import NAME, render
from bot.slack.tokens import NOWHERE, NotInstalled, Tokens
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
    # The workspace removed the app or its token (the revocation event may still be on
    # its way): retrying cannot help until someone reinstalls it.
    "token_revoked",
    "token_expired",
    "team_access_not_granted",
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


@dataclass(frozen=True, slots=True)
class Target:
    """Where a message goes, through which workspace's client, and what was learned."""

    client: AsyncWebClient
    channel: str
    learned_user: str | None = None
    reference: dict[str, str] | None = None
    learned_workspace: str | None = None

    def delivery(self, ts: str) -> Delivery:
        return Delivery(self.channel, ts, self.learned_user, self.reference, self.learned_workspace)


class SlackOutput:
    platform = NAME

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens

    async def _client(self, workspace_id: str) -> AsyncWebClient:
        try:
            return await self.tokens.client_for(workspace_id)
        except NotInstalled as exc:
            raise SendError(str(exc), permanent=True) from exc

    async def _find(self, address: Address) -> tuple[AsyncWebClient, str, str | None]:
        """(client, user id, workspace learned) for a person known only by e-mail: in
        their workspace when known, else in each installed workspace in turn."""
        if not address.email:
            raise SendError("no Slack user and no e-mail", permanent=True)
        known = address.workspace_id
        workspaces = [known] if known else await self.tokens.workspaces()
        if not workspaces:
            raise SendError(NOWHERE, permanent=True)
        for workspace_id in workspaces:
            client = await self._client(workspace_id)
            try:
                found = await client.users_lookupByEmail(email=address.email)
            except SlackApiError as exc:
                if known or api_error(exc) != "users_not_found":
                    raise
                continue
            user_id = str((found.get("user") or {}).get("id"))
            return client, user_id, (workspace_id or None) if not known else None
        raise SendError("no Slack user with this e-mail in any installed workspace", permanent=True)

    async def _workspace_known(self, address: Address) -> bool:
        """Whether a person's workspace is known: stored with them, or the only one. (Met
        by e-mail before the bot served several workspaces, they are looked up again.)"""
        return bool(address.workspace_id) or len(await self.tokens.workspaces()) <= 1

    async def _target(self, address: Address) -> Target:
        if address.channel_id:
            return Target(await self._client(address.workspace_id), address.channel_id)
        learned = learned_workspace = None
        if address.external_id and await self._workspace_known(address):
            client, user_id = await self._client(address.workspace_id), address.external_id
        else:
            client, user_id, learned_workspace = await self._find(address)
            learned = user_id
        stored = (address.reference or {}).get("channel")
        if stored and not learned:
            return Target(client, str(stored))
        opened = await client.conversations_open(users=user_id)
        channel = str((opened.get("channel") or {}).get("id"))
        return Target(client, channel, learned or user_id, {"channel": channel}, learned_workspace)

    async def send(self, address: Address, message: Message, *, key: str) -> Delivery:
        try:
            target = await self._target(address)
            response = await target.client.chat_postMessage(
                channel=target.channel,
                text=message.text,
                blocks=render.message_blocks(message),
                metadata={"event_type": METADATA_TYPE, "event_payload": {"key": key}},
            )
        except (SlackApiError, ClientError, TimeoutError) as exc:
            raise _error(exc) from exc
        return target.delivery(str(response.get("ts")))

    async def update(
        self, channel_id: str, message_id: str, message: Message, *, workspace_id: str = ""
    ) -> None:
        try:
            client = await self._client(workspace_id)
            await client.chat_update(
                channel=channel_id,
                ts=message_id,
                text=message.text,
                blocks=render.message_blocks(message),
            )
        except (SlackApiError, ClientError, TimeoutError) as exc:
            raise _error(exc) from exc

    async def already_sent(self, address: Address, *, key: str) -> Delivery | None:
        try:
            target = await self._target(address)
            history = await target.client.conversations_history(
                channel=target.channel, limit=50, include_all_metadata=True
            )
        except (SlackApiError, ClientError, TimeoutError) as exc:
            raise _error(exc) from exc
        for item in history.get("messages") or []:
            metadata = item.get("metadata") or {}
            if (
                metadata.get("event_type") == METADATA_TYPE
                and (metadata.get("event_payload") or {}).get("key") == key
            ):
                return target.delivery(str(item.get("ts")))
        return None
