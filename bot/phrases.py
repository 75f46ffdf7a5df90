"""What an edge recognises in typed text before the handlers see it.

"use this channel for escalations" is not a command like the others: it means the place
it was typed in (a Slack channel, a Teams channel or group chat), which only the edge
knows, so each edge turns it into a `UseChannel` interaction carrying that place.
"""

from __future__ import annotations

import re

USE_CHANNEL = re.compile(r"use this (channel|chat) for escalations[.!]?")


def asks_for_channel(text: str) -> bool:
    """The words, in any case and spacing, with nothing else (mentions already removed)."""
    return USE_CHANNEL.fullmatch(" ".join(text.lower().split())) is not None
