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
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from rich.console import Console
from rich.rule import Rule
from rich.table import Table
from rich.text import Text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import platforms
from bot.console import evidence, privacy, render
from bot.console.answers import ScriptedAnswers
from bot.console.clock import LONDON, SimClock
from bot.console.frameworks_demo import frameworks_table
from bot.console.qa_cycle import qa_story, qa_summary
from bot.console.session import ConsoleSession, open_session
from bot.console.story import FIRST_DAY, LAST_DAY, Script, Step, story
from bot.console.story_targets import with_targets
from bot.sample_data import CALENDAR, PEOPLE, PLACEMENTS, SCHOOLS, sample_files
from bot.settings import Settings
from handlers import reach
from handlers.weekly import shorten
from storage.db import make_engine, session_factory, transaction
from storage.enums import Platform
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
from storage.imports.schools import import_schools, read_schools
from storage.migrate import upgrade
from storage.repo import concerns
from storage.repo import reach as reach_facts
from storage.repo import summary as summary_repo

ESCALATION_CHANNEL = "#itt-leadership"
# The sample partnership's ITT team is on Slack, in the university's own workspace (its
# schools are on Slack and Teams, each in its own workspace or tenant).
ESCALATION_PLATFORM: str = Platform.SLACK.value
ESCALATION_WORKSPACE = "T0UNIVERSITY"
DAILY_SWEEP = time(9, 0)


class DemoError(RuntimeError):
    """The script and the bot disagree (a button the script expects was never sent)."""


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
        with sample_files(PLACEMENTS, PEOPLE, CALENDAR, SCHOOLS) as (
            placements,
            people,
            calendar,
            schools,
        ):
            parsed = read_placements(placements)
            await import_roster(sessions, build_roster(parsed, read_people(people)))
            await import_calendar(sessions, build_calendar(read_calendar(calendar)))
            await import_schools(sessions, read_schools(schools), file=schools.name)
        async with transaction(sessions) as s:
            await concerns.set_escalation_target(
                s,
                level=1,
                platform=ESCALATION_PLATFORM,
                workspace_id=ESCALATION_WORKSPACE,
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
            platforms.label(r.school_platform),
            r.trainee_name,
            r.mentor_name,
            r.lead_mentor_name,
        )
    return table


async def schools_table(sessions: async_sessionmaker[AsyncSession]) -> Table:
    """Each school's workspace or tenant and its own closed days (the schools CSV)."""
    async with sessions() as s:
        found = await reach_facts.schools(s)
    table = Table(title="Schools (mentorbot import schools)", title_justify="left")
    for column in ("school", "platform", "workspace or tenant", "its own closed days"):
        table.add_column(column, overflow="fold")
    for school, days in found:
        place = school.slack_team_id or school.teams_tenant_id or ""
        closed = ", ".join(d.strftime("%a %-d %b") for d in days)
        table.add_row(school.name, platforms.label(school.platform), place, closed)
    return table


async def day_one(sessions: async_sessionmaker[AsyncSession]) -> Table:
    """`mentorbot reach` before anyone has used the bot, one line per answer: what a real
    roll-out sees on its first day."""
    async with sessions() as s:
        found = await reach_facts.everyone(s)
    labels = {p.name: p.label for p in platforms.PLATFORMS}
    needs_conversation = {p.name for p in platforms.PLATFORMS if p.needs_conversation}
    groups: dict[tuple[str, str, str], list[str]] = {}
    for person in found:
        r = reach.assess(
            person,
            connected={Platform.SLACK.value, Platform.TEAMS.value},
            first_choice=ESCALATION_PLATFORM,
            conversation_only=needs_conversation,
            labels=labels,
        )
        answer = (labels.get(r.platform, r.platform), r.reachable, r.fix or r.why)
        groups.setdefault(answer, []).append(r.name)
    table = Table(title="Day one: mentorbot reach", title_justify="left")
    for column in ("platform", "reachable", "people", "why, or what fixes it"):
        table.add_column(column, overflow="fold")
    for (label, reachable, detail), names in groups.items():
        table.add_row(label, reachable, ", ".join(names), detail)
    return table


async def summary(sessions: async_sessionmaker[AsyncSession]) -> Table:
    """What the half term left in the database, counted there (not by the script)."""
    async with sessions() as s:
        n = await summary_repo.totals(s)
    kinds, by_platform = n.sent_by_kind, n.sent_by_platform
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
        ("support plans opened", n.support_plans),
        ("digests sent to lead mentors", kinds["digest"]),
    ]
    table = Table(title="Half a term in numbers", title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, count in rows:
        table.add_row(label, str(count))
    for platform, count in by_platform:
        table.add_row(f"messages sent on {platforms.label(platform)}", str(count))
    table.add_row("messages sent in all", str(sum(c for _p, c in by_platform)))
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
            f"to the ITT leadership channel {ESCALATION_CHANNEL} on the university's own "
            f"{platforms.label(ESCALATION_PLATFORM)} workspace ({ESCALATION_WORKSPACE}): the "
            "partnership spans two Slack workspaces and a Teams tenant.",
        )
    )
    engine = _engine(database_url)
    try:
        console.print(who_is_who(rows))
        console.print(await schools_table(session_factory(engine)))
        console.print(await frameworks_table(session_factory(engine)))
        console.print(await day_one(session_factory(engine)))
    finally:
        await engine.dispose()
    console.print(
        Text(
            "On a real roll-out each Teams school's admin pre-installs the app (an app setup "
            "policy), which gives the bot a chat with each person; until then their messages "
            "are held (the office is told once) and sent when the app is installed for them. "
            "In the demo the console stands in for both platforms, so everyone is reached.",
            style="italic dim",
        )
    )
    # The demo is the same on every machine: defaults only, nothing from the environment.
    settings = Settings.model_construct(database_url=database_url)
    clock = SimClock(_at(FIRST_DAY, time(7, 0)))
    session = await open_session(
        settings, clock, console, engine=_engine(database_url), show_everything=True
    )
    try:
        script = with_targets(story())
        qa_story(script)
        await Demo(session, console).run(script)
        console.print()
        console.print(await summary(session.runtime.sessions))
        console.print(await qa_summary(session.runtime.sessions))
        first = rows[0]
        paths = await evidence.write_reports(session.runtime.sessions, first.trainee_email, clock())
        console.print(evidence.said(paths, first.trainee_name))
        console.print(await evidence.quality_said(session.runtime.sessions, clock()))
        held = await privacy.subject_access(
            session.runtime.sessions, first.trainee_email, clock(), paths[0].parent
        )
        console.print(held)
    finally:
        await session.close()
    return wallclock.monotonic() - began
