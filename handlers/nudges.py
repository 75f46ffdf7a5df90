"""What the dispatcher says to the partnership office about a message it could not
deliver. (Each conversation's own nudges live in its package.)"""

from __future__ import annotations

from handlers.text import t
from handlers.ui import Facts, Message, Section


def dead_letter(kind: str, recipient: str | None, reason: str) -> Message:
    """For the partnership office: a message that could not be delivered, and why."""
    text = t("dead_letter", kind=kind.replace("_", " "), who=recipient or t("dead_letter_channel"))
    return Message(text, (Section(text), Facts(((t("dead_letter_reason"), reason[:300]),))))
