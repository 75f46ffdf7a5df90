"""Conversation: a mentor logs mentor training they attended (the worked example of
docs/architecture.md: this package, a table and its migration, and its tests)."""

from __future__ import annotations

from typing import Any

from handlers.context import Ctx
from handlers.conversation import CommandSpec, Conversation, HomeButton
from handlers.training.flow import LOGGERS, TrainingInDigest, on_record, on_submit, start
from handlers.training.strings import STRINGS
from handlers.ui import Reply

__all__ = ["CONVERSATION"]


async def _start(ctx: Ctx, _action: str, _value: str) -> Reply:
    return await start(ctx)


async def _submit(ctx: Ctx, _form: str, raw: dict[str, Any], _state: dict[str, Any]) -> Reply:
    return await on_submit(ctx, raw)


CONVERSATION = Conversation(
    name="training",
    strings=STRINGS,
    # Not in the platforms' command menus (those are short lists in the uploaded app
    # manifests); in the help text and on the App Home.
    commands=(CommandSpec("training", start, help="help_training"),),
    presses={"training.start": _start},
    submits={"training": _submit},
    home_buttons=(HomeButton("training_button", "training.start", LOGGERS),),
    home_roles=LOGGERS,
    status_notes=on_record,
    digest_part=TrainingInDigest(),
)
