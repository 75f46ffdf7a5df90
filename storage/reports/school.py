"""The School Summary Report (seeds/002): one school's placements, their compliance,
the RAG distribution, concerns and support plans, and the lead mentor's QA comments."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import select

from storage.enums import SupportPlanStatus
from storage.models import (
    Person,
    Placement,
    RagRating,
    ReviewPoint,
    ReviewPointQA,
    School,
    SupportPlan,
)
from storage.reports.cohort import CohortFilter, CohortReport, UnknownName, cohort


@dataclass(frozen=True, slots=True)
class Compliance:
    """One placement against what the partnership expects of it."""

    meetings_held: int
    meetings_recorded: int
    review_points_due: int
    review_points_rated: int  # every standard rated there


@dataclass(frozen=True, slots=True)
class QaComment:
    """The lead mentor's QA form for one trainee at one review point."""

    trainee_name: str
    review_point: str
    lead_mentor: str
    evidence_checked: tuple[str, ...]  # QaEvidence codes
    evidence_note: str
    judgement_agreed: bool
    disagreement: str | None
    actions: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class SchoolReport:
    school_id: int
    school_name: str
    cohort: CohortReport
    compliance: dict[int, Compliance]  # placement id ->
    rag_distribution: Counter[str]  # latest ratings, all trainees and standards
    support_plans: dict[int, tuple[int, int]]  # placement id -> (open, closed)
    qa: list[QaComment]

    @property
    def mentors(self) -> list[str]:
        return sorted({t.mentor_name for t in self.cohort.trainees})


async def school_id_named(session: AsyncSession, name: str) -> int:
    found = (
        await session.execute(select(School.id).where(func.lower(School.name) == name.lower()))
    ).scalar()
    if found is None:
        raise UnknownName("school", name)
    return int(found)


async def school_report(session: AsyncSession, *, school_id: int, now: datetime) -> SchoolReport:
    school = await session.get(School, school_id)
    if school is None:
        raise UnknownName("school", str(school_id))
    report = await cohort(session, CohortFilter(school_ids=frozenset({school_id})), now=now)
    ids = select(Placement.id).where(Placement.school_id == school_id)
    needed = {
        t.id: len(report.frameworks.by_programme[t.programme_id].strands)
        for t in report.trainees
        if t.programme_id in report.frameworks.by_programme
    }
    rated = await _points_rated(session, ids, needed, report.frameworks.codes, now.date())
    held: Counter[int] = Counter()
    recorded: Counter[int] = Counter()
    for (pid, _week), status in report.meetings.items():
        recorded[pid] += 1
        held[pid] += status == "held"
    compliance = {
        t.id: Compliance(held[t.id], recorded[t.id], *rated.get(t.id, (0, 0)))
        for t in report.trainees
    }
    return SchoolReport(
        school_id=school_id,
        school_name=school.name,
        cohort=report,
        compliance=compliance,
        rag_distribution=Counter(report.latest.values()),
        support_plans=await _plans(session, ids),
        qa=await _qa(session, school_id),
    )


async def _points_rated(
    session: AsyncSession,
    ids: Select,
    needed: dict[int, int],
    scales: list[str],
    today: date,
) -> dict[int, tuple[int, int]]:
    """(review points reached during the placement, of those fully rated) per placement;
    fully rated: every strand of the placement's framework (`needed` strands)."""
    due_stmt = (
        select(Placement.id, func.count(ReviewPoint.id))
        .join(ReviewPoint, ReviewPoint.programme_id == Placement.programme_id)
        .where(
            Placement.id.in_(ids),
            ReviewPoint.start_date <= today,
            ReviewPoint.end_date >= Placement.start_date,
            ReviewPoint.start_date <= Placement.end_date,
        )
        .group_by(Placement.id)
    )
    due = {pid: int(n) for pid, n in (await session.execute(due_stmt)).all()}
    r = RagRating
    per_point = (
        select(r.placement_id, r.review_point_id, func.count(func.distinct(r.item_code)).label("n"))
        .where(
            r.placement_id.in_(ids),
            r.scale.in_(scales),
            r.review_point_id.is_not(None),
        )
        .group_by(r.placement_id, r.review_point_id)
        .subquery()
    )
    full: dict[int, int] = {}
    for pid, n in (await session.execute(select(per_point.c.placement_id, per_point.c.n))).all():
        if n >= needed.get(pid, 1):
            full[pid] = full.get(pid, 0) + 1
    return {pid: (n, min(n, full.get(pid, 0))) for pid, n in due.items()}


async def _plans(
    session: AsyncSession,
    ids: Select,
) -> dict[int, tuple[int, int]]:
    p = SupportPlan
    stmt = (
        select(p.placement_id, p.status, func.count())
        .where(p.placement_id.in_(ids))
        .group_by(p.placement_id, p.status)
    )
    out: dict[int, tuple[int, int]] = {}
    for pid, status, n in (await session.execute(stmt)).all():
        opened, closed = out.get(pid, (0, 0))
        if status == SupportPlanStatus.OPEN:
            opened += int(n)
        else:
            closed += int(n)
        out[pid] = (opened, closed)
    return out


async def _qa(session: AsyncSession, school_id: int) -> list[QaComment]:
    """The QA forms of the trainees placed at the school, by review point then trainee."""
    q, trainee, lead = ReviewPointQA, aliased(Person), aliased(Person)
    placed = select(Placement.trainee_id).where(Placement.school_id == school_id)
    stmt = (
        select(
            trainee.full_name,
            ReviewPoint.name,
            lead.full_name,
            q.evidence_checked,
            q.evidence_note,
            q.judgement_agreed,
            q.disagreement,
            q.actions,
            q.recorded_at,
        )
        .join(trainee, trainee.id == q.trainee_id)
        .join(lead, lead.id == q.lead_mentor_id)
        .join(ReviewPoint, ReviewPoint.id == q.review_point_id)
        .where(q.trainee_id.in_(placed))
        .order_by(ReviewPoint.start_date, trainee.full_name)
    )
    return [
        QaComment(name, point, by, tuple(filter(None, checked.split(","))), *rest)
        for name, point, by, checked, *rest in (await session.execute(stmt)).all()
    ]
