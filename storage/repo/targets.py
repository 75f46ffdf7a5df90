"""Targets and their reviews: reads for the form, status, digest and sweeps (set-based),
and the writes of a sign-off (conditional, so a double submission reviews once)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import TargetDecision, TargetOutcome, TargetStatus
from storage.models import Target, TargetReview
from storage.repo.upsert import transition

CHUNK = 500


ONE_PASS = 2500


def _chunks(items: Sequence[int]) -> Iterable[list[int]]:
    ordered = sorted(set(items))
    for i in range(0, len(ordered), CHUNK):
        yield ordered[i : i + CHUNK]


async def open_targets(session: AsyncSession, *, trainee_ids: Iterable[int]) -> list[Target]:
    """The trainees' open targets (from any placement), oldest first."""
    ids = list(trainee_ids)
    stmt = (
        select(Target).where(Target.status == TargetStatus.OPEN).order_by(Target.set_on, Target.id)
    )
    if len(ids) > ONE_PASS:
        # Digest day, most trainees: every open target once (at most three a trainee), not
        # dozens of IN lists.
        wanted = set(ids)
        return [x for x in (await session.execute(stmt)).scalars().all() if x.trainee_id in wanted]
    found: list[Target] = []
    for chunk in _chunks(ids):
        found += (await session.execute(stmt.where(Target.trainee_id.in_(chunk)))).scalars().all()
    found.sort(key=lambda x: (x.set_on, x.id or 0))
    return found


async def open_count(session: AsyncSession, *, trainee_id: int) -> int:
    stmt = select(func.count()).where(
        Target.trainee_id == trainee_id, Target.status == TargetStatus.OPEN
    )
    return int((await session.execute(stmt)).scalar_one())


async def overdue(
    session: AsyncSession,
    *,
    today: date,
    trainee_ids: Iterable[int] | None = None,
    target_ids: Iterable[int] | None = None,
) -> list[Target]:
    """Open targets not reviewed by their review date (before today)."""
    stmt = select(Target).where(Target.status == TargetStatus.OPEN, Target.review_by < today)
    if target_ids is not None:
        stmt = stmt.where(Target.id.in_(list(target_ids)))
    if trainee_ids is None:
        return list((await session.execute(stmt.order_by(Target.id))).scalars().all())
    found: list[Target] = []
    for chunk in _chunks(list(trainee_ids)):
        rows = await session.execute(stmt.where(Target.trainee_id.in_(chunk)).order_by(Target.id))
        found += rows.scalars().all()
    return found


async def add(session: AsyncSession, *, targets: Sequence[Target]) -> list[Target]:
    session.add_all(list(targets))
    await session.flush()
    return list(targets)


async def review(
    session: AsyncSession,
    *,
    target_id: int,
    outcome: TargetOutcome,
    decision: TargetDecision,
    meeting_id: int,
    placement_id: int,
    by: int,
    on: date,
    at: datetime,
    next_review_by: date,
) -> bool:
    """Record one review: the target closes (met, or closed unmet) or is carried forward to
    `next_review_by`. False when it was not open any more (reviewed a moment ago)."""
    if decision is TargetDecision.CLOSE:
        status = TargetStatus.MET if outcome is TargetOutcome.MET else TargetStatus.CLOSED
        values: dict[str, object] = {"status": status.value, "closed_at": at}
    else:
        values = {"review_by": next_review_by}
    changed = await transition(
        session,
        Target,
        record_id=target_id,
        only_if=Target.status == TargetStatus.OPEN,
        values=values,
    )
    if changed:
        session.add(
            TargetReview(
                target_id=target_id,
                placement_id=placement_id,
                meeting_id=meeting_id,
                outcome=outcome.value,
                decision=decision.value,
                reviewed_on=on,
                reviewed_by_id=by,
                created_at=at,
            )
        )
        await session.flush()
    return changed


async def reviews_of(
    session: AsyncSession, *, target_ids: Iterable[int]
) -> dict[int, list[TargetReview]]:
    """Each target's reviews, oldest first."""
    out: dict[int, list[TargetReview]] = defaultdict(list)
    for chunk in _chunks(list(target_ids)):
        stmt = (
            select(TargetReview)
            .where(TargetReview.target_id.in_(chunk))
            .order_by(TargetReview.reviewed_on, TargetReview.id)
        )
        for r in (await session.execute(stmt)).scalars():
            out[r.target_id].append(r)
    return dict(out)


@dataclass(frozen=True, slots=True)
class Streak:
    """A target whose latest reviews were all "not met" (for the off-track rule)."""

    target_id: int
    trainee_id: int
    strand_code: str
    review_dates: tuple[date, ...]  # the not-met reviews in a row, oldest first


async def not_met_streaks(session: AsyncSession, *, times: int, since: date) -> list[Streak]:
    """Targets whose last `times` reviews were all "not met", the latest on or after
    `since`: one query for everyone (the reviews of every target reviewed "not met"
    lately), so the sweep's cost does not grow with the number of trainees."""
    lately = select(TargetReview.target_id).where(
        TargetReview.outcome == TargetOutcome.NOT_MET, TargetReview.reviewed_on >= since
    )
    stmt = (
        select(
            Target.id,
            Target.trainee_id,
            Target.strand_code,
            TargetReview.reviewed_on,
            TargetReview.outcome,
        )
        .join(TargetReview, TargetReview.target_id == Target.id)
        .where(Target.id.in_(lately))
        .order_by(Target.id, TargetReview.reviewed_on, TargetReview.id)
    )
    by_target: dict[int, list[tuple[int, str, date, str]]] = defaultdict(list)
    for tid, trainee, strand, on, outcome in (await session.execute(stmt)).all():
        by_target[tid].append((trainee, strand, on, outcome))
    streaks: list[Streak] = []
    for tid, rows in by_target.items():
        last = rows[-times:]
        if len(last) == times and all(r[3] == TargetOutcome.NOT_MET for r in last):
            streaks.append(Streak(tid, last[0][0], last[0][1], tuple(r[2] for r in last)))
    return streaks
