"""The Weekly Development Meeting: the prompt, signing it off, the trainee's confirmation."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers import keys, notify
from handlers.access import parse_id, placement_for
from handlers.context import BadRequest, Ctx, Forbidden
from handlers.forms import check, rag_choices
from handlers.targets.form import TargetPart, Written, target_part
from handlers.targets.show import written_blocks
from handlers.text import rag_label, t
from handlers.ui import (
    Actions,
    Button,
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
from storage.enums import MeetingStatus, Scale, TraineeResponse
from storage.models import WeeklyMeeting
from storage.repo import evidence, messaging, people, placements
from storage.repo.placements import PlacementView

log = logging.getLogger(__name__)

OUTCOMES = {
    "weekly.held": MeetingStatus.HELD,
    "weekly.rescheduled": MeetingStatus.RESCHEDULED,
    "weekly.not_held": MeetingStatus.NOT_HELD,
}


def prompt(view: PlacementView, week_start: date) -> Message:
    """The Monday DM to a mentor, one per trainee and teaching week."""
    value = f"{view.id}:{week_start.isoformat()}"
    text = t("weekly_prompt", trainee=view.trainee_name, week=date_text(week_start))
    buttons = (
        Button(t("weekly_yes"), "weekly.held", value, Style.PRIMARY),
        Button(t("weekly_rescheduled"), "weekly.rescheduled", value),
        Button(t("weekly_not_held"), "weekly.not_held", value),
        Button(t("snooze"), "weekly.snooze", value),
    )
    return Message(text, (Section(text), Actions(buttons)))


def reminder(view: PlacementView, week: date) -> Message:
    """The prompt again, later in the week or the morning after "remind me tomorrow"."""
    text = t("weekly_reminder", trainee=view.trainee_name, week=date_text(week))
    return Message(text, (Section(text), *prompt(view, week).blocks[1:]))


def confirm_buttons(meeting_id: int | None) -> Actions:
    """The trainee's answer to a meeting record (in the request and in their status)."""
    return Actions(
        (
            Button(t("confirm"), "weekly.confirm", str(meeting_id), Style.PRIMARY),
            Button(t("disagree"), "weekly.disagree", str(meeting_id)),
        )
    )


def _parse_value(value: str) -> tuple[int, date]:
    try:
        raw_pid, raw_week = value.split(":", 1)
        week = date.fromisoformat(raw_week)
    except ValueError as exc:
        raise BadRequest("bad weekly value") from exc
    if week.weekday() != 0:
        raise BadRequest("week must start on a Monday")
    return parse_id(raw_pid), week


async def _form_with_targets(
    ctx: Ctx, outcome: str, view: PlacementView, week: date
) -> tuple[Form, TargetPart | None]:
    """The form for an outcome; a held meeting's also reviews and sets targets."""
    part = await target_part(ctx, view, week) if outcome == "weekly.held" else None
    return _form(outcome, view, week, part), part


def _form(outcome: str, view: PlacementView, week: date, part: TargetPart | None = None) -> Form:
    state = {"placement_id": view.id, "week": week.isoformat()}
    intro = t("weekly_form_intro", trainee=view.trainee_name, week=date_text(week))
    fields: tuple[FormField, ...]
    if outcome == "weekly.held":
        fields = (
            FormField("held_on", t("field_held_on"), FieldKind.DATE, date_rule="past"),
            FormField(
                "duration",
                t("field_duration"),
                FieldKind.NUMBER,
                min_value=5,
                max_value=480,
                initial="60",
            ),
            FormField("progress", t("field_progress"), FieldKind.LONG_TEXT),
            FormField("targets", t("field_targets_discussed"), FieldKind.LONG_TEXT, required=False),
            FormField(
                "wellbeing",
                t("field_wellbeing"),
                FieldKind.CHOICE,
                choices=rag_choices(Scale.WELLBEING),
            ),
            FormField("notes", t("field_notes"), FieldKind.LONG_TEXT, required=False),
            *(part.fields() if part else ()),
        )
    elif outcome == "weekly.rescheduled":
        fields = (FormField("new_date", t("field_new_date"), FieldKind.DATE, date_rule="future"),)
    else:
        fields = (FormField("reason", t("field_reason"), FieldKind.LONG_TEXT, max_length=1000),)
    return Form(outcome, t("weekly_form_title"), fields, intro=intro, state=state)


