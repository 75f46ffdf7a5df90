"""Escalation alerts to the ITT leadership team, and what they do with them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.access import parse_id, require_itt_lead
from handlers.context import BadRequest, Ctx
from handlers.escalation import route
from handlers.text import t
from handlers.ui import (
    Actions,
    Block,
    Button,
    Facts,
    Message,
    Reply,
    Section,
    Style,
    date_text,
)
from storage.enums import EscalationStatus
from storage.models import Escalation
from storage.repo import concerns, messaging, people, placements
from storage.repo.concerns import Opened
from storage.repo.placements import PlacementView

RULE_TEXT = {
    "missed_meetings": "rule_missed_meetings",
    "red_rating": "rule_red_rating",
    "concern": "rule_concern",
    "missing_ratings": "rule_missing_ratings",
    "target_not_met": "rule_target_not_met",
}


async def raise_escalation(
    session: AsyncSession,
    *,
    view: PlacementView,
    rule: str,
    cause_key: str,
    evidence: dict[str, str],
    now: datetime,
    routes: Mapping[int, route.Route] | None = None,
) -> Escalation | None:
    """Record a trainee newly off track and alert the ITT leads (see route); once per cause."""
    routes = routes or {}
    escalation = await concerns.open_escalation(
        session, placement_id=view.id, rule=rule, cause_key=cause_key, evidence=evidence
    )
    if escalation is None:
        return None
    escalation.last_alerted_at = now
    await messaging.audit(
        session,
        actor_id=None,
        action="escalation_raised",
        entity="escalation",
        entity_id=escalation.id,
        detail={"placement_id": view.id, "rule": rule},
    )
    await route.send_alert(
        session,
        escalation_id=escalation.id or 0,
        level=1,
        message=alert(view, escalation, status_line=None),
        now=now,
        route=routes.get(1, route.DEFAULT_ROUTE),
    )
    return escalation


async def raise_level(
    session: AsyncSession,
    *,
    view: PlacementView,
    escalation: Escalation,
    hours: int,
    now: datetime,
    routes: Mapping[int, route.Route] | None = None,
) -> None:
    """An alert nobody acknowledged: sent again, one level up, on that level's route."""
    routes = routes or {}
    escalation.level += 1
    escalation.last_alerted_at = now
    await messaging.audit(
        session,
        actor_id=None,
        action="escalation_raised_level",
        entity="escalation",
        entity_id=escalation.id,
        detail={"level": escalation.level},
    )
    line = t("escalation_again", hours=hours, level=escalation.level)
    await route.send_alert(
        session,
        escalation_id=escalation.id or 0,
        level=escalation.level,
        message=alert(view, escalation, status_line=line),
        now=now,
        route=routes.get(escalation.level, route.DEFAULT_ROUTE),
    )


def alert(view: PlacementView, e: Escalation | Opened, *, status_line: str | None) -> Message:
    text = t(
        "escalation_alert",
        trainee=view.trainee_name,
        school=view.school_name,
        rule=t(RULE_TEXT.get(e.rule, "rule_concern")),
    )
    blocks: list[Any] = [Section(text)]
    facts = evidence_facts(view, e)
    if facts:
        blocks.append(Facts(facts))
    if status_line:
        blocks.append(Section(status_line))
    if e.status != EscalationStatus.RESOLVED:
        value = str(e.id)
        buttons = [Button(t("resolve_button"), "escalation.resolve", value, Style.DANGER)]
        if e.status == EscalationStatus.OPEN:
            buttons.insert(0, Button(t("ack_button"), "escalation.ack", value, Style.PRIMARY))
        # Answered by handlers/support (the action id is the IRP's, for alerts already posted).
        buttons.insert(-1, Button(t("irp_button"), "escalation.irp", value))
        blocks.append(Actions(tuple(buttons)))
    return Message(text, tuple(blocks))


def evidence_facts(view: PlacementView, e: Escalation | Opened) -> tuple[tuple[str, str], ...]:
    """The evidence is stored as ids, codes and dates; its labels are rendered here, in the
    reader's language."""
    ev = e.evidence or {}
    rp = str(ev.get("review_point") or "")
    match e.rule:
        case "missed_meetings" if isinstance(ev.get("weeks"), list):
            weeks = ", ".join(date_text(date.fromisoformat(str(w))) for w in ev["weeks"])
            return ((t("evidence_weeks"), weeks),)
        case "red_rating" if isinstance(ev.get("items"), list):
            return ((t("evidence_ratings", review_point=rp), ", ".join(map(str, ev["items"]))),)
        case "concern" if "category" in ev:
            return ((t("evidence_concern"), t(f"cat_{ev['category']}")),)
        case "missing_ratings" if "review_point_id" in ev:
            return ((t("overdue_ratings", review_point=rp), view.mentor_name),)
        case "target_not_met" if isinstance(ev.get("reviews"), list):
            reviews = ", ".join(date_text(date.fromisoformat(str(d))) for d in ev["reviews"])
            return (
                (t("evidence_target", target_id=ev.get("target_id")), str(ev.get("strand"))),
                (t("evidence_target_reviews"), reviews),
            )
    # Anything else (not written by this version): shown as it was stored.
    return tuple((str(k), str(v)) for k, v in ev.items())


