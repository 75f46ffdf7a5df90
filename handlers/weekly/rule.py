"""What the Weekly Development Meeting makes due: each teaching week's sign-off (to the
mentor), and the trainee's confirmation of a held meeting's record."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keys
from handlers.owed import Owed, Planned, Snapshot, Timing, covered, status_weeks
from handlers.text import t
from handlers.ui import Message, Section, date_text
from handlers.weekly.flow import confirm_buttons, prompt, reminder
from storage.calendar_rules import ProgrammeCalendar
from storage.models import WeeklyMeeting
from storage.repo import evidence, placements
from storage.repo import sweeps as q
from storage.repo.placements import PlacementView


def owes_week(snap: Snapshot, placement_id: int, week: date) -> bool:
    """The one decision: a week the mentor was asked about is owed until signed off."""
    return (placement_id, week) not in snap.signed


def asked_about(cal: ProgrammeCalendar, view: PlacementView, week: date) -> bool:
    """A teaching week within the placement (its first week counts from its Monday)."""
    if week < view.start_date - timedelta(days=6) or week > view.end_date:
        return False
    return cal.is_teaching_week(week)


@dataclass(slots=True)
class WeeklyFacts:
    unconfirmed: list[WeeklyMeeting] = field(default_factory=list)  # status: as trainee


class WeeklyRule:
    async def load(self, session: AsyncSession, snap: Snapshot) -> WeeklyFacts:
        scope, facts = snap.scope, WeeklyFacts()
        if isinstance(scope.key, keys.WeeklyPrompt | keys.WeeklyReminder | keys.WeeklySnooze):
            key = scope.key
            snap.signed = await q.signed_off(
                session, weeks=[key.week], placement_ids=[key.placement_id]
            )
            return facts
        if scope.key is not None:
            return facts
        weeks = (
            {loc.week for loc in snap.local.values()}
            if scope.everyone
            else set(status_weeks(snap.today))
        )
        snap.signed = await q.signed_off(session, weeks=weeks, placement_ids=scope.ids())
        if scope.trainee_placement_ids:
            facts.unconfirmed = await evidence.unconfirmed_meetings(
                session, placement_ids=sorted(scope.trainee_placement_ids)
            )
        return facts

    def plan(self, snap: Snapshot, facts: WeeklyFacts, timing: Timing) -> Iterator[Planned]:
        later = snap.build_later  # a prompt is built when it is sent (message_for)
        for loc, views in snap.groups.values():
            cal = snap.calendar(views[0])  # the same for every placement of the group
            if not (loc.allowed and loc.prompt_due and cal.is_teaching_week(loc.week)):
                continue
            prompt_key = keys.WeeklyPrompt.of_week(loc.week)
            reminder_key = keys.WeeklyReminder.of_week(loc.week)
            for v in views:
                if not owes_week(snap, v.id, loc.week):
                    continue
                key = prompt_key(v.id)
                prompting = key not in snap.known
                if prompting:
                    why = f"weekly sign-off for {v.trainee_name}"
                    message = None if later else prompt(v, loc.week)
                    yield Planned(key, "weekly_prompt", v.mentor_id, message, why)
                again = reminder_key(v.id)
                if loc.reminder_due and again not in snap.known:
                    why = "meeting still not signed off"
                    if prompting:
                        # The first sweep after the reminder's time (a fresh install, or
                        # after downtime): the prompt alone, never prompt and reminder at once.
                        yield covered(again, "weekly_reminder", v.mentor_id, why)
                    else:
                        message = None if later else reminder(v, loc.week)
                        yield Planned(again, "weekly_reminder", v.mentor_id, message, why)

    def owed(self, snap: Snapshot, facts: WeeklyFacts) -> Iterable[Owed]:
        for v in snap.views:
            for week in status_weeks(snap.today):
                if asked_about(snap.calendar(v), v, week) and owes_week(snap, v.id, week):
                    yield Owed((0, v.id), prompt(v, week).blocks)
        for m in facts.unconfirmed:
            text = Section(t("owe_confirm", week=date_text(m.week_start)))
            yield Owed((1, 0), (text, confirm_buttons(m.id)))

    def applies(self, snap: Snapshot, facts: WeeklyFacts, key: keys.OutboxKey) -> bool | None:
        if isinstance(key, keys.WeeklyPrompt | keys.WeeklyReminder | keys.WeeklySnooze):
            return owes_week(snap, key.placement_id, key.week)
        return None

    async def message_for(
        self, session: AsyncSession, key: keys.OutboxKey, now: datetime
    ) -> Message | None:
        """A prompt or reminder the sweep queued by its key, built as it is sent."""
        if not isinstance(key, keys.WeeklyPrompt | keys.WeeklyReminder):
            return None
        view = await placements.view(session, placement_id=key.placement_id)
        if view is None:
            return None
        build = prompt if isinstance(key, keys.WeeklyPrompt) else reminder
        return build(view, key.week)


RULE = WeeklyRule()
