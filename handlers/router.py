"""The one entry point the edges call: who acted, what they did, and what to answer.

Each interaction is one transaction. Refusals (not on the roster, not linked, a forged
or stale payload) roll back everything, so nothing is half-written, and are answered
with a plain message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random

from handlers import escalation, identity, keys, notify, status
from handlers.context import BadRequest, Ctx, Forbidden, NotOnRoster, PlatformUser
from handlers.conversation import ArgumentRun, CommandRun, PressRun, SubmitRun
from handlers.registry import REGISTRY
from handlers.roster_cache import RosterCache
from handlers.text import t
from handlers.ui import Actions, Button, Message, Reply, Section, Style
from storage.db import is_busy, transaction
from storage.repo import messaging, people
from storage.repo import parked as parked_repo
from storage.sqlite_driver import interactive

log = logging.getLogger(__name__)
BUSY_ATTEMPTS = 4


@dataclass(frozen=True, slots=True)
class Command:
    """Typed text: `/mentor status` in Slack, "status" in a Teams chat."""

    text: str
    event_key: str | None = None


@dataclass(frozen=True, slots=True)
class Press:
    action: str
    value: str
    event_key: str | None = None


@dataclass(frozen=True, slots=True)
class Submit:
    form_id: str
    values: dict[str, Any]
    state: dict[str, Any] = field(default_factory=dict)
    event_key: str | None = None


@dataclass(frozen=True, slots=True)
class UseChannel:
    """An ITT lead asking for escalation alerts in the channel they typed in."""

    channel_id: str
    workspace_id: str = ""
    reference: dict[str, Any] | None = None
    event_key: str | None = None
    level: int = 1  # "use this channel for level 2 escalations"


Interaction = Command | Press | Submit | UseChannel
Handler = Callable[[Ctx, Any], Awaitable[Reply]]

# Built from the registry: each conversation package declares what it answers.
COMMANDS: dict[str, CommandRun] = REGISTRY.commands()
WITH_ARGUMENT: dict[str, ArgumentRun] = REGISTRY.commands_with_argument()
PRESSES: dict[str, PressRun] = REGISTRY.presses()
SUBMITS: dict[str, SubmitRun] = REGISTRY.submits()


async def _run_command(ctx: Ctx, _action: str, value: str) -> Reply:
    return await _command(ctx, value)


# A typed command that needs a form, offered as a button where the platform can only open
# forms from a click (a Slack DM has no trigger for a modal).
PRESSES["command.run"] = _run_command


def is_form(form_id: str) -> bool:
    return form_id in SUBMITS


class Conversations:
    """The handlers, bound to a database and a clock."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        timezone: str = "Europe/London",
        clock: Callable[[], datetime] | None = None,
        command_prefixes: Mapping[str, str] | None = None,
    ) -> None:
        """`command_prefixes`: how a command is typed on each platform, for help and hints
        (a platform not named types the bare word)."""
        self.sessions = sessions
        self.command_prefixes = dict(command_prefixes or {})
        self.timezone = ZoneInfo(timezone)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.roster = RosterCache()
        # Called after each interaction that queued notifications (wakes the dispatcher).
        self.on_queued: Callable[[], None] | None = None

    async def handle(
        self, user: PlatformUser, interaction: Interaction, *, parked: bool = False
    ) -> Reply:
        """`parked`: the interaction was kept while the bot was busy and is handled now; its
        answer is queued to the person, and its parked row removed, in the same transaction.
        """
        closing = isinstance(interaction, Submit)
        try:
            # SQLite refuses a transaction that read before another writer committed and
            # then tries to write ("database is locked", without waiting); the whole
            # interaction is then simply done again. Nothing of the first try was kept.
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(is_busy),
                stop=stop_after_attempt(BUSY_ATTEMPTS),
                wait=wait_random(0.01, 0.2),
                reraise=True,
            ):
                with attempt:
                    reply = await self._once(user, interaction, parked)
        except _Refused as refused:
            return refused.reply
        except (Duplicate, NotOnRoster, Forbidden, BadRequest) as exc:
            if parked and interaction.event_key:
                await self.forget_parked(user.platform, interaction.event_key)
            return _refusal(exc, interaction, closing)
        if self.on_queued is not None:
            self.on_queued()
        return reply

    async def _once(self, user: PlatformUser, interaction: Interaction, parked: bool) -> Reply:
        """One interaction as one transaction (short: on SQLite, done on the loop's thread,
        storage/sqlite_driver.py)."""
        with interactive():
            return await self._once_inside(user, interaction, parked)

    async def _once_inside(
        self, user: PlatformUser, interaction: Interaction, parked: bool
    ) -> Reply:
        async with transaction(self.sessions) as session:
            key = interaction.event_key
            # The key is recorded first: the insert takes SQLite's write lock (or the key's
            # index entry on PostgreSQL), so a copy of this interaction arriving at the same
            # moment (a double click, a platform retry) waits for this one to commit, then
            # finds the key taken and records nothing and notifies nobody.
            if key and not await messaging.first_time(session, source=user.platform, event_key=key):
                raise Duplicate()
            ctx = await self._context(session, user)
            reply = await self._route(ctx, interaction)
            if parked and key:
                await _answer_later(ctx, user.platform, key, reply, _again(interaction))
            elif reply.form_errors:
                # Nothing of a refused form is kept, its key included: the corrected form
                # (or the same one, once the date it refused is right) is answered anew.
                raise _Refused(reply)
        self._remember(user, ctx)
        return reply

    def _remember(self, user: PlatformUser, ctx: Ctx) -> None:
        """After the commit: whoever was resolved (and perhaps linked) is kept a while."""
        if self.roster.actor(user) is None:
            self.roster.keep_actor(user, ctx.actor)

    async def forget_chat(self, user: PlatformUser) -> None:
        """The person removed the app (Teams: an uninstall event): their chat is gone, so
        what is sent to them from now on waits for them to install it again (held)
        instead of failing; `mentorbot reach` says so. Nothing else of theirs changes."""
        async with transaction(self.sessions) as session:
            forgot = await people.forget_conversation(
                session,
                platform=user.platform,
                workspace_id=user.workspace_id,
                external_id=user.external_id,
            )
        if forgot:
            # A reinstall must store the chat again, not be taken for the one kept here.
            self.roster.actors.clear()
            log.info("%s chat forgotten for person_id=%s", user.platform, forgot)

    async def forget_parked(self, platform: str, event_key: str) -> None:
        """A parked interaction that needs no handling (already done, or refused)."""
        async with transaction(self.sessions) as session:
            await parked_repo.drop(session, platform=platform, event_key=event_key)

    async def home(self, user: PlatformUser) -> Message:
        try:
            with interactive():
                async with transaction(self.sessions) as session:
                    ctx = await self._context(session, user)
                    home = await status.home(ctx)
            self._remember(user, ctx)
            return home
        except NotOnRoster:
            return Message(t("not_on_roster"))

    async def _context(self, session: AsyncSession, user: PlatformUser) -> Ctx:
        actor = self.roster.actor(user) or await identity.resolve(session, user)
        prefix = self.command_prefixes.get(actor.platform, "")
        return Ctx(
            session=session,
            actor=actor,
            now=self.clock(),
            timezone=self.timezone,
            command_prefix=prefix,
            roster=self.roster,
        )

    async def _route(self, ctx: Ctx, interaction: Interaction) -> Reply:
        match interaction:
            case Command(text=text):
                return await _command(ctx, text)
            case Press(action=action, value=value) if action in PRESSES:
                return await PRESSES[action](ctx, action, value)
            case Submit(form_id=form_id, values=values, state=state) if form_id in SUBMITS:
                return await SUBMITS[form_id](ctx, form_id, values, state)
            case UseChannel(channel_id=channel_id, workspace_id=workspace, reference=reference):
                return await escalation.set_channel(
                    ctx,
                    platform=ctx.actor.platform,
                    workspace_id=workspace,
                    channel_id=channel_id,
                    reference=reference,
                    level=interaction.level,
                )
        raise BadRequest(f"unknown {_name(interaction)}")


