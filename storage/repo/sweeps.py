"""Set-based reads for the scheduler's sweeps: one query per kind of fact, never one per
trainee, so a sweep over tens of thousands of placements stays a handful of queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, and_, cast, exists, func, literal, or_, select, true
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.enums import Scale
from storage.models import (
    Concern,
    Escalation,
    Observation,
    OutboxMessage,
    Placement,
    RagRating,
    ReviewPoint,
    WeeklyMeeting,
)
from storage.repo import outbox_bulk
from storage.repo.frameworks import off_track_values
from storage.repo.placements import PlacementView, _view_query

CHUNK = 500
# Beyond this many placements a read goes over all of them once instead of in IN lists.
ONE_PASS = 5 * CHUNK
# Scales ratings are stored under that are not a programme's framework.
NOT_FRAMEWORKS = (Scale.MENTOR_STANDARDS.value, Scale.WELLBEING.value)


async def _core(session: AsyncSession, stmt: Any) -> Result[Any]:
    """A read of columns, many rows of them, through Core on the session's connection (in
    its transaction): the ORM's result handling cost a third of such reads. Pending
    changes are flushed first, as the ORM would."""
    await session.flush()
    connection = await session.connection()
    return await connection.execute(stmt)


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


async def active_placements(session: AsyncSession, *, on: date) -> list[PlacementView]:
    stmt = _view_query().where(Placement.start_date <= on, Placement.end_date >= on)
    return [PlacementView(*tuple(row)) for row in (await _core(session, stmt)).all()]


async def signed_off(
    session: AsyncSession, *, weeks: Iterable[date], placement_ids: list[int] | None = None
) -> set[tuple[int, date]]:
    """(placement, week) pairs whose meeting is signed off, for the given weeks (and
    placements; None: all)."""
    stmt = select(WeeklyMeeting.placement_id, WeeklyMeeting.week_start).where(
        WeeklyMeeting.week_start.in_(list(weeks)), WeeklyMeeting.signed_off_at.is_not(None)
    )
    if placement_ids is not None:
        stmt = stmt.where(WeeklyMeeting.placement_id.in_(placement_ids))
    return {(pid, week) for pid, week in (await _core(session, stmt)).all()}


async def last_signed_off(session: AsyncSession, *, placement_ids: list[int]) -> dict[int, date]:
    """The last week signed off per placement, of those given. Asked per placement (the
    newest of its meetings, found down the (placement, week) index) rather than grouping
    every meeting of the year: on digest day, a third of the time."""
    newest = (
        select(func.max(WeeklyMeeting.week_start))
        .where(WeeklyMeeting.placement_id == Placement.id, WeeklyMeeting.signed_off_at.is_not(None))
        .scalar_subquery()
    )
    stmt = select(Placement.id, newest)
    if len(placement_ids) > ONE_PASS:
        # Most placements (digest day): one pass over all, not dozens of IN lists.
        wanted = set(placement_ids)
        rows = (await _core(session, stmt)).all()
        return {pid: week for pid, week in rows if pid in wanted and week is not None}
    out: dict[int, date] = {}
    for chunk in _chunks(placement_ids):
        found = await _core(session, stmt.where(Placement.id.in_(chunk)))
        out.update({pid: week for pid, week in found.all() if week is not None})
    return out


async def review_points(session: AsyncSession) -> list[ReviewPoint]:
    return list((await session.execute(select(ReviewPoint))).scalars().all())


async def current_ratings(
    session: AsyncSession,
    *,
    review_point_ids: list[int] | None = None,
) -> list[tuple[int, int | None, str, str, str]]:
    """The newest rating per (placement, framework, item) — per review point when ids are
    given — as (placement, review point, scale, item, rating), on any framework (a
    framework's code is its ratings' scale). History stays; this is today's picture."""
    partition: list[Any] = [RagRating.placement_id, RagRating.scale, RagRating.item_code]
    if review_point_ids is not None:
        partition.insert(1, RagRating.review_point_id)
    ranked = select(
        RagRating.placement_id,
        RagRating.review_point_id,
        RagRating.scale,
        RagRating.item_code,
        RagRating.rating,
        func.row_number()
        .over(partition_by=partition, order_by=(RagRating.created_at.desc(), RagRating.id.desc()))
        .label("rank"),
    ).where(RagRating.scale.not_in(NOT_FRAMEWORKS), RagRating.placement_id.is_not(None))
    if review_point_ids is not None:
        ranked = ranked.where(RagRating.review_point_id.in_(review_point_ids or [-1]))
    sub = ranked.subquery()
    stmt = select(
        sub.c.placement_id, sub.c.review_point_id, sub.c.scale, sub.c.item_code, sub.c.rating
    ).where(sub.c.rank == 1)
    return [tuple(row) for row in (await _core(session, stmt)).all()]  # type: ignore[misc]


