"""`POST /slack/events`: signature first, then a body of a shape Slack sends, then bolt.

bolt's aiohttp adapter parses the body before it checks the signature and raises on bad
JSON, bad form data, a non-integer timestamp or a payload of an unexpected shape (a 500).
Here a request is answered 401 unless correctly signed and fresh, and 400 unless its body
is something Slack would send (bot/slack/payload.py); only then does bolt see it. Nothing
bolt does with it can become a 5xx: our listeners' failures are answered by the error
handler in setup.py, and anything left is refused here as a request we could not handle.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slack import payload

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; larger is not from Slack
MAX_AGE = 5 * 60  # seconds; Slack's advice against replayed requests
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
# Only the headers bolt needs from Slack. bolt also obeys headers of its own (e.g.
# x-slack-bolt-lazy-only, which skips the listeners), which no caller should set.
PASSED_HEADERS = (
    "content-type",
    "x-slack-request-timestamp",
    "x-slack-signature",
    "x-slack-retry-num",
    "x-slack-retry-reason",
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _refuse(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


def signed_by_slack(secret: bytes, raw: bytes, timestamp: str, signature: str) -> bool:
    """Slack's v0 signature over the raw bytes, from the last five minutes. Headers that
    do not even look like Slack's are refused before any arithmetic on them."""
    if TIMESTAMP.fullmatch(timestamp) is None or SIGNATURE.fullmatch(signature) is None:
        return False
    if abs(time.time() - int(timestamp)) > MAX_AGE:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def bolt_request(request: web.Request, body: str) -> AsyncBoltRequest | None:
    """The request as bolt will read it (its own parsing, so what we check is what bolt
    sees), or None when bolt cannot read it at all."""
    headers: dict[str, str | Sequence[str]] = {
        name: request.headers[name] for name in PASSED_HEADERS if name in request.headers
    }
    try:
        return AsyncBoltRequest(body=body, query=request.query_string, headers=headers)
    except Exception:  # bad JSON or form data, JSON nested too deep: nothing Slack sends
        return None


def handler(app: AsyncApp, signing_secret: str) -> Handler:
    secret = signing_secret.encode()

    async def slack_events(request: web.Request) -> web.StreamResponse:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _refuse(413, "request too large")
        raw = await request.read()
        if len(raw) > MAX_BODY:
            return _refuse(413, "request too large")
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if not signed_by_slack(
            secret, raw, timestamp, request.headers.get("X-Slack-Signature", "")
        ):
            log.info("slack request refused: bad or stale signature")
            return _refuse(401, "invalid signature")
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _refuse(400, "body is not UTF-8")
        parsed = bolt_request(request, body)
        if parsed is None:
            return _refuse(400, "malformed body")
        if (wrong := payload.problem(parsed.body)) is not None:
            log.info("slack request refused: %s", wrong)
            return _refuse(400, "malformed payload")
        return await dispatch(app, parsed)

    return slack_events


async def dispatch(app: AsyncApp, request: AsyncBoltRequest) -> web.StreamResponse:
    kind = payload.kind_of(request.body)
    try:
        response: BoltResponse = await app.async_dispatch(request)
    except Exception:
        log.exception("slack request failed in bolt kind=%s", kind)
        return _refuse(400, "request could not be handled")
    if response.status >= 500:
        log.error("slack request answered %s by bolt kind=%s", response.status, kind)
        return _refuse(400, "request could not be handled")
    return await to_aiohttp_response(response)
