"""Neutral messages and forms to Block Kit, through slack_sdk.models so Slack's limits are
checked here rather than discovered as an `invalid_blocks` error from the API."""

from __future__ import annotations

import functools
import json
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
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
    StaticMultiSelectElement,
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
CHECKBOXES_MAX = 10  # Slack's limit on a checkboxes element's options
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
        case FieldKind.MULTI_SELECT if len(options) > CHECKBOXES_MAX:
            # A framework's strands (or two frameworks' for one mentor) can be more than
            # Slack's checkboxes take: a multi-select menu takes up to 100.
            return StaticMultiSelectElement(action_id=f.name, options=options)
        case FieldKind.MULTI_SELECT:
            return CheckboxesElement(action_id=f.name, options=options)
    raise ValueError(f"no Slack element for {f.kind}")


def modal(form: Form, origin: tuple[str, str] | None = None) -> dict[str, Any]:
    """A modal for a form; the route back (form id, state, original message) rides along
    in private_metadata, which Slack returns untouched and the handler re-checks."""
    metadata = json.dumps(
        {"s": form.state, "o": list(origin) if origin else None}, separators=(",", ":")
    )
    if len(metadata) > View.private_metadata_max_length:  # the one part not cached below
        raise SlackObjectFormationError("private_metadata cannot exceed 3000 characters")
    shown = _modal_without_route(
        form.form_id, form.title, form.submit_label, form.intro, form.fields
    )
    return {**shown, "private_metadata": metadata}


@functools.lru_cache(maxsize=512)
def _modal_without_route(
    form_id: str,
    title: str,
    submit_label: str,
    intro: str | None,
    fields: tuple[FormField, ...],
) -> dict[str, Any]:
    """Everything a modal shows, built through slack_sdk's models (so Slack's limits are
    checked) once per wording: a form opened again (the same week's meeting, a busy
    minute's presses) costs a dictionary copy, not the ~1 ms the models take. Shared
    between answers: never changed after it is made."""
    blocks: list[Block] = []
    if intro:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=cut(escape(intro), SECTION_TEXT))))
    for f in fields:
        blocks.append(
            InputBlock(
                block_id=f.name,
                label=PlainTextObject(text=cut(f.label, LABEL_TEXT)),
                element=_element(f),
                optional=not f.required,
            )
        )
    view = View(
        type="modal",
        callback_id=form_id,
        title=PlainTextObject(text=cut(title, MODAL_TITLE)),
        submit=PlainTextObject(text=cut(submit_label, MODAL_TITLE)),
        close=PlainTextObject(text="Cancel"),
        blocks=blocks[:MODAL_BLOCKS],
    )
    return view.to_dict()


def home_view(message: Message) -> dict[str, Any]:
    # A home tab needs at least one block; a plain-text message (e.g. "not on the roster")
    # is shown as a section of its own text.
    blocks = message_blocks(message) or message_blocks(
        Message(message.text, (Section(message.text),))
    )
    return View(type="home", blocks=blocks[:MODAL_BLOCKS]).to_dict()


def form_values(state_values: Any) -> dict[str, Any]:
    """view.state.values to {field: value}, whatever the element type.

    Total: Slack's shapes give values, anything else a ValueError naming what was wrong
    (never the typed text), so a malformed submission is refused, not half-read.
    """
    if not isinstance(state_values, dict):
        raise ValueError("state values are not an object")
    values: dict[str, Any] = {}
    for block_id, actions in state_values.items():
        if not isinstance(actions, dict):
            raise ValueError("a block's state is not an object")
        for element in actions.values():
            values[str(block_id)] = _element_value(element)
    return values


def _element_value(element: Any) -> str | list[str] | None:
    if not isinstance(element, dict):
        raise ValueError("an element's state is not an object")
    kind = element.get("type")
    if kind == "datepicker":
        return _text_or_none(element.get("selected_date"))
    if kind in ("radio_buttons", "static_select"):
        selected = element.get("selected_option")
        return None if selected is None else _option_value(selected)
    if kind in ("checkboxes", "multi_static_select"):
        selected = element.get("selected_options")
        if selected is None:
            return []
        if not isinstance(selected, list):
            raise ValueError("selected options are not a list")
        return [_option_value(option) for option in selected]
    return _text_or_none(element.get("value"))


def _option_value(option: Any) -> str:
    if not isinstance(option, dict) or not isinstance(option.get("value"), str):
        raise ValueError("a selected option has no text value")
    return str(option["value"])


def _text_or_none(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError("an answer is not text")
    return value


def read_metadata(raw: str) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """The route back a modal carries: (form state, original message). Total, like
    form_values: anything but what `modal` wrote is a ValueError."""
    try:
        data = json.loads(raw or "{}")
    except RecursionError as exc:  # deeply nested JSON; a ValueError otherwise
        raise ValueError("private_metadata is nested too deeply") from exc
    if not isinstance(data, dict):
        raise ValueError("private_metadata is not an object")
    state = data.get("s") or {}
    origin = data.get("o")
    if not isinstance(state, dict):
        raise ValueError("state is not an object")
    if origin is None:
        return state, None
    if not (isinstance(origin, list) and len(origin) == 2):
        raise ValueError("origin is malformed")
    if not all(isinstance(part, str) for part in origin):
        raise ValueError("origin is not a channel and a message timestamp")
    return state, (origin[0], origin[1])


def saving_view() -> dict[str, Any]:
    """Shown when a submission takes longer than Slack waits; the result follows as a DM.
    (Made once per wording: under load it is the answer to many submissions a second.)"""
    return _saving_view(t("saving"))


@functools.lru_cache(maxsize=4)
def _saving_view(text: str) -> dict[str, Any]:
    return View(
        type="modal",
        title=PlainTextObject(text="Saving"),
        close=PlainTextObject(text="Close"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=text))],
    ).to_dict()


def answer_view(submitted: dict[str, Any], message: Message) -> dict[str, Any]:
    """The submitted modal replaced by the answer to it ("already signed off"), under
    the form's own title, with nothing left to submit."""
    title = (submitted.get("title") or {}).get("text")
    blocks = message_blocks(message) or _text_blocks(message.text)
    return View(
        type="modal",
        title=PlainTextObject(
            text=cut(title if isinstance(title, str) else "mentorbot", MODAL_TITLE)
        ),
        close=PlainTextObject(text="Close"),
        blocks=blocks[:MODAL_BLOCKS],
    ).to_dict()


def _text_blocks(text: str) -> list[dict[str, Any]]:
    return message_blocks(Message(text, (Section(text),)))


def sorry_view() -> dict[str, Any]:
    """Replaces a modal whose submission failed before it could be answered."""
    return View(
        type="modal",
        title=PlainTextObject(text="Sorry"),
        close=PlainTextObject(text="Close"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=t("sorry")))],
    ).to_dict()
