"""One Slack interaction through the intake, and its answer carried out in Slack.

Every listener (commands, presses, App Home, DMs, channel messages) hands its neutral
interaction to `Inbound.run`, so each takes an intake slot, is parked when the bot is busy,
and is answered late by message when Slack has stopped waiting.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import NAME, render, workspace
from bot.slack.output import api_error
from handlers.context import PlatformUser
from handlers.intake import Intake, Outcome
from handlers.router import Conversations, Interaction, late_message
from handlers.text import t
from handlers.ui import Actions, Button, Message, Reply, Section, Style

log = logging.getLogger(__name__)
SORRY = t("sorry")
# Slack gives up on an answer after 3 seconds. A press may open a modal, whose trigger
# also expires after 3 s.
PRESS_BUDGET = 2.0


def platform_user(client: AsyncWebClient, team_id: str, user_id: str) -> PlatformUser:
    async def email() -> str | None:
        try:
            info = await client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, api_error(exc))
            return None
        profile = (info.get("user") or {}).get("profile") or {}
        return profile.get("email")

    return PlatformUser(NAME, team_id or "", user_id, email_lookup=email)


def user_id_of(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "")
    return str(body.get("user_id") or user or "")


# A person's DM with the bot is the same channel every time: opened once per workspace
# token and person, not before every answer said by DM (a conversations.open per
# "already signed off" answer was a third of a busy minute's calls). Keyed by the token,
# not the client object: bolt hands each request a client of its own.
_DM_CHANNELS: dict[tuple[str, str], str] = {}
DM_CHANNELS_KEPT = 10_000


class SlackReplies:
    """Carries out a Reply for one interaction.

    `channel`: the person acted in a channel (an ITT lead choosing it for escalations), so
    the answer is said there for everyone in it, as on Teams; everything else is said in
    the person's DM, where nobody else reads their records."""

    def __init__(
        self,
        client: AsyncWebClient,
        user_id: str,
        trigger_id: str | None,
        origin: tuple[str, str] | None,
        home: bool = False,
        channel: str | None = None,
    ) -> None:
        self.client, self.user_id, self.trigger_id = client, user_id, trigger_id
        self.origin, self.home, self.channel = origin, home, channel

    async def perform(
        self,
        reply: Reply,
        conversations: Conversations,
        user: PlatformUser,
        command_text: str | None = None,
    ) -> None:
        if reply.open_form is not None:
            if self.trigger_id:
                await self.client.views_open(
                    trigger_id=self.trigger_id, view=render.modal(reply.open_form, self.origin)
                )
            elif command_text is not None:
                button = Button(reply.open_form.title, "command.run", command_text, Style.PRIMARY)
                await self.say(Message(reply.open_form.title, (Actions((button,)),)))
        if reply.replace_original is not None:
            await self.replace(reply.replace_original, conversations, user)
        if reply.message is not None:
            await self.say(reply.message)

    async def replace(
        self, message: Message, conversations: Conversations, user: PlatformUser
    ) -> None:
        if self.home:
            await self.client.views_publish(
                user_id=self.user_id, view=render.home_view(await conversations.home(user))
            )
        elif self.origin is not None:
            channel, ts = self.origin
            await self.client.chat_update(
                channel=channel, ts=ts, text=message.text, blocks=render.message_blocks(message)
            )

    async def say(self, message: Message) -> None:
        if self.channel is not None and await self._in_channel(self.channel, message):
            return
        key = (self.client.token or "", self.user_id)
        channel = _DM_CHANNELS.get(key)
        if channel is None:
            opened = await self.client.conversations_open(users=self.user_id)
            channel = (opened.get("channel") or {}).get("id") or self.user_id
            if len(_DM_CHANNELS) >= DM_CHANNELS_KEPT:
                _DM_CHANNELS.clear()
            _DM_CHANNELS[key] = channel
        try:
            await self.client.chat_postMessage(
                channel=channel, text=message.text, blocks=render.message_blocks(message)
            )
        except SlackApiError:
            _DM_CHANNELS.pop(key, None)  # opened again next time
            raise

    async def _in_channel(self, channel: str, message: Message) -> bool:
        """Said in the channel; False when the bot may not post there (not invited), so
        that the person still hears the answer, in their DM."""
        try:
            await self.client.chat_postMessage(
                channel=channel, text=message.text, blocks=render.message_blocks(message)
            )
        except SlackApiError as exc:
            log.info("cannot answer in the channel: %s; answering by DM", api_error(exc))
            return False
        return True


async def finish_late(
    task: asyncio.Task[Reply | None],
    replies: SlackReplies,
    conversations: Conversations,
    user: PlatformUser,
) -> None:
    """The answer to an interaction that finished after Slack stopped waiting, as a DM."""
    try:
        reply = await task
        if reply is None:  # parked after all: answered by message once handled
            return
        said = late_message(reply)
        keep = reply.replace_original if not reply.form_errors and not reply.open_form else None
        await replies.perform(Reply(message=said, replace_original=keep), conversations, user)
    except SlackApiError as exc:
        log.warning("slack call failed after a late answer: %s", api_error(exc))
    except Exception:
        log.exception("late interaction failed")
        await replies.say(Message(SORRY, (Section(SORRY),)))


async def _deliver(
    outcome: Outcome,
    replies: SlackReplies,
    conversations: Conversations,
    user: PlatformUser,
    command_text: str | None,
) -> None:
    if outcome.reply is not None:
        await replies.perform(outcome.reply, conversations, user, command_text)
    elif outcome.late is not None:
        await finish_late(outcome.late, replies, conversations, user)
    # Parked: handled as soon as the bot has room, and answered by message then.


class Inbound:
    """Runs interactions from Slack through the intake (one set of slots per process)."""

    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self.conversations = intake.conversations

    async def run(
        self,
        client: AsyncWebClient,
        context: AsyncBoltContext,
        body: dict[str, Any],
        interaction: Interaction,
        replies: SlackReplies,
        command_text: str | None = None,
    ) -> None:
        # The workspace Slack authenticated (workspace.py), never the body's claim.
        user = platform_user(client, workspace.authenticated(context), user_id_of(body))
        try:
            outcome = await self.intake.answer(user, interaction, budget=PRESS_BUDGET)
            await _deliver(outcome, replies, self.conversations, user, command_text)
        except SlackApiError as exc:
            log.warning("slack call failed: %s", api_error(exc))
        except Exception:
            log.exception("interaction failed")
            await replies.say(Message(SORRY, (Section(SORRY),)))
