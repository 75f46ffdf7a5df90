"""The end-of-placement evaluations: the ask, the form, and the answers recorded once.

Three kinds are asked when a placement ends (storage.enums.EvaluationKind): the trainee
evaluates their mentor and school, the tutor the mentor's support, the mentor the training
they received. Each is a form of statements on the Agreement scale (a word and a sign for
each answer) and a free-text comment. Only the person asked can answer, once.
"""

from __future__ import annotations

import logging
from typing import Any

from handlers.access import parse_id
from handlers.context import BadRequest, Ctx, Forbidden
from handlers.forms import check
from handlers.text import t
from handlers.ui import (
    Actions,
    Button,
    Choice,
    FieldKind,
    Form,
    FormField,
    Message,
    Reply,
    Section,
    Style,
    date_text,
)
from storage.enums import Agreement, EvaluationKind, Role
from storage.models import PlacementEvaluation
from storage.repo import messaging, placements, quality
from storage.repo.placements import PlacementView

log = logging.getLogger(__name__)

FORM_ID = "evaluation"
START = "evaluation.start"
# The kinds asked when a placement ends (a tutor's visit is recorded with the visit).
ASKED = (
    EvaluationKind.TRAINEE_OF_MENTOR,
    EvaluationKind.TUTOR_OF_MENTOR,
    EvaluationKind.MENTOR_OF_TRAINING,
)
MENTOR_STANDARDS = ("MS1", "MS2", "MS3", "MS4")
# The statements of each kind: (string key prefix, item codes).
ITEMS: dict[EvaluationKind, tuple[str, tuple[str, ...]]] = {
    EvaluationKind.TRAINEE_OF_MENTOR: ("eval_trainee", (*MENTOR_STANDARDS, "SC1")),
    EvaluationKind.TUTOR_OF_MENTOR: ("eval_tutor", MENTOR_STANDARDS),
    EvaluationKind.TUTOR_VISIT: ("eval_tutor", MENTOR_STANDARDS),
    EvaluationKind.MENTOR_OF_TRAINING: ("eval_training", ("TR1", "TR2", "TR3")),
}


def agreement_choices() -> tuple[Choice, ...]:
    """Strongly agree … strongly disagree, each with its word and its sign."""
    return tuple(Choice(a.value, t(f"agree_{a.value}")) for a in Agreement)


def statement_fields(kind: EvaluationKind) -> tuple[FormField, ...]:
    prefix, codes = ITEMS[kind]
    return tuple(
        FormField(code, t(f"{prefix}_{code}"), FieldKind.CHOICE, choices=agreement_choices())
        for code in codes
    )


def _names(view: PlacementView) -> dict[str, str]:
    return {"trainee": view.trainee_name, "mentor": view.mentor_name, "school": view.school_name}


def form(kind: EvaluationKind, view: PlacementView) -> Form:
    comment = FormField("comment", t("eval_comment"), FieldKind.LONG_TEXT, required=False)
    return Form(
        FORM_ID,
        t(f"eval_title_{kind.value}"),
        (*statement_fields(kind), comment),
        intro=t(f"eval_intro_{kind.value}", **_names(view)),
        state={"kind": kind.value, "placement_id": view.id},
    )


def button_value(kind: EvaluationKind, placement_id: int) -> str:
    return f"{kind.value}:{placement_id}"


def answer_button(kind: EvaluationKind, placement_id: int) -> Button:
    return Button(t("eval_button"), START, button_value(kind, placement_id), Style.PRIMARY)


def ask_text(kind: EvaluationKind, view: PlacementView) -> str:
    return t(f"eval_ask_{kind.value}", **_names(view))


def ask(kind: EvaluationKind, view: PlacementView, round_: int = 0) -> Message:
    """The message the sweep sends: the ask (round 0) or a reminder, with the button."""
    text = ask_text(kind, view)
    if round_:
        text = t("eval_reminder", ask=text)
    return Message(text, (Section(text), Actions((answer_button(kind, view.id),))))


