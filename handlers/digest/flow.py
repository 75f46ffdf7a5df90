"""The lead mentor's weekly digest, and their cohort on the App Home: each trainee, the
last signed-off week, what is overdue, and the latest RAG per standard as a grid people
can read at a glance (words and shapes, never colour alone)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from handlers.context import Ctx
from handlers.text import rag_label, t
from handlers.ui import Block, Facts, Message, Section, date_text
from storage.catalogue import TEACHERS_STANDARDS
from storage.enums import Scale
from storage.repo import evidence, placements


@dataclass(frozen=True, slots=True)
class DigestRow:
    trainee: str
    last_signed_off: date | None
    overdue: Sequence[str]
    latest: dict[str, str]  # item code -> rag


def digest(
    rows: Sequence[DigestRow], unreachable: Sequence[str], parts: Sequence[Block] = ()
) -> Message:
    """`parts`: what other conversations add about the cohort's mentors."""
    facts: list[tuple[str, str]] = []
    for row in rows:
        last = date_text(row.last_signed_off) if row.last_signed_off else t("never")
        line = t("digest_row", last=last, overdue=", ".join(row.overdue) or t("none"))
        grid = " · ".join(
            f"{s.code} {rag_label(row.latest[s.code])}"
            for s in TEACHERS_STANDARDS
            if s.code in row.latest
        )
        facts.append((row.trainee, line + ("\n" + t("digest_grid", grid=grid) if grid else "")))
    blocks: list[Block] = [Section(t("digest_title"), heading=t("digest_title"))]
    if facts:
        blocks.append(Facts(tuple(facts)))
    blocks.extend(parts)
    if unreachable:
        blocks.append(Section(t("digest_unreachable", names=", ".join(unreachable))))
    return Message(t("digest_title"), tuple(blocks))


async def home(ctx: Ctx) -> list[Block]:
    """A lead mentor's App Home: their cohort, one line per trainee."""
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
