"""The sweeps: what is due now, decided from one snapshot of the database and queued in
the outbox under unique keys, so a sweep run twice queues once.

The sweep is a loop over the registry's rules: each conversation decides what it makes
due (handlers/<conversation>/rule.py); here are only what all of them share: the
school-local time, the nudge cap, the off-track escalations and streaming into the outbox.

Everything is decided in each school's local time and only when a message may be sent
there now (a school day, in working hours); otherwise it waits for the next sweep at an
allowed moment. After downtime the first sweep sees only what applies now, so what was
missed is sent once (coalesced) or not at all.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import owed
from handlers.codec import BUILT_WHEN_SENT, message_to_dict
from handlers.owed import Local, Planned, Snapshot
from handlers.registry import REGISTRY
from scheduler import undeliverable
from scheduler.memo import SweepMemo
from scheduler.offtrack import LEADERSHIP_ZONE, OffTrack, preview
from scheduler.policy import Policy, Slot
from storage.calendar_rules import ProgrammeCalendar, monday_of
from storage.db import transaction
from storage.repo import sweeps as q

__all__ = ["Local", "Planned", "Snapshot", "SweepResult", "Sweeper"]

log = logging.getLogger(__name__)
NUDGE_KINDS = ("weekly_reminder", "review_point_nudge", "observation_ack_nudge")
ENQUEUE_CHUNK = 5000  # rows per trip to the outbox (storage.repo.outbox_bulk)


@dataclass(slots=True)
class SweepResult:
    planned: list[Planned] = field(default_factory=list)  # filled by plan(), not run()
    count: int = 0
    queued: int = 0
    escalations: int = 0
    skipped_by_cap: int = 0


def _past(slot: Slot, local: Local) -> bool:
    return (local.today.weekday(), local.now.time()) >= (slot.weekday, slot.time)


class Sweeper:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        policy: Policy,
        rules: Sequence[owed.Rule] | None = None,
    ) -> None:
        self.sessions = sessions
        self.policy = policy
        self.rules = list(rules) if rules is not None else REGISTRY.rules()
        self.off_track = OffTrack(policy)
        self.memo = SweepMemo()

    async def plan(self, now: datetime) -> SweepResult:
        """Decide what is due at `now` without writing anything (`mentorbot due`)."""
        async with self.sessions() as session:
            result = SweepResult()

            async def keep(p: Planned) -> None:
                if not p.covered:
                    result.planned.append(p)

            snap = await owed.load(session, now, local_of=self._local, timing=self.policy)
            await self._plan(session, snap, result, keep, raise_escalations=False)
            return result

    async def run(self, now: datetime) -> SweepResult:
        """Decide and queue (and raise escalations) in one transaction. What is planned
        streams into the outbox a chunk at a time: a first sweep can plan tens of
        thousands of messages, and none of them needs to be held for long."""
        result = SweepResult()
        async with transaction(self.sessions) as session:
            chunk: list[dict[str, Any]] = []
            done: list[dict[str, Any]] = []  # covered: stored, not counted as queued

            async def queue(p: Planned) -> None:
                rows = done if p.covered else chunk
                rows.append(_row(p, now))
                if len(chunk) >= ENQUEUE_CHUNK:
                    result.queued += await q.enqueue_many(session, rows=chunk)
                    chunk.clear()
                if len(done) >= ENQUEUE_CHUNK:
                    await q.enqueue_many(session, rows=done)
                    done.clear()

            try:
                snap = await self.memo.snapshot(
                    session, now, local_of=self._local, timing=self.policy
                )
                # Prompts and digests are built as they are sent, not tens of thousands
                # at once here (handlers.owed.BuildsLater).
                snap.build_later = True
                await self._plan(session, snap, result, queue, raise_escalations=True)
                result.queued += await q.enqueue_many(session, rows=chunk)
                await q.enqueue_many(session, rows=done)
            except BaseException:
                self.memo.forget()
                raise
        log.info("sweep at %s: %s planned, %s queued", now.isoformat(), result.count, result.queued)
        return result

    def _local(self, local: datetime, cal: ProgrammeCalendar) -> Local:
        today = local.date()
        in_hours = self.policy.working_hours_start <= local.time() < self.policy.working_hours_end
        school_day = cal.is_school_day(today) or (
            self.policy.send_in_holidays and today.weekday() < 5
        )
        base = Local(local, today, monday_of(today), in_hours and school_day)
        return Local(
            local,
            today,
            base.week,
            base.allowed,
            prompt_due=_past(self.policy.sign_off_prompt, base),
            reminder_due=_past(self.policy.reminder, base),
            digest_due=_past(self.policy.digest, base),
        )

    async def _plan(
        self,
        s: AsyncSession,
        snap: Snapshot,
        result: SweepResult,
        sink: Callable[[Planned], Awaitable[None]],
        *,
        raise_escalations: bool,
    ) -> None:
        now = snap.now
        counts: defaultdict[int, int] | None = None  # read only once a nudge is planned
        for rule in self.rules:
            facts = await rule.load(s, snap)
            for p in rule.plan(snap, facts, self.policy):
                if p.key in snap.known:
                    continue
                if p.covered:
                    await sink(p)  # stored as done, so never sent on its own later
                    continue
                if counts is None and p.kind in NUDGE_KINDS:
                    since = now - timedelta(days=7)
                    counts = defaultdict(
                        int, await q.nudges_since(s, kinds=NUDGE_KINDS, since=since)
                    )
                if not self._within_cap(p, counts, result):
                    continue
                result.count += 1
                await sink(p)
        hours = self.off_track.leadership_hours(now)
        findings = []
        if hours:
            # What was rated since the off-track rules last ran (None: all of it, again).
            rated = self.memo.take_rated() if raise_escalations else None
            findings = await self.off_track.find(s, snap, rated)
        if raise_escalations:
            result.escalations = await self.off_track.escalate(s, snap, findings)
            if hours:
                result.queued += await undeliverable.summarise(s, now, zone=LEADERSHIP_ZONE)
        else:
            for f in findings:
                await sink(preview(f))

    def _within_cap(
        self, p: Planned, counts: defaultdict[int, int] | None, result: SweepResult
    ) -> bool:
        """No more than the policy's nudges per person per week; prompts and digests are not nudges."""
        if p.kind not in NUDGE_KINDS or p.recipient_id is None or counts is None:
            return True
        if counts[p.recipient_id] >= self.policy.max_nudges_per_person_per_week:
            result.skipped_by_cap += 1
            return False
        counts[p.recipient_id] += 1
        return True


def _row(p: Planned, now: datetime) -> dict[str, Any]:
    if p.covered:
        payload: dict[str, Any] = {}
    elif p.message is None:
        payload = BUILT_WHEN_SENT
    else:
        payload = message_to_dict(p.message)
    return {
        "key": p.key,
        "kind": p.kind,
        "recipient_id": p.recipient_id,
        "escalation_level": p.escalation_level,
        "payload": payload,
        "status": "cancelled" if p.covered else "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
