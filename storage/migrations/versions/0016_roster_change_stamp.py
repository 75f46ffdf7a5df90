"""change_stamp: a counter the database moves on when the roster changes

The scheduler sweeps every minute from the same picture: every active placement with its
names, school and programme, the calendars, the closures and the review points. That
picture changes a few times a term (an import, an erasure), so the sweep keeps it and
asks this one row whether it is still right. Triggers, not the application, move the
counter on, so no writer can forget: an import, an admin's SQL, a restore.

On PostgreSQL the triggers fire once per statement (an import of 30,000 rows moves it
once); SQLite has only row triggers. A person's row is watched only for their name (the
platform links and last-seen columns change all day and are not in the picture), a
school's only for its name, platform and time zone.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> the columns whose update matters (None: any update).
WATCHED: dict[str, tuple[str, ...] | None] = {
    "placement": None,
    "person": ("full_name",),
    "school": ("name", "platform", "timezone"),
    "school_closure": None,
    "programme": None,
    "calendar_entry": None,
    "review_point": None,
}
BUMP = "UPDATE change_stamp SET version = version + 1 WHERE name = 'roster'"


def upgrade() -> None:
    op.create_table(
        "change_stamp",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.execute("INSERT INTO change_stamp (name, version) VALUES ('roster', 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION mentorbot_roster_changed() RETURNS trigger AS $$ "
            f"BEGIN {BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        for table, columns in WATCHED.items():
            update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
            op.execute(
                f"CREATE TRIGGER {table}_roster_changed AFTER INSERT OR {update} OR DELETE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION mentorbot_roster_changed()"
            )
        return
    for table, columns in WATCHED.items():
        update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
        for event in ("INSERT", update, "DELETE"):
            name = f"{table}_roster_{event.split()[0].lower()}"
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER {table}_roster_changed ON {table}")
        op.execute("DROP FUNCTION mentorbot_roster_changed()")
    else:
        for table in WATCHED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_roster_{event}")
    op.drop_table("change_stamp")
