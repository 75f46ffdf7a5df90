"""The sweeps: what is due now, decided from the database in a few set-based queries and
queued in the outbox under unique keys, so a sweep run twice queues once.

Everything is decided in each school's local time and only when a message may be sent
there now (a school day, in working hours); otherwise it waits for the next sweep at an
allowed moment. After downtime the first sweep sees only what applies now, so what was
missed is sent once (coalesced) or not at all.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import escalation, nudges, weekly
from handlers.codec import message_to_dict
from handlers.ui import Message
from scheduler.policy import Policy, Slot
from storage.calendar_rules import ProgrammeCalendar, monday_of
from storage.db import transaction
from storage.models import Escalation, ReviewPoint
from storage.repo import calendar
from storage.repo import sweeps as q
from storage.repo.placements import PlacementView

log = logging.getLogger(__name__)
NUDGE_KINDS = ("weekly_reminder", "review_point_nudge", "observation_ack_nudge")
LEADERSHIP_ZONE = ZoneInfo("Europe/London")
ENQUEUE_CHUNK = 1000
# placement, rule, cause, evidence (ids, codes and dates: labels are rendered when shown)
Finding = tuple[PlacementView, str, str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Planned:
    """One notification a sweep decided on (for `mentorbot due` and for the outbox)."""

    key: str
    kind: str
    recipient_id: int | None
    message: Message
    why: str
    escalation_level: int | None = None


@dataclass(slots=True)
class SweepResult:
    planned: list[Planned] = field(default_factory=list)  # filled by plan(), not run()
    count: int = 0
    queued: int = 0
    escalations: int = 0
    skipped_by_cap: int = 0


@dataclass(frozen=True, slots=True)
class Local:
    """A placement's school-local view of now (shared by every placement in the same time
    zone and programme, so each question below is answered once per sweep, not per trainee)."""

    now: datetime
    today: date
    week: date
    allowed: bool
    prompt_due: bool = False
    reminder_due: bool = False
    digest_due: bool = False


@dataclass(slots=True)
class Snapshot:
    """What every rule of one sweep reads, loaded once."""

    now: datetime
    views: list[PlacementView]
    local: dict[int, Local]
    calendars: dict[int, ProgrammeCalendar]
    points: list[ReviewPoint]
    unrated: set[tuple[int, int]]  # (placement, review point) with no rating yet
    known: set[str]  # outbox keys queued recently: never planned again
    by_programme: dict[int, list[ReviewPoint]] = field(default_factory=dict)
    # Placements sharing a time zone and programme share their Local: rules that depend on
    # the date decide once per group and only look placements up in sets.
    groups: dict[tuple[str, int], tuple[Local, list[PlacementView]]] = field(default_factory=dict)

    def calendar(self, view: PlacementView) -> ProgrammeCalendar:
        found = self.calendars.get(view.programme_id)
        if found is None:
            found = self.calendars[view.programme_id] = ProgrammeCalendar()
        return found

    def points_of(self, programme_id: int) -> list[ReviewPoint]:
        return self.by_programme.get(programme_id, [])


def _past(slot: Slot, local: Local) -> bool:
    return (local.today.weekday(), local.now.time()) >= (slot.weekday, slot.time)


class Sweeper:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], policy: Policy) -> None:
        self.sessions = sessions
        self.policy = policy

    async def plan(self, now: datetime) -> SweepResult:
        """Decide what is due at `now` without writing anything (`mentorbot due`)."""
        async with self.sessions() as session:
            result = SweepResult()

            async def keep(p: Planned) -> None:
                result.planned.append(p)

            await self._plan(session, now, result, keep, raise_escalations=False)
            return result

    async def run(self, now: datetime) -> SweepResult:
        """Decide and queue (and raise escalations) in one transaction. What is planned
        streams into the outbox a chunk at a time: a first sweep can plan tens of
        thousands of messages, and none of them needs to be held for long."""
        result = SweepResult()
        async with transaction(self.sessions) as session:
            chunk: list[dict[str, Any]] = []

            async def queue(p: Planned) -> None:
                chunk.append(_row(p, now))
                if len(chunk) >= ENQUEUE_CHUNK:
                    result.queued += await q.enqueue_many(session, rows=chunk)
                    chunk.clear()

            await self._plan(session, now, result, queue, raise_escalations=True)
            result.queued += await q.enqueue_many(session, rows=chunk)
        log.info("sweep at %s: %s planned, %s queued", now.isoformat(), result.count, result.queued)
        return result

    # --- planning ----------------------------------------------------------------------

    async def _snapshot(self, s: AsyncSession, now: datetime) -> Snapshot:
        views = await q.active_placements(s, on=now.date())
        calendars = await calendar.all_calendars(s)
        points = await q.review_points(s)
        unrated = await q.unrated(s, on=now.date())
        # Review-point nudges may be queued up to sixty days ahead of the point.
        known = await q.recent_keys(s, since=now - timedelta(days=70))
        snap = Snapshot(now, views, {}, calendars, points, unrated, known)
        for rp in points:
            snap.by_programme.setdefault(rp.programme_id, []).append(rp)
        # One answer per (time zone, programme), shared by every placement in it.
        shared: dict[tuple[str, int], Local] = {}
        for v in views:
            key = (v.timezone, v.programme_id)
            if key not in shared:
                shared[key] = self._local(now.astimezone(ZoneInfo(v.timezone)), snap.calendar(v))
                snap.groups[key] = (shared[key], [])
            snap.local[v.id] = shared[key]
            snap.groups[key][1].append(v)
        return snap

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
        now: datetime,
        result: SweepResult,
        sink: Callable[[Planned], Awaitable[None]],
        *,
        raise_escalations: bool,
    ) -> None:
        snap = await self._snapshot(s, now)
        sent = await q.nudges_since(s, kinds=NUDGE_KINDS, since=now - timedelta(days=7))
        counts: defaultdict[int, int] = defaultdict(int, sent)
        signed = await q.signed_off(s, weeks={loc.week for loc in snap.local.values()})
        sources: list[Iterable[Planned]] = [
            self._weekly_prompts(snap, signed),
            self._review_points(snap),
            await self._observations(s, snap),
            await self._digests(s, snap),
            await self._irp_reviews(s, snap),
            self._missing_ratings_to_leads(snap),
        ]
        for source in sources:
            for p in source:
                if p.key in snap.known or not self._within_cap(p, counts, result):
                    continue
                result.count += 1
                await sink(p)
        findings = await self._off_track(s, snap) if self._leadership_hours(now) else []
        if raise_escalations:
            result.escalations = await self._escalate(s, snap, findings)
        else:
            for f in findings:
                await sink(_preview(f))

    def _within_cap(self, p: Planned, counts: defaultdict[int, int], result: SweepResult) -> bool:
        """No more than the policy's nudges per person per week; prompts and digests are not nudges."""
        if p.kind not in NUDGE_KINDS or p.recipient_id is None:
            return True
        if counts[p.recipient_id] >= self.policy.max_nudges_per_person_per_week:
            result.skipped_by_cap += 1
            return False
        counts[p.recipient_id] += 1
        return True

    def _weekly_prompts(self, snap: Snapshot, signed: set[tuple[int, date]]) -> Iterator[Planned]:
        for (_zone, programme_id), (loc, views) in snap.groups.items():
            cal = snap.calendars.get(programme_id) or ProgrammeCalendar()
            if not (loc.allowed and loc.prompt_due and cal.is_teaching_week(loc.week)):
                continue
            for v in views:
                if (v.id, loc.week) in signed:
                    continue
                key = f"weekly:{v.id}:{loc.week}"
                if key not in snap.known:
                    message = weekly.prompt(v, loc.week)
                    why = f"weekly sign-off for {v.trainee_name}"
                    yield Planned(key, "weekly_prompt", v.mentor_id, message, why)
                reminder = f"weekly-reminder:{v.id}:{loc.week}"
                if loc.reminder_due and reminder not in snap.known:
                    message = nudges.weekly_reminder(v, loc.week)
                    why = "meeting still not signed off"
                    yield Planned(reminder, "weekly_reminder", v.mentor_id, message, why)

    def _review_points(self, snap: Snapshot) -> Iterator[Planned]:
        for (_zone, programme_id), (loc, views) in snap.groups.items():
            if not loc.allowed:
                continue
            for rp in snap.points_of(programme_id):
                if rp.id is None or loc.today > rp.end_date:
                    continue
                # The nearest offset already reached: after downtime, one nudge, not two.
                due = [
                    d
                    for d in self.policy.review_point_nudge_days
                    if rp.start_date - timedelta(days=d) <= loc.today
                ]
                if not due:
                    continue
                offset, why = min(due), f"ratings outstanding at {rp.name}"
                for v in views:
                    if (v.id, rp.id) not in snap.unrated:
                        continue
                    key = f"rp-nudge:{v.id}:{rp.id}:{offset}"
                    if key in snap.known:
                        continue
                    message = nudges.review_point_nudge(v, rp.id, rp.name, rp.start_date, loc.today)
                    yield Planned(key, "review_point_nudge", v.mentor_id, message, why)

    async def _observations(self, s: AsyncSession, snap: Snapshot) -> list[Planned]:
        by_id = {v.id: v for v in snap.views}
        before = snap.now - timedelta(hours=self.policy.observation_ack_hours)
        out: list[Planned] = []
        for o in await q.unacknowledged_observations(s, before=before):
            v = by_id.get(o.placement_id)
            if v is None or o.id is None or not snap.local[v.id].allowed:
                continue
            out.append(
                Planned(
                    f"obs-nudge:{o.id}",
                    "observation_ack_nudge",
                    v.trainee_id,
                    nudges.observation_ack_nudge(o.id, o.observed_on),
                    "observation feedback not acknowledged",
                )
            )
        return out

    def _digest_week(self, snap: Snapshot, programme_id: int, loc: Local) -> date | None:
        """The week whose digest is due now: this week's once its slot has passed, or last
        week's when its slot fell on a day nothing could be sent (an INSET day, a bank
        holiday): it waits for the next allowed moment rather than being skipped."""
        if not loc.allowed:
            return None
        if loc.digest_due:
            return loc.week
        cal = snap.calendars.get(programme_id) or ProgrammeCalendar()
        last_week = loc.week - timedelta(days=7)
        slot_day = last_week + timedelta(days=self.policy.digest.weekday)
        if cal.is_school_day(slot_day) or not cal.is_teaching_week(last_week):
            return None  # sent on its day, or a week with no teaching has no digest
        return last_week

    async def _digests(self, s: AsyncSession, snap: Snapshot) -> list[Planned]:
        cohorts: dict[tuple[int, date], list[PlacementView]] = defaultdict(list)
        for (_zone, programme_id), (loc, views) in snap.groups.items():
            week = self._digest_week(snap, programme_id, loc)
            if week is None:
                continue
            for v in views:
                if f"digest:{v.lead_mentor_id}:{week}" not in snap.known:
                    cohorts[(v.lead_mentor_id, week)].append(v)
        if not cohorts:
            return []  # the expensive reads below happen once a week, not every minute
        ids = [v.id for vs in cohorts.values() for v in vs]
        last = await q.last_signed_off(s, placement_ids=ids)
        latest: dict[int, dict[str, str]] = defaultdict(dict)
        for pid, _rp, item, rating in await q.current_ratings(s):
            latest[pid][item] = rating
        dead = await q.dead_recipients(s, since=snap.now - timedelta(days=7))
        out: list[Planned] = []
        for (lead_id, week), cohort in cohorts.items():
            rows = [self._digest_row(v, snap, last, latest) for v in cohort]
            unreachable = sorted(
                {v.trainee_name for v in cohort if v.trainee_id in dead}
                | {v.mentor_name for v in cohort if v.mentor_id in dead}
            )
            out.append(
                Planned(
                    f"digest:{lead_id}:{week}",
                    "digest",
                    lead_id,
                    nudges.digest(rows, unreachable),
                    f"weekly digest ({len(cohort)} trainees)",
                )
            )
        return out

    def _digest_row(
        self,
        v: PlacementView,
        snap: Snapshot,
        last: dict[int, date],
        latest: dict[int, dict[str, str]],
    ) -> nudges.DigestRow:
        loc = snap.local[v.id]
        overdue: list[str] = []
        for week in snap.calendar(v).teaching_weeks_before(loc.week, 2, not_before=v.start_date):
            if last.get(v.id) is None or last[v.id] < week:
                overdue.append(nudges.overdue_meeting(week))
        for rp in snap.points_of(v.programme_id):
            if rp.end_date < loc.today and (v.id, rp.id) in snap.unrated:
                overdue.append(nudges.overdue_ratings(rp.name))
        return nudges.DigestRow(v.trainee_name, last.get(v.id), overdue, latest.get(v.id, {}))

    async def _irp_reviews(self, s: AsyncSession, snap: Snapshot) -> list[Planned]:
        by_id = {v.id: v for v in snap.views}
        horizon = snap.now.date() + timedelta(days=self.policy.irp_nudge_days_before + 1)
        out: list[Planned] = []
        for plan in await q.recovery_plans_due(s, by=horizon):
            v = by_id.get(plan.placement_id)
            if v is None or not snap.local[v.id].allowed:
                continue
            if (
                plan.review_date - timedelta(days=self.policy.irp_nudge_days_before)
                > snap.local[v.id].today
            ):
                continue
            message = nudges.irp_review(v.trainee_name, plan.review_date)
            for who in sorted({v.lead_mentor_id, v.mentor_id}):
                out.append(
                    Planned(
                        f"irp-review:{plan.id}:{plan.review_date}:{who}",
                        "irp_review",
                        who,
                        message,
                        "recovery plan review due",
                    )
                )
        return out

    def _missing_ratings_to_leads(self, snap: Snapshot) -> Iterator[Planned]:
        """Review-point ratings still missing N days on go to the lead mentor first."""
        days = timedelta(days=self.policy.off_track.missing_ratings_days)
        for (_zone, programme_id), (loc, views) in snap.groups.items():
            if not loc.allowed:
                continue
            for rp in snap.points_of(programme_id):
                if rp.end_date + days > loc.today:
                    continue
                for v in views:
                    if (v.id, rp.id) not in snap.unrated:
                        continue
                    key = f"missing-ratings:{v.id}:{rp.id}"
                    if key in snap.known:
                        continue
                    message = nudges.missing_ratings_to_lead(v, rp.name)
                    why = "ratings missing"
                    yield Planned(key, "missing_ratings", v.lead_mentor_id, message, why)

    # --- escalations -------------------------------------------------------------------

    def _leadership_hours(self, now: datetime) -> bool:
        local = now.astimezone(LEADERSHIP_ZONE)
        working = self.policy.working_hours_start <= local.time() < self.policy.working_hours_end
        return ProgrammeCalendar().is_school_day(local.date()) and working

    async def _off_track(self, s: AsyncSession, snap: Snapshot) -> list[Finding]:
        """Trainees who newly meet an off-track rule (not already escalated for that cause)."""
        causes = await q.escalation_causes(s)
        open_rules = await q.escalated_placements(s)
        found = await self._missed_meetings(s, snap, open_rules)
        found += await self._red_ratings(s, snap)
        found += await self._concerns(s, snap)
        found += self._missing_ratings(snap)
        return [f for f in found if (f[0].id, f[1], f[2]) not in causes]

    async def _missed_meetings(
        self, s: AsyncSession, snap: Snapshot, open_rules: dict[int, set[str]]
    ) -> list[Finding]:
        """Only weeks the mentor was asked about count (never weeks before the bot ran)."""
        needed = self.policy.off_track.missed_weeks
        by_weeks: dict[tuple[date, ...], list[PlacementView]] = defaultdict(list)
        for (_zone, programme_id), (loc, views) in snap.groups.items():
            cal = snap.calendars.get(programme_id) or ProgrammeCalendar()
            for v in views:
                if "missed_meetings" in open_rules.get(v.id, set()):
                    continue
                before = cal.teaching_weeks_before(loc.week, needed, not_before=v.start_date)
                if len(before) == needed:
                    by_weeks[tuple(sorted(before))].append(v)
        found: list[Finding] = []
        for weeks, group in by_weeks.items():
            ids = [v.id for v in group]
            missed = await q.missed_weeks(s, placement_ids=ids, weeks=list(weeks))
            evidence = {"weeks": [w.isoformat() for w in weeks]}
            cause = ",".join(str(w) for w in weeks)
            found += [
                (v, "missed_meetings", cause, dict(evidence)) for v in group if v.id in missed
            ]
        return found

    async def _red_ratings(self, s: AsyncSession, snap: Snapshot) -> list[Finding]:
        if not self.policy.off_track.red_at_review_point:
            return []
        latest: dict[int, ReviewPoint] = {}
        for rp in snap.points:
            if rp.start_date <= snap.now.date() and (
                rp.programme_id not in latest or rp.start_date > latest[rp.programme_id].start_date
            ):
                latest[rp.programme_id] = rp
        if not latest:
            return []
        by_id = {v.id: v for v in snap.views}
        reds: dict[tuple[int, int], list[str]] = defaultdict(list)
        rows = await q.red_at(
            s, review_point_ids=[rp.id for rp in latest.values() if rp.id is not None]
        )
        for pid, rp_id, item in rows:
            v = by_id.get(pid)
            if (
                v is not None
                and v.programme_id in latest
                and latest[v.programme_id].id == rp_id
                and rp_id is not None
            ):
                reds[(pid, rp_id)].append(item)
        names = {rp.id: rp.name for rp in snap.points}
        return [
            (
                by_id[pid],
                "red_rating",
                f"rp:{rp_id}",
                {"review_point_id": rp_id, "review_point": names[rp_id], "items": sorted(items)},
            )
            for (pid, rp_id), items in reds.items()
        ]

    async def _concerns(self, s: AsyncSession, snap: Snapshot) -> list[Finding]:
        if not self.policy.off_track.concern_escalates:
            return []
        by_id = {v.id: v for v in snap.views}
        return [
            (
                by_id[c.placement_id],
                "concern",
                f"concern:{c.id}",
                {"concern_id": c.id, "category": c.category},
            )
            for c in await q.recent_concerns(s, since=snap.now - timedelta(days=60))
            if c.placement_id in by_id
        ]

    def _missing_ratings(self, snap: Snapshot) -> list[Finding]:
        """Still missing twice the policy's days on: past the lead mentor, to the ITT team."""
        late = timedelta(days=2 * self.policy.off_track.missing_ratings_days)
        found: list[Finding] = []
        for (_zone, programme_id), (loc, views) in snap.groups.items():
            for rp in snap.points_of(programme_id):
                if rp.end_date + late > loc.today:
                    continue
                evidence = {"review_point_id": rp.id, "review_point": rp.name}
                for v in views:
                    if (v.id, rp.id) in snap.unrated:
                        found.append((v, "missing_ratings", f"rp:{rp.id}", dict(evidence)))
        return found

    async def _escalate(self, s: AsyncSession, snap: Snapshot, findings: list[Finding]) -> int:
        raised = 0
        for v, rule, cause, evidence in findings:
            if await escalation.raise_escalation(
                s, view=v, rule=rule, cause_key=cause, evidence=evidence, now=snap.now
            ):
                raised += 1
        if not self._leadership_hours(snap.now):
            return raised
        by_id = {v.id: v for v in snap.views}
        hours = self.policy.acknowledge_within_hours
        for e in await q.unacknowledged_escalations(
            s, alerted_before=snap.now - timedelta(hours=hours)
        ):
            if e.level < self.policy.escalation_levels and e.placement_id in by_id:
                await escalation.raise_level(
                    s, view=by_id[e.placement_id], escalation=e, hours=hours, now=snap.now
                )
        return raised


def _preview(finding: Finding) -> Planned:
    v, rule, cause, evidence = finding
    e = Escalation(id=0, placement_id=v.id, rule=rule, cause_key=cause, evidence=evidence)
    message = escalation.alert(v, e, status_line=None)
    return Planned(
        f"escalation:new:{v.id}:{rule}:{cause}",
        "escalation_alert",
        None,
        message,
        f"off track: {rule}",
        escalation_level=1,
    )


def _row(p: Planned, now: datetime) -> dict[str, Any]:
    return {
        "key": p.key,
        "kind": p.kind,
        "recipient_id": p.recipient_id,
        "escalation_level": p.escalation_level,
        "payload": message_to_dict(p.message),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
