"""The open support plans a person can see: on `support` alone and on their status view
(the trainee: their own, with the button to acknowledge it; the mentor: their trainees';
the lead mentor: their school's; ITT leads: every one), with the review button for those
who may record the review."""

from __future__ import annotations

from handlers.context import Ctx
from handlers.support import show
from handlers.support.words import stage_label
from handlers.text import t
from handlers.ui import Actions, Block, Button, Facts, Section, date_text
from storage.enums import Role
from storage.repo import placements
from storage.repo import support as repo
from storage.repo.placements import PlacementView

PARTNERSHIP = frozenset({Role.ITT_LEAD, Role.ADMIN})


async def _views(ctx: Ctx) -> dict[int, PlacementView] | None:
    """The placements whose plans the actor sees; None: all of them."""
    if ctx.actor.roles & PARTNERSHIP:
        return None
    me = ctx.actor.person_id
    views: list[PlacementView] = []
    if ctx.actor.has(Role.LEAD_MENTOR):
        views += await placements.for_lead_mentor(ctx.session, lead_mentor_id=me)
    if ctx.actor.has(Role.MENTOR) or ctx.actor.has(Role.LEAD_MENTOR):
        views += await placements.for_mentor(ctx.session, mentor_id=me)
    if ctx.actor.has(Role.TRAINEE):
        views += await placements.for_trainee(ctx.session, trainee_id=me)
    return {v.id: v for v in views}


async def visible_plans(ctx: Ctx) -> list[Block]:
    views = await _views(ctx)
    ids = None if views is None else sorted(views)
    if ids == []:
        return [Section(t("support_none_visible"))]
    found = await repo.plans_now(ctx.session, placement_ids=ids)
    blocks: list[Block] = []
    for now in found:
        view = (views or {}).get(now.plan.placement_id) or await placements.view(
            ctx.session, placement_id=now.plan.placement_id
        )
        if view is None:
            continue
        blocks += await plan_with_buttons(ctx, view, now)
    return blocks or [Section(t("support_none_visible"))]


async def plan_with_buttons(ctx: Ctx, view: PlacementView, now: repo.PlanNow) -> list[Block]:
    stage, label = now.stage, stage_label(now.stage.stage)
    review = date_text(stage.review_date)
    leader = await show.name_of(ctx.session, stage.led_by_id)
    if view.trainee_id == ctx.actor.person_id:
        line = t("support_status_trainee", stage=label.lower(), date=review)
    else:
        line = t(
            "support_status_line",
            stage=label,
            trainee=view.trainee_name,
            date=review,
            leader=leader,
        )
    titles = await show.strand_titles(ctx.session, view.programme_id)
    blocks: list[Block] = [
        Section(line),
        Facts(((t("support_targets"), show.targets_text(now.targets, titles)),)),
    ]
    buttons: list[Button] = []
    if view.trainee_id == ctx.actor.person_id and stage.acknowledged_at is None:
        buttons.append(show.ack_button(stage))
    if view.trainee_id != ctx.actor.person_id and show.may_lead(ctx, view, stage):
        buttons.append(show.review_button(stage))
    if buttons:
        blocks.append(Actions(tuple(buttons)))
    return blocks


async def status_notes(ctx: Ctx) -> list[Block]:
    """On the status view: only when there is a plan to show."""
    blocks = await visible_plans(ctx)
    if len(blocks) == 1 and isinstance(blocks[0], Section):
        return []  # "no open support plans": not worth a line on everyone's status
    heading = t("support_status_heading")
    return [Section(heading, heading=heading), *blocks]
