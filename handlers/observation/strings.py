"""Strings of lesson observation feedback."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "observe_title": "Lesson observation",
    "field_observed_on": "Date of the lesson",
    "field_lesson": "Class / lesson",
    "field_focus": "Focus",
    "field_areas": "Areas for development",
    "field_standards": "Standards or strands evidenced",
    "field_standards_rag": "A rating for each standard or strand evidenced",
    "err_not_in_framework": "Please choose only strands of {framework}, the framework this trainee is rated on.",
    "observed": "✔ Observation feedback for {trainee} recorded and sent to them.",
    "observation_for_trainee": "{mentor} has recorded feedback on your lesson ({lesson}, {date}).",
    "acknowledge": "Acknowledge",
    "acknowledged": "✔ You acknowledged this feedback on {when}.",
    "owe_observation_ack": "Acknowledge observation feedback from {date}",
    "obs_ack_nudge": "Please acknowledge the observation feedback on your lesson of {date}.",
    "observe_button": "Record an observation",
    "help_observe": "record lesson observation feedback",
    "menu_observe": "Record lesson observation feedback for a trainee",
}
