"""The quality-assurance cycle: a tutor's visits, and the evaluations of mentor support
made at the end of a placement (seeds/003: trainees evaluate their mentor, tutors evaluate
mentor support against the mentor standards, schools evaluate the training they had)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime, utcnow


class TutorVisit(SQLModel, table=True):
    """A university visiting tutor's visit to a placement. Mentor support seen on the visit
    is a PlacementEvaluation of kind tutor_visit pointing here."""

    __tablename__ = "tutor_visit"

    id: int | None = Field(default=None, primary_key=True)
    placement_id: int = Field(foreign_key="placement.id", index=True)
    tutor_id: int = Field(foreign_key="person.id", index=True)
    visited_on: date
    seen: str = Field(default="", sa_type=sa.Text)  # what was seen
    issues: str = Field(default="", sa_type=sa.Text)  # issues raised ("" = none)
    # The concern raised with the visit, if the tutor raised one.
    concern_id: int | None = Field(default=None, foreign_key="concern.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class PlacementEvaluation(SQLModel, table=True):
    """One completed evaluation form. kind is storage.enums.EvaluationKind; mentor_id is the
    mentor evaluated (for mentor_of_training: the mentor who answered); answers are
    EvaluationAnswer rows. Once per placement, kind and respondent (visits: once per visit)."""

    __tablename__ = "placement_evaluation"
    __table_args__ = (
        sa.Index(
            "uq_placement_evaluation_once",
            "placement_id",
            "kind",
            "respondent_id",
            unique=True,
            sqlite_where=sa.text("tutor_visit_id IS NULL"),
            postgresql_where=sa.text("tutor_visit_id IS NULL"),
        ),
        sa.Index("ix_placement_evaluation_mentor_kind", "mentor_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    placement_id: int = Field(foreign_key="placement.id", index=True)
    kind: str = Field(sa_type=sa.String(24))
    respondent_id: int = Field(foreign_key="person.id", index=True)
    mentor_id: int = Field(foreign_key="person.id")
    school_id: int = Field(foreign_key="school.id", index=True)
    comment: str = Field(default="", sa_type=sa.Text)
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    tutor_visit_id: int | None = Field(
        default=None, foreign_key="tutor_visit.id", unique=True, ondelete="CASCADE"
    )


class EvaluationAnswer(SQLModel, table=True):
    """One statement answered: item_code is a mentor standard (MS1-MS4) or a training
    statement's code (TR1...); value is a storage.enums.Agreement code. respondent_id
    repeats the evaluation's, so a subject access export finds a person's own answers."""

    __tablename__ = "evaluation_answer"
    __table_args__ = (sa.UniqueConstraint("evaluation_id", "item_code"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="placement_evaluation.id", ondelete="CASCADE")
    respondent_id: int = Field(foreign_key="person.id", index=True)
    item_code: str = Field(sa_type=sa.String(16))
    value: str = Field(sa_type=sa.String(24))
