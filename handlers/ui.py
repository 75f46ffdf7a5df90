"""The neutral message model: what handlers say, before any edge renders it.

Edges (Block Kit, Adaptive Cards, the console) render these; handlers never see a
platform type. Kept deliberately small: text, facts, buttons, and forms of typed fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any


class Style(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str  # e.g. "weekly.answer"; the edge routes it back to the handler
    value: str  # opaque to the edge; the handler re-checks it against the roster
    style: Style = Style.DEFAULT


@dataclass(frozen=True, slots=True)
class Section:
    text: str
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """Label: value pairs (a record's fields, a digest row)."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Actions:
    buttons: tuple[Button, ...]


Block = Section | Facts | Actions


@dataclass(frozen=True, slots=True)
class Message:
    """A message as the person will read it. `text` is the notification/fallback line."""

    text: str
    blocks: tuple[Block, ...] = ()

    def without_buttons(self) -> Message:
        return Message(self.text, tuple(b for b in self.blocks if not isinstance(b, Actions)))


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str
    description: str = ""


class FieldKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    NUMBER = "number"
    CHOICE = "choice"  # one of a few, shown expanded (radio buttons)
    SELECT = "select"  # one of many (a dropdown)
    MULTI_SELECT = "multi_select"


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    label: str
    kind: FieldKind
    required: bool = True
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()
    initial: str | None = None
    hint: str | None = None
    min_value: int | None = None
    max_value: int | None = None
    # For dates: "past" (today or before) or "future" (today or after).
    date_rule: str | None = None
    # Asked only once the named field has an answer, where a form is asked one field at a
    # time (the console): a second new target after a first. Forms shown whole ignore it.
    shown_if: str | None = None


@dataclass(frozen=True, slots=True)
class Form:
    """A form to fill in (a Slack modal, an Adaptive Card, console questions).

    `form_id` routes the submission back; `state` is echoed back untouched and is
    re-validated by the handler (it comes back through the user's client).
    """

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Submit"
    intro: str | None = None
    state: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reply:
    """What a handler answers to one interaction; edges do each part that is set.

    - message: said to the person who acted (in their DM / ephemerally);
    - replace_original: the message that held the pressed button, replaced in place;
    - open_form: a form to show now;
    - form_errors: the submitted form stays open with these messages by field;
    - close_form: the submitted form is finished;
    - nothing_changed: the submission changed nothing (the week was signed off already,
      the review recorded already): its message only answers the form, so an edge shows
      it where the form was (Slack: in the modal) rather than as a message to keep.
    """

    message: Message | None = None
    replace_original: Message | None = None
    open_form: Form | None = None
    form_errors: dict[str, str] | None = None
    close_form: bool = False
    nothing_changed: bool = False


@lru_cache(maxsize=4096)
def date_text(d: date) -> str:
    # Kept: a sweep writes the same few dates into tens of thousands of messages, and
    # strftime costs more than the rest of a prompt.
    return d.strftime("%a %-d %b %Y")


def shorten(text: str, limit: int) -> str:
    """Long stored text, cut with an ellipsis where it is displayed (never where stored)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
