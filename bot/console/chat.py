"""`mentorbot chat`: talk to mentorbot as someone on the roster, in a terminal or a script."""

from __future__ import annotations

from datetime import datetime
from typing import IO

from rich.console import Console
from rich.text import Text

from bot.console.answers import EndOfInput, LineReader, TerminalAnswers
from bot.console.clock import SimClock, long_when, parse_duration
from bot.console.session import ConsoleSession, open_session
from bot.settings import Settings
from handlers.registry import REGISTRY
from handlers.router import UseChannel
from scheduler.policy import Policy

# The commands come from the conversations' registry, in the order the bot's help gives.
HELP = (
    "Type what you would type to the bot: "
    + ", ".join(spec.word for spec in REGISTRY.help_specs())
    + """.
A number presses that button on the last message shown ([1] is the first).
  /as EMAIL       act as someone else on the roster
  /advance 3d     move the simulated clock (also 2h, 30m, 1d4h) and send what falls due
  /channel NAME   (ITT leads) have escalation alerts come to the console channel NAME
  /time           show the simulated clock
  /help           this help
  /quit           leave (Ctrl-D, or the end of piped input, does too)
In a form, answer each question in turn; a choice can be given by its number, a date as
YYYY-MM-DD or "today"; Enter keeps a default; /cancel abandons the form."""
)


class Chat:
    def __init__(self, session: ConsoleSession, reader: LineReader) -> None:
        self.session = session
        self.reader = reader
        self.answers = TerminalAnswers(reader)

    @property
    def prompt(self) -> str:
        s = self.session
        if s.who is not None:
            return f"{s.who.name}> "
        return f"{s.user.external_id}> " if s.user is not None else "> "

    async def run(self) -> None:
        while True:
            line = self.reader.read(self.prompt)
            if line is None:
                break
            text = line.strip()
            if not text:
                continue
            try:
                if not await self.one(text):
                    break
            except EndOfInput:
                break
        self.session.note("Session ended.")

    async def one(self, text: str) -> bool:
        """Act on one line; False to end the session."""
        s = self.session
        if text.startswith("/"):
            word, _, rest = text[1:].partition(" ")
            word, rest = word.lower(), rest.strip()
            if word in ("quit", "exit", "q"):
                return False
            if word in ("help", "?"):
                s.print(Text(HELP))
            elif word == "as":
                if not rest:
                    s.note("Usage: /as EMAIL", "yellow")
                else:
                    await s.switch(rest)
            elif word == "advance":
                await self.advance(rest)
            elif word == "channel":
                if not rest:
                    s.note("Usage: /channel NAME (e.g. /channel #itt-leadership)", "yellow")
                else:  # what an ITT lead types in a Slack channel or Teams team
                    await s.interact(UseChannel(channel_id=rest), self.answers)
            elif word == "time":
                s.note(f"The simulated clock reads {long_when(s.clock(), s.zone)}.")
            elif word == "mentor" and rest:  # the handlers' help speaks of /mentor status
                await s.command(rest, self.answers)
            else:
                s.note(f"Unknown console command /{word}; /help lists them.", "yellow")
            return True
        if text.isdigit():
            await s.press_number(int(text), self.answers)
            return True
        await s.command(text, self.answers)
        return True

    async def advance(self, raw: str) -> None:
        s = self.session
        delta = parse_duration(raw)
        if delta is None:
            s.note("Usage: /advance 3d (or 2h, 30m, 1d4h; at most 120 days)", "yellow")
            return
        sent = await s.advance(delta)
        done = f"{sent} message{'s' if sent != 1 else ''} sent" if sent else "nothing fell due"
        s.note(f"⏩ The clock now reads {long_when(s.clock(), s.zone)}: {done}.", "bold")


async def run_chat(
    settings: Settings,
    *,
    email: str,
    start: datetime,
    console: Console,
    policy: Policy | None = None,
    stream: IO[str] | None = None,
    live_warning: str | None = None,
) -> None:
    """`live_warning`: the platforms configured for this database, whose messages the
    console shows instead of sending."""
    session = await open_session(settings, SimClock(start), console, policy=policy)
    try:
        console.print(
            Text(
                f"mentorbot console · simulated clock {long_when(start, session.zone)} "
                "(/advance moves it) · /help for help",
                style="bold",
            )
        )
        if live_warning:
            session.note(
                f"{live_warning} is configured for this database: messages that fall due "
                "here are shown in this console and marked sent, not posted to them.",
                "yellow",
            )
        await session.switch(email)
        await Chat(session, LineReader(console, stream)).run()
    finally:
        await session.close()