def _refusal(exc: Exception, interaction: Interaction, closing: bool) -> Reply:
    match exc:
        case Duplicate():
            log.info("duplicate event %s ignored", interaction.event_key)
            return Reply(close_form=closing)
        case NotOnRoster():
            return Reply(message=Message(t("not_on_roster")), close_form=closing)
        case Forbidden(ids=ids):
            log.warning("forbidden %s %s", type(interaction).__name__, ids)
            key = "forbidden_escalation" if "escalation" in _name(interaction) else "forbidden"
            return Reply(message=Message(t(key)), close_form=closing)
    log.warning("bad request %s: %s", _name(interaction), exc)
    return Reply(message=Message(t("bad_request")), close_form=closing)


def _again(interaction: Interaction) -> Button | None:
    """A button that does a parked press or command again: a form it opened can only be
    shown from a fresh click (a platform's form trigger expires in seconds)."""
    match interaction:
        case Press(action=action, value=value):
            return Button(t("open_now"), action, value, Style.PRIMARY)
        case Command(text=text):
            return Button(t("open_now"), "command.run", text, Style.PRIMARY)
    return None


async def _answer_later(
    ctx: Ctx, platform: str, key: str, reply: Reply, again: Button | None
) -> None:
    """A parked interaction's answer goes to the person as a message, and the parked row
    goes, in the transaction that recorded it: neither without the other."""
    await parked_repo.drop(ctx.session, platform=platform, event_key=key)
    await notify.to_person(
        ctx.session,
        key=str(keys.LateReply(platform, key)),
        kind="late_reply",
        recipient_id=ctx.actor.person_id,
        message=late_message(reply, again),
        not_before=ctx.now,
    )


