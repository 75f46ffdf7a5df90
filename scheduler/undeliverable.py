"""The partnership office's daily summary of what could not be delivered.

A message that is dead-lettered tells nobody by itself (a fresh partnership whose Teams
people have not opened the app would otherwise send the office one message per failed
prompt). Once a day at most, in working hours, each admin gets one message listing each
person (and the escalation channel) who could not be reached since the last summary,
with why and what fixes it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keys, notify, reach
from storage.enums import Role
from storage.repo import people
from storage.repo import reach as facts

SUMMARY_KIND = "undeliverable_summary"
# The per-message notice of earlier versions: never summarised itself.
OLD_NOTICE_KIND = "dead_letter_notice"
FIRST_LOOK_BACK = timedelta(days=7)


async def summarise(session: AsyncSession, now: datetime, *, zone: ZoneInfo) -> int:
    """Queue today's summary for each admin who has not had one today; how many queued."""
    today = now.astimezone(zone).date()
    queued = 0
    for admin in await people.with_role(session, role=Role.ADMIN):
        if admin.id is None:
            continue
        last = await facts.last_queued(session, kind=SUMMARY_KIND, recipient_id=admin.id)
        if last is not None and last.astimezone(zone).date() >= today:
            continue
        since = last or now - FIRST_LOOK_BACK
        undelivered = await facts.undelivered_since(
            session, since=since, leave_out=(SUMMARY_KIND, OLD_NOTICE_KIND)
        )
        if not undelivered:
            continue
        ids = [u.recipient_id for u in undelivered if u.recipient_id is not None]
        names = await facts.names(session, person_ids=ids)
        queued += await notify.to_person(
            session,
            key=str(keys.UndeliverableSummary(today, admin.id)),
            kind=SUMMARY_KIND,
            recipient_id=admin.id,
            message=reach.summary(undelivered, names, since=since.astimezone(zone)),
            not_before=now,
            queued_at=now,  # the next summary covers what failed since this moment
        )
    return queued
