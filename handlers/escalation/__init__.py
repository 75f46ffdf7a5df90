"""Conversation: escalation alerts to the ITT leadership team (acknowledge, open an
Individual Recovery Plan, resolve) and the channel they come to. It makes due each open
recovery plan's review."""

from __future__ import annotations

from typing import Any

from handlers.context import Ctx
from handlers.conversation import CommandSpec, Conversation
from handlers.escalation.flow import (
    alert,
    evidence_facts,
    home,
    irp_review,
    on_irp_submit,
    on_press,
    open_list,
    raise_escalation,
    raise_level,
    set_channel,
    use_channel_in_a_direct_chat,
)
from handlers.escalation.rule import RULE
from handlers.escalation.strings import STRINGS
from handlers.ui import Reply
from storage.enums import Role

__all__ = [
    "CONVERSATION",
    "alert",
    "evidence_facts",
    "irp_review",
    "on_irp_submit",
    "on_press",
    "open_list",
    "raise_escalation",
    "raise_level",
    "set_channel",
]


async def _irp(ctx: Ctx, _form: str, raw: dict[str, Any], state: dict[str, Any]) -> Reply:
    return await on_irp_submit(ctx, raw, state)


CONVERSATION = Conversation(
    name="escalation",
    strings=STRINGS,
    # Typed in a team channel, the edges turn it into a UseChannel interaction; typed to
    # the bot directly, it is answered with where to type it.
    commands=(
        CommandSpec(
            "use this channel for escalations",
            use_channel_in_a_direct_chat,
            help="help_use_channel",
            team_menu="menu_use_channel",
        ),
    ),
    presses={
        "escalation.ack": on_press,
        "escalation.irp": on_press,
        "escalation.resolve": on_press,
    },
    submits={"escalation.irp": _irp},
    home=home,
    home_roles=frozenset({Role.ITT_LEAD}),
    rule=RULE,
)
