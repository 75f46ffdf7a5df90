"""What the reports share: the placements in a report, with the names a page shows."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import select

from storage.models import Person, Placement, Programme, School
from storage.repo.frameworks import (
    Framework,
    Value,
    default_framework,
    frameworks_for_programmes,
)


@dataclass(frozen=True, slots=True)
class PlacementRow:
    id: int
    trainee_id: int
    trainee_name: str
    trainee_email: str
    mentor_id: int
    mentor_name: str
    lead_mentor_id: int
    lead_mentor_name: str
    school_id: int
    school_name: str
    programme_id: int
    programme_name: str
    start_date: date
    end_date: date


def placement_rows() -> Select:
    """Every placement with its people's, school's and programme's names (filter it)."""
    trainee, mentor, lead = aliased(Person), aliased(Person), aliased(Person)
    return (
        select(
            Placement.id,
            Placement.trainee_id,
            trainee.full_name,
            trainee.email,
            Placement.mentor_id,
            mentor.full_name,
            Placement.lead_mentor_id,
            lead.full_name,
            Placement.school_id,
            School.name,
            Placement.programme_id,
            Programme.name,
            Placement.start_date,
            Placement.end_date,
        )
        .join(trainee, trainee.id == Placement.trainee_id)
        .join(mentor, mentor.id == Placement.mentor_id)
        .join(lead, lead.id == Placement.lead_mentor_id)
        .join(School, School.id == Placement.school_id)
        .join(Programme, Programme.id == Placement.programme_id)
        .order_by(trainee.full_name, Placement.start_date, Placement.id)
    )


def as_row(row: object) -> PlacementRow:
    return PlacementRow(*row)


def days_between(start: date | datetime, end: date | datetime | None) -> int | None:
    """Whole days from one moment to another (a lesson to its feedback), None if not yet."""
    if end is None:
        return None
    first = start.date() if isinstance(start, datetime) else start
    last = end.date() if isinstance(end, datetime) else end
    return (last - first).days


@dataclass(frozen=True, slots=True)
class Frameworks:
    """The assessment frameworks of the programmes in a report (usually one): the strands
    a grid shows, in order, and the scale values its cells can hold."""

    each: tuple[Framework, ...]
    by_programme: dict[int, Framework]

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.each]

    @property
    def standards(self) -> tuple[tuple[str, str], ...]:
        seen: dict[str, str] = {}
        for f in self.each:
            for s in f.strands:
                seen.setdefault(s.code, s.title)
        return tuple(seen.items())

    @property
    def keys(self) -> tuple[tuple[str, tuple[Value, ...]], ...]:
        """Each framework's name and values, for the key to a grid."""
        return tuple((f.name, f.values) for f in self.each)

    def applies(self, programme_id: int, code: str) -> bool:
        """Whether the strand is one the programme's trainees are rated on (a grid over
        programmes on different frameworks shows the others' strands as not applying)."""
        if len(self.each) < 2:
            return True
        framework = self.by_programme.get(programme_id)
        return framework is None or framework.strand(code) is not None

    @property
    def scale(self) -> tuple[Value, ...]:
        seen: dict[str, Value] = {}
        for f in self.each:
            for v in f.values:
                seen.setdefault(v.code, v)
        return tuple(seen.values())


async def frameworks_of(session: AsyncSession, programme_ids: Collection[int]) -> Frameworks:
    """The frameworks of these programmes; the default one when there are none."""
    found = await frameworks_for_programmes(session, programme_ids=programme_ids)
    each = {f.id: f for f in found.values()}
    if not each:
        default = await default_framework(session)
        each = {default.id: default}
    return Frameworks(tuple(sorted(each.values(), key=lambda f: f.id)), found)