def _parse(kind: object, placement_id: object) -> tuple[EvaluationKind, int]:
    try:
        parsed = EvaluationKind(str(kind))
    except ValueError as exc:
        raise BadRequest("not an evaluation") from exc
    if parsed not in ASKED:
        raise BadRequest("not an evaluation asked at the end of a placement")
    return parsed, parse_id(placement_id)


async def _asked_of_actor(ctx: Ctx, kind: EvaluationKind, placement_id: int) -> PlacementView:
    """The placement, if this evaluation of it is the actor's to give (else refused)."""
    view = await placements.view(ctx.session, placement_id=placement_id)
    if view is None:
        raise BadRequest("no such placement")
    actor = ctx.actor.person_id
    match kind:
        case EvaluationKind.TRAINEE_OF_MENTOR:
            mine = view.trainee_id == actor
        case EvaluationKind.MENTOR_OF_TRAINING:
            mine = view.mentor_id == actor
        case _:
            tutor = await quality.tutor_of(ctx.session, placement_id=view.id)
            mine = tutor == actor and ctx.actor.has(Role.TUTOR)
    if not mine:
        log.warning("refused: person_id=%s may not evaluate placement_id=%s", actor, view.id)
        raise Forbidden("not the respondent", person_id=actor, placement_id=view.id)
    return view


async def _on_record(ctx: Ctx, kind: EvaluationKind, view: PlacementView) -> Reply | None:
    """'You answered on …' when the evaluation is on record already (for the training:
    once per programme, whichever of the mentor's placements it was asked on)."""
    if kind is EvaluationKind.MENTOR_OF_TRAINING:
        done = await quality.training_recorded(
            ctx.session, mentor_id=ctx.actor.person_id, programme_id=view.programme_id
        )
    else:
        done = await quality.recorded(
            ctx.session, placement_id=view.id, kind=kind.value, respondent_id=ctx.actor.person_id
        )
    if done is None:
        return None
    day = done.submitted_at.astimezone(ctx.timezone).date()
    text = t("eval_already", date=date_text(day))
    return Reply(message=Message(text), close_form=True, nothing_changed=True)


def _not_yet(ctx: Ctx, view: PlacementView) -> Reply | None:
    if ctx.today >= view.end_date:
        return None
    text = t("eval_not_yet", date=date_text(view.end_date))
    return Reply(message=Message(text), close_form=True)


async def start(ctx: Ctx, value: str) -> Reply:
    """The ask's button: the form, unless it is answered already or not open yet."""
    kind_text, _, placement_text = value.partition(":")
    kind, placement_id = _parse(kind_text, placement_text)
    view = await _asked_of_actor(ctx, kind, placement_id)
    refused = _not_yet(ctx, view) or await _on_record(ctx, kind, view)
    if refused is not None:
        return Reply(message=refused.message)
    return Reply(open_form=form(kind, view))


async def on_submit(ctx: Ctx, raw: dict[str, Any], state: dict[str, Any]) -> Reply:
    """Recorded once, with its answers, in the interaction's one transaction."""
    kind, placement_id = _parse(state.get("kind"), state.get("placement_id"))
    view = await _asked_of_actor(ctx, kind, placement_id)
    refused = _not_yet(ctx, view) or await _on_record(ctx, kind, view)
    if refused is not None:
        return refused
    checked = check(form(kind, view), raw, today=ctx.today)
    if not checked.ok:
        return Reply(form_errors=checked.errors)
    _prefix, codes = ITEMS[kind]
    evaluation = PlacementEvaluation(
        placement_id=view.id,
        kind=kind.value,
        respondent_id=ctx.actor.person_id,
        mentor_id=view.mentor_id,
        school_id=view.school_id,
        comment=checked.values.get("comment") or "",
        submitted_at=ctx.now,
    )
    answers = {code: checked.values[code] for code in codes}
    stored = await quality.record_evaluation(ctx.session, evaluation=evaluation, answers=answers)
    if stored is None:  # another submission won the race a moment ago
        return await _on_record(ctx, kind, view) or Reply(close_form=True)
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action="evaluation_recorded",
        entity="placement_evaluation",
        entity_id=stored.id,
        detail={"placement_id": view.id, "kind": kind.value},
    )
    text = t("eval_thanks")
    return Reply(close_form=True, message=Message(text, (Section(text),)))
