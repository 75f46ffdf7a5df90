"""The outbox of notifications, inbound de-duplication and the append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime, utcnow


class OutboxMessage(SQLModel, table=True):
    """A notification decided on but perhaps not yet sent.

    `key` is (recipient, kind, subject, week or review point): inserting the same key
    twice is a no-op, so a sweep that runs twice queues once.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_type=sa.String(255), unique=True)
    recipient_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # For channel messages (escalation alerts) instead of a person.
    escalation_level: int | None = None
    kind: str = Field(sa_type=sa.String(64))
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    status: str = Field(default="pending", sa_type=sa.String(16))  # OutboxStatus
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    claimed_by: str | None = Field(default=None, sa_type=sa.String(64))
    platform: str | None = Field(default=None, sa_type=sa.String(16))
    # Teams conversation ids run to ~130 characters and more in channels: room to spare.
    platform_channel_id: str | None = Field(default=None, sa_type=sa.String(512))
    platform_message_id: str | None = Field(default=None, sa_type=sa.String(512))
    last_error: str | None = Field(default=None, sa_type=sa.String(500))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ProcessedEvent(SQLModel, table=True):
    """An inbound event or click already handled: a retry of it records nothing more."""

    __tablename__ = "processed_event"
    __table_args__ = (sa.UniqueConstraint("source", "event_key"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(sa_type=sa.String(16))
    event_key: str = Field(sa_type=sa.String(255))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class AuditEntry(SQLModel, table=True):
    """Who did what to which record. Rows are never updated or deleted (a trigger refuses)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    action: str = Field(sa_type=sa.String(64))
    entity: str = Field(sa_type=sa.String(64))
    entity_id: int | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
