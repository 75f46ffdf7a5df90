"""Conversation: the lead mentor's weekly digest ("how is my cohort?"), pushed on Friday
morning and shown on their App Home."""

from __future__ import annotations

from handlers.conversation import Conversation
from handlers.digest.flow import DigestRow, digest, home
from handlers.digest.rule import RULE
from handlers.digest.strings import STRINGS
from storage.enums import Role

__all__ = ["CONVERSATION", "DigestRow", "digest"]

CONVERSATION = Conversation(
    name="digest",
    strings=STRINGS,
    home=home,
    home_roles=frozenset({Role.LEAD_MENTOR}),
    rule=RULE,
)
