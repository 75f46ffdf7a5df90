"""Slack channels: where an ITT lead chooses the channel escalation alerts go to.

The bot hears "use this channel for escalations" in a channel three ways:

- `/mentor use this channel for escalations` typed in it (a slash command says where it
  was typed);
- `@mentorbot use this channel for escalations` (an `app_mention` event);
- the words alone, in a channel the bot was invited to (a `message` event).

Each becomes a `UseChannel` and goes through the intake like any interaction; the
dispatcher then posts escalation alerts to that channel (SlackOutput sends to an
address's channel id), so a Slack-only partnership's escalations reach its ITT team.

Only that and help are understood in a channel, as on Teams: an @mention with other words
is answered with help, so nobody's records are listed in front of the whole channel.
Other channel messages are none of the bot's business and are ignored. A message that
mentions the bot arrives twice (as `message` and as `app_mention`); both carry the same
channel and timestamp, which key the interaction, so it is recorded and answered once.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.phrases import channel_level
from bot.slack import workspace
from bot.slack.replies import Inbound, SlackReplies
from handlers.router import Command, Interaction, UseChannel

log = logging.getLogger(__name__)
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
# Slack's ids: a direct message's start with D; channels' and group chats' with C or G.
DIRECT_MESSAGE = "D"


def words(text: str) -> str:
    """What was typed, without @mentions (`<@U123>`) of the bot or anyone."""
    return " ".join(MENTION.sub(" ", text).split())


def in_channel(channel: str) -> bool:
    return bool(channel) and not channel.startswith(DIRECT_MESSAGE)


def from_command(body: dict[str, Any], context: AsyncBoltContext) -> UseChannel | None:
    """`/mentor use this channel for escalations` typed in a channel, else None."""
    channel = str(body.get("channel_id") or "")
    level = channel_level(str(body.get("text") or ""))
    if not in_channel(channel) or level is None:
        return None
    return UseChannel(channel, workspace_id=workspace.authenticated(context), level=level)


def _interaction(
    event: dict[str, Any], context: AsyncBoltContext, *, mentioned: bool
) -> Interaction | None:
    channel = str(event.get("channel") or "")
    level = channel_level(words(str(event.get("text") or "")))
    if level is not None:
        key = f"slack-message:{channel}:{event.get('ts')}"[:255] if event.get("ts") else None
        return UseChannel(
            channel, workspace_id=workspace.authenticated(context), event_key=key, level=level
        )
    return Command("help") if mentioned else None


async def on_message(
    inbound: Inbound,
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    *,
    mentioned: bool,
) -> None:
    """A message in a channel the bot is in (`mentioned`: addressed to the bot)."""
    channel = str(event.get("channel") or "")
    if not in_channel(channel) or event.get("bot_id") or event.get("subtype"):
        return  # our own alerts, edits and joins come back as messages too
    interaction = _interaction(event, context, mentioned=mentioned)
    if interaction is None:
        return
    user = str(event.get("user") or "")
    replies = SlackReplies(client, user, None, None, channel=channel)
    await inbound.run(client, context, dict(body, user_id=user), interaction, replies)


def register(app: AsyncApp, inbound: Inbound) -> None:
    @app.event("app_mention")
    async def on_mention(
        event: dict[str, Any],
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await on_message(inbound, event, body, client, context, mentioned=True)