async def on_press(ctx: Ctx, action: str, value: str) -> Reply:
    placement_id, week = _parse_value(value)
    view = await placement_for(ctx, placement_id)
    existing = await evidence.meeting(ctx.session, placement_id=view.id, week_start=week)
    if existing is not None and existing.signed_off_at is not None:
        return Reply(replace_original=await signed_message(ctx, view, existing))
    form, _part = await _form_with_targets(ctx, action, view, week)
    return Reply(open_form=form)


def form_for(action: str) -> bool:
    return action in OUTCOMES


async def on_submit(ctx: Ctx, form_id: str, raw: dict[str, Any], state: dict[str, Any]) -> Reply:
    placement_id, week = _parse_value(f"{state.get('placement_id')}:{state.get('week')}")
    view = await placement_for(ctx, placement_id)
    form, part = await _form_with_targets(ctx, form_id, view, week)
    checked = check(form, raw, today=ctx.today)
    errors = (part.check(checked.values) if part else {}) | checked.errors
    if errors:
        return Reply(form_errors=errors)
    # One statement decides: the week is signed off now (its row created if new), or it
    # was already (a double submission, or someone else a moment ago) and is left as is.
    meeting = await evidence.sign_off_week(
        ctx.session,
        placement_id=view.id,
        week_start=week,
        values=_record(OUTCOMES[form_id], checked.values, ctx),
    )
    if meeting is None:
        found = await evidence.meeting(ctx.session, placement_id=view.id, week_start=week)
        assert found is not None
        return await _already(ctx, view, found)
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action="weekly_sign_off",
        entity="weekly_meeting",
        entity_id=meeting.id,
        detail={"placement_id": view.id, "week": week.isoformat(), "status": meeting.status},
    )
    written = Written()
    if meeting.status == MeetingStatus.HELD and part is not None and meeting.held_on:
        # The reviews and new targets, in the same transaction as the sign-off.
        written = await part.write(
            ctx, checked.values, meeting_id=meeting.id or 0, held_on=meeting.held_on
        )
        await _ask_trainee_to_confirm(ctx, view, meeting, written)
    log.info("weekly meeting %s signed off by person_id=%s", meeting.id, ctx.actor.person_id)
    signed = signed_text(ctx, view, meeting, who=ctx.actor.name)
    if written.set or written.reviewed:
        signed = Message(signed.text, (*signed.blocks, *written_blocks(written)))
    return Reply(close_form=True, replace_original=signed)


async def _already(ctx: Ctx, view: PlacementView, meeting: WeeklyMeeting) -> Reply:
    who = await _signer(ctx, meeting)
    signed = signed_text(ctx, view, meeting, who=who)
    when = date_text((meeting.signed_off_at or ctx.now).date())
    text = t("weekly_already", who=who, when=when)
    return Reply(
        close_form=True, message=Message(text), replace_original=signed, nothing_changed=True
    )


