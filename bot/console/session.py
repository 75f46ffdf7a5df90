"""A console conversation with the handlers, and the scheduler on a simulated clock.

`ConsoleSession` is the console edge proper: it turns what a person types into the
handlers' neutral interactions (Command, Press, Submit), shows the neutral replies as
cards, asks forms field by field and submits them to the handler, re-asking only the
fields the handler's own validation refused. It is also the dispatcher's console inbox:
messages the scheduler sends are printed for whoever they were for.

Both `mentorbot chat` (answers typed at a terminal or piped in) and `mentorbot demo`
(answers from a script) drive it; only where answers come from differs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.text import Text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import platforms
from bot.console import NAME, render
from bot.console.answers import Answers, typed_value
from bot.console.clock import SimClock, when_text
from bot.console.output import Delivered, Relay
from bot.console.roster import Roster, Who
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from handlers.codec import message_to_dict
from handlers.context import PlatformUser
from handlers.router import Command, Interaction, Press, Submit
from handlers.ui import Button, Form, FormField, Message, Reply
from scheduler.policy import Policy
from scheduler.service import TickResult

MAX_FORM_ROUNDS = 10


@dataclass(slots=True)
class Shown:
    """A message on screen whose buttons can be pressed; replaced in place when answered."""

    message: Message
    recipient_key: str
    where: str  # whose screen it is on: "Ben Hughes (Slack DM)", "#itt (Slack channel)"


def console_user(email: str) -> PlatformUser:
    """A console user: known by e-mail, matched to the roster the way Slack and Teams are."""
    address = email.strip().lower()

    async def lookup() -> str:
        return address

    return PlatformUser(NAME, "", address, email_lookup=lookup)


class ConsoleSession:
    """`runtime`: composed with this session as its console (see `open_session`)."""

    def __init__(
        self,
        runtime: Runtime,
        clock: SimClock,
        console: Console,
        *,
        show_everything: bool = False,
    ) -> None:
        self.runtime = runtime
        self.conversations = runtime.conversations
        self.clock = clock
        self.console = console
        self.zone = ZoneInfo(runtime.settings.timezone)
        # The demo shows every message with numbered buttons; a chat numbers only the
        # current person's, and says whom to become to answer the others.
        self.show_everything = show_everything
        self.roster = Roster(runtime.sessions)
        self.user: PlatformUser | None = None
        self.who: Who | None = None
        self.last: Shown | None = None
        self.inbox: dict[str, list[Shown]] = defaultdict(list)
        self.waiting: dict[str, Shown] = {}
        self.delivered_count = 0

    async def close(self) -> None:
        await self.runtime.close()

    # --- output ----------------------------------------------------------------------------

    def print(self, *objects: Any) -> None:
        self.console.print(*objects)

    def note(self, text: str, style: str = "dim") -> None:
        self.console.print(Text(text, style=style))

    def _show(self, shown: Shown, *, title: str, border: str, footer: str | None = None) -> None:
        self.console.print(
            render.card(
                shown.message,
                title=title,
                subtitle=when_text(self.clock(), self.zone),
                border=border,
                footer=footer,
            )
        )
        self.last = shown

    def show_reply(self, message: Message) -> Shown:
        """The bot's answer to the person who acted (in their DM, where they acted)."""
        shown = Shown(message, self._current_key(), self._current_name())
        if self.who is not None:
            self.inbox[shown.recipient_key].append(shown)
        self._show(shown, title=f"mentorbot → {shown.where}", border="green")
        return shown

    def show_updated(self, shown: Shown) -> None:
        """The message whose button was pressed, as it reads now (edited in place)."""
        self._show(shown, title=f"↻ {shown.where}: updated in place", border="blue")

    def _current_key(self) -> str:
        return f"person:{self.who.person_id}" if self.who else "person:?"

    def _current_name(self) -> str:
        if self.who is None:
            return self.user.external_id if self.user else "you"
        where = platforms.direct_label(self.who.platform or NAME)
        return f"{self.who.name} ({where})"

    # --- the roster --------------------------------------------------------------------------

    async def switch(self, email: str, *, quiet: bool = False) -> Who | None:
        """Act as someone else. Unknown e-mails get the handlers' not-on-roster answer."""
        self.user = console_user(email)
        self.who = await self.roster.lookup(email)
        self.last = None
        if self.who is None:
            # The handler says it, as it would to a stranger on Slack or Teams.
            reply = await self.conversations.handle(self.user, Command("help"))
            if reply.message is not None:
                self.show_reply(reply.message)
            return None
        if quiet:
            return self.who
        where = (
            f"; the bot reaches them on {platforms.label(self.who.platform)}"
            if self.who.platform
            else ""
        )
        self.note(f"You are now {self.who.name} ({self.who.role_text}){where}.", "bold")
        for key in self._keys_of(self.who):
            shown = self.waiting.pop(key, None)
            if shown is not None:
                self.note("Waiting for you:")
                self._show(shown, title=f"→ {shown.where}", border="cyan")
        return self.who

    def _keys_of(self, who: Who) -> list[str]:
        keys = [f"person:{who.person_id}"]
        if who.leadership:
            keys += [k for k in self.waiting if k.startswith("channel:")]
        return keys

    # --- interactions ------------------------------------------------------------------------

    async def interact(
        self, interaction: Interaction, answers: Answers, *, origin: Shown | None = None
    ) -> None:
        if self.user is None:
            self.note("Nobody is signed in: type /as EMAIL first.", "yellow")
            return
        reply = await self.conversations.handle(self.user, interaction)
        await self.follow(reply, answers, origin)

    async def command(self, text: str, answers: Answers) -> None:
        await self.interact(Command(text), answers)

    async def press(self, shown: Shown, button: Button, answers: Answers) -> None:
        await self.interact(Press(button.action, button.value), answers, origin=shown)

    async def press_number(self, number: int, answers: Answers) -> None:
        buttons = render.buttons_of(self.last.message) if self.last else []
        if self.last is None or not buttons:
            self.note("The last message has no buttons to press.", "yellow")
            return
        if not 1 <= number <= len(buttons):
            self.note(f"Choose a button from 1 to {len(buttons)}.", "yellow")
            return
        await self.press(self.last, buttons[number - 1], answers)

    async def follow(self, reply: Reply, answers: Answers, origin: Shown | None) -> None:
        """Show a reply, and keep going while it opens forms (multi-step forms)."""
        while True:
            if reply.replace_original is not None:
                if origin is not None:
                    origin.message = reply.replace_original
                    self.show_updated(origin)
                else:
                    self.show_reply(reply.replace_original)
            if reply.message is not None:
                self.show_reply(reply.message)
            await self.dispatch()  # what the handler queued for other people
            if reply.open_form is None:
                return
            submitted = await self.fill(reply.open_form, answers)
            if submitted is None:
                return
            reply = submitted

    async def fill(self, form: Form, answers: Answers) -> Reply | None:
        """Ask the form, submit it, and re-ask only what the handler refused, with why."""
        assert self.user is not None
        self.console.print(render.form_heading(form))
        typed: dict[str, str] = {}
        asking: Sequence[FormField] = form.fields
        errors: Mapping[str, str] = {}
        today = self.clock().astimezone(self.zone).date()
        for _round in range(MAX_FORM_ROUNDS):
            got = await answers.ask(self, form, asking, errors)
            if got is None:
                self.note("Form abandoned; nothing was submitted.", "yellow")
                return None
            typed.update(got)
            values = {f.name: typed_value(f, typed.get(f.name, ""), today) for f in form.fields}
            reply = await self.conversations.handle(
                self.user, Submit(form.form_id, values, dict(form.state))
            )
            if not reply.form_errors:
                return reply
            errors = reply.form_errors
            asking = [f for f in form.fields if f.name in errors]
            if not asking:  # an error about no field we asked: show it and stop
                for reason in errors.values():
                    self.note(f"✖ {reason}", "bold red")
                return None
        self.note("Too many tries; the form was closed.", "yellow")
        return None

    # --- the scheduler ---------------------------------------------------------------------

    async def dispatch(self) -> None:
        await self.runtime.dispatcher.drain()

    async def tick(self) -> TickResult:
        return await self.runtime.scheduler.tick()

    async def advance(self, delta: timedelta) -> int:
        """Move the clock, sweeping each working hour on the way; returns messages sent."""
        before = self.delivered_count
        start = self.clock()
        end = start + delta
        for moment in _steps(start, end, self.zone):
            self.clock.set(moment)
            await self.tick()
        self.clock.set(end)
        await self.tick()
        return self.delivered_count - before

    # --- the console inbox (the dispatcher's output) -------------------------------------------

    async def describe(self, item: Delivered) -> str:
        where = platforms.label(item.platform)
        if item.channel_id:
            return f"{item.channel_id} ({where} channel)"
        who = await self.roster.person(item.person_id) if item.person_id else None
        name = who.name if who else (item.email or "?")
        return f"{name} ({platforms.direct_label(item.platform)})"

    def _is_current(self, item: Delivered) -> bool:
        if self.who is None:
            return False
        if item.channel_id:
            return self.who.leadership
        return item.person_id == self.who.person_id

    async def delivered(self, item: Delivered) -> None:
        self.delivered_count += 1
        shown = Shown(item.message, item.recipient_key, await self.describe(item))
        self.inbox[item.recipient_key].append(shown)
        title = f"→ {shown.where}"
        subtitle = when_text(item.at, self.zone)
        if self.show_everything or self._is_current(item):
            self.console.print(render.card(item.message, title=title, subtitle=subtitle))
            self.last = shown
            return
        footer = None
        if render.buttons_of(item.message):
            self.waiting[item.recipient_key] = shown
            who = await self.roster.person(item.person_id) if item.person_id else None
            footer = f"/as {who.email} to answer" if who else "/as an ITT lead's e-mail to answer"
        self.console.print(
            render.card(
                item.message,
                title=title,
                subtitle=subtitle,
                numbered=False,
                border="bright_black",
                footer=footer,
            )
        )

    async def updated(self, channel_id: str, message_id: str, message: Message) -> None:
        self.console.print(
            render.card(message, title=f"updated in {channel_id}", numbered=False, border="blue")
        )

    # --- for the demo's script -------------------------------------------------------------

    def find(self, who: Who, label: str, about: str = "") -> tuple[Shown, Button] | None:
        """The newest message to `who` (or their channel) with a button `label` about `about`."""
        keys = [f"person:{who.person_id}"]
        if who.leadership:
            keys += [k for k in self.inbox if k.startswith("channel:")]
        candidates = [s for k in keys for s in self.inbox.get(k, [])]
        for shown in reversed(candidates):
            if about and about not in _plain(shown.message):
                continue
            for button in render.buttons_of(shown.message):
                if button.label == label:
                    return shown, button
        return None


def _plain(message: Message) -> str:
    return str(message_to_dict(message))


def _steps(start: datetime, end: datetime, zone: ZoneInfo) -> list[datetime]:
    """Each whole hour between start and end in school working hours (07:00–18:00 on
    weekdays): nothing is sent outside them, so sweeping there would find nothing new."""
    out: list[datetime] = []
    moment = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while moment < end:
        here = moment.astimezone(zone)
        if here.weekday() < 5 and 7 <= here.hour <= 18:
            out.append(moment)
        moment += timedelta(hours=1)
    return out


async def open_session(
    settings: Settings,
    clock: SimClock,
    console: Console,
    *,
    policy: Policy | None = None,
    engine: AsyncEngine | None = None,
    show_everything: bool = False,
) -> ConsoleSession:
    """A console session over the bot as the composition root builds it, with the session
    as the console every message is shown on. (The runtime's outputs need the session and
    the session needs the runtime: the relay is connected once both exist.)"""
    relay = Relay()
    runtime = await build_runtime(
        settings, clock=clock, policy=policy, engine=engine, console=relay
    )
    session = ConsoleSession(runtime, clock, console, show_everything=show_everything)
    relay.target = session
    return session
