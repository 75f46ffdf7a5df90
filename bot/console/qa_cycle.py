"""The demo's part of the QA cycle (issue #16): the sample partnership's link tutor,
Uma Patel, visits Li Wei; Holly Burns's first placement ends on Thu 22 Oct and the sweep
asks Holly (her mentor and school), Uma (Fiona Walsh's support) and Fiona (the mentor
training she had); each answers from the ask's button."""

from __future__ import annotations

from datetime import date

from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.console.story import FIONA, HOLLY, Script, Step
from storage.repo import summary

UMA = "uma.patel@university.example.org"
ENDS = date(2026, 10, 22)  # Holly Burns's first placement (bot/sample_data/placements.csv)

AGREE, STRONGLY, NEUTRAL = "+ Agree", "++ Strongly agree", "○ Neither agree nor disagree"


def qa_story(s: Script) -> None:
    s.at(
        date(2026, 10, 8),
        14,
        0,
        Step(
            UMA,
            say="visit",
            answers={
                "placement_id": "Li Wei (Riverside Academy)",
                "visited_on": "today",
                "seen": "Year 5 science: a well-run circuits practical; a joint debrief with Erin",
                "MS1": STRONGLY,
                "MS2": AGREE,
                "MS3": AGREE,
                "MS4": NEUTRAL,
                "issues": "",
                "concern": "No concern",
            },
            why="Uma Patel, the link tutor, records a visit: mentor support against the standards",
        ),
    )
    s.at(
        ENDS,
        15,
        0,
        Step(
            HOLLY,
            press="Answer now",
            about="Riverside Academy",
            answers={
                "MS1": STRONGLY,
                "MS2": AGREE,
                "MS3": AGREE,
                "MS4": AGREE,
                "SC1": STRONGLY,
                "comment": "Fiona always found time for me, even in report week.",
            },
            why="Holly Burns's first placement ends today: she evaluates her mentor and school",
        ),
    )
    s.at(
        date(2026, 10, 23),
        10,
        0,
        Step(
            UMA,
            press="Answer now",
            about="Holly Burns",
            answers={"MS1": AGREE, "MS2": AGREE, "MS3": NEUTRAL, "MS4": AGREE, "comment": ""},
            why="the tutor evaluates the mentor's support against the mentor standards",
        ),
    )
    s.at(
        date(2026, 10, 23),
        11,
        0,
        Step(
            FIONA,
            press="Answer now",
            about="mentor training",
            answers={"TR1": AGREE, "TR2": STRONGLY, "TR3": AGREE, "comment": ""},
            why="and the mentor evaluates the mentor training she received",
        ),
    )


async def qa_summary(sessions: async_sessionmaker[AsyncSession]) -> Table:
    """The QA cycle's records, counted in the database."""
    async with sessions() as s:
        counts = await summary.qa_cycle_counts(s)
    kinds = counts.by_kind
    table = Table(title="The quality-assurance cycle", title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, count in (
        ("tutor visits recorded", counts.visits),
        ("end-of-placement evaluations asked (and reminded)", counts.asks),
        ("trainees' evaluations of their mentor", kinds.get("trainee_of_mentor", 0)),
        ("tutors' evaluations of mentor support", kinds.get("tutor_of_mentor", 0)),
        ("mentors' evaluations of their training", kinds.get("mentor_of_training", 0)),
    ):
        table.add_row(label, str(count))
    return table
