"""Mentor quality's scenarios (#16 item 3), on Slack, Teams and the console alike: a mentor
with three trainees who evaluated him sees averages only; his lead mentor sees the full
picture; with fewer than three, the mentor sees no aggregate of the trainees at all.
The data (evaluations, a self-evaluation, training, meetings) is tests/quality_data.py."""

from __future__ import annotations

from tests.quality_data import TRAINEE_COMMENT
from tests.scenarios import Scenario

SCENARIOS = [
    Scenario(
        # The driver also checks that nothing of one trainee reached the mentor.
        "mentor-sees-quality-as-aggregates-only",
        "quality_mentor",
        seen={
            "mentor": (
                "Mentor quality: Mo Mentor, 2026-27",
                "trainees agree (4 of 5, from 3)",
                "Green 5",
                "no one trainee's answers or comments are shown",
            )
        },
    ),
    Scenario(
        "lead-mentor-sees-quality-in-full",
        "quality_lead",
        seen={
            "lead": (
                "Mentor quality: Mo Mentor, 2026-27",
                "Tara Trainee (trainee, end of placement)",
                TRAINEE_COMMENT,
                "Tess Tutor (tutor, end of placement)",
            )
        },
    ),
    Scenario(
        "mentor-with-two-evaluations-sees-no-trainee-aggregate",
        "quality_too_few",
        seen={"mentor": ("once at least 3 trainees have evaluated you", "trainees none yet")},
    ),
]

# What must never reach the mentor in these scenarios: one trainee's name or comment.
PRIVATE = (TRAINEE_COMMENT, "Tom Trainee", "Tia Trainee")
