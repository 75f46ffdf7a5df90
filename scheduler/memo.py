"""What a sweep keeps between ticks, so the sweep every minute reads only what changed.

A sweep starts from every active placement with its names, calendars and review points,
the (placement, review point) pairs still unrated, and the outbox keys queued lately.
Read afresh that is most of a steady sweep's time for a large partnership, though from one
minute to the next almost none of it changes. So this keeps them and, each tick:

- the reference part (placements, names, calendars, closures, review points) is read
  again only when the roster's stamp has moved (database triggers, revision 0016) or the
  date has changed;
- pairs rated since the last tick leave the unrated set (ratings are only ever added:
  history stays);
- keys queued since the last tick join the known keys.

The deltas are read by id from the last tick but one, so a row whose transaction took its
id before the last read and committed after it (PostgreSQL, several instances) is still
seen. A stale known set is harmless anyway: the outbox's unique key stops a second
queueing. Everything is read afresh once a day (a new date), which also drops the keys
that have aged out of the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import owed
from handlers.owed import LocalOf, Reference, Snapshot, Timing
from storage.repo import stamps
from storage.repo import sweeps as q


@dataclass(slots=True)
class SweepMemo:
    reference: Reference | None = None
    roster: int = -1
    unrated: set[tuple[int, int]] = field(default_factory=set)
    known: set[str] = field(default_factory=set)
    # (ratings, outbox) ids read up to at the last tick and at the one before it.
    marks: tuple[int, int] = (0, 0)
    previous: tuple[int, int] = (0, 0)
    refreshed_on: date | None = None
    full_reads: int = 0  # how many times everything was read (tests and the benchmark)
    # Placements rated since `take_rated()` was last called; None: everything was read
    # afresh since then, so whatever was worked out from ratings must be too.
    rated: set[int] | None = None

    async def snapshot(
        self, session: AsyncSession, now: datetime, *, local_of: LocalOf, timing: Timing
    ) -> Snapshot:
        today = now.date()
        roster = await stamps.roster(session)
        marks = await stamps.marks(session)
        if self.reference is None or roster != self.roster or today != self.refreshed_on:
            await self._read_all(session, now, roster)
            self.previous = self.marks = marks
        else:
            since_rating, since_key = self.previous
            rated = await stamps.rated_since(session, after_id=since_rating)
            self.unrated -= rated
            if self.rated is not None:
                self.rated |= {pid for pid, _rp in rated}
            self.known |= await stamps.keys_since(session, after_id=since_key)
            self.previous, self.marks = self.marks, marks
        return await owed.load(
            session,
            now,
            local_of=local_of,
            timing=timing,
            reference=self.reference,
            unrated=self.unrated,
            known=self.known,
        )

    async def _read_all(self, session: AsyncSession, now: datetime, roster: int) -> None:
        today = now.date()
        self.reference = await owed.load_reference(session, on=today)
        self.unrated = await q.unrated(session, on=today)
        self.known = await q.recent_keys(session, since=now - timedelta(days=owed.KNOWN_DAYS))
        self.roster, self.refreshed_on, self.rated = roster, today, None
        self.full_reads += 1

    def take_rated(self) -> set[int] | None:
        """The placements rated since the last call (None: work everything out again)."""
        rated, self.rated = self.rated, set()
        return rated

    def forget(self) -> None:
        """After a failed sweep: read everything again next time."""
        self.reference, self.rated = None, None
