"""The bot's turn logic: Teams activities in, neutral interactions to the handlers, replies out.

- A 1:1 chat message is a command ("status", "observe", …) with the @mention removed.
- In a team channel or group chat only "help" and "use this channel for escalations" are
  understood: anything else is answered with help, so that nobody's records are listed in
  front of a whole channel.
- A press or a form submission on one of our cards arrives as a message whose `value` is
  the card's data (see render). The card answered is updated in place (its id is the
  message's replyToId), so the same card cannot be answered twice.
- Installing the bot in a personal scope stores the person's conversation reference
  (through the handlers' identity matching) and greets them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes

from bot.phrases import asks_for_channel, channel_level
from bot.teams import NAME, failures, inbound, invoke, render
from bot.teams.connectors import shared
from bot.teams.output import Conversations as Known
from handlers.context import PlatformUser
from handlers.intake import Intake
from handlers.router import Command, Interaction, Press, Submit, UseChannel
from handlers.text import t
from handlers.ui import Form, Message, Reply, Section

log = logging.getLogger(__name__)
SORRY = t("sorry")
MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def command_text(text: str | None) -> str:
    """The typed words, without the bot's @mention or Teams' HTML leftovers."""
    cleaned = MENTION.sub(" ", text or "").replace("&nbsp;", " ")
    cleaned = re.sub(r"<[^>]+>", " ", cleaned)
    return " ".join(cleaned.split())


def tenant_of(activity: Activity) -> str:
    """The tenant as a lower-case GUID, or "" (the edge has refused a forged one)."""
    return inbound.tenant_id(activity)


def conversation_type(activity: Activity) -> str:
    conversation = activity.conversation
    return str((conversation.conversation_type if conversation else None) or "personal")


def reference_of(activity: Activity, *, conversation_id: str | None = None) -> dict[str, Any]:
    """The conversation reference to store, as plain JSON (no activity: it is reused)."""
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    if conversation_id is not None:
        reference.conversation.id = conversation_id
    if not reference.conversation.tenant_id:
        reference.conversation.tenant_id = tenant_of(activity) or None
    return reference.serialize()  # type: ignore[no-any-return]


def event_key(activity: Activity) -> str | None:
    if not activity.id:
        return None
    conversation = activity.conversation.id if activity.conversation else ""
    digest = hashlib.sha256((conversation or "").encode()).hexdigest()[:16]
    return f"{digest}:{activity.id}"


def card_key(activity: Activity, action: render.CardSubmit) -> str | None:
    """One submission of one card: a double click sends two activities (two ids) for the
    same card (replyToId) with the same values, and is recorded once."""
    if not activity.reply_to_id:
        return event_key(activity)
    conversation = activity.conversation.id if activity.conversation else ""
    content = json.dumps([action.form_id, action.values, action.state], sort_keys=True, default=str)
    where = hashlib.sha256((conversation or "").encode()).hexdigest()[:16]
    what = hashlib.sha256(content.encode()).hexdigest()[:16]
    return f"card:{where}:{activity.reply_to_id}:{what}"[:255]


def platform_user(turn_context: TurnContext, *, reference: bool) -> PlatformUser:
    activity = turn_context.activity
    sender = activity.from_property
    member_id = sender.id if sender else ""

    async def email() -> str | None:
        try:
            member = await TeamsInfo.get_member(turn_context, member_id)
        except Exception as exc:  # the connector refused or is unreachable
            log.warning("teams member lookup failed: %s", type(exc).__name__)
            return None
        return getattr(member, "email", None) or getattr(member, "user_principal_name", None)

    return PlatformUser(
        NAME,
        tenant_of(activity),
        str((sender.aad_object_id if sender else None) or member_id or ""),
        email_lookup=email,
        conversation_reference=reference_of(activity) if reference else None,
    )


class TeamsReplies:
    """Carries out a Reply in the conversation the activity came from."""

    def __init__(self, turn_context: TurnContext) -> None:
        self.tc = turn_context
        # The card that was pressed or submitted, if any.
        self.card_id: str | None = turn_context.activity.reply_to_id

    async def send(self, card: dict[str, Any], summary: str) -> str | None:
        response = await self.tc.send_activity(render.activity(shared(self.tc, card), summary))
        return response.id if response is not None else None

    async def say(self, message: Message) -> None:
        await self.send(render.message_card(message), message.text)

    async def update(self, activity_id: str, card: dict[str, Any], summary: str) -> None:
        replacement = render.activity(shared(self.tc, card), summary)
        replacement.id = activity_id
        await self.tc.update_activity(replacement)

    async def replace(self, activity_id: str | None, message: Message) -> None:
        if activity_id:
            await self.update(activity_id, render.message_card(message), message.text)
        else:
            await self.say(message)

    async def perform(self, reply: Reply) -> None:
        """After a typed command or a button press."""
        if reply.open_form is not None:
            form = reply.open_form
            await self.send(render.form_card(form, origin=self.card_id), form.title)
        if reply.replace_original is not None and self.card_id:
            await self.replace(self.card_id, reply.replace_original)
        if reply.message is not None:
            await self.say(reply.message)

    async def perform_submit(self, reply: Reply, submitted: render.CardSubmit) -> None:
        """After a form card's submission: errors, the next step, or the answer in place."""
        card = self.card_id
        if reply.form_errors:
            try:
                form: Form | None = render.form_from_spec(
                    submitted.form_id, submitted.spec, submitted.state
                )
            except (ValueError, TypeError):
                form = None
            if form is None or render.is_lite(submitted.spec) or not card:
                # The card can't be drawn again here: say what is wrong; the card in the
                # chat still holds what was typed, to correct and send again.
                await self.say(render.errors_message(form, reply.form_errors))
                return
            shown = render.form_card(
                form, values=submitted.values, errors=reply.form_errors, origin=submitted.origin
            )
            await self.update(card, shown, form.title)
            return
        if reply.open_form is not None:
            step = render.form_card(reply.open_form, origin=submitted.origin)
            title = reply.open_form.title
            await (self.update(card, step, title) if card else self.send(step, title))
            if reply.message is not None:
                await self.say(reply.message)
            return
        # The form card is answered: it shows the outcome and can't be submitted again.
        if reply.message is not None:
            await self.replace(card, reply.message)
        elif reply.replace_original is not None and card:
            await self.replace(card, reply.replace_original.without_buttons())
        if reply.replace_original is not None and submitted.origin and submitted.origin != card:
            await self.replace(submitted.origin, reply.replace_original)


