"""A university visiting tutor: their placements (trainee, school, mentor, visits, what
is owed) and a visit record (what was seen, the mentor's support against the four
National Mentor Standards, issues raised) that can raise a concern.

A tutor acts only on placements the roster links them to as tutor; any other placement id
is refused (and logged by id)."""

from __future__ import annotations

import logging
from typing import Any

from handlers.access import parse_id
from handlers.concern import categories, raise_concern
from handlers.context import BadRequest, Ctx, Forbidden
from handlers.evaluation.flow import ITEMS, answer_button, statement_fields
from handlers.evaluation.rule import EvaluationFacts, owed_asks
from handlers.forms import check
from handlers.text import t
from handlers.ui import (
    Actions,
    Block,
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
from storage.enums import EvaluationKind, Role
from storage.models import Concern, PlacementEvaluation, TutorVisit
from storage.repo import messaging, placements, quality
from storage.repo.placements import PlacementView

log = logging.getLogger(__name__)

VISIT = "tutor.visit"
NO_CONCERN = "no"

__all__ = ["VISIT", "home", "on_visit", "open_visit", "start", "start_visit", "visit_form"]


def _only_tutors() -> Reply:
    return Reply(message=Message(t("tutor_only")), close_form=True)


async def _mine(ctx: Ctx) -> list[PlacementView]:
    return await placements.for_tutor(ctx.session, tutor_id=ctx.actor.person_id)


async def tutor_placement(ctx: Ctx, raw: object) -> PlacementView:
    """A placement the actor is the tutor of (else refused: forged or not theirs)."""
    pid = parse_id(raw)
    view = await placements.view(ctx.session, placement_id=pid)
    if view is None:
        raise BadRequest("no such placement")
    if ctx.actor.has(Role.TUTOR):
        if await quality.tutor_of(ctx.session, placement_id=pid) == ctx.actor.person_id:
            return view
    log.warning(
        "refused: person_id=%s is not the tutor of placement_id=%s", ctx.actor.person_id, pid
    )
    raise Forbidden("not the tutor", person_id=ctx.actor.person_id, placement_id=pid)


async def placement_blocks(ctx: Ctx) -> list[Block]:
    """Each placement: trainee, school, mentor, dates, visits, and what the tutor owes."""
    mine = await _mine(ctx)
    if not mine:
        return [Section(t("tutor_none"))]
    ids = [v.id for v in mine]
    visits = await quality.visits_by_placement(ctx.session, placement_ids=ids)
    facts = EvaluationFacts(
        [(v, ctx.actor.person_id) for v in mine],
        await quality.answered(ctx.session, placement_ids=ids),
    )
    owed = {
        a.view.id
        for a in owed_asks(facts, ctx.today)
        if a.kind is EvaluationKind.TUTOR_OF_MENTOR and a.respondent_id == ctx.actor.person_id
    }
    blocks: list[Block] = [Section(t("tutor_title"))]
    for v in mine:
        count, last = visits.get(v.id, (0, None))
        seen = (
            t("tutor_visits", count=count, date=date_text(last)) if last else t("tutor_no_visits")
        )
        where = t(
            "tutor_placement",
            school=v.school_name,
            mentor=v.mentor_name,
            start=date_text(v.start_date),
            end=date_text(v.end_date),
        )
        buttons = [Button(t("visit_button"), VISIT, str(v.id))]
        if v.id in owed:
            buttons.insert(0, answer_button(EvaluationKind.TUTOR_OF_MENTOR, v.id))
        blocks += [Section(f"{where}\n{seen}", heading=v.trainee_name), Actions(tuple(buttons))]
    return blocks


async def start(ctx: Ctx) -> Reply:
    if not ctx.actor.has(Role.TUTOR):
        return _only_tutors()
    blocks = await placement_blocks(ctx)
    return Reply(message=Message(t("tutor_title"), tuple(blocks)))


async def home(ctx: Ctx) -> list[Block]:
    return await placement_blocks(ctx)


def visit_form(mine: list[PlacementView], chosen: int | None = None) -> Form:
    trainees = tuple(Choice(str(v.id), f"{v.trainee_name} ({v.school_name})") for v in mine)
    concern = (Choice(NO_CONCERN, t("visit_no_concern")), *categories())
    return Form(
        VISIT,
        t("visit_title"),
        (
            FormField(
                "placement_id",
                t("visit_placement"),
                FieldKind.SELECT,
                choices=trainees,
                initial=str(chosen) if chosen else None,
            ),
            FormField("visited_on", t("visit_date"), FieldKind.DATE, date_rule="past"),
            FormField("seen", t("visit_seen"), FieldKind.LONG_TEXT),
            *statement_fields(EvaluationKind.TUTOR_VISIT),
            FormField("issues", t("visit_issues"), FieldKind.LONG_TEXT, required=False),
            FormField(
                "concern", t("visit_concern"), FieldKind.CHOICE, choices=concern, initial=NO_CONCERN
            ),
        ),
        intro=t("visit_intro"),
    )


async def open_visit(ctx: Ctx, value: str) -> Reply:
    """The visit form; from a placement's button, with that placement chosen."""
    if not ctx.actor.has(Role.TUTOR):
        return _only_tutors()
    chosen = (await tutor_placement(ctx, value)).id if value not in ("", "-") else None
    mine = await _mine(ctx)
    if not mine:
        return Reply(message=Message(t("tutor_none")))
    return Reply(open_form=visit_form(mine, chosen or (mine[0].id if len(mine) == 1 else None)))


async def start_visit(ctx: Ctx) -> Reply:
    return await open_visit(ctx, "-")


def _visit_errors(values: dict[str, Any], view: PlacementView) -> dict[str, str]:
    errors: dict[str, str] = {}
    if values["concern"] != NO_CONCERN and not values.get("issues"):
        errors["issues"] = t("visit_concern_needs_issues")
    if not view.start_date <= values["visited_on"] <= view.end_date:
        start, end = date_text(view.start_date), date_text(view.end_date)
        errors["visited_on"] = t("visit_outside", start=start, end=end)
    return errors


async def on_visit(ctx: Ctx, raw: dict[str, Any]) -> Reply:
    """The visit, its mentor-support answers and any concern: one transaction."""
    if not ctx.actor.has(Role.TUTOR):
        return _only_tutors()
    mine = await _mine(ctx)
    checked = check(visit_form(mine), raw, today=ctx.today)
    if "placement_id" in checked.errors and raw.get("placement_id"):
        await tutor_placement(ctx, raw.get("placement_id"))  # forged: refused and logged
    if not checked.ok:
        return Reply(form_errors=checked.errors)
    view = await tutor_placement(ctx, checked.values["placement_id"])
    errors = _visit_errors(checked.values, view)
    if errors:
        return Reply(form_errors=errors)
    concern = await _raise_concern(ctx, view, checked.values)
    visit = await quality.add_visit(
        ctx.session,
        visit=TutorVisit(
            placement_id=view.id,
            tutor_id=ctx.actor.person_id,
            visited_on=checked.values["visited_on"],
            seen=checked.values["seen"],
            issues=checked.values.get("issues") or "",
            concern_id=concern.id if concern else None,
            created_at=ctx.now,
        ),
    )
    _prefix, codes = ITEMS[EvaluationKind.TUTOR_VISIT]
    await quality.record_evaluation(
        ctx.session,
        evaluation=PlacementEvaluation(
            placement_id=view.id,
            kind=EvaluationKind.TUTOR_VISIT.value,
            respondent_id=ctx.actor.person_id,
            mentor_id=view.mentor_id,
            school_id=view.school_id,
            submitted_at=ctx.now,
            tutor_visit_id=visit.id,
        ),
        answers={code: checked.values[code] for code in codes},
    )
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action="tutor_visit_recorded",
        entity="tutor_visit",
        entity_id=visit.id,
        detail={"placement_id": view.id, "concern_id": visit.concern_id},
    )
    text = t("visit_recorded", trainee=view.trainee_name, date=date_text(visit.visited_on))
    blocks: list[Block] = [Section(text)]
    if concern is not None:
        blocks.append(
            Section(t("visit_concern_raised", category=t(f"cat_{concern.category}").lower()))
        )
    return Reply(close_form=True, message=Message(text, tuple(blocks)))


async def _raise_concern(ctx: Ctx, view: PlacementView, values: dict[str, Any]) -> Concern | None:
    """As the concern conversation raises one (handlers.concern.raise_concern)."""
    if values["concern"] == NO_CONCERN:
        return None
    return await raise_concern(ctx, view, values["concern"], values["issues"], by="tutor")
