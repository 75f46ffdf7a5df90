"""What an escalation makes due once a recovery plan is open: its review, a reminder to
the mentor and the lead mentor the policy's days before the review date.

(Whether a trainee is off track is the scheduler's escalation rules, not a debt anyone
owes; they read the weekly and ratings decisions.)"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keys
from handlers.escalation.flow import irp_review
from handlers.owed import Owed, Planned, Snapshot, Timing
from storage.models import RecoveryPlan
from storage.repo import sweeps as q


@dataclass(slots=True)
class PlanFacts:
    due: list[RecoveryPlan] = field(default_factory=list)  # open plans reviewed soon


class RecoveryPlanRule:
    async def load(self, session: AsyncSession, snap: Snapshot) -> PlanFacts:
        if not snap.scope.everyone or snap.timing is None:
            return PlanFacts()
        horizon = snap.now.date() + timedelta(days=snap.timing.irp_nudge_days_before + 1)
        return PlanFacts(await q.recovery_plans_due(session, by=horizon))

    def plan(self, snap: Snapshot, facts: PlanFacts, timing: Timing) -> Iterator[Planned]:
        by_id = snap.by_id()
        before = timedelta(days=timing.irp_nudge_days_before)
        for plan in facts.due:
            v = by_id.get(plan.placement_id)
            if v is None or not snap.local[v.id].allowed or plan.id is None:
                continue
            if plan.review_date - before > snap.local[v.id].today:
                continue
            message = irp_review(v.trainee_name, plan.review_date)
            for who in sorted({v.lead_mentor_id, v.mentor_id}):
                key = str(keys.RecoveryPlanReview(plan.id, plan.review_date, who))
                yield Planned(key, "irp_review", who, message, "recovery plan review due")

    def owed(self, snap: Snapshot, facts: PlanFacts) -> Iterable[Owed]:
        return ()

    def applies(self, snap: Snapshot, facts: PlanFacts, key: keys.OutboxKey) -> bool | None:
        return None


RULE = RecoveryPlanRule()
