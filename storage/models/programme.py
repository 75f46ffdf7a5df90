"""Programmes, their calendars and review points, and trainee placements."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class Programme(SQLModel, table=True):
    __tablename__ = "programme"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(200), unique=True)
    # The framework its trainees are rated on; None reads as the default (Teachers' Standards).
    framework_id: int | None = Field(default=None, foreign_key="assessment_framework.id")


class Placement(SQLModel, table=True):
    """A trainee placed with a mentor at a school for a span of the programme."""

    __tablename__ = "placement"
    __table_args__ = (
        sa.UniqueConstraint("trainee_id", "programme_id", "start_date"),
        sa.CheckConstraint("end_date >= start_date", name="placement_dates_ordered"),
    )

    id: int | None = Field(default=None, primary_key=True)
    trainee_id: int = Field(foreign_key="person.id", index=True)
    mentor_id: int = Field(foreign_key="person.id", index=True)
    lead_mentor_id: int = Field(foreign_key="person.id", index=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    start_date: date
    end_date: date
    # The university visiting tutor linked to the placement (optional placements column).
    tutor_id: int | None = Field(default=None, foreign_key="person.id", index=True)


class CalendarEntry(SQLModel, table=True):
    """A term, a holiday or an INSET day of a programme (review points have their own table)."""

    __tablename__ = "calendar_entry"
    __table_args__ = (
        sa.UniqueConstraint("programme_id", "kind", "name"),
        sa.CheckConstraint("end_date >= start_date", name="calendar_dates_ordered"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    kind: str = Field(sa_type=sa.String(16))  # storage.enums.CalendarKind
    name: str = Field(sa_type=sa.String(200))
    start_date: date
    end_date: date


class ReviewPoint(SQLModel, table=True):
    """A point in the programme when mentors rate trainees against its assessment framework."""

    __tablename__ = "review_point"
    __table_args__ = (
        sa.UniqueConstraint("programme_id", "name"),
        sa.CheckConstraint("end_date >= start_date", name="review_point_dates_ordered"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    name: str = Field(sa_type=sa.String(200))
    start_date: date
    end_date: date
