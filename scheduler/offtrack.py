"""The off-track rules: a trainee who newly meets one is escalated to the ITT leadership
channel with the evidence, and an alert nobody acknowledged goes one level up.

Each rule is decided set-based over the sweep's snapshot; the weekly and ratings facts
are the ones their conversations' rules decide with.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import escalation, keys
from handlers.escalation import batch
from handlers.escalation.route import Route
from handlers.owed import Planned, Snapshot
from handlers.ratings import nudged, owes_ratings
from scheduler.policy import Policy
from storage.calendar_rules import ProgrammeCalendar
from storage.models import Escalation, ReviewPoint
from storage.repo import sweeps as q
from storage.repo import targets
from storage.repo.placements import PlacementView

LEADERSHIP_ZONE = ZoneInfo("Europe/London")
# placement, rule, cause, evidence (ids, codes and dates: labels are rendered when shown)
Finding = tuple[PlacementView, str, str, dict[str, Any]]


# The placements asked about the same weeks, and their ids.
AskedAbout = tuple[list[PlacementView], frozenset[int]]
# How long which placements missed their meetings is trusted before it is read again.
MISSED_KEPT_FOR = timedelta(minutes=15)
# Beyond this many placements rated since the last sweep, off-track ratings are read anew.
REREAD_ALL_OVER = 2000


@dataclass(slots=True)
class Kept:
    """What the off-track rules worked out over the whole partnership, kept between sweeps."""

    # placement -> (review point, item) rated off track, at the review points `ratings_at`
    ratings: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    ratings_at: tuple[int, ...] = ()
    # the weeks asked about -> (the placements asked about them, those that missed them all)
    missed: dict[tuple[date, ...], tuple[frozenset[int], set[int]]] = field(default_factory=dict)
    missed_at: datetime | None = None
    # the placements by the weeks that count, for the views `asked_of` and the weeks `asked_sig`
    asked: dict[tuple[date, ...], AskedAbout] = field(default_factory=dict)
    asked_of: list[PlacementView] | None = None
    asked_sig: tuple[Any, ...] = ()


class OffTrack:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.kept = Kept()
        self.routes = {
            level: Route(channel=r.channel, people=tuple(r.people))
            for level in range(1, policy.escalation_levels + 1)
            for r in (policy.route(level),)
        }

    def leadership_hours(self, now: datetime) -> bool:
        local = now.astimezone(LEADERSHIP_ZONE)
        working = self.policy.working_hours_start <= local.time() < self.policy.working_hours_end
        return ProgrammeCalendar().is_school_day(local.date()) and working

    async def find(
        self, s: AsyncSession, snap: Snapshot, rated: set[int] | None = None
    ) -> list[Finding]:
        """Trainees who newly meet an off-track rule (not already escalated for that cause).
        `rated`: the placements rated since the last call (None: unknown, read them all)."""
        causes = await q.escalation_causes(s)
        open_rules = await q.escalated_placements(s)
        found = await self._missed_meetings(s, snap, open_rules, causes)
        found += await self._off_track_ratings(s, snap, rated)
        found += await self._concerns(s, snap)
        found += self._missing_ratings(snap)
        found += await self._targets_not_met(s, snap)
        return [f for f in found if (f[0].id, f[1], f[2]) not in causes]

    async def _missed_meetings(
        self,
        s: AsyncSession,
        snap: Snapshot,
        open_rules: dict[int, set[str]],
        causes: set[tuple[int, str, str]],
    ) -> list[Finding]:
        """Only weeks the mentor was asked about count (never weeks before the bot ran).

        Which placements missed the weeks is kept between sweeps for a few minutes (it
        changes when a past week's prompt is delivered late or its meeting signed off
        late); anyone it would newly escalate is checked again in the database first."""
        kept = self.kept
        by_weeks = self._asked_weeks(snap)
        stale = kept.missed_at is None or not (
            kept.missed_at <= snap.now < kept.missed_at + MISSED_KEPT_FOR
        )
        missed_by_weeks: dict[tuple[date, ...], tuple[frozenset[int], set[int]]] = {}
        found: list[Finding] = []
        for weeks, (group, ids) in by_weeks.items():
            held = None if stale else kept.missed.get(weeks)
            if held is not None and held[0] == ids:
                missed = held[1]
            else:
                missed = await self._missed(s, sorted(ids), weeks)
                held = None
            missed_by_weeks[weeks] = (ids, missed)
            cause = ",".join(str(w) for w in weeks)
            new = [
                v
                for v in group
                if v.id in missed
                and "missed_meetings" not in open_rules.get(v.id, set())
                and (v.id, "missed_meetings", cause) not in causes
            ]
            if new and held is not None:
                still = await self._missed(s, [v.id for v in new], weeks)
                new = [v for v in new if v.id in still]
            evidence = {"weeks": [w.isoformat() for w in weeks]}
            found += [(v, "missed_meetings", cause, dict(evidence)) for v in new]
        kept.missed = missed_by_weeks
        if stale:
            kept.missed_at = snap.now
        return found

    def _asked_weeks(self, snap: Snapshot) -> dict[tuple[date, ...], AskedAbout]:
        """The placements by the teaching weeks before this one that count, worked out
        again only when the placements (the sweep's reference picture) or a week moved."""
        needed = self.policy.off_track.missed_weeks
        sig = (needed, tuple(sorted((key, loc.week) for key, (loc, _v) in snap.groups.items())))
        kept = self.kept
        if kept.asked_of is snap.views and kept.asked_sig == sig:
            return kept.asked
        by_weeks: dict[tuple[date, ...], list[PlacementView]] = defaultdict(list)
        for loc, views in snap.groups.values():
            cal = snap.calendar(views[0])  # the same for every placement of the group
            for v in views:
                before = cal.teaching_weeks_before(loc.week, needed, not_before=v.start_date)
                if len(before) == needed:
                    by_weeks[tuple(sorted(before))].append(v)
        kept.asked = {w: (vs, frozenset(v.id for v in vs)) for w, vs in by_weeks.items()}
        kept.asked_of, kept.asked_sig = snap.views, sig
        return kept.asked

    async def _missed(self, s: AsyncSession, ids: list[int], weeks: tuple[date, ...]) -> set[int]:
        return await q.missed_weeks(
            s, placement_ids=ids, weeks=list(weeks), prompt_key=keys.WeeklyPrompt.sql_parts
        )

    async def _off_track_ratings(
        self, s: AsyncSession, snap: Snapshot, rated: set[int] | None
    ) -> list[Finding]:
        """A rating its framework marks off track (Red, "not yet"…) at the latest review
        point. The policy key keeps its first name, red_at_review_point; so does the rule.
        What was found is kept between sweeps and read again only for placements rated
        since (`rated`), or for all when that is not known or the review points moved on."""
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
        await self._read_off_track(s, latest, rated)
        by_id = snap.by_id()
        off_track: dict[tuple[int, int], list[str]] = defaultdict(list)
        for pid, rows in self.kept.ratings.items():
            v = by_id.get(pid)
            for rp_id, item in rows:
                if (
                    v is not None
                    and v.programme_id in latest
                    and latest[v.programme_id].id == rp_id
                ):
                    off_track[(pid, rp_id)].append(item)
        names = {rp.id: rp.name for rp in snap.points}
        return [
            (
                by_id[pid],
                "red_rating",
                f"rp:{rp_id}",
                {"review_point_id": rp_id, "review_point": names[rp_id], "items": sorted(items)},
            )
            for (pid, rp_id), items in off_track.items()
        ]

    async def _read_off_track(
        self, s: AsyncSession, latest: dict[int, ReviewPoint], rated: set[int] | None
    ) -> None:
        points = tuple(sorted(rp.id for rp in latest.values() if rp.id is not None))
        kept = self.kept
        whole = rated is None or points != kept.ratings_at or len(rated) > REREAD_ALL_OVER
        if not whole and not rated:
            return
        only = None if whole else sorted(rated or ())
        rows = await q.off_track_at(s, review_point_ids=list(points), placement_ids=only)
        if whole:
            kept.ratings, kept.ratings_at = {}, points
        else:
            for pid in rated or ():
                kept.ratings.pop(pid, None)
        for pid, rp_id, item in rows:
            kept.ratings.setdefault(pid, []).append((rp_id, item))

    async def _concerns(self, s: AsyncSession, snap: Snapshot) -> list[Finding]:
        if not self.policy.off_track.concern_escalates:
            return []
        by_id = snap.by_id()
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
        for (_zone, programme_id, _school), (loc, views) in snap.groups.items():
            for rp in snap.points_of(programme_id):
                if rp.end_date + late > loc.today:
                    continue
                if not snap.unrated_at(rp.id):
                    continue  # everyone rated there
                evidence = {"review_point_id": rp.id, "review_point": rp.name}
                for v in views:
                    # never a review point the mentor was not asked about
                    if owes_ratings(snap, v.id, rp.id) and (v.id, rp.id) in nudged(snap):
                        found.append((v, "missing_ratings", f"rp:{rp.id}", dict(evidence)))
        return found

    async def _targets_not_met(self, s: AsyncSession, snap: Snapshot) -> list[Finding]:
        """A target reviewed "not met" the policy's times in a row (once per target; one
        carried across placements is escalated on the trainee's placement now)."""
        times = self.policy.off_track.target_not_met_times
        if not times:
            return []
        by_trainee = {v.trainee_id: v for v in snap.views}
        since = snap.today - timedelta(days=60)
        streaks = await targets.not_met_streaks(s, times=times, since=since)
        return [
            (
                by_trainee[x.trainee_id],
                "target_not_met",
                f"target:{x.target_id}",
                {
                    "target_id": x.target_id,
                    "strand": x.strand_code,
                    "reviews": [d.isoformat() for d in x.review_dates],
                },
            )
            for x in streaks
            if x.trainee_id in by_trainee  # a trainee on placement now
        ]

    async def escalate(self, s: AsyncSession, snap: Snapshot, findings: list[Finding]) -> int:
        # In sets: a fresh deployment's first sweep finds thousands.
        raised = await batch.raise_escalations(s, found=findings, now=snap.now, routes=self.routes)
        if not self.leadership_hours(snap.now):
            return raised
        by_id = snap.by_id()
        hours = self.policy.acknowledge_within_hours
        for e in await q.unacknowledged_escalations(
            s, alerted_before=snap.now - timedelta(hours=hours)
        ):
            if e.level < self.policy.escalation_levels and e.placement_id in by_id:
                await escalation.raise_level(
                    s,
                    view=by_id[e.placement_id],
                    escalation=e,
                    hours=hours,
                    now=snap.now,
                    routes=self.routes,
                )
        return raised


def preview(finding: Finding) -> Planned:
    """What `mentorbot due` shows for an escalation a sweep would raise."""
    v, rule, cause, evidence = finding
    e = Escalation(id=0, placement_id=v.id, rule=rule, cause_key=cause, evidence=evidence)
    return Planned(
        str(keys.EscalationPreview(v.id, rule, cause)),
        "escalation_alert",
        None,
        escalation.alert(v, e, status_line=None),
        f"off track: {rule}",
        escalation_level=1,
    )
