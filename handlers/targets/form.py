"""Targets on the weekly meeting form: each open target due for review (met / partly /
not met, then carry forward or close), and up to three new ones, each with its strand and
a review date (default: the next meeting). Written in the sign-off's transaction.

`handlers/weekly/flow.py` builds a `TargetPart` when it builds the "held" form, adds its
fields, checks the submitted values with it, and writes it once the week is signed off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from handlers.context import Ctx
from handlers.programme_facts import calendar_of, framework_of
from handlers.text import t
from handlers.ui import Choice, FieldKind, FormField, date_text, shorten
from storage.calendar_rules import ProgrammeCalendar, monday_of
from storage.enums import TargetDecision, TargetOutcome, TargetStatus
from storage.models import Target
from storage.repo import messaging
from storage.repo import targets as repo
from storage.repo.frameworks import Strand
from storage.repo.placements import PlacementView

MAX_OPEN = 3  # seeds/002: "short-term, achievable targets"; at most 3 at a time
NEW_SLOTS = 3
TEXT_MAX = 300


def next_meeting(cal: ProgrammeCalendar, after_week: date) -> date:
    """The Friday of the next teaching week after `after_week` (a Monday): when the next
    weekly meeting will have been held. A year without one falls back to a week on."""
    week = after_week + timedelta(days=7)
    for _ in range(52):
        if cal.is_teaching_week(week):
            return week + timedelta(days=4)
        week += timedelta(days=7)
    return after_week + timedelta(days=11)


@dataclass(frozen=True, slots=True)
class Written:
    """What a sign-off did to targets (the confirmation and the reply show it)."""

    set: list[Target] = field(default_factory=list)
    reviewed: list[tuple[Target, TargetOutcome, TargetDecision, date]] = field(default_factory=list)


@dataclass(slots=True)
class TargetPart:
    view: PlacementView
    today: date
    strands: list[Strand]
    due: list[Target]  # open, due for review at this meeting
    open_count: int  # every open target of the trainee, due or not
    default_review: date | None  # None: no date left in the placement
    checked: dict[str, Any] = field(default_factory=dict)

    def fields(self) -> tuple[FormField, ...]:
        out: list[FormField] = []
        for target in self.due:
            out += self._review_fields(target)
        strands = tuple(Choice(s.code, shorten(f"{s.code}: {s.title}", 75)) for s in self.strands)
        default = self.default_review
        initial = default.isoformat() if default else None
        hint = t("hint_target_review", date=date_text(default)) if default else None
        for n in range(1, NEW_SLOTS + 1):
            name = f"target_{n}"
            out += [
                FormField(
                    name,
                    t("field_new_target", n=n),
                    FieldKind.TEXT,
                    required=False,
                    max_length=TEXT_MAX,
                    hint=t("hint_new_target") if n == 1 else None,
                    shown_if=f"target_{n - 1}" if n > 1 else None,
                ),
                FormField(
                    f"{name}_strand",
                    t("field_target_strand", n=n),
                    FieldKind.SELECT,
                    required=False,
                    choices=strands,
                    shown_if=name,
                ),
                FormField(
                    f"{name}_review",
                    t("field_target_review", n=n),
                    FieldKind.DATE,
                    required=False,
                    initial=initial,
                    hint=hint,
                    shown_if=name,
                ),
            ]
        return tuple(out)

    def _review_fields(self, target: Target) -> list[FormField]:
        label = t(
            "field_review_target",
            strand=target.strand_code,
            text=shorten(target.text, 80),
            date=date_text(target.set_on),
        )
        outcomes = tuple(Choice(o.value, t(f"target_{o.value}")) for o in TargetOutcome)
        decisions = tuple(Choice(d.value, t(f"target_{d.value}")) for d in TargetDecision)
        return [
            FormField(f"review_{target.id}", label, FieldKind.CHOICE, choices=outcomes),
            FormField(
                f"decision_{target.id}",
                t("field_review_decision"),
                FieldKind.CHOICE,
                required=False,
                choices=decisions,
            ),
        ]

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        """Errors by field beyond each field's own checks (done by handlers.forms.check)."""
        errors: dict[str, str] = {}
        closing = sum(
            1 for target in self.due if self._decision(values, target) is TargetDecision.CLOSE
        )
        room = MAX_OPEN - (self.open_count - closing)
        new = 0
        for n in range(1, NEW_SLOTS + 1):
            name = f"target_{n}"
            text, strand = values.get(name), values.get(f"{name}_strand")
            if not text and not strand:
                continue
            if not text:
                errors[name] = t("err_target_text")
                continue
            if not strand:
                errors[f"{name}_strand"] = t("err_target_strand")
            review_by = values.get(f"{name}_review") or self.default_review
            if review_by is None or not self.today < review_by <= self.view.end_date:
                errors[f"{name}_review"] = t(
                    "err_target_review_by", end=date_text(self.view.end_date)
                )
            new += 1
            if new > room:
                errors[name] = t(
                    "err_too_many_targets",
                    limit=MAX_OPEN,
                    open=MAX_OPEN - room,
                    room=max(room, 0),
                )
        return errors

    @staticmethod
    def _decision(values: dict[str, Any], target: Target) -> TargetDecision:
        chosen = values.get(f"decision_{target.id}")
        if chosen:
            return TargetDecision(chosen)
        outcome = values.get(f"review_{target.id}")
        return TargetDecision.CLOSE if outcome == TargetOutcome.MET else TargetDecision.CARRY

    async def write(
        self, ctx: Ctx, values: dict[str, Any], *, meeting_id: int, held_on: date
    ) -> Written:
        """The reviews and the new targets, in the sign-off's transaction."""
        written = Written()
        next_review = self.default_review or self.view.end_date
        for target in self.due:
            outcome = TargetOutcome(values[f"review_{target.id}"])
            decision = self._decision(values, target)
            done = await repo.review(
                ctx.session,
                target_id=target.id or 0,
                outcome=outcome,
                decision=decision,
                meeting_id=meeting_id,
                placement_id=self.view.id,
                by=ctx.actor.person_id,
                on=held_on,
                at=ctx.now,
                next_review_by=next_review,
            )
            if done:
                written.reviewed.append((target, outcome, decision, next_review))
        new = [
            self._new_target(ctx, values, n, meeting_id, held_on) for n in range(1, NEW_SLOTS + 1)
        ]
        written.set.extend(await repo.add(ctx.session, targets=[x for x in new if x is not None]))
        if written.set or written.reviewed:
            await messaging.audit(
                ctx.session,
                actor_id=ctx.actor.person_id,
                action="targets_recorded",
                entity="weekly_meeting",
                entity_id=meeting_id,
                detail={
                    "set": [x.id for x in written.set],
                    "reviewed": {str(x.id): o.value for x, o, _d, _n in written.reviewed},
                },
            )
        return written

    def _new_target(
        self, ctx: Ctx, values: dict[str, Any], n: int, meeting_id: int, held_on: date
    ) -> Target | None:
        text = values.get(f"target_{n}")
        if not text:
            return None
        return Target(
            trainee_id=self.view.trainee_id,
            placement_id=self.view.id,
            strand_code=values[f"target_{n}_strand"],
            text=text,
            set_on=held_on,  # set at the meeting, whenever it was signed off
            review_by=values.get(f"target_{n}_review") or self.default_review or self.view.end_date,
            meeting_id=meeting_id,
            set_by_id=ctx.actor.person_id,
            status=TargetStatus.OPEN.value,
            created_at=ctx.now,
        )


async def target_part(ctx: Ctx, view: PlacementView, week: date) -> TargetPart:
    """The targets part of the "held" form for `view`'s week `week`."""
    cal = await calendar_of(ctx, view.programme_id)
    latest = max(week, monday_of(ctx.today))
    default: date | None = min(next_meeting(cal, latest), view.end_date)
    if default is not None and default <= ctx.today:
        default = None
    open_now = await repo.open_targets(ctx.session, trainee_ids=[view.trainee_id])
    # Due at this meeting: a review date by the end of the week being signed off (or of
    # this week, when a past week is signed off late).
    due = [x for x in open_now if x.review_by <= latest + timedelta(days=6)]
    strands = list((await framework_of(ctx, view.programme_id)).strands)
    return TargetPart(view, ctx.today, strands, due, len(open_now), default)
