"""The standards catalogues (Teachers' Standards; National Mentor Standards) as data."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class Standard(SQLModel, table=True):
    """A standard or one of its items; items point at their standard by `parent_code`."""

    __tablename__ = "standard"
    __table_args__ = (sa.UniqueConstraint("scale", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    scale: str = Field(sa_type=sa.String(32))  # storage.enums.Scale
    code: str = Field(sa_type=sa.String(16))
    parent_code: str | None = Field(default=None, sa_type=sa.String(16))
    title: str = Field(sa_type=sa.String(300))
    description: str = Field(default="", sa_type=sa.Text)
    position: int = 0
