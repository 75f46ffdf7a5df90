"""Conversation 2: RAG ratings at a review point, and the mentor's self-evaluation.

Both are multi-step forms; each finished step is saved as a draft, so a mentor who stops
half way finds their answers again next time.
"""

from __future__ import annotations

from typing import Any

from handlers.access import parse_id, placement_for, placements_in_care
from handlers.context import BadRequest, Ctx
from handlers.forms import check
from handlers.text import t
from handlers.ui import Choice, FieldKind, Form, FormField, Message, Reply, Section
from handlers.weekly import rag_choices
from storage.catalogue import TEACHERS_STANDARDS, mentor_items, mentor_standards
from storage.enums import Scale
from storage.models import MentorSelfEvaluation, RagRating
from storage.repo import calendar, evidence, messaging

TS_STEPS: tuple[tuple[str, ...], ...] = (
    tuple(s.code for s in TEACHERS_STANDARDS[:5]),
    tuple(s.code for s in TEACHERS_STANDARDS[5:]),
)
TS_TITLES = {s.code: s.title for s in TEACHERS_STANDARDS}


# --- review point ratings -------------------------------------------------------------


async def start_rating(ctx: Ctx) -> Reply:
    """`/mentor rate`: choose the trainee (only the mentor's own)."""
    mine = await placements_in_care(ctx)
    if not mine:
        return Reply(message=Message(t("no_trainees")))
    choices = tuple(Choice(str(p.id), p.trainee_name) for p in mine)
    field = FormField("placement_id", t("field_trainee"), FieldKind.SELECT, choices=choices)
    return Reply(open_form=Form("rate.pick", t("rate_title"), (field,), submit_label="Next"))


async def on_pick(ctx: Ctx, raw: dict[str, Any]) -> Reply:
    return await _open_step(ctx, raw.get("placement_id"), None, step=1)


async def on_press(ctx: Ctx, value: str) -> Reply:
    """The "Do it now" button from status: value is placement_id:review_point_id."""
    pid, _, rpid = value.partition(":")
    return await _open_step(ctx, pid, rpid or None, step=1)


async def _open_step(ctx: Ctx, raw_pid: object, raw_rpid: object, *, step: int) -> Reply:
    view = await placement_for(ctx, raw_pid)
    if raw_rpid is None:
        point = await calendar.current_review_point(
            ctx.session, programme_id=view.programme_id, on=ctx.today
        )
    else:
        point = await calendar.review_point(ctx.session, review_point_id=parse_id(raw_rpid))
    if point is None or point.programme_id != view.programme_id:
        return Reply(message=Message(t("no_review_point")), close_form=True)
    draft = await evidence.load_draft(
        ctx.session, owner_id=ctx.actor.person_id, form_key=_draft_key(view.id, point.id)
    )
    return Reply(
        open_form=_step_form(view.trainee_name, point.name, view.id, point.id or 0, step, draft)
    )


def _draft_key(placement_id: int, review_point_id: int | None) -> str:
    return f"rate:{placement_id}:{review_point_id}"


def _step_form(
    trainee: str, point: str, pid: int, rpid: int, step: int, draft: dict[str, Any]
) -> Form:
    fields = [
        FormField(
            code,
            f"{code}: {TS_TITLES[code]}",
            FieldKind.CHOICE,
            choices=rag_choices(Scale.TEACHERS_STANDARDS),
            initial=draft.get(code),
        )
        for code in TS_STEPS[step - 1]
    ]
    if step == len(TS_STEPS):
        fields += [
            FormField(
                "comment", t("field_comment_opt"), FieldKind.LONG_TEXT, initial=draft.get("comment")
            ),
            FormField(
                "targets",
                t("field_targets_next"),
                FieldKind.LONG_TEXT,
                initial=draft.get("targets"),
            ),
        ]
    intro = (
        t("rate_intro", trainee=trainee, review_point=point)
        + " "
        + t("rate_step", step=step, steps=len(TS_STEPS))
    )
    last = step == len(TS_STEPS)
    return Form(
        "rate.step",
        t("rate_title"),
        tuple(fields),
        submit_label="Submit" if last else "Next",
        intro=intro,
        state={"placement_id": pid, "review_point_id": rpid, "step": step},
    )


async def on_step(ctx: Ctx, raw: dict[str, Any], state: dict[str, Any]) -> Reply:
    step = parse_id(state.get("step"))
    if step > len(TS_STEPS):
        raise BadRequest("no such step")
    view = await placement_for(ctx, state.get("placement_id"))
    point = await calendar.review_point(
        ctx.session, review_point_id=parse_id(state.get("review_point_id"))
    )
    if point is None or point.programme_id != view.programme_id or point.id is None:
        raise BadRequest("review point not in this programme")
    key = _draft_key(view.id, point.id)
    draft = await evidence.load_draft(ctx.session, owner_id=ctx.actor.person_id, form_key=key)
    form = _step_form(view.trainee_name, point.name, view.id, point.id, step, draft)
    checked = check(form, raw, today=ctx.today)
    if not checked.ok:
        return Reply(form_errors=checked.errors)
    draft.update(checked.values)
    if step < len(TS_STEPS):
        await evidence.save_draft(
            ctx.session, owner_id=ctx.actor.person_id, form_key=key, values=draft
        )
        return Reply(
            open_form=_step_form(view.trainee_name, point.name, view.id, point.id, step + 1, draft)
        )
    ratings = [
        RagRating(
            scale=Scale.TEACHERS_STANDARDS.value,
            item_code=code,
            rating=draft[code],
            comment=draft.get("comment") or "",
            targets=draft.get("targets") or "",
            subject_id=view.trainee_id,
            rater_id=ctx.actor.person_id,
            placement_id=view.id,
            review_point_id=point.id,
            created_at=ctx.now,
        )
        for step_codes in TS_STEPS
        for code in step_codes
    ]
    await evidence.add_ratings(ctx.session, ratings=ratings)
    await evidence.drop_draft(ctx.session, owner_id=ctx.actor.person_id, form_key=key)
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action="review_point_ratings",
        entity="placement",
        entity_id=view.id,
        detail={"review_point_id": point.id, "ratings": {r.item_code: r.rating for r in ratings}},
    )
    text = t("rated", trainee=view.trainee_name, review_point=point.name)
    return Reply(close_form=True, message=Message(text, (Section(text),)))


# --- mentor self-evaluation --------------------------------------------------------------

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
