"""When the lead mentor's digest is due: once a week per lead mentor, at the policy's
slot, or at the next allowed moment when the slot fell on a day nothing could be sent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keys, owed
from handlers.conversation import CohortDigestPart, DigestPart
from handlers.digest.flow import DigestRow, digest
from handlers.owed import Local, Owed, Planned, Snapshot, Timing
from handlers.ratings.flow import overdue as overdue_ratings
from handlers.ratings.rule import owes_ratings
from handlers.ui import Block, Message
from handlers.weekly.flow import overdue as overdue_meeting
from storage.calendar_rules import ProgrammeCalendar, monday_of
from storage.repo import frameworks, placements
from storage.repo import sweeps as q
from storage.repo.frameworks import Framework
from storage.repo.placements import PlacementView


def digest_week(cal: ProgrammeCalendar, loc: Local, timing: Timing) -> date | None:
    """The week whose digest is due now: this week's once its slot has passed, or last
    week's when its slot fell on a day nothing could be sent (an INSET day, a bank
    holiday): it waits for the next allowed moment rather than being skipped."""
    if not loc.allowed:
        return None
    if loc.digest_due:
        return loc.week
    last_week = loc.week - timedelta(days=7)
    slot_day = last_week + timedelta(days=timing.digest.weekday)
    if cal.is_school_day(slot_day) or not cal.is_teaching_week(last_week):
        return None  # sent on its day, or a week with no teaching has no digest
    return last_week


@dataclass(slots=True)
class DigestFacts:
    cohorts: dict[tuple[int, date], list[PlacementView]] = field(default_factory=dict)
    last: dict[int, date] = field(default_factory=dict)  # last signed-off week
    # placement -> strand -> value code, on the placement's programme's framework
    latest: dict[int, dict[str, str]] = field(default_factory=dict)
    frameworks: dict[int, Framework] = field(default_factory=dict)  # by programme
    dead: set[int] = field(default_factory=set)  # people recently unreachable
    # Other conversations' parts of the digest (mentor training logged…), with their facts.
    parts: list[tuple[DigestPart, Any]] = field(default_factory=list)
    # Their parts about each trainee of the cohort (targets…).
    cohort_parts: list[tuple[CohortDigestPart, Any]] = field(default_factory=list)


def _digest_parts() -> tuple[list[DigestPart], list[CohortDigestPart]]:
    # The registry collects this package too, so it is looked up when first needed.
    from handlers.registry import REGISTRY

    return REGISTRY.digest_parts(), REGISTRY.cohort_digest_parts()


class DigestRule:
    async def load(self, session: AsyncSession, snap: Snapshot) -> DigestFacts:
        facts = DigestFacts()
        if not snap.scope.everyone or snap.timing is None:
            return facts
        cohorts: dict[tuple[int, date], list[PlacementView]] = defaultdict(list)
        for loc, views in snap.groups.values():
            week = digest_week(snap.calendar(views[0]), loc, snap.timing)
            if week is None:
                continue
            queued: dict[int, bool] = {}  # per lead mentor: one key, not one per trainee
            for v in views:
                lead = v.lead_mentor_id
                if lead not in queued:
                    queued[lead] = str(keys.Digest(lead, week)) in snap.known
                if not queued[lead]:
                    cohorts[(lead, week)].append(v)
        facts.cohorts = dict(cohorts)
        if cohorts and not snap.build_later:
            # Once a week, for `mentorbot due`; the sweep that queues leaves each digest
            # to be built when it is sent (message_for), a cohort at a time.
            await _read(session, snap, facts)
        return facts

    def plan(self, snap: Snapshot, facts: DigestFacts, timing: Timing) -> Iterator[Planned]:
        for (lead_id, week), cohort in facts.cohorts.items():
            yield Planned(
                str(keys.Digest(lead_id, week)),
                "digest",
                lead_id,
                None if snap.build_later else self._message(cohort, snap, facts),
                f"weekly digest ({len(cohort)} trainees)",
            )

    async def message_for(
        self, session: AsyncSession, key: keys.OutboxKey, now: datetime
    ) -> Message | None:
        """The digest the sweep queued by its key, as the lead mentor's cohort stands when
        it is sent."""
        if not isinstance(key, keys.Digest):
            return None
        cohort = await placements.for_lead_mentor(
            session, lead_mentor_id=key.lead_mentor_id, on=now.date()
        )
        if not cohort:
            return None  # no trainee left to report on
        snap = await owed.load(
            session,
            now,
            scope=owed.Scope(placement_ids=frozenset(v.id for v in cohort)),
            views=cohort,
            local_of=_today_there,
        )
        facts = DigestFacts(cohorts={(key.lead_mentor_id, key.week): cohort})
        await _read(session, snap, facts)
        return self._message(cohort, snap, facts)

    def _message(self, cohort: list[PlacementView], snap: Snapshot, facts: DigestFacts) -> Message:
        rows = [self._row(v, snap, facts) for v in cohort]
        unreachable = sorted(
            {v.trainee_name for v in cohort if v.trainee_id in facts.dead}
            | {v.mentor_name for v in cohort if v.mentor_id in facts.dead}
        )
        return digest(rows, unreachable, self._parts(cohort, facts))

    @staticmethod
    def _parts(cohort: list[PlacementView], facts: DigestFacts) -> list[Block]:
        mentors = {v.mentor_id: v.mentor_name for v in cohort}
        blocks = [b for part, loaded in facts.cohort_parts for b in part.section(loaded, cohort)]
        return blocks + [
            block for part, loaded in facts.parts for block in part.section(loaded, mentors)
        ]

    def _row(self, v: PlacementView, snap: Snapshot, facts: DigestFacts) -> DigestRow:
        loc, last = snap.local[v.id], facts.last.get(v.id)
        overdue: list[str] = []
        for week in snap.calendar(v).teaching_weeks_before(loc.week, 2, not_before=v.start_date):
            if last is None or last < week:
                overdue.append(overdue_meeting(week))
        for rp in snap.points_of(v.programme_id):
            if rp.end_date < loc.today and owes_ratings(snap, v.id, rp.id):
                overdue.append(overdue_ratings(rp.name))
        framework = facts.frameworks.get(v.programme_id)
        latest = facts.latest.get(v.id, {}) if framework else {}
        return DigestRow(v.trainee_name, last, overdue, latest, framework)

    def owed(self, snap: Snapshot, facts: DigestFacts) -> Iterable[Owed]:
        return ()

    def applies(self, snap: Snapshot, facts: DigestFacts, key: keys.OutboxKey) -> bool | None:
        return None


def _today_there(local: datetime, cal: ProgrammeCalendar) -> Local:
    """The school's date and week, for a digest built when it is sent (its rows ask what
    is overdue before this week)."""
    return Local(local, local.date(), monday_of(local.date()), True)


async def _read(session: AsyncSession, snap: Snapshot, facts: DigestFacts) -> None:
    """What the cohorts' digests show: last week signed off, newest ratings, who could not
    be reached, and the other conversations' parts."""
    cohorts = facts.cohorts
    ids = [v.id for vs in cohorts.values() for v in vs]
    facts.last = await q.last_signed_off(session, placement_ids=ids)
    facts.frameworks = await frameworks.frameworks_for_programmes(
        session, programme_ids={v.programme_id for vs in cohorts.values() for v in vs}
    )
    # A cohort's own ratings when few; every trainee's (one pass) on the sweep's digest day.
    few = ids if len(ids) <= q.ONE_PASS else None
    facts.latest = await _latest(session, cohorts, facts.frameworks, few)
    facts.dead = await q.dead_recipients(session, since=snap.now - timedelta(days=7))
    mentor_ids = {v.mentor_id for vs in cohorts.values() for v in vs}
    mentor_parts, cohort_parts = _digest_parts()
    for part in mentor_parts:
        loaded = await part.load(session, mentor_ids=mentor_ids, today=snap.today)
        facts.parts.append((part, loaded))
    trainee_ids = {v.trainee_id for vs in cohorts.values() for v in vs}
    for cohort_part in cohort_parts:
        loaded = await cohort_part.load(session, trainee_ids=trainee_ids, today=snap.today)
        facts.cohort_parts.append((cohort_part, loaded))


async def _latest(
    session: AsyncSession,
    cohorts: dict[tuple[int, date], list[PlacementView]],
    found: dict[int, Framework],
    placement_ids: list[int] | None,
) -> dict[int, dict[str, str]]:
    """Each cohort trainee's newest rating per strand on their programme's framework (a
    rating on another framework is not shown). Read only for the frameworks in use and kept
    per strand: on digest day this is every trainee's ratings."""
    scale_of = {
        v.id: found[v.programme_id].code
        for vs in cohorts.values()
        for v in vs
        if v.programme_id in found
    }
    latest: dict[int, dict[str, str]] = defaultdict(dict)
    for scale in sorted(set(scale_of.values())):  # one or two frameworks in use
        got = await q.current_ratings_on(session, scale=scale, placement_ids=placement_ids)
        for pid, item, rating in got:
            if scale_of.get(pid) == scale:
                latest[pid][item] = rating
    return dict(latest)


RULE = DigestRule()
