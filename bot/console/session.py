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

import re
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any, Protocol
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.padding import Padding
from rich.text import Text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.console import render
from bot.console.clock import SimClock, when_text
from bot.console.output import PLATFORMS, Delivered, console_channels
from handlers.codec import message_to_dict
from handlers.context import PlatformUser
from handlers.router import Command, Conversations, Interaction, Press, Submit
from handlers.ui import Button, Choice, FieldKind, Form, FormField, Message, Reply
from scheduler.dispatch import Dispatcher, RateLimit
from scheduler.policy import Policy
from scheduler.service import SchedulerService, TickResult
from storage.repo import outbox, people

# The console has no platform limits to respect; the platforms' own are not simulated.
UNLIMITED = {p: RateLimit((10_000, 1.0), (10_000, 1.0)) for p in PLATFORMS}
MAX_FORM_ROUNDS = 10
LEADERSHIP = frozenset({"itt_lead", "admin"})
ROLE_NAMES = {
    "trainee": "trainee",
    "mentor": "mentor",
    "lead_mentor": "lead mentor",
    "itt_lead": "ITT lead",
    "admin": "admin",
}
ROLE_ORDER = tuple(ROLE_NAMES)
_CODE = re.compile(r"[A-Z]+[0-9][0-9.]*|PART2")


class EndOfInput(Exception):
    """Standard input ended (Ctrl-D, or the end of a piped script)."""


@dataclass(frozen=True, slots=True)
class Who:
    """A person on the roster, as the console shows them."""

    person_id: int
    name: str
    email: str
    roles: frozenset[str]
    platform: str | None  # where the bot reaches them: their school's platform

    @property
    def leadership(self) -> bool:
        return bool(self.roles & LEADERSHIP)

    @property
    def role_text(self) -> str:
        return ", ".join(ROLE_NAMES[r] for r in ROLE_ORDER if r in self.roles) or "no role"


@dataclass(slots=True)
class Shown:
    """A message on screen whose buttons can be pressed; replaced in place when answered."""

    message: Message
    recipient_key: str
    where: str  # whose screen it is on: "Ben Hughes (Slack DM)", "#itt (Slack channel)"


class Answers(Protocol):
    """Where a form's answers come from: a person at a terminal, or the demo's script."""

    async def ask(
        self,
        session: ConsoleSession,
        form: Form,
        fields: Sequence[FormField],
        errors: Mapping[str, str],
    ) -> dict[str, str] | None:
        """The typed text for each of `fields`; None when the form is abandoned."""
        ...


def console_user(email: str) -> PlatformUser:
    """A console user: known by e-mail, matched to the roster the way Slack and Teams are."""
    address = email.strip().lower()

    async def lookup() -> str:
        return address

    return PlatformUser("console", "", address, email_lookup=lookup)


def typed_value(spec: FormField, typed: str, today: date) -> Any:
    """What the person typed, as the value a platform would submit for this field.

    Only the console's conveniences are applied here (a choice's number, "today"); whether
    the value is acceptable is for the handler to say."""
    text = typed.strip()
    if not text and spec.initial not in (None, ""):
        text = str(spec.initial)
    if spec.kind is FieldKind.MULTI_SELECT:
        tokens: list[str] = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            value = render.choice_value(spec.choices, part)
            if value == part and " " in part:  # "TS2 TS4": several codes without commas
                tokens.extend(render.choice_value(spec.choices, p) for p in part.split())
            else:
                tokens.append(value)
        return tokens
    if spec.kind in (FieldKind.CHOICE, FieldKind.SELECT):
        return render.choice_value(spec.choices, text) if text else ""
    if spec.kind is FieldKind.DATE:
        relative = {"today": 0, "yesterday": -1, "tomorrow": 1}.get(text.lower())
        if relative is not None:
            return (today + timedelta(days=relative)).isoformat()
    return text


