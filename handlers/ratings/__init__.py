"""Conversation: ratings at each ReviewPoint against the programme's assessment framework.

Started by `rate` or from a nudge's "Do it now"; it makes due each trainee's ratings at
each review point until they are recorded.
"""

from __future__ import annotations

from typing import Any

from handlers.context import Ctx
from handlers.conversation import CommandSpec, Conversation
from handlers.ratings.flow import (
    missing_to_lead,
    nudge,
    on_pick,
    on_press,
    on_step,
    overdue,
    start_rating,
)
from handlers.ratings.rule import RULE, nudged, owes_ratings
from handlers.ratings.strings import STRINGS
from handlers.ui import Reply

__all__ = [
    "CONVERSATION",
    "missing_to_lead",
    "nudge",
    "nudged",
    "on_pick",
    "on_press",
    "on_step",
    "overdue",
    "owes_ratings",
    "start_rating",
]


async def _press(ctx: Ctx, _action: str, value: str) -> Reply:
    return await on_press(ctx, value)


async def _pick(ctx: Ctx, _form: str, raw: dict[str, Any], _state: dict[str, Any]) -> Reply:
    return await on_pick(ctx, raw)


async def _step(ctx: Ctx, _form: str, raw: dict[str, Any], state: dict[str, Any]) -> Reply:
    return await on_step(ctx, raw, state)


CONVERSATION = Conversation(
    name="ratings",
    strings=STRINGS,
    commands=(CommandSpec("rate", start_rating, help="help_rate"),),
    presses={"rate.start": _press},
    submits={"rate.pick": _pick, "rate.step": _step},
    rule=RULE,
)
