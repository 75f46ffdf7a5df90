"""assessment frameworks as data: a programme is rated on its framework's strands and scale

Revision ID: 0010
Revises: 0009

Every existing programme is put on the Teachers' Standards framework, whose code is the
scale every earlier rating was stored under, so no stored rating changes meaning.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.shipped_frameworks import DEFAULT_FRAMEWORK, SHIPPED

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _create_tables()
    _seed_shipped()
    sqlite = op.get_bind().dialect.name == "sqlite"
    # A plain ADD COLUMN (no table copy on SQLite: placements and calendars refer to it).
    if sqlite:
        columns = sa.inspect(op.get_bind()).get_columns("programme")
        if not any(c["name"] == "framework_id" for c in columns):  # kept by a downgrade
            op.execute(
                "ALTER TABLE programme ADD COLUMN framework_id INTEGER "
                "REFERENCES assessment_framework (id)"
            )
    else:
        op.add_column("programme", sa.Column("framework_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_programme_framework_id",
            "programme",
            "assessment_framework",
            ["framework_id"],
            ["id"],
        )
    bind = op.get_bind()
    default_id = bind.execute(
        sa.text("SELECT id FROM assessment_framework WHERE code = :code"),
        {"code": DEFAULT_FRAMEWORK},
    ).scalar_one()
    op.execute(sa.text("UPDATE programme SET framework_id = :id").bindparams(id=default_id))
    # Scale value codes of a provider's own scale are longer than "amber". SQLite does not
    # enforce a VARCHAR's length, so only PostgreSQL's column changes (no table copy).
    if not sqlite:
        op.alter_column("rag_rating", "rating", existing_type=sa.String(8), type_=sa.String(32))


def _create_tables() -> None:
    op.create_table(
        "assessment_framework",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "framework_strand",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["framework_id"], ["assessment_framework.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("framework_id", "code"),
    )
    op.create_index("ix_framework_strand_framework_id", "framework_strand", ["framework_id"])
    op.create_table(
        "scale_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("meaning", sa.String(length=300), nullable=False),
        sa.Column("symbol", sa.String(length=8), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("off_track", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["framework_id"], ["assessment_framework.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("framework_id", "code"),
    )
    op.create_index("ix_scale_value_framework_id", "scale_value", ["framework_id"])


def _seed_shipped() -> None:
    # The shipped frameworks as they are at this revision; later wording changes arrive as
    # revisions of their own, so an old database never changes silently.
    framework = sa.table(
        "assessment_framework",
        sa.column("id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("description", sa.Text),
    )
    strand = sa.table(
        "framework_strand",
        *(sa.column(c) for c in ("framework_id", "code", "title", "area", "description")),
        sa.column("position", sa.Integer),
    )
    value = sa.table(
        "scale_value",
        *(sa.column(c) for c in ("framework_id", "code", "label", "meaning", "symbol")),
        sa.column("position", sa.Integer),
        sa.column("off_track", sa.Boolean),
    )
    bind = op.get_bind()
    for spec in SHIPPED:
        bind.execute(
            framework.insert().values(code=spec.code, name=spec.name, description=spec.description)
        )
        fid = bind.execute(
            sa.select(framework.c.id).where(framework.c.code == spec.code)
        ).scalar_one()
        op.bulk_insert(
            strand,
            [
                {
                    "framework_id": fid,
                    "code": s.code,
                    "title": s.title,
                    "area": s.area,
                    "description": s.description,
                    "position": position,
                }
                for position, s in enumerate(spec.strands)
            ],
        )
        op.bulk_insert(
            value,
            [
                {
                    "framework_id": fid,
                    "code": v.code,
                    "label": v.label,
                    "meaning": v.meaning,
                    "symbol": v.symbol,
                    "position": position,
                    "off_track": v.off_track,
                }
                for position, v in enumerate(spec.values)
            ],
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column that refers to another table without copying the
        # programme table, which placements refer to: it stays, empty and unread.
        op.execute("UPDATE programme SET framework_id = NULL")
    else:
        op.alter_column("rag_rating", "rating", existing_type=sa.String(32), type_=sa.String(8))
        op.drop_constraint("fk_programme_framework_id", "programme", type_="foreignkey")
        op.drop_column("programme", "framework_id")
    op.drop_index("ix_scale_value_framework_id", table_name="scale_value")
    op.drop_table("scale_value")
    op.drop_index("ix_framework_strand_framework_id", table_name="framework_strand")
    op.drop_table("framework_strand")
    op.drop_table("assessment_framework")
