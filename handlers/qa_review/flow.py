"""The lead mentor's short QA form at each review point (seeds/002): for each trainee in
their school whose ratings are in, the evidence checked, whether they agree with the
mentor's judgement (and why not), and the actions agreed. It feeds the School Summary
Report; the mentor is told the outcome.
"""

from __future__ import annotations

import logging
from typing import Any

from handlers import keys, notify
from handlers.access import parse_id
from handlers.context import BadRequest, Ctx, Forbidden
from handlers.forms import check
from handlers.text import t, value_label
from handlers.ui import (
    Actions,
    Block,
    Button,
    Choice,
    Facts,
    FieldKind,
    Form,
    FormField,
    Message,
    Reply,
    Section,
    Style,
    date_text,
    shorten,
)
from storage.enums import QaEvidence, Role
from storage.models import ReviewPoint, ReviewPointQA
from storage.repo import calendar, frameworks, messaging, people, placements, qa
from storage.repo.placements import PlacementView
from storage.repo.qa import QaOwed

log = logging.getLogger(__name__)

QA_ROLES = frozenset({Role.LEAD_MENTOR, Role.ITT_LEAD})
START = "qa.start"
FORM = "qa"
YES, NO = "yes", "no"
# Slack's static select lists at most 100 options; the oldest owed forms come first.
MAX_CHOICES = 100


def may_record(ctx: Ctx) -> bool:
    return any(ctx.actor.has(role) for role in QA_ROLES)


async def owed_in_reach(ctx: Ctx) -> list[QaOwed]:
    """Forms the actor may record now: an ITT lead's across the partnership, a lead
    mentor's for every trainee in the schools where they lead a placement."""
    if ctx.actor.has(Role.ITT_LEAD):
        return await qa.owed(ctx.session, on=ctx.today)
    if not ctx.actor.has(Role.LEAD_MENTOR):
        return []
    schools = await qa.schools_led(ctx.session, lead_mentor_id=ctx.actor.person_id, on=ctx.today)
    if not schools:
        return []
    return await qa.owed(ctx.session, on=ctx.today, school_ids=schools)


async def _target(ctx: Ctx, raw_pid: object, raw_rpid: object) -> tuple[PlacementView, ReviewPoint]:
    """The trainee's placement and the review point named, if the actor may record the
    form: an ITT lead, or a lead mentor of the trainee's school. Anyone else is refused."""
    view = await placements.view(ctx.session, placement_id=parse_id(raw_pid))
    point = await calendar.review_point(ctx.session, review_point_id=parse_id(raw_rpid))
    if view is None or point is None or point.id is None:
        raise BadRequest("no such placement or review point")
    if point.programme_id != view.programme_id:
        raise BadRequest("review point not in this programme")
    if ctx.actor.has(Role.ITT_LEAD):
        return view, point
    if ctx.actor.has(Role.LEAD_MENTOR):
        led = await qa.schools_led(ctx.session, lead_mentor_id=ctx.actor.person_id, on=ctx.today)
        if view.school_id in led:
            return view, point
    log.warning("refused QA: person_id=%s placement_id=%s", ctx.actor.person_id, view.id)
    raise Forbidden("not a lead mentor of the school", person_id=ctx.actor.person_id)


def _value(placement_id: int, review_point_id: int) -> str:
    return f"{placement_id}:{review_point_id}"


def _evidence_choices() -> tuple[Choice, ...]:
    return tuple(Choice(e.value, t(f"qa_evidence_{e.value}")) for e in QaEvidence)


def _form(targets: tuple[Choice, ...], *, chosen: str | None, intro: str) -> Form:
    agreed = (Choice(YES, t("qa_agreed_yes")), Choice(NO, t("qa_agreed_no")))
    return Form(
        FORM,
        t("qa_title"),
        (
            FormField(
                "target", t("field_qa_target"), FieldKind.SELECT, choices=targets, initial=chosen
            ),
            FormField(
                "evidence",
                t("field_qa_evidence"),
                FieldKind.MULTI_SELECT,
                choices=_evidence_choices(),
            ),
            FormField(
                "evidence_note",
                t("field_qa_evidence_note"),
                FieldKind.TEXT,
                required=False,
                max_length=300,
                hint=t("hint_qa_evidence_note"),
            ),
            FormField("agreed", t("field_qa_agreed"), FieldKind.CHOICE, choices=agreed),
            FormField(
                "disagreement", t("field_qa_disagreement"), FieldKind.LONG_TEXT, required=False
            ),
            FormField("actions", t("field_qa_actions"), FieldKind.LONG_TEXT),
        ),
        intro=intro,
    )


