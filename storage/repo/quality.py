"""The QA cycle's reads and writes: tutors' visits and end-of-placement evaluations.

An evaluation and its answers are written together, once per placement, kind and
respondent (a unique index); a second submission, even one racing the first, records
nothing and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.enums import EvaluationKind
from storage.models import EvaluationAnswer, Placement, PlacementEvaluation, TutorVisit

# (placement, kind, respondent) of an evaluation recorded (tutors' visits not included).
Answered = set[tuple[int, str, int]]


@dataclass(frozen=True, slots=True)
class Recorded:
    """An evaluation already on record: when (for "you answered on …")."""

    submitted_at: datetime


async def answered(session: AsyncSession, *, placement_ids: list[int]) -> Answered:
    if not placement_ids:
        return set()
    e = PlacementEvaluation
    stmt = select(e.placement_id, e.kind, e.respondent_id).where(
        e.placement_id.in_(placement_ids),  # type: ignore[attr-defined]
        e.tutor_visit_id.is_(None),  # type: ignore[union-attr]
    )
    return {(p, k, r) for p, k, r in (await session.execute(stmt)).all()}


async def trained(session: AsyncSession, *, mentor_ids: list[int]) -> set[tuple[int, int]]:
    """(mentor, programme) where the mentor has evaluated the training they received."""
    if not mentor_ids:
        return set()
    e = PlacementEvaluation
    stmt = (
        select(e.respondent_id, Placement.programme_id)
        .join(Placement, Placement.id == e.placement_id)  # type: ignore[arg-type]
        .where(
            e.kind == EvaluationKind.MENTOR_OF_TRAINING.value,
            e.respondent_id.in_(mentor_ids),  # type: ignore[attr-defined]
        )
    )
    return {(m, p) for m, p in (await session.execute(stmt)).all()}


async def recorded(
    session: AsyncSession, *, placement_id: int, kind: str, respondent_id: int
) -> Recorded | None:
    e = PlacementEvaluation
    stmt = select(e.submitted_at).where(
        e.placement_id == placement_id,
        e.kind == kind,
        e.respondent_id == respondent_id,
        e.tutor_visit_id.is_(None),  # type: ignore[union-attr]
    )
    found = (await session.execute(stmt)).scalars().first()
    return Recorded(found) if found is not None else None


async def training_recorded(
    session: AsyncSession, *, mentor_id: int, programme_id: int
) -> Recorded | None:
    e = PlacementEvaluation
    stmt = (
        select(e.submitted_at)
        .join(Placement, Placement.id == e.placement_id)  # type: ignore[arg-type]
        .where(
            e.kind == EvaluationKind.MENTOR_OF_TRAINING.value,
            e.respondent_id == mentor_id,
            Placement.programme_id == programme_id,
        )
    )
    found = (await session.execute(stmt)).scalars().first()
    return Recorded(found) if found is not None else None


async def record_evaluation(
    session: AsyncSession, *, evaluation: PlacementEvaluation, answers: Mapping[str, str]
) -> PlacementEvaluation | None:
    """The evaluation and its answers, or None when one is on record already (nothing is
    written then). A savepoint keeps the interaction's transaction usable after a race."""
    try:
        async with session.begin_nested():
            session.add(evaluation)
            await session.flush()
            assert evaluation.id is not None
            session.add_all(
                EvaluationAnswer(
                    evaluation_id=evaluation.id,
                    respondent_id=evaluation.respondent_id,
                    item_code=code,
                    value=value,
                )
                for code, value in answers.items()
            )
            await session.flush()
    except IntegrityError:
        return None
    return evaluation


async def add_visit(session: AsyncSession, *, visit: TutorVisit) -> TutorVisit:
    session.add(visit)
    await session.flush()
    return visit


async def visits_by_placement(
    session: AsyncSession, *, placement_ids: list[int]
) -> dict[int, tuple[int, date]]:
    """Placement -> (visits recorded, the latest visit's date)."""
    if not placement_ids:
        return {}
    v = TutorVisit
    stmt = (
        select(v.placement_id, sa.func.count(), sa.func.max(v.visited_on))
        .where(v.placement_id.in_(placement_ids))  # type: ignore[attr-defined]
        .group_by(v.placement_id)
    )
    return {p: (n, last) for p, n, last in (await session.execute(stmt)).all()}


async def tutor_of(session: AsyncSession, *, placement_id: int) -> int | None:
    return (
        await session.execute(select(Placement.tutor_id).where(Placement.id == placement_id))
    ).scalar_one_or_none()
