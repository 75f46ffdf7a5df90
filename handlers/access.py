"""Authorization from the roster, never from the payload."""

from __future__ import annotations

import logging

from handlers.context import BadRequest, Ctx, Forbidden
from storage.enums import Role
from storage.repo import placements
from storage.repo.placements import PlacementView

log = logging.getLogger(__name__)


def parse_id(raw: object) -> int:
    try:
        value = int(str(raw))
    except (TypeError, ValueError) as exc:
        raise BadRequest("not an id") from exc
    if value <= 0 or value > 2**31:
        raise BadRequest("id out of range")
    return value


async def placement_for(ctx: Ctx, placement_id: object) -> PlacementView:
    """A placement the actor may act on: their own trainee, or their school's as lead mentor."""
    pid = parse_id(placement_id)
    cached = ctx.roster.placements if ctx.roster is not None else None
    view = cached.get(pid) if cached is not None else None
    if view is None:
        view = await placements.view(ctx.session, placement_id=pid)
        if view is None:
            raise BadRequest("no such placement")
        if cached is not None:
            cached.keep(pid, view)
    actor = ctx.actor.person_id
    if view.mentor_id == actor:
        return view
    if view.lead_mentor_id == actor and ctx.actor.has(Role.LEAD_MENTOR):
        return view
    log.warning("refused: person_id=%s is not linked to placement_id=%s", actor, view.id)
    raise Forbidden("not linked", person_id=actor, placement_id=view.id)


async def placements_in_care(ctx: Ctx) -> list[PlacementView]:
    """Trainees the actor may record evidence for today (as mentor or lead mentor)."""
    mine = await placements.for_mentor(ctx.session, mentor_id=ctx.actor.person_id, on=ctx.today)
    if ctx.actor.has(Role.LEAD_MENTOR):
        seen = {p.id for p in mine}
        led = await placements.for_lead_mentor(
            ctx.session, lead_mentor_id=ctx.actor.person_id, on=ctx.today
        )
        mine += [p for p in led if p.id not in seen]
    return mine


def require_itt_lead(ctx: Ctx) -> None:
    if not (ctx.actor.has(Role.ITT_LEAD) or ctx.actor.has(Role.ADMIN)):
        log.warning("refused: person_id=%s is not an ITT lead", ctx.actor.person_id)
        raise Forbidden("not an ITT lead", person_id=ctx.actor.person_id)