async def current_ratings_on(
    session: AsyncSession, *, scale: str, placement_ids: list[int] | None = None
) -> Iterable[tuple[int, str, str]]:
    """The newest rating per (placement, item) on one framework, as (placement, item,
    rating): the digest's grid, of the placements given (a cohort; None: every trainee's,
    for `mentorbot due` on digest day). Each database is asked in its own fastest way, from
    the index that holds these columns (ranking every rating of the year with a window
    function took four times as long)."""
    where: tuple[Any, ...] = (RagRating.scale == scale, RagRating.placement_id.is_not(None))
    if placement_ids is not None:
        where = (*where, RagRating.placement_id.in_(placement_ids))
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    stmt: Any
    if dialect == "postgresql":
        stmt = _distinct_on(
            select(RagRating.placement_id, RagRating.item_code, RagRating.rating).where(*where),
            RagRating.placement_id,
            RagRating.item_code,
        ).order_by(  # all descending: the index read backwards, with no sort
            RagRating.placement_id.desc(),
            RagRating.item_code.desc(),
            RagRating.created_at.desc(),
            RagRating.id.desc(),
        )
        return list((await _core(session, stmt)).all())  # type: ignore[arg-type]
    # SQLite: with max() the other columns come from the row holding the maximum (SQLite's
    # documented "bare column" rule). Two ratings of one strand stamped in the same
    # microsecond are the only case where this may differ from the ordering above.
    stmt = (
        select(
            RagRating.placement_id,
            RagRating.item_code,
            RagRating.rating,
            # The max() picks the row; its value is not wanted (a timestamp per cell would
            # be parsed and held): "IS NOT NULL" keeps the one max() and returns a flag.
            func.max(RagRating.created_at).is_not(None),
        )
        .where(*where)
        .group_by(RagRating.placement_id, RagRating.item_code)
    )
    rows = (await _core(session, stmt)).all()
    return (
        (pid, item, rating) for pid, item, rating, _at in rows
    )  # not copied: 270k on digest day


def _distinct_on(stmt: Any, *columns: Any) -> Any:
    """PostgreSQL's DISTINCT ON, spelt as the installed SQLAlchemy wants it (2.1 moved it
    to a dialect extension; 2.0 has only the older spelling)."""
    try:
        from sqlalchemy.dialects.postgresql import distinct_on
    except ImportError:  # SQLAlchemy 2.0
        return stmt.distinct(*columns)
    return stmt.ext(distinct_on(*columns))


async def recent_concerns(session: AsyncSession, *, since: datetime) -> list[Concern]:
    stmt = select(Concern).where(Concern.created_at >= since)
    return list((await session.execute(stmt)).scalars().all())


async def escalated_placements(session: AsyncSession) -> dict[int, set[str]]:
    """Placements with an open (unresolved) escalation, by rule."""
    stmt = select(Escalation.placement_id, Escalation.rule).where(Escalation.status != "resolved")
    out: dict[int, set[str]] = {}
    for pid, rule in (await _core(session, stmt)).all():
        out.setdefault(pid, set()).add(rule)
    return out


async def unacknowledged_escalations(
    session: AsyncSession, *, alerted_before: datetime
) -> list[Escalation]:
    stmt = select(Escalation).where(
        Escalation.status == "open",
        Escalation.last_alerted_at.is_not(None),
        Escalation.last_alerted_at <= alerted_before,
    )
    return list((await session.execute(stmt)).scalars().all())


async def never_alerted(session: AsyncSession) -> list[Escalation]:
    stmt = select(Escalation).where(
        Escalation.status == "open", Escalation.last_alerted_at.is_(None)
    )
    return list((await session.execute(stmt)).scalars().all())


async def unacknowledged_observations(
    session: AsyncSession,
    *,
    before: datetime | None = None,
    placement_ids: list[int] | None = None,
    observation_ids: list[int] | None = None,
) -> list[Observation]:
    """Observation feedback not acknowledged yet: recorded before `before`, of the given
    placements or the given observations (None: no such filter)."""
    stmt = select(Observation).where(Observation.acknowledged_at.is_(None))
    if before is not None:
        stmt = stmt.where(Observation.created_at <= before)
    if placement_ids is not None:
        stmt = stmt.where(Observation.placement_id.in_(placement_ids))
    if observation_ids is not None:
        stmt = stmt.where(Observation.id.in_(observation_ids))
    return list((await session.execute(stmt)).scalars().all())


async def nudges_since(
    session: AsyncSession, *, kinds: Iterable[str], since: datetime
) -> dict[int, int]:
    """How many nudges each person has been sent (or has queued) since `since`."""
    stmt = (
        select(OutboxMessage.recipient_id, func.count())
        .where(
            OutboxMessage.kind.in_(list(kinds)),
            OutboxMessage.created_at >= since,
            OutboxMessage.recipient_id.is_not(None),
            OutboxMessage.status != "cancelled",
        )
        .group_by(OutboxMessage.recipient_id)
    )
    return {rid: n for rid, n in (await _core(session, stmt)).all()}


