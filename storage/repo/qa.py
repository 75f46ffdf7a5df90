"""The lead mentor's review-point QA forms: recorded once, listed for a school or a review
point, and what is owed (ratings in at a review point that has started, no form yet)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import select

from storage.models import Person, Placement, RagRating, ReviewPoint, ReviewPointQA
from storage.repo.upsert import insert_ignore


@dataclass(frozen=True, slots=True)
class QaOwed:
    """One QA form owed: the trainee's placement at a review point whose ratings are in."""

    placement_id: int
    review_point_id: int
    lead_mentor_id: int
    school_id: int
    trainee_id: int
    trainee_name: str
    review_point_name: str


@dataclass(frozen=True, slots=True)
class QaRecord:
    """A recorded form with the names a report or a message needs."""

    qa: ReviewPointQA
    trainee_name: str
    lead_mentor_name: str
    review_point_name: str
    school_id: int
    placement_id: int


async def record(session: AsyncSession, *, qa: ReviewPointQA) -> ReviewPointQA | None:
    """Record the form unless one exists for this trainee and review point; the new row,
    or None when it was recorded before (the same form twice records once, also when two
    submissions race: the database's unique key decides)."""
    row = qa.model_dump(exclude={"id"})
    inserted = await insert_ignore(
        session, ReviewPointQA, [row], conflict=["trainee_id", "review_point_id"]
    )
    if not inserted:
        return None
    return await find(session, trainee_id=qa.trainee_id, review_point_id=qa.review_point_id)


async def find(
    session: AsyncSession, *, trainee_id: int, review_point_id: int
) -> ReviewPointQA | None:
    stmt = select(ReviewPointQA).where(
        ReviewPointQA.trainee_id == trainee_id, ReviewPointQA.review_point_id == review_point_id
    )
    return (await session.execute(stmt)).scalars().first()


async def listed(
    session: AsyncSession,
    *,
    school_id: int | None = None,
    review_point_id: int | None = None,
    programme_id: int | None = None,
) -> list[QaRecord]:
    """Recorded forms, optionally for one school, one review point or one programme (the
    School Summary Report's source), ordered by review point then trainee."""
    trainee, lead = aliased(Person), aliased(Person)
    stmt = (
        select(
            ReviewPointQA,
            trainee.full_name,
            lead.full_name,
            ReviewPoint.name,
            Placement.school_id,
            Placement.id,
        )
        .join(trainee, trainee.id == ReviewPointQA.trainee_id)
        .join(lead, lead.id == ReviewPointQA.lead_mentor_id)
        .join(ReviewPoint, ReviewPoint.id == ReviewPointQA.review_point_id)
        .join(
            Placement,
            and_(
                Placement.trainee_id == ReviewPointQA.trainee_id,
                Placement.programme_id == ReviewPoint.programme_id,
            ),
        )
    )
    if school_id is not None:
        stmt = stmt.where(Placement.school_id == school_id)
    if review_point_id is not None:
        stmt = stmt.where(ReviewPointQA.review_point_id == review_point_id)
    if programme_id is not None:
        stmt = stmt.where(ReviewPoint.programme_id == programme_id)
    stmt = stmt.order_by(ReviewPoint.start_date, trainee.full_name, Placement.id)
    rows = (await session.execute(stmt)).all()
    return [QaRecord(*row) for row in rows]


def _owed_where(
    stmt: Any,
    on: date,
    placement_ids: Iterable[int] | None,
    review_point_ids: Iterable[int] | None,
    school_ids: Iterable[int] | None = None,
) -> Any:
    """What makes a form owed `on`: the placement is active that day, the review point (of
    its programme, within the placement) has started, ratings are recorded there, and no
    QA form is; optionally only for the placements, review points or schools named."""
    rated = exists().where(
        RagRating.placement_id == Placement.id, RagRating.review_point_id == ReviewPoint.id
    )
    recorded = exists().where(
        ReviewPointQA.trainee_id == Placement.trainee_id,
        ReviewPointQA.review_point_id == ReviewPoint.id,
    )
    stmt = stmt.join(ReviewPoint, ReviewPoint.programme_id == Placement.programme_id).where(
        Placement.start_date <= on,
        Placement.end_date >= on,
        ReviewPoint.start_date <= on,
        ReviewPoint.end_date >= Placement.start_date,
        rated,
        ~recorded,
    )
    if placement_ids is not None:
        stmt = stmt.where(Placement.id.in_(sorted(set(placement_ids))))
    if review_point_ids is not None:
        stmt = stmt.where(ReviewPoint.id.in_(sorted(set(review_point_ids))))
    if school_ids is not None:
        stmt = stmt.where(Placement.school_id.in_(sorted(set(school_ids))))
    return stmt


