"""Telling other people: queued in the outbox in the same transaction as the record.

If the transaction rolls back, the notification was never queued; if it commits, the
dispatcher will send it even if we crash a moment later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.codec import message_to_dict
from handlers.ui import Message
from storage.repo import messaging


async def to_person(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    recipient_id: int,
    message: Message,
    not_before: datetime,
    queued_at: datetime | None = None,
) -> bool:
    return await messaging.enqueue(
        session,
        key=key,
        kind=kind,
        recipient_id=recipient_id,
        payload=message_to_dict(message),
        not_before=not_before,
        queued_at=queued_at,
    )


async def to_escalation_channel(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    level: int,
    message: Message,
    not_before: datetime,
) -> bool:
    return await messaging.enqueue(
        session,
        key=key,
        kind=kind,
        escalation_level=level,
        payload=message_to_dict(message),
        not_before=not_before,
    )
