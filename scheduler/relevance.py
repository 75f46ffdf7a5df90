"""Before a queued message goes out late (a retry, a restart), check it is still owed:
a reminder for a week already signed off is cancelled, not sent.

The same decision as the sweep's and the status view's: each rule of the registry is
asked over a snapshot scoped to the one queued item."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keys, owed
from handlers.registry import REGISTRY


async def still_applies(
    session: AsyncSession, *, kind: str, key: str, now: datetime | None = None
) -> bool:
    """False only when the rule that queued it says it is no longer owed; a key no rule
    knows (a digest, an alert, one written by another version) is always sent. `now` is
    the dispatcher's clock (a simulated one in the demo): a rule whose answer depends on
    the day (the QA form: owed while the placement is active) reads that day, not the
    wall clock's."""
    typed = keys.parse(key)
    if typed is None:
        return True
    now = now or datetime.now(UTC)
    snap = await owed.load(session, now, scope=owed.Scope(key=typed))
    for rule in REGISTRY.rules():
        facts = await rule.load(session, snap)
        answer = rule.applies(snap, facts, typed)
        if answer is not None:
            return answer
    return True
