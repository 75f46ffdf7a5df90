"""Conversation: help everywhere, "what do I owe?" with a button for each, and the App
Home per role. It owns no rule: it shows every other conversation's."""

from __future__ import annotations

from handlers.context import Ctx
from handlers.conversation import CommandSpec, Conversation
from handlers.status.flow import help_message, home, owed_blocks, show_help, status
from handlers.status.strings import STRINGS
from handlers.ui import Reply

__all__ = ["CONVERSATION", "help_message", "home", "owed_blocks", "status"]


async def _show(ctx: Ctx, _action: str, _value: str) -> Reply:
    return await status(ctx)


CONVERSATION = Conversation(
    name="status",
    strings=STRINGS,
    commands=(
        # The help text ends with its own line; the command menus start with it.
        CommandSpec(
            "help",
            show_help,
            help="help_help",
            aliases=("?",),
            menu="menu_help",
            team_menu="menu_team_help",
        ),
        CommandSpec("status", status, help="help_status", menu="menu_status"),
    ),
    presses={"status.show": _show},
)
