"""Conversation 5: help, "what do I owe?", and the App Home per role.

Everything the scheduler pushes can also be pulled here, each with a button to do it now.
"""

from __future__ import annotations

from datetime import timedelta

from handlers import escalation
from handlers.context import Ctx
from handlers.text import command_prefix, rag_label, t
from handlers.ui import Actions, Block, Button, Facts, Message, Reply, Section, Style, date_text
from handlers.weekly import prompt
from storage.catalogue import TEACHERS_STANDARDS
from storage.enums import Role, Scale
from storage.repo import calendar, evidence, placements


def help_message(platform: str) -> Message:
    body = t("help_body", cmd=command_prefix(platform))
    return Message(t("help_title"), (Section(body, heading=t("help_title")),))


async def owed_blocks(ctx: Ctx) -> list[Block]:
    """What the actor owes now, as sections each with its buttons."""
    blocks: list[Block] = []
    week = ctx.today - timedelta(days=ctx.today.weekday())
    for view in await placements.for_mentor(
        ctx.session, mentor_id=ctx.actor.person_id, on=ctx.today
    ):
        for w in (week - timedelta(days=7), week):
            if w < view.start_date - timedelta(days=6) or w > view.end_date:
                continue
            if not await calendar.is_teaching_week(
                ctx.session, programme_id=view.programme_id, week_start=w
            ):
                continue
            meeting = await evidence.meeting(ctx.session, placement_id=view.id, week_start=w)
            if meeting is None or meeting.signed_off_at is None:
                blocks.extend(prompt(view, w).blocks)
        point = await calendar.current_review_point(
            ctx.session, programme_id=view.programme_id, on=ctx.today
        )
        if (
            point is not None
            and point.id is not None
            and not await evidence.has_ratings(
                ctx.session, placement_id=view.id, review_point_id=point.id
            )
        ):
            blocks.append(
                Section(t("owe_rating", trainee=view.trainee_name, review_point=point.name))
            )
            blocks.append(
                Actions(
                    (Button(t("do_it_now"), "rate.start", f"{view.id}:{point.id}", Style.PRIMARY),)
                )
            )
    mine = await placements.for_trainee(ctx.session, trainee_id=ctx.actor.person_id)
    ids = [p.id for p in mine]
    if ids:
        for m in await evidence.unconfirmed_meetings(ctx.session, placement_ids=ids):
            blocks.append(Section(t("owe_confirm", week=date_text(m.week_start))))
            blocks.append(
                Actions(
                    (
                        Button(t("confirm"), "weekly.confirm", str(m.id), Style.PRIMARY),
                        Button(t("disagree"), "weekly.disagree", str(m.id)),
                    )
                )
            )
        for o in await evidence.unacknowledged_observations(ctx.session, placement_ids=ids):
            blocks.append(Section(t("owe_observation_ack", date=date_text(o.observed_on))))
            blocks.append(
                Actions((Button(t("acknowledge"), "observe.ack", str(o.id), Style.PRIMARY),))
            )
    return blocks


async def status(ctx: Ctx) -> Reply:
    blocks = await owed_blocks(ctx)
    if not blocks:
        return Reply(message=Message(t("status_nothing"), (Section(t("status_nothing")),)))
    return Reply(message=Message(t("status_title"), (Section(t("status_title")), *blocks)))


async def home(ctx: Ctx) -> Message:
    """The App Home / personal tab: one section per role the person holds."""
    body = t("help_body", cmd=command_prefix(ctx.actor.platform))
    blocks: list[Block] = [Section(body, heading=t("help_title"))]
    if ctx.actor.has(Role.MENTOR) or ctx.actor.has(Role.LEAD_MENTOR) or ctx.actor.has(Role.TRAINEE):
        owed = await owed_blocks(ctx)
        blocks.append(
            Section(t("status_title") if owed else t("status_nothing"), heading=t("status_title"))
        )
        blocks.extend(owed)
    if ctx.actor.has(Role.MENTOR) or ctx.actor.has(Role.LEAD_MENTOR):
        blocks.append(
            Actions(
                (
                    Button(t("observe_button"), "observe.start", "-", Style.PRIMARY),
                    Button(t("concern_button"), "concern.start", "-"),
                    Button(t("self_eval_button"), "selfeval.start", "-"),
                )
            )
        )
    if ctx.actor.has(Role.LEAD_MENTOR):
        blocks.extend(await _cohort(ctx))
    if ctx.actor.has(Role.ITT_LEAD):
        blocks.append(Section(t("home_itt"), heading=t("home_itt")))
        listed = await escalation.open_list(ctx)
        for e, view in listed[:20]:
            blocks.extend(escalation.alert(view, e, status_line=None).blocks)
        if not listed:
            blocks.append(Section(t("home_none")))
    return Message(t("help_title"), tuple(blocks))


async def _cohort(ctx: Ctx) -> list[Block]:
    cohort = await placements.for_lead_mentor(
        ctx.session, lead_mentor_id=ctx.actor.person_id, on=ctx.today
    )
    rows: list[tuple[str, str]] = []
    for view in cohort[:40]:
        last = await evidence.latest_signed_off_week(ctx.session, placement_id=view.id)
        latest = await evidence.latest_ratings(
            ctx.session, subject_id=view.trainee_id, scale=Scale.TEACHERS_STANDARDS.value
        )
        grid = " ".join(
            f"{s.code} {rag_label(latest[s.code].rating)}"
            for s in TEACHERS_STANDARDS
            if s.code in latest
        )
        line = t("cohort_last", last=date_text(last) if last else t("never"))
        rows.append((view.trainee_name, line + (f" · {grid}" if grid else "")))
    blocks: list[Block] = [Section(t("home_lead"), heading=t("home_lead"))]
    blocks.append(Facts(tuple(rows)) if rows else Section(t("home_none")))
    return blocks
