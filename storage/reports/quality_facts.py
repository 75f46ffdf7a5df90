"""The facts behind mentor quality for one academic year, read set-based: the placements
in scope, their weekly meetings and observation feedback (as the School Summary counts
them), the mentors' self-evaluations and the mentor training they logged. One query per
kind for every placement in scope; nothing is read per mentor or per trainee."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import select

from storage.calendar_rules import ProgrammeCalendar, monday_of
from storage.enums import MeetingStatus, Scale
from storage.models import (
    MentorSelfEvaluation,
    MentorTraining,
    Observation,
    Person,
    Placement,
    RagRating,
    School,
    WeeklyMeeting,
)
from storage.repo.calendar import all_calendars
from storage.reports.common import days_between
from storage.reports.years import AcademicYear


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose placements: some schools, one mentor, or (both None) the partnership."""

    school_ids: frozenset[int] | None = None
    mentor_id: int | None = None


@dataclass(slots=True)
class PlacementFacts:
    id: int
    trainee_id: int
    trainee_name: str
    mentor_id: int
    mentor_name: str
    school_id: int
    school_name: str
    weeks_due: int = 0  # teaching weeks of the placement in the year, up to last week
    weeks_held: int = 0  # of those, a held meeting signed off
    feedback_days: list[int] = field(default_factory=list)  # lesson -> feedback, per observation


@dataclass(frozen=True, slots=True)
class SelfEvaluation:
    """A mentor's latest self-evaluation in the year: RAG per mentor standard item."""

    at: datetime
    ratings: dict[str, str]  # item code (MS1.1) -> rag


def placements_in(year: AcademicYear, scope: Scope) -> Select:
    """The placements that overlap the year, within the scope (a subquery of ids)."""
    ids = select(Placement.id).where(
        Placement.start_date <= year.end, Placement.end_date >= year.start
    )
    if scope.school_ids is not None:
        ids = ids.where(Placement.school_id.in_(scope.school_ids))
    if scope.mentor_id is not None:
        ids = ids.where(Placement.mentor_id == scope.mentor_id)
    return ids


async def placement_facts(
    session: AsyncSession, year: AcademicYear, scope: Scope, *, today: date
) -> dict[int, PlacementFacts]:
    ids = placements_in(year, scope)
    trainee, mentor = aliased(Person), aliased(Person)
    stmt = (
        select(
            Placement.id,
            Placement.trainee_id,
            trainee.full_name,
            Placement.mentor_id,
            mentor.full_name,
            Placement.school_id,
            School.name,
            Placement.programme_id,
            Placement.start_date,
            Placement.end_date,
        )
        .join(trainee, trainee.id == Placement.trainee_id)
        .join(mentor, mentor.id == Placement.mentor_id)
        .join(School, School.id == Placement.school_id)
        .where(Placement.id.in_(ids))
        .order_by(School.name, mentor.full_name, trainee.full_name, Placement.id)
    )
    rows = (await session.execute(stmt)).all()
    calendars = await all_calendars(session)
    held = await _held_weeks(session, ids)
    facts: dict[int, PlacementFacts] = {}
    # Weeks count up to the last full week before today, and within the year.
    last_week = min(monday_of(today) - timedelta(days=7), monday_of(year.end))
    for pid, tid, tname, mid, mname, sid, sname, programme_id, start, end in rows:
        weeks = _teaching_weeks(
            calendars.get(programme_id, ProgrammeCalendar()),
            max(monday_of(start), monday_of(year.start)),
            min(monday_of(end), last_week),
        )
        facts[pid] = PlacementFacts(
            pid, tid, tname, mid, mname, sid, sname, len(weeks), len(weeks & held[pid])
        )
    for pid, days in (await _feedback_days(session, ids, year)).items():
        facts[pid].feedback_days.extend(days)
    return facts


def _teaching_weeks(cal: ProgrammeCalendar, first: date, last: date) -> set[date]:
    weeks, week = set(), first
    while week <= last:
        if cal.is_teaching_week(week):
            weeks.add(week)
        week += timedelta(days=7)
    return weeks


async def _held_weeks(session: AsyncSession, ids: Select) -> dict[int, set[date]]:
    m = WeeklyMeeting
    stmt = select(m.placement_id, m.week_start).where(
        m.placement_id.in_(ids), m.status == MeetingStatus.HELD, m.signed_off_at.is_not(None)
    )
    held: dict[int, set[date]] = defaultdict(set)
    for pid, week in (await session.execute(stmt)).all():
        held[pid].add(week)
    return held


async def _feedback_days(
    session: AsyncSession, ids: Select, year: AcademicYear
) -> dict[int, list[int]]:
    """Days from each lesson observed in the year to its recorded feedback (as the
    cohort report's timeliness counts them: whole days, never negative)."""
    o = Observation
    stmt = select(o.placement_id, o.observed_on, o.created_at).where(
        o.placement_id.in_(ids), o.observed_on >= year.start, o.observed_on <= year.end
    )
    days: dict[int, list[int]] = defaultdict(list)
    for pid, observed_on, feedback_at in (await session.execute(stmt)).all():
        days[pid].append(max(0, days_between(observed_on, feedback_at) or 0))
    return days


async def training_minutes(
    session: AsyncSession, year: AcademicYear, mentors: Select
) -> dict[int, tuple[int, int]]:
    """(sessions, minutes) of mentor training attended in the year, per mentor."""
    t = MentorTraining
    stmt = (
        select(t.mentor_id, func.count(), func.sum(t.minutes))
        .where(t.mentor_id.in_(mentors), t.attended_on >= year.start, t.attended_on <= year.end)
        .group_by(t.mentor_id)
    )
    return {mid: (int(n), int(m or 0)) for mid, n, m in (await session.execute(stmt)).all()}


async def self_evaluations(
    session: AsyncSession, year: AcademicYear, mentors: Select
) -> dict[int, SelfEvaluation]:
    """Each mentor's latest self-evaluation made in the year (its item ratings)."""
    e, r = MentorSelfEvaluation, RagRating
    latest = (
        select(e.mentor_id, func.max(e.created_at).label("at"))
        .where(
            e.mentor_id.in_(mentors), e.created_at >= year.starts_at, e.created_at < year.ends_at
        )
        .group_by(e.mentor_id)
        .subquery()
    )
    stmt = (
        select(e.mentor_id, e.created_at, r.item_code, r.rating)
        .join(latest, (latest.c.mentor_id == e.mentor_id) & (latest.c.at == e.created_at))
        .join(r, r.self_evaluation_id == e.id)
        .where(r.scale == Scale.MENTOR_STANDARDS)
    )
    found: dict[int, SelfEvaluation] = {}
    for mid, at, code, rating in (await session.execute(stmt)).all():
        found.setdefault(mid, SelfEvaluation(at, {})).ratings[code] = rating
    return found


def mentors_of(ids: Select) -> Select:
    """The mentors of these placements (a subquery for the per-mentor reads)."""
    return select(Placement.mentor_id).where(Placement.id.in_(ids)).distinct()
