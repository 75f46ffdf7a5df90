"""Conversation: mentor quality over time (#16). `quality` answers a mentor with their own
figures this academic year (the trainees' evaluations only as averages over at least
three trainees), a lead mentor with their school's mentors and an ITT lead with every
school; `quality Mo Mentor` gives one mentor's figures per mentor standard, and a signed
link to their page over the years (handlers/reports/quality_pages.py)."""

from __future__ import annotations

from handlers.context import Ctx
from handlers.conversation import CommandSpec, Conversation, HomeButton
from handlers.quality.flow import named, start
from handlers.quality.strings import STRINGS
from handlers.ui import Reply
from storage.enums import Role

__all__ = ["CONVERSATION"]

VIEWERS = frozenset({Role.MENTOR, Role.LEAD_MENTOR, Role.ITT_LEAD, Role.ADMIN})


async def _show(ctx: Ctx, _action: str, _value: str) -> Reply:
    return await start(ctx)


CONVERSATION = Conversation(
    name="quality",
    strings=STRINGS,
    # In the help text, not in the platforms' command menus (short lists in the uploaded
    # app manifests, like `training`).
    commands=(CommandSpec("quality", start, help="help_quality", with_argument=named),),
    presses={"quality.show": _show},
    home_buttons=(HomeButton("quality_button", "quality.show", VIEWERS),),
)
