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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import escalation, nudges, weekly
from handlers.codec import message_to_dict
from handlers.text import t
from handlers.ui import Message, date_text
from scheduler.policy import Policy, Slot
from storage.calendar_rules import ProgrammeCalendar, monday_of
from storage.db import transaction
from storage.models import ReviewPoint
from storage.repo import calendar, people
from storage.repo import sweeps as q
from storage.repo.placements import PlacementView

log = logging.getLogger(__name__)
NUDGE_KINDS = ("weekly_reminder", "review_point_nudge", "observation_ack_nudge")


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
    planned: list[Planned] = field(default_factory=list)
    queued: int = 0
    escalations: int = 0
    skipped_by_cap: int = 0


@dataclass(slots=True)
class Local:
    """A placement's school-local view of now."""

    now: datetime
    today: date
    week: date
    allowed: bool


def _local(now: datetime, view: PlacementView, cal: ProgrammeCalendar, policy: Policy) -> Local:
    local = now.astimezone(ZoneInfo(view.timezone))
    today = local.date()
    in_hours = policy.working_hours_start <= local.time() < policy.working_hours_end
    school_day = cal.is_school_day(today) or (policy.send_in_holidays and today.weekday() < 5)
    return Local(local, today, monday_of(today), in_hours and school_day)


def _past(slot: Slot, local: Local) -> bool:
    return (local.today.weekday(), local.now.time()) >= (slot.weekday, slot.time)


