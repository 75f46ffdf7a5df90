"""A support plan's codes and dates as words (in chat and in the IDP)."""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers.support import stages
from handlers.text import catalogue, t
from handlers.ui import date_text


def stage_label(code: str) -> str:
    """The policy's label, else the strings' word for a known code, else the code."""
    stage = stages.by_code(code)
    if stage is not None and stage.label:
        return stage.label
    key = f"stage_{code}"
    return t(key) if key in catalogue() else code.replace("_", " ").capitalize()


def _day(value: Any) -> str:
    return date_text(value if isinstance(value, date) else date.fromisoformat(str(value)))


def review_text(review: dict[str, Any]) -> str:
    """One review: its date, the targets met and not met (by number), the decision."""
    parts = [_day(review["reviewed_on"])]
    if review.get("met"):
        parts.append(t("support_met_list", n=", ".join(map(str, review["met"]))))
    if review.get("not_met"):
        parts.append(t("support_not_met_list", n=", ".join(map(str, review["not_met"]))))
    decision = t(f"support_decision_{review['decision']}")
    if review.get("next_review_date"):
        decision += " " + t("support_next_review", date=_day(review["next_review_date"]))
    return "; ".join(parts) + " → " + decision


def stage_outcome_text(record: Any) -> str:
    """A stage's state: open (with the plan's), or how and when it ended."""
    if record.outcome:
        return t(f"support_decision_{record.outcome}") + f" ({_day(record.ended_on)})"
    return t("support_stage_open") if record.plan_status == "open" else t("support_closed")
