"""Strings of raising a concern (and the concern categories)."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "concern_title": "Raise a concern",
    "field_category": "Category",
    "field_details": "Details",
    "concern_recorded": "Your concern about {trainee} is recorded and the lead mentor has been told.",
    "concern_alert_lead": "{who} raised {category} concern about {trainee}.",
    "concern_button": "Raise a concern",
    "cat_progress": "Progress",
    "cat_wellbeing": "Wellbeing",
    "cat_conduct": "Professional conduct",
    "cat_attendance": "Attendance",
    "cat_other": "Other",
    "help_concern": "raise a concern about a trainee",
    "menu_concern": "Raise a concern about a trainee with the ITT lead",
}
