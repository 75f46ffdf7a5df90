"""Queuing outbox rows by the thousand (a first sweep: tens of thousands at once).

On PostgreSQL the rows go as one array per column through `unnest`, a statement per few
thousand rows: the generic multi-row INSERT sent and bound nine parameters per row, which
was half of a first sweep's time there. On SQLite (in process, no round trips) the
generic INSERT is as quick. Either way a key already queued is skipped, and the count is
of the rows really inserted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import json_text
from storage.models import OutboxMessage
from storage.repo.upsert import insert_ignore

PG_CHUNK = 5000
SQLITE_CHUNK = 200

_UNNEST = text(
    """
    INSERT INTO outbox_message (key, kind, recipient_id, escalation_level, payload, status,
                                attempts, next_attempt_at, created_at)
    SELECT k, kd, r, lv, CAST(p AS json), st, 0, n, c
    FROM unnest(
        CAST(:keys AS varchar[]), CAST(:kinds AS varchar[]), CAST(:recipients AS integer[]),
        CAST(:levels AS integer[]), CAST(:payloads AS text[]), CAST(:statuses AS varchar[]),
        CAST(:next_at AS timestamptz[]), CAST(:created AS timestamptz[])
    ) AS t(k, kd, r, lv, p, st, n, c)
    ON CONFLICT (key) DO NOTHING
    RETURNING id
    """
)


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


async def queue_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Insert outbox rows (key, kind, recipient_id, escalation_level, payload, status,
    next_attempt_at, created_at; attempts start at 0) whose key is new; how many were."""
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    inserted = 0
    if dialect != "postgresql":
        for chunk in _chunks(rows, SQLITE_CHUNK):
            inserted += await insert_ignore(session, OutboxMessage, chunk, conflict=["key"])
        return inserted
    await session.flush()
    connection = await session.connection()
    for chunk in _chunks(rows, PG_CHUNK):
        params = {
            "keys": [r["key"] for r in chunk],
            "kinds": [r["kind"] for r in chunk],
            "recipients": [r.get("recipient_id") for r in chunk],
            "levels": [r.get("escalation_level") for r in chunk],
            "payloads": [json_text(r["payload"]) for r in chunk],
            "statuses": [r.get("status", "pending") for r in chunk],
            "next_at": [r["next_attempt_at"] for r in chunk],
            "created": [r["created_at"] for r in chunk],
        }
        inserted += len((await connection.execute(_UNNEST, params)).all())
    return inserted
