"""Conversation: targets as records. Set (up to 3, each with its strand and a review date)
and reviewed (met / partly / not met, carried forward or closed) on the weekly meeting
form; shown to the trainee on the record they confirm; listed on status, in the lead
mentor's digest and the IDP. A review not done by its date is a nudge to the mentor."""

from __future__ import annotations

from handlers.conversation import Conversation
from handlers.targets.rule import RULE
from handlers.targets.show import TargetsInDigest, on_record
from handlers.targets.strings import STRINGS
from storage.enums import Role

__all__ = ["CONVERSATION"]

CONVERSATION = Conversation(
    name="targets",
    strings=STRINGS,
    home_roles=frozenset({Role.TRAINEE, Role.MENTOR, Role.LEAD_MENTOR}),
    rule=RULE,
    status_notes=on_record,
    cohort_digest_part=TargetsInDigest(),
)
