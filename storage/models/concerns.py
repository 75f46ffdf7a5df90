"""Concerns and escalations to the ITT leadership team (what follows is storage/models/support.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime, utcnow


class Concern(SQLModel, table=True):
    __tablename__ = "concern"

    id: int | None = Field(default=None, primary_key=True)
    placement_id: int = Field(foreign_key="placement.id", index=True)
    raised_by_id: int = Field(foreign_key="person.id")
    category: str = Field(sa_type=sa.String(16))  # ConcernCategory
    details: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class Escalation(SQLModel, table=True):
    """A trainee who met an off-track rule; one per placement, rule and cause."""

    __tablename__ = "escalation"
    __table_args__ = (sa.UniqueConstraint("placement_id", "rule", "cause_key"),)

    id: int | None = Field(default=None, primary_key=True)
    placement_id: int = Field(foreign_key="placement.id", index=True)
    rule: str = Field(sa_type=sa.String(64))
    # What made the rule fire (the weeks, the review point, the concern id): dedup key.
    cause_key: str = Field(sa_type=sa.String(128))
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    status: str = Field(default="open", sa_type=sa.String(16))  # EscalationStatus
    level: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    last_alerted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="person.id")
    acknowledged_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    resolved_by_id: int | None = Field(default=None, foreign_key="person.id")
    resolved_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class EscalationTarget(SQLModel, table=True):
    """Where escalation alerts go at each level (a Slack channel or a Teams channel)."""

    __tablename__ = "escalation_target"
    __table_args__ = (sa.UniqueConstraint("level"),)

    id: int | None = Field(default=None, primary_key=True)
    level: int = 1
    platform: str = Field(sa_type=sa.String(16))
    workspace_id: str = Field(default="", sa_type=sa.String(64))
    channel_id: str = Field(sa_type=sa.String(128))
    conversation_reference: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    set_by_id: int | None = Field(default=None, foreign_key="person.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
