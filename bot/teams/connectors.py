"""Connector clients for the replies of inbound turns, built once and reused (#17 target 1).

botbuilder 4.17.1 builds a new ConnectorClient for every inbound activity (msrest
configuration, retry policy, pipeline, a new `requests` session, so a new TCP connection
to the connector) and a new user-token client nobody here uses (the bot has no sign-in
prompts). Measured on the bench's press, that is about a third of a turn's CPU. Here:

- a turn's connector client is the one already built for the same app id, service URL
  and audience (few: one per Teams region), so its session keeps its connections; the
  credentials object is the same one (see auth.CachedCredentials) and its token is still
  refreshed off the event loop before each turn, as before;
- the user-token client is built once per app id;
- an Adaptive Card in a reply is put in the request body as it is: msrest would walk
  every node of the card dict (and build it again from a copy) to produce the same JSON;
  and botbuilder's deep copy of each outgoing activity leaves the card alone (`shared`:
  a card is built for one send and never changed after).

Outbound (proactive) sends keep their own clients (see output): they set retries off.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, Attachment
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConstants,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from msrest import Serializer

CARD = "application/vnd.microsoft.card.adaptive"  # as render.CONTENT_TYPE
MAX_CLIENTS = 64  # service URLs are the sender's word in anonymous mode: bounded


def app_id_of(identity: ClaimsIdentity | None) -> str | None:
    """The bot's app id the way botbuilder reads it from the claims (audience, else appid)."""
    if identity is None:
        return None
    app_id = identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
    if app_id is None:
        app_id = identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)
    return app_id  # type: ignore[no-any-return]


class SharedCard(dict[str, Any]):
    """A card that botbuilder's deep copy of an outgoing activity shares, not copies."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedCard:
        return self


def shared(turn_context: TurnContext, card: dict[str, Any]) -> dict[str, Any]:
    """The card to send in this turn: shared when the turn's client serializes it as it
    is (msrest's own serializer would write a dict subclass as its str())."""
    client = turn_context.turn_state.get(turn_context.adapter.BOT_CONNECTOR_CLIENT_KEY)
    conversations = getattr(client, "conversations", None)
    if isinstance(getattr(conversations, "_serialize", None), CardSerializer):
        return SharedCard(card)
    return card


class CardSerializer(Serializer):  # type: ignore[misc]
    """msrest's serializer, except that an Adaptive Card's content is taken as it is
    (render builds it from JSON types only)."""

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        attachments = getattr(data, "attachments", None) if data_type == "Activity" else None
        cards = [
            (i, a.content)
            for i, a in enumerate(attachments or [])
            if isinstance(a, Attachment) and a.content_type == CARD and isinstance(a.content, dict)
        ]
        if not isinstance(data, Activity) or not cards:
            return super().body(data, data_type, **kwargs)
        for i, _ in cards:
            data.attachments[i].content = None
        try:
            # Not body(): its first step builds models out of dicts (this is one already,
            # built by render and botbuilder), and checks constraints Activity has none of.
            body = self._serialize(data, data_type, **kwargs)
        finally:
            for i, content in cards:
                data.attachments[i].content = content
        for i, content in cards:
            body["attachments"][i]["content"] = content
        return body


class ReusedConnectors(ConnectorFactory):  # type: ignore[misc]
    """botbuilder's connector factory for one turn, answering from clients already built."""

    def __init__(
        self,
        inner: ConnectorFactory,
        app_id: str | None,
        clients: OrderedDict[tuple[Any, ...], ConnectorClient],
    ) -> None:
        self.inner = inner
        self.app_id = app_id
        self.clients = clients

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self.app_id, service_url, audience)
        client = self.clients.get(key)
        if client is None:
            client = await self.inner.create(service_url, audience)
            client.conversations._serialize = CardSerializer(client._serialize.dependencies)
            self.clients[key] = client
            while len(self.clients) > MAX_CLIENTS:
                self.clients.popitem(last=False)
            return client
        self.clients.move_to_end(key)
        credentials = client.config.credentials
        if self.app_id and isinstance(credentials, AppCredentials):
            # As CachedCredentials does for a new client: MSAL answers from its cache, or
            # fetches a new token (blocking) in a thread, never on the event loop.
            await asyncio.to_thread(credentials.get_access_token)
        return client


class LeanAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """botbuilder's authentication, with one user-token client per app id, and the
    connector clients of inbound turns reused (see `reuse`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._token_clients: dict[str | None, UserTokenClient] = {}
        self._connectors: OrderedDict[tuple[Any, ...], ConnectorClient] = OrderedDict()

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        app_id = app_id_of(claims_identity)
        client = self._token_clients.get(app_id)
        if client is None:
            client = await super().create_user_token_client(claims_identity)
            if len(self._token_clients) < MAX_CLIENTS:
                self._token_clients[app_id] = client
        return client

    def reuse(self, factory: ConnectorFactory | None, identity: ClaimsIdentity | None) -> Any:
        """The turn's connector factory, answering from the clients already built."""
        if factory is None:
            return None
        return ReusedConnectors(factory, app_id_of(identity), self._connectors)

    async def close(self) -> None:
        """Closes the reused clients' sessions (their kept connections)."""
        clients, self._connectors = list(self._connectors.values()), OrderedDict()
        for client in clients:
            try:
                await client.__aexit__(None, None, None)
            except Exception:  # closing a connection that already broke: nothing to keep
                pass
