"""Ratings at a ReviewPoint against the trainee's programme's assessment framework (the
Teachers' Standards on Red/Amber/Green by default, or the ITTECF areas or a provider's own
curriculum on its own scale).

A multi-step form, a few strands a step (what fits a Slack modal and a Teams card); each
finished step is saved as a draft, so a mentor who stops half way finds their answers again
next time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers.access import parse_id, placement_for, placements_in_care
from handlers.context import BadRequest, Ctx
from handlers.forms import check, scale_choices, strand_label
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
from storage.models import RagRating
from storage.repo import calendar, evidence, frameworks, messaging
from storage.repo.frameworks import Framework, Strand
from storage.repo.placements import PlacementView

# Strands a step: five choices with their meanings keep a Slack modal and a Teams card short.
STRANDS_PER_STEP = 5


def steps(framework: Framework) -> tuple[tuple[Strand, ...], ...]:
    """The framework's strands in steps of at most STRANDS_PER_STEP, in their order."""
    strands = framework.strands
    cut = [strands[i : i + STRANDS_PER_STEP] for i in range(0, len(strands), STRANDS_PER_STEP)]
    return tuple(cut) or ((),)


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
    framework = await frameworks.framework_for_programme(
        ctx.session, programme_id=view.programme_id
    )
    return Reply(
        open_form=_step_form(
            framework, view.trainee_name, point.name, (view.id, point.id or 0), step, draft
        )
    )


def _draft_key(placement_id: int, review_point_id: int | None) -> str:
    return f"rate:{placement_id}:{review_point_id}"


def _step_form(
    framework: Framework,
    trainee: str,
    point: str,
    ids: tuple[int, int],
    step: int,
    draft: dict[str, Any],
) -> Form:
    """Step `step` for placement and review point `ids`, with the draft's answers in it."""
    pid, rpid = ids
    all_steps = steps(framework)
    choices = scale_choices(framework)
    fields = [
        FormField(
            strand.code,
            strand_label(strand),
            FieldKind.CHOICE,
            choices=choices,
            initial=draft.get(strand.code),
        )
        for strand in all_steps[step - 1]
    ]
    last = step == len(all_steps)
    if last:
        fields += [
            FormField(
                "comment",
                t("field_comment_opt"),
                FieldKind.LONG_TEXT,
                required=False,
                initial=draft.get("comment"),
            ),
            FormField(
                "targets",
                t("field_targets_next"),
                FieldKind.LONG_TEXT,
                initial=draft.get("targets"),
            ),
        ]
    intro = (
        t("rate_intro", trainee=trainee, review_point=point, framework=framework.name)
        + " "
        + t("rate_step", step=step, steps=len(all_steps))
    )
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
    view = await placement_for(ctx, state.get("placement_id"))
    framework = await frameworks.framework_for_programme(
        ctx.session, programme_id=view.programme_id
    )
    all_steps = steps(framework)
    if step > len(all_steps):
        raise BadRequest("no such step")
    point = await calendar.review_point(
        ctx.session, review_point_id=parse_id(state.get("review_point_id"))
    )
    if point is None or point.programme_id != view.programme_id or point.id is None:
        raise BadRequest("review point not in this programme")
    key = _draft_key(view.id, point.id)
    draft = await evidence.load_draft(ctx.session, owner_id=ctx.actor.person_id, form_key=key)
    ids = (view.id, point.id)
    form = _step_form(framework, view.trainee_name, point.name, ids, step, draft)
    checked = check(form, raw, today=ctx.today)
    if not checked.ok:
        return Reply(form_errors=checked.errors)
    draft.update(checked.values)
    if step < len(all_steps):
        await evidence.save_draft(
            ctx.session, owner_id=ctx.actor.person_id, form_key=key, values=draft
        )
        return Reply(
            open_form=_step_form(framework, view.trainee_name, point.name, ids, step + 1, draft)
        )
    ratings = _ratings(ctx, view, point.id, framework, draft)
    if ratings is None:  # a step answered before the framework changed: ask again
        return await _open_step(ctx, view.id, point.id, step=1)
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


def _ratings(
    ctx: Ctx, view: PlacementView, point_id: int, framework: Framework, draft: dict[str, Any]
) -> list[RagRating] | None:
    """One rating per strand, on the framework's scale; None if a strand is unanswered
    or holds a value the scale does not have (the framework was re-imported mid-way)."""
    allowed = {v.code for v in framework.values}
    if any(draft.get(s.code) not in allowed for s in framework.strands):
        return None
    return [
        RagRating(
            scale=framework.code,
            item_code=strand.code,
            rating=draft[strand.code],
            comment=draft.get("comment") or "",
            targets=draft.get("targets") or "",
            subject_id=view.trainee_id,
            rater_id=ctx.actor.person_id,
            placement_id=view.id,
            review_point_id=point_id,
            created_at=ctx.now,
        )
        for strand in framework.strands
    ]


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
