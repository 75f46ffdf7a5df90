"""Small builders for test data: a partnership with a school, a trainee, a mentor and leads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import (
    Person,
    PersonRole,
    Placement,
    Programme,
    RagRating,
    ReviewPoint,
    School,
)

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # a Wednesday in the autumn term
WEEK = date(2026, 11, 16)


@dataclass
class World:
    school_id: int
    programme_id: int
    trainee_id: int
    mentor_id: int
    lead_id: int
    itt_lead_id: int
    placement_id: int
    other_trainee_id: int
    other_mentor_id: int
    other_placement_id: int
    review_point_id: int


async def _person(s: AsyncSession, email: str, name: str, *roles: str) -> int:
    person = Person(email=email, full_name=name)
    s.add(person)
    await s.flush()
    assert person.id is not None
    for role in roles:
        s.add(PersonRole(person_id=person.id, role=role))
    return person.id


async def build_world(sessions: async_sessionmaker[AsyncSession], platform: str = "slack") -> World:
    async with sessions() as s, s.begin():
        school = School(name="Horton Grange Primary", platform=platform)
        other_school = School(name="Exeter Road Academy", platform=platform)
        programme = Programme(name="PGCE Primary 2026-27")
        s.add_all([school, other_school, programme])
        await s.flush()
        assert school.id and programme.id and other_school.id
        trainee = await _person(s, "tara.trainee@example.org", "Tara Trainee", "trainee")
        mentor = await _person(s, "mo.mentor@example.org", "Mo Mentor", "mentor")
        lead = await _person(s, "lee.lead@example.org", "Lee Lead", "lead_mentor", "mentor")
        itt = await _person(s, "ida.itt@example.org", "Ida Itt", "itt_lead")
        other_trainee = await _person(s, "oli.other@example.org", "Oli Other", "trainee")
        other_mentor = await _person(s, "omar.mentor@example.org", "Omar Mentor", "mentor")
        other_lead = await _person(s, "ola.lead@example.org", "Ola Lead", "lead_mentor")
        placement = Placement(
            trainee_id=trainee,
            mentor_id=mentor,
            lead_mentor_id=lead,
            school_id=school.id,
            programme_id=programme.id,
            start_date=date(2026, 9, 7),
            end_date=date(2027, 6, 30),
        )
        other = Placement(
            trainee_id=other_trainee,
            mentor_id=other_mentor,
            lead_mentor_id=other_lead,
            school_id=other_school.id,
            programme_id=programme.id,
            start_date=date(2026, 9, 7),
            end_date=date(2027, 6, 30),
        )
        point = ReviewPoint(
            programme_id=programme.id,
            name="Review point 1",
            start_date=date(2026, 11, 9),
            end_date=date(2026, 11, 20),
        )
        s.add_all([placement, other, point])
        await s.flush()
        assert placement.id and other.id and point.id
        return World(
            school.id,
            programme.id,
            trainee,
            mentor,
            lead,
            itt,
            placement.id,
            other_trainee,
            other_mentor,
            other.id,
            point.id,
        )


async def queue_weekly_prompt(runtime: Any, w: World) -> None:
    """The Monday prompt to the mentor, queued as the scheduler would, then sent."""
    from handlers import notify, weekly
    from storage.repo import placements

    async with runtime.sessions() as s, s.begin():
        view = await placements.view(s, placement_id=w.placement_id)
        assert view is not None
        await notify.to_person(
            s,
            key=f"weekly:{w.placement_id}:{WEEK}",
            kind="weekly_prompt",
            recipient_id=w.mentor_id,
            message=weekly.prompt(view, WEEK),
            not_before=NOW,
        )
    await runtime.dispatcher.drain()


def tara_rating(
    w: World, item: str, rating: str, at: datetime, *, scale: str = "teachers_standards"
) -> RagRating:
    """Tara's mentor's rating of one strand at the world's review point."""
    return RagRating(
        scale=scale,
        item_code=item,
        rating=rating,
        subject_id=w.trainee_id,
        rater_id=w.mentor_id,
        placement_id=w.placement_id,
        review_point_id=w.review_point_id,
        created_at=at,
    )
