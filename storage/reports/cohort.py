"""The cohort report: a programme's or a school's trainees at a glance.

The latest rating per trainee and standard (the heatmap), meetings signed off per week,
observation feedback timeliness, and open concerns and escalations with their age. Each
part is one query over every placement in the report (the placements are a subquery, not
a list of ids), so 2,000 trainees with a year of records is a handful of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.enums import EscalationStatus
from storage.models import (
    Concern,
    Escalation,
    Observation,
    Placement,
    Programme,
    RagRating,
    ReviewPoint,
    School,
    WeeklyMeeting,
)
from storage.repo.frameworks import Value
from storage.reports.common import (
    Frameworks,
    PlacementRow,
    as_row,
    days_between,
    frameworks_of,
    placement_rows,
)


class UnknownName(LookupError):
    """A filter names a programme, school or review point that is not on record."""

    def __init__(self, what: str, name: str) -> None:
        super().__init__(f"no {what} called {name!r}")
        self.what, self.name = what, name


@dataclass(frozen=True, slots=True)
class CohortFilter:
    programme: str | None = None
    school: str | None = None
    review_point: str | None = None
    # The asker's scope: only these schools (a lead mentor's); None is the partnership.
    school_ids: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class Timeliness:
    """Observation feedback for one trainee: how many, and days from lesson to feedback
    and to the trainee's acknowledgement (mean and worst)."""

    observations: int
    mean_days_to_feedback: float | None
    worst_days_to_feedback: int | None
    mean_days_to_acknowledgement: float | None
    unacknowledged: int


@dataclass(frozen=True, slots=True)
class OpenItem:
    placement_id: int
    trainee_name: str
    school_name: str
    kind: str  # concern | escalation
    what: str  # concern category or escalation rule
    opened_at: datetime
    age_days: int


@dataclass(frozen=True, slots=True)
class CohortReport:
    filters: CohortFilter
    review_points: tuple[str, ...]  # of the programmes in the report, in date order
    trainees: list[PlacementRow]
    standards: tuple[tuple[str, str], ...]
    latest: dict[tuple[int, str], str]  # (placement id, standard code) -> rag
    weeks: list[date]
    meetings: dict[tuple[int, date], str]  # (placement id, week) -> status, signed-off ones
    timeliness: dict[int, Timeliness]
    open_items: list[OpenItem]
    generated_at: datetime
    scale: tuple[Value, ...]  # the values the grid's cells can hold, in order
    frameworks: Frameworks

    def rating(self, placement_id: int, code: str) -> str | None:
        return self.latest.get((placement_id, code))

    def meeting(self, placement_id: int, week: date) -> str | None:
        return self.meetings.get((placement_id, week))


async def _id_named(session: AsyncSession, model: type, name: str, what: str) -> int:
    found = (
        await session.execute(select(model.id).where(func.lower(model.name) == name.lower()))
    ).scalar()
    if found is None:
        raise UnknownName(what, name)
    return int(found)


async def _placement_filter(session: AsyncSession, f: CohortFilter) -> Select:
    """The ids of the placements in the report, as a subquery for every other query."""
    ids = select(Placement.id)
    if f.programme:
        programme_id = await _id_named(session, Programme, f.programme, "programme")
        ids = ids.where(Placement.programme_id == programme_id)
    if f.school:
        school_id = await _id_named(session, School, f.school, "school")
        ids = ids.where(Placement.school_id == school_id)
    if f.school_ids is not None:
        ids = ids.where(Placement.school_id.in_(f.school_ids))
    return ids


async def cohort(session: AsyncSession, f: CohortFilter, *, now: datetime) -> CohortReport:
    """The report for these filters; UnknownName for a filter naming nothing."""
    ids = await _placement_filter(session, f)
    point_id = None
    if f.review_point:
        point_id = await _id_named(session, ReviewPoint, f.review_point, "review point")
    rows = await session.execute(placement_rows().where(Placement.id.in_(ids)))
    trainees = [as_row(r) for r in rows.all()]
    names = {t.id: (t.trainee_name, t.school_name) for t in trainees}
    on = await frameworks_of(session, {t.programme_id for t in trainees})
    meetings = await _meetings(session, ids)
    return CohortReport(
        filters=f,
        review_points=await _review_points(session, {t.programme_id for t in trainees}),
        trainees=trainees,
        standards=on.standards,
        latest=await _latest_ratings(session, ids, point_id, on.codes),
        weeks=sorted({week for _, week in meetings}),
        meetings=meetings,
        timeliness=await _timeliness(session, ids),
        open_items=await _open_items(session, ids, names, now),
        generated_at=now,
        scale=on.scale,
        frameworks=on,
    )