def _record(status: MeetingStatus, v: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """The columns a sign-off sets, by outcome."""
    values: dict[str, Any] = {"status": status.value}
    if status is MeetingStatus.HELD:
        values |= {
            "held_on": v["held_on"],
            "duration_minutes": v["duration"],
            "progress_discussed": v["progress"],
            "targets": v.get("targets"),
            "wellbeing": v["wellbeing"],
            "notes": v.get("notes"),
        }
    elif status is MeetingStatus.RESCHEDULED:
        values["rescheduled_to"] = v["new_date"]
    else:
        values["reason_not_held"] = v["reason"]
    return values | {"signed_off_by_id": ctx.actor.person_id, "signed_off_at": ctx.now}


async def signed_message(ctx: Ctx, view: PlacementView, meeting: WeeklyMeeting) -> Message:
    """The prompt as it reads once answered: who signed it off and when, no buttons."""
    return signed_text(ctx, view, meeting, who=await _signer(ctx, meeting))


async def _signer(ctx: Ctx, meeting: WeeklyMeeting) -> str:
    """Who signed the week off: most often the person asking again (a double submission),
    whose name is known without a read."""
    if meeting.signed_off_by_id == ctx.actor.person_id:
        return ctx.actor.name
    who = await people.by_id(ctx.session, person_id=meeting.signed_off_by_id or 0)
    return who.full_name if who else "?"


def signed_text(ctx: Ctx, view: PlacementView, meeting: WeeklyMeeting, *, who: str) -> Message:
    if meeting.status == MeetingStatus.HELD and meeting.held_on:
        outcome = t("outcome_held", date=date_text(meeting.held_on))
    elif meeting.status == MeetingStatus.RESCHEDULED and meeting.rescheduled_to:
        outcome = t("outcome_rescheduled", date=date_text(meeting.rescheduled_to))
    else:
        outcome = t("outcome_not_held", reason=shorten(meeting.reason_not_held or "", 200))
    signed_at = meeting.signed_off_at or ctx.now
    text = t(
        "weekly_signed",
        week=date_text(meeting.week_start),
        trainee=view.trainee_name,
        outcome=outcome,
        who=who,
        when=signed_at.astimezone(ctx.timezone).strftime("%-d %b %Y %H:%M"),
    )
    return Message(text, (Section(text),))


async def _ask_trainee_to_confirm(
    ctx: Ctx, view: PlacementView, meeting: WeeklyMeeting, written: Written
) -> None:
    week = date_text(meeting.week_start)
    text = t("trainee_confirm", mentor=ctx.actor.name, week=week)
    facts = [
        (t("field_held_on"), date_text(meeting.held_on) if meeting.held_on else ""),
        (t("field_duration"), str(meeting.duration_minutes or "")),
        (t("field_progress"), shorten(meeting.progress_discussed or "", 500)),
        (t("field_wellbeing"), rag_label(meeting.wellbeing or "green")),
    ]
    if meeting.targets:
        facts.insert(3, (t("field_targets_discussed"), shorten(meeting.targets, 500)))
    blocks = (Section(text), Facts(tuple(facts)), *written_blocks(written))
    message = Message(text, (*blocks, confirm_buttons(meeting.id)))
    await notify.to_person(
        ctx.session,
        not_before=ctx.now,
        key=str(keys.WeeklyConfirm(meeting.id or 0)),
        kind="weekly_confirm",
        recipient_id=view.trainee_id,
        message=message,
    )


async def _trainee_meeting(ctx: Ctx, raw_id: object) -> tuple[WeeklyMeeting, PlacementView]:
    meeting_id = parse_id(raw_id)
    found = await ctx.session.get(WeeklyMeeting, meeting_id)
    if found is None:
        raise BadRequest("no such meeting")
    view = await placements.view(ctx.session, placement_id=found.placement_id)
    if view is None or view.trainee_id != ctx.actor.person_id:
        log.warning("refused: person_id=%s confirming meeting %s", ctx.actor.person_id, meeting_id)
        raise Forbidden("not the trainee", person_id=ctx.actor.person_id, meeting_id=meeting_id)
    return found, view


async def on_trainee_press(ctx: Ctx, action: str, value: str) -> Reply:
    meeting, _view = await _trainee_meeting(ctx, value)
    if meeting.trainee_response is not None:
        return Reply(replace_original=_trainee_answered(meeting))
    if action == "weekly.disagree":
        field = FormField("comment", t("field_comment"), FieldKind.LONG_TEXT, max_length=1000)
        return Reply(
            open_form=Form(
                "weekly.disagree", t("disagree_title"), (field,), state={"meeting_id": meeting.id}
            )
        )
    answered = await _trainee_respond(ctx, meeting, TraineeResponse.CONFIRMED, None)
    return answered or Reply(replace_original=_trainee_answered(meeting))


async def on_trainee_submit(
    ctx: Ctx, form_id: str, raw: dict[str, Any], state: dict[str, Any]
) -> Reply:
    meeting, view = await _trainee_meeting(ctx, state.get("meeting_id"))
    field = FormField("comment", t("field_comment"), FieldKind.LONG_TEXT, max_length=1000)
    checked = check(Form(form_id, "", (field,)), raw, today=ctx.today)
    if not checked.ok:
        return Reply(form_errors=checked.errors)
    if meeting.trainee_response is not None:
        return Reply(close_form=True, replace_original=_trainee_answered(meeting))
    reply = await _trainee_respond(
        ctx, meeting, TraineeResponse.DISPUTED, checked.values["comment"]
    )
    if reply is None:  # answered meanwhile: tell the mentor nothing twice
        return Reply(close_form=True, replace_original=_trainee_answered(meeting))
    text = t(
        "trainee_disputed_mentor", trainee=view.trainee_name, week=date_text(meeting.week_start)
    )
    await notify.to_person(
        ctx.session,
        not_before=ctx.now,
        key=str(keys.WeeklyDisputed(meeting.id or 0)),
        kind="weekly_disputed",
        recipient_id=meeting.signed_off_by_id or view.mentor_id,
        message=Message(text, (Section(text), Section(shorten(checked.values["comment"], 1000)))),
    )
    return Reply(close_form=True, replace_original=reply.replace_original)


async def _trainee_respond(
    ctx: Ctx, meeting: WeeklyMeeting, response: TraineeResponse, comment: str | None
) -> Reply | None:
    """Record the trainee's answer; None if an earlier press or submission already did."""
    changed = await evidence.record_trainee_response(
        ctx.session,
        meeting_id=meeting.id or 0,
        response=response.value,
        comment=comment,
        at=ctx.now,
    )
    await ctx.session.refresh(meeting)
    if not changed:
        return None
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action=f"weekly_{response.value}",
        entity="weekly_meeting",
        entity_id=meeting.id,
    )
    return Reply(replace_original=_trainee_answered(meeting))


