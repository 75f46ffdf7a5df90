"""Opening a support plan: `support <trainee name>` (a lead mentor for their school's
trainees, an ITT lead for anyone) or an escalation's "Open support plan" button; the
opening form (up to three SMART targets each with an optional strand, the support, the
review date defaulted from the stage's period); the trainee and the stage's people told."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from handlers import keys, notify
from handlers.access import parse_id, require_itt_lead
from handlers.context import BadRequest, Ctx
from handlers.escalation.flow import acknowledge, alert
from handlers.forms import check
from handlers.support import show, stages
from handlers.support.listing import plan_with_buttons, visible_plans
from handlers.support.words import stage_label
from handlers.text import say, t
from handlers.ui import (
    Button,
    Choice,
    FieldKind,
    Form,
    FormField,
    Message,
    Reply,
    Section,
    date_text,
)
from storage.enums import EscalationStatus, Role
from storage.models import SupportPlan, SupportStage, SupportTarget
from storage.models.support import MAX_TARGETS
from storage.repo import concerns, messaging, placements
from storage.repo import support as repo
from storage.repo.placements import PlacementView
from storage.reports.scope import trainees_matching

OPEN_FORM = "support.open"


def _may_open_any(ctx: Ctx) -> bool:
    return bool(ctx.actor.roles & {Role.LEAD_MENTOR, Role.ITT_LEAD, Role.ADMIN})


async def support_command(ctx: Ctx) -> Reply:
    """`support` alone: the plans the person can see (and how to open one)."""
    blocks = await visible_plans(ctx)
    if _may_open_any(ctx):
        blocks.append(Section(t("support_how_to_open", cmd=ctx.command_prefix)))
    elif not ctx.actor.roles & {Role.TRAINEE, Role.MENTOR}:
        return say("support_refused_mentor", cmd=ctx.command_prefix)
    text = t("support_status_heading")
    return Reply(message=Message(text, (Section(text, heading=text), *blocks)))


async def support_named(ctx: Ctx, query: str) -> Reply:
    """`support Tara Trainee`: their open plan, or the form to open one."""
    if not _may_open_any(ctx):
        return say("support_refused_mentor", cmd=ctx.command_prefix)
    query = query.strip()[:200]
    found: list[PlacementView] = []
    for trainee_id, _name in await trainees_matching(ctx.session, query, limit=50):
        for view in await placements.for_trainee(ctx.session, trainee_id=trainee_id):
            if view.start_date <= ctx.today <= view.end_date and show.may_lead(ctx, view):
                found.append(view)
    if not found:
        return say("support_no_match", query=query)
    if len(found) > 1:
        names = ", ".join(sorted({v.trainee_name for v in found}))
        return say("support_many", query=query, names=names)
    return await _plan_or_form(ctx, found[0], escalation_id=None)


async def from_escalation(ctx: Ctx, _action: str, value: str) -> Reply:
    """An escalation alert's "Open support plan" (its action id kept from the IRP days, so
    alerts already posted still work)."""
    require_itt_lead(ctx)
    found = await concerns.escalation(ctx.session, escalation_id=parse_id(value))
    if found is None:
        raise BadRequest("no such escalation")
    view = await placements.view(ctx.session, placement_id=found.placement_id)
    if view is None:
        raise BadRequest("placement gone")
    if found.status == EscalationStatus.RESOLVED:
        return Reply(replace_original=alert(view, found, status_line=t("escalation_done")))
    return await _plan_or_form(ctx, view, escalation_id=found.id)


async def _plan_or_form(ctx: Ctx, view: PlacementView, *, escalation_id: int | None) -> Reply:
    existing = await repo.open_plan_of(ctx.session, placement_id=view.id)
    if existing is not None:
        # Shown with its buttons (record the review), rather than a second plan.
        now = (await repo.plans_now(ctx.session, placement_ids=[view.id]))[0]
        text = t(
            "support_already_open",
            trainee=view.trainee_name,
            stage=stage_label(now.stage.stage),
            date=date_text(now.stage.review_date),
        )
        shown = await plan_with_buttons(ctx, view, now)
        return Reply(message=Message(text, (Section(text), *shown)))
    titles = await show.strand_titles(ctx.session, view.programme_id)
    state = {"placement_id": view.id, "escalation_id": escalation_id}
    return Reply(open_form=open_form(view, titles, ctx.today, state))


def open_form(
    view: PlacementView, titles: dict[str, str], today: date, state: dict[str, Any]
) -> Form:
    stage = stages.first()
    strands = tuple(Choice(code, f"{code}: {title}") for code, title in titles.items())
    fields: list[FormField] = []
    for n in range(1, MAX_TARGETS + 1):
        fields.append(
            FormField(f"target_{n}", t("field_support_target", n=n), FieldKind.LONG_TEXT, n == 1)
        )
        fields.append(
            FormField(
                f"strand_{n}",
                t("field_support_strand", n=n),
                FieldKind.SELECT,
                required=False,
                choices=strands,
            )
        )
    review = today + timedelta(days=stage.review_days)
    fields += [
        FormField("support", t("field_support_given"), FieldKind.LONG_TEXT),
        FormField(
            "review_date",
            t("field_support_review_date"),
            FieldKind.DATE,
            initial=review.isoformat(),
            date_rule="future",
        ),
    ]
    intro = t("support_form_intro", stage=stage_label(stage.code), trainee=view.trainee_name)
    return Form(OPEN_FORM, t("support_form_title"), tuple(fields), intro=intro, state=state)


async def on_open_submit(ctx: Ctx, raw: dict[str, Any], state: dict[str, Any]) -> Reply:
    view = await placements.view(ctx.session, placement_id=parse_id(state.get("placement_id")))
    if view is None:
        raise BadRequest("no such placement")
    show.require_lead(ctx, view)
    escalation = None
    if state.get("escalation_id") is not None:
        require_itt_lead(ctx)
        escalation = await concerns.escalation(
            ctx.session, escalation_id=parse_id(state["escalation_id"])
        )
        if escalation is None or escalation.placement_id != view.id:
            raise BadRequest("no such escalation for this placement")
    titles = await show.strand_titles(ctx.session, view.programme_id)
    checked = check(open_form(view, titles, ctx.today, state), raw, today=ctx.today)
    if not checked.ok:
        return Reply(form_errors=checked.errors)
    # One open plan per trainee: the placement's row is locked first (PostgreSQL), so two
    # leads opening one at the same moment take turns and the second is shown the first.
    await repo.lock_placement(ctx.session, placement_id=view.id)
    if await repo.open_plan_of(ctx.session, placement_id=view.id) is not None:
        return Reply(
            close_form=True, message=(await _plan_or_form(ctx, view, escalation_id=None)).message
        )
    v = checked.values
    targets = [
        repo.NewTarget(v[f"target_{n}"], v.get(f"strand_{n}") or None)
        for n in range(1, MAX_TARGETS + 1)
        if v.get(f"target_{n}")
    ]
    stage_spec = stages.first()
    leader = await show.leader_of(ctx, stage_spec, view)
    plan = await repo.open_plan(
        ctx.session,
        placement_id=view.id,
        escalation_id=escalation.id if escalation else None,
        opened_by_id=ctx.actor.person_id,
        now=ctx.now,
    )
    stage = await repo.add_stage(
        ctx.session,
        plan=plan,
        stage=stage_spec.code,
        position=1,
        started_on=ctx.today,
        review_date=v["review_date"],
        led_by_id=leader,
        support=v["support"],
        targets=targets,
    )
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action="support_plan_opened",
        entity="support_plan",
        entity_id=plan.id,
        detail={"placement_id": view.id, "stage": stage.stage, "escalation_id": plan.escalation_id},
    )
    await tell_stage_opened(ctx, view, plan, stage, stage_spec)
    label, review = stage_label(stage.stage), date_text(stage.review_date)
    if escalation is not None:
        await acknowledge(ctx, escalation)
        line = t(
            "support_opened_from_escalation",
            stage=label,
            who=ctx.actor.name,
            when=ctx.now.astimezone(ctx.timezone).strftime("%-d %b %Y %H:%M"),
            date=review,
        )
        return Reply(close_form=True, replace_original=alert(view, escalation, status_line=line))
    text = t("support_opened", stage=label, trainee=view.trainee_name, date=review)
    return Reply(close_form=True, message=Message(text, (Section(text),)))


async def tell_stage_opened(
    ctx: Ctx,
    view: PlacementView,
    plan: SupportPlan,
    stage: SupportStage,
    spec: stages.Stage,
) -> None:
    """The trainee gets their plan with a button to acknowledge it; the leader and the
    people the stage names get it to read. Not the person who did it (they see it now)."""
    targets: list[SupportTarget] = await repo.targets_of(ctx.session, stage_ids=[stage.id or 0])
    titles = await show.strand_titles(ctx.session, view.programme_id)
    leader = await show.name_of(ctx.session, stage.led_by_id)
    label, review = stage_label(stage.stage), date_text(stage.review_date)
    recipients = await show.people_to_tell(ctx.session, spec, view, stage.led_by_id)
    recipients.add(view.trainee_id)
    for who in sorted(recipients - {ctx.actor.person_id}):
        if who == view.trainee_id:
            text = t("support_to_trainee", who=ctx.actor.name, stage=label.lower(), date=review)
            buttons: tuple[Button, ...] = (show.ack_button(stage),)
        else:
            text = t(
                "support_to_others",
                stage=label,
                trainee=view.trainee_name,
                who=ctx.actor.name,
                leader=leader,
                date=review,
            )
            buttons = ()
        message = show.plan_message(
            text, view, stage, targets, leader=leader, titles=titles, buttons=buttons
        )
        await notify.to_person(
            ctx.session,
            not_before=ctx.now,
            key=str(keys.SupportNews(stage.id or 0, "opened", stage.review_date, who)),
            kind="support_plan",
            recipient_id=who,
            message=message,
        )
