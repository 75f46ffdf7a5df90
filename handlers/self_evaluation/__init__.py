"""Conversation: the mentor rates themselves against the National Standards for
school-based ITT mentors (4 standards, 21 items), with strengths, targets and actions.

Pulled, never pushed: it makes nothing due.
"""

from __future__ import annotations

from typing import Any

from handlers.context import Ctx
from handlers.conversation import CommandSpec, Conversation, HomeButton
from handlers.self_evaluation.flow import on_self_eval_step, start_self_evaluation
from handlers.self_evaluation.strings import STRINGS
from handlers.ui import Reply
from storage.enums import Role

__all__ = ["CONVERSATION", "on_self_eval_step", "start_self_evaluation"]


async def _press(ctx: Ctx, _action: str, _value: str) -> Reply:
    return await start_self_evaluation(ctx)


async def _step(ctx: Ctx, _form: str, raw: dict[str, Any], state: dict[str, Any]) -> Reply:
    return await on_self_eval_step(ctx, raw, state)


CONVERSATION = Conversation(
    name="self_evaluation",
    strings=STRINGS,
    commands=(
        CommandSpec(
            "self-evaluate", start_self_evaluation, help="help_self_evaluate", aliases=("selfeval",)
        ),
    ),
    presses={"selfeval.start": _press},
    submits={"selfeval.step": _step},
    home_buttons=(
        HomeButton(
            "self_eval_button", "selfeval.start", frozenset({Role.MENTOR, Role.LEAD_MENTOR})
        ),
    ),
)
