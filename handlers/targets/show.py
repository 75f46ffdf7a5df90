"""Targets as people read them: on the sign-off and the trainee's confirmation, on status,
in the lead mentor's digest, and in the nudge when a review is late."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Ctx
from handlers.targets.form import Written
from handlers.text import t
from handlers.ui import Actions, Block, Button, Facts, Message, Section, Style, date_text, shorten
from storage.calendar_rules import monday_of
from storage.enums import Role, TargetDecision
from storage.models import Target
from storage.repo import placements
from storage.repo import targets as repo
from storage.repo.placements import PlacementView


def target_line(target: Target) -> str:
    return t(
        "target_line",
        strand=target.strand_code,
        text=shorten(target.text, 300),
        date=date_text(target.review_by),
    )


def written_blocks(written: Written) -> list[Block]:
    """What a sign-off set and reviewed (the mentor's reply, the trainee's confirmation)."""
    blocks: list[Block] = []
    if written.reviewed:
        lines = []
        for target, outcome, decision, next_review in written.reviewed:
            then = (
                t("decision_carried", date=date_text(next_review))
                if decision is TargetDecision.CARRY
                else t("decision_closed")
            )
            lines.append(
                t(
                    "target_review_line",
                    strand=target.strand_code,
                    text=shorten(target.text, 200),
                    outcome=t(f"target_{outcome.value}"),
                    decision=then,
                )
            )
        title = t("targets_reviewed_title")
        blocks.append(Section("\n".join(f"• {line}" for line in lines), heading=title))
    if written.set:
        title = t("targets_set_title")
        lines = [f"• {target_line(x)}" for x in written.set]
        blocks.append(Section("\n".join(lines), heading=title))
    return blocks


def open_lines(targets: Sequence[Target], today: date) -> str:
    lines = []
    for x in targets:
        late = f" {t('target_overdue_mark')}" if x.review_by < today else ""
        lines.append(f"• {target_line(x)}{late}")
    return "\n".join(lines)


async def on_record(ctx: Ctx) -> list[Block]:
    """Status: a trainee's own open targets; a mentor's, each trainee's open targets."""
    blocks: list[Block] = []
    if ctx.actor.has(Role.TRAINEE):
        mine = await repo.open_targets(ctx.session, trainee_ids=[ctx.actor.person_id])
        title = t("targets_open_title")
        body = open_lines(mine, ctx.today) if mine else t("targets_none_open")
        blocks.append(Section(body, heading=title))
    if ctx.actor.roles & {"mentor", "lead_mentor"}:
        views = await placements.for_mentor(
            ctx.session, mentor_id=ctx.actor.person_id, on=ctx.today
        )
        found = await repo.open_targets(ctx.session, trainee_ids=[v.trainee_id for v in views])
        for v in views:
            theirs = [x for x in found if x.trainee_id == v.trainee_id]
            if theirs:
                title = t("targets_open_trainee", trainee=v.trainee_name)
                blocks.append(Section(open_lines(theirs, ctx.today), heading=title))
    return blocks


def review_button(view: PlacementView, today: date) -> Button:
    """The review is on the weekly meeting form: this week's "Yes, it took place"."""
    value = f"{view.id}:{monday_of(today).isoformat()}"
    return Button(t("review_now"), "weekly.held", value, Style.PRIMARY)


def nudge(view: PlacementView, target: Target, today: date) -> Message:
    text = t(
        "target_review_nudge",
        trainee=view.trainee_name,
        date=date_text(target.review_by),
        strand=target.strand_code,
        text=shorten(target.text, 200),
    )
    return Message(text, (Section(text), Actions((review_button(view, today),))))


class TargetsInDigest:
    """The lead mentor's digest: each trainee's open targets and overdue reviews."""

    async def load(
        self, session: AsyncSession, *, trainee_ids: set[int], today: date
    ) -> tuple[list[Target], date]:
        return await repo.open_targets(session, trainee_ids=trainee_ids), today

    def section(
        self, facts: tuple[list[Target], date], cohort: Sequence[PlacementView]
    ) -> list[Block]:
        found, today = facts
        rows: list[tuple[str, str]] = []
        without: list[str] = []
        for v in sorted(cohort, key=lambda v: v.trainee_name):
            theirs = [x for x in found if x.trainee_id == v.trainee_id]
            if not theirs:
                without.append(v.trainee_name)
                continue
            late = sum(1 for x in theirs if x.review_by < today)
            rows.append((v.trainee_name, t("targets_digest_line", open=len(theirs), overdue=late)))
        if without:
            rows.append((t("targets_digest_none"), ", ".join(without)))
        title = t("targets_digest_title")
        return [Section(title, heading=title), Facts(tuple(rows))] if rows else []
