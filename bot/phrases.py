"""What an edge recognises in typed text before the handlers see it.

"use this channel for escalations" is not a command like the others: it means the place
it was typed in (a Slack channel, a Teams channel or group chat), which only the edge
knows, so each edge turns it into a `UseChannel` interaction carrying that place.
"""

from __future__ import annotations

import re

# "… for level 2 escalations" chooses the channel of that level's route (the policy's
# escalation_routes); without a level it is level 1.
USE_CHANNEL = re.compile(r"use this (channel|chat) for (level ([1-5]) )?escalations[.!]?")


def channel_level(text: str) -> int | None:
    """The escalation level the words choose this channel for, or None when they are not
    "use this channel for [level N] escalations" (any case and spacing, nothing else)."""
    found = USE_CHANNEL.fullmatch(" ".join(text.lower().split()))
    return None if found is None else int(found[3] or 1)


def asks_for_channel(text: str) -> bool:
    """The words, in any case and spacing, with nothing else (mentions already removed)."""
    return channel_level(text) is not None
