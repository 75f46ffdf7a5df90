"""Conversation: the end-of-placement evaluations (issue #16). When a placement ends the
trainee evaluates their mentor and school, the tutor the mentor's support and the mentor
the training they received; asked by the sweep, reminded (capped), answered once."""

from __future__ import annotations

from typing import Any

from handlers.context import Ctx
from handlers.conversation import Conversation
from handlers.evaluation.flow import (
    FORM_ID,
    START,
    agreement_choices,
    ask,
    on_submit,
    start,
    statement_fields,
)
from handlers.evaluation.rule import RULE
from handlers.evaluation.strings import STRINGS
from handlers.ui import Reply

__all__ = ["CONVERSATION", "agreement_choices", "ask", "statement_fields"]


async def _start(ctx: Ctx, _action: str, value: str) -> Reply:
    return await start(ctx, value)


async def _submit(ctx: Ctx, _form: str, raw: dict[str, Any], state: dict[str, Any]) -> Reply:
    return await on_submit(ctx, raw, state)


CONVERSATION = Conversation(
    name="evaluation",
    strings=STRINGS,
    presses={START: _start},
    submits={FORM_ID: _submit},
    rule=RULE,
)
