"""escalation evidence as data: ids, codes and dates instead of English labels

Earlier versions stored an escalation's evidence as {translated label: rendered text},
which cannot be shown in another language. The cause key of every rule names exactly
what the evidence described (the weeks; the review point; the concern), so each row is
rebuilt from it and from the rows it names.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

escalation = sa.table(
    "escalation",
    sa.column("id", sa.Integer),
    sa.column("rule", sa.String),
    sa.column("cause_key", sa.String),
    sa.column("evidence", sa.JSON),
)


def _as_data(conn: sa.Connection, rule: str, cause: str, old: dict[str, Any]) -> dict[str, Any]:
    if rule == "missed_meetings":
        return {"weeks": [w for w in cause.split(",") if w]}
    if rule in ("red_rating", "missing_ratings") and cause.startswith("rp:"):
        rp_id = int(cause[3:])
        name = conn.execute(
            sa.text("SELECT name FROM review_point WHERE id = :id"), {"id": rp_id}
        ).scalar()
        data: dict[str, Any] = {"review_point_id": rp_id, "review_point": name or ""}
        if rule == "red_rating":
            shown = next(iter(old.values()), "") if old else ""
            data["items"] = [i.strip() for i in str(shown).split(",") if i.strip()]
        return data
    if rule == "concern" and cause.startswith("concern:"):
        concern_id = int(cause[8:])
        category = conn.execute(
            sa.text("SELECT category FROM concern WHERE id = :id"), {"id": concern_id}
        ).scalar()
        return {"concern_id": concern_id, "category": category or "progress"}
    return old


def _is_data(evidence: dict[str, Any]) -> bool:
    return any(k in evidence for k in ("weeks", "review_point_id", "concern_id"))


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(escalation.c.id, escalation.c.rule, escalation.c.cause_key, escalation.c.evidence)
    ).all()
    for row in rows:
        old = dict(row.evidence or {})
        if _is_data(old):
            continue
        conn.execute(
            escalation.update()
            .where(escalation.c.id == row.id)
            .values(evidence=_as_data(conn, row.rule, row.cause_key, old))
        )


def downgrade() -> None:
    # The labels are rendered from the data when shown; there is nothing to put back.
    pass
