"""How a support plan reads in chat, who may act on it, who leads a stage and who is told."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Ctx, Forbidden
from handlers.support import stages
from handlers.support.words import stage_label
from handlers.text import t
from handlers.ui import Actions, Block, Button, Facts, Message, Section, Style, date_text
from storage.enums import Role
from storage.models import SupportStage, SupportTarget
from storage.repo import people
from storage.repo.frameworks import strands_for_programme
from storage.repo.placements import PlacementView

log = logging.getLogger(__name__)


def may_lead(ctx: Ctx, view: PlacementView, stage: SupportStage | None = None) -> bool:
    """ITT leads (and admins) for any trainee; the placement's lead mentor; a stage's leader."""
    actor = ctx.actor
    if actor.has(Role.ITT_LEAD) or actor.has(Role.ADMIN):
        return True
    if stage is not None and stage.led_by_id == actor.person_id:
        return True
    return actor.has(Role.LEAD_MENTOR) and view.lead_mentor_id == actor.person_id


def require_lead(ctx: Ctx, view: PlacementView, stage: SupportStage | None = None) -> None:
    if not may_lead(ctx, view, stage):
        log.warning(
            "refused: person_id=%s may not lead support for placement_id=%s",
            ctx.actor.person_id,
            view.id,
        )
        raise Forbidden("not a lead for this placement", person_id=ctx.actor.person_id)


async def itt_leads(session: AsyncSession) -> list[int]:
    return sorted(p.id for p in await people.with_role(session, role=Role.ITT_LEAD) if p.id)


async def leader_of(ctx: Ctx, stage: stages.Stage, view: PlacementView) -> int:
    """Who leads a stage: the lead mentor, or for an ITT-lead stage the ITT lead acting
    (else the first ITT lead on the roster; with none, the lead mentor)."""
    if stage.led_by is Role.ITT_LEAD:
        if ctx.actor.has(Role.ITT_LEAD):
            return ctx.actor.person_id
        leads = await itt_leads(ctx.session)
        if leads:
            return leads[0]
    return view.lead_mentor_id


async def people_to_tell(
    session: AsyncSession, stage: stages.Stage, view: PlacementView, leader_id: int
) -> set[int]:
    """The stage's leader and the roles the policy names, for this placement."""
    found = {leader_id}
    by_role = {
        Role.TRAINEE: view.trainee_id,
        Role.MENTOR: view.mentor_id,
        Role.LEAD_MENTOR: view.lead_mentor_id,
    }
    for role in stage.tell:
        if role is Role.ITT_LEAD:
            found.update(await itt_leads(session))
        elif role in by_role:
            found.add(by_role[role])
    return found


async def strand_titles(session: AsyncSession, programme_id: int) -> dict[str, str]:
    strands = await strands_for_programme(session, programme_id=programme_id)
    return {s.code: s.title for s in strands}


def targets_text(targets: Iterable[SupportTarget], titles: dict[str, str]) -> str:
    lines = []
    for target in targets:
        strand = ""
        if target.strand_code:
            strand = f" ({target.strand_code}: {titles.get(target.strand_code, '')})".replace(
                ": )", ")"
            )
        lines.append(f"{target.position}. {target.text}{strand}")
    return "\n".join(lines)


def plan_blocks(
    view: PlacementView,
    stage: SupportStage,
    targets: list[SupportTarget],
    *,
    leader: str,
    titles: dict[str, str],
) -> list[Block]:
    heading = t("support_heading", stage=stage_label(stage.stage), trainee=view.trainee_name)
    ack = "support_acknowledged" if stage.acknowledged_at else "support_not_acknowledged"
    facts = (
        (t("support_targets"), targets_text(targets, titles)),
        (t("support_given"), stage.support),
        (t("support_review_on"), date_text(stage.review_date)),
        (t("support_led_by"), leader),
    )
    return [Section(heading, heading=heading), Facts(facts), Section(t(ack))]


def plan_message(
    text: str,
    view: PlacementView,
    stage: SupportStage,
    targets: list[SupportTarget],
    *,
    leader: str,
    titles: dict[str, str],
    buttons: tuple[Button, ...] = (),
) -> Message:
    blocks: list[Block] = [Section(text)]
    blocks += plan_blocks(view, stage, targets, leader=leader, titles=titles)
    if buttons:
        blocks.append(Actions(buttons))
    return Message(text, tuple(blocks))


def ack_button(stage: SupportStage) -> Button:
    return Button(t("support_ack_button"), "support.ack", str(stage.id), Style.PRIMARY)


def review_button(stage: SupportStage) -> Button:
    return Button(t("support_review_button"), "support.review", str(stage.id), Style.PRIMARY)


async def name_of(session: AsyncSession, person_id: int) -> str:
    person = await people.by_id(session, person_id=person_id)
    return person.full_name if person else "?"
