"""The lead mentor's weekly digest, and their cohort on the App Home: each trainee, the
last signed-off week, what is overdue, and the latest rating per strand of the trainee's
framework as a grid people can read at a glance: shapes with a key to their words (never
colour alone), whatever the scale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from handlers.context import Ctx
from handlers.text import scale_key, t
from handlers.ui import Block, Facts, Message, Section, date_text
from storage.repo import evidence, frameworks, placements
from storage.repo.frameworks import Framework


@dataclass(frozen=True, slots=True)
class DigestRow:
    trainee: str
    last_signed_off: date | None
    overdue: Sequence[str]
    latest: dict[str, str]  # strand code -> scale value code
    framework: Framework | None = None  # None: no ratings to show


def grid(framework: Framework, latest: dict[str, str]) -> str:
    """`TS1 ✔ · TS2 ▲ …`: each strand rated, in the framework's order, as its symbol."""
    shown = []
    for strand in framework.strands:
        value = framework.value(latest.get(strand.code, ""))
        if value is not None:
            shown.append(f"{strand.code} {value.symbol}")
    return " · ".join(shown)


def scale_keys(used: Sequence[Framework]) -> list[Block]:
    """One key per framework shown: what each symbol says, in words."""
    seen = {f.id: f for f in used}
    return [Section(t("digest_key", framework=f.name, scale=scale_key(f))) for f in seen.values()]


def digest(
    rows: Sequence[DigestRow], unreachable: Sequence[str], parts: Sequence[Block] = ()
) -> Message:
    """`parts`: what other conversations add about the cohort's mentors."""
    facts: list[tuple[str, str]] = []
    shown: list[Framework] = []
    for row in rows:
        last = date_text(row.last_signed_off) if row.last_signed_off else t("never")
        line = t("digest_row", last=last, overdue=", ".join(row.overdue) or t("none"))
        cells = grid(row.framework, row.latest) if row.framework else ""
        if cells and row.framework:
            shown.append(row.framework)
        facts.append((row.trainee, line + ("\n" + t("digest_grid", grid=cells) if cells else "")))
    blocks: list[Block] = [Section(t("digest_title"), heading=t("digest_title"))]
    if facts:
        blocks.append(Facts(tuple(facts)))
    blocks.extend(scale_keys(shown))
    blocks.extend(parts)
    if unreachable:
        blocks.append(Section(t("digest_unreachable", names=", ".join(unreachable))))
    return Message(t("digest_title"), tuple(blocks))


async def home(ctx: Ctx) -> list[Block]:
    """A lead mentor's App Home: their cohort, one line per trainee."""
    cohort = await placements.for_lead_mentor(
        ctx.session, lead_mentor_id=ctx.actor.person_id, on=ctx.today
    )
    shown = cohort[:40]
    on = await frameworks.frameworks_for_programmes(
        ctx.session, programme_ids=[v.programme_id for v in shown]
    )
    rows: list[tuple[str, str]] = []
    used: list[Framework] = []
    for view in shown:
        framework = on[view.programme_id]
        last = await evidence.latest_signed_off_week(ctx.session, placement_id=view.id)
        latest = await evidence.latest_ratings(
            ctx.session, subject_id=view.trainee_id, scale=framework.code
        )
        cells = grid(framework, {code: r.rating for code, r in latest.items()})
        if cells:
            used.append(framework)
        line = t("cohort_last", last=date_text(last) if last else t("never"))
        rows.append((view.trainee_name, line + (f" · {cells}" if cells else "")))
    blocks: list[Block] = [Section(t("home_lead"), heading=t("home_lead"))]
    blocks.append(Facts(tuple(rows)) if rows else Section(t("home_none")))
    return blocks + scale_keys(used)
