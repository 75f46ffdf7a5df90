"""targets as records: a target (strand, text, review date, status) and its reviews

Existing free text (weekly_meeting.targets, observation and rating targets) stays where it
is, as history; targets set from now on are rows of their own.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("strand_code", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("set_on", sa.Date(), nullable=False),
        sa.Column("review_by", sa.Date(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["trainee_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["weekly_meeting.id"]),
        sa.ForeignKeyConstraint(["set_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_target_trainee_id", "target", ["trainee_id"])
    op.create_index("ix_target_placement_id", "target", ["placement_id"])
    op.create_index("ix_target_meeting_id", "target", ["meeting_id"])
    op.create_index("ix_target_status_review_by", "target", ["status", "review_by"])
    op.create_table(
        "target_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["target_id"], ["target.id"]),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["weekly_meeting.id"]),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("target_id", "meeting_id"),
    )
    op.create_index("ix_target_review_target_id", "target_review", ["target_id"])
    op.create_index("ix_target_review_placement_id", "target_review", ["placement_id"])
    op.create_index("ix_target_review_meeting_id", "target_review", ["meeting_id"])


def downgrade() -> None:
    for name in ("meeting_id", "placement_id", "target_id"):
        op.drop_index(f"ix_target_review_{name}", table_name="target_review")
    op.drop_table("target_review")
    for name in ("status_review_by", "meeting_id", "placement_id", "trainee_id"):
        op.drop_index(f"ix_target_{name}", table_name="target")
    op.drop_table("target")
