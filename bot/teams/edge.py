"""`POST /api/messages`: the Bot Framework's requests, authenticated before anything else.

CloudAdapter.process would parse the body and check the token itself, but in botbuilder
4.17.1 a malformed token raises (a 500) and the token check blocks the event loop. Here a
request is answered 401 unless its bearer token checks out (see auth), 400 unless its
body is an activity, and only then does the adapter run the bot's turn.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity

from bot.teams.auth import RequestAuth, Unauthorized
from bot.teams.turns import TeamsBot

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


def _activity(raw: bytes) -> Activity | None:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict):
        return None
    try:
        activity = Activity().deserialize(body)
    except Exception:  # msrest raises DeserializationError and friends
        return None
    if not activity.type or not isinstance(activity.type, str):
        return None
    if activity.conversation is None or not activity.conversation.id or not activity.service_url:
        return None
    if activity.from_property is None or not activity.from_property.id:
        return None
    return activity


def handler(
    adapter: CloudAdapter, bot: TeamsBot, auth: RequestAuth
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def api_messages(request: web.Request) -> web.StreamResponse:
        header = request.headers.get("Authorization")
        if auth.app_id and not header:
            # Refused before the body is even read.
            return web.json_response({"error": "unauthorized"}, status=401)
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.json_response({"error": "request too large"}, status=413)
        if "json" not in (request.content_type or ""):
            return web.json_response({"error": "expected application/json"}, status=415)
        raw = await request.read()
        if len(raw) > MAX_BODY:
            return web.json_response({"error": "request too large"}, status=413)
        activity = _activity(raw)
        if activity is None:
            if auth.app_id:
                # Still say 401 to an unauthenticated sender rather than describe the body.
                try:
                    await auth.check(Activity(), header)
                except Unauthorized:
                    return web.json_response({"error": "unauthorized"}, status=401)
            return web.json_response({"error": "not an activity"}, status=400)
        try:
            checked = await auth.check(activity, header)
        except Unauthorized as exc:
            log.info("teams request refused: %s", exc)
            return web.json_response({"error": "unauthorized"}, status=401)
        invoke = await adapter.process_activity(checked, activity, bot.on_turn)
        if invoke is not None:
            return web.json_response(serializer_helper(invoke.body), status=invoke.status)
        return web.Response(status=200)

    return api_messages
