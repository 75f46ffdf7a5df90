"""Containing what goes wrong in a Teams turn, and logging it with ids only.

A turn talks to the Bot Framework connector at the activity's service URL, which may be
down, refuse us, or answer garbage; none of that is the sender's fault or worth a 5xx
(Teams would only redeliver the same activity). A connector failure is a warning; any
other exception is an error with its traceback but without its message, which can quote
what was typed.
"""

from __future__ import annotations

import logging
import traceback

import aiohttp
from botbuilder.schema import Activity
from msrest.exceptions import ClientException, DeserializationError

log = logging.getLogger(__name__)

# msrest's ClientException covers HTTP errors, unreachable hosts and token failures; an
# answer that is not JSON raises DeserializationError (azure.core's, not a
# ClientException); aiohttp's own errors can escape botbuilder's HTTP client.
CONNECTOR_ERRORS: tuple[type[Exception], ...] = (
    ClientException,
    DeserializationError,
    aiohttp.ClientError,
)


def ids(activity: Activity | None) -> str:
    """The activity's type and id, cut short and quoted (both come from the sender)."""
    if activity is None:
        return "activity=?"
    kind = str(activity.type or "")[:40]
    return f"type={kind!r} id={str(activity.id or '')[:80]!r}"


def is_connector(exc: BaseException) -> bool:
    return isinstance(exc, CONNECTOR_ERRORS)


def log_failure(what: str, activity: Activity | None, exc: BaseException) -> None:
    name = type(exc).__name__
    if is_connector(exc):
        log.warning("%s: connector call failed (%s) %s", what, name, ids(activity))
        return
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("%s: %s %s\n%s", what, name, ids(activity), frames)
