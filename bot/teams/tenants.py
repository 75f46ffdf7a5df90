"""The tenant allow-list: a multi-tenant registration answers only the partnership's own.

Allowed: every school's tenant from the roster (confirmed in the schools CSV, or learned
and awaiting the office's confirmation) and the provider's own (`MENTORBOT_TEAMS_TENANTS`,
`MicrosoftAppTenantId`, or a tenant an ITT lead or admin is already known in). While a
Teams school's tenant is still unknown, an activity from a new tenant is let through so
its first person can be matched to the roster: if they are placed at such a school, that
school learns the tenant (shown by `mentorbot reach` as learned, not confirmed); an
unmatched person gets the not-on-roster answer and nothing is stored. Once every Teams
school has a tenant, any other tenant is refused before the turn runs, with a clear
message, and nothing of it is written anywhere.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import transaction
from storage.repo import tenants

log = logging.getLogger(__name__)
CACHE_SECONDS = 30.0


class TenantGate:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        home: Iterable[str] = (),
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.home = frozenset(t.strip().lower() for t in home if t and t.strip())
        self.clock = clock
        self._known: frozenset[str] = frozenset()
        self._learning = False
        self._read_at: float | None = None

    async def _refresh(self, *, force: bool = False) -> None:
        now = self.clock()
        if not force and self._read_at is not None and now - self._read_at < CACHE_SECONDS:
            return
        async with self.sessions() as session:
            self._known = frozenset(await tenants.school_tenants(session))
            self._learning = await tenants.schools_without_tenant(session) > 0
        self._read_at = now

    async def admits(self, tenant: str) -> bool:
        """ "" (no tenant: the Bot Framework Emulator, anonymous mode only) is let through."""
        if not tenant or tenant in self.home:
            return True
        await self._refresh()
        if tenant in self._known:
            return True
        await self._refresh(force=True)  # a roster just imported is seen at once
        return tenant in self._known or self._learning

    def known(self, tenant: str) -> bool:
        return not tenant or tenant in self.home or tenant in self._known

    async def learn(self, tenant: str) -> None:
        """After an admitted turn from a tenant no school has: learn it where it fits."""
        if self.known(tenant):
            return
        async with transaction(self.sessions) as session:
            learned = await tenants.learn(session, tenant=tenant)
        if learned:
            log.info("teams tenant %s learned for school ids %s (not confirmed)", tenant, learned)
            await self._refresh(force=True)
