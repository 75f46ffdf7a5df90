"""Parked interactions as plain JSON, and the keys and order they are parked under."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from handlers.context import PlatformUser
from handlers.router import Command, Interaction, Press, Submit, UseChannel

COALESCE_SECONDS = 60  # the same button pressed again within this is answered once


def priority(interaction: Interaction) -> int:
    """What a person typed or chose in a form is handled before a bare button press."""
    return 1 if isinstance(interaction, Press) else 0


def coalescing_key(user: PlatformUser, interaction: Interaction, now: datetime) -> str:
    """A key for an interaction the platform gave none. A press of the same button by the
    same person within a minute, while the bot is busy, is parked (and answered) once:
    people press again when nothing seems to happen."""
    if isinstance(interaction, Press):
        bucket = int(now.timestamp()) // COALESCE_SECONDS
        return f"press:{user.workspace_id}:{user.external_id}:{interaction.action}:" + (
            f"{interaction.value}:{bucket}"
        )
    return f"parked:{uuid.uuid4().hex}"


def interaction_to_dict(interaction: Interaction, *, key: str) -> dict[str, Any]:
    match interaction:
        case Command(text=text):
            data: dict[str, Any] = {"kind": "command", "text": text}
        case Press(action=action, value=value):
            data = {"kind": "press", "action": action, "value": value}
        case Submit(form_id=form_id, values=values, state=state):
            data = {"kind": "submit", "form_id": form_id, "values": values, "state": state}
        case UseChannel(channel_id=channel, workspace_id=workspace, reference=reference):
            data = {"kind": "channel", "channel_id": channel, "workspace_id": workspace}
            data["reference"] = reference
            data["level"] = interaction.level
    # Plain JSON only: whatever the form held comes back as the same strings and lists.
    return dict(json.loads(json.dumps(data, default=str)), event_key=key)


def interaction_from_dict(data: dict[str, Any]) -> Interaction:
    key = str(data["event_key"])
    kind = data["kind"]
    if kind == "command":
        return Command(str(data["text"]), event_key=key)
    if kind == "press":
        return Press(str(data["action"]), str(data["value"]), event_key=key)
    if kind == "submit":
        return Submit(str(data["form_id"]), dict(data["values"]), dict(data["state"]), key)
    if kind == "channel":
        return UseChannel(
            str(data["channel_id"]),
            str(data["workspace_id"]),
            data.get("reference"),
            key,
            level=int(data.get("level") or 1),
        )
    raise ValueError(f"unknown interaction kind {kind!r}")
