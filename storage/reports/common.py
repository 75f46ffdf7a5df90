"""What the reports share: the placements in a report, with the names a page shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select
from sqlalchemy.orm import aliased
from sqlmodel import select

from storage.models import Person, Placement, Programme, School


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
