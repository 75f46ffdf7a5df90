"""What targets make due: an open target not reviewed by its review date is owed a review
by the trainee's mentor (a nudge once per review date; on their status until reviewed).
A target "not met" several times in a row is an off-track rule (scheduler/offtrack.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keys
from handlers.owed import Owed, Planned, Snapshot, Timing
from handlers.targets.show import nudge, review_button
from handlers.text import t
from handlers.ui import Actions, Section, date_text
from storage.models import Target
from storage.repo import targets as repo
from storage.repo.placements import PlacementView


@dataclass(slots=True)
class TargetFacts:
    overdue: list[Target] = field(default_factory=list)  # open, past their review date


def owes_review(facts: TargetFacts, target_id: int, review_by: object) -> bool:
    """The one decision: a target is owed a review while open and past its review date."""
    return any(x.id == target_id and x.review_by == review_by for x in facts.overdue)


def _by_trainee(views: Iterable[PlacementView]) -> dict[int, PlacementView]:
    return {v.trainee_id: v for v in views}


class TargetsRule:
    async def load(self, session: AsyncSession, snap: Snapshot) -> TargetFacts:
        scope = snap.scope
        if isinstance(scope.key, keys.TargetReviewNudge):
            ids = [scope.key.target_id]
            return TargetFacts(await repo.overdue(session, today=snap.today, target_ids=ids))
        if scope.key is not None:
            return TargetFacts()
        if scope.everyone:
            return TargetFacts(await repo.overdue(session, today=snap.today))
        trainees = [v.trainee_id for v in snap.views]  # the mentor's trainees (status)
        return TargetFacts(await repo.overdue(session, today=snap.today, trainee_ids=trainees))

    def plan(self, snap: Snapshot, facts: TargetFacts, timing: Timing) -> Iterator[Planned]:
        # A target carried across placements is nudged to the trainee's mentor now.
        by_trainee = _by_trainee(snap.views)
        for target in facts.overdue:
            v = by_trainee.get(target.trainee_id)
            if v is None or target.id is None or not snap.local[v.id].allowed:
                continue
            key = str(keys.TargetReviewNudge(target.id, target.review_by))
            if key in snap.known:
                continue
            message = nudge(v, target, snap.local[v.id].today)
            yield Planned(key, "target_review_nudge", v.mentor_id, message, "target not reviewed")

    def owed(self, snap: Snapshot, facts: TargetFacts) -> Iterable[Owed]:
        by_trainee = _by_trainee(snap.views)
        for target in facts.overdue:
            v = by_trainee.get(target.trainee_id)
            if v is None:
                continue
            text = t(
                "owe_target_review",
                trainee=v.trainee_name,
                strand=target.strand_code,
                date=date_text(target.review_by),
            )
            yield Owed((0, v.id), (Section(text), Actions((review_button(v, snap.today),))))

    def applies(self, snap: Snapshot, facts: TargetFacts, key: keys.OutboxKey) -> bool | None:
        if isinstance(key, keys.TargetReviewNudge):
            return owes_review(facts, key.target_id, key.review_by)
        return None


RULE = TargetsRule()
