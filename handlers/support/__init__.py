"""Conversation: staged support plans (support plan → cause for concern → panel, the
policy's stages). Opened by `support <trainee name>` (lead mentors for their school's
trainees, ITT leads for anyone) or from an escalation alert; the trainee acknowledges
their plan; the stage's leader records each review (per target met or not met, then
close, extend or move to the next stage). It makes due each open stage's review."""

from __future__ import annotations

from typing import Any

from handlers.context import Ctx
from handlers.conversation import CommandSpec, Conversation
from handlers.support.listing import status_notes
from handlers.support.opening import (
    OPEN_FORM,
    from_escalation,
    on_open_submit,
    support_command,
    support_named,
)
from handlers.support.review import REVIEW_FORM, on_ack, on_review_press, on_review_submit
from handlers.support.rule import RULE
from handlers.support.strings import STRINGS
from handlers.ui import Reply
from storage.enums import Role

__all__ = ["CONVERSATION"]


async def _open(ctx: Ctx, _form: str, raw: dict[str, Any], state: dict[str, Any]) -> Reply:
    return await on_open_submit(ctx, raw, state)


async def _review(ctx: Ctx, _form: str, raw: dict[str, Any], state: dict[str, Any]) -> Reply:
    return await on_review_submit(ctx, raw, state)


CONVERSATION = Conversation(
    name="support",
    strings=STRINGS,
    commands=(
        CommandSpec(
            "support",
            support_command,
            help="help_support",
            with_argument=support_named,
        ),
    ),
    presses={
        "escalation.irp": from_escalation,
        "support.ack": on_ack,
        "support.review": on_review_press,
    },
    submits={OPEN_FORM: _open, REVIEW_FORM: _review},
    home_roles=frozenset({Role.TRAINEE, Role.MENTOR, Role.LEAD_MENTOR, Role.ITT_LEAD}),
    status_notes=status_notes,
    rule=RULE,
)
