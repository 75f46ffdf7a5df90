"""schools' platforms, tenants, time zones and calendars: a tenant learned or confirmed,
and the days one school is closed when the others are not

Revision ID: 0008
Revises: 0007

Existing data: a Teams tenant id already on a school was put there on purpose, so it is
confirmed; a school with none learns it (unconfirmed) from the identities of the people
placed there, when they all share one tenant. A Slack school learns its team id the same
way. Plain SQL with scalar subqueries, the same on SQLite and PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LEARNED = """
SELECT MIN(pi.workspace_id) FROM platform_identity pi
JOIN placement p ON pi.person_id IN (p.trainee_id, p.mentor_id, p.lead_mentor_id)
WHERE p.school_id = school.id AND pi.platform = :platform AND pi.workspace_id <> ''
HAVING COUNT(DISTINCT pi.workspace_id) = 1
"""


def upgrade() -> None:
    # A plain ADD COLUMN (no table copy on SQLite: placements refer to the school table).
    op.add_column(
        "school",
        sa.Column("tenant_confirmed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "school_closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.CheckConstraint("end_date >= start_date", name="school_closure_dates_ordered"),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("school_id", "start_date"),
    )
    op.create_index("ix_school_closure_school_id", "school_closure", ["school_id"])
    op.execute(
        sa.text(
            "UPDATE school SET tenant_confirmed = :yes WHERE teams_tenant_id IS NOT NULL"
        ).bindparams(yes=True)
    )
    op.execute(
        sa.text(
            f"UPDATE school SET teams_tenant_id = ({_LEARNED}) "
            "WHERE platform = 'teams' AND teams_tenant_id IS NULL"
        ).bindparams(platform="teams")
    )
    op.execute(
        sa.text(
            f"UPDATE school SET slack_team_id = ({_LEARNED}) "
            "WHERE platform = 'slack' AND slack_team_id IS NULL"
        ).bindparams(platform="slack")
    )


def downgrade() -> None:
    op.drop_index("ix_school_closure_school_id", table_name="school_closure")
    op.drop_table("school_closure")
    op.drop_column("school", "tenant_confirmed")
