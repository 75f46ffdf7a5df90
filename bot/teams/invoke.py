"""Invoke activities: the bot has none of its own, so every invoke gets a polite refusal.

Our cards use Action.Submit (which arrives as a message), never Action.Execute, and the
manifest declares no task modules or message extensions; an invoke is therefore stale or
forged. Left unanswered, botbuilder answers 501 for it. An `adaptiveCard/action` is
answered the way the Universal Actions protocol lets the client show it (HTTP 200, an
error in the body); anything else is a 400.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from handlers.text import t

ADAPTIVE_CARD_ACTION = "adaptiveCard/action"
ERROR_TYPE = "application/vnd.microsoft.error"


def refusal(name: Any) -> InvokeResponse:
    if name == ADAPTIVE_CARD_ACTION:
        error = {"code": "BadRequest", "message": t("bad_request")}
        body = {"statusCode": 400, "type": ERROR_TYPE, "value": error}
        return InvokeResponse(status=200, body=body)
    return InvokeResponse(status=400, body={"error": "invoke not supported"})


async def answer(turn_context: TurnContext) -> None:
    """Leaves the refusal where CloudAdapter picks up an invoke's answer (no I/O)."""
    response = refusal(turn_context.activity.name)
    await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response, value=response))
