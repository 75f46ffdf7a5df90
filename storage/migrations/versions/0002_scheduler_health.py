"""scheduler health: the heartbeat every process and `mentorbot status` read

Also drops APScheduler's own job table: the timetable is now kept in memory (the tick is
added again at every start), so the table is no longer written or read.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduler_health",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_sweep_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sweep_by", sa.String(length=128), nullable=True),
        sa.Column("last_dispatch_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_stage", sa.String(length=16), nullable=True),
        sa.Column("last_failure_type", sa.String(length=128), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # Created by APScheduler itself (never by a migration), so it may not exist.
    op.execute("DROP TABLE IF EXISTS apscheduler_jobs")


def downgrade() -> None:
    # apscheduler_jobs is not recreated: APScheduler creates it when it needs it.
    op.drop_table("scheduler_health")
