"""Which Slack workspace a request is from: the one our token belongs to, never the body's.

In single-token mode bolt asks Slack once (auth.test) which workspace the bot token is
for and puts the answer in every request's context as the authorize result. The body's
`team.id` / `team_id` is only what the sender wrote; a body naming another workspace is
refused before any listener runs, so it can neither act nor be stored as an identity.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse

from bot.slack.payload import TEAM_ID

log = logging.getLogger(__name__)


class UnknownWorkspace(Exception):
    """The token's workspace is missing or not a Slack team id."""


def authenticated(context: AsyncBoltContext) -> str:
    """The workspace Slack told us the token is for, checked to be a Slack team id."""
    result = context.authorize_result
    team = result.team_id if result is not None else None
    if not isinstance(team, str) or TEAM_ID.fullmatch(team) is None:
        raise UnknownWorkspace()
    return team


def claimed(body: dict[str, Any]) -> set[str]:
    """The workspaces the body says it is from. A user's own `team_id` is left out: in a
    Slack Connect channel it is their home workspace, not the one the app is in."""
    claims: list[object] = [body.get("team_id")]
    team = body.get("team")
    claims.append(team.get("id") if isinstance(team, dict) else team)
    view = body.get("view")
    if isinstance(view, dict):
        claims += [view.get("team_id"), view.get("app_installed_team_id")]
    for authorization in body.get("authorizations") or []:
        if isinstance(authorization, dict):
            claims.append(authorization.get("team_id"))
    return {str(claim) for claim in claims if claim is not None}


async def same_workspace(
    context: AsyncBoltContext, body: dict[str, Any], next: Callable[[], Awaitable[None]]
) -> BoltResponse | None:
    """bolt middleware: only requests from the token's own workspace reach a listener."""
    if context.authorize_result is None:  # url_verification and ssl_check: no workspace
        await next()
        return None
    try:
        team = authenticated(context)
    except UnknownWorkspace:
        log.error("slack request refused: the token's workspace is unknown")
        return BoltResponse(status=403, body={"error": "unknown workspace"})
    if claimed(body) - {team}:
        log.warning(
            "slack request refused: body names another workspace than team_id=%s user_id=%s",
            team,
            context.user_id,
        )
        return BoltResponse(status=403, body={"error": "wrong workspace"})
    await next()
    return None
