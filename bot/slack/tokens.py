"""Which token a call to Slack is made with: the workspace's own.

Single-token mode (SLACK_BOT_TOKEN) is one workspace: every call uses that token. In
OAuth mode each workspace installed the app through /slack/install and its token is in
slack_sdk's installation store (on our database); a call for a person or a channel uses
the token of the workspace stored on their identity. A workspace that uninstalled the app
or revoked its token has no token any more: sending there fails at once, for good, with
the fix the office needs ("reinstall the app in workspace X"), and Slack is not called.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

import aiohttp
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repo import slack_workspaces

log = logging.getLogger(__name__)


NOWHERE = "mentorbot is not installed in any Slack workspace yet: install it (/slack/install)"


class NotInstalled(Exception):
    """No token for this workspace; the message says why and what fixes it."""


class Tokens(Protocol):
    async def client_for(self, workspace_id: str) -> AsyncWebClient:
        """A Web API client with the workspace's token; NotInstalled when it has none."""
        ...

    async def workspaces(self) -> list[str]:
        """The workspaces to look a person up in when their workspace is not known yet."""
        ...


class SingleWorkspace:
    """SLACK_BOT_TOKEN: one workspace, one client."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def client_for(self, workspace_id: str) -> AsyncWebClient:
        return self.client

    async def workspaces(self) -> list[str]:
        return [""]


def why_not(workspace_id: str, found: slack_workspaces.SlackWorkspaces) -> str:
    """What the office reads for a workspace with no token, naming the fix."""
    revoked = found.revoked.get(workspace_id)
    if revoked is None:
        return (
            f"mentorbot is not installed in Slack workspace {workspace_id or '(unknown)'}: "
            "install the app there (/slack/install)"
        )
    what = "uninstalled from" if revoked.reason == slack_workspaces.UNINSTALLED else "revoked in"
    return (
        f"the Slack app was {what} workspace {revoked.label}: "
        f"reinstall the app in workspace {revoked.label}"
    )


class Installed:
    """OAuth mode: each workspace's token from the installation store, refreshed before it
    expires when Slack's token rotation is on."""

    def __init__(
        self,
        *,
        store: AsyncInstallationStore,
        sessions: async_sessionmaker[AsyncSession],
        client_id: str,
        rotator: AsyncTokenRotator,
        rotation_minutes: int,
        api_url: str,
        http: aiohttp.ClientSession,
    ) -> None:
        self.store, self.sessions, self.client_id = store, sessions, client_id
        self.rotator, self.rotation_minutes = rotator, rotation_minutes
        self.api_url, self.http = api_url, http
        self._rotating: dict[str, asyncio.Lock] = {}

    async def _state(self) -> slack_workspaces.SlackWorkspaces:
        async with self.sessions() as session:
            return await slack_workspaces.workspaces(session)

    async def workspaces(self) -> list[str]:
        return sorted((await self._state()).installed)

    async def _installation(self, workspace_id: str) -> Installation | None:
        async with self.sessions() as session:
            key = await slack_workspaces.installation_key(
                session, client_id=self.client_id, workspace_id=workspace_id
            )
        if key is None:
            return None
        return await self.store.async_find_installation(
            enterprise_id=key.enterprise_id,
            team_id=key.team_id,
            is_enterprise_install=key.is_enterprise_install,
        )

    async def _fresh(self, workspace_id: str, installation: Installation) -> Installation:
        """The installation with a token that will not expire soon (one refresh at a time
        per workspace, so a burst of sends refreshes once)."""
        if installation.bot_refresh_token is None:
            return installation
        async with self._rotating.setdefault(workspace_id, asyncio.Lock()):
            current = await self._installation(workspace_id) or installation
            refreshed = await self.rotator.perform_token_rotation(
                installation=current, minutes_before_expiration=self.rotation_minutes
            )
            if refreshed is None:
                return current
            await self.store.async_save(refreshed)
            log.info("slack token refreshed for team_id=%s", workspace_id)
            return refreshed

    async def client_for(self, workspace_id: str) -> AsyncWebClient:
        if not workspace_id:
            installed = await self.workspaces()
            if not installed:
                raise NotInstalled(NOWHERE)
            if len(installed) > 1:
                raise NotInstalled("the person's Slack workspace is not known yet")
            workspace_id = installed[0]
        installation = await self._installation(workspace_id)
        if installation is None or installation.bot_token is None:
            raise NotInstalled(why_not(workspace_id, await self._state()))
        installation = await self._fresh(workspace_id, installation)
        return AsyncWebClient(
            token=installation.bot_token, base_url=self.api_url, session=self.http
        )
