"""What a support plan makes due: its review, reminded to the stage's leader the policy's
days before the review date (default 2 days before and on the day), and one nudge when
the review is overdue. Sent on school days in working hours, as every nudge is."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keys
from handlers.owed import Owed, Planned, Snapshot, Timing
from handlers.support import show
from handlers.support.words import stage_label
from handlers.text import t
from handlers.ui import Actions, Message, Section, date_text
from storage.models import SupportStage
from storage.repo import support as repo
from storage.repo.placements import PlacementView

OVERDUE = keys.SupportReviewDue.OVERDUE  # the "days before" of a review overdue


def reminder_due(review_date: date, today: date, offsets: Iterable[int]) -> int | None:
    """Which reminder a stage is in the window of today: an offset of the policy (days
    before its review date), OVERDUE once the date has passed, None before the first.
    One decision for the sweep and the check before a late send."""
    days = (review_date - today).days
    if days < 0:
        return OVERDUE
    window = [d for d in offsets if d >= days]
    return min(window) if window else None


def reminder(view: PlacementView, stage: SupportStage, which: int) -> Message:
    label, when = stage_label(stage.stage), date_text(stage.review_date)
    if which == OVERDUE:
        text = t("support_overdue", stage=label, trainee=view.trainee_name, date=when)
    elif which == 0:
        text = t("support_reminder_today", stage=label, trainee=view.trainee_name)
    else:
        text = t("support_reminder", stage=label, trainee=view.trainee_name, date=when)
    return Message(text, (Section(text), Actions((show.review_button(stage),))))


def _key(stage: SupportStage, which: int) -> keys.OutboxKey:
    return keys.SupportReviewDue(stage.id or 0, stage.review_date, which, stage.led_by_id)


@dataclass(slots=True)
class StageFacts:
    due: list[SupportStage] = field(default_factory=list)  # open stages reviewed soon


class SupportReviewRule:
    async def load(self, session: AsyncSession, snap: Snapshot) -> StageFacts:
        key = snap.scope.key
        if isinstance(key, keys.SupportReviewDue):
            return StageFacts(
                await repo.stages_due(session, by=key.review_date, stage_id=key.stage_id)
            )
        if not snap.scope.everyone or snap.timing is None:
            return StageFacts()
        ahead = max(snap.timing.support_review_nudge_days, default=0)
        return StageFacts(await repo.stages_due(session, by=snap.now.date() + timedelta(ahead + 1)))

    def plan(self, snap: Snapshot, facts: StageFacts, timing: Timing) -> Iterator[Planned]:
        by_id = snap.by_id()
        for stage in facts.due:
            view = by_id.get(stage.placement_id)
            local = snap.local.get(stage.placement_id)
            if view is None or local is None or not local.allowed:
                continue
            which = reminder_due(stage.review_date, local.today, timing.support_review_nudge_days)
            if which is None:
                continue
            key = str(_key(stage, which))
            if key in snap.known:
                continue
            kind = "support_overdue" if which == OVERDUE else "support_review"
            message = reminder(view, stage, which)
            yield Planned(key, kind, stage.led_by_id, message, "support plan review due")

    def owed(self, snap: Snapshot, facts: StageFacts) -> Iterable[Owed]:
        return ()  # a plan's leader sees it on status with its button (listing.py)

    def applies(self, snap: Snapshot, facts: StageFacts, key: keys.OutboxKey) -> bool | None:
        if not isinstance(key, keys.SupportReviewDue):
            return None
        return any(s.id == key.stage_id and s.review_date == key.review_date for s in facts.due)


RULE = SupportReviewRule()
