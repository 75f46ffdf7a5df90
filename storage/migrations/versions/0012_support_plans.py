"""staged support plans: plans, their stages, SMART targets, reviews and each target's
outcome; the Individual Recovery Plans (recovery_plan) become plans, and that table goes

Which stage an IRP becomes: **cause for concern**. An IRP was opened by the ITT leadership
team from an escalation (never by the school) with one review date, and the ITT lead
stayed responsible for it: that is the cause-for-concern stage (the ITT lead leads it, a
further period with its own review), not the school's first support plan (led by the lead
mentor) nor the formal panel (a decision meeting, not a plan with targets). So each IRP
becomes a plan (same id, placement, escalation, who opened it, when, status and closing
time) with one stage `cause_for_concern` at position 2 (the support-plan stage before it
was never recorded), led by whoever opened the IRP, started the day it was opened, with
its review date and its support; its free-text targets become that stage's one target
(no strand: an IRP's targets were never tied to one). A closed IRP's stage ended the day
it was closed, with the outcome "close". An IRP had no acknowledgement: none is invented.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IRP_STAGE = "cause_for_concern"
IRP_POSITION = 2
TABLES = ("support_plan", "support_stage", "support_target")


def _placement_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["placement_id"], ["placement.id"])


def _create_tables() -> None:
    op.create_table(
        "support_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        _placement_fk(),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalation.id"]),
        sa.ForeignKeyConstraint(["opened_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["closed_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_support_plan_placement_id", "support_plan", ["placement_id"])
    op.create_index("ix_support_plan_escalation_id", "support_plan", ["escalation_id"])
    op.create_table(
        "support_stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("led_by_id", sa.Integer(), nullable=False),
        sa.Column("support", sa.Text(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["support_plan.id"]),
        _placement_fk(),
        sa.ForeignKeyConstraint(["led_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "position"),
    )
    for column in ("plan_id", "placement_id", "led_by_id"):
        op.create_index(f"ix_support_stage_{column}", "support_stage", [column])
    op.create_table(
        "support_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("strand_code", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["stage_id"], ["support_stage.id"]),
        _placement_fk(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stage_id", "position"),
    )
    for column in ("stage_id", "placement_id"):
        op.create_index(f"ix_support_target_{column}", "support_target", [column])
    op.create_table(
        "support_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("next_review_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["stage_id"], ["support_stage.id"]),
        _placement_fk(),
        sa.ForeignKeyConstraint(["by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stage_id", "due_on"),
    )
    for column in ("stage_id", "placement_id"):
        op.create_index(f"ix_support_review_{column}", "support_review", [column])
    op.create_table(
        "support_target_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["support_review.id"]),
        sa.ForeignKeyConstraint(["target_id"], ["support_target.id"]),
        _placement_fk(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "target_id"),
    )
    for column in ("review_id", "target_id", "placement_id"):
        op.create_index(f"ix_support_target_review_{column}", "support_target_review", [column])


def _day(column: str) -> str:
    """The UTC day of a stored timestamp (SQLite keeps them as text, PostgreSQL as UTC)."""
    if op.get_bind().dialect.name == "sqlite":
        return f"date({column})"
    return f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"


def _copy_recovery_plans() -> None:
    """Each IRP becomes a plan with one stage and one target, all with the IRP's id (so
    outbox keys already stored, "irp:<id>:…", still name the same plan)."""
    op.execute(
        "INSERT INTO support_plan (id, placement_id, escalation_id, opened_by_id, status,"
        " opened_at, closed_at, closed_by_id)"
        " SELECT id, placement_id, escalation_id, created_by_id, status, created_at,"
        " closed_at, NULL FROM recovery_plan"
    )
    op.execute(
        "INSERT INTO support_stage (id, plan_id, placement_id, stage, position, started_on,"
        " review_date, led_by_id, support, acknowledged_at, outcome, ended_on)"
        f" SELECT id, id, placement_id, '{IRP_STAGE}', {IRP_POSITION}, {_day('created_at')},"
        " review_date, created_by_id, support, NULL,"
        " CASE WHEN status = 'closed' THEN 'close' END,"
        f" CASE WHEN status = 'closed' THEN {_day('COALESCE(closed_at, created_at)')} END"
        " FROM recovery_plan"
    )
    op.execute(
        "INSERT INTO support_target (id, stage_id, placement_id, position, text, strand_code)"
        " SELECT id, id, placement_id, 1, targets, NULL FROM recovery_plan"
    )
    if op.get_bind().dialect.name == "postgresql":
        for name in TABLES:  # ids were given: the next one made must come after them
            op.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                f" COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
            )


def upgrade() -> None:
    _create_tables()
    _copy_recovery_plans()
    op.drop_table("recovery_plan")  # its indexes go with it


def downgrade() -> None:
    """Back to one IRP per plan: its latest stage's dates and support, its targets joined."""
    op.create_table(
        "recovery_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=True),
        sa.Column("targets", sa.Text(), nullable=False),
        sa.Column("support", sa.Text(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalation.id"]),
        _placement_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_recovery_plan_escalation_id", "recovery_plan", ["escalation_id"])
    op.create_index("ix_recovery_plan_placement_id", "recovery_plan", ["placement_id"])
    op.execute(
        "INSERT INTO recovery_plan (id, placement_id, escalation_id, targets, support,"
        " review_date, status, created_by_id, created_at, closed_at)"
        " SELECT p.id, p.placement_id, p.escalation_id,"
        " COALESCE((SELECT MIN(t.text) FROM support_target t WHERE t.stage_id = s.id), ''),"
        " s.support, s.review_date, p.status, p.opened_by_id, p.opened_at, p.closed_at"
        " FROM support_plan p JOIN support_stage s ON s.plan_id = p.id"
        " AND s.position = (SELECT MAX(position) FROM support_stage x WHERE x.plan_id = p.id)"
    )
    for name in (
        "support_target_review",
        "support_review",
        "support_target",
        "support_stage",
        "support_plan",
    ):
        op.drop_table(name)
