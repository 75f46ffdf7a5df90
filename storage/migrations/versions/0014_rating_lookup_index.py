"""ratings: an index for "the newest rating per placement and strand on a framework"

The lead mentors' digest grid, the IDP and the cohort report read the newest rating per
(placement, strand) on each framework for every trainee; with the rows in that order the
database walks the index instead of sorting every rating of the year (a fresh 30,000-
trainee deployment's first sweep: 9.7 -> 8.7 s on SQLite).

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_rag_rating_current",
        "rag_rating",
        ["scale", "placement_id", "item_code", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_rag_rating_current", table_name="rag_rating")
