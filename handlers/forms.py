"""Checking submitted form values against the form that asked for them.

Edges enforce limits too (Slack max_length, Adaptive Card maxLength), but a value comes
back through the user's client, so the handler checks everything again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from handlers.text import rag_label, t
from handlers.ui import Choice, FieldKind, Form, FormField
from storage.catalogue import RAG_KEYS
from storage.enums import Rag, Scale
from storage.repo.frameworks import Framework, Strand


def rag_choices(scale: Scale) -> tuple[Choice, ...]:
    """Red, Amber and Green, each with its word, its shape and its meaning on `scale`
    (the mentor standards and wellbeing; trainees are rated on their framework's scale)."""
    return tuple(Choice(r.value, rag_label(r), RAG_KEYS[scale][r]) for r in Rag)


def scale_choices(framework: Framework) -> tuple[Choice, ...]:
    """The framework's scale, each value with its symbol, its words and its meaning."""
    return tuple(Choice(v.code, f"{v.symbol} {v.label}", v.meaning) for v in framework.values)


def strand_label(strand: Strand) -> str:
    return f"{strand.code}: {strand.title}"


# Slack's plain_text_input allows 3,000 characters; our long text stays under it.
LONG_TEXT_MAX = 3000
SHORT_TEXT_MAX = 150


@dataclass(frozen=True, slots=True)
class Checked:
    values: dict[str, Any]
    errors: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.errors


def check(form: Form, raw: dict[str, Any], *, today: date) -> Checked:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in form.fields:
        value, error = _check_field(spec, raw.get(spec.name), today=today)
        if error:
            errors[spec.name] = error
        else:
            values[spec.name] = value
    return Checked(values, errors)


def _check_field(spec: FormField, raw: Any, *, today: date) -> tuple[Any, str | None]:
    if spec.kind is FieldKind.MULTI_SELECT:
        items = raw if isinstance(raw, list) else ([] if raw in (None, "") else str(raw).split(","))
        items = [str(i).strip() for i in items if str(i).strip()]
        allowed = {c.value for c in spec.choices}
        if any(i not in allowed for i in items):
            return None, t("err_choice")
        if spec.required and not items:
            return None, t("err_required")
        return items, None
    text = "" if raw is None else str(raw).strip()
    if not text:
        return (None, t("err_required")) if spec.required else (None, None)
    limit = spec.max_length or (
        LONG_TEXT_MAX if spec.kind is FieldKind.LONG_TEXT else SHORT_TEXT_MAX
    )
    if spec.kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
        if len(text) > limit:
            return None, t("err_too_long", limit=limit, length=len(text))
        return text, None
    if spec.kind is FieldKind.DATE:
        return _check_date(spec, text, today=today)
    if spec.kind is FieldKind.NUMBER:
        low, high = spec.min_value or 0, spec.max_value or 10_000
        if not text.isdigit() or not low <= int(text) <= high:
            return None, t("err_number", low=low, high=high)
        return int(text), None
    if text not in {c.value for c in spec.choices}:
        return None, t("err_choice")
    return text, None


def _check_date(spec: FormField, text: str, *, today: date) -> tuple[Any, str | None]:
    try:
        value = date.fromisoformat(text[:10])
    except ValueError:
        return None, t("err_date")
    if spec.date_rule == "past" and value > today:
        return None, t("err_future")
    if spec.date_rule == "future" and value < today:
        return None, t("err_past")
    return value, None