def _choice(item: QaOwed) -> Choice:
    label = t("qa_target", trainee=item.trainee_name, review_point=item.review_point_name)
    return Choice(_value(item.placement_id, item.review_point_id), label)


async def _ratings_intro(ctx: Ctx, view: PlacementView, point: ReviewPoint) -> str:
    framework = await frameworks.framework_for_programme(
        ctx.session, programme_id=view.programme_id
    )
    ratings = await qa.ratings_at(
        ctx.session,
        placement_id=view.id,
        review_point_id=point.id or 0,
        scale=framework.code,
    )
    shown = ", ".join(
        f"{code} {value_label(framework, rating)}" for code, rating in ratings.items()
    )
    return t(
        "qa_intro_ratings",
        mentor=view.mentor_name,
        trainee=view.trainee_name,
        review_point=point.name,
        ratings=shown or t("none"),
    )


async def start(ctx: Ctx) -> Reply:
    """`qa`: the form, with the trainees whose form is owed to choose from."""
    if not may_record(ctx):
        return Reply(message=Message(t("qa_leads_only")))
    owed = (await owed_in_reach(ctx))[:MAX_CHOICES]
    if not owed:
        return Reply(message=Message(t("qa_none_owed")))
    if len(owed) == 1:
        return await open_for(ctx, owed[0].placement_id, owed[0].review_point_id)
    targets = tuple(_choice(item) for item in owed)
    return Reply(open_form=_form(targets, chosen=None, intro=t("qa_intro")))


async def on_press(ctx: Ctx, value: str) -> Reply:
    """The App Home button ("-": choose) or a nudge's "Do it now" (placement:review point)."""
    if value in ("", "-"):
        return await start(ctx)
    pid, _, rpid = value.partition(":")
    return await open_for(ctx, pid, rpid)


async def open_for(ctx: Ctx, raw_pid: object, raw_rpid: object) -> Reply:
    if not may_record(ctx):
        return Reply(message=Message(t("qa_leads_only")))
    view, point = await _target(ctx, raw_pid, raw_rpid)
    refusal = await _not_open(ctx, view, point)
    if refusal is not None:
        return Reply(message=refusal)
    label = t("qa_target", trainee=view.trainee_name, review_point=point.name)
    value = _value(view.id, point.id or 0)
    intro = await _ratings_intro(ctx, view, point)
    return Reply(open_form=_form((Choice(value, label),), chosen=value, intro=intro))


async def _not_open(ctx: Ctx, view: PlacementView, point: ReviewPoint) -> Message | None:
    """Why this form cannot be recorded now (already recorded, ratings not in), or None."""
    names = {"trainee": view.trainee_name, "review_point": point.name}
    found = await qa.find(ctx.session, trainee_id=view.trainee_id, review_point_id=point.id or 0)
    if found is not None:
        return await _already(ctx, found, names)
    owed = await qa.owed_pairs(
        ctx.session, on=ctx.today, placement_ids=[view.id], review_point_ids=[point.id or 0]
    )
    return None if owed else Message(t("qa_not_ready", **names))


async def _already(ctx: Ctx, found: ReviewPointQA, names: dict[str, str]) -> Message:
    lead = await people.by_id(ctx.session, person_id=found.lead_mentor_id)
    name = lead.full_name if lead is not None else ""
    text = t(
        "qa_already",
        lead=name,
        date=date_text(found.recorded_at.astimezone(ctx.timezone).date()),
        **names,
    )
    return Message(text, (Section(text),))


