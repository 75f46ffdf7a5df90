"""Conversation: signing off the Weekly Development Meeting, and the trainee's confirmation.

Each teaching week the mentor is asked whether the meeting with each trainee took place;
the answer signs the week off on the IDP, and a held meeting's record goes to the trainee
to confirm. It makes due each teaching week's sign-off until it is signed off.
"""

from __future__ import annotations

from handlers.conversation import Conversation
from handlers.forms import rag_choices
from handlers.ui import shorten
from handlers.weekly.flow import (
    on_press,
    on_snooze,
    on_submit,
    on_trainee_press,
    on_trainee_submit,
    prompt,
    reminder,
    signed_message,
)
from handlers.weekly.rule import RULE
from handlers.weekly.strings import STRINGS

__all__ = [
    "CONVERSATION",
    "on_press",
    "on_snooze",
    "on_submit",
    "on_trainee_press",
    "on_trainee_submit",
    "prompt",
    "rag_choices",
    "reminder",
    "shorten",
    "signed_message",
]

CONVERSATION = Conversation(
    name="weekly",
    strings=STRINGS,
    presses={
        "weekly.held": on_press,
        "weekly.rescheduled": on_press,
        "weekly.not_held": on_press,
        "weekly.snooze": on_snooze,
        "weekly.confirm": on_trainee_press,
        "weekly.disagree": on_trainee_press,
    },
    submits={
        "weekly.held": on_submit,
        "weekly.rescheduled": on_submit,
        "weekly.not_held": on_submit,
        "weekly.disagree": on_trainee_submit,
    },
    rule=RULE,
)