class ConsoleSession:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        database_url: str,
        clock: SimClock,
        console: Console,
        policy: Policy | None = None,
        timezone: str = "Europe/London",
        show_everything: bool = False,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.console = console
        self.zone = ZoneInfo(timezone)
        # The demo shows every message with numbered buttons; a chat numbers only the
        # current person's, and says whom to become to answer the others.
        self.show_everything = show_everything
        self.conversations = Conversations(sessions, timezone=timezone, clock=clock)
        self.channels = console_channels(self, clock)
        self.dispatcher = Dispatcher(
            sessions, self.channels, clock=clock, limits=UNLIMITED, concurrency=1
        )
        self.service = SchedulerService(
            engine,
            sessions,
            policy or Policy(),
            self.dispatcher,
            database_url=database_url,
            clock=clock,
        )
        self.user: PlatformUser | None = None
        self.who: Who | None = None
        self.last: Shown | None = None
        self.inbox: dict[str, list[Shown]] = defaultdict(list)
        self.waiting: dict[str, Shown] = {}
        self.delivered_count = 0
        self._people: dict[int, Who | None] = {}
        self._emails: dict[str, Who] = {}

    async def close(self) -> None:
        await self.service.leader.release()

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
        where = render.DIRECT.get(self.who.platform or "console", "console")
        return f"{self.who.name} ({where})"

    # --- the roster --------------------------------------------------------------------------

    async def lookup(self, email: str) -> Who | None:
        key = email.strip().lower()
        if key not in self._emails:
            async with self.sessions() as s:
                person = await people.by_email(s, email=key)
                found = None
                if person is not None and person.id is not None:
                    found = await self._who(s, person.id)
            if found is None:
                return None  # not remembered: they may be added to the roster meanwhile
            self._emails[key] = found
        return self._emails[key]

    async def person(self, person_id: int) -> Who | None:
        if person_id not in self._people:
            async with self.sessions() as s:
                self._people[person_id] = await self._who(s, person_id)
        return self._people[person_id]

    async def _who(self, s: AsyncSession, person_id: int) -> Who | None:
        person = await people.by_id(s, person_id=person_id)
        if person is None:
            return None
        roles = await people.roles_of(s, person_id=person_id)
        found = await outbox.recipient(s, person_id=person_id)
        return Who(
            person_id,
            person.full_name,
            person.email,
            roles,
            found.platform if found else None,
        )

    async def switch(self, email: str, *, quiet: bool = False) -> Who | None:
        """Act as someone else. Unknown e-mails get the handlers' not-on-roster answer."""
        self.user = console_user(email)
        self.who = await self.lookup(email)
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
            f"; the bot reaches them on {render.platform_name(self.who.platform)}"
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
        await self.dispatcher.drain()

    async def tick(self) -> TickResult:
        return await self.service.tick()

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
        where = render.platform_name(item.platform)
        if item.channel_id:
            return f"{item.channel_id} ({where} channel)"
        who = await self.person(item.person_id) if item.person_id else None
        name = who.name if who else (item.email or "?")
        return f"{name} ({render.DIRECT.get(item.platform, where)})"

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
            who = await self.person(item.person_id) if item.person_id else None
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


def _short_label(label: str) -> str:
    """ "TS7: Manage behaviour effectively …" as "TS7" in a one-line summary of answers."""
    code, sep, _rest = label.partition(": ")
    return code if sep and _CODE.fullmatch(code) else label


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


class LineReader:
    """Lines from standard input. At a terminal the prompt is shown and line editing works;
    when piped, each line read is echoed after its prompt so the transcript reads as typed.

    Reading blocks the event loop on purpose: a console session has nothing else to run
    while it waits for the person."""

    def __init__(self, console: Console, stream: IO[str] | None = None) -> None:
        self.console = console
        self.stream = stream

    def read(self, prompt: str) -> str | None:
        stream = self.stream if self.stream is not None else sys.stdin
        if stream.isatty():
            try:
                return self.console.input(Text(prompt, style="bold"))
            except EOFError:
                self.console.print()
                return None
        line = stream.readline()
        if not line:
            return None
        line = line.rstrip("\r\n")
        self.console.print(Text(prompt, style="bold") + Text(line))
        return line


class TerminalAnswers:
    """A form asked field by field at the terminal (or from piped lines)."""

    def __init__(self, reader: LineReader) -> None:
        self.reader = reader

    async def ask(
        self,
        session: ConsoleSession,
        form: Form,
        fields: Sequence[FormField],
        errors: Mapping[str, str],
    ) -> dict[str, str] | None:
        out: dict[str, str] = {}
        previous: tuple[Choice, ...] = ()
        for spec in fields:
            compact = bool(spec.choices) and spec.choices == previous
            previous = spec.choices
            session.print(render.field_question(spec, errors.get(spec.name), compact=compact))
            line = self.reader.read("  > ")
            if line is None:
                raise EndOfInput()
            if line.strip().lower() in ("/cancel", "/quit"):
                return None
            out[spec.name] = line.strip()
        return out


class ScriptedAnswers:
    """The demo's answers: one value per field, or a list of tries (a wrong one first shows
    the handler refusing it). Printed as the person would have typed them."""

    def __init__(self, values: Mapping[str, str | Sequence[str]]) -> None:
        self.tries: dict[str, list[str]] = {
            name: [value] if isinstance(value, str) else list(value)
            for name, value in values.items()
        }

    async def ask(
        self,
        session: ConsoleSession,
        form: Form,
        fields: Sequence[FormField],
        errors: Mapping[str, str],
    ) -> dict[str, str] | None:
        out: dict[str, str] = {}
        line = Text(style="dim")
        for spec in fields:
            tries = self.tries.get(spec.name, [""])
            if spec.name in errors:
                if len(tries) <= 1:
                    return None  # nothing else to try: the form is abandoned
                tries.pop(0)
                session.note(f"    ✖ {spec.label}: {errors[spec.name]}", "bold red")
            out[spec.name] = tries[0]
            if not tries[0] and not spec.required:
                continue  # an optional field left empty
            if line:
                line.append(" · ")
            line.append(f"{_short_label(spec.label)}: ", style="bold")
            line.append(render.shown_answer(spec, tries[0]))
        session.print(Padding(line, (0, 0, 0, 4), expand=False))
        return out
