"""Neutral messages and forms as terminal text: cards as rich panels, buttons numbered.

Everything the person wrote is put on screen as rich `Text`, never as markup, so a comment
with square brackets in it is shown as typed. RAG keeps its word and shape from the
handlers; colour is only ever added on top (and is off when the output is not a terminal).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import IO

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from handlers.ui import Actions, Button, Choice, Facts, FieldKind, Form, FormField, Message, Section
from handlers.ui import Style as ButtonStyle

_URL = re.compile(r"https?://[^\s<>\"]+")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
BUTTON_STYLE = {
    ButtonStyle.PRIMARY: "bold green",
    ButtonStyle.DANGER: "bold red",
    ButtonStyle.DEFAULT: "bold",
}


def make_console(file: IO[str] | None = None) -> Console:
    """Colour on a terminal; plain text (no escape codes at all) when piped or captured."""
    stream = file if file is not None else sys.stdout
    tty = stream.isatty()
    return Console(
        file=file,
        highlight=False,
        emoji=False,
        markup=False,
        color_system="auto" if tty else None,
        soft_wrap=False,
    )


def rich_text(text: str, style: str = "") -> Text:
    """Handler text (Slack-style *bold*) as rich Text, without interpreting any markup.
    A web address stays one link where the terminal can show links (a report link is
    longer than a line, and a wrapped address cannot be copied whole)."""
    out = Text(style=style)
    last = 0
    for match in _BOLD.finditer(text):
        out.append(text[last : match.start()])
        out.append(match.group(1), style="bold")
        last = match.end()
    out.append(text[last:])
    for url in _URL.finditer(out.plain):
        out.stylize(f"link {url.group()}", url.start(), url.end())
    return out


def buttons_of(message: Message) -> list[Button]:
    """Every button of a message, in reading order: [1] is the first."""
    return [b for block in message.blocks if isinstance(block, Actions) for b in block.buttons]


def _buttons_line(buttons: Sequence[Button], first: int, numbered: bool) -> Text:
    line = Text()
    for i, button in enumerate(buttons):
        if i:
            line.append("  ")
        label = f"[{first + i}] {button.label}" if numbered else f"[{button.label}]"
        line.append(label, style=BUTTON_STYLE.get(button.style, "bold"))
    return line


def _facts(facts: Facts) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=False, max_width=36)
    table.add_column(ratio=1)
    for label, value in facts.pairs:
        table.add_row(Text(label + ":"), Text(value or "–"))
    return table


def message_body(message: Message, *, numbered: bool = True) -> Group:
    parts: list[RenderableType] = []
    number = 1
    for block in message.blocks:
        if isinstance(block, Section):
            if block.heading:
                parts.append(Text(block.heading, style="bold underline"))
            if block.text != block.heading:
                parts.append(rich_text(block.text))
        elif isinstance(block, Facts):
            parts.append(_facts(block))
        elif isinstance(block, Actions):
            parts.append(_buttons_line(block.buttons, number, numbered))
            number += len(block.buttons)
    if not parts:
        parts.append(rich_text(message.text))
    return Group(*parts)


def card(
    message: Message,
    *,
    title: str,
    subtitle: str | None = None,
    numbered: bool = True,
    border: str = "cyan",
    footer: str | None = None,
) -> Panel:
    body = message_body(message, numbered=numbered)
    if footer:
        body = Group(*body.renderables, Text(footer, style="dim"))
    return Panel(
        body,
        title=Text(title, style="bold"),
        title_align="left",
        subtitle=Text(subtitle) if subtitle else None,
        subtitle_align="right",
        border_style=border,
        expand=True,
        padding=(0, 1),
    )


# --- forms ---------------------------------------------------------------------------------


def form_heading(form: Form) -> Text:
    heading = Text(f"✎ {form.title}", style="bold magenta")
    if form.intro:
        heading.append(" – ")
        heading.append(form.intro, style="")
    return heading


def _compact_choices(spec: FormField) -> Text:
    out = Text("    ")
    for i, choice in enumerate(spec.choices, start=1):
        out.append(f"{i}. ", style="bold")
        out.append(choice.label + ("  " if i < len(spec.choices) else ""))
    return out


def _choices(spec: FormField) -> Text:
    out = Text()
    for i, choice in enumerate(spec.choices, start=1):
        out.append(f"    {i}. ", style="bold")
        out.append(choice.label)
        if choice.description:
            out.append(f" – {choice.description}", style="dim")
        if i < len(spec.choices):
            out.append("\n")
    return out


def field_hint(spec: FormField) -> str:
    if spec.kind is FieldKind.DATE:
        rule = {"past": ", today or earlier", "future": ", today or later"}.get(
            spec.date_rule or "", ""
        )
        hint = f"YYYY-MM-DD or “today”{rule}"
    elif spec.kind is FieldKind.NUMBER:
        low, high = spec.min_value, spec.max_value
        hint = f"a number {low}–{high}" if low is not None and high is not None else "a number"
    elif spec.kind in (FieldKind.CHOICE, FieldKind.SELECT):
        hint = f"1–{len(spec.choices)}"
    elif spec.kind is FieldKind.MULTI_SELECT:
        hint = "numbers or codes, separated by commas"
    else:
        hint = ""
    extras = [h for h in (hint, spec.hint or "") if h]
    if not spec.required:
        extras.append("optional, Enter to skip")
    if spec.initial not in (None, ""):
        extras.append(f"Enter keeps {_initial_label(spec)}")
    return "; ".join(extras)


def _initial_label(spec: FormField) -> str:
    for choice in spec.choices:
        if choice.value == spec.initial:
            return choice.label
    return str(spec.initial)


def field_question(spec: FormField, error: str | None, *, compact: bool = False) -> Group:
    """What the console shows before reading one field's answer; `compact` lists the
    choices on one line (the same choices as the question before, already explained)."""
    parts: list[RenderableType] = []
    if error:
        parts.append(Text(f"  ✖ {error}", style="bold red"))
    label = Text(f"  {spec.label}", style="bold")
    hint = field_hint(spec)
    if hint:
        label.append(f" ({hint})", style="dim")
    parts.append(label)
    if spec.choices:
        parts.append(_compact_choices(spec) if compact else _choices(spec))
    return Group(*parts)


def shown_answer(spec: FormField, typed: str) -> str:
    """A typed answer as the person meant it: a choice's number shown as its label."""
    if spec.choices:
        labels = []
        for token in [p.strip() for p in typed.split(",")] if typed else []:
            found = _choice(spec.choices, token)
            labels.append(found.label if found else token)
        return ", ".join(labels) if labels else "–"
    return typed if typed else "–"


def _choice(choices: Sequence[Choice], token: str) -> Choice | None:
    if token.isdigit() and 1 <= int(token) <= len(choices):
        return choices[int(token) - 1]
    lowered = token.strip().lower()
    for choice in choices:
        if lowered in (choice.value.lower(), choice.label.lower()):
            return choice
    # A label typed without its RAG shape ("Green" for "✔ Green").
    for choice in choices:
        if choice.label.lower().split(" ", 1)[-1] == lowered:
            return choice
    return None


def choice_value(choices: Sequence[Choice], token: str) -> str:
    """A typed number, value or label as the choice's value; anything else unchanged,
    so that the handler's own check rejects it with its own message."""
    found = _choice(choices, token)
    return found.value if found else token.strip()