# Teams waits 15 s for a turn; past this the bot says it is saving and answers later.
TURN_BUDGET = 5.0


class TeamsBot:
    def __init__(self, intake: Intake, known: Known) -> None:
        self.conversations = intake.conversations
        self.known = known
        self.intake = intake
        # (person, 1:1 chat, service URL) whose conversation reference this process has
        # already handed to the handlers: storing it again on every message would cost a
        # database write per message. Install events always hand it over.
        self._stored: set[str] = set()

    def _user(
        self, turn_context: TurnContext, *, personal: bool, always: bool = False
    ) -> tuple[PlatformUser, str | None]:
        """The person, with their 1:1 conversation reference when it should be stored
        (only a 1:1 chat is where a person gets their prompts); and the key to remember
        once it is."""
        activity = turn_context.activity
        if not personal:
            return platform_user(turn_context, reference=False), None
        sender = activity.from_property
        key = "|".join(
            (
                str((sender.aad_object_id or sender.id) if sender else ""),
                str(activity.conversation.id if activity.conversation else ""),
                str(activity.service_url or ""),
            )
        )
        share = always or key not in self._stored
        return platform_user(turn_context, reference=share), key if share else None

    def _remember(self, key: str | None, said: Message | None) -> None:
        if key is None or (said is not None and said.text == t("not_on_roster")):
            return
        if len(self._stored) > 50_000:
            self._stored.clear()
        self._stored.add(key)

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        try:
            await self._dispatch(turn_context)
        except Exception as exc:
            # A connector that is down or answers garbage, a card we can't read back:
            # logged here, and the request is still answered (see edge).
            failures.log_failure("teams turn failed", activity, exc)

    async def _dispatch(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.type == ActivityTypes.invoke:
            await invoke.answer(turn_context)
            return
        self.known.learn(
            activity.conversation.id if activity.conversation else None, activity.service_url
        )
        if activity.type == ActivityTypes.message:
            await self._message(turn_context)
        elif activity.type == ActivityTypes.conversation_update:
            await self._conversation_update(turn_context)
        elif activity.type == ActivityTypes.installation_update:
            await self._installation_update(turn_context)

    async def _run(
        self,
        turn_context: TurnContext,
        interaction: Interaction,
        user: PlatformUser,
        stored_key: str | None,
        submitted: render.CardSubmit | None = None,
    ) -> None:
        replies = TeamsReplies(turn_context)
        try:
            reply = await self._answer(replies, user, interaction)
            if reply is None:  # parked: answered by message once the bot has room
                return
            self._remember(stored_key, reply.message)
            if submitted is not None:
                await replies.perform_submit(reply, submitted)
            else:
                await replies.perform(reply)
        except failures.CONNECTOR_ERRORS as exc:
            log.warning("teams connector call failed: %s", type(exc).__name__)
        except Exception:
            log.exception("interaction failed")
            try:
                await replies.say(Message(SORRY, (Section(SORRY),)))
            except Exception:
                log.warning("could not tell the user about the failure")

    async def _answer(
        self, replies: TeamsReplies, user: PlatformUser, interaction: Interaction
    ) -> Reply | None:
        outcome = await self.intake.answer(user, interaction, budget=TURN_BUDGET)
        if outcome.reply is not None:
            return outcome.reply
        # Busy: say so now (what was sent is kept), and answer when it is done.
        await replies.say(Message(t("saving"), (Section(t("saving")),)))
        return await outcome.late if outcome.late is not None else None

    async def _message(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        personal = conversation_type(activity) == "personal"
        user, stored_key = self._user(turn_context, personal=personal)
        key = event_key(activity)
        if activity.value is not None:
            try:
                action = render.read_value(activity.value)
            except ValueError:
                log.info("card value not understood")
                await TeamsReplies(turn_context).say(Message(t("bad_request")))
                return
            if isinstance(action, render.CardPress):
                press = Press(action.action, action.value, event_key=key)
                await self._run(turn_context, press, user, stored_key)
            else:
                submit = Submit(
                    action.form_id, action.values, action.state, card_key(activity, action)
                )
                await self._run(turn_context, submit, user, stored_key, action)
            return
        text = command_text(activity.text)
        if personal:
            # Commands write nothing (they show status or open a form), so a redelivered
            # one is answered again rather than costing every command a database write.
            await self._run(turn_context, Command(text), user, stored_key)
        elif asks_for_channel(text):
            channel_id = self._channel_id(activity)
            use = UseChannel(
                channel_id,
                workspace_id=tenant_of(activity),
                reference=reference_of(activity, conversation_id=channel_id),
                event_key=key,
                level=channel_level(text) or 1,
            )
            await self._run(turn_context, use, user, stored_key)
        else:
            await self._run(turn_context, Command("help"), user, stored_key)

    @staticmethod
    def _channel_id(activity: Activity) -> str:
        data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        channel = data.get("channel") if isinstance(data.get("channel"), dict) else None
        base = str(activity.conversation.id).split(";", 1)[0]
        return str((channel or {}).get("id") or base)

    async def _greet(self, turn_context: TurnContext) -> None:
        user, stored_key = self._user(turn_context, personal=True, always=True)
        try:
            greeting = await self.intake.home(user)
            self._remember(stored_key, greeting)
            await TeamsReplies(turn_context).say(greeting)
        except failures.CONNECTOR_ERRORS as exc:
            log.warning("teams greeting failed: %s", type(exc).__name__)

    def _bot_added(self, activity: Activity) -> bool:
        bot_id = activity.recipient.id if activity.recipient else None
        return any(m.id == bot_id for m in activity.members_added or [])

    async def _conversation_update(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if conversation_type(activity) == "personal" and self._bot_added(activity):
            # Personal install: link the person (stores the reference) and greet them.
            await self._greet(turn_context)

    async def _installation_update(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if conversation_type(activity) != "personal":
            return
        action = str(activity.action or "")
        if action.startswith("remove"):
            # They removed the app: messages wait (held) until it is installed again.
            user, key = self._user(turn_context, personal=True, always=True)
            self._stored.discard(key or "")
            await self.intake.conversations.forget_chat(user)
            return
        if not action.startswith("add"):
            return
        # Teams also sends conversationUpdate, which greets; this only stores the reference
        # (home() matches the person to the roster and links them, nothing is sent).
        user, stored_key = self._user(turn_context, personal=True, always=True)
        self._remember(stored_key, await self.intake.home(user))
