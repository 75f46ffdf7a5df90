"""Mentor quality figures as words, the same in chat, on the pages and in the CLI table:
an average always with its scale word, a RAG always with its symbol and word."""

from __future__ import annotations

import dataclasses

from handlers.text import RAG_SYMBOL, RAG_WORD, t
from storage.enums import Rag
from storage.reports.quality import self_rag_counts
from storage.reports.quality_records import (
    Average,
    Compliance,
    Flag,
    MentorQuality,
    SchoolQuality,
)
from storage.reports.years import AcademicYear


def number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def agreement(code: str) -> str:
    try:
        return t(f"agreement_{code}")
    except KeyError:
        return code


def kind(code: str) -> str:
    try:
        return t(f"kind_{code}")
    except KeyError:
        return code


def average(avg: Average | None) -> str:
    if avg is None:
        return t("q_none")
    return t("q_average", word=agreement(avg.word), score=number(avg.score), n=avg.evaluations)


def self_rags(rags: tuple[str, ...]) -> str:
    """ "✔ Green 3 · ▲ Amber 1 · ✖ Red 1" (never colour alone), or none yet."""
    if not rags:
        return t("q_none")
    counts = self_rag_counts(rags)
    order = (Rag.GREEN, Rag.AMBER, Rag.RED)
    return " · ".join(f"{RAG_SYMBOL[r]} {RAG_WORD[r]} {counts[r.value]}" for r in order)


def meetings(c: Compliance) -> str:
    return t("q_meetings_value", held=c.weeks_held, due=c.weeks_due, percent=percent(c.held_share))


def feedback(c: Compliance) -> str:
    if c.median_feedback_days is None:
        return t("q_no_observations")
    return t("q_feedback_value", days=days(c.median_feedback_days), n=c.observations)


def hours(minutes: int) -> str:
    return number(round(minutes / 60, 1))


def flag(f: Flag) -> str:
    if f.code == "meetings":
        text = t("flag_meetings", value=percent(f.value), limit=percent(f.limit))
    else:
        text = t(f"flag_{f.code}", value=number(f.value), limit=number(f.limit))
    if f.standard:
        text += t("flag_on_standard", standard=f.standard)
    return f"{f.mentor}: {text}" if f.mentor else text


def mentor_flags(m: MentorQuality) -> list[str]:
    """A mentor's own flags, without their name (they head the list already)."""
    return [flag(dataclasses.replace(f, mentor=None)) for f in m.flags]


def days(value: float | None) -> str:
    if value is None:
        return "–"
    return t("q_days_one" if value == 1 else "q_days", n=number(value))


def year_before(s: SchoolQuality | None, year: AcademicYear) -> str:
    """A school's headline figures the year before, for quality over time."""
    label = year.previous().label
    if s is None:
        return t("q_year_before_none", year=label)
    return t(
        "q_year_before",
        year=label,
        held=percent(s.compliance.held_share),
        trainees=average(s.trainees),
        tutors=average(s.tutors),
        flags=len(s.flags),
    )
