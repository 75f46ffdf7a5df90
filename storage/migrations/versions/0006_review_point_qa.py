"""the lead mentor's review-point QA form: evidence checked, judgement agreed or not, actions

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_point_qa",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("review_point_id", sa.Integer(), nullable=False),
        sa.Column("lead_mentor_id", sa.Integer(), nullable=False),
        sa.Column("evidence_checked", sa.Text(), nullable=False),
        sa.Column("evidence_note", sa.Text(), nullable=False),
        sa.Column("judgement_agreed", sa.Boolean(), nullable=False),
        sa.Column("disagreement", sa.Text(), nullable=True),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["trainee_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["review_point_id"], ["review_point.id"]),
        sa.ForeignKeyConstraint(["lead_mentor_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trainee_id", "review_point_id"),
    )
    op.create_index("ix_review_point_qa_trainee_id", "review_point_qa", ["trainee_id"])
    op.create_index("ix_review_point_qa_review_point_id", "review_point_qa", ["review_point_id"])
    op.create_index("ix_review_point_qa_lead_mentor_id", "review_point_qa", ["lead_mentor_id"])


def downgrade() -> None:
    op.drop_index("ix_review_point_qa_lead_mentor_id", table_name="review_point_qa")
    op.drop_index("ix_review_point_qa_review_point_id", table_name="review_point_qa")
    op.drop_index("ix_review_point_qa_trainee_id", table_name="review_point_qa")
    op.drop_table("review_point_qa")