class Sweeper:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], policy: Policy) -> None:
        self.sessions = sessions
        self.policy = policy

    async def plan(self, now: datetime) -> SweepResult:
        """Decide what is due at `now` without writing anything (`mentorbot due`)."""
        async with self.sessions() as session:
            return await self._plan(session, now, raise_escalations=False)

    async def run(self, now: datetime) -> SweepResult:
        """Decide and queue (and raise escalations) in one transaction."""
        async with transaction(self.sessions) as session:
            result = await self._plan(session, now, raise_escalations=True)
            rows = [_row(p, now) for p in result.planned]
            result.queued = await q.enqueue_many(session, rows=rows)
        log.info(
            "sweep at %s: %s planned, %s queued",
            now.isoformat(),
            len(result.planned),
            result.queued,
        )
        return result

    async def _plan(
        self, s: AsyncSession, now: datetime, *, raise_escalations: bool
    ) -> SweepResult:
        result = SweepResult()
        views = await q.active_placements(s, on=now.date())
        calendars = await calendar.all_calendars(s)
        locals_ = {
            v.id: _local(now, v, calendars.get(v.programme_id, ProgrammeCalendar()), self.policy)
            for v in views
        }
        points = await q.review_points(s)
        planned: list[Planned] = []
        planned += await self._weekly(s, views, locals_, calendars)
        planned += await self._review_points(s, views, locals_, points)
        planned += await self._observations(s, views, locals_, now)
        planned += await self._digests(s, views, locals_, calendars, points, now)
        planned += await self._irp_reviews(s, views, locals_)
        result.planned = self._cap(
            planned,
            await q.nudges_since(s, kinds=NUDGE_KINDS, since=now - timedelta(days=7)),
            result,
        )
        if raise_escalations:
            result.escalations = await self._escalate(s, views, locals_, calendars, points, now)
        else:
            result.planned += await self._escalations_preview(
                s, views, locals_, calendars, points, now
            )
        return result

    def _cap(
        self, planned: list[Planned], sent: dict[int, int], result: SweepResult
    ) -> list[Planned]:
        """No more than the policy's nudges per person per week; prompts and digests are not nudges."""
        counts = defaultdict(int, sent)
        kept: list[Planned] = []
        for p in planned:
            if p.kind in NUDGE_KINDS and p.recipient_id is not None:
                if counts[p.recipient_id] >= self.policy.max_nudges_per_person_per_week:
                    result.skipped_by_cap += 1
                    continue
                counts[p.recipient_id] += 1
            kept.append(p)
        return kept

    async def _weekly(
        self,
        s: AsyncSession,
        views: list[PlacementView],
        locals_: dict[int, Local],
        cals: dict[int, ProgrammeCalendar],
    ) -> list[Planned]:
        weeks = {loc.week for loc in locals_.values()}
        signed = await q.signed_off(s, weeks=weeks)
        existing = await q.existing_keys(s, prefix="weekly-reminder:")
        out: list[Planned] = []
        for v in views:
            loc = locals_[v.id]
            cal = cals.get(v.programme_id, ProgrammeCalendar())
            if not loc.allowed or (v.id, loc.week) in signed or not cal.is_teaching_week(loc.week):
                continue
            if not _past(self.policy.sign_off_prompt, loc):
                continue
            key = f"weekly:{v.id}:{loc.week}"
            out.append(
                Planned(
                    key,
                    "weekly_prompt",
                    v.mentor_id,
                    weekly.prompt(v, loc.week),
                    f"weekly sign-off for {v.trainee_name}",
                )
            )
            reminder = f"weekly-reminder:{v.id}:{loc.week}"
            if _past(self.policy.reminder, loc) and reminder not in existing:
                out.append(
                    Planned(
                        reminder,
                        "weekly_reminder",
                        v.mentor_id,
                        nudges.weekly_reminder(v, loc.week),
                        "meeting still not signed off",
                    )
                )
        return out

    async def _review_points(
        self,
        s: AsyncSession,
        views: list[PlacementView],
        locals_: dict[int, Local],
        points: list[ReviewPoint],
    ) -> list[Planned]:
        by_programme: dict[int, list[ReviewPoint]] = defaultdict(list)
        for rp in points:
            by_programme[rp.programme_id].append(rp)
        rated = await q.rated(s, review_point_ids=[rp.id for rp in points if rp.id is not None])
        out: list[Planned] = []
        for v in views:
            loc = locals_[v.id]
            if not loc.allowed:
                continue
            for rp in by_programme.get(v.programme_id, []):
                assert rp.id is not None
                if (v.id, rp.id) in rated or loc.today > rp.end_date:
                    continue
                # The nearest offset already reached: after downtime, one nudge, not two.
                due = [
                    d
                    for d in self.policy.review_point_nudge_days
                    if rp.start_date - timedelta(days=d) <= loc.today
                ]
                if not due:
                    continue
                offset = min(due)
                key = f"rp-nudge:{v.id}:{rp.id}:{offset}"
                out.append(
                    Planned(
                        key,
                        "review_point_nudge",
                        v.mentor_id,
                        nudges.review_point_nudge(v, rp.id, rp.name, rp.start_date, loc.today),
                        f"ratings outstanding at {rp.name}",
                    )
                )
        return out

    async def _observations(
        self, s: AsyncSession, views: list[PlacementView], locals_: dict[int, Local], now: datetime
    ) -> list[Planned]:
        by_id = {v.id: v for v in views}
        out: list[Planned] = []
        for o in await q.unacknowledged_observations(
            s, before=now - timedelta(hours=self.policy.observation_ack_hours)
        ):
            v = by_id.get(o.placement_id)
            if v is None or o.id is None or not locals_[v.id].allowed:
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

    async def _digests(
        self,
        s: AsyncSession,
        views: list[PlacementView],
        locals_: dict[int, Local],
        cals: dict[int, ProgrammeCalendar],
        points: list[ReviewPoint],
        now: datetime,
    ) -> list[Planned]:
        cohorts: dict[int, list[PlacementView]] = defaultdict(list)
        for v in views:
            loc = locals_[v.id]
            if loc.allowed and _past(self.policy.digest, loc):
                cohorts[v.lead_mentor_id].append(v)
        if not cohorts:
            return []
        ids = [v.id for vs in cohorts.values() for v in vs]
        last = await q.last_signed_off(s, placement_ids=ids)
        latest: dict[int, dict[str, str]] = defaultdict(dict)
        for pid, _rp, item, rating in await q.current_ratings(s):
            latest[pid][item] = rating
        rated = await q.rated(s, review_point_ids=[rp.id for rp in points if rp.id is not None])
        dead = await q.dead_recipients(s, since=now - timedelta(days=7))
        out: list[Planned] = []
        for lead_id, cohort in cohorts.items():
            rows = [
                self._digest_row(
                    v,
                    locals_[v.id],
                    cals.get(v.programme_id, ProgrammeCalendar()),
                    last,
                    latest,
                    rated,
                    points,
                )
                for v in cohort
            ]
            unreachable = sorted(
                {v.trainee_name for v in cohort if v.trainee_id in dead}
                | {v.mentor_name for v in cohort if v.mentor_id in dead}
            )
            week = locals_[cohort[0].id].week
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
        loc: Local,
        cal: ProgrammeCalendar,
        last: dict[int, date],
        latest: dict[int, dict[str, str]],
        rated: set[tuple[int, int]],
        points: list[ReviewPoint],
    ) -> nudges.DigestRow:
        overdue: list[str] = []
        for week in cal.teaching_weeks_before(loc.week, 2, not_before=v.start_date):
            if last.get(v.id) is None or last[v.id] < week:
                overdue.append(nudges.overdue_meeting(week))
        for rp in points:
            if (
                rp.programme_id == v.programme_id
                and rp.end_date < loc.today
                and (v.id, rp.id) not in rated
            ):
                overdue.append(nudges.overdue_ratings(rp.name))
        return nudges.DigestRow(v.trainee_name, last.get(v.id), overdue, latest.get(v.id, {}))

    async def _irp_reviews(
        self, s: AsyncSession, views: list[PlacementView], locals_: dict[int, Local]
    ) -> list[Planned]:
        by_id = {v.id: v for v in views}
        horizon = max((loc.today for loc in locals_.values()), default=date.min) + timedelta(
            days=self.policy.irp_nudge_days_before
        )
        out: list[Planned] = []
        for plan in await q.recovery_plans_due(s, by=horizon):
            v = by_id.get(plan.placement_id)
            if v is None or not locals_[v.id].allowed:
                continue
            message = nudges.irp_review(v.trainee_name, plan.review_date)
            for who in {v.lead_mentor_id, v.mentor_id}:
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

    # --- escalations -------------------------------------------------------------------

    async def _off_track(
        self,
        s: AsyncSession,
        views: list[PlacementView],
        locals_: dict[int, Local],
        cals: dict[int, ProgrammeCalendar],
        points: list[ReviewPoint],
        now: datetime,
    ) -> list[tuple[PlacementView, str, str, dict[str, str]]]:
        """(placement, rule, cause, evidence) for every trainee who meets an off-track rule now."""
        rules = self.policy.off_track
        open_by_rule = await q.escalated_placements(s)
        found: list[tuple[PlacementView, str, str, dict[str, str]]] = []
        weeks_needed: set[date] = set()
        missed: dict[int, list[date]] = {}
        for v in views:
            cal = cals.get(v.programme_id, ProgrammeCalendar())
            missed[v.id] = cal.teaching_weeks_before(
                locals_[v.id].week, rules.missed_weeks, not_before=v.start_date
            )
            weeks_needed.update(missed[v.id])
        signed = await q.signed_off(s, weeks=weeks_needed)
        asked = await q.prompted(s, weeks=weeks_needed)
        for v in views:
            weeks = missed[v.id]
            if len(weeks) == rules.missed_weeks and all(
                (v.id, w) not in signed and (v.id, w) in asked for w in weeks
            ):
                if "missed_meetings" not in open_by_rule.get(v.id, set()):
                    found.append(
                        (
                            v,
                            "missed_meetings",
                            ",".join(str(w) for w in sorted(weeks)),
                            {t("evidence_weeks"): ", ".join(date_text(w) for w in sorted(weeks))},
                        )
                    )
        latest_rp: dict[int, ReviewPoint] = {}
        for rp in points:
            if rp.start_date <= now.date() and (
                rp.programme_id not in latest_rp
                or rp.start_date > latest_rp[rp.programme_id].start_date
            ):
                latest_rp[rp.programme_id] = rp
        by_id = {v.id: v for v in views}
        if rules.red_at_review_point and latest_rp:
            reds: dict[tuple[int, int], list[str]] = defaultdict(list)
            for pid, rp_id, item, rating in await q.current_ratings(
                s, review_point_ids=[rp.id for rp in latest_rp.values() if rp.id]
            ):
                if (
                    rating == "red"
                    and pid in by_id
                    and rp_id is not None
                    and latest_rp.get(by_id[pid].programme_id) is not None
                    and latest_rp[by_id[pid].programme_id].id == rp_id
                ):
                    reds[(pid, rp_id)].append(item)
            names = {rp.id: rp.name for rp in points}
            for (pid, rp_id), items in reds.items():
                found.append(
                    (
                        by_id[pid],
                        "red_rating",
                        f"rp:{rp_id}",
                        {
                            t("evidence_ratings", review_point=names[rp_id]): ", ".join(
                                sorted(items)
                            )
                        },
                    )
                )
        if rules.concern_escalates:
            for c in await q.recent_concerns(s, since=now - timedelta(days=60)):
                if c.placement_id in by_id:
                    found.append(
                        (
                            by_id[c.placement_id],
                            "concern",
                            f"concern:{c.id}",
                            {t("evidence_concern"): t(f"cat_{c.category}")},
                        )
                    )
        rated = await q.rated(s, review_point_ids=[rp.id for rp in points if rp.id is not None])
        for v in views:
            for rp in points:
                late = rp.end_date + timedelta(days=2 * rules.missing_ratings_days)
                if (
                    rp.programme_id == v.programme_id
                    and late <= locals_[v.id].today
                    and (v.id, rp.id) not in rated
                ):
                    found.append(
                        (
                            v,
                            "missing_ratings",
                            f"rp:{rp.id}",
                            {t("overdue_ratings", review_point=rp.name): v.mentor_name},
                        )
                    )
        return found

    async def _escalate(
        self,
        s: AsyncSession,
        views: list[PlacementView],
        locals_: dict[int, Local],
        cals: dict[int, ProgrammeCalendar],
        points: list[ReviewPoint],
        now: datetime,
    ) -> int:
        if not self._leadership_hours(now):
            return 0
        raised = 0
        for v, rule, cause, evidence in await self._off_track(s, views, locals_, cals, points, now):
            if await escalation.raise_escalation(
                s, view=v, rule=rule, cause_key=cause, evidence=evidence, now=now
            ):
                raised += 1
        await self._missing_ratings_to_leads(s, views, locals_, points)
        by_id = {v.id: v for v in views}
        hours = self.policy.acknowledge_within_hours
        for e in await q.unacknowledged_escalations(s, alerted_before=now - timedelta(hours=hours)):
            if e.level < self.policy.escalation_levels and e.placement_id in by_id:
                await escalation.raise_level(
                    s, view=by_id[e.placement_id], escalation=e, hours=hours, now=now
                )
        return raised

    async def _missing_ratings_to_leads(
        self,
        s: AsyncSession,
        views: list[PlacementView],
        locals_: dict[int, Local],
        points: list[ReviewPoint],
    ) -> None:
        """Review-point ratings still missing N days on go to the lead mentor first."""
        rated = await q.rated(s, review_point_ids=[rp.id for rp in points if rp.id is not None])
        rows: list[dict[str, Any]] = []
        for v in views:
            loc = locals_[v.id]
            for rp in points:
                due = rp.end_date + timedelta(days=self.policy.off_track.missing_ratings_days)
                if (
                    rp.programme_id == v.programme_id
                    and due <= loc.today
                    and loc.allowed
                    and (v.id, rp.id) not in rated
                ):
                    p = Planned(
                        f"missing-ratings:{v.id}:{rp.id}",
                        "missing_ratings",
                        v.lead_mentor_id,
                        nudges.missing_ratings_to_lead(v, rp.name),
                        "ratings missing",
                    )
                    rows.append(_row(p, loc.now))
        await q.enqueue_many(s, rows=rows)

    async def _escalations_preview(
        self,
        s: AsyncSession,
        views: list[PlacementView],
        locals_: dict[int, Local],
        cals: dict[int, ProgrammeCalendar],
        points: list[ReviewPoint],
        now: datetime,
    ) -> list[Planned]:
        if not self._leadership_hours(now):
            return []
        known = {}
        for rule in ("missed_meetings", "red_rating", "concern", "missing_ratings"):
            known[rule] = await q.escalation_keys(s, rule=rule)
        out = []
        for v, rule, cause, evidence in await self._off_track(s, views, locals_, cals, points, now):
            if (v.id, cause) in known[rule]:
                continue
            message = escalation.alert(
                v, _preview_escalation(v.id, rule, evidence), status_line=None
            )
            out.append(
                Planned(
                    f"escalation:new:{v.id}:{rule}:{cause}",
                    "escalation_alert",
                    None,
                    message,
                    f"off track: {rule}",
                    escalation_level=1,
                )
            )
        return out

    def _leadership_hours(self, now: datetime) -> bool:
        local = now.astimezone(ZoneInfo("Europe/London"))
        return (
            ProgrammeCalendar().is_school_day(local.date())
            and self.policy.working_hours_start <= local.time() < self.policy.working_hours_end
        )


def _preview_escalation(placement_id: int, rule: str, evidence: dict[str, str]) -> Any:
    from storage.models import Escalation

    return Escalation(id=0, placement_id=placement_id, rule=rule, cause_key="", evidence=evidence)


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


async def recipient_names(s: AsyncSession, ids: set[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for pid in ids:
        person = await people.by_id(s, person_id=pid)
        if person is not None:
            names[pid] = person.full_name
    return names
