"""What review-point ratings make due: ratings for each trainee at each ReviewPoint, owed
from the moment the point is near (nudges to the mentor) until someone rates them; still
missing days after the point, the lead mentor is told."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keys
from handlers.owed import Owed, Planned, Snapshot, Timing
from handlers.ratings.flow import do_it_now, missing_to_lead, nudge
from handlers.text import t
from handlers.ui import Actions, Section
from storage.repo import sweeps as q


def owes_ratings(snap: Snapshot, placement_id: int, review_point_id: int | None) -> bool:
    """The one decision: ratings are owed at a review point until any are recorded."""
    return (placement_id, review_point_id) in snap.unrated


def nudged(snap: Snapshot) -> set[tuple[int, int]]:
    """(placement, review point) pairs whose mentor was nudged about the ratings lately.

    Only those are chased: a review point that ended before the bot ran (a partnership
    starting mid-year) was never asked about, so it is neither the lead mentor's nor the
    ITT team's business (a fresh install's first sweep raised one escalation per trainee
    and review point of the year so far)."""
    if snap.nudged is not None:
        return snap.nudged
    prefix = keys.ReviewPointNudge.PREFIX + ":"
    pairs: set[tuple[int, int]] = set()
    for known in snap.known:
        if known.startswith(prefix):
            key = keys.parse(known)
            if isinstance(key, keys.ReviewPointNudge):
                pairs.add((key.placement_id, key.review_point_id))
    snap.nudged = pairs
    return pairs


class RatingsRule:
    async def load(self, session: AsyncSession, snap: Snapshot) -> None:
        """The shared snapshot already holds the unrated pairs; a single queued nudge loads
        just its own pair."""
        if isinstance(snap.scope.key, keys.ReviewPointNudge):
            key = snap.scope.key
            snap.unrated = await q.unrated(
                session,
                on=None,
                placement_ids=[key.placement_id],
                review_point_ids=[key.review_point_id],
            )

    def plan(self, snap: Snapshot, facts: None, timing: Timing) -> Iterator[Planned]:
        yield from self._nudges(snap, timing)
        yield from self._to_leads(snap, timing)

    def _nudges(self, snap: Snapshot, timing: Timing) -> Iterator[Planned]:
        for (_zone, programme_id, _school), (loc, views) in snap.groups.items():
            if not loc.allowed:
                continue
            for rp in snap.points_of(programme_id):
                if rp.id is None or loc.today > rp.end_date or not snap.unrated_at(rp.id):
                    continue
                # The nearest offset already reached: after downtime, one nudge, not two.
                due = [
                    d
                    for d in timing.review_point_nudge_days
                    if rp.start_date - timedelta(days=d) <= loc.today
                ]
                if not due:
                    continue
                offset, why = min(due), f"ratings outstanding at {rp.name}"
                for v in views:
                    if not owes_ratings(snap, v.id, rp.id):
                        continue
                    key = str(keys.ReviewPointNudge(v.id, rp.id, offset))
                    if key in snap.known:
                        continue
                    message = nudge(v, rp.id, rp.name, rp.start_date, loc.today)
                    yield Planned(key, "review_point_nudge", v.mentor_id, message, why)

    def _to_leads(self, snap: Snapshot, timing: Timing) -> Iterator[Planned]:
        """Review-point ratings still missing N days on go to the lead mentor first."""
        days = timedelta(days=timing.off_track.missing_ratings_days)
        for (_zone, programme_id, _school), (loc, views) in snap.groups.items():
            if not loc.allowed:
                continue
            for rp in snap.points_of(programme_id):
                if rp.id is None or rp.end_date + days > loc.today or not snap.unrated_at(rp.id):
                    continue
                for v in views:
                    if not owes_ratings(snap, v.id, rp.id) or (v.id, rp.id) not in nudged(snap):
                        continue
                    key = str(keys.MissingRatings(v.id, rp.id))
                    if key in snap.known:
                        continue
                    message = missing_to_lead(v, rp.name)
                    yield Planned(
                        key, "missing_ratings", v.lead_mentor_id, message, "ratings missing"
                    )

    def owed(self, snap: Snapshot, facts: None) -> Iterable[Owed]:
        for v in snap.views:
            point = snap.current_point(v.programme_id, snap.today)
            if point is None or point.id is None or not owes_ratings(snap, v.id, point.id):
                continue
            text = Section(t("owe_rating", trainee=v.trainee_name, review_point=point.name))
            yield Owed((0, v.id), (text, Actions((do_it_now(v, point.id),))))

    def applies(self, snap: Snapshot, facts: None, key: keys.OutboxKey) -> bool | None:
        if isinstance(key, keys.ReviewPointNudge):
            return owes_ratings(snap, key.placement_id, key.review_point_id)
        return None


RULE = RatingsRule()
