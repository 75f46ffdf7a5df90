"""The mentor's self-evaluation against the National Standards for school-based ITT
mentors: one step per standard, each finished step saved as a draft."""

from __future__ import annotations

from typing import Any

from handlers.access import parse_id
from handlers.context import BadRequest, Ctx
from handlers.forms import check, rag_choices
from handlers.text import t
from handlers.ui import FieldKind, Form, FormField, Message, Reply, Section
from storage.catalogue import mentor_items, mentor_standards
from storage.enums import Scale
from storage.models import MentorSelfEvaluation, RagRating
from storage.repo import evidence, messaging

SELF_EVAL_KEY = "selfeval"


def _self_eval_form(step: int, draft: dict[str, Any]) -> Form:
    standard = mentor_standards()[step - 1]
    items = [i for i in mentor_items() if i.parent_code == standard.code]
    fields = [
        FormField(
            item.code.replace(".", "_"),
            f"{item.code}: {item.title}",
            FieldKind.CHOICE,
            choices=rag_choices(Scale.MENTOR_STANDARDS),
            initial=draft.get(item.code.replace(".", "_")),
        )
        for item in items
    ]
    for name, label in (
        ("strengths", "field_strengths"),
        ("targets", "field_targets"),
        ("actions", "field_actions"),
    ):
        key = f"{standard.code}_{name}"
        fields.append(
            FormField(key, t(label), FieldKind.LONG_TEXT, required=False, initial=draft.get(key))
        )
    steps = len(mentor_standards())
    return Form(
        "selfeval.step",
        t("self_eval_title"),
        tuple(fields),
        submit_label="Submit" if step == steps else "Next",
        intro=t("self_eval_intro", standard=standard.title)
        + " "
        + t("rate_step", step=step, steps=steps),
        state={"step": step},
    )


async def start_self_evaluation(ctx: Ctx) -> Reply:
    draft = await evidence.load_draft(
        ctx.session, owner_id=ctx.actor.person_id, form_key=SELF_EVAL_KEY
    )
    return Reply(open_form=_self_eval_form(1, draft))


async def on_self_eval_step(ctx: Ctx, raw: dict[str, Any], state: dict[str, Any]) -> Reply:
    step = parse_id(state.get("step"))
    steps = len(mentor_standards())
    if step > steps:
        raise BadRequest("no such step")
    draft = await evidence.load_draft(
        ctx.session, owner_id=ctx.actor.person_id, form_key=SELF_EVAL_KEY
    )
    checked = check(_self_eval_form(step, draft), raw, today=ctx.today)
    if not checked.ok:
        return Reply(form_errors=checked.errors)
    draft.update({k: v for k, v in checked.values.items() if v is not None})
    if step < steps:
        await evidence.save_draft(
            ctx.session, owner_id=ctx.actor.person_id, form_key=SELF_EVAL_KEY, values=draft
        )
        return Reply(open_form=_self_eval_form(step + 1, draft))
    await _record_self_evaluation(ctx, draft)
    text = t("self_evaluated")
    return Reply(close_form=True, message=Message(text, (Section(text),)))


async def _record_self_evaluation(ctx: Ctx, draft: dict[str, Any]) -> None:
    missing = [i.code for i in mentor_items() if i.code.replace(".", "_") not in draft]
    if missing:
        raise BadRequest("self-evaluation incomplete")
    evaluations = await evidence.add_self_evaluations(
        ctx.session,
        evaluations=[
            MentorSelfEvaluation(
                mentor_id=ctx.actor.person_id,
                standard_code=s.code,
                strengths=draft.get(f"{s.code}_strengths") or "",
                targets=draft.get(f"{s.code}_targets") or "",
                actions=draft.get(f"{s.code}_actions") or "",
                created_at=ctx.now,
            )
            for s in mentor_standards()
        ],
    )
    by_code = {e.standard_code: e.id for e in evaluations}
    await evidence.add_ratings(
        ctx.session,
        ratings=[
            RagRating(
                scale=Scale.MENTOR_STANDARDS.value,
                item_code=item.code,
                rating=draft[item.code.replace(".", "_")],
                subject_id=ctx.actor.person_id,
                rater_id=ctx.actor.person_id,
                self_evaluation_id=by_code[item.parent_code or ""],
                created_at=ctx.now,
            )
            for item in mentor_items()
        ],
    )
    await evidence.drop_draft(ctx.session, owner_id=ctx.actor.person_id, form_key=SELF_EVAL_KEY)
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action="mentor_self_evaluation",
        entity="person",
        entity_id=ctx.actor.person_id,
    )
