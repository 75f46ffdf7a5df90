"""Lesson observation feedback, sent to the trainee to acknowledge.

Step 1 asks for the lesson and the feedback, and which strands of the trainee's framework
(the Teachers' Standards by default) it evidenced; step 2 asks a rating on the framework's
scale for each of them. Step 1 is kept as a draft between steps.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers import keys, notify
from handlers.access import parse_id, placement_for, placements_in_care
from handlers.context import BadRequest, Ctx, Forbidden
from handlers.forms import Checked, check, scale_choices, strand_label
from handlers.text import t, value_label
from handlers.ui import (
    Actions,
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
from storage.models import Observation, RagRating
from storage.repo import evidence, frameworks, messaging, placements
from storage.repo.frameworks import Framework
from storage.repo.placements import PlacementView

DRAFT_KEY = "observe"


async def _strand_choices(ctx: Ctx, mine: list[PlacementView]) -> tuple[Choice, ...]:
    """The strands of the frameworks the actor's trainees are on (usually one), each once."""
    found = await frameworks.frameworks_for_programmes(
        ctx.session, programme_ids=[v.programme_id for v in mine]
    )
    choices: dict[str, Choice] = {}
    for framework in sorted(found.values(), key=lambda f: f.id):
        for strand in framework.strands:
            choices.setdefault(strand.code, Choice(strand.code, strand_label(strand)))
    return tuple(choices.values())


def _details_form(
    trainees: tuple[Choice, ...], draft: dict[str, Any], strands: tuple[Choice, ...]
) -> Form:
    def long(name: str, label: str, required: bool = True) -> FormField:
        return FormField(
            name, t(label), FieldKind.LONG_TEXT, required=required, initial=draft.get(name)
        )

    return Form(
        "observe.details",
        t("observe_title"),
        (
            FormField(
                "placement_id",
                t("field_trainee"),
                FieldKind.SELECT,
                choices=trainees,
                initial=draft.get("placement_id"),
            ),
            FormField(
                "observed_on",
                t("field_observed_on"),
                FieldKind.DATE,
                date_rule="past",
                initial=draft.get("observed_on"),
            ),
            FormField(
                "lesson",
                t("field_lesson"),
                FieldKind.TEXT,
                max_length=150,
                initial=draft.get("lesson"),
            ),
            long("focus", "field_focus"),
            long("strengths", "field_strengths"),
            long("areas", "field_areas"),
            FormField(
                "standards",
                t("field_standards"),
                FieldKind.MULTI_SELECT,
                required=False,
                choices=strands,
            ),
            long("targets", "field_targets"),
        ),
        submit_label="Next",
    )


def _rag_form(framework: Framework, codes: list[str]) -> Form:
    choices = scale_choices(framework)
    fields = tuple(
        FormField(strand.code, strand_label(strand), FieldKind.CHOICE, choices=choices)
        for code in codes
        if (strand := framework.strand(code)) is not None
    )
    return Form("observe.rag", t("observe_title"), fields, state={"codes": codes})


async def start(ctx: Ctx) -> Reply:
    mine = await placements_in_care(ctx)
    if not mine:
        return Reply(message=Message(t("no_trainees")))
    trainees = tuple(Choice(str(p.id), p.trainee_name) for p in mine)
    draft = await evidence.load_draft(ctx.session, owner_id=ctx.actor.person_id, form_key=DRAFT_KEY)
    strands = await _strand_choices(ctx, mine)
    return Reply(open_form=_details_form(trainees, draft, strands))


async def on_details(ctx: Ctx, raw: dict[str, Any]) -> Reply:
    mine = await placements_in_care(ctx)
    trainees = tuple(Choice(str(p.id), p.trainee_name) for p in mine)
    strands = await _strand_choices(ctx, mine)
    checked = check(_details_form(trainees, {}, strands), raw, today=ctx.today)
    if checked.ok and checked.values.get("standards"):
        checked = await _in_trainees_framework(ctx, checked)
    if not checked.ok:
        # A placement id that is not in the list is a forged or stale payload.
        if "placement_id" in checked.errors and raw.get("placement_id"):
            await placement_for(ctx, raw.get("placement_id"))
        return Reply(form_errors=checked.errors)
    values = dict(checked.values)
    values["observed_on"] = values["observed_on"].isoformat()
    await evidence.save_draft(
        ctx.session, owner_id=ctx.actor.person_id, form_key=DRAFT_KEY, values=values
    )
    codes = list(values.get("standards") or [])
    if codes:
        view = await placement_for(ctx, values["placement_id"])
        return Reply(open_form=_rag_form(await _framework(ctx, view), codes))
    return await _record(ctx, values, {})


async def _framework(ctx: Ctx, view: PlacementView) -> Framework:
    return await frameworks.framework_for_programme(ctx.session, programme_id=view.programme_id)


async def _in_trainees_framework(ctx: Ctx, checked: Checked) -> Checked:
    """Strands of another framework (a mentor whose trainees are on two) are refused."""
    view = await placement_for(ctx, checked.values["placement_id"])
    framework = await _framework(ctx, view)
    if all(framework.strand(code) for code in checked.values["standards"]):
        return checked
    error = t("err_not_in_framework", framework=framework.name)
    return Checked(checked.values, {"standards": error})


