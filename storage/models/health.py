"""The scheduler's heartbeat: when it last swept and dispatched, and how it last failed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime, utcnow


class SchedulerHealth(SQLModel, table=True):
    """One row for the whole deployment (id 1), so that every process, the web server's
    health check and `mentorbot status` see the same heartbeat, whichever process ticks.

    Failures are kept as the exception's type only: a message could quote personal data.
    """

    __tablename__ = "scheduler_health"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_sweep_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # The instance (host:pid) that last swept, i.e. the leader as far as anyone can tell.
    last_sweep_by: str | None = Field(default=None, sa_type=sa.String(128))
    last_dispatch_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_failure_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_failure_stage: str | None = Field(default=None, sa_type=sa.String(16))
    last_failure_type: str | None = Field(default=None, sa_type=sa.String(128))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class ChangeStamp(SQLModel, table=True):
    """A counter the database itself moves on whenever what it names changes (triggers,
    revision 0016), so a process can keep what it read and ask one row whether it is still
    right. `roster`: placements, people's names, schools, programmes, calendars, closures
    and review points: what every sweep starts from, and which changes a few times a term.
    """

    __tablename__ = "change_stamp"

    name: str = Field(primary_key=True, sa_type=sa.String(32))
    version: int = Field(default=0, sa_type=sa.BigInteger)
