"""Conversation: the lead mentor's review-point QA form (seeds/002). Started by `qa`, the
App Home button or a nudge's "Do it now"; it makes due each trainee's form once their
ratings at a review point are in, until a lead mentor of their school records it."""

from __future__ import annotations

from typing import Any

from handlers.context import Ctx
from handlers.conversation import CommandSpec, Conversation, HomeButton
from handlers.qa_review.flow import (
    FORM,
    QA_ROLES,
    START,
    home_note,
    nudge,
    on_press,
    on_submit,
    owed_note,
    start,
)
from handlers.qa_review.rule import RULE, QaInDigest, owes_qa
from handlers.qa_review.strings import STRINGS
from handlers.ui import Reply

__all__ = ["CONVERSATION", "nudge", "owes_qa"]


async def _press(ctx: Ctx, _action: str, value: str) -> Reply:
    return await on_press(ctx, value)


async def _submit(ctx: Ctx, _form: str, raw: dict[str, Any], _state: dict[str, Any]) -> Reply:
    return await on_submit(ctx, raw)


CONVERSATION = Conversation(
    name="qa_review",
    strings=STRINGS,
    # Not in the platforms' command menus (short lists in the uploaded app manifests); in
    # the help text and on the lead mentor's App Home.
    commands=(CommandSpec("qa", start, help="help_qa"),),
    presses={START: _press},
    submits={FORM: _submit},
    home_buttons=(HomeButton("qa_button", START, QA_ROLES),),
    home=home_note,
    home_roles=QA_ROLES,
    rule=RULE,
    status_notes=owed_note,
    digest_part=QaInDigest(),
)
