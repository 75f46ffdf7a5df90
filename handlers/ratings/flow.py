"""RAG ratings against the Teachers' Standards at a ReviewPoint.

A multi-step form; each finished step is saved as a draft, so a mentor who stops half way
finds their answers again next time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers.access import parse_id, placement_for, placements_in_care
from handlers.context import BadRequest, Ctx
from handlers.forms import check, rag_choices
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
from storage.catalogue import TEACHERS_STANDARDS
from storage.enums import Scale
from storage.models import RagRating
from storage.repo import calendar, evidence, messaging
from storage.repo.placements import PlacementView

TS_STEPS: tuple[tuple[str, ...], ...] = (
    tuple(s.code for s in TEACHERS_STANDARDS[:5]),
    tuple(s.code for s in TEACHERS_STANDARDS[5:]),
)
TS_TITLES = {s.code: s.title for s in TEACHERS_STANDARDS}


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


# --- what the scheduler says about them --------------------------------------------------


def do_it_now(view: PlacementView, review_point_id: int | None) -> Button:
    return Button(t("do_it_now"), "rate.start", f"{view.id}:{review_point_id}", Style.PRIMARY)


def nudge(view: PlacementView, rp_id: int, rp_name: str, starts: date, today: date) -> Message:
    """Ratings outstanding before (or at) a review point, to the mentor."""
    if starts <= today:
        text = t("rp_nudge_today", review_point=rp_name, trainee=view.trainee_name)
    else:
        text = t(
            "rp_nudge", review_point=rp_name, when=date_text(starts), trainee=view.trainee_name
        )
    return Message(text, (Section(text), Actions((do_it_now(view, rp_id),))))


def missing_to_lead(view: PlacementView, rp_name: str) -> Message:
    """Ratings still missing days after the review point, to the lead mentor."""
    text = t(
        "missing_ratings_lead",
        trainee=view.trainee_name,
        review_point=rp_name,
        mentor=view.mentor_name,
    )
    return Message(text, (Section(text),))


def overdue(rp_name: str) -> str:
    """As a digest line says it."""
    return t("overdue_ratings", review_point=rp_name)
