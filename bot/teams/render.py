"""Neutral messages and forms to Adaptive Cards 1.5, and card submissions back.

Teams has no modals: a form is a card in the conversation, and its Action.Submit comes
back as a message activity whose `value` holds the inputs (by field name) merged with the
action's data. The data carries, under one key, everything needed to route the answer:

    buttons: {"mb": {"action": action, "value": value}}
    forms:   {"mb": {"form": form_id, "state": state, "o": origin, "f": spec}}

`o` is the card the form was opened from (updated in place when the form is answered) and
`f` a compact copy of the form, used only to show the form again with error messages.
Both come back through the user's client, so neither is trusted: the handler re-checks
every value against its own form, and a tampered spec can only change what that same
user sees.
"""

from __future__ import annotations

import json
import re
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

# A form's compact copy on its card (to show it again with errors) lives in bot.teams.spec.
from bot.teams.spec import form_from_spec as form_from_spec
from bot.teams.spec import form_spec as form_spec
from bot.teams.spec import is_lite as is_lite

# What comes back from a card lives in bot.teams.submissions; named here too.
from bot.teams.submissions import KEY as KEY
from bot.teams.submissions import CardPress as CardPress
from bot.teams.submissions import CardSubmit as CardSubmit
from bot.teams.submissions import read_value as read_value
from handlers.text import t
from handlers.ui import (
    Actions,
    Choice,
    Facts,
    FieldKind,
    Form,
    FormField,
    Message,
    Section,
    Style,
)

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
# Teams refuses a message over 28 KB; the card stays under this so that the activity
# around it (addresses, ids) fits too. Measured as UTF-8 JSON.
MAX_MESSAGE_BYTES = 28 * 1024
CARD_BUDGET = 26 * 1024
LONG_TEXT_MAX = 3000  # as handlers.forms; Teams has no limit of its own below 28 KB
SHORT_TEXT_MAX = 150

_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")


def _markdown(text: str) -> str:
    """Handlers write Slack-style *bold*; Adaptive Cards read single asterisks as italic."""
    return _BOLD.sub(r"**\1**", text)


def size(card: dict[str, Any]) -> int:
    """The card's size as the client receives it (UTF-8 JSON)."""
    return len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode())


def _card(
    body: list[dict[str, Any]], fallback: str, actions: list[dict[str, Any]]
) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "fallbackText": fallback,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": _markdown(text), "wrap": True, **style}


def _heading(text: str) -> dict[str, Any]:
    return {
        "type": "TextBlock",
        "text": text,
        "wrap": True,
        "style": "heading",
        "size": "Medium",
        "weight": "Bolder",
    }


def _button(label: str, action: str, value: str, style: Style) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "Action.Submit",
        "title": label,
        "data": {KEY: {"action": action, "value": value}},
    }
    if style is Style.PRIMARY:
        button["style"] = "positive"
    elif style is Style.DANGER:
        button["style"] = "destructive"
    return button


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def message_card(message: Message) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    for part in message.blocks:
        if isinstance(part, Section):
            if part.heading:
                body.append(_heading(part.heading))
            body.append(_text(part.text))
        elif isinstance(part, Facts):
            body.append(
                {
                    "type": "FactSet",
                    "facts": [
                        {"title": label, "value": value or "–"} for label, value in part.pairs
                    ],
                }
            )
        elif isinstance(part, Actions):
            body.append(
                {
                    "type": "ActionSet",
                    "actions": [_button(b.label, b.action, b.value, b.style) for b in part.buttons],
                }
            )
    if not body:
        body.append(_text(message.text))
    return _fit(_card(body, message.text, []))


def _fit(card: dict[str, Any]) -> dict[str, Any]:
    """Drop trailing elements (a long digest or status list) until the card fits."""
    body = card["body"]
    if size(card) <= CARD_BUDGET:
        return card
    more = _text("…", isSubtle=True)
    while len(body) > 1 and size(card) > CARD_BUDGET:
        if body[-1] is more:
            body.pop()
        body.pop()
        body.append(more)
    if size(card) > CARD_BUDGET:  # one element alone too big: a very long text
        body[0] = _text(_cut(str(body[0].get("text", card["fallbackText"])), 8000))
    card["fallbackText"] = _cut(card["fallbackText"], 1000)
    return card


# --- forms -----------------------------------------------------------------------------


def _choice_title(c: Choice) -> str:
    return f"{c.label} — {c.description}" if c.description else c.label


def _limit(f: FormField) -> int:
    return f.max_length or (LONG_TEXT_MAX if f.kind is FieldKind.LONG_TEXT else SHORT_TEXT_MAX)


def _shown(f: FormField, raw: Any) -> str | None:
    """A submitted value as the input will show it again (cut to what the field allows)."""
    if raw is None:
        return None
    if isinstance(raw, list):
        return ",".join(str(v) for v in raw)
    text = str(raw)
    if f.kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
        return text[: _limit(f)]
    return text[:200]


