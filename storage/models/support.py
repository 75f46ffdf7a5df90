"""Staged support plans: a trainee not on track moves through stages (support plan, cause
for concern, panel: the policy's), each with up to three SMART targets, a review date, the
person who leads it, the trainee's acknowledgement and the outcome of each review.

Every row carries its placement id, so that retention, erasure and the subject access
export find a plan's rows the way they find every other record of a placement.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime, utcnow

MAX_TARGETS = 3  # per stage: "at most 3 SMART targets"


class SupportPlan(SQLModel, table=True):
    __tablename__ = "support_plan"

    id: int | None = Field(default=None, primary_key=True)
    placement_id: int = Field(foreign_key="placement.id", index=True)
    # The escalation it was opened from; None when opened directly.
    escalation_id: int | None = Field(default=None, foreign_key="escalation.id", index=True)
    opened_by_id: int = Field(foreign_key="person.id")
    status: str = Field(default="open", sa_type=sa.String(16))  # SupportPlanStatus
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    closed_by_id: int | None = Field(default=None, foreign_key="person.id")


class SupportStage(SQLModel, table=True):
    """One stage of a plan; the open stage is the one without `ended_on`."""

    __tablename__ = "support_stage"
    __table_args__ = (sa.UniqueConstraint("plan_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="support_plan.id", index=True)
    placement_id: int = Field(foreign_key="placement.id", index=True)
    stage: str = Field(sa_type=sa.String(32))  # a stage code of the policy
    position: int = 1  # 1 for the plan's first stage, 2 for the next…
    started_on: date
    review_date: date
    led_by_id: int = Field(foreign_key="person.id", index=True)
    support: str = Field(default="", sa_type=sa.Text)  # the support to be given
    acknowledged_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    outcome: str | None = Field(default=None, sa_type=sa.String(16))  # SupportDecision
    ended_on: date | None = None


class SupportTarget(SQLModel, table=True):
    __tablename__ = "support_target"
    __table_args__ = (sa.UniqueConstraint("stage_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(foreign_key="support_stage.id", index=True)
    placement_id: int = Field(foreign_key="placement.id", index=True)
    position: int = 1  # 1 to MAX_TARGETS
    text: str = Field(sa_type=sa.Text)  # the SMART target
    strand_code: str | None = Field(default=None, sa_type=sa.String(32))


class SupportReview(SQLModel, table=True):
    """A stage reviewed: the decision, once per review date (`due_on`)."""

    __tablename__ = "support_review"
    __table_args__ = (sa.UniqueConstraint("stage_id", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(foreign_key="support_stage.id", index=True)
    placement_id: int = Field(foreign_key="placement.id", index=True)
    due_on: date  # the review date this review answers
    reviewed_on: date
    decision: str = Field(sa_type=sa.String(16))  # SupportDecision
    next_review_date: date | None = None  # extend: the new date; next: the next stage's
    note: str = Field(default="", sa_type=sa.Text)
    by_id: int = Field(foreign_key="person.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class SupportTargetReview(SQLModel, table=True):
    """One target's outcome at one review."""

    __tablename__ = "support_target_review"
    __table_args__ = (sa.UniqueConstraint("review_id", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="support_review.id", index=True)
    target_id: int = Field(foreign_key="support_target.id", index=True)
    placement_id: int = Field(foreign_key="placement.id", index=True)
    met: bool