async def on_submit(ctx: Ctx, raw: dict[str, Any]) -> Reply:
    if not may_record(ctx):
        return Reply(close_form=True, message=Message(t("qa_leads_only")))
    pid, sep, rpid = str(raw.get("target") or "").partition(":")
    if not sep:
        return Reply(form_errors={"target": t("err_required")})
    view, point = await _target(ctx, pid, rpid)
    value = _value(view.id, point.id or 0)
    label = t("qa_target", trainee=view.trainee_name, review_point=point.name)
    checked = check(_form((Choice(value, label),), chosen=value, intro=""), raw, today=ctx.today)
    errors = dict(checked.errors)
    if checked.values.get("agreed") == NO and not checked.values.get("disagreement"):
        errors["disagreement"] = t("err_qa_why")
    if errors:
        return Reply(form_errors=errors)
    refusal = await _not_open(ctx, view, point)
    if refusal is not None:
        return Reply(close_form=True, message=refusal)
    v = checked.values
    agreed = v["agreed"] == YES
    form = ReviewPointQA(
        trainee_id=view.trainee_id,
        review_point_id=point.id or 0,
        lead_mentor_id=ctx.actor.person_id,
        # In the catalogue's order, whatever order the platform sent them in.
        evidence_checked=",".join(e.value for e in QaEvidence if e.value in v["evidence"]),
        evidence_note=v.get("evidence_note") or "",
        judgement_agreed=agreed,
        disagreement=None if agreed else v["disagreement"],
        actions=v["actions"],
        recorded_at=ctx.now,
    )
    recorded = await qa.record(ctx.session, qa=form)
    if recorded is None:  # a copy of this form won the race a moment ago
        found = await qa.find(
            ctx.session, trainee_id=view.trainee_id, review_point_id=form.review_point_id
        )
        names = {"trainee": view.trainee_name, "review_point": point.name}
        message = await _already(ctx, found or form, names)
        return Reply(close_form=True, message=message)
    await _audit_and_tell(ctx, recorded, view, point)
    text = t(
        "qa_recorded",
        trainee=view.trainee_name,
        review_point=point.name,
        judgement=_judgement(agreed),
    )
    return Reply(close_form=True, message=Message(text, (Section(text), *_details(recorded))))


def _judgement(agreed: bool) -> str:
    return t("qa_judgement_agreed") if agreed else t("qa_judgement_not_agreed")


def _details(form: ReviewPointQA) -> tuple[Block, ...]:
    checked = [t(f"qa_evidence_{code}") for code in form.evidence_checked.split(",") if code]
    evidence = "; ".join(checked + ([form.evidence_note] if form.evidence_note else []))
    pairs = [(t("qa_fact_evidence"), shorten(evidence, 500))]
    if form.disagreement:
        pairs.append((t("qa_fact_why"), shorten(form.disagreement, 1000)))
    pairs.append((t("qa_fact_actions"), shorten(form.actions, 1000)))
    return (Facts(tuple(pairs)),)


async def _audit_and_tell(
    ctx: Ctx, form: ReviewPointQA, view: PlacementView, point: ReviewPoint
) -> None:
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action="review_point_qa_recorded",
        entity="review_point_qa",
        entity_id=form.id,
        detail={
            "placement_id": view.id,
            "review_point_id": point.id,
            "judgement_agreed": form.judgement_agreed,
            "evidence": form.evidence_checked,
        },
    )
    if view.mentor_id == ctx.actor.person_id:
        return
    text = t(
        "qa_to_mentor",
        lead=ctx.actor.name,
        trainee=view.trainee_name,
        review_point=point.name,
        judgement=_judgement(form.judgement_agreed),
    )
    await notify.to_person(
        ctx.session,
        key=str(keys.QaRecorded(form.id or 0)),
        kind="qa_recorded",
        recipient_id=view.mentor_id,
        message=Message(text, (Section(text), *_details(form))),
        not_before=ctx.now,
    )


# --- what the scheduler and the status view say ------------------------------------------


def do_it_now(placement_id: int, review_point_id: int) -> Button:
    return Button(t("do_it_now"), START, _value(placement_id, review_point_id), Style.PRIMARY)


def nudge(view: PlacementView, review_point_id: int, review_point_name: str) -> Message:
    """To the lead mentor: a trainee's ratings are in, the QA form is owed."""
    text = t("qa_nudge", trainee=view.trainee_name, review_point=review_point_name)
    return Message(text, (Section(text), Actions((do_it_now(view.id, review_point_id),))))


async def owed_note(ctx: Ctx) -> list[Block]:
    """The status of a lead mentor or ITT lead: how many forms are owed, with a button."""
    if not may_record(ctx):
        return []
    owed = await owed_in_reach(ctx)
    line = Section(t("qa_owed_count", count=len(owed)))
    if not owed:
        return [line]
    return [line, Actions((Button(t("qa_button"), START, "-", Style.PRIMARY),))]


async def home_note(ctx: Ctx) -> list[Block]:
    """The App Home: the count (the App Home's own buttons hold "Record a QA form")."""
    return [b for b in await owed_note(ctx) if not isinstance(b, Actions)]
