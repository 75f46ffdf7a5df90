"""Strings of the lead mentor's weekly digest and cohort view."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "digest_title": "Weekly digest: your trainees",
    "digest_row": "Last signed-off week: {last} · Overdue: {overdue}",
    "digest_grid": "Latest ratings: {grid}",
    "digest_key": "Key ({framework}): {scale}",
    "digest_unreachable": "Could not be reached in chat this week: {names}. Please check their details with the partnership office.",
    "home_lead": "Your cohort",
    "cohort_last": "last signed-off week: {last}",
}
