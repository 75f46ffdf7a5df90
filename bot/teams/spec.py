"""A form's compact copy carried on its card, so that Teams (which has no modals) can show
the same form again with error messages. It comes back through the user's client, so it
is read strictly: anything but what `form_spec` wrote is a ValueError."""

from __future__ import annotations

from typing import Any

from handlers.ui import Choice, FieldKind, Form, FormField


def form_spec(form: Form, *, lite: bool = False) -> dict[str, Any]:
    """The form without its initial values: enough to show it again with errors. A lite
    spec (for a form too big to carry twice) has no choices: enough to name the fields."""
    return {
        "lite": lite,
        "t": form.title,
        "i": form.intro,
        "s": form.submit_label,
        "fields": [
            {
                "n": f.name,
                "l": f.label,
                "k": f.kind.value,
                "r": f.required,
                "m": f.max_length,
                "h": f.hint,
                "lo": f.min_value,
                "hi": f.max_value,
                "c": [] if lite else [[c.value, c.label, c.description] for c in f.choices],
            }
            for f in form.fields
        ],
    }


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


def _opt_int(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("expected an integer")
    return value


def form_from_spec(form_id: str, spec: Any, state: dict[str, Any]) -> Form:
    if not isinstance(spec, dict) or not isinstance(spec.get("fields"), list):
        raise ValueError("form spec is malformed")
    fields = []
    for raw in spec["fields"]:
        if not isinstance(raw, dict):
            raise ValueError("field spec is malformed")
        choices = raw.get("c") or []
        if not isinstance(choices, list) or not all(
            isinstance(c, list) and len(c) == 3 and all(isinstance(x, str) for x in c)
            for c in choices
        ):
            raise ValueError("choices are malformed")
        fields.append(
            FormField(
                name=str(_opt_str(raw.get("n")) or ""),
                label=str(_opt_str(raw.get("l")) or ""),
                kind=FieldKind(str(raw.get("k"))),
                required=bool(raw.get("r", True)),
                max_length=_opt_int(raw.get("m")),
                choices=tuple(Choice(*c) for c in choices),
                hint=_opt_str(raw.get("h")),
                min_value=_opt_int(raw.get("lo")),
                max_value=_opt_int(raw.get("hi")),
            )
        )
    return Form(
        form_id,
        str(_opt_str(spec.get("t")) or ""),
        tuple(fields),
        submit_label=str(_opt_str(spec.get("s")) or "Submit"),
        intro=_opt_str(spec.get("i")),
        state=state,
    )


def is_lite(spec: Any) -> bool:
    return isinstance(spec, dict) and bool(spec.get("lite"))