async def on_rag(ctx: Ctx, raw: dict[str, Any], state: dict[str, Any]) -> Reply:
    draft = await evidence.load_draft(ctx.session, owner_id=ctx.actor.person_id, form_key=DRAFT_KEY)
    codes = list(draft.get("standards") or [])
    if not draft or codes != list(state.get("codes") or []):
        raise BadRequest("observation draft missing or changed")
    view = await placement_for(ctx, draft.get("placement_id"))
    checked = check(_rag_form(await _framework(ctx, view), codes), raw, today=ctx.today)
    if not checked.ok:
        return Reply(form_errors=checked.errors)
    if set(checked.values) != set(codes):  # a strand gone from the framework since step 1
        raise BadRequest("strands evidenced not in the trainee's framework")
    return await _record(ctx, draft, checked.values)


async def _record(ctx: Ctx, v: dict[str, Any], rags: dict[str, str]) -> Reply:
    view = await placement_for(ctx, v["placement_id"])
    framework = await _framework(ctx, view)
    observation = await evidence.add_observation(
        ctx.session,
        observation=Observation(
            placement_id=view.id,
            observer_id=ctx.actor.person_id,
            observed_on=date.fromisoformat(v["observed_on"]),
            lesson=v["lesson"],
            focus=v["focus"],
            strengths=v["strengths"],
            areas_for_development=v["areas"],
            targets=v["targets"],
            created_at=ctx.now,
        ),
    )
    await evidence.add_ratings(
        ctx.session,
        ratings=[
            RagRating(
                scale=framework.code,
                item_code=code,
                rating=rating,
                subject_id=view.trainee_id,
                rater_id=ctx.actor.person_id,
                placement_id=view.id,
                observation_id=observation.id,
                created_at=ctx.now,
            )
            for code, rating in rags.items()
        ],
    )
    await evidence.drop_draft(ctx.session, owner_id=ctx.actor.person_id, form_key=DRAFT_KEY)
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action="observation_recorded",
        entity="observation",
        entity_id=observation.id,
        detail={"placement_id": view.id, "standards": rags},
    )
    await notify.to_person(
        ctx.session,
        not_before=ctx.now,
        key=str(keys.ObservationFeedback(observation.id or 0)),
        kind="observation_feedback",
        recipient_id=view.trainee_id,
        message=feedback_message(
            observation, ctx.actor.name, _shown(framework, rags), with_button=True
        ),
    )
    text = t("observed", trainee=view.trainee_name)
    return Reply(close_form=True, message=Message(text, (Section(text),)))


def _shown(framework: Framework, rags: dict[str, str]) -> dict[str, str]:
    return {code: value_label(framework, rating) for code, rating in rags.items()}


def feedback_message(
    o: Observation, mentor: str, shown: dict[str, str], *, with_button: bool
) -> Message:
    """`shown`: each strand evidenced with its rating as words and symbol."""
    text = t(
        "observation_for_trainee",
        mentor=mentor,
        lesson=shorten(o.lesson, 80),
        date=date_text(o.observed_on),
    )
    facts = (
        (t("field_focus"), shorten(o.focus, 600)),
        (t("field_strengths"), shorten(o.strengths, 600)),
        (t("field_areas"), shorten(o.areas_for_development, 600)),
        (t("field_targets"), shorten(o.targets, 600)),
        *tuple(shown.items()),
    )
    blocks: tuple[Any, ...] = (Section(text), Facts(facts))
    if with_button:
        blocks += (Actions((acknowledge_button(o.id),)),)
    else:
        when = date_text(o.acknowledged_at.date()) if o.acknowledged_at else ""
        blocks += (Section(t("acknowledged", when=when)),)
    return Message(text, blocks)


async def on_acknowledge(ctx: Ctx, value: str) -> Reply:
    found = await evidence.observation(ctx.session, observation_id=parse_id(value))
    if found is None:
        raise BadRequest("no such observation")
    view = await placements.view(ctx.session, placement_id=found.placement_id)
    if view is None or view.trainee_id != ctx.actor.person_id:
        raise Forbidden("not the trainee", person_id=ctx.actor.person_id, observation_id=found.id)
    if found.acknowledged_at is None and await evidence.acknowledge_observation(
        ctx.session, observation_id=found.id or 0, at=ctx.now
    ):
        await ctx.session.refresh(found)
        await messaging.audit(
            ctx.session,
            actor_id=ctx.actor.person_id,
            action="observation_acknowledged",
            entity="observation",
            entity_id=found.id,
        )
    return Reply(replace_original=feedback_message(found, view.mentor_name, {}, with_button=False))


def acknowledge_button(observation_id: int | None) -> Button:
    return Button(t("acknowledge"), "observe.ack", str(observation_id), Style.PRIMARY)


def nudge(observation_id: int, observed_on: date) -> Message:
    """Feedback the trainee has not acknowledged yet."""
    text = t("obs_ack_nudge", date=date_text(observed_on))
    return Message(text, (Section(text), Actions((acknowledge_button(observation_id),))))
