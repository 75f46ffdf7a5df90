"""`POST /api/messages`: the Bot Framework's requests, authenticated before anything else.

CloudAdapter.process would parse the body and check the token itself, but in botbuilder
4.17.1 a malformed token raises (a 500) and the token check blocks the event loop. Here a
request is answered 401 unless its bearer token checks out (see auth), 400 unless its
body is a readable activity (see inbound), and only then does the adapter run the bot's
turn. Nothing that happens in the turn becomes a 5xx: the turn contains its own failures
(see turns), and anything that still escapes the adapter is logged and answered 200, so
that Teams does not redeliver an activity that would only fail again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes
from msrest.serialization import Model

from bot.teams import failures, inbound, render
from bot.teams.auth import RequestAuth, Unauthorized
from bot.teams.tenants import TenantGate
from bot.teams.turns import TeamsBot
from handlers.text import t
from handlers.ui import Message

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


def _json(body: Any) -> Any:
    # serializer_helper takes msrest models only: a plain dict body (an Action.Execute
    # answer, ExpectedReplies) makes it raise, which botbuilder's own handler turns into 500.
    return serializer_helper(body) if isinstance(body, Model) else body


def _invoke_answer(activity: Activity, invoke: InvokeResponse | None) -> web.Response:
    if invoke is None:
        return web.Response(status=200)
    status = int(invoke.status or 200)
    if status >= 500:  # botbuilder's 501 for an invoke nobody answered
        log.warning(
            "invoke answered %s by botbuilder; 200 instead %s", status, failures.ids(activity)
        )
        return web.Response(status=200)
    return web.json_response(_json(invoke.body), status=status)


async def _refuse_unreadable(auth: RequestAuth, header: str | None) -> web.Response:
    if auth.app_id:
        # Still say 401 to an unauthenticated sender rather than describe the body.
        try:
            await auth.check(Activity(), header)
        except Unauthorized:
            return web.json_response({"error": "unauthorized"}, status=401)
    return web.json_response({"error": "not an activity"}, status=400)


async def _refuse_tenant(
    adapter: CloudAdapter, checked: Any, activity: Activity, tenant: str
) -> web.Response:
    """A tenant not on the partnership's roster: said so in the chat (for a message) and
    answered 403; nothing about it is stored."""
    log.info(
        "teams activity from tenant %s refused: not on the roster %s",
        tenant,
        failures.ids(activity),
    )
    if activity.type == ActivityTypes.message:

        async def say(turn_context: TurnContext) -> None:
            text = t("tenant_refused")
            await turn_context.send_activity(
                render.activity(render.message_card(Message(text)), text)
            )

        try:
            await adapter.process_activity(checked, activity, say)
        except Exception as exc:
            failures.log_failure("teams tenant refusal not sent", activity, exc)
    return web.json_response({"error": "tenant not allowed"}, status=403)


def handler(
    adapter: CloudAdapter, bot: TeamsBot, auth: RequestAuth, gate: TenantGate | None = None
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
        try:
            activity = inbound.parse(raw)
        except inbound.Unreadable:
            return await _refuse_unreadable(auth, header)
        try:
            checked = await auth.check(activity, header)
        except Unauthorized as exc:
            log.info("teams request refused: %s", exc)
            return web.json_response({"error": "unauthorized"}, status=401)
        try:
            inbound.check(activity)
        except inbound.Unreadable as exc:
            log.info("teams activity refused: %s %s", exc, failures.ids(activity))
            return web.json_response({"error": "not an activity"}, status=400)
        tenant = inbound.tenant_id(activity)
        if gate is not None and not await gate.admits(tenant):
            return await _refuse_tenant(adapter, checked, activity, tenant)
        try:
            invoke = await adapter.process_activity(checked, activity, bot.on_turn)
            answer = _invoke_answer(activity, invoke)
        except Exception as exc:
            failures.log_failure("teams turn failed outside the bot", activity, exc)
            answer = web.Response(status=200)
        if gate is not None and not gate.known(tenant):
            try:
                await gate.learn(tenant)
            except Exception as exc:
                failures.log_failure("teams tenant not learned", activity, exc)
        return answer

    return api_messages
