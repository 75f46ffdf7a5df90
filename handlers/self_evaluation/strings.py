"""Strings of the mentor's self-evaluation against the National Mentor Standards."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "self_eval_title": "Mentor self-evaluation",
    "self_eval_intro": "{standard}: rate how you support trainees on each item.",
    "field_actions": "Actions",
    "self_evaluated": "✔ Your self-evaluation against the National Mentor Standards is recorded.",
    "self_eval_button": "Self-evaluate",
    "help_self_evaluate": "rate yourself against the National Mentor Standards",
}