async def _load(ctx: Ctx, value: object) -> tuple[Escalation, PlacementView]:
    require_itt_lead(ctx)
    found = await concerns.escalation(ctx.session, escalation_id=parse_id(value))
    if found is None:
        raise BadRequest("no such escalation")
    view = await placements.view(ctx.session, placement_id=found.placement_id)
    if view is None:
        raise BadRequest("placement gone")
    return found, view


def _when(ctx: Ctx) -> str:
    return ctx.now.astimezone(ctx.timezone).strftime("%-d %b %Y %H:%M")


async def on_press(ctx: Ctx, action: str, value: str) -> Reply:
    e, view = await _load(ctx, value)
    if e.status == EscalationStatus.RESOLVED:
        return Reply(replace_original=alert(view, e, status_line=t("escalation_done")))
    await acknowledge(ctx, e)
    if action == "escalation.ack":
        line = t("escalation_acked", who=ctx.actor.name, when=_when(ctx))
    else:
        if await concerns.resolve_escalation(
            ctx.session, escalation_id=e.id or 0, by_id=ctx.actor.person_id, at=ctx.now
        ):
            await messaging.audit(
                ctx.session,
                actor_id=ctx.actor.person_id,
                action="escalation_resolved",
                entity="escalation",
                entity_id=e.id,
            )
        await ctx.session.refresh(e)
        line = t("escalation_resolved", who=ctx.actor.name, when=_when(ctx))
    return Reply(replace_original=alert(view, e, status_line=line))


async def acknowledge(ctx: Ctx, e: Escalation) -> None:
    """Any action on an open alert acknowledges it (and stops it being raised a level).

    Decided by a conditional update: a double click, or two ITT leads at once, audit once."""
    if e.status != EscalationStatus.OPEN:
        return
    if await concerns.acknowledge_escalation(
        ctx.session, escalation_id=e.id or 0, by_id=ctx.actor.person_id, at=ctx.now
    ):
        await messaging.audit(
            ctx.session,
            actor_id=ctx.actor.person_id,
            action="escalation_acknowledged",
            entity="escalation",
            entity_id=e.id,
        )
    await ctx.session.refresh(e)


async def set_channel(
    ctx: Ctx,
    *,
    platform: str,
    workspace_id: str,
    channel_id: str,
    reference: dict[str, Any] | None,
    level: int = 1,
) -> Reply:
    """ "use this channel for [level N] escalations", typed by an ITT lead in a team
    channel: that level's route posts there (see route)."""
    require_itt_lead(ctx)
    # Each level its own channel: "one level up" must reach someone new, never the
    # channel that did not acknowledge.
    other = await concerns.level_of_channel(ctx.session, platform=platform, channel_id=channel_id)
    if other is not None and other != level:
        return Reply(message=Message(t("channel_taken", level=other)))
    await concerns.set_escalation_target(
        ctx.session,
        level=level,
        platform=platform,
        workspace_id=workspace_id,
        channel_id=channel_id,
        conversation_reference=reference,
        set_by_id=ctx.actor.person_id,
    )
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action="escalation_channel_set",
        entity="escalation_target",
        entity_id=level,
    )
    if level > 1:
        return Reply(message=Message(t("channel_set_level", level=level)))
    return Reply(message=Message(t("channel_set")))


async def open_list(ctx: Ctx) -> list[tuple[Escalation, PlacementView]]:
    out = []
    for e in await concerns.open_escalations(ctx.session):
        view = await placements.view(ctx.session, placement_id=e.placement_id)
        if view is not None:
            out.append((e, view))
    return out


async def person_name(session: AsyncSession, person_id: int | None) -> str:
    person = await people.by_id(session, person_id=person_id or 0)
    return person.full_name if person else "?"


async def use_channel_in_a_direct_chat(ctx: Ctx) -> Reply:
    """ "use this channel for escalations" typed to the bot directly: it names a channel,
    so it has to be typed there."""
    return Reply(message=Message(t("use_channel_there", cmd=ctx.command_prefix)))


async def home(ctx: Ctx) -> list[Block]:
    """The App Home of an ITT lead: the open escalations, each with its buttons."""
    blocks: list[Block] = [Section(t("home_itt"), heading=t("home_itt"))]
    if await concerns.escalation_target(ctx.session, level=1) is None:
        # Until a channel is chosen, alerts come to every ITT lead by DM: say how to
        # choose one, on every platform.
        blocks.append(Section(t("home_itt_no_channel", cmd=ctx.command_prefix)))
    listed = await open_list(ctx)
    for e, view in listed[:20]:
        blocks.extend(alert(view, e, status_line=None).blocks)
    if not listed:
        blocks.append(Section(t("home_none")))
    return blocks
