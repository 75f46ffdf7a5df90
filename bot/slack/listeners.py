"""bolt listeners: Slack payloads in, neutral interactions to the handlers, replies out.

Button presses and commands are acknowledged before any work; a modal submission is
answered in its acknowledgement (errors, next step or close), which the handlers give
well inside Slack's 3 seconds. Messages in channels are bot/slack/channels.py's.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import COMMAND, channels, render, workspace
from bot.slack.output import api_error
from bot.slack.replies import SORRY, Inbound, SlackReplies, finish_late, platform_user, user_id_of
from handlers.router import Command, Press, Submit
from handlers.ui import Message, Reply

log = logging.getLogger(__name__)
# A submission not done in time is parked (a database write, waited for at most 0.6 s)
# and the modal told it is saving, which must also fit in Slack's 3 s, with room for a
# busy event loop.
SUBMISSION_BUDGET = 1.5


def _view_key(view: dict[str, Any]) -> str | None:
    """A modal's id and its hash name one submission of one state of one form: a double
    click or a retry of it carries the same pair and is recorded once; the next step of
    the same modal has a new hash."""
    view_id, view_hash = view.get("id"), view.get("hash")
    if not isinstance(view_id, str) or not isinstance(view_hash, str) or not view_id:
        return None
    return f"view:{view_id}:{view_hash}"[:255]


def register(app: AsyncApp, inbound: Inbound) -> None:
    intake, conversations, run = inbound.intake, inbound.conversations, inbound.run

    @app.command(COMMAND)
    async def on_command(
        ack: Any, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        text = str(body.get("text") or "")
        use = channels.from_command(body, context)
        where = use.channel_id if use is not None else None
        replies = SlackReplies(
            client, user_id_of(body), body.get("trigger_id"), None, channel=where
        )
        await run(client, context, body, use or Command(text), replies)

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
        replies = SlackReplies(client, user_id_of(body), body.get("trigger_id"), origin, home=home)
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
        user_id = user_id_of(body)
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
                await finish_late(outcome.late, replies, conversations, user)
            return
        reply = outcome.reply
        if reply.form_errors:
            await ack(response_action="errors", errors=reply.form_errors)
            return
        said = reply.message
        if reply.open_form is not None:
            await ack(response_action="update", view=render.modal(reply.open_form, origin))
        elif said is not None and reply.nothing_changed:
            # "Already signed off": said in the modal, where the person is looking, not
            # as a DM of its own (the record itself is shown where it was prompted).
            await ack(response_action="update", view=render.answer_view(view, said))
            said = None
        else:
            await ack()
        try:
            await replies.perform(
                Reply(message=said, replace_original=reply.replace_original),
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
        if event.get("channel_type") != "im":
            await channels.on_message(inbound, event, body, client, context, mentioned=False)
            return
        if event.get("bot_id") or event.get("subtype"):
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
