"""Strings of the tutor's conversation: their placements and a visit record."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "help_tutor": "your placements as a university tutor: trainees, schools, mentors, visits and what is owed",
    "help_visit": "record a tutor's visit (what was seen, mentor support, issues; can raise a concern)",
    "tutor_only": "Only university tutors linked to placements on the roster can do that.",
    "tutor_none": "You are not linked to any placements as a tutor yet. The partnership office links tutors in the placements file.",
    "tutor_title": "Your placements as tutor",
    "tutor_placement": "{school} · mentor {mentor} · {start} to {end}",
    "tutor_visits": "Visits recorded: {count} (latest {date})",
    "tutor_no_visits": "No visits recorded yet.",
    "visit_button": "Record a visit",
    "visit_title": "Tutor visit",
    "visit_intro": "Mentor support seen on the visit, against the four National Mentor Standards.",
    "visit_placement": "Trainee",
    "visit_date": "Date of the visit",
    "visit_seen": "What was seen",
    "visit_issues": "Issues raised",
    "visit_concern": "Raise a concern?",
    "visit_no_concern": "No concern",
    "visit_concern_needs_issues": "Say what the concern is under Issues raised.",
    "visit_outside": "The placement runs from {start} to {end}: give a date within it.",
    "visit_recorded": "Your visit to {trainee} on {date} is recorded.",
    "visit_concern_raised": "Concern raised ({category}): the lead mentor has been told.",
}
