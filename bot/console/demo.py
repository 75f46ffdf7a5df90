"""`mentorbot demo`: half a term of mentoring, replayed offline through the real bot.

A fresh database is made from the sample partnership shipped in the package, then the
first half of the autumn term (Mon 7 Sep – Fri 23 Oct 2026) is played on a simulated
clock. Every school day the real scheduler runs (sweeps and dispatcher); people answer
through the real handlers with scripted replies, via the console edge. Every message is
printed as its recipient would see it, marked with who it was for and which platform it
would have gone to. Nothing here decides anything the bot decides: the script only says
who presses what, and when.
"""

from __future__ import annotations

import time as wallclock
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from rich.console import Console
from rich.rule import Rule
from rich.table import Table
from rich.text import Text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.console import render
from bot.console.clock import LONDON, SimClock
from bot.console.session import ConsoleSession, ScriptedAnswers
from bot.sample_data import CALENDAR, PEOPLE, PLACEMENTS, sample_files
from handlers.weekly import shorten
from storage.db import make_engine, session_factory, transaction
from storage.imports import (
    build_calendar,
    build_roster,
    import_calendar,
    import_roster,
    read_calendar,
    read_people,
    read_placements,
)
from storage.imports.csvfiles import PlacementRow
from storage.migrate import upgrade
from storage.repo import concerns
from storage.repo import summary as summary_repo

ESCALATION_CHANNEL = "#itt-leadership"
FIRST_DAY = date(2026, 9, 7)
LAST_DAY = date(2026, 10, 23)
DAILY_SWEEP = time(9, 0)

BEN = "ben.hughes@oakfield.example.org"
DAN = "dan.evans@oakfield.example.org"
ERIN = "erin.shah@riverside.example.org"
FIONA = "fiona.walsh@riverside.example.org"
AMIRA = "amira.khan@trainees.example.org"
TOM = "tom.price@trainees.example.org"
GRACE = "grace.okafor@trainees.example.org"
LI = "li.wei@trainees.example.org"
SAM = "sam.turner@trainees.example.org"
HOLLY = "holly.burns@trainees.example.org"
PRIYA = "priya.nair@university.example.org"
MARK = "mark.owen@university.example.org"

Values = Mapping[str, str | Sequence[str]]


class DemoError(RuntimeError):
    """The script and the bot disagree (a button the script expects was never sent)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One scripted action: press a button on a message, or type a command."""

    who: str
    press: str | None = None
    about: str = ""
    say: str | None = None
    answers: Values = field(default_factory=dict)
    why: str = ""


@dataclass
class Script:
    steps: dict[date, list[tuple[time, Step]]] = field(default_factory=lambda: defaultdict(list))

    def at(self, day: date, hh: int, mm: int, step: Step) -> None:
        self.steps[day].append((time(hh, mm), step))

    def on(self, day: date) -> list[tuple[time, Step]]:
        return sorted(self.steps.get(day, []), key=lambda pair: pair[0])


# --- the story -------------------------------------------------------------------------------

TOPICS = [
    ("Settling in: class routines and the behaviour policy", "Learn names; use the class signal"),
    ("Phonics lesson planning with the Year 1 team", "Plan two phonics sessions"),
    ("Questioning in maths; checking for understanding", "Use mini-whiteboards every lesson"),
    ("Marking and feedback in English books", "Whole-class feedback sheet on Fridays"),
    ("Adapting tasks for pupils with SEND", "Adapt the reading task for two pupils"),
    ("Transitions and pace; preparing for the review point", "Timer on the board for changes"),
    ("Review point 1: evidence against the Standards", "Bring the teaching file up to date"),
]


def _held(day: date, week: int, *, tries: Mapping[str, Sequence[str]] | None = None) -> Values:
    progress, targets = TOPICS[week % len(TOPICS)]
    values: dict[str, str | Sequence[str]] = {
        "held_on": day.isoformat(),
        "duration": "60",
        "progress": progress,
        "targets": targets,
        "wellbeing": "green",
        "notes": "",
    }
    values.update(tries or {})
    return values