async def owed(
    session: AsyncSession,
    *,
    on: date,
    placement_ids: Iterable[int] | None = None,
    review_point_ids: Iterable[int] | None = None,
    school_ids: Iterable[int] | None = None,
) -> list[QaOwed]:
    """The QA forms owed `on`, with the names a form or a message needs, oldest review
    point first (the lead mentor's choice of trainee, the status count)."""
    stmt = select(
        Placement.id,
        ReviewPoint.id,
        Placement.lead_mentor_id,
        Placement.school_id,
        Placement.trainee_id,
        Person.full_name,
        ReviewPoint.name,
    ).select_from(Placement)
    stmt = _owed_where(stmt, on, placement_ids, review_point_ids, school_ids)
    stmt = stmt.join(Person, Person.id == Placement.trainee_id)
    stmt = stmt.order_by(ReviewPoint.start_date, Person.full_name, Placement.id)
    return [QaOwed(*row) for row in (await session.execute(stmt)).all()]


async def owed_pairs(
    session: AsyncSession,
    *,
    on: date,
    placement_ids: Iterable[int] | None = None,
    review_point_ids: Iterable[int] | None = None,
) -> set[tuple[int, int]]:
    """(placement, review point) of every QA form owed `on`: the same decision as `owed`,
    without names, for the sweep (one query for everyone, every minute)."""
    stmt = select(Placement.id, ReviewPoint.id).select_from(Placement)
    stmt = _owed_where(stmt, on, placement_ids, review_point_ids)
    return {(pid, rpid) for pid, rpid in (await session.execute(stmt)).all()}


async def ratings_at(
    session: AsyncSession, *, placement_id: int, review_point_id: int, scale: str
) -> dict[str, str]:
    """The mentor's judgement the form checks: the newest rating per item at the point."""
    stmt = (
        select(RagRating.item_code, RagRating.rating)
        .where(
            RagRating.placement_id == placement_id,
            RagRating.review_point_id == review_point_id,
            RagRating.scale == scale,
        )
        .order_by(RagRating.created_at, RagRating.id)
    )
    return dict((await session.execute(stmt)).all())  # later rows win


async def schools_led(session: AsyncSession, *, lead_mentor_id: int, on: date) -> set[int]:
    """The schools where this person is the lead mentor of a placement active `on`."""
    stmt = select(Placement.school_id).where(
        Placement.lead_mentor_id == lead_mentor_id,
        Placement.start_date <= on,
        Placement.end_date >= on,
    )
    return set((await session.execute(stmt.distinct())).scalars().all())


# Beyond this many mentors, the digest's count reads every placement instead of an IN list.
MANY = 2500


async def owed_by_mentor(
    session: AsyncSession, *, mentor_ids: Iterable[int], on: date
) -> dict[int, int]:
    """How many forms are owed for the trainees of each of these mentors (the digest)."""
    ids = sorted(set(mentor_ids))
    if not ids:
        return {}
    stmt = select(Placement.id, Placement.mentor_id)
    # Digest day names most mentors: asking about all placements once beats an IN list of
    # tens of thousands (which SQLite's limit on bound values would also refuse).
    many = len(ids) > MANY
    if not many:
        stmt = stmt.where(Placement.mentor_id.in_(ids))
    wanted = set(ids)
    mentor_of = {pid: mid for pid, mid in (await session.execute(stmt)).all() if mid in wanted}
    out: dict[int, int] = {}
    pairs = await owed_pairs(session, on=on, placement_ids=None if many else mentor_of)
    for placement_id, _point in pairs:
        mentor = mentor_of.get(placement_id)
        if mentor is not None:
            out[mentor] = out.get(mentor, 0) + 1
    return out
