"""A sweep queues its rows in bulk (storage/repo/outbox_bulk.py: one array per column on
PostgreSQL): each key once, every column as given, and the count is of what was new."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from handlers.codec import BUILT_WHEN_SENT
from storage.models import OutboxMessage
from storage.repo import outbox_bulk
from tests.factories import build_world

NOW = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 9, 9, 30, 15, 123456, tzinfo=UTC)


def _row(key: str, **extra: object) -> dict[str, object]:
    return {
        "key": key,
        "kind": "weekly_prompt",
        "recipient_id": None,
        "escalation_level": None,
        "payload": BUILT_WHEN_SENT,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": NOW,
        "created_at": NOW,
        **extra,
    }


async def test_rows_are_queued_once_per_key_with_every_column_kept(sessions):
    w = await build_world(sessions)
    first = [
        _row("weekly:1:2026-11-09", recipient_id=w.mentor_id),
        _row("alert:1:1", kind="escalation_alert", escalation_level=2, next_attempt_at=LATER),
        _row("weekly-reminder:1:2026-11-09", status="cancelled", payload={}),
        _row("digest:3:2026-11-09", payload={"text": "Ünïcode ✔", "blocks": []}),
    ]
    async with sessions() as s, s.begin():
        assert await outbox_bulk.queue_rows(s, first) == 4
    again = [first[0], _row("weekly:2:2026-11-09", recipient_id=w.other_mentor_id)]
    async with sessions() as s, s.begin():
        assert await outbox_bulk.queue_rows(s, again) == 1  # the known key is skipped
    async with sessions() as s:
        rows = {o.key: o for o in (await s.execute(select(OutboxMessage))).scalars()}
    assert set(rows) == {r["key"] for r in first} | {"weekly:2:2026-11-09"}
    prompt = rows["weekly:1:2026-11-09"]
    assert (prompt.recipient_id, prompt.payload, prompt.status) == (
        w.mentor_id,
        BUILT_WHEN_SENT,
        "pending",
    )
    assert prompt.attempts == 0 and prompt.created_at == NOW
    alert = rows["alert:1:1"]
    assert (alert.escalation_level, alert.recipient_id, alert.next_attempt_at) == (2, None, LATER)
    assert rows["weekly-reminder:1:2026-11-09"].status == "cancelled"
    assert rows["digest:3:2026-11-09"].payload == {"text": "Ünïcode ✔", "blocks": []}


async def test_nothing_to_queue_queues_nothing(sessions):
    async with sessions() as s, s.begin():
        assert await outbox_bulk.queue_rows(s, []) == 0
