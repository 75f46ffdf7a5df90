"""Staged support plans in the scenario table (Slack, Teams, console alike).

Lee Lead (Tara Trainee's lead mentor) opens a support plan by typing `support Tara
Trainee`; Tara acknowledges it; the scheduler reminds Lee of the review; Lee records it
(the target not met) and moves Tara to cause for concern, which the ITT lead (Ida Itt)
leads. A mentor who types `support` is refused.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AuditEntry,
    OutboxMessage,
    Person,
    SupportPlan,
    SupportReview,
    SupportStage,
    SupportTarget,
    SupportTargetReview,
)
from tests.scenarios import Scenario

OPEN = {
    "target_1": "Challenge low-level disruption within ten seconds, every lesson",
    "strand_1": "TS7",
    "support": "Weekly co-planning with the lead mentor",
    "review_date": "2026-11-20",
}
REVIEW = {
    "met_1": "not_met",
    "decision": "next",
    "next_date": "",
    "next_support": "Fortnightly observation by the ITT lead",
    "note": "Disruption still goes unchallenged after lunch",
}
TYPED = [OPEN["target_1"], OPEN["support"], REVIEW["next_support"], REVIEW["note"]]


async def _two_stages(s: AsyncSession) -> None:
    plan = (await s.execute(select(SupportPlan))).scalar_one()
    first, second = (
        (await s.execute(select(SupportStage).order_by(SupportStage.position))).scalars().all()
    )
    ida = (await s.execute(select(Person.id).where(Person.full_name == "Ida Itt"))).scalar_one()
    lee = (await s.execute(select(Person.id).where(Person.full_name == "Lee Lead"))).scalar_one()
    assert plan.status == "open" and plan.escalation_id is None
    assert (first.stage, first.led_by_id, first.review_date) == (
        "support_plan",
        lee,
        date(2026, 11, 20),
    )
    assert first.acknowledged_at is not None and (first.outcome, first.ended_on) == (
        "next",
        date(2026, 11, 18),
    )
    # The next stage: the ITT lead leads it, its review the policy's 21 days on.
    assert (second.stage, second.led_by_id, second.review_date) == (
        "cause_for_concern",
        ida,
        date(2026, 12, 9),
    )
    assert (first.support, second.support) == (OPEN["support"], REVIEW["next_support"])
    targets = (await s.execute(select(SupportTarget).order_by(SupportTarget.id))).scalars().all()
    assert [(t.stage_id, t.text, t.strand_code) for t in targets] == [
        (first.id, OPEN["target_1"], "TS7"),
        (second.id, OPEN["target_1"], "TS7"),  # not met: carried into the next stage
    ]
    review = (await s.execute(select(SupportReview))).scalar_one()
    assert (review.due_on, review.decision, review.by_id) == (date(2026, 11, 20), "next", lee)
    outcome = (await s.execute(select(SupportTargetReview))).scalar_one()
    assert (outcome.target_id, outcome.met) == (targets[0].id, False)
    told = (
        (
            await s.execute(
                select(OutboxMessage.recipient_id).where(OutboxMessage.kind == "support_plan")
            )
        )
        .scalars()
        .all()
    )
    assert ida in told  # the next stage's leader is told
    reminders = (
        (
            await s.execute(
                select(OutboxMessage.recipient_id).where(OutboxMessage.kind == "support_review")
            )
        )
        .scalars()
        .all()
    )
    assert reminders == [lee]


SCENARIOS = [
    Scenario(
        "support-plan-goes-through-two-stages",
        "support_two_stages",
        seen={
            "lead": (
                "Support plan opened for Tara Trainee; review on Fri 20 Nov 2026",
                "the review is due on Fri 20 Nov 2026",
                "Tara Trainee moves to Cause for concern, led by Ida Itt",
            ),
            "trainee": (
                "Lee Lead has opened a support plan with you",
                "You acknowledged your support plan",
                "Lee Lead has opened a cause for concern with you",
            ),
            "mentor": (
                "Support plan opened for Tara Trainee by Lee Lead",
                "Cause for concern opened for Tara Trainee by Lee Lead",
            ),
        },
        stored={
            SupportPlan: 1,
            SupportStage: 2,
            SupportTarget: 2,
            SupportReview: 1,
            SupportTargetReview: 1,
        },
        check=_two_stages,
    ),
    Scenario(
        "support-plan-refused-to-a-mentor",
        "support_refused",
        seen={"mentor": ("Only lead mentors and ITT leads can open or review a support plan",)},
        stored={SupportPlan: 0, AuditEntry: 0},
    ),
]