def _about(trainee: str, monday: date) -> str:
    return f"{trainee} (week of {monday.strftime('%a %-d %b %Y')})"


@dataclass(frozen=True, slots=True)
class Week:
    """One teaching week of the script: who signs off what, and who confirms it."""

    script: Script
    number: int  # 0 for the first week
    monday: date

    def day(self, offset: int) -> date:
        return self.monday + timedelta(days=offset)

    def sign(
        self,
        day: date,
        hh: int,
        mm: int,
        mentor: str,
        trainee: str,
        *,
        press: str = "Yes",
        answers: Values | None = None,
        why: str = "",
    ) -> None:
        step = Step(
            mentor,
            press=press,
            about=_about(trainee, self.monday),
            answers=answers if answers is not None else _held(day, self.number),
            why=why,
        )
        self.script.at(day, hh, mm, step)

    def confirm(self, day: date, hh: int, trainee: str) -> None:
        about = f"week of {self.monday.strftime('%a %-d %b %Y')}"
        self.script.at(day, hh, 0, Step(trainee, press="Confirm", about=about))


def _routine(w: Week) -> None:
    """The weekly rhythm: prompts come on Monday morning; mentors answer, trainees confirm."""
    mon, tue, wed, thu = w.monday, w.day(1), w.day(2), w.day(3)
    # Oakfield Primary (Slack): Ben Hughes answers on Monday afternoons.
    if w.number == 0:
        tries = {"held_on": ["2026-09-08", "2026-09-07"], "duration": ["an hour", "60"]}
        w.sign(
            mon,
            15,
            45,
            BEN,
            "Amira Khan",
            answers=_held(mon, 0, tries=tries),
            why="a date in the future and a word for a number are refused and asked again",
        )
    else:
        w.sign(mon, 15, 45, BEN, "Amira Khan")
    w.confirm(mon, 17, AMIRA)
    if w.number == 5:
        moved = {"new_date": w.day(4).isoformat()}
        w.sign(mon, 15, 50, BEN, "Tom Price", press="Rescheduled", answers=moved)
    else:
        w.sign(mon, 15, 50, BEN, "Tom Price")
        w.confirm(mon, 17, TOM)
    # Dan Evans says nothing about the weeks of 21 and 28 September.
    if w.number == 4:
        why = "Dan Evans asks what he owes after the escalation"
        w.script.at(tue, 8, 40, Step(DAN, say="status", why=why))
        last_week = _about("Grace Okafor", mon - timedelta(weeks=1))
        reason = {"reason": "Class trip on Monday, then I was off sick."}
        w.script.at(tue, 8, 45, Step(DAN, press="Did not happen", about=last_week, answers=reason))
        w.sign(tue, 8, 50, DAN, "Grace Okafor", answers=_held(tue, w.number))
        w.confirm(tue, 12, GRACE)
    elif w.number not in (2, 3):
        w.sign(mon, 16, 0, DAN, "Grace Okafor")
        if w.number == 1:
            comment = {"comment": "We talked about phonics, not maths planning."}
            why = "a trainee disagrees with the record"
            about = "week of Mon 14 Sep 2026"
            w.script.at(mon, 17, 30, Step(GRACE, "Disagree", about, answers=comment, why=why))
        else:
            w.confirm(mon, 17, GRACE)
    # Riverside Academy (Teams): Erin Shah on Tuesdays, Fiona Walsh on Wednesdays.
    w.sign(tue, 12, 30, ERIN, "Li Wei", answers=_held(tue, w.number))
    w.sign(tue, 12, 35, ERIN, "Sam Turner", answers=_held(tue, w.number))
    w.confirm(tue, 15, LI)
    if w.number < 2:
        w.confirm(tue, 15, SAM)
    if w.number == 1:  # Fiona forgets until Thursday's reminder
        w.sign(thu, 12, 0, FIONA, "Holly Burns", answers=_held(thu, w.number))
        w.confirm(thu, 15, HOLLY)
    else:
        w.sign(wed, 16, 0, FIONA, "Holly Burns", answers=_held(wed, w.number))
        w.confirm(wed, 17, HOLLY)


