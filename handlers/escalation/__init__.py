"""Conversation: escalation alerts to the ITT leadership team (acknowledge, open a support
plan (handlers/support answers that button), resolve) and the channel they come to."""

from __future__ import annotations

from handlers.conversation import CommandSpec, Conversation
from handlers.escalation.flow import (
    alert,
    evidence_facts,
    home,
    on_press,
    open_list,
    raise_escalation,
    raise_level,
    set_channel,
    use_channel_in_a_direct_chat,
)
from handlers.escalation.strings import STRINGS
from storage.enums import Role

__all__ = [
    "CONVERSATION",
    "alert",
    "evidence_facts",
    "on_press",
    "open_list",
    "raise_escalation",
    "raise_level",
    "set_channel",
]


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
        "escalation.resolve": on_press,
    },
    home=home,
    home_roles=frozenset({Role.ITT_LEAD}),
)
