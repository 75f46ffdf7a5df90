"""Which Slack workspaces the app is installed in, and which have left it.

A workspace is named by its team id, or, for an Enterprise Grid organisation-wide
install, by the organisation's enterprise id (the id its people's identities carry).
`workspaces` is what the reach report asks; `revoke` is what the `app_uninstalled` and
`tokens_revoked` events do: the installation's rows are deleted and the leaving recorded
in one transaction, so the office is told why, and nothing is sent there any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.slack import (
    SlackRevokedWorkspace,
    slack_bots,
    slack_installations,
    slack_oauth_states,
)

UNINSTALLED = "app_uninstalled"
TOKENS_REVOKED = "tokens_revoked"


@dataclass(frozen=True, slots=True)
class RevokedWorkspace:
    workspace_id: str
    name: str | None
    reason: str  # UNINSTALLED or TOKENS_REVOKED
    revoked_at: datetime

    @property
    def label(self) -> str:
        """How the office knows it: its name, else its id."""
        return self.name or self.workspace_id


@dataclass(frozen=True, slots=True)
class SlackWorkspaces:
    installed: dict[str, str | None] = field(default_factory=dict)  # id -> name
    revoked: dict[str, RevokedWorkspace] = field(default_factory=dict)  # not reinstalled since


def _workspace_id(team_id: str | None, enterprise_id: str | None) -> str:
    return team_id or enterprise_id or ""


async def workspaces(session: AsyncSession) -> SlackWorkspaces:
    """Installed workspaces (a bot token is stored) and revoked ones not installed again."""
    bots = (
        await session.execute(
            sa.select(
                slack_bots.c.team_id,
                slack_bots.c.enterprise_id,
                slack_bots.c.team_name,
                slack_bots.c.enterprise_name,
            )
            .where(slack_bots.c.bot_token.is_not(None))
            .order_by(slack_bots.c.installed_at)
        )
    ).all()
    installed: dict[str, str | None] = {
        _workspace_id(team, enterprise): team_name or enterprise_name
        for team, enterprise, team_name, enterprise_name in bots
    }
    rows = (
        await session.execute(
            sa.select(SlackRevokedWorkspace).order_by(SlackRevokedWorkspace.revoked_at)
        )
    ).scalars()
    revoked = {
        row.workspace_id: RevokedWorkspace(row.workspace_id, row.name, row.reason, row.revoked_at)
        for row in rows
        if row.workspace_id not in installed
    }
    return SlackWorkspaces(installed, revoked)


def _rows_of(table: sa.Table, client_id: str, workspace_id: str) -> sa.ColumnElement[bool]:
    """The rows of one workspace's installation (an enterprise id: the organisation's)."""
    c = table.c
    where: sa.ColumnElement[bool]
    if workspace_id.startswith("E"):
        where = (c.enterprise_id == workspace_id) & c.team_id.is_(None)
    else:
        where = c.team_id == workspace_id
    return sa.and_(c.client_id == client_id, where)


async def revoke(
    session: AsyncSession, *, client_id: str, workspace_id: str, reason: str, now: datetime
) -> RevokedWorkspace:
    """Delete the workspace's installation and bot rows and record that it left."""
    names = (
        await session.execute(
            sa.select(slack_bots.c.team_name, slack_bots.c.enterprise_name)
            .where(_rows_of(slack_bots, client_id, workspace_id))
            .order_by(slack_bots.c.installed_at.desc())
            .limit(1)
        )
    ).first()
    name = (names[0] or names[1]) if names is not None else None
    for table in (slack_bots, slack_installations):
        await session.execute(sa.delete(table).where(_rows_of(table, client_id, workspace_id)))
    row = SlackRevokedWorkspace(workspace_id=workspace_id, name=name, reason=reason, revoked_at=now)
    session.add(row)
    await session.flush()
    return RevokedWorkspace(workspace_id, name, reason, now)


@dataclass(frozen=True, slots=True)
class InstallationKey:
    """What slack_sdk's store looks an installation up by."""

    enterprise_id: str | None
    team_id: str | None
    is_enterprise_install: bool


async def installation_key(
    session: AsyncSession, *, client_id: str, workspace_id: str
) -> InstallationKey | None:
    """The key of the workspace's latest installation with a bot token, if there is one
    (a workspace inside an Enterprise Grid organisation is stored with its enterprise id)."""
    c = slack_bots.c
    found = (
        await session.execute(
            sa.select(c.enterprise_id, c.team_id, c.is_enterprise_install)
            .where(_rows_of(slack_bots, client_id, workspace_id), c.bot_token.is_not(None))
            .order_by(c.installed_at.desc())
            .limit(1)
        )
    ).first()
    if found is None:
        return None
    return InstallationKey(found[0], found[1], bool(found[2]))


async def drop_expired_states(session: AsyncSession, *, now: datetime) -> int:
    """Forget install `state`s nobody came back with in time (each visit to the install
    page issues one; slack_sdk deletes only those used)."""
    naive_utc = now.astimezone(UTC).replace(tzinfo=None)  # slack_sdk stores naive UTC
    result = await session.execute(
        sa.delete(slack_oauth_states).where(slack_oauth_states.c.expire_at < naive_utc)
    )
    return int(getattr(result, "rowcount", 0) or 0)
