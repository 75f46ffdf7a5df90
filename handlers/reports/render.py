"""The report pages: Jinja2 templates shipped with the package, autoescaped, one
self-contained HTML file each (inline CSS, no JavaScript, print CSS for A4)."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from markupsafe import Markup

from handlers.support.words import review_text, stage_label, stage_outcome_text
from handlers.text import RAG_SYMBOL, RAG_WORD, t
from storage.enums import Rag
from storage.repo.frameworks import Value
from storage.reports.cohort import CohortReport
from storage.reports.idp import Idp
from storage.reports.school import SchoolReport

if TYPE_CHECKING:
    from jinja2 import Environment

LONDON = ZoneInfo("Europe/London")
MEETING_SYMBOL = {"held": "✔", "rescheduled": "↻", "not_held": "✖", "pending": "…"}


def _date(value: date | None) -> str:
    return value.strftime("%-d %b %Y") if value is not None else ""


def _moment(value: datetime | None) -> str:
    # Stored in UTC; shown in England's time, where the partnership reads it.
    return value.astimezone(LONDON).strftime("%-d %b %Y %H:%M") if value is not None else ""


def _short(value: date) -> str:
    return value.strftime("%-d/%-m")


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _meeting_symbol(status: str | None) -> str:
    return MEETING_SYMBOL.get(status or "", "–")


def _words(code: str) -> str:
    return code.replace("_", " ")


@cache
def environment() -> Environment:
    # Jinja2 is imported when the first page is rendered, not at every `serve`'s start.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("handlers.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["t"] = t
    # Wellbeing is always Red/Amber/Green, whatever the programme's framework.
    env.globals["rag_words"] = {r.value: f"{RAG_SYMBOL[r]} {RAG_WORD[r]}" for r in Rag}
    env.filters.update(
        d=_date,
        dt=_moment,
        short=_short,
        num=_number,
        meeting_symbol=_meeting_symbol,
        words=_words,
        stage=stage_label,
        review=review_text,
        stage_outcome=stage_outcome_text,
    )
    return env


def labels(scale: tuple[Value, ...]) -> dict[str, str]:
    """Each value of the report's scales as it is shown: its symbol and its words."""
    return {v.code: f"{v.symbol} {v.label}" for v in scale}


def _cells(scale: tuple[Value, ...]) -> dict[str, dict[str | None, Markup]]:
    """Each table cell a grid can hold, made once per page: a cohort's grids have tens of
    thousands of cells, and a template macro per cell would be most of the build time."""
    shown: dict[str | None, str] = {None: f"– {t('not_rated')}"}
    shown.update(labels(scale))
    rag: dict[str | None, Markup] = {}
    for value, label in shown.items():
        cls = f"rag-{value}" if value else "rag-none"
        rag[value] = Markup('<td class="rag {0}"><span class="rag {0}">{1}</span></td>').format(
            cls, label
        )
    meeting = {
        status: Markup('<td title="{}">{}</td>').format(
            t(f"meeting_{status or 'none'}"), _meeting_symbol(status)
        )
        for status in (None, *MEETING_SYMBOL)
    }
    na = Markup('<td class="rag rag-none" title="{0}">{1}</td>').format(t("not_applicable"), "·")
    return {"rag": rag, "meeting": meeting, "na": {None: na}}


def idp_html(idp: Idp, *, generated_at: datetime) -> str:
    return (
        environment()
        .get_template("idp.html.j2")
        .render(idp=idp, generated_at=generated_at, scale=idp.scale, labels=labels(idp.scale))
    )


def cohort_html(report: CohortReport) -> str:
    return (
        environment()
        .get_template("cohort.html.j2")
        .render(report=report, cells=_cells(report.scale), scale=report.scale)
    )


def school_html(report: SchoolReport) -> str:
    scale = report.cohort.scale
    return (
        environment()
        .get_template("school.html.j2")
        .render(school=report, cells=_cells(scale), scale=scale, labels=labels(scale))
    )


def forbidden_html() -> str:
    """The plain page for a link that is expired, altered or out of the asker's scope."""
    text = Markup.escape(t("page_forbidden"))
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>403</title>'
        f"</head><body><h1>403</h1><p>{text}</p></body></html>"
    )
