"""bolt listeners: Slack payloads in, neutral interactions to the handlers, replies out.

Button presses and commands are acknowledged before any work; a modal submission is
answered in its acknowledgement (errors, next step or close), which the handlers give
well inside Slack's 3 seconds.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import render, workspace
from bot.slack.output import api_error
from handlers.context import PlatformUser
from handlers.intake import Intake, Outcome
from handlers.router import (
    Command,
    Conversations,
    Interaction,
    Press,
    Submit,
    late_message,
)
from handlers.text import t
from handlers.ui import Actions, Button, Message, Reply, Section, Style

log = logging.getLogger(__name__)
SORRY = t("sorry")


def platform_user(client: AsyncWebClient, team_id: str, user_id: str) -> PlatformUser:
    async def email() -> str | None:
        try:
            info = await client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, api_error(exc))
            return None
        profile = (info.get("user") or {}).get("profile") or {}
        return profile.get("email")

    return PlatformUser("slack", team_id or "", user_id, email_lookup=email)


def _user_id(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "")
    return str(body.get("user_id") or user or "")


def _view_key(view: dict[str, Any]) -> str | None:
    """A modal's id and its hash name one submission of one state of one form: a double
    click or a retry of it carries the same pair and is recorded once; the next step of
    the same modal has a new hash."""
    view_id, view_hash = view.get("id"), view.get("hash")
    if not isinstance(view_id, str) or not isinstance(view_hash, str) or not view_id:
        return None
    return f"view:{view_id}:{view_hash}"[:255]


class SlackReplies:
    """Carries out a Reply for one interaction."""

    def __init__(
        self,
        client: AsyncWebClient,
        user_id: str,
        trigger_id: str | None,
        origin: tuple[str, str] | None,
        home: bool = False,
    ) -> None:
        self.client, self.user_id, self.trigger_id = client, user_id, trigger_id
        self.origin, self.home = origin, home

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
        opened = await self.client.conversations_open(users=self.user_id)
        channel = (opened.get("channel") or {}).get("id") or self.user_id
        await self.client.chat_postMessage(
            channel=channel, text=message.text, blocks=render.message_blocks(message)
        )


# Slack gives up on an answer after 3 seconds. A press may open a modal, whose trigger
# also expires after 3 s; a submission that is not done in time is parked (a database
# write) and the modal told it is saving, which must also fit in the 3 s.
PRESS_BUDGET = 2.0
SUBMISSION_BUDGET = 1.8


async def _finish_late(
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
        await _finish_late(outcome.late, replies, conversations, user)
    # Parked: handled as soon as the bot has room, and answered by message then.


def register(app: AsyncApp, intake: Intake) -> None:
    conversations = intake.conversations

    async def run(
        client: AsyncWebClient,
        context: AsyncBoltContext,
        body: dict[str, Any],
        interaction: Interaction,
        replies: SlackReplies,
        command_text: str | None = None,
    ) -> None:
        # The workspace Slack authenticated (workspace.py), never the body's claim.
        user = platform_user(client, workspace.authenticated(context), _user_id(body))
        try:
            outcome = await intake.answer(user, interaction, budget=PRESS_BUDGET)
            await _deliver(outcome, replies, conversations, user, command_text)
        except SlackApiError as exc:
            log.warning("slack call failed: %s", api_error(exc))
        except Exception:
            log.exception("interaction failed")
            await replies.say(Message(SORRY, (Section(SORRY),)))

    @app.command("/mentor")
    async def on_command(
        ack: Any, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        text = str(body.get("text") or "")
        replies = SlackReplies(client, _user_id(body), body.get("trigger_id"), None)
        await run(client, context, body, Command(text), replies)

    @app.action(re.compile(r".+"))
    async def on_action(
        ack: Any, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        actions = body.get("actions") or [{}]
        action = actions[0] if isinstance(actions[0], dict) else {}
        container = body.get("container") or {}
        origin = None
        if container.get("type") == "message":
            origin = (str(container.get("channel_id")), str(container.get("message_ts")))
        home = container.get("type") == "view" and (body.get("view") or {}).get("type") == "home"
        replies = SlackReplies(client, _user_id(body), body.get("trigger_id"), origin, home=home)
        press = Press(str(action.get("action_id") or ""), str(action.get("value") or ""))
        await run(client, context, body, press, replies)

    @app.view(re.compile(r".+"))
    async def on_view(
        ack: Any,
        body: dict[str, Any],
        client: AsyncWebClient,
        view: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        user_id = _user_id(body)
        user = platform_user(client, workspace.authenticated(context), user_id)
        try:
            state, origin = render.read_metadata(str(view.get("private_metadata") or ""))
            values = render.form_values((view.get("state") or {}).get("values") or {})
        except ValueError:
            await ack()
            await SlackReplies(client, user_id, None, None).say(Message(SORRY))
            return
        replies = SlackReplies(client, user_id, None, origin)
        submit = Submit(str(view.get("callback_id")), values, state, event_key=_view_key(view))
        try:
            outcome = await intake.answer(user, submit, budget=SUBMISSION_BUDGET)
        except Exception:
            log.exception("form submission failed")
            first = next(
                (b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"),
                None,
            )
            await ack(response_action="errors", errors={first: SORRY}) if first else await ack()
            return
        if outcome.reply is None:
            # Not done in time (the bot is busy): the modal says it is saving; the answer,
            # or what to correct, comes as a DM. What was typed is kept in the database.
            await ack(response_action="update", view=render.saving_view())
            if outcome.late is not None:
                await _finish_late(outcome.late, replies, conversations, user)
            return
        reply = outcome.reply
        if reply.form_errors:
            await ack(response_action="errors", errors=reply.form_errors)
            return
        if reply.open_form is not None:
            await ack(response_action="update", view=render.modal(reply.open_form, origin))
        else:
            await ack()
        try:
            await replies.perform(
                Reply(message=reply.message, replace_original=reply.replace_original),
                conversations,
                user,
            )
        except SlackApiError as exc:
            log.warning("slack call failed after submission: %s", api_error(exc))

    @app.event("app_home_opened")
    async def on_home(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        if event.get("tab") not in (None, "home"):
            return
        team = workspace.authenticated(context)
        user = platform_user(client, team, str(event.get("user") or ""))
        await client.views_publish(
            user_id=user.external_id, view=render.home_view(await intake.home(user))
        )

    @app.event("message")
    async def on_message(
        event: dict[str, Any],
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        text = str(event.get("text") or "")
        replies = SlackReplies(client, str(event.get("user") or ""), None, None)
        body = dict(body, user_id=event.get("user"))
        await run(
            client,
            context,
            body,
            Command(text, event_key=str(body.get("event_id") or "") or None),
            replies,
            command_text=text,
        )
