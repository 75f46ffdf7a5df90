"""parked interactions: what people typed is handled before bare button presses

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("parked_interaction") as batch:
        batch.add_column(
            sa.Column("priority", sa.SmallInteger(), nullable=False, server_default="0")
        )
    # Presses parked before this revision go behind what people typed, as new ones do.
    parked = sa.table("parked_interaction", sa.column("priority"), sa.column("interaction"))
    is_press = sa.cast(parked.c.interaction, sa.Text).like('%"kind": "press"%')
    op.execute(parked.update().where(is_press).values(priority=1))
    op.create_index("ix_parked_order", "parked_interaction", ["priority", "id"])


def downgrade() -> None:
    op.drop_index("ix_parked_order", table_name="parked_interaction")
    with op.batch_alter_table("parked_interaction") as batch:
        batch.drop_column("priority")