def story() -> Script:
    s = Script()
    for number in range(7):
        _routine(Week(s, number, FIRST_DAY + timedelta(weeks=number)))

    # Week 4: a concern about Sam Turner; the ITT team hears the same day.
    concern_day = date(2026, 9, 30)
    s.at(
        concern_day,
        11,
        15,
        Step(
            ERIN,
            say="concern",
            answers={
                "placement_id": "Sam Turner",
                "category": "Wellbeing",
                "details": "Sam was exhausted and tearful after Tuesday's lesson and says the "
                "workload is overwhelming.",
            },
            why="Erin Shah raises a concern",
        ),
    )
    s.at(
        concern_day,
        14,
        0,
        Step(MARK, press="Acknowledge", about="Sam Turner", why="the ITT lead acknowledges"),
    )
    # Week 5: Dan's two missed meetings were escalated at the Monday sweep.
    s.at(
        date(2026, 10, 5),
        10,
        30,
        Step(PRIYA, press="Acknowledge", about="Grace Okafor", why="the ITT lead acknowledges"),
    )
    # Week 6: observation feedback, acknowledged; an early rating; an unacknowledged one.
    s.at(
        date(2026, 10, 13),
        14,
        0,
        Step(
            BEN,
            say="observe",
            answers={
                "placement_id": "Amira Khan",
                "observed_on": ["2026-10-14", "2026-10-13"],
                "lesson": "Year 3 maths: column addition",
                "focus": "Questioning and checking understanding",
                "strengths": "Clear modelling; warm, calm manner",
                "areas": "Wait time after questions; more pupils answering",
                "standards": "TS2, TS4",
                "targets": "Wait three seconds; use mini-whiteboards",
                "TS2": "green",
                "TS4": "amber",
            },
            why="Ben Hughes records observation feedback",
        ),
    )
    s.at(date(2026, 10, 14), 12, 0, Step(AMIRA, press="Acknowledge", about="Year 3 maths"))
    s.at(
        date(2026, 10, 14),
        16,
        30,
        Step(FIONA, press="Do it now", about="Holly Burns", answers=_ratings({})),
    )
    s.at(
        date(2026, 10, 15),
        10,
        0,
        Step(
            ERIN,
            say="observe",
            answers={
                "placement_id": "Li Wei",
                "observed_on": "today",
                "lesson": "Year 5 science: circuits",
                "focus": "Practical work and safety",
                "strengths": "Well-organised equipment; clear safety briefing",
                "areas": "Link the practical back to the learning question",
                "standards": "",
                "targets": "Plenary that returns to the question",
            },
        ),
    )
    # Week 7: Review point 1.
    rp = date(2026, 10, 19)
    s.at(rp, 12, 0, Step(LI, press="Acknowledge", about="observation feedback"))
    s.at(rp, 13, 0, Step(ERIN, press="Do it now", about="Li Wei", answers=_ratings({})))
    s.at(
        rp,
        13,
        10,
        Step(ERIN, press="Do it now", about="Sam Turner", answers=_ratings({"TS8": "amber"})),
    )
    s.at(
        date(2026, 10, 20),
        11,
        0,
        Step(
            BEN,
            press="Do it now",
            about="Tom Price",
            answers=_ratings(
                {
                    "TS1": "amber",
                    "TS4": "amber",
                    "TS7": "red",
                    "comment": "Behaviour management is not yet secure; low-level disruption "
                    "goes unchallenged.",
                    "targets": "Consistent use of the behaviour policy; seating plans",
                }
            ),
            why="Ben Hughes gives a Red at the review point",
        ),
    )
    s.at(
        date(2026, 10, 20),
        11,
        30,
        Step(BEN, press="Do it now", about="Amira Khan", answers=_ratings({})),
    )
    s.at(
        date(2026, 10, 20),
        14,
        0,
        Step(PRIYA, press="Acknowledge", about="Tom Price", why="the ITT lead acknowledges"),
    )
    s.at(
        date(2026, 10, 20),
        14,
        10,
        Step(
            PRIYA,
            press="Open recovery plan",
            about="Tom Price",
            answers={
                "targets": "Apply the behaviour policy consistently in every lesson",
                "support": "Weekly co-planning with Ben; observe Clare Dixon's Year 4 class",
                "review_date": ["2026-10-16", "2026-11-06"],
            },
            why="the ITT lead opens an Individual Recovery Plan",
        ),
    )
    s.at(
        date(2026, 10, 21),
        10,
        0,
        Step(DAN, press="Do it now", about="Grace Okafor", answers=_ratings({})),
    )
    return s


