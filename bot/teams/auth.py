"""Bot Framework authentication: configuration, inbound token checks, outbound credentials.

botbuilder 4.17.1 validates an inbound JWT with blocking `requests` calls (OpenID metadata
and signing keys, no timeout) and raises assorted exceptions on a malformed token; MSAL,
which gets the bot's own token for outbound calls, blocks too. Here:

- inbound tokens are checked in a small dedicated thread pool with a deadline, and any
  failure (no token, malformed, expired, forged, signing keys unreachable) is a 401;
  the metadata and keys are fetched with a deadline of their own (see keys), so a hung
  endpoint never keeps a thread of the pool;
- outbound credentials are created once per app id and scope, so MSAL's token cache
  lives between turns, and each token is fetched in a worker thread before a connector
  uses it on the event loop (where MSAL then answers from its cache).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botbuilder.integration.aiohttp import ConfigurationServiceClientCredentialFactory
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AppCredentials,
    AuthenticateRequestResult,
    AuthenticationConstants,
    ServiceClientCredentialsFactory,
)
from msrest.authentication import Authentication

from bot.teams import keys
from bot.teams.connectors import LeanAuthentication

log = logging.getLogger(__name__)
# Above keys.FETCH_SECONDS (a check may wait for one fetch), below Teams' patience.
TOKEN_CHECK_SECONDS = 4.0
# The Bot Framework sends the same token with every activity for about an hour: one that
# checked out is taken again, for the same service URL and channel, until it expires or
# for this long at most (so a signing key Microsoft withdraws stops working soon after).
VERIFIED_SECONDS = 300.0
MAX_VERIFIED = 1024


class Unauthorized(Exception):
    """The request is not from the Bot Framework (or we could not tell): answer 401."""


@dataclass(frozen=True)
class BotConfig:
    """The configuration object botbuilder reads (by attribute name).

    The OpenID metadata URLs are None in production (botbuilder then uses the public
    cloud's); set, they replace both metadata endpoints and the other endpoints keep the
    public cloud's values (botbuilder needs the full set once any one is given).
    """

    APP_ID: str | None
    APP_PASSWORD: str | None
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str | None = None
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str | None = None
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str | None = None
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str | None = None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None
    OAUTH_URL: str | None = None

    @classmethod
    def create(
        cls,
        app_id: str | None,
        password: str | None,
        app_type: str = "MultiTenant",
        tenant_id: str | None = None,
        *,
        openid_metadata_url: str | None = None,
    ) -> BotConfig:
        if openid_metadata_url is None:
            return cls(app_id or None, password or None, app_type, tenant_id)
        login = AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX + (
            tenant_id or AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT
        )
        return cls(
            app_id or None,
            password or None,
            app_type,
            tenant_id,
            TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=openid_metadata_url,
            TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=openid_metadata_url,
            TO_CHANNEL_FROM_BOT_LOGIN_URL=login,
            TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
            TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
            OAUTH_URL=AuthenticationConstants.OAUTH_URL,
        )


class CachedCredentials(ServiceClientCredentialsFactory):
    """One credentials object per (app id, scope, endpoint), each token fetched off the loop."""

    def __init__(self, inner: ServiceClientCredentialsFactory) -> None:
        self.inner = inner
        self._cache: dict[tuple[Any, ...], Authentication] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return await self.inner.is_valid_app_id(app_id)

    async def is_authentication_disabled(self) -> bool:
        return await self.inner.is_authentication_disabled()

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Authentication:
        key = (app_id, oauth_scope, login_endpoint, validate_authority)
        credentials = self._cache.get(key)
        if credentials is None:
            credentials = await self.inner.create_credentials(
                app_id, oauth_scope, login_endpoint, validate_authority
            )
            self._cache[key] = credentials
        if app_id and isinstance(credentials, AppCredentials):
            # MSAL answers from its cache, or fetches a new token (blocking) in a thread.
            await asyncio.to_thread(credentials.get_access_token)
        return credentials


def authentication(
    config: BotConfig, credentials: ServiceClientCredentialsFactory | None = None
) -> tuple[LeanAuthentication, ServiceClientCredentialsFactory]:
    factory = CachedCredentials(credentials or ConfigurationServiceClientCredentialFactory(config))
    keys.install()
    return LeanAuthentication(config, credentials_factory=factory), factory


class RequestAuth:
    """Decides whether an inbound activity is from the Bot Framework."""

    def __init__(
        self,
        auth: LeanAuthentication,
        *,
        app_id: str | None,
        allow_anonymous: bool,
        timeout: float = TOKEN_CHECK_SECONDS,
    ) -> None:
        self.auth = auth
        self.app_id = app_id
        # Anonymous requests only when no app id is configured and it was asked for.
        self.anonymous = allow_anonymous and not app_id
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="bf-auth")
        # (token digest, service URL, channel) -> (until, wall clock; botbuilder's result)
        self._verified: OrderedDict[tuple[str, str, str], tuple[float, Any]] = OrderedDict()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def check(self, activity: Activity, header: str | None) -> AuthenticateRequestResult:
        found = await self._check(activity, header)
        checked = AuthenticateRequestResult()
        checked.claims_identity = found.claims_identity
        checked.audience = found.audience
        checked.caller_id = found.caller_id
        # The turn's replies go through connector clients built once (see connectors).
        checked.connector_factory = self.auth.reuse(found.connector_factory, found.claims_identity)
        return checked

    def _verified_before(self, key: tuple[str, str, str]) -> AuthenticateRequestResult | None:
        hit = self._verified.get(key)
        if hit is None:
            return None
        if hit[0] <= time.time():
            del self._verified[key]
            return None
        self._verified.move_to_end(key)
        return hit[1]  # type: ignore[no-any-return]

    def _keep(self, key: tuple[str, str, str], result: AuthenticateRequestResult) -> None:
        identity = result.claims_identity
        expires = (identity.claims or {}).get("exp") if identity is not None else None
        if not isinstance(expires, int | float) or isinstance(expires, bool):
            return
        self._verified[key] = (min(float(expires), time.time() + VERIFIED_SECONDS), result)
        while len(self._verified) > MAX_VERIFIED:
            self._verified.popitem(last=False)

    async def _check(self, activity: Activity, header: str | None) -> AuthenticateRequestResult:
        if not self.app_id:
            if not self.anonymous:
                raise Unauthorized("no app id and anonymous requests are off")
            # No token to check: botbuilder only builds the anonymous identity (no I/O).
            return await self.auth.authenticate_request(activity, None)  # type: ignore[arg-type]
        scheme, _, token = (header or "").partition(" ")
        if scheme != "Bearer" or not token.strip():
            raise Unauthorized("no bearer token")
        # What botbuilder's check reads: the token, and the activity's service URL and
        # channel (the token must name both). Only a token that checked out is kept.
        digest = hashlib.sha256((header or "").encode()).hexdigest()
        key = (digest, str(activity.service_url or ""), str(activity.channel_id or ""))
        verified = self._verified_before(key)
        if verified is not None:
            return verified
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool, self._check_in_thread, activity, header or "")
        try:
            result = await asyncio.wait_for(future, self.timeout)
        except TimeoutError as exc:
            raise Unauthorized("token check timed out (signing keys unreachable?)") from exc
        except Exception as exc:  # botbuilder raises many kinds on a bad token
            raise Unauthorized(f"{type(exc).__name__}") from exc
        self._keep(key, result)
        return result

    def _check_in_thread(self, activity: Activity, header: str) -> AuthenticateRequestResult:
        # botbuilder's validation is a coroutine that blocks; it gets its own loop here.
        # Not asyncio.run: that waits on closing for the loop's resolver threads, and a
        # DNS lookup that hangs would keep this thread after the fetch gave up on it.
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(self.auth.authenticate_request(activity, header))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