async def dead_recipients(session: AsyncSession, *, since: datetime) -> set[int]:
    """People a message could not reach recently (dead-lettered, or held until they
    connect)."""
    stmt = select(OutboxMessage.recipient_id).where(
        OutboxMessage.status.in_(("dead", "held")),  # type: ignore[attr-defined]
        OutboxMessage.created_at >= since,
        OutboxMessage.recipient_id.is_not(None),
    )
    return {rid for rid in (await _core(session, stmt)).scalars().all() if rid is not None}


async def enqueue_many(session: AsyncSession, *, rows: list[dict[str, Any]]) -> int:
    """Insert outbox rows whose key is new; the unique key makes a repeated sweep a no-op."""
    return await outbox_bulk.queue_rows(session, rows)


async def recent_keys(session: AsyncSession, *, since: datetime) -> set[str]:
    """Keys queued since `since`: what a sweep need not plan again."""
    stmt = select(OutboxMessage.key).where(OutboxMessage.created_at >= since)
    return set((await _core(session, stmt)).scalars().all())


async def escalation_causes(session: AsyncSession) -> set[tuple[int, str, str]]:
    stmt = select(Escalation.placement_id, Escalation.rule, Escalation.cause_key)
    return {(pid, rule, cause) for pid, rule, cause in (await _core(session, stmt)).all()}


async def off_track_at(
    session: AsyncSession, *, review_point_ids: list[int], placement_ids: list[int] | None = None
) -> list[tuple[int, int, str]]:
    """(placement, review point, item) whose newest rating at that point is a value its
    framework marks off track (Red on the Teachers' Standards), of the placements given
    (None: all). Such ratings are few, so this reads them and checks each has no newer
    rating, instead of ranking all."""
    if not review_point_ids or placement_ids == []:
        return []
    # The off-track values are read first (a handful): a correlated lookup per rating at
    # the review point cost four times the query itself.
    values = await off_track_values(session)
    if not values:
        return []
    newer = aliased(RagRating)
    off_track = or_(
        *(
            and_(RagRating.scale == scale, RagRating.rating.in_(sorted(codes)))
            for scale, codes in sorted(values.items())
        )
    )
    stmt = select(RagRating.placement_id, RagRating.review_point_id, RagRating.item_code).where(
        RagRating.review_point_id.in_(review_point_ids),
        RagRating.placement_id.in_(placement_ids) if placement_ids is not None else true(),
        off_track,
        ~exists().where(
            newer.placement_id == RagRating.placement_id,
            newer.review_point_id == RagRating.review_point_id,
            newer.item_code == RagRating.item_code,
            (newer.created_at > RagRating.created_at)
            | ((newer.created_at == RagRating.created_at) & (newer.id > RagRating.id)),
        ),
    )
    return [(pid, rp, item) for pid, rp, item in (await _core(session, stmt)).all()]


async def unrated(
    session: AsyncSession,
    *,
    on: date | None,
    placement_ids: list[int] | None = None,
    review_point_ids: list[int] | None = None,
) -> set[tuple[int, int]]:
    """(placement, review point) pairs with no rating at that point, of placements active
    `on` (None: any) and, when given, only the placements and review points named.
    Asked this way round because the answer is small (most trainees are rated) while the
    rated pairs run to hundreds of thousands."""
    rated = exists().where(
        RagRating.placement_id == Placement.id, RagRating.review_point_id == ReviewPoint.id
    )
    stmt = (
        select(Placement.id, ReviewPoint.id)
        .join(ReviewPoint, ReviewPoint.programme_id == Placement.programme_id)
        .where(~rated)
    )
    if on is not None:
        stmt = stmt.where(Placement.start_date <= on, Placement.end_date >= on)
    if placement_ids is not None:
        stmt = stmt.where(Placement.id.in_(placement_ids))
    if review_point_ids is not None:
        stmt = stmt.where(ReviewPoint.id.in_(review_point_ids))
    return {(pid, rp) for pid, rp in (await _core(session, stmt)).all()}


async def missed_weeks(
    session: AsyncSession,
    *,
    placement_ids: list[int],
    weeks: list[date],
    prompt_key: Callable[[date], tuple[str, str]],
) -> set[int]:
    """Placements, among those given, whose mentor was sent the weekly prompt for every one
    of `weeks` and signed none of them off: the missed-meetings rule, done in the database.
    `prompt_key(week)` is the prompt's outbox key around the placement id (the key's format
    belongs to the handlers)."""
    if not weeks or not placement_ids:
        return set()
    conditions = []
    for week in weeks:
        before, after = prompt_key(week)
        key = literal(before, String) + cast(Placement.id, String) + literal(after, String)
        conditions.append(exists().where(OutboxMessage.key == key, OutboxMessage.status == "sent"))
    signed = exists().where(
        WeeklyMeeting.placement_id == Placement.id,
        WeeklyMeeting.week_start.in_(weeks),
        WeeklyMeeting.signed_off_at.is_not(None),
    )
    out: set[int] = set()
    for chunk in _chunks(placement_ids, 5000):
        stmt = select(Placement.id).where(Placement.id.in_(chunk), *conditions, ~signed)
        out.update((await _core(session, stmt)).scalars().all())
    return out
