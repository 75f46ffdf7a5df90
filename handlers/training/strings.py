"""Strings of logging mentor training."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "help_training": "log mentor training you attended",
    "training_title": "Log mentor training",
    "training_button": "Log mentor training",
    "field_attended_on": "Date attended",
    "field_minutes": "How long (minutes)",
    "hint_minutes": "For example 90 for an hour and a half.",
    "field_provider": "Provider",
    "field_topic": "Topic",
    "training_recorded": "Logged: {topic} ({hours} h) on {date}. This academic year: {total} h (sessions: {sessions}).",
    "training_mentors_only": "Only mentors and lead mentors log mentor training.",
    "training_on_record": "Mentor training this academic year: {hours} h (sessions: {sessions}).",
    "training_none_yet": "No mentor training logged this academic year yet.",
    "training_digest_title": "Mentor training logged this academic year",
    "training_digest_line": "{hours} h (sessions: {sessions})",
}
