"""The demo's targets: Ben Hughes sets Amira Khan's targets at their weekly meetings and
reviews them at the next ones, so the story shows targets set, carried forward and met, on
the messages Amira confirms, in Clare Dixon's digest and in the IDP at the end.

The weekly meeting form names a target's review fields by its id (`review_12`); the
script answers every review of one meeting alike with `review_*` and `decision_*`."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.console.story import BEN, FIRST_DAY, Script, Values

# Amira Khan's meetings, by week of the story (0 is the week of 7 September).
TARGETS: dict[int, Values] = {
    1: {
        "target_1": "Use the class signal before every transition",
        "target_1_strand": "TS7",
    },
    2: {
        "review_*": "partly",  # carried forward (only "met" closes by default)
        "target_1": "Plan two phonics sessions with the Year 1 team",
        "target_1_strand": "TS3",
    },
    3: {
        "review_*": "met",
        "target_1": "Check every pupil's answer on mini-whiteboards in maths",
        "target_1_strand": "TS6",
    },
    4: {"review_*": "not_met", "decision_*": "carry"},
    5: {
        "review_*": "met",
        "target_1": "Adapt the reading task for the two pupils with EAL",
        "target_1_strand": "TS5",
    },
    # Carried over half-term: the next meeting is in the week of 2 November.
    6: {"review_*": "partly"},
}


def with_targets(script: Script) -> Script:
    """Ben's sign-offs for Amira, each with that week's targets and reviews."""
    for week, extra in TARGETS.items():
        monday = FIRST_DAY + timedelta(weeks=week)
        about = f"Amira Khan (week of {monday.strftime('%a %-d %b %Y')})"
        for steps in script.steps.values():
            for i, (moment, step) in enumerate(steps):
                if step.who == BEN and step.about == about and step.press == "Yes":
                    answers = {**step.answers, **extra}
                    why = step.why or "Ben Hughes sets and reviews Amira Khan's targets"
                    steps[i] = (moment, replace(step, answers=answers, why=why))
    return script