def late_message(reply: Reply, again: Button | None = None) -> Message:
    """A reply given after the platform stopped waiting, as a message to the person.
    `again`: a button that opens the form the reply would have opened."""
    if reply.form_errors:
        problems = "\n".join(f"• {name}: {error}" for name, error in reply.form_errors.items())
        text = f"{t('late_errors')}\n{problems}"
        return Message(text, (Section(text),))
    if reply.open_form is not None and again is not None:
        text = t("late_form_ready", title=reply.open_form.title)
        return Message(text, (Section(text), Actions((again,))))
    if reply.open_form is not None:
        return Message(t("late_next_step"), (Section(t("late_next_step")),))
    return reply.message or reply.replace_original or Message(t("saved"), (Section(t("saved")),))


async def _command(ctx: Ctx, text: str) -> Reply:
    word = " ".join(text.strip().lower().split()) or "help"
    if word in COMMANDS:
        return await COMMANDS[word](ctx)
    head, _, _ = word.partition(" ")
    if head in WITH_ARGUMENT:
        argument = text.strip().split(None, 1)[1].strip()  # as typed: names keep their case
        return await WITH_ARGUMENT[head](ctx, argument)
    shown = word[:40]
    hint = t("help_hint", cmd=ctx.command_prefix)
    return Reply(message=Message(t("unknown_command", command=shown, help_hint=hint)))


class _Refused(Exception):
    """A form answered with errors: roll the transaction back, answer the errors."""

    def __init__(self, reply: Reply) -> None:
        super().__init__("form refused")
        self.reply = reply


class Duplicate(Exception):
    """The same event was handled meanwhile by a concurrent request: roll this one back."""


def _name(interaction: Interaction) -> str:
    match interaction:
        case UseChannel():
            return "escalation.channel"
        case Press(action=action):
            return action
        case Submit(form_id=form_id):
            return form_id
    return type(interaction).__name__
