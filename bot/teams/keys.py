"""The Bot Framework's OpenID metadata and signing keys, fetched with a deadline.

botbuilder 4.17.1 fetches them (`_OpenIdMetadata._refresh` in
botframework/connector/auth/jwt_token_extractor.py) with `requests.get` and no timeout,
inside the token check. When the metadata endpoint hangs, every thread checking a token
hangs with it, for good, and every later request waits behind them. `install()` swaps in
a subclass whose refresh:

- fetches both documents with aiohttp under one deadline (FETCH_SECONDS in all);
- lets one thread fetch at a time; the others wait at most as long, then give up;
- after a failed fetch, fails at once for RETRY_AFTER_FAILURE seconds rather than have
  every request wait for the same unreachable endpoint.

A token that can't be checked for want of keys is refused (401), as before. botbuilder
keeps one metadata object per URL for the whole process (`metadataCache`), so the swap is
process-wide; keys fetched are kept as botbuilder keeps them (refreshed daily).
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from botframework.connector.auth import jwt_token_extractor
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

FETCH_SECONDS = 2.0
RETRY_AFTER_FAILURE = 2.0
# A refresh that another thread finished this recently is not done again.
JUST_REFRESHED = timedelta(seconds=30)


class KeysUnavailable(Exception):
    """The signing keys could not be fetched in time."""


_Base: Any = jwt_token_extractor._OpenIdMetadata


class BoundedOpenIdMetadata(_Base):  # type: ignore[misc]
    # Set by botbuilder's __init__ and refresh; declared for the type checker.
    url: str
    keys: list[dict[str, Any]]
    last_updated: datetime

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._lock = threading.Lock()
        self._failed_at = -math.inf

    async def _refresh(self) -> None:
        if not self._lock.acquire(timeout=FETCH_SECONDS):
            raise KeysUnavailable("another token check is still fetching the keys")
        try:
            if self.last_updated > datetime.now() - JUST_REFRESHED:
                return
            if time.monotonic() - self._failed_at < RETRY_AFTER_FAILURE:
                raise KeysUnavailable("the last fetch failed moments ago")
            try:
                self.keys = await asyncio.wait_for(self._fetch(), FETCH_SECONDS)
            except Exception:
                self._failed_at = time.monotonic()
                raise
            self.last_updated = datetime.now()
        finally:
            self._lock.release()

    async def _fetch(self) -> list[dict[str, Any]]:
        # trust_env: the same proxy settings requests would have used.
        async with aiohttp.ClientSession(trust_env=True) as http:
            metadata = await _json(http, self.url)
            keys = await _json(http, str(metadata["jwks_uri"]))
        found = keys["keys"]
        if not isinstance(found, list) or not all(isinstance(k, dict) for k in found):
            raise KeysUnavailable("the key set is malformed")
        return found


async def _json(http: aiohttp.ClientSession, url: str) -> Any:
    async with http.get(url) as response:
        response.raise_for_status()
        return await response.json(content_type=None)


def install() -> None:
    """From now on, botbuilder fetches metadata and keys through BoundedOpenIdMetadata."""
    jwt_token_extractor._OpenIdMetadata = BoundedOpenIdMetadata
    cache = JwtTokenExtractor.metadataCache
    for url, metadata in list(cache.items()):
        if not isinstance(metadata, BoundedOpenIdMetadata):
            cache[url] = BoundedOpenIdMetadata(url)
