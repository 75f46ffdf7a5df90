"""Schools, people, their roles and how each is reached on a chat platform."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime, utcnow


class School(SQLModel, table=True):
    __tablename__ = "school"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(200), unique=True)
    platform: str = Field(sa_type=sa.String(16))  # storage.enums.Platform
    timezone: str = Field(default="Europe/London", sa_type=sa.String(64))
    # The school's own Slack workspace or Microsoft 365 tenant (schools CSV, or learned).
    slack_team_id: str | None = Field(default=None, sa_type=sa.String(32))
    teams_tenant_id: str | None = Field(default=None, sa_type=sa.String(64))
    # False while the tenant id was only learned from a first Teams activity: shown by
    # `mentorbot reach` for the office to confirm (schools CSV or `mentorbot school confirm`).
    tenant_confirmed: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class SchoolClosure(SQLModel, table=True):
    """A day (or days) one school is closed and the others are not: its own INSET day."""

    __tablename__ = "school_closure"
    __table_args__ = (
        sa.UniqueConstraint("school_id", "start_date"),
        sa.CheckConstraint("end_date >= start_date", name="school_closure_dates_ordered"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True, ondelete="CASCADE")
    start_date: date
    end_date: date


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    # Always stored lower-cased: the roster's natural key.
    email: str = Field(sa_type=sa.String(254), unique=True)
    full_name: str = Field(sa_type=sa.String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class PersonRole(SQLModel, table=True):
    __tablename__ = "person_role"
    __table_args__ = (sa.UniqueConstraint("person_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    role: str = Field(sa_type=sa.String(16))  # storage.enums.Role


class PlatformIdentity(SQLModel, table=True):
    """A person's account on one platform, and where to reach them proactively."""

    __tablename__ = "platform_identity"
    __table_args__ = (sa.UniqueConstraint("platform", "workspace_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    platform: str = Field(sa_type=sa.String(16))
    # Slack team id or Teams tenant id.
    workspace_id: str = Field(default="", sa_type=sa.String(64))
    # Slack user id or Teams AAD object id.
    external_id: str = Field(sa_type=sa.String(128))
    # Slack: the DM channel id; Teams: the serialised ConversationReference.
    conversation_reference: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
