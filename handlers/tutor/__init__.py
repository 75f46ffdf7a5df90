"""Conversation: the university visiting tutor (issue #16): their placements with what is
owed, and a visit record that can raise a concern. Tutors are linked to placements by the
placements file's tutor_email column."""

from __future__ import annotations

from typing import Any

from handlers.context import Ctx
from handlers.conversation import CommandSpec, Conversation, HomeButton
from handlers.tutor.flow import VISIT, home, on_visit, open_visit, start, start_visit
from handlers.tutor.strings import STRINGS
from handlers.ui import Reply
from storage.enums import Role

__all__ = ["CONVERSATION"]

TUTORS = frozenset({Role.TUTOR})


async def _visit(ctx: Ctx, _action: str, value: str) -> Reply:
    return await open_visit(ctx, value)


async def _submit(ctx: Ctx, _form: str, raw: dict[str, Any], _state: dict[str, Any]) -> Reply:
    return await on_visit(ctx, raw)


CONVERSATION = Conversation(
    name="tutor",
    strings=STRINGS,
    commands=(
        CommandSpec("tutor", start, help="help_tutor"),
        CommandSpec("visit", start_visit, help="help_visit"),
    ),
    presses={VISIT: _visit},
    submits={VISIT: _submit},
    home_buttons=(HomeButton("visit_button", VISIT, TUTORS, True),),
    home=home,
    home_roles=TUTORS,
)
