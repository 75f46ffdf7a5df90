"""A mentor or lead mentor raises a concern about a trainee.

The concern is stored and audited, and the lead mentor is told at once; the scheduler's
off-track rules then take it to the ITT leadership team.
"""

from __future__ import annotations

from typing import Any

from handlers import keys, notify
from handlers.access import placement_for, placements_in_care
from handlers.context import Ctx
from handlers.forms import check
from handlers.text import t, with_article
from handlers.ui import Choice, FieldKind, Form, FormField, Message, Reply, Section, shorten
from storage.enums import ConcernCategory
from storage.models import Concern
from storage.repo import concerns, messaging
from storage.repo.placements import PlacementView


def categories() -> tuple[Choice, ...]:
    """Progress, wellbeing, professional conduct… (labels looked up when asked, in the
    reader's language)."""
    return tuple(Choice(c.value, t(f"cat_{c.value}")) for c in ConcernCategory)


def _form(trainees: tuple[Choice, ...]) -> Form:
    return Form(
        "concern",
        t("concern_title"),
        (
            FormField("placement_id", t("field_trainee"), FieldKind.SELECT, choices=trainees),
            FormField("category", t("field_category"), FieldKind.CHOICE, choices=categories()),
            FormField("details", t("field_details"), FieldKind.LONG_TEXT),
        ),
    )


async def _trainee_choices(ctx: Ctx) -> tuple[Choice, ...]:
    return tuple(Choice(str(p.id), p.trainee_name) for p in await placements_in_care(ctx))


async def start(ctx: Ctx) -> Reply:
    trainees = await _trainee_choices(ctx)
    if not trainees:
        return Reply(message=Message(t("no_trainees")))
    return Reply(open_form=_form(trainees))


async def on_submit(ctx: Ctx, raw: dict[str, Any]) -> Reply:
    checked = check(_form(await _trainee_choices(ctx)), raw, today=ctx.today)
    if not checked.ok:
        if "placement_id" in checked.errors and raw.get("placement_id"):
            await placement_for(ctx, raw.get("placement_id"))  # forged: refuse and log
        return Reply(form_errors=checked.errors)
    view = await placement_for(ctx, checked.values["placement_id"])
    await raise_concern(ctx, view, checked.values["category"], checked.values["details"])
    text = t("concern_recorded", trainee=view.trainee_name)
    return Reply(close_form=True, message=Message(text, (Section(text),)))


async def raise_concern(
    ctx: Ctx, view: PlacementView, category: str, details: str, *, by: str | None = None
) -> Concern:
    """Stored, audited and the lead mentor told at once (unless they raised it); the
    off-track rules then take it to the ITT leadership team. Also a tutor's visit's way."""
    concern = await concerns.add_concern(
        ctx.session,
        concern=Concern(
            placement_id=view.id,
            raised_by_id=ctx.actor.person_id,
            category=category,
            details=details,
            created_at=ctx.now,
        ),
    )
    detail: dict[str, Any] = {"placement_id": view.id, "category": concern.category}
    if by is not None:
        detail["by"] = by
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action="concern_raised",
        entity="concern",
        entity_id=concern.id,
        detail=detail,
    )
    alert = t(
        "concern_alert_lead",
        who=ctx.actor.name,
        category=with_article(t(f"cat_{concern.category}").lower()),
        trainee=view.trainee_name,
    )
    if view.lead_mentor_id != ctx.actor.person_id:
        await notify.to_person(
            ctx.session,
            not_before=ctx.now,
            key=str(keys.ConcernToLead(concern.id or 0)),
            kind="concern_alert",
            recipient_id=view.lead_mentor_id,
            message=Message(alert, (Section(alert), Section(shorten(concern.details, 1500)))),
        )
    return concern
