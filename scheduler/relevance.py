"""Before a queued nudge goes out late (a retry, a restart), check it still applies:
a reminder for a week already signed off is cancelled, not sent."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repo import evidence

WEEKLY_KINDS = frozenset({"weekly_prompt", "weekly_reminder"})


async def still_applies(session: AsyncSession, *, kind: str, key: str) -> bool:
    if kind in WEEKLY_KINDS:
        parts = key.split(":")
        try:
            placement_id, week = int(parts[1]), date.fromisoformat(parts[2])
        except (IndexError, ValueError):
            return True
        meeting = await evidence.meeting(session, placement_id=placement_id, week_start=week)
        return meeting is None or meeting.signed_off_at is None
    if kind == "review_point_nudge":
        parts = key.split(":")
        try:
            placement_id, rp_id = int(parts[1]), int(parts[2])
        except (IndexError, ValueError):
            return True
        return not await evidence.has_ratings(
            session, placement_id=placement_id, review_point_id=rp_id
        )
    if kind == "observation_ack_nudge":
        found = await evidence.observation(session, observation_id=int(key.split(":")[1]))
        return found is not None and found.acknowledged_at is None
    return True
