"""Conversation: lesson observation feedback, recorded by the mentor and acknowledged by
the trainee. It makes due the trainee's acknowledgement."""

from __future__ import annotations

from typing import Any

from handlers.context import Ctx
from handlers.conversation import CommandSpec, Conversation, HomeButton
from handlers.observation.flow import (
    feedback_message,
    nudge,
    on_acknowledge,
    on_details,
    on_rag,
    start,
)
from handlers.observation.rule import RULE
from handlers.observation.strings import STRINGS
from handlers.ui import Reply
from storage.enums import Role

__all__ = [
    "CONVERSATION",
    "feedback_message",
    "nudge",
    "on_acknowledge",
    "on_details",
    "on_rag",
    "start",
]


async def _start(ctx: Ctx, _action: str, _value: str) -> Reply:
    return await start(ctx)


async def _acknowledge(ctx: Ctx, _action: str, value: str) -> Reply:
    return await on_acknowledge(ctx, value)


async def _details(ctx: Ctx, _form: str, raw: dict[str, Any], _state: dict[str, Any]) -> Reply:
    return await on_details(ctx, raw)


async def _rag(ctx: Ctx, _form: str, raw: dict[str, Any], state: dict[str, Any]) -> Reply:
    return await on_rag(ctx, raw, state)


CONVERSATION = Conversation(
    name="observation",
    strings=STRINGS,
    commands=(CommandSpec("observe", start, help="help_observe", menu="menu_observe"),),
    presses={"observe.start": _start, "observe.ack": _acknowledge},
    submits={"observe.details": _details, "observe.rag": _rag},
    home_buttons=(
        HomeButton(
            "observe_button", "observe.start", frozenset({Role.MENTOR, Role.LEAD_MENTOR}), True
        ),
    ),
    rule=RULE,
)
