"""The daily retention job: records past their retention (the policy's `retention`) are
deleted, on the leader only, with the counts in the log and the audit trail."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.policy import Policy
from storage.privacy.retention import apply_retention

log = logging.getLogger(__name__)
RETENTION_JOB = "mentorbot-retention"
# Once a day, at night (UTC), when nobody is filling in forms.
RETENTION_HOUR = 2


async def run_retention(
    sessions: async_sessionmaker[AsyncSession], policy: Policy, *, today: date
) -> dict[str, int]:
    async with sessions() as session:
        counts = await apply_retention(
            session, policy.retention.by_kind(), today=today, by="scheduler"
        )
    log.info("retention applied: %s", counts)
    return counts
