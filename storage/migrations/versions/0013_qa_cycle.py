"""the quality-assurance cycle: a tutor on each placement, tutors' visits, and the
end-of-placement evaluations of mentor support with their answers

Revision ID: 0013
Revises: 0012

placement.tutor_id is a plain ADD COLUMN on both databases (no table copy on SQLite:
many tables refer to placement); SQLite keeps the REFERENCES clause written inline.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _placement_tutor()
    op.create_table(
        "tutor_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("tutor_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("seen", sa.Text(), nullable=False),
        sa.Column("issues", sa.Text(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.ForeignKeyConstraint(["tutor_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["concern_id"], ["concern.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("placement_id", "tutor_id", "concern_id"):
        op.create_index(f"ix_tutor_visit_{column}", "tutor_visit", [column])
    op.create_table(
        "placement_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tutor_visit_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.ForeignKeyConstraint(["respondent_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["mentor_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"]),
        sa.ForeignKeyConstraint(["tutor_visit_id"], ["tutor_visit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tutor_visit_id"),
    )
    for column in ("placement_id", "respondent_id", "school_id"):
        op.create_index(f"ix_placement_evaluation_{column}", "placement_evaluation", [column])
    op.create_index(
        "ix_placement_evaluation_mentor_kind", "placement_evaluation", ["mentor_id", "kind"]
    )
    # Once per placement, kind and respondent; a tutor's visits are each their own.
    op.create_index(
        "uq_placement_evaluation_once",
        "placement_evaluation",
        ["placement_id", "kind", "respondent_id"],
        unique=True,
        sqlite_where=sa.text("tutor_visit_id IS NULL"),
        postgresql_where=sa.text("tutor_visit_id IS NULL"),
    )
    op.create_table(
        "evaluation_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(["evaluation_id"], ["placement_evaluation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["respondent_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluation_id", "item_code"),
    )
    op.create_index("ix_evaluation_answer_respondent_id", "evaluation_answer", ["respondent_id"])


def _placement_tutor() -> None:
    column = sa.Column("tutor_id", sa.Integer(), nullable=True)
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot add a constraint later; it takes the reference with the column. A
        # database downgraded from here still has the (emptied) column: see downgrade.
        if not _has_column("placement", "tutor_id"):
            op.execute("ALTER TABLE placement ADD COLUMN tutor_id INTEGER REFERENCES person (id)")
    else:
        op.add_column("placement", column)
        op.create_foreign_key(
            "placement_tutor_id_fkey", "placement", "person", ["tutor_id"], ["id"]
        )
    op.create_index("ix_placement_tutor_id", "placement", ["tutor_id"])


def downgrade() -> None:
    op.drop_index("ix_evaluation_answer_respondent_id", table_name="evaluation_answer")
    op.drop_table("evaluation_answer")
    op.drop_index("uq_placement_evaluation_once", table_name="placement_evaluation")
    op.drop_index("ix_placement_evaluation_mentor_kind", table_name="placement_evaluation")
    for column in ("placement_id", "respondent_id", "school_id"):
        op.drop_index(f"ix_placement_evaluation_{column}", table_name="placement_evaluation")
    op.drop_table("placement_evaluation")
    for column in ("placement_id", "tutor_id", "concern_id"):
        op.drop_index(f"ix_tutor_visit_{column}", table_name="tutor_visit")
    op.drop_table("tutor_visit")
    op.drop_index("ix_placement_tutor_id", table_name="placement")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite drops a column that refers to another table only by copying the table,
        # which placements' many dependants make fail with foreign keys on (and those can
        # be switched off only outside a transaction): the column stays, emptied and
        # unread, and the upgrade takes it back as it is.
        op.execute("UPDATE placement SET tutor_id = NULL")
    else:
        with op.batch_alter_table("placement") as batch:
            batch.drop_constraint("placement_tutor_id_fkey", type_="foreignkey")
            batch.drop_column("tutor_id")


def _has_column(table: str, column: str) -> bool:
    return any(c["name"] == column for c in sa.inspect(op.get_bind()).get_columns(table))
