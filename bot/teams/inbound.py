"""What counts as a readable activity on /api/messages, before any of it is used.

Everything here is the sender's word: in anonymous (emulator) mode anybody's, and even
with a valid token Teams passes on what a client put in. So the body must be a JSON
object that deserializes to an activity with a type, a sender, a conversation and a
service URL we could answer on (absolute http or https), and the tenant ids it carries
must be GUIDs that agree with each other: they key the identities the handlers store.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from botbuilder.schema import Activity

# 8-4-4-4-12 hex digits: how Azure AD writes a tenant id.
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
MAX_URL = 2048


class Unreadable(Exception):
    """Not an activity we can act on: answer 400."""


def parse(raw: bytes) -> Activity:
    """The body as an activity (not yet checked: see `check`)."""
    try:
        body = json.loads(raw)
    # RecursionError: JSON nested deeper than the parser's stack (a few KB of "[[[").
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise Unreadable("not JSON") from exc
    if not isinstance(body, dict):
        raise Unreadable("not a JSON object")
    try:
        activity = Activity().deserialize(body)
    except Exception as exc:  # msrest raises DeserializationError, TypeError, and more
        raise Unreadable("not an activity") from exc
    if not activity.type or not isinstance(activity.type, str):
        raise Unreadable("no type")
    if activity.conversation is None or not activity.conversation.id:
        raise Unreadable("no conversation")
    if activity.from_property is None or not activity.from_property.id:
        raise Unreadable("no sender")
    return activity


def check(activity: Activity) -> None:
    """Refuses (Unreadable) an activity we could not answer, or whose tenant is forged."""
    if not service_url_ok(activity.service_url):
        raise Unreadable("service URL unusable")
    tenant_id(activity)


def service_url_ok(url: Any) -> bool:
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        return False
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0  # .port raises on a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and port_ok


def tenant_id(activity: Activity) -> str:
    """The tenant the activity is from, as a lower-case GUID; "" when it names none (the
    Bot Framework Emulator). Unreadable when a tenant id is not a GUID, or the two places
    Teams puts it disagree."""
    found = {_tenant_guid(value) for value in _tenant_values(activity) if value is not None}
    if len(found) > 1:
        raise Unreadable("tenant ids disagree")
    return found.pop() if found else ""


def _tenant_values(activity: Activity) -> list[Any]:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    values = [tenant.get("id") if isinstance(tenant, dict) else tenant]
    conversation = activity.conversation
    if conversation is not None:
        values.append(conversation.tenant_id)
        values.append((conversation.additional_properties or {}).get("tenantId"))
    return values


def _tenant_guid(value: Any) -> str:
    if not isinstance(value, str) or not GUID.fullmatch(value):
        raise Unreadable("tenant id is not a GUID")
    return value.lower()
