"""Conversation: any mentor or lead mentor raises a concern about a trainee, at any time.

The lead mentor is told at once; the scheduler's off-track rules take it to the ITT
leadership team. It makes nothing due of the person who raised it.
"""

from __future__ import annotations

from typing import Any

from handlers.concern.flow import categories, on_submit, raise_concern, start
from handlers.concern.strings import STRINGS
from handlers.context import Ctx
from handlers.conversation import CommandSpec, Conversation, HomeButton
from handlers.ui import Reply
from storage.enums import Role

__all__ = ["CONVERSATION", "categories", "on_submit", "raise_concern", "start"]


async def _start(ctx: Ctx, _action: str, _value: str) -> Reply:
    return await start(ctx)


async def _submit(ctx: Ctx, _form: str, raw: dict[str, Any], _state: dict[str, Any]) -> Reply:
    # Looked up at each call (not bound once), so tests can slow it down.
    return await on_submit(ctx, raw)


CONVERSATION = Conversation(
    name="concern",
    strings=STRINGS,
    commands=(CommandSpec("concern", start, help="help_concern", menu="menu_concern"),),
    presses={"concern.start": _start},
    submits={"concern": _submit},
    home_buttons=(
        HomeButton("concern_button", "concern.start", frozenset({Role.MENTOR, Role.LEAD_MENTOR})),
    ),
)
