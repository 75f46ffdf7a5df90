"""Before a queued message goes out late (a retry, a restart), check it is still owed:
a reminder for a week already signed off is cancelled, not sent. And build, as it is
sent, what the sweep queued by its key alone (`built_now`).

The same decision as the sweep's and the status view's: each rule of the registry is
asked over a snapshot scoped to the one queued item."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keys, owed
from handlers.registry import REGISTRY
from handlers.ui import Message


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


async def built_now(session: AsyncSession, *, key: str, now: datetime) -> Message | None:
    """A message the outbox holds by its key alone (a prompt, a digest), built by the rule
    that queued it, as things stand `now`; None when no rule can say it any more (a
    placement gone since), and the dispatcher then cancels it."""
    typed = keys.parse(key)
    if typed is None:
        return None
    for rule in REGISTRY.rules():
        if isinstance(rule, owed.BuildsLater):
            message = await rule.message_for(session, typed, now)
            if message is not None:
                return message
    return None
