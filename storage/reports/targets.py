"""The IDP's targets set as records, each with the history of its reviews: two queries
for all of a trainee's targets, whichever placement set them."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import select

from storage.models import Person, Target, TargetReview
from storage.reports.records import SetTargetRecord, TargetReviewRecord


async def set_targets(session: AsyncSession, *, trainee_id: int) -> list[SetTargetRecord]:
    setter = aliased(Person)
    stmt = (
        select(Target, setter.full_name)
        .join(setter, setter.id == Target.set_by_id)
        .where(Target.trainee_id == trainee_id)
        .order_by(Target.set_on, Target.id)
    )
    found = (await session.execute(stmt)).all()
    ids = [target.id for target, _ in found]
    reviewer = aliased(Person)
    reviewed = (
        select(
            TargetReview.target_id,
            TargetReview.reviewed_on,
            TargetReview.outcome,
            TargetReview.decision,
            reviewer.full_name,
        )
        .join(reviewer, reviewer.id == TargetReview.reviewed_by_id)
        .where(TargetReview.target_id.in_(ids))
        .order_by(TargetReview.reviewed_on, TargetReview.id)
    )
    reviews: dict[int, list[TargetReviewRecord]] = defaultdict(list)
    for target_id, on, outcome, decision, name in (await session.execute(reviewed)).all():
        reviews[target_id].append(TargetReviewRecord(on, outcome, decision, name))
    return [
        SetTargetRecord(
            id=target.id or 0,
            strand_code=target.strand_code,
            text=target.text,
            set_on=target.set_on,
            set_by=name,
            review_by=target.review_by,
            status=target.status,
            closed_at=target.closed_at,
            reviews=tuple(reviews.get(target.id or 0, ())),
        )
        for target, name in found
    ]
