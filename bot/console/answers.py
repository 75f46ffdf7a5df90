"""Where a console form's answers come from: a person at a terminal (or piped lines), or
the demo's script; and what typed text means as the value a platform would submit."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import IO, Any, Protocol

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from bot.console import render
from handlers.ui import Choice, FieldKind, Form, FormField

_CODE = re.compile(r"[A-Z]+[0-9][0-9.]*|PART2")


class Screen(Protocol):
    """Where questions and notes are shown (the console session)."""

    def print(self, *objects: Any) -> None: ...

    def note(self, text: str, style: str = "dim") -> None: ...


class EndOfInput(Exception):
    """Standard input ended (Ctrl-D, or the end of a piped script)."""


class Answers(Protocol):
    """Where a form's answers come from: a person at a terminal, or the demo's script."""

    async def ask(
        self,
        screen: Screen,
        form: Form,
        fields: Sequence[FormField],
        errors: Mapping[str, str],
    ) -> dict[str, str] | None:
        """The typed text for each of `fields`; None when the form is abandoned."""
        ...


def typed_value(spec: FormField, typed: str, today: date) -> Any:
    """What the person typed, as the value a platform would submit for this field.

    Only the console's conveniences are applied here (a choice's number, "today"); whether
    the value is acceptable is for the handler to say."""
    text = typed.strip()
    if not text and spec.initial not in (None, ""):
        text = str(spec.initial)
    if spec.kind is FieldKind.MULTI_SELECT:
        tokens: list[str] = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            value = render.choice_value(spec.choices, part)
            if value == part and " " in part:  # "TS2 TS4": several codes without commas
                tokens.extend(render.choice_value(spec.choices, p) for p in part.split())
            else:
                tokens.append(value)
        return tokens
    if spec.kind in (FieldKind.CHOICE, FieldKind.SELECT):
        return render.choice_value(spec.choices, text) if text else ""
    if spec.kind is FieldKind.DATE:
        relative = {"today": 0, "yesterday": -1, "tomorrow": 1}.get(text.lower())
        if relative is not None:
            return (today + timedelta(days=relative)).isoformat()
    return text


def _short_label(label: str) -> str:
    """ "TS7: Manage behaviour effectively …" as "TS7" in a one-line summary of answers."""
    code, sep, _rest = label.partition(": ")
    return code if sep and _CODE.fullmatch(code) else label


class LineReader:
    """Lines from standard input. At a terminal the prompt is shown and line editing works;
    when piped, each line read is echoed after its prompt so the transcript reads as typed.

    Reading blocks the event loop on purpose: a console session has nothing else to run
    while it waits for the person."""

    def __init__(self, console: Console, stream: IO[str] | None = None) -> None:
        self.console = console
        self.stream = stream

    def read(self, prompt: str) -> str | None:
        stream = self.stream if self.stream is not None else sys.stdin
        if stream.isatty():
            try:
                return self.console.input(Text(prompt, style="bold"))
            except EOFError:
                self.console.print()
                return None
        line = stream.readline()
        if not line:
            return None
        line = line.rstrip("\r\n")
        self.console.print(Text(prompt, style="bold") + Text(line))
        return line


class TerminalAnswers:
    """A form asked field by field at the terminal (or from piped lines)."""

    def __init__(self, reader: LineReader) -> None:
        self.reader = reader

    async def ask(
        self,
        screen: Screen,
        form: Form,
        fields: Sequence[FormField],
        errors: Mapping[str, str],
    ) -> dict[str, str] | None:
        out: dict[str, str] = {}
        previous: tuple[Choice, ...] = ()
        asked = {f.name for f in fields}
        for spec in fields:
            if spec.shown_if in asked and not out.get(spec.shown_if):
                continue  # it follows an optional field left empty
            compact = bool(spec.choices) and spec.choices == previous
            previous = spec.choices
            screen.print(render.field_question(spec, errors.get(spec.name), compact=compact))
            line = self.reader.read("  > ")
            if line is None:
                raise EndOfInput()
            if line.strip().lower() in ("/cancel", "/quit"):
                return None
            out[spec.name] = line.strip()
        return out


class ScriptedAnswers:
    """The demo's answers: one value per field, or a list of tries (a wrong one first shows
    the handler refusing it). Printed as the person would have typed them."""

    def __init__(self, values: Mapping[str, str | Sequence[str]]) -> None:
        self.tries: dict[str, list[str]] = {
            name: [value] if isinstance(value, str) else list(value)
            for name, value in values.items()
        }

    def _tries(self, name: str) -> list[str]:
        """A field's tries; a field named by a record's id ("review_12") takes the
        script's answer for all of its kind ("review_*")."""
        if name in self.tries:
            return self.tries[name]
        head, _, tail = name.rpartition("_")
        return self.tries.get(f"{head}_*", [""]) if tail.isdigit() else [""]

    async def ask(
        self,
        screen: Screen,
        form: Form,
        fields: Sequence[FormField],
        errors: Mapping[str, str],
    ) -> dict[str, str] | None:
        out: dict[str, str] = {}
        line = Text(style="dim")
        for spec in fields:
            tries = self._tries(spec.name)
            if spec.name in errors:
                if len(tries) <= 1:
                    return None  # nothing else to try: the form is abandoned
                tries.pop(0)
                screen.note(f"    ✖ {spec.label}: {errors[spec.name]}", "bold red")
            out[spec.name] = tries[0]
            if not tries[0] and not spec.required:
                continue  # an optional field left empty
            if line:
                line.append(" · ")
            line.append(f"{_short_label(spec.label)}: ", style="bold")
            line.append(render.shown_answer(spec, tries[0]))
        screen.print(Padding(line, (0, 0, 0, 4), expand=False))
        return out
