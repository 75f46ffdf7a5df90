"""Neutral messages and forms to Block Kit, through slack_sdk.models so Slack's limits are
checked here rather than discovered as an `invalid_blocks` error from the API."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from handlers.text import t
from handlers.ui import Actions, Choice, Facts, FieldKind, Form, FormField, Message, Section, Style

# Block Kit limits (https://api.slack.com/reference/block-kit).
SECTION_TEXT = 3000
FIELD_TEXT = 2000
HEADER_TEXT = 150
OPTION_TEXT = 75
BUTTON_TEXT = 75
MODAL_TITLE = 24
LABEL_TEXT = 2000
MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def escape(text: str) -> str:
    """Slack's three control characters; stops user text from pinging @channel or linking."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message_blocks(message: Message) -> list[dict[str, Any]]:
    blocks: list[Block] = []
    for part in message.blocks:
        if isinstance(part, Section):
            if part.heading:
                blocks.append(
                    HeaderBlock(text=PlainTextObject(text=cut(part.heading, HEADER_TEXT)))
                )
            blocks.append(
                SectionBlock(text=MarkdownTextObject(text=cut(escape(part.text), SECTION_TEXT)))
            )
        elif isinstance(part, Facts):
            blocks.extend(_facts(part))
        elif isinstance(part, Actions):
            blocks.append(
                ActionsBlock(
                    elements=[_button(b.label, b.action, b.value, b.style) for b in part.buttons]
                )
            )
    if len(blocks) > MESSAGE_BLOCKS:
        more = ContextBlock(elements=[PlainTextObject(text="… more in /mentor status")])
        blocks = [*blocks[: MESSAGE_BLOCKS - 1], more]
    return [b.to_dict() for b in blocks]


def _facts(facts: Facts) -> list[Block]:
    fields = [
        MarkdownTextObject(text=cut(f"*{escape(label)}*\n{escape(value) or '–'}", FIELD_TEXT))
        for label, value in facts.pairs
    ]
    # A section holds at most 10 fields.
    return [SectionBlock(fields=fields[i : i + 10]) for i in range(0, len(fields), 10)]


def _button(label: str, action: str, value: str, style: Style) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=cut(label, BUTTON_TEXT)),
        action_id=action,
        value=value,
        style=None if style is Style.DEFAULT else style.value,
    )


def _options(choices: tuple[Choice, ...]) -> list[Option]:
    return [
        Option(
            value=c.value,
            text=PlainTextObject(text=cut(c.label, OPTION_TEXT)),
            description=PlainTextObject(text=cut(c.description, OPTION_TEXT))
            if c.description
            else None,
        )
        for c in choices
    ]


def _element(f: FormField) -> Any:
    options = _options(f.choices)
    initial = next(
        (o for o, c in zip(options, f.choices, strict=True) if c.value == f.initial), None
    )
    match f.kind:
        case FieldKind.TEXT | FieldKind.LONG_TEXT:
            return PlainTextInputElement(
                action_id=f.name,
                multiline=f.kind is FieldKind.LONG_TEXT,
                initial_value=f.initial,
                # Slack would stop the user typing more; we ask for one more character than
                # allowed so that an over-long paste reaches us and gets a clear message.
                max_length=min((f.max_length or 3000) + 1, 3000),
            )
        case FieldKind.DATE:
            return DatePickerElement(action_id=f.name, initial_date=f.initial)
        case FieldKind.NUMBER:
            return NumberInputElement(
                action_id=f.name,
                is_decimal_allowed=False,
                initial_value=f.initial,
                min_value=f.min_value,
                max_value=f.max_value,
            )
        case FieldKind.CHOICE:
            return RadioButtonsElement(action_id=f.name, options=options, initial_option=initial)
        case FieldKind.SELECT:
            return StaticSelectElement(action_id=f.name, options=options, initial_option=initial)
        case FieldKind.MULTI_SELECT:
            return CheckboxesElement(action_id=f.name, options=options)
    raise ValueError(f"no Slack element for {f.kind}")


def modal(form: Form, origin: tuple[str, str] | None = None) -> dict[str, Any]:
    """A modal for a form; the route back (form id, state, original message) rides along
    in private_metadata, which Slack returns untouched and the handler re-checks."""
    blocks: list[Block] = []
    if form.intro:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=cut(escape(form.intro), SECTION_TEXT)))
        )
    for f in form.fields:
        blocks.append(
            InputBlock(
                block_id=f.name,
                label=PlainTextObject(text=cut(f.label, LABEL_TEXT)),
                element=_element(f),
                optional=not f.required,
            )
        )
    metadata = json.dumps(
        {"s": form.state, "o": list(origin) if origin else None}, separators=(",", ":")
    )
    view = View(
        type="modal",
        callback_id=form.form_id,
        title=PlainTextObject(text=cut(form.title, MODAL_TITLE)),
        submit=PlainTextObject(text=cut(form.submit_label, MODAL_TITLE)),
        close=PlainTextObject(text="Cancel"),
        blocks=blocks[:MODAL_BLOCKS],
        private_metadata=metadata,
    )
    return view.to_dict()


def home_view(message: Message) -> dict[str, Any]:
    return View(type="home", blocks=message_blocks(message)[:MODAL_BLOCKS]).to_dict()


def form_values(state_values: dict[str, Any]) -> dict[str, Any]:
    """view.state.values to {field: value}, whatever the element type."""
    values: dict[str, Any] = {}
    for block_id, actions in state_values.items():
        if not isinstance(actions, dict):
            continue
        for element in actions.values():
            if not isinstance(element, dict):
                continue
            values[str(block_id)] = _element_value(element)
    return values


def _element_value(element: dict[str, Any]) -> Any:
    kind = element.get("type")
    if kind == "datepicker":
        return element.get("selected_date")
    if kind in ("radio_buttons", "static_select"):
        selected = element.get("selected_option") or {}
        return selected.get("value") if isinstance(selected, dict) else None
    if kind in ("checkboxes", "multi_static_select"):
        return [
            o.get("value") for o in element.get("selected_options") or [] if isinstance(o, dict)
        ]
    return element.get("value")


def read_metadata(raw: str) -> tuple[dict[str, Any], tuple[str, str] | None]:
    data = json.loads(raw or "{}")
    if not isinstance(data, dict):
        raise ValueError("private_metadata is not an object")
    state = data.get("s") or {}
    origin = data.get("o")
    if not isinstance(state, dict):
        raise ValueError("state is not an object")
    if origin is not None and not (isinstance(origin, list) and len(origin) == 2):
        raise ValueError("origin is malformed")
    return state, (str(origin[0]), str(origin[1])) if origin else None


def saving_view() -> dict[str, Any]:
    """Shown when a submission takes longer than Slack waits; the result follows as a DM."""
    text = t("saving")
    return View(
        type="modal",
        title=PlainTextObject(text="Saving"),
        close=PlainTextObject(text="Close"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=text))],
    ).to_dict()