def _trainee_answered(meeting: WeeklyMeeting) -> Message:
    key = "trainee_confirmed" if meeting.trainee_response == "confirmed" else "trainee_disputed"
    text = t(key, week=date_text(meeting.week_start))
    return Message(text, (Section(text),))


# "Remind me tomorrow": the reminder is an outbox row due tomorrow morning, so it survives
# a restart like every other queued message, and is cancelled if the week is signed off.
SNOOZE_AT = time(8, 30)


async def on_snooze(ctx: Ctx, action: str, value: str) -> Reply:
    placement_id, week = _parse_value(value)
    view = await placement_for(ctx, placement_id)
    existing = await evidence.meeting(ctx.session, placement_id=view.id, week_start=week)
    if existing is not None and existing.signed_off_at is not None:
        return Reply(replace_original=await signed_message(ctx, view, existing))
    zone = ZoneInfo(view.timezone)
    tomorrow = ctx.now.astimezone(zone).date() + timedelta(days=1)
    due = datetime.combine(tomorrow, SNOOZE_AT, zone)
    await notify.to_person(
        ctx.session,
        key=str(keys.WeeklySnooze(view.id, week, tomorrow)),
        kind="weekly_reminder",
        recipient_id=ctx.actor.person_id,
        message=reminder(view, week),
        not_before=due,
    )
    return Reply(message=Message(t("snoozed")))


def overdue(week: date) -> str:
    """As a digest line says it."""
    return t("overdue_meeting", week=date_text(week))
