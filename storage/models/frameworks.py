"""Assessment frameworks as data: what a programme's trainees are rated on at review points
(the strands or standards) and on what scale (its values, their meanings and symbols, which
of them count as off track).

A rating (`rag_rating`) stores the framework's `code` as its `scale`, the strand's code as
its `item_code` and the scale value's code as its `rating`: codes, never labels.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class AssessmentFramework(SQLModel, table=True):
    __tablename__ = "assessment_framework"

    id: int | None = Field(default=None, primary_key=True)
    # Stored on ratings as their scale; "teachers_standards" is the shipped default.
    code: str = Field(sa_type=sa.String(32), unique=True)
    name: str = Field(sa_type=sa.String(200))
    description: str = Field(default="", sa_type=sa.Text)


class FrameworkStrand(SQLModel, table=True):
    """A strand (or standard) rated at review points, in the order it is shown."""

    __tablename__ = "framework_strand"
    __table_args__ = (sa.UniqueConstraint("framework_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="assessment_framework.id", index=True)
    code: str = Field(sa_type=sa.String(16))
    title: str = Field(sa_type=sa.String(300))
    area: str = Field(default="", sa_type=sa.String(200))  # an optional group heading
    description: str = Field(default="", sa_type=sa.Text)
    position: int = 0


class ScaleValue(SQLModel, table=True):
    """One value of a framework's scale: shown as its symbol and label, never colour alone."""

    __tablename__ = "scale_value"
    __table_args__ = (sa.UniqueConstraint("framework_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="assessment_framework.id", index=True)
    code: str = Field(sa_type=sa.String(32))
    label: str = Field(sa_type=sa.String(60))
    meaning: str = Field(default="", sa_type=sa.String(300))
    symbol: str = Field(sa_type=sa.String(8))
    position: int = 0
    off_track: bool = False
