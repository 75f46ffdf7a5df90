"""`POST /slack/events`: signature first, then a body bolt can parse, then bolt.

bolt's aiohttp adapter parses the body before it checks the signature and raises on bad
JSON or form data (a 500). Here a request is answered 401 unless correctly signed and
fresh, and 400 unless its body is something Slack would send; only then does bolt see it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; larger is not from Slack


def handler(
    app: AsyncApp, signing_secret: str
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: web.Request) -> web.StreamResponse:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.json_response({"error": "request too large"}, status=413)
        raw = await request.read()
        if len(raw) > MAX_BODY:
            return web.json_response({"error": "request too large"}, status=413)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return web.json_response({"error": "body is not UTF-8"}, status=400)
        if not verifier.is_valid_request(body, dict(request.headers)):
            log.info("slack request refused: bad or stale signature")
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            parsed = parse_body(body, request.content_type)
        except ValueError:  # JSONDecodeError is a ValueError
            return web.json_response({"error": "malformed body"}, status=400)
        if not isinstance(parsed, dict) or _has_unparseable_payload(parsed):
            return web.json_response({"error": "malformed payload"}, status=400)
        try:
            bolt_request = AsyncBoltRequest(
                body=body, query=request.query_string, headers=dict(request.headers)
            )
        except (ValueError, TypeError, AttributeError, KeyError):
            return web.json_response({"error": "malformed payload"}, status=400)
        response = await app.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    return slack_events


def _has_unparseable_payload(body: dict[str, object]) -> bool:
    """True unless the body has the shape of something Slack sends us."""
    kind = body.get("type")
    if kind == "url_verification":
        return False
    if kind == "event_callback":
        return not isinstance(body.get("event"), dict)
    if "command" in body:
        return not isinstance(body.get("user_id"), str)
    if isinstance(kind, str):
        return not isinstance(body.get("user"), dict)
    return True