def _input(f: FormField, value: str | None) -> dict[str, Any]:
    common: dict[str, Any] = {"id": f.name, "label": f.label, "isRequired": f.required}
    if f.required:
        common["errorMessage"] = t("err_required")
    match f.kind:
        case FieldKind.TEXT | FieldKind.LONG_TEXT:
            element = {
                "type": "Input.Text",
                **common,
                "isMultiline": f.kind is FieldKind.LONG_TEXT,
                "maxLength": _limit(f),
            }
            if value is not None:
                element["value"] = value
            return element
        case FieldKind.DATE:
            element = {"type": "Input.Date", **common}
            if value:
                element["value"] = value[:10]
            return element
        case FieldKind.NUMBER:
            element = {"type": "Input.Number", **common}
            if f.min_value is not None:
                element["min"] = f.min_value
            if f.max_value is not None:
                element["max"] = f.max_value
            if value is not None:
                try:
                    element["value"] = int(float(value))
                except ValueError:
                    pass
            return element
        case FieldKind.CHOICE | FieldKind.SELECT | FieldKind.MULTI_SELECT:
            element = {
                "type": "Input.ChoiceSet",
                **common,
                "style": "compact" if f.kind is FieldKind.SELECT else "expanded",
                "wrap": True,
                "choices": [{"title": _choice_title(c), "value": c.value} for c in f.choices],
            }
            if f.kind is FieldKind.MULTI_SELECT:
                element["isMultiSelect"] = True
            if value:
                element["value"] = value
            return element
    raise ValueError(f"no Adaptive Card input for {f.kind}")


def _form_body(
    form: Form,
    values: dict[str, Any] | None,
    errors: dict[str, str],
    title_limit: int | None,
    value_limit: int | None,
) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = [_heading(form.title)]
    if form.intro:
        body.append(_text(form.intro))
    for f in form.fields:
        raw = values.get(f.name) if values is not None else f.initial
        shown = _shown(f, raw)
        if shown is not None and value_limit is not None and f.kind in _TEXTS:
            shown = shown[:value_limit]
        element = _input(f, shown)
        if title_limit is not None:
            for choice in element.get("choices", []):
                choice["title"] = _cut(choice["title"], title_limit)
        body.append(element)
        if f.hint:
            body.append(_text(f.hint, isSubtle=True, size="Small", spacing="None"))
        if f.name in errors:
            body.append(_text(errors[f.name], color="Attention", spacing="Small"))
    # Errors for fields this form does not show (a stale spec) still reach the person.
    for name, error in errors.items():
        if all(f.name != name for f in form.fields):
            body.append(_text(error, color="Attention"))
    return body


_TEXTS = (FieldKind.TEXT, FieldKind.LONG_TEXT)


def form_card(
    form: Form,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    origin: str | None = None,
) -> dict[str, Any]:
    """A form as a card; with `values` and `errors`, shown again as submitted, with each
    error under its field.

    A card must stay under Teams' limit, so a form that would not fit (dozens of long
    trainee names, several 3,000-character drafts) is made smaller step by step: the copy
    of the form in the answer data loses its choices (errors then come as a message, the
    card keeping what was typed), long option titles are cut, and as a last resort the
    longest pre-filled texts are cut (the full draft stays saved by the handler).
    """
    errors = errors or {}

    def build(lite: bool, title_limit: int | None, value_limit: int | None) -> dict[str, Any]:
        submit = {
            "type": "Action.Submit",
            "title": form.submit_label,
            "style": "positive",
            "data": {
                KEY: {
                    "form": form.form_id,
                    "state": form.state,
                    "o": origin,
                    "f": form_spec(form, lite=lite),
                }
            },
        }
        body = _form_body(form, values, errors, title_limit, value_limit)
        return _card(body, form.title, [submit])

    card = build(False, None, None)
    for lite, title_limit in ((True, None), (True, 150), (True, 80), (True, 40)):
        if size(card) <= CARD_BUDGET:
            return card
        card = build(lite, title_limit, None)
    value_limit = LONG_TEXT_MAX
    while size(card) > CARD_BUDGET and value_limit > 100:
        value_limit = int(value_limit * 0.8)
        card = build(True, 40, value_limit)
    return card


def errors_message(form: Form | None, errors: dict[str, str]) -> Message:
    """The errors as a message of their own, for when the card can't be shown again (its
    copy of the form was too big to carry): the card keeps what was typed, to correct."""
    labels = {f.name: f.label for f in form.fields} if form else {}
    title = form.title if form else ""
    pairs = tuple((labels.get(name, name), error) for name, error in errors.items())
    return Message(
        title or pairs[0][1], (Section(title), Facts(pairs)) if title else (Facts(pairs),)
    )


def activity(card: dict[str, Any], summary: str) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        summary=_cut(summary, 200),
        attachments=[Attachment(content_type=CONTENT_TYPE, content=card)],
    )
