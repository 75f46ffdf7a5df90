"""What each kind of request Slack sends us looks like, checked before bolt or a listener
reads it.

bolt reads the body with plain indexing (`body["actions"][0]["action_id"]`,
`"id" in body["team"]`) and our listeners trust the same shapes, so a signed body with a
list where Slack puts an object, or a number where it puts a string, used to crash inside
bolt (a 500) before anything was acknowledged. Here every field that bolt or our listeners
read must have the type Slack documents; fields nobody reads may hold anything, since
Slack adds new ones over time. Ids must look like Slack ids, so a forged one is refused
before it can be stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from bot.slack import render

Check = Callable[[Any], bool]

TEAM_ID = re.compile(r"[TE][A-Z0-9]{1,31}")
ENTERPRISE_ID = re.compile(r"E[A-Z0-9]{1,31}")
USER_ID = re.compile(r"[UW][A-Z0-9]{1,31}")
SHORT = 255  # ids, timestamps, callback and action ids
URL = 2000
TEXT = 40_000  # Slack's longest message text
METADATA = 3000  # Slack's limit on a view's private_metadata


# ---------------------------------------------------------------- building blocks


def text(limit: int = SHORT) -> Check:
    return lambda v: isinstance(v, str) and len(v) <= limit


def slack_id(pattern: re.Pattern[str]) -> Check:
    return lambda v: isinstance(v, str) and pattern.fullmatch(v) is not None


def maybe(check: Check) -> Check:
    return lambda v: v is None or check(v)


def either(*checks: Check) -> Check:
    return lambda v: any(check(v) for check in checks)


def record(required: Mapping[str, Check] | None = None, /, **optional: Check) -> Check:
    """An object whose named fields, where present, pass their checks; others are free."""

    def check(v: Any) -> bool:
        if not isinstance(v, dict):
            return False
        for name, field in (required or {}).items():
            if name not in v or not field(v[name]):
                return False
        return all(field(v[name]) for name, field in optional.items() if name in v)

    return check


def items(check: Check, *, at_least: int = 0) -> Check:
    return lambda v: isinstance(v, list) and len(v) >= at_least and all(check(i) for i in v)


def is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_object(v: Any) -> bool:
    return isinstance(v, dict)


def never(_: Any) -> bool:
    return False


TEAM = slack_id(TEAM_ID)
ENTERPRISE = slack_id(ENTERPRISE_ID)
USER = slack_id(USER_ID)
ID = text()
FLAG = either(is_bool, lambda v: v in ("true", "false"))  # forms send booleans as words

# ---------------------------------------------------------------- the fields bolt reads

# bolt looks for the workspace, user, channel and thread in the body and, failing that, in
# the event, the message and the authorizations, so these hold at every level.
ID_FIELDS: dict[str, Check] = {
    "team": maybe(either(TEAM, record(id=maybe(TEAM), enterprise_id=maybe(ENTERPRISE)))),
    "team_id": maybe(TEAM),
    "enterprise": maybe(either(ENTERPRISE, record(id=maybe(ENTERPRISE)))),
    "enterprise_id": maybe(ENTERPRISE),
    "context_team_id": maybe(TEAM),
    "context_enterprise_id": maybe(ENTERPRISE),
    "is_enterprise_install": maybe(FLAG),
    "is_ext_shared_channel": maybe(is_bool),
    "user": maybe(either(USER, record({"id": USER}, team_id=maybe(TEAM)))),
    "user_id": maybe(USER),
    "user_team": maybe(TEAM),
    "channel": maybe(either(text(), record(id=maybe(ID)))),
    "channel_id": maybe(ID),
    "thread_ts": maybe(ID),
    "function_execution_id": maybe(ID),
    "bot_access_token": maybe(ID),
    "function_data": maybe(record(execution_id=maybe(ID), inputs=maybe(is_object))),
    "inputs": maybe(is_object),
    "response_url": maybe(text(URL)),
    "response_urls": items(record(response_url=maybe(text(URL)))),
    "view": maybe(is_object),
    "event": is_object,
}
AUTHORIZATION = record(**{**ID_FIELDS, "authorizations": never})
NESTED = record(**{**ID_FIELDS, "authorizations": items(AUTHORIZATION)})
EVENT = record(
    {"type": text(64)},
    **{**ID_FIELDS, "authorizations": items(AUTHORIZATION), "user": maybe(USER)},
    text=maybe(text(TEXT)),
    channel_type=maybe(text(64)),
    subtype=maybe(text(64)),
    bot_id=maybe(ID),
    tab=maybe(text(64)),
    event_ts=maybe(ID),
    ts=maybe(ID),
    message=maybe(NESTED),
    previous_message=maybe(NESTED),
    item=maybe(NESTED),
    assistant_thread=maybe(NESTED),
)
VIEW = record(
    id=maybe(ID),
    type=maybe(text(64)),
    callback_id=maybe(text()),
    private_metadata=maybe(text(METADATA)),
    hash=maybe(ID),
    team_id=maybe(TEAM),
    app_installed_team_id=maybe(TEAM),
    blocks=maybe(items(record(type=maybe(text(64)), block_id=maybe(text())))),
    state=maybe(record(values=maybe(is_object))),
)
ACTION = record(
    {"action_id": text()},
    block_id=maybe(text()),
    value=maybe(text(URL)),
    type=maybe(text(64)),
    action_ts=maybe(ID),
)
CONTAINER = record(
    type=maybe(text(64)), channel_id=maybe(ID), message_ts=maybe(ID), view_id=maybe(ID)
)
ENVELOPE = record(
    **{**ID_FIELDS, "authorizations": items(AUTHORIZATION), "event": EVENT, "view": maybe(VIEW)},
    type=text(64),
    message=maybe(NESTED),
    previous_message=maybe(NESTED),
    item=maybe(NESTED),
    assistant_thread=maybe(NESTED),
    actions=items(ACTION, at_least=1),
    container=maybe(CONTAINER),
    trigger_id=maybe(ID),
    callback_id=maybe(text()),
    text=maybe(text(TEXT)),
    event_id=maybe(ID),
    event_time=maybe(is_int),
)

# ---------------------------------------------------------------- each kind

INTERACTIVE_USER = {"user": record({"id": USER}, team_id=maybe(TEAM))}
KINDS: dict[str, Check] = {
    "url_verification": record({"challenge": text()}),
    "ssl_check": record({"ssl_check": text(8)}),
    "command": record({"command": text(64), "user_id": USER}, trigger_id=maybe(ID)),
    "event_callback": record({"event": EVENT}),
    "block_actions": record({**INTERACTIVE_USER, "actions": items(ACTION, at_least=1)}),
    "view_submission": record(
        {**INTERACTIVE_USER, "view": record({"type": text(64), "callback_id": text()})}
    ),
    "view_closed": record({**INTERACTIVE_USER, "view": record({"callback_id": text()})}),
    "shortcut": record({**INTERACTIVE_USER, "callback_id": text(), "trigger_id": ID}),
    "message_action": record({**INTERACTIVE_USER, "callback_id": text(), "trigger_id": ID}),
}


def kind_of(body: Mapping[str, Any]) -> str | None:
    """The kind of request: JSON bodies name it in `type`; a slash command and Slack's SSL
    check come as forms without one. A body claiming two kinds is none of them, since bolt
    would route it by whichever it looks at first."""
    if "type" in body:
        return None if "command" in body or "ssl_check" in body else str(body["type"])
    if "command" in body:
        return None if "ssl_check" in body else "command"
    return "ssl_check" if "ssl_check" in body else None


def problem(body: Any) -> str | None:
    """None for a body Slack could have sent us, else what is wrong with it, in words of
    our own (never the body's text, so it can go to the log)."""
    if not isinstance(body, dict):
        return "body is not an object"
    kind = kind_of(body)
    check = KINDS.get(kind or "")
    if kind is None or check is None:
        return "not a kind of request Slack sends us"
    if not ENVELOPE(body):
        return f"malformed ids or fields in {kind}"
    if not check(body):
        return f"malformed {kind}"
    if kind == "view_submission":
        return _unreadable_form(body["view"])
    return None


def _unreadable_form(view: dict[str, Any]) -> str | None:
    """A submission whose answers or route back we could not read is refused here rather
    than half-read in the listener."""
    try:
        render.read_metadata(str(view.get("private_metadata") or ""))
        render.form_values((view.get("state") or {}).get("values") or {})
    except ValueError:
        return "unreadable form in view_submission"
    return None
