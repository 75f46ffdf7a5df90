"""What the QA form makes due: for each trainee, the lead mentor's QA form at a review
point, owed from the moment the mentor's ratings there are in until it is recorded. The
sweep nudges the trainee's lead mentor once (in school hours); the status view and the
App Home show the count (a status note: the status snapshot is scoped to the mentor's
own trainees, not to the schools a lead mentor leads)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keys
from handlers.owed import Owed, Planned, Snapshot, Timing
from handlers.qa_review.flow import nudge
from handlers.text import t
from handlers.ui import Block, Section
from storage.repo import qa

# The sweep nudges for review points started within this window (the outbox keys it
# checks against reach back seventy days).
NUDGE_WINDOW = timedelta(days=60)
Owing = set[tuple[int, int]]  # (placement, review point) whose QA form is owed


def owes_qa(owing: Owing, placement_id: int, review_point_id: int) -> bool:
    """The one decision: the form is owed while the pair is in the owed set (ratings in
    at a review point that has started, no form recorded; see `qa.owed`)."""
    return (placement_id, review_point_id) in owing


class QaRule:
    async def load(self, session: AsyncSession, snap: Snapshot) -> Owing:
        key = snap.scope.key
        if isinstance(key, keys.QaOwed):
            return await qa.owed_pairs(
                session,
                on=snap.today,
                placement_ids=[key.placement_id],
                review_point_ids=[key.review_point_id],
            )
        if snap.scope.everyone and snap.timing is not None:
            # Only review points started lately: an older point's nudges went out already
            # (and most sweeps, between review points, then ask nothing at all).
            since = snap.today - NUDGE_WINDOW
            recent = [
                rp.id
                for rp in snap.points
                if rp.id is not None and since <= rp.start_date <= snap.today
            ]
            if not recent:
                return set()
            return await qa.owed_pairs(session, on=snap.today, review_point_ids=recent)
        return set()  # the status view: the count is the conversation's status note

    def plan(self, snap: Snapshot, facts: Owing, timing: Timing) -> Iterator[Planned]:
        if not facts:
            return
        names = {rp.id: rp.name for rp in snap.points}
        by_placement = snap.by_id()
        for placement_id, review_point_id in sorted(facts):
            view = by_placement.get(placement_id)
            local = snap.local.get(placement_id)
            if view is None or local is None or not local.allowed:
                continue
            if not owes_qa(facts, placement_id, review_point_id):
                continue
            key = str(keys.QaOwed(placement_id, review_point_id))
            if key in snap.known:
                continue
            message = nudge(view, review_point_id, names.get(review_point_id, ""))
            yield Planned(key, "qa_owed", view.lead_mentor_id, message, "QA form owed")

    def owed(self, snap: Snapshot, facts: Owing) -> Iterable[Owed]:
        return ()

    def applies(self, snap: Snapshot, facts: Owing, key: keys.OutboxKey) -> bool | None:
        if isinstance(key, keys.QaOwed):
            return owes_qa(facts, key.placement_id, key.review_point_id)
        return None


class QaInDigest:
    """The lead mentor's digest: "QA forms owed: N" for the trainees of the cohort's mentors.

    The digest part is given the cohort's mentors, not its placements, so a mentor whose
    trainees have two different lead mentors counts in both digests (rare: one lead mentor
    per school and programme)."""

    async def load(
        self, session: AsyncSession, *, mentor_ids: set[int], today: date
    ) -> dict[int, int]:
        return await qa.owed_by_mentor(session, mentor_ids=mentor_ids, on=today)

    def section(self, facts: dict[int, int], mentors: Mapping[int, str]) -> list[Block]:
        count = sum(facts.get(mentor_id, 0) for mentor_id in mentors)
        return [Section(t("qa_owed_count", count=count))] if count else []


RULE = QaRule()
