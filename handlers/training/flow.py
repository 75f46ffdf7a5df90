"""A mentor logs a piece of mentor training they attended: date, length, provider, topic.

The National Standards for school-based ITT mentors expect mentors to keep developing as
mentors; the lead mentor sees the count in the weekly digest, the mentor on their status.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Ctx
from handlers.forms import check
from handlers.text import t
from handlers.ui import Block, Facts, FieldKind, Form, FormField, Message, Reply, Section, date_text
from storage.enums import Role
from storage.models import MentorTraining
from storage.repo import messaging, training
from storage.repo.training import TrainingTotal

LOGGERS = frozenset({Role.MENTOR, Role.LEAD_MENTOR})


def academic_year_start(today: date) -> date:
    """Training counts from 1 September, when the ITT year starts in England."""
    return date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}".removesuffix(".0")


def _form() -> Form:
    return Form(
        "training",
        t("training_title"),
        (
            FormField("attended_on", t("field_attended_on"), FieldKind.DATE, date_rule="past"),
            FormField(
                "minutes",
                t("field_minutes"),
                FieldKind.NUMBER,
                min_value=15,
                max_value=2400,
                hint=t("hint_minutes"),
            ),
            FormField("provider", t("field_provider"), FieldKind.TEXT, max_length=200),
            FormField("topic", t("field_topic"), FieldKind.TEXT, max_length=300),
        ),
    )


def _may_log(ctx: Ctx) -> bool:
    return any(ctx.actor.has(role) for role in LOGGERS)


async def start(ctx: Ctx) -> Reply:
    if not _may_log(ctx):
        return Reply(message=Message(t("training_mentors_only")))
    return Reply(open_form=_form())


async def on_submit(ctx: Ctx, raw: dict[str, Any]) -> Reply:
    if not _may_log(ctx):
        return Reply(close_form=True, message=Message(t("training_mentors_only")))
    checked = check(_form(), raw, today=ctx.today)
    if not checked.ok:
        return Reply(form_errors=checked.errors)
    v = checked.values
    logged = await training.add(
        ctx.session,
        training=MentorTraining(
            mentor_id=ctx.actor.person_id,
            attended_on=v["attended_on"],
            minutes=v["minutes"],
            provider=v["provider"],
            topic=v["topic"],
            created_at=ctx.now,
        ),
    )
    await messaging.audit(
        ctx.session,
        actor_id=ctx.actor.person_id,
        action="mentor_training_logged",
        entity="mentor_training",
        entity_id=logged.id,
        detail={"minutes": logged.minutes},
    )
    total = await _total(ctx.session, ctx.actor.person_id, ctx.today)
    text = t(
        "training_recorded",
        topic=logged.topic,
        hours=hours(logged.minutes),
        date=date_text(logged.attended_on),
        sessions=total.sessions,
        total=hours(total.minutes),
    )
    return Reply(close_form=True, message=Message(text, (Section(text),)))


async def _total(session: AsyncSession, mentor_id: int, today: date) -> TrainingTotal:
    found = await training.totals(session, mentor_ids=[mentor_id], since=academic_year_start(today))
    return found.get(mentor_id, TrainingTotal(0, 0))


async def on_record(ctx: Ctx) -> list[Block]:
    """The mentor's status: their mentor training this academic year."""
    total = await _total(ctx.session, ctx.actor.person_id, ctx.today)
    if total.sessions == 0:
        return [Section(t("training_none_yet"))]
    line = t("training_on_record", sessions=total.sessions, hours=hours(total.minutes))
    return [Section(line)]


class TrainingInDigest:
    """The lead mentor's digest: each mentor in the cohort, with their training count."""

    async def load(
        self, session: AsyncSession, *, mentor_ids: set[int], today: date
    ) -> dict[int, TrainingTotal]:
        return await training.totals(
            session, mentor_ids=mentor_ids, since=academic_year_start(today)
        )

    def section(self, facts: dict[int, TrainingTotal], mentors: Mapping[int, str]) -> list[Block]:
        rows = []
        for mentor_id, name in sorted(mentors.items(), key=lambda item: item[1]):
            total = facts.get(mentor_id, TrainingTotal(0, 0))
            line = t("training_digest_line", sessions=total.sessions, hours=hours(total.minutes))
            rows.append((name, line))
        title = t("training_digest_title")
        return [Section(title, heading=title), Facts(tuple(rows))] if rows else []
