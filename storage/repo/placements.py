"""Placements: who mentors whom, where, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import select

from storage.models import Person, Placement, School


@dataclass(frozen=True, slots=True)
class PlacementView:
    """A placement with the names a message needs, read in one query."""

    id: int
    trainee_id: int
    trainee_name: str
    mentor_id: int
    mentor_name: str
    lead_mentor_id: int
    school_id: int
    school_name: str
    platform: str
    timezone: str
    programme_id: int
    start_date: date
    end_date: date


def _view_query():  # type: ignore[no-untyped-def]
    """The view's SELECT, built once (statements are immutable; building this one with
    its aliases costs more than running it)."""
    return _VIEW


def _build_view_query():  # type: ignore[no-untyped-def]
    trainee, mentor = aliased(Person), aliased(Person)
    return (
        select(
            Placement.id,
            Placement.trainee_id,
            trainee.full_name,
            Placement.mentor_id,
            mentor.full_name,
            Placement.lead_mentor_id,
            Placement.school_id,
            School.name,
            School.platform,
            School.timezone,
            Placement.programme_id,
            Placement.start_date,
            Placement.end_date,
        )
        .join(trainee, trainee.id == Placement.trainee_id)
        .join(mentor, mentor.id == Placement.mentor_id)
        .join(School, School.id == Placement.school_id)
    )


_VIEW = _build_view_query()


async def view(session: AsyncSession, *, placement_id: int) -> PlacementView | None:
    row = (await session.execute(_view_query().where(Placement.id == placement_id))).first()
    return PlacementView(*row) if row else None


async def for_mentor(
    session: AsyncSession, *, mentor_id: int, on: date | None = None
) -> list[PlacementView]:
    stmt = _view_query().where(Placement.mentor_id == mentor_id)
    if on is not None:
        stmt = stmt.where(and_(Placement.start_date <= on, Placement.end_date >= on))
    rows = (await session.execute(stmt.order_by(Placement.id))).all()
    return [PlacementView(*r) for r in rows]


async def for_lead_mentor(
    session: AsyncSession, *, lead_mentor_id: int, on: date | None = None
) -> list[PlacementView]:
    stmt = _view_query().where(Placement.lead_mentor_id == lead_mentor_id)
    if on is not None:
        stmt = stmt.where(and_(Placement.start_date <= on, Placement.end_date >= on))
    rows = (await session.execute(stmt.order_by(Placement.id))).all()
    return [PlacementView(*r) for r in rows]


async def for_trainee(session: AsyncSession, *, trainee_id: int) -> list[PlacementView]:
    stmt = _view_query().where(Placement.trainee_id == trainee_id).order_by(Placement.id)
    return [PlacementView(*r) for r in (await session.execute(stmt)).all()]


async def for_tutor(session: AsyncSession, *, tutor_id: int) -> list[PlacementView]:
    """The placements a university visiting tutor is linked to, newest first."""
    stmt = _view_query().where(Placement.tutor_id == tutor_id)
    rows = (await session.execute(stmt.order_by(Placement.end_date.desc(), Placement.id))).all()
    return [PlacementView(*r) for r in rows]


async def ended_between(
    session: AsyncSession,
    *,
    first: date,
    last: date,
    placement_ids: list[int] | None = None,
    person_id: int | None = None,
) -> list[tuple[PlacementView, int | None]]:
    """Placements whose end date is from `first` to `last`, each with its tutor (or None);
    only `placement_ids`, or only those `person_id` is the trainee, mentor or tutor of."""
    stmt = _view_query().add_columns(Placement.tutor_id)
    stmt = stmt.where(Placement.end_date >= first, Placement.end_date <= last)
    if placement_ids is not None:
        stmt = stmt.where(Placement.id.in_(placement_ids))
    if person_id is not None:
        stmt = stmt.where(
            or_(
                Placement.trainee_id == person_id,
                Placement.mentor_id == person_id,
                Placement.tutor_id == person_id,
            )
        )
    rows = (await session.execute(stmt.order_by(Placement.id))).all()
    return [(PlacementView(*r[:-1]), r[-1]) for r in rows]
