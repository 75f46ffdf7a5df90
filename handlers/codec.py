"""Neutral messages to and from plain JSON, for the outbox (the dispatcher renders later)."""

from __future__ import annotations

from typing import Any

from handlers.ui import Actions, Block, Button, Facts, Message, Section, Style

# The payload of a message built when it is sent (handlers.owed.BuildsLater): no text is
# stored, so the outbox holds no personal data for it either.
BUILT_WHEN_SENT: dict[str, Any] = {"built": "when_sent"}


def built_when_sent(payload: dict[str, Any]) -> bool:
    return payload.get("built") == "when_sent"


def message_to_dict(message: Message) -> dict[str, Any]:
    return {"text": message.text, "blocks": [_block_to_dict(b) for b in message.blocks]}


def _block_to_dict(block: Block) -> dict[str, Any]:
    if isinstance(block, Section):
        return {"type": "section", "text": block.text, "heading": block.heading}
    if isinstance(block, Facts):
        return {"type": "facts", "pairs": [list(p) for p in block.pairs]}
    return {
        "type": "actions",
        "buttons": [
            {"label": b.label, "action": b.action, "value": b.value, "style": b.style.value}
            for b in block.buttons
        ],
    }


def message_from_dict(data: dict[str, Any]) -> Message:
    return Message(str(data["text"]), tuple(_block_from_dict(b) for b in data.get("blocks", [])))


def _block_from_dict(data: dict[str, Any]) -> Block:
    kind = data["type"]
    if kind == "section":
        return Section(data["text"], data.get("heading"))
    if kind == "facts":
        return Facts(tuple((str(a), str(b)) for a, b in data["pairs"]))
    if kind == "actions":
        return Actions(
            tuple(
                Button(b["label"], b["action"], b["value"], Style(b.get("style", "default")))
                for b in data["buttons"]
            )
        )
    raise ValueError(f"unknown block type {kind!r}")
