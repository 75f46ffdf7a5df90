"""The end-of-placement evaluations' part of the policy: when to remind and how often."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class EvaluationPolicy(BaseModel):
    """Asked on the placement's end day (school-local, a school day, in working hours);
    reminded every `reminder_school_days` school days after it while unanswered, at most
    `max_reminders` times. Nothing is asked `ask_within_days` days after the end."""

    model_config = ConfigDict(extra="forbid")

    reminder_school_days: int = Field(
        3, ge=1, le=20, description="school days after the ask (and each reminder) to remind"
    )
    max_reminders: int = Field(2, ge=0, le=5, description="reminders at most, after the ask")
    ask_within_days: int = Field(
        30, ge=1, le=60, description="days after the end a placement's evaluations are asked"
    )
