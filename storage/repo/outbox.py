"""Claiming and settling outbox rows for the dispatcher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.enums import OutboxStatus
from storage.models import OutboxMessage, Person, Placement, PlatformIdentity, School


async def claim(
    session: AsyncSession, *, now: datetime, worker: str, limit: int, lease: timedelta
) -> list[OutboxMessage]:
    """Take up to `limit` due rows for this worker. On PostgreSQL other dispatchers skip
    rows locked here (SKIP LOCKED); a `sending` row whose lease ran out (its dispatcher
    died) is due again and is checked with the platform before it is resent.

    Rows that failed before come first: a row whose retry falls due in a burst
    is not sent after every row queued behind it (whose due time is older than its
    retry's), so its own next failure, if any, still has time to be retried before the
    burst ends."""
    due = (OutboxMessage.status.in_(("pending", "sending"))) & (
        OutboxMessage.next_attempt_at <= now
    )
    failed = OutboxMessage.last_error.is_not(None)  # type: ignore[union-attr]
    rows = await _due(session, due & failed, limit)
    if len(rows) < limit:
        rows += await _due(session, due & ~failed, limit - len(rows))
    for row in rows:
        row.status = "sending"
        row.claimed_by = worker
        row.attempts += 1
        row.next_attempt_at = now + lease
    await session.flush()
    return rows


async def _due(session: AsyncSession, where: Any, limit: int) -> list[OutboxMessage]:
    stmt = (
        select(OutboxMessage)
        .where(where)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list((await session.execute(stmt)).scalars().all())


async def pending_count(session: AsyncSession) -> int:
    stmt = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status.in_(("pending", "sending")))
    )
    return int((await session.execute(stmt)).scalar_one())


@dataclass(frozen=True, slots=True)
class Recipient:
    person_id: int
    email: str
    platform: str | None
    external_id: str | None
    workspace_id: str
    reference: dict | None  # type: ignore[type-arg]


async def recipient(session: AsyncSession, *, person_id: int) -> Recipient | None:
    """A person and the platform to reach them on: their school's (where they are placed,
    mentor, lead or, as a university tutor, visit), else where they are known."""
    person = await session.get(Person, person_id)
    if person is None:
        return None
    stmt = (
        select(School.platform)
        .join(Placement, Placement.school_id == School.id)
        .where(
            (Placement.trainee_id == person_id)
            | (Placement.mentor_id == person_id)
            | (Placement.lead_mentor_id == person_id)
            | (Placement.tutor_id == person_id)
        )
        .order_by(Placement.end_date.desc())
        .limit(1)
    )
    platform = (await session.execute(stmt)).scalar_one_or_none()
    ident_stmt = select(PlatformIdentity).where(PlatformIdentity.person_id == person_id)
    if platform is not None:
        ident_stmt = ident_stmt.where(PlatformIdentity.platform == platform)
    identity = (
        await session.execute(ident_stmt.order_by(PlatformIdentity.id.desc()).limit(1))
    ).scalar_one_or_none()
    if platform is None and identity is not None:
        platform = identity.platform
    return Recipient(
        person_id=person_id,
        email=person.email,
        platform=platform,
        external_id=identity.external_id if identity else None,
        workspace_id=identity.workspace_id if identity else "",
        reference=identity.conversation_reference if identity else None,
    )


async def mark_sent(
    session: AsyncSession,
    *,
    row_id: int,
    now: datetime,
    platform: str,
    channel_id: str,
    message_id: str,
) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(
            status="sent",
            sent_at=now,
            platform=platform,
            platform_channel_id=channel_id,
            platform_message_id=message_id,
            last_error=None,
        )
    )


async def mark_failed(
    session: AsyncSession,
    *,
    row_id: int,
    retry_at: datetime | None,
    error: str,
    attempt_spent: bool = True,
    held_at: datetime | None = None,
    failed_at: datetime | None = None,
) -> None:
    """Back to pending for a retry at `retry_at`, or dead-lettered when None.
    `attempt_spent=False` (the platform said "not now", a 429): the try is given back,
    so it neither brings the row nearer its dead letter nor lengthens its backoff.
    `held_at`: the person cannot be messaged until they connect; the row waits, held
    (from that moment), until `release_held` is called for them."""
    values: dict[str, object] = {"last_error": error[:500], "claimed_by": None}
    if not attempt_spent:
        values["attempts"] = OutboxMessage.attempts - 1
    if held_at is not None:
        values["status"] = OutboxStatus.HELD
        values["next_attempt_at"] = held_at
    elif retry_at is None:
        values["status"] = "dead"
        if failed_at is not None:  # a dead row's due time says when it was given up on
            values["next_attempt_at"] = failed_at
    else:
        values["status"] = "pending"
        values["next_attempt_at"] = retry_at
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))


async def release_held(session: AsyncSession, *, person_id: int) -> int:
    """The person can be messaged now (their conversation was just stored): what was held
    for them is due at once (a held row's due time is when it was held, already past).
    Whether each still applies is checked when it is sent."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.recipient_id == person_id,
            OutboxMessage.status == OutboxStatus.HELD,
        )
        .values(status=OutboxStatus.PENDING)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def mark_cancelled(session: AsyncSession, *, row_id: int) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(status="cancelled", claimed_by=None)
    )
