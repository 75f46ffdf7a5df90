"""Which Slack workspace a request is from: the one our token belongs to, never the body's.

bolt finds the token (single-token mode: SLACK_BOT_TOKEN; OAuth mode: the installation
of the workspace the request names), asks Slack which workspace it is for (auth.test) and
puts the answer in the request's context as the authorize result. The body's `team.id` /
`team_id` is only what the sender wrote; a body naming another workspace is refused
before any listener runs, so it can neither act nor be stored as an identity.

An Enterprise Grid organisation-wide install has one token for every workspace of the
organisation: its requests may come from any of them, so there the body's organisation is
what must match, and the workspace the bot knows people by is the organisation's id.
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
    """The workspace Slack told us the token is for, checked to be a Slack team id (the
    enterprise id for an organisation-wide install)."""
    result = context.authorize_result
    team: object = None
    if result is not None:
        team = result.enterprise_id if context.is_enterprise_install else result.team_id
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


def claimed_organisations(body: dict[str, Any]) -> set[str]:
    """The Enterprise Grid organisations the body says it is from."""
    claims: list[object] = [body.get("enterprise_id")]
    enterprise = body.get("enterprise")
    claims.append(enterprise.get("id") if isinstance(enterprise, dict) else enterprise)
    team = body.get("team")
    if isinstance(team, dict):
        claims.append(team.get("enterprise_id"))
    for authorization in body.get("authorizations") or []:
        if isinstance(authorization, dict):
            claims.append(authorization.get("enterprise_id"))
    return {str(claim) for claim in claims if claim is not None}


def _foreign(context: AsyncBoltContext, body: dict[str, Any], workspace: str) -> bool:
    """Whether the body names a workspace (or organisation) other than the token's."""
    if context.is_enterprise_install:
        return bool(claimed_organisations(body) - {workspace})
    return bool(claimed(body) - {workspace})


async def same_workspace(
    context: AsyncBoltContext, body: dict[str, Any], next: Callable[[], Awaitable[None]]
) -> BoltResponse | None:
    """bolt middleware: only requests from the token's own workspace reach a listener."""
    result = context.authorize_result
    # url_verification and ssl_check have no workspace; app_uninstalled and tokens_revoked
    # come with no token (it is gone): signed by Slack, they can only end an installation.
    if result is None or (result.bot_token is None and result.user_token is None):
        await next()
        return None
    try:
        team = authenticated(context)
    except UnknownWorkspace:
        log.error("slack request refused: the token's workspace is unknown")
        return BoltResponse(status=403, body={"error": "unknown workspace"})
    if _foreign(context, body, team):
        log.warning(
            "slack request refused: body names another workspace than team_id=%s user_id=%s",
            team,
            context.user_id,
        )
        return BoltResponse(status=403, body={"error": "wrong workspace"})
    await next()
    return None
