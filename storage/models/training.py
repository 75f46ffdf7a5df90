"""Mentor training a mentor logged (the National Standards expect mentors to keep
developing as mentors; the partnership office reports it in quality assurance)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime, utcnow


class MentorTraining(SQLModel, table=True):
    """One piece of mentor training attended: when, how long, by whom, on what."""

    __tablename__ = "mentor_training"

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="person.id", index=True)
    attended_on: date
    minutes: int
    provider: str = Field(sa_type=sa.String(200))
    topic: str = Field(sa_type=sa.String(300))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
