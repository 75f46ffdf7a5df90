"""Strings of the status view, the help and the App Home."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "stale": "That prompt is out of date or no longer exists. Type {cmd}status to see what is due.",
    "help_title": "mentorbot: ITT mentoring help",
    "status_title": "What you owe",
    "status_nothing": "Nothing is due. Thank you!",
    "home_mentor": "Your trainees",
    "home_none": "Nothing here yet.",
    "help_status": "what you owe, with a button for each",
    "help_help": "this message",
    "menu_help": "What mentorbot can do and how to use it",
    "menu_status": "Your trainees' sign-offs and ratings this week",
    "menu_team_help": "What mentorbot does in a team channel",
}