async def _review_points(session: AsyncSession, programme_ids: Collection[int]) -> tuple[str, ...]:
    stmt = (
        select(ReviewPoint.name)
        .where(ReviewPoint.programme_id.in_(programme_ids))
        .order_by(ReviewPoint.start_date, ReviewPoint.name)
    )
    return tuple(dict.fromkeys((await session.execute(stmt)).scalars()))


async def _latest_ratings(
    session: AsyncSession,
    ids: Select,
    point_id: int | None,
    scales: list[str],
) -> dict[tuple[int, str], str]:
    """The latest review-point rating per placement and strand (at one review point if
    asked) on the report's frameworks, picked in the database by a window function."""
    r = RagRating
    rank = (
        func.row_number()
        .over(
            partition_by=(r.placement_id, r.item_code), order_by=(r.created_at.desc(), r.id.desc())
        )
        .label("rank")
    )
    inner = select(r.placement_id, r.item_code, r.rating, rank).where(
        r.placement_id.in_(ids),
        r.scale.in_(scales),
        r.review_point_id.is_not(None) if point_id is None else r.review_point_id == point_id,
    )
    ranked = inner.subquery()
    stmt = select(ranked.c.placement_id, ranked.c.item_code, ranked.c.rating).where(
        ranked.c.rank == 1
    )
    return {(pid, code): rag for pid, code, rag in (await session.execute(stmt)).all()}


async def _meetings(
    session: AsyncSession,
    ids: Select,
) -> dict[tuple[int, date], str]:
    m = WeeklyMeeting
    stmt = select(m.placement_id, m.week_start, m.status, m.signed_off_at).where(
        m.placement_id.in_(ids)
    )
    out: dict[tuple[int, date], str] = {}
    for pid, week, status, signed_at in (await session.execute(stmt)).all():
        # A held meeting counts once it is signed off; the other outcomes are shown as such.
        out[(pid, week)] = status if (status != "held" or signed_at is not None) else "pending"
    return out


async def _timeliness(
    session: AsyncSession,
    ids: Select,
) -> dict[int, Timeliness]:
    o = Observation
    stmt = select(o.placement_id, o.observed_on, o.created_at, o.acknowledged_at).where(
        o.placement_id.in_(ids)
    )
    to_feedback: dict[int, list[int]] = defaultdict(list)
    to_ack: dict[int, list[int]] = defaultdict(list)
    waiting: dict[int, int] = defaultdict(int)
    for pid, observed_on, feedback_at, acknowledged_at in (await session.execute(stmt)).all():
        to_feedback[pid].append(max(0, days_between(observed_on, feedback_at) or 0))
        acked = days_between(observed_on, acknowledged_at)
        if acked is None:
            waiting[pid] += 1
        else:
            to_ack[pid].append(max(0, acked))
    return {
        pid: Timeliness(
            observations=len(days),
            mean_days_to_feedback=_mean(days),
            worst_days_to_feedback=max(days),
            mean_days_to_acknowledgement=_mean(to_ack.get(pid, [])),
            unacknowledged=waiting[pid],
        )
        for pid, days in to_feedback.items()
    }


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


async def _open_items(
    session: AsyncSession,
    ids: Select,
    names: dict[int, tuple[str, str]],
    now: datetime,
) -> list[OpenItem]:
    """Open escalations, and concerns whose escalation is not resolved (or never raised)."""
    e = Escalation
    escalations = (
        await session.execute(
            select(e.placement_id, e.rule, e.cause_key, e.status, e.created_at).where(
                e.placement_id.in_(ids)
            )
        )
    ).all()
    resolved = {
        cause for _, _, cause, status, _ in escalations if status == EscalationStatus.RESOLVED
    }
    items = [
        _item(pid, "escalation", rule, at, names, now)
        for pid, rule, _cause, status, at in escalations
        if status != EscalationStatus.RESOLVED
    ]
    c = Concern
    concerns = await session.execute(
        select(c.id, c.placement_id, c.category, c.created_at).where(c.placement_id.in_(ids))
    )
    items += [
        _item(pid, "concern", category, at, names, now)
        for cid, pid, category, at in concerns.all()
        if f"concern:{cid}" not in resolved
    ]
    return sorted(items, key=lambda item: (-item.age_days, item.trainee_name))


def _item(
    pid: int, kind: str, what: str, at: datetime, names: dict[int, tuple[str, str]], now: datetime
) -> OpenItem:
    trainee, school = names.get(pid, ("?", "?"))
    return OpenItem(pid, trainee, school, kind, what, at, max(0, (now - at).days))


async def trainee_count(session: AsyncSession, f: CohortFilter) -> int:
    """How many placements the report for these filters covers (to size a progress bar)."""
    ids = (await _placement_filter(session, f)).subquery()
    return int((await session.execute(select(func.count()).select_from(ids))).scalar_one())
