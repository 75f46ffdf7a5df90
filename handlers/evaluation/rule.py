"""What the end of a placement makes due: the trainee's, the tutor's and the mentor's
evaluations. Asked on the end day (school-local, a school day, in working hours), then
reminded every few school days while unanswered, at most the policy's reminders; never
again once answered. The status view shows what the person owes, with a button."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keys
from handlers.evaluation.flow import answer_button, ask, ask_text
from handlers.owed import EvaluationTiming, Local, Owed, Planned, Snapshot, Timing
from handlers.text import t
from handlers.ui import Actions, Section
from storage.calendar_rules import ProgrammeCalendar
from storage.enums import EvaluationKind
from storage.repo import placements, quality
from storage.repo.placements import PlacementView

# What the status view looks back over (the sweep uses the policy's ask_within_days).
STATUS_WINDOW = timedelta(days=60)


@dataclass(frozen=True, slots=True)
class Ask:
    view: PlacementView
    kind: EvaluationKind
    respondent_id: int


@dataclass(slots=True)
class EvaluationFacts:
    endings: list[tuple[PlacementView, int | None]] = field(default_factory=list)
    answered: quality.Answered = field(default_factory=set)
    trained: set[tuple[int, int]] = field(default_factory=set)  # (mentor, programme)


def owed_asks(facts: EvaluationFacts, today: date) -> list[Ask]:
    """The one decision: the evaluations owed of whom, for placements ended by `today`.
    A mentor evaluates the training once per programme (asked on their first placement
    of it to end)."""
    asks: list[Ask] = []
    first_ended: dict[tuple[int, int], PlacementView] = {}
    # Oldest end first, so the training is asked on the mentor's first placement to end.
    for view, tutor_id in sorted(facts.endings, key=lambda e: (e[0].end_date, e[0].id)):
        if view.end_date > today:
            continue
        trainee = (view.id, EvaluationKind.TRAINEE_OF_MENTOR.value, view.trainee_id)
        if trainee not in facts.answered:
            asks.append(Ask(view, EvaluationKind.TRAINEE_OF_MENTOR, view.trainee_id))
        if tutor_id is not None:
            tutor = (view.id, EvaluationKind.TUTOR_OF_MENTOR.value, tutor_id)
            if tutor not in facts.answered:
                asks.append(Ask(view, EvaluationKind.TUTOR_OF_MENTOR, tutor_id))
        mentor = (view.mentor_id, view.programme_id)
        if mentor not in facts.trained and mentor not in first_ended:
            first_ended[mentor] = view
    asks += [
        Ask(view, EvaluationKind.MENTOR_OF_TRAINING, mentor_id)
        for (mentor_id, _), view in first_ended.items()
    ]
    return asks


def owes(facts: EvaluationFacts, key: keys.EvaluationAsk) -> bool:
    """Is the evaluation a queued ask is about still unanswered? (It was asked, so the
    placement had ended: the answer does not depend on the clock.)"""
    return any(
        (a.view.id, a.kind.value, a.respondent_id)
        == (key.placement_id, key.kind, key.respondent_id)
        for a in owed_asks(facts, date.max)
    )


def school_days_after(cal: ProgrammeCalendar, end: date, today: date) -> int:
    """School days after the end day, up to and including today."""
    days = (today - end).days
    return sum(1 for n in range(1, days + 1) if cal.is_school_day(end + timedelta(days=n)))


Group = tuple[str, int, int]  # time zone, programme, school when it has closures (else 0)


class _Rounds:
    """Which round (0 the ask, 1.. the reminders) is due now for a placement that ended,
    or None when nothing may be sent there now; decided once per group and end date."""

    def __init__(self, snap: Snapshot, policy: EvaluationTiming) -> None:
        self.snap, self.policy = snap, policy
        self.locals: dict[Group, tuple[Local, ProgrammeCalendar]] = {}
        self.rounds: dict[tuple[Group, date], int | None] = {}

    def due(self, v: PlacementView) -> int | None:
        snap = self.snap
        group = (v.timezone, v.programme_id, v.school_id if v.school_id in snap.closures else 0)
        if (group, v.end_date) in self.rounds:
            return self.rounds[(group, v.end_date)]
        if group not in self.locals:
            assert snap.local_of is not None
            cal = snap.calendar(v)
            here = snap.local_of(snap.now.astimezone(ZoneInfo(v.timezone)), cal)
            self.locals[group] = (here, cal)
        local, cal = self.locals[group]
        since_end = (local.today - v.end_date).days
        due: int | None = None
        if local.allowed and 0 <= since_end <= self.policy.ask_within_days:
            days = school_days_after(cal, v.end_date, local.today)
            due = min(self.policy.max_reminders, days // self.policy.reminder_school_days)
        self.rounds[(group, v.end_date)] = due
        return due


class EvaluationRule:
    async def load(self, session: AsyncSession, snap: Snapshot) -> EvaluationFacts:
        scope, timing = snap.scope, snap.timing
        if isinstance(scope.key, keys.EvaluationAsk):
            endings = await placements.ended_between(
                session, first=date.min, last=date.max, placement_ids=[scope.key.placement_id]
            )
        elif scope.key is not None:
            return EvaluationFacts()
        elif scope.everyone and timing is not None:
            # A day either side of the UTC date: each school decides in its own time.
            back = timedelta(days=timing.evaluations.ask_within_days + 1)
            endings = await placements.ended_between(
                session, first=snap.today - back, last=snap.today + timedelta(days=1)
            )
        elif scope.person_id is not None:
            endings = await placements.ended_between(
                session,
                first=snap.today - STATUS_WINDOW,
                last=snap.today,
                person_id=scope.person_id,
            )
        else:
            return EvaluationFacts()
        ids = [view.id for view, _ in endings]
        mentors = sorted({view.mentor_id for view, _ in endings})
        return EvaluationFacts(
            endings,
            await quality.answered(session, placement_ids=ids),
            await quality.trained(session, mentor_ids=mentors),
        )

    def plan(self, snap: Snapshot, facts: EvaluationFacts, timing: Timing) -> Iterator[Planned]:
        if not facts.endings or snap.local_of is None:
            return
        rounds = _Rounds(snap, timing.evaluations)
        # A day ahead of the UTC date: each school decides by its own today.
        for a in owed_asks(facts, snap.today + timedelta(days=1)):
            due = rounds.due(a.view)
            if due is None:
                continue
            sent = [
                str(keys.EvaluationAsk(a.view.id, a.kind.value, a.respondent_id, r))
                for r in range(due, rounds.policy.max_reminders + 1)
            ]
            if any(key in snap.known for key in sent):
                continue  # this round (or a later one) went already
            yield Planned(
                sent[0],
                "evaluation_reminder" if due else "evaluation_ask",
                a.respondent_id,
                ask(a.kind, a.view, due),
                f"{a.kind.value} evaluation owed",
            )

    def owed(self, snap: Snapshot, facts: EvaluationFacts) -> Iterable[Owed]:
        person = snap.scope.person_id
        for a in owed_asks(facts, snap.today):
            if a.respondent_id != person:
                continue
            text = Section(t("owe_evaluation", what=ask_text(a.kind, a.view)))
            yield Owed((2, a.view.id), (text, Actions((answer_button(a.kind, a.view.id),))))

    def applies(self, snap: Snapshot, facts: EvaluationFacts, key: keys.OutboxKey) -> bool | None:
        if isinstance(key, keys.EvaluationAsk):
            return owes(facts, key)
        return None


RULE = EvaluationRule()