def _ratings(overrides: Mapping[str, str]) -> Values:
    values = {code: "green" for code in ("TS1", "TS2", "TS3", "TS4", "TS5", "TS6", "TS7", "TS8")}
    values |= {"PART2": "green", "comment": "Good progress this half-term.", "targets": ""}
    values["targets"] = "Keep building subject knowledge"
    values |= overrides
    return values


# --- running it ------------------------------------------------------------------------------


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, LONDON).astimezone(UTC)


def _engine(database_url: str) -> AsyncEngine:
    """The demo's own database: a throwaway, so commits need not wait for the disk."""
    return make_engine(database_url, durable=False)


async def prepare(database_url: str) -> list[PlacementRow]:
    """A fresh, migrated database with the sample partnership and an escalation channel."""
    engine = _engine(database_url)
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        with sample_files(PLACEMENTS, PEOPLE, CALENDAR) as (placements, people, calendar):
            parsed = read_placements(placements)
            await import_roster(sessions, build_roster(parsed, read_people(people)))
            await import_calendar(sessions, build_calendar(read_calendar(calendar)))
        async with transaction(sessions) as s:
            await concerns.set_escalation_target(
                s,
                level=1,
                platform="slack",
                workspace_id="",
                channel_id=ESCALATION_CHANNEL,
                conversation_reference=None,
                set_by_id=None,
            )
        return list(parsed.rows)
    finally:
        await engine.dispose()


class Demo:
    def __init__(self, session: ConsoleSession, console: Console) -> None:
        self.session = session
        self.console = console
        self.clock = session.clock

    async def run(self, script: Script) -> None:
        day = FIRST_DAY
        week = 0
        while day <= LAST_DAY:
            if day.weekday() == 0:
                week += 1
                self.console.print()
                self.console.print(
                    Rule(Text(f"Week {week} · {day.strftime('%a %-d %B %Y')}", style="bold"))
                )
            if day.weekday() < 5:
                await self._day(day, script)
            day += timedelta(days=1)

    async def _day(self, day: date, script: Script) -> None:
        events: list[tuple[time, Step | None]] = [(DAILY_SWEEP, None), *script.on(day)]
        events.sort(key=lambda pair: pair[0])
        for i, (moment, step) in enumerate(events):
            self.clock.set(_at(day, moment))
            if step is not None:
                await self._act(step)
            # The scheduler sweeps after the replies of each hour (the service would every
            # minute; sweeping after every reply finds nothing more, only takes longer).
            following = events[i + 1][0] if i + 1 < len(events) else None
            if step is None or following is None or following.hour != moment.hour:
                await self.session.tick()

    async def _act(self, step: Step) -> None:
        s = self.session
        who = await s.switch(step.who, quiet=True)
        if who is None:
            raise DemoError(f"{step.who} is not on the sample roster")
        answers = ScriptedAnswers(step.answers)
        clock = self.clock().astimezone(LONDON).strftime("%a %-d %b %H:%M")
        if step.why:
            self.console.print(Text(f"  ({step.why})", style="italic dim"))
        if step.say is not None:
            self.console.print(
                Text.assemble(("▶ ", "bold yellow"), f"{clock} {who.name} types “{step.say}”")
            )
            await s.command(step.say, answers)
            return
        assert step.press is not None
        found = s.find(who, step.press, step.about)
        if found is None:
            raise DemoError(f"no “{step.press}” button for {who.name} about {step.about!r}")
        shown, button = found
        number = render.buttons_of(shown.message).index(button) + 1
        what = step.about or shorten(shown.message.text, 50)
        self.console.print(
            Text.assemble(
                ("▶ ", "bold yellow"),
                f"{clock} {who.name} presses [{number}] {button.label} · {what}",
            )
        )
        await s.press(shown, button, answers)


