"""The trainee's evidence (IDP): weekly meetings, ratings, observations, self-evaluations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime, utcnow


class WeeklyMeeting(SQLModel, table=True):
    """One Weekly Development Meeting per placement and teaching week (week_start is a Monday)."""

    __tablename__ = "weekly_meeting"
    __table_args__ = (sa.UniqueConstraint("placement_id", "week_start"),)

    id: int | None = Field(default=None, primary_key=True)
    placement_id: int = Field(foreign_key="placement.id", index=True)
    week_start: date = Field(index=True)
    status: str = Field(default="pending", sa_type=sa.String(16))  # MeetingStatus
    held_on: date | None = None
    duration_minutes: int | None = None
    progress_discussed: str | None = Field(default=None, sa_type=sa.Text)
    targets: str | None = Field(default=None, sa_type=sa.Text)
    wellbeing: str | None = Field(default=None, sa_type=sa.String(8))  # Rag
    notes: str | None = Field(default=None, sa_type=sa.Text)
    rescheduled_to: date | None = None
    reason_not_held: str | None = Field(default=None, sa_type=sa.Text)
    signed_off_by_id: int | None = Field(default=None, foreign_key="person.id")
    signed_off_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    trainee_response: str | None = Field(default=None, sa_type=sa.String(16))
    trainee_comment: str | None = Field(default=None, sa_type=sa.Text)
    trainee_responded_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class MentorSelfEvaluation(SQLModel, table=True):
    """Strengths, targets and actions against one National Mentor Standard."""

    __tablename__ = "mentor_self_evaluation"

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="person.id", index=True)
    standard_code: str = Field(sa_type=sa.String(16))
    strengths: str = Field(default="", sa_type=sa.Text)
    targets: str = Field(default="", sa_type=sa.Text)
    actions: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class Observation(SQLModel, table=True):
    """Lesson observation feedback; standards evidenced are RagRatings pointing here."""

    __tablename__ = "observation"

    id: int | None = Field(default=None, primary_key=True)
    placement_id: int = Field(foreign_key="placement.id", index=True)
    observer_id: int = Field(foreign_key="person.id", index=True)
    observed_on: date
    lesson: str = Field(sa_type=sa.String(300))
    focus: str = Field(default="", sa_type=sa.Text)
    strengths: str = Field(default="", sa_type=sa.Text)
    areas_for_development: str = Field(default="", sa_type=sa.Text)
    targets: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class RagRating(SQLModel, table=True):
    """One judgement on a scale (Red/Amber/Green, or a framework's own). Never updated: a new judgement is a new row."""

    __tablename__ = "rag_rating"
    __table_args__ = (
        sa.Index("ix_rag_rating_subject_scale", "subject_id", "scale", "item_code"),
        # The sweeps ask "rated at this review point?" and "latest per item" for everyone.
        sa.Index(
            "ix_rag_rating_placement_point_item", "placement_id", "review_point_id", "item_code"
        ),
        # The newest rating per placement and strand on a framework (digest, IDP, reports),
        # answered from the index alone (the value is in it).
        sa.Index(
            "ix_rag_rating_current",
            "scale",
            "placement_id",
            "item_code",
            "created_at",
            "id",
            "rating",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # A Scale of the mentor standards or wellbeing, or an assessment framework's code.
    scale: str = Field(sa_type=sa.String(32))
    item_code: str = Field(sa_type=sa.String(16))
    rating: str = Field(sa_type=sa.String(32))  # Rag, or a framework's scale value code
    comment: str = Field(default="", sa_type=sa.Text)
    targets: str = Field(default="", sa_type=sa.Text)
    # Who is rated: the trainee (their framework) or the mentor (self-evaluation).
    subject_id: int = Field(foreign_key="person.id")
    rater_id: int = Field(foreign_key="person.id", index=True)
    placement_id: int | None = Field(default=None, foreign_key="placement.id", index=True)
    review_point_id: int | None = Field(default=None, foreign_key="review_point.id", index=True)
    observation_id: int | None = Field(default=None, foreign_key="observation.id", index=True)
    self_evaluation_id: int | None = Field(
        default=None, foreign_key="mentor_self_evaluation.id", index=True
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class FormDraft(SQLModel, table=True):
    """A half-finished multi-step form, kept so that nothing typed is lost."""

    __tablename__ = "form_draft"
    __table_args__ = (sa.UniqueConstraint("owner_id", "form_key"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="person.id", index=True)
    form_key: str = Field(sa_type=sa.String(128))
    values: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
