"""Targets set at the Weekly Development Meeting, and their reviews at the next ones.

A target is the trainee's: it is set at one placement's meeting and, while open, carried
forward (across placements too) until a review closes it. Its strand is stored as the
code of the programme's framework; labels are rendered when shown.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime, utcnow


class Target(SQLModel, table=True):
    """One short-term target (at most 3 open per trainee at a time)."""

    __tablename__ = "target"
    __table_args__ = (
        # Every sweep asks for open targets past their review date.
        sa.Index("ix_target_status_review_by", "status", "review_by"),
    )

    id: int | None = Field(default=None, primary_key=True)
    trainee_id: int = Field(foreign_key="person.id", index=True)
    placement_id: int = Field(foreign_key="placement.id", index=True)  # where it was set
    strand_code: str = Field(sa_type=sa.String(16))
    text: str = Field(sa_type=sa.Text)
    set_on: date
    review_by: date
    meeting_id: int | None = Field(default=None, foreign_key="weekly_meeting.id", index=True)
    set_by_id: int = Field(foreign_key="person.id")
    status: str = Field(default="open", sa_type=sa.String(16))  # TargetStatus
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class TargetReview(SQLModel, table=True):
    """A target reviewed at a weekly meeting: met / partly / not met, carried or closed."""

    __tablename__ = "target_review"
    __table_args__ = (sa.UniqueConstraint("target_id", "meeting_id"),)

    id: int | None = Field(default=None, primary_key=True)
    target_id: int = Field(foreign_key="target.id", index=True)
    # The placement of the meeting it was reviewed at (the trainee's, maybe a later one).
    placement_id: int = Field(foreign_key="placement.id", index=True)
    meeting_id: int = Field(foreign_key="weekly_meeting.id", index=True)
    outcome: str = Field(sa_type=sa.String(16))  # TargetOutcome
    decision: str = Field(sa_type=sa.String(16))  # TargetDecision
    reviewed_on: date
    reviewed_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