def who_is_who(rows: Sequence[PlacementRow]) -> Table:
    table = Table(title="The sample partnership", title_justify="left", show_lines=False)
    for column in ("school", "platform", "trainee", "mentor", "lead mentor"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.school,
            render.platform_name(r.school_platform),
            r.trainee_name,
            r.mentor_name,
            r.lead_mentor_name,
        )
    return table


async def summary(sessions: async_sessionmaker[AsyncSession]) -> Table:
    """What the half term left in the database, counted there (not by the script)."""
    async with sessions() as s:
        n = await summary_repo.totals(s)
    kinds, platforms = n.sent_by_kind, n.sent_by_platform
    count: int
    rows = [
        ("weekly prompts sent", kinds["weekly_prompt"]),
        (
            "reminders and nudges sent",
            kinds["weekly_reminder"] + kinds["review_point_nudge"] + kinds["observation_ack_nudge"],
        ),
        ("meetings signed off", n.meetings_signed_off),
        ("records confirmed by trainees", n.records_confirmed),
        ("trainees rated at the review point", n.trainees_rated),
        ("review-point ratings (one per standard)", n.review_point_ratings),
        ("observations recorded", n.observations),
        ("observations acknowledged", n.observations_acknowledged),
        ("concerns raised", n.concerns),
        ("escalations to the ITT team", n.escalations),
        ("escalations acknowledged", n.escalations_acknowledged),
        ("recovery plans (IRPs) opened", n.recovery_plans),
        ("digests sent to lead mentors", kinds["digest"]),
    ]
    table = Table(title="Half a term in numbers", title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, count in rows:
        table.add_row(label, str(count))
    for platform, count in platforms:
        table.add_row(f"messages sent on {render.platform_name(platform)}", str(count))
    table.add_row("messages sent in all", str(sum(c for _p, c in platforms)))
    return table


async def run_demo(database_url: str, console: Console) -> float:
    """Play the story; returns the wall-clock seconds it took."""
    began = wallclock.monotonic()
    rows = await prepare(database_url)
    console.print(Text("mentorbot demo: half a term, offline", style="bold"))
    console.print(
        Text(
            "A fresh database with the sample partnership; a simulated clock from "
            f"{FIRST_DAY.strftime('%a %-d %b %Y')} to {LAST_DAY.strftime('%a %-d %b %Y')}. "
            "The real scheduler runs every school day at 09:00 and after each hour's replies; people "
            "answer with scripted replies through the console edge. Each message is shown as "
            "its recipient would see it, with where it would have gone. Escalation alerts go "
            f"to the ITT leadership channel {ESCALATION_CHANNEL} on Slack.",
        )
    )
    console.print(who_is_who(rows))
    engine = _engine(database_url)
    try:
        sessions = session_factory(engine)
        session = ConsoleSession(
            engine=engine,
            sessions=sessions,
            database_url=database_url,
            clock=SimClock(_at(FIRST_DAY, time(7, 0))),
            console=console,
            show_everything=True,
        )
        try:
            await Demo(session, console).run(story())
        finally:
            await session.close()
        console.print()
        console.print(await summary(sessions))
    finally:
        await engine.dispose()
    return wallclock.monotonic() - began
