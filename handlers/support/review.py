"""The trainee acknowledges their plan; the stage's leader records each review: per target
met or not met, then the decision (close the plan, extend the stage to a new date, or move
to the next stage, which opens it and tells its leader and the people it names)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from handlers import keys, notify
from handlers.access import parse_id
from handlers.context import BadRequest, Ctx, Forbidden
from handlers.forms import check
from handlers.support import show, stages
from handlers.support.opening import tell_stage_opened
from handlers.support.words import stage_label
from handlers.text import say, t
from handlers.ui import (
    Choice,
    FieldKind,
    Form,
    FormField,
    Message,
    Reply,
    Section,
    date_text,
    shorten,
)
from storage.enums import SupportDecision, SupportPlanStatus
from storage.models import SupportPlan, SupportStage, SupportTarget
from storage.repo import messaging, placements
from storage.repo import support as repo
from storage.repo.placements import PlacementView

REVIEW_FORM = "support.review"


async def _load(ctx: Ctx, value: object) -> tuple[SupportStage, SupportPlan, PlacementView]:
    stage = await repo.stage(ctx.session, stage_id=parse_id(value))
    if stage is None:
        raise BadRequest("no such support plan stage")
    plan = await repo.plan(ctx.session, plan_id=stage.plan_id)
    view = await placements.view(ctx.session, placement_id=stage.placement_id)
    if plan is None or view is None:
        raise BadRequest("plan or placement gone")
    return stage, plan, view


async def on_ack(ctx: Ctx, _action: str, value: str) -> Reply:
    stage, _plan, view = await _load(ctx, value)
    if view.trainee_id != ctx.actor.person_id:
        raise Forbidden("not the trainee of this plan", person_id=ctx.actor.person_id)
    if not await repo.acknowledge(ctx.session, stage_id=stage.id or 0, at=ctx.now):
        return say("support_acked_already")
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action="support_plan_acknowledged",
        entity="support_stage",
        entity_id=stage.id,
    )
    await ctx.session.refresh(stage)
    when = ctx.now.astimezone(ctx.timezone).strftime("%-d %b %Y %H:%M")
    text = t("support_acked", stage=stage_label(stage.stage).lower(), when=when)
    targets = await repo.targets_of(ctx.session, stage_ids=[stage.id or 0])
    titles = await show.strand_titles(ctx.session, view.programme_id)
    leader = await show.name_of(ctx.session, stage.led_by_id)
    message = show.plan_message(text, view, stage, targets, leader=leader, titles=titles)
    return Reply(replace_original=message)


def review_form(view: PlacementView, stage: SupportStage, targets: list[SupportTarget]) -> Form:
    outcomes = (Choice("met", t("outcome_met")), Choice("not_met", t("outcome_not_met")))
    fields = [
        FormField(
            f"met_{target.position}",
            t("field_support_outcome", n=target.position, text=shorten(target.text, 80)),
            FieldKind.CHOICE,
            choices=outcomes,
        )
        for target in targets
    ]
    decisions = [SupportDecision.CLOSE, SupportDecision.EXTEND]
    if stages.at(stage.position + 1) is not None:
        decisions.append(SupportDecision.NEXT)
    fields += [
        FormField(
            "decision",
            t("field_support_decision"),
            FieldKind.CHOICE,
            choices=tuple(Choice(d.value, t(f"support_decision_{d.value}")) for d in decisions),
        ),
        FormField(
            "next_date",
            t("field_support_next_date"),
            FieldKind.DATE,
            required=False,
            date_rule="future",
        ),
    ]
    if SupportDecision.NEXT in decisions:
        fields.append(
            FormField(
                "next_support", t("field_support_next_support"), FieldKind.LONG_TEXT, required=False
            )
        )
    fields.append(FormField("note", t("field_support_note"), FieldKind.LONG_TEXT, required=False))
    intro = t(
        "support_review_intro",
        stage=stage_label(stage.stage),
        trainee=view.trainee_name,
        date=date_text(stage.review_date),
    )
    state = {"stage_id": stage.id, "due": stage.review_date.isoformat()}
    return Form(REVIEW_FORM, t("support_review_title"), tuple(fields), intro=intro, state=state)


async def on_review_press(ctx: Ctx, _action: str, value: str) -> Reply:
    stage, plan, view = await _load(ctx, value)
    show.require_lead(ctx, view, stage)
    if plan.status != SupportPlanStatus.OPEN or stage.ended_on is not None:
        return say("support_closed_already")
    targets = await repo.targets_of(ctx.session, stage_ids=[stage.id or 0])
    return Reply(open_form=review_form(view, stage, targets))


def _due(state: dict[str, Any]) -> date:
    try:
        return date.fromisoformat(str(state.get("due")))
    except ValueError as exc:
        raise BadRequest("bad review date in the form's state") from exc


async def on_review_submit(ctx: Ctx, raw: dict[str, Any], state: dict[str, Any]) -> Reply:
    stage, plan, view = await _load(ctx, state.get("stage_id"))
    show.require_lead(ctx, view, stage)
    due = _due(state)
    if plan.status != SupportPlanStatus.OPEN:
        return Reply(
            close_form=True, message=say("support_closed_already").message, nothing_changed=True
        )
    targets = await repo.targets_of(ctx.session, stage_ids=[stage.id or 0])
    checked = check(review_form(view, stage, targets), raw, today=ctx.today)
    if not checked.ok:
        return Reply(form_errors=checked.errors)
    v = checked.values
    decision = SupportDecision(v["decision"])
    next_spec = stages.at(stage.position + 1)
    if decision is SupportDecision.EXTEND and v.get("next_date") is None:
        return Reply(form_errors={"next_date": t("support_need_date")})
    if decision is SupportDecision.NEXT and next_spec is None:
        return Reply(form_errors={"decision": t("support_no_next_stage")})
    next_date: date | None = v.get("next_date")
    if decision is SupportDecision.NEXT and next_spec is not None and next_date is None:
        next_date = ctx.today + timedelta(days=next_spec.review_days)
    met = {target.id or 0: v[f"met_{target.position}"] == "met" for target in targets}
    review = await repo.record_review(
        ctx.session,
        stage=stage,
        due_on=due,
        reviewed_on=ctx.today,
        decision=decision,
        next_review_date=None if decision is SupportDecision.CLOSE else next_date,
        note=v.get("note") or "",
        by_id=ctx.actor.person_id,
        met=met,
        now=ctx.now,
    )
    if review is None:
        return Reply(
            close_form=True, message=say("support_reviewed_already").message, nothing_changed=True
        )
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action="support_plan_reviewed",
        entity="support_review",
        entity_id=review.id,
        detail={"stage_id": stage.id, "decision": decision.value},
    )
    if decision is SupportDecision.CLOSE:
        return await _close(ctx, plan, stage, view)
    if decision is SupportDecision.EXTEND:
        return await _extended(ctx, stage, view)
    assert next_spec is not None and next_date is not None
    support = v.get("next_support") or stage.support
    return await _next(ctx, plan, stage, view, (next_spec, next_date, support), targets, met)


async def _tell(ctx: Ctx, stage: SupportStage, view: PlacementView, event: str, text: str) -> None:
    people = {view.trainee_id, view.mentor_id, view.lead_mentor_id, stage.led_by_id}
    for who in sorted(people - {ctx.actor.person_id}):
        await notify.to_person(
            ctx.session,
            not_before=ctx.now,
            key=str(keys.SupportNews(stage.id or 0, event, stage.review_date, who)),
            kind="support_plan",
            recipient_id=who,
            message=Message(text, (Section(text),)),
        )


async def _close(ctx: Ctx, plan: SupportPlan, stage: SupportStage, view: PlacementView) -> Reply:
    await repo.close_plan(ctx.session, plan_id=plan.id or 0, by_id=ctx.actor.person_id, at=ctx.now)
    when = ctx.now.astimezone(ctx.timezone).strftime("%-d %b %Y")
    text = t("support_closed_to_people", trainee=view.trainee_name, who=ctx.actor.name, when=when)
    await _tell(ctx, stage, view, "closed", text)
    reply = t("support_review_closed", trainee=view.trainee_name)
    return Reply(close_form=True, message=Message(reply, (Section(reply),)))


async def _extended(ctx: Ctx, stage: SupportStage, view: PlacementView) -> Reply:
    label, review = stage_label(stage.stage), date_text(stage.review_date)
    text = t(
        "support_extended_to_people",
        stage=label,
        trainee=view.trainee_name,
        who=ctx.actor.name,
        date=review,
    )
    await _tell(ctx, stage, view, "extended", text)
    reply = t("support_review_extended", stage=label, trainee=view.trainee_name, date=review)
    return Reply(close_form=True, message=Message(reply, (Section(reply),)))


async def _next(
    ctx: Ctx,
    plan: SupportPlan,
    stage: SupportStage,
    view: PlacementView,
    opening: tuple[stages.Stage, date, str],
    targets: list[SupportTarget],
    met: dict[int, bool],
) -> Reply:
    """The next stage opens with the targets not met (all of them if every one was met:
    the panel still needs them) and the support the review gave it (else the same)."""
    spec, review_date, support = opening
    carried = [tg for tg in targets if not met.get(tg.id or 0)] or targets
    leader = await show.leader_of(ctx, spec, view)
    new = await repo.add_stage(
        ctx.session,
        plan=plan,
        stage=spec.code,
        position=stage.position + 1,
        started_on=ctx.today,
        review_date=review_date,
        led_by_id=leader,
        support=support,
        targets=[repo.NewTarget(tg.text, tg.strand_code) for tg in carried],
    )
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action="support_stage_opened",
        entity="support_stage",
        entity_id=new.id,
        detail={"plan_id": plan.id, "stage": spec.code},
    )
    await tell_stage_opened(ctx, view, plan, new, spec)
    reply = t(
        "support_review_next",
        trainee=view.trainee_name,
        stage=stage_label(spec.code),
        leader=await show.name_of(ctx.session, leader),
        date=date_text(review_date),
    )
    return Reply(close_form=True, message=Message(reply, (Section(reply),)))
