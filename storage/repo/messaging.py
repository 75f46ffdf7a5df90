"""Outbox, processed-event de-duplication and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import AuditEntry, OutboxMessage, ProcessedEvent
from storage.repo.upsert import insert_ignore
from storage.types import utcnow


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    payload: dict[str, Any],
    recipient_id: int | None = None,
    escalation_level: int | None = None,
    not_before: datetime | None = None,
    queued_at: datetime | None = None,
) -> bool:
    """Queue a notification once per key; False if that key was already queued.
    `queued_at`: the caller's clock, when what it queues is later compared with it (the
    office's daily summary, on the scheduler's simulated clock in the demo and tests)."""
    row: dict[str, Any] = {
        "key": key,
        "kind": kind,
        "payload": payload,
        "recipient_id": recipient_id,
        "escalation_level": escalation_level,
        "status": "pending",
        "attempts": 0,
    }
    if not_before is not None:
        row["next_attempt_at"] = not_before
    else:
        row["next_attempt_at"] = utcnow()
    row["created_at"] = queued_at or utcnow()
    return await insert_ignore(session, OutboxMessage, [row], conflict=["key"]) == 1


async def enqueue_many(session: AsyncSession, *, rows: list[dict[str, Any]]) -> int:
    """Queue many notifications, each once per key (rows as `enqueue` builds them: key,
    kind, payload, recipient_id, escalation_level, next_attempt_at); how many were new."""
    now = utcnow()
    full = [
        {
            "recipient_id": None,
            "escalation_level": None,
            "next_attempt_at": now,
            **row,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
        }
        for row in rows
    ]
    queued = 0
    for start in range(0, len(full), 200):
        queued += await insert_ignore(
            session, OutboxMessage, full[start : start + 200], conflict=["key"]
        )
    return queued


async def outbox_by_key(session: AsyncSession, *, key: str) -> OutboxMessage | None:
    stmt = select(OutboxMessage).where(OutboxMessage.key == key)
    return (await session.execute(stmt)).scalar_one_or_none()


async def first_time(session: AsyncSession, *, source: str, event_key: str) -> bool:
    """True the first time an inbound event is seen; False for a retry or double click."""
    inserted = await insert_ignore(
        session,
        ProcessedEvent,
        [{"source": source, "event_key": event_key[:255]}],
        conflict=["source", "event_key"],
    )
    return inserted == 1


async def audit(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append to the audit log. Detail carries ids and codes, never free text."""
    # A plain INSERT, not an ORM object: the log is only ever appended to, and this runs
    # in every interaction that writes.
    await session.execute(
        insert(AuditEntry.__table__).values(  # type: ignore[attr-defined]
            at=utcnow(),
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=detail or {},
        )
    )


async def audit_many(session: AsyncSession, *, rows: list[dict[str, Any]]) -> None:
    """Append many entries to the audit log in one statement (rows: actor_id, action,
    entity, entity_id, detail, as `audit` takes them)."""
    if rows:
        at = utcnow()
        await session.execute(
            insert(AuditEntry.__table__),  # type: ignore[attr-defined]
            [{"at": at, "detail": {}, **row} for row in rows],
        )
