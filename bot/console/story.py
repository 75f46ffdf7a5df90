"""The demo's story: half an autumn term at the sample partnership, as who presses or
types what, and when. Nothing here decides what the bot does; the bot's answers decide
what there is to press."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from bot.console.frameworks_demo import ittecf_ratings

FIRST_DAY = date(2026, 9, 7)
LAST_DAY = date(2026, 10, 23)

BEN = "ben.hughes@oakfield.example.org"
CLARE = "clare.dixon@oakfield.example.org"
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

    # Week 1: Ben Hughes logs the twilight mentor training he went to on Wednesday; Friday's
    # digest counts it for Clare Dixon, his lead mentor.
    s.at(
        date(2026, 9, 10),
        16,
        30,
        Step(
            BEN,
            say="training",
            answers={
                "attended_on": "2026-09-09",
                "minutes": ["10", "90"],
                "provider": "University ITT partnership",
                "topic": "Twilight: giving feedback that moves practice on",
            },
            why="Ben Hughes logs a twilight session of mentor training",
        ),
    )
    s.at(date(2026, 9, 10), 16, 40, Step(BEN, say="status", why="his status shows it"))
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
        Step(FIONA, press="Do it now", about="Holly Burns", answers=ittecf_ratings({})),
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
    # Riverside's School Direct trainees are rated on the ITTECF areas, on its own scale.
    s.at(
        rp,
        13,
        0,
        Step(
            ERIN,
            press="Do it now",
            about="Li Wei",
            answers=ittecf_ratings({"AT": "working_towards"}),
            why="School Direct trainees are rated on the ITTECF areas: on track, working "
            "towards, not yet",
        ),
    )
    s.at(
        rp,
        13,
        10,
        Step(
            ERIN,
            press="Do it now",
            about="Sam Turner",
            answers=ittecf_ratings({"PB": "working_towards", "AS": "working_towards"}),
        ),
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
    # The ITT lead opens a support plan from the escalation: bot/console/story_support.py.
    from bot.console.story_support import support_plan

    support_plan(s)
    s.at(
        date(2026, 10, 21),
        10,
        0,
        Step(DAN, press="Do it now", about="Grace Okafor", answers=_ratings({})),
    )
    # The lead mentor's QA form for Tom Price, owed since Ben's ratings came in.
    s.at(
        date(2026, 10, 21),
        15,
        30,
        Step(
            CLARE,
            press="Do it now",
            about="Tom Price",
            answers={
                "evidence": "weekly_meetings, observations, ratings",
                "evidence_note": "Six weeks signed off; behaviour notes in the IDP",
                "agreed": "no",
                "disagreement": [
                    "",
                    "TS7 Red is right, but TS1 is Red too: expectations slip in the afternoons",
                ],
                "actions": "Joint observation with Ben on Thursday; support plan targets shared with Tom",
            },
            why="Clare Dixon, the lead mentor, records the QA form (a 'no' needs a reason)",
        ),
    )
    return s


def _ratings(overrides: Mapping[str, str]) -> Values:
    values = {code: "green" for code in ("TS1", "TS2", "TS3", "TS4", "TS5", "TS6", "TS7", "TS8")}
    values |= {"PART2": "green", "comment": "Good progress this half-term.", "targets": ""}
    values["targets"] = "Keep building subject knowledge"
    values |= overrides
    return values
