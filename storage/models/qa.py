"""The lead mentor's short QA form at each review point (seeds/002: "Completing short QA
forms at each review point"); it feeds the School Summary Report."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime, utcnow


class ReviewPointQA(SQLModel, table=True):
    """One QA form per trainee per review point, recorded by a lead mentor (or ITT lead).

    evidence_checked holds the QaEvidence codes ticked, comma-separated in the enum's
    order (e.g. "weekly_meetings,ratings"); evidence_note is the short text beside them.
    """

    __tablename__ = "review_point_qa"
    __table_args__ = (
        # One form per trainee and review point: a second submission records nothing new.
        sa.UniqueConstraint("trainee_id", "review_point_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    trainee_id: int = Field(foreign_key="person.id", index=True)
    review_point_id: int = Field(foreign_key="review_point.id", index=True)
    lead_mentor_id: int = Field(foreign_key="person.id", index=True)
    evidence_checked: str = Field(default="", sa_type=sa.Text)
    evidence_note: str = Field(default="", sa_type=sa.Text)
    judgement_agreed: bool
    disagreement: str | None = Field(default=None, sa_type=sa.Text)
    actions: str = Field(default="", sa_type=sa.Text)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
