"""What comes back from one of our cards: a button press or a form's inputs (see render).

A message activity's `value` is whatever the client (or anyone, in anonymous mode) put
there, so anything but the shapes our cards produce is refused here, before a handler
sees it: the data under our key must be a press or a form. An input whose value is not
what an Adaptive Card input gives (text, a number, a toggle, or a list of those) is left
out, as if empty: the handler then says what is missing, like for any other mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KEY = "mb"
SCALARS = (str, int, float, bool)


@dataclass(frozen=True, slots=True)
class CardPress:
    action: str
    value: str


@dataclass(frozen=True, slots=True)
class CardSubmit:
    form_id: str
    values: dict[str, Any]
    state: dict[str, Any]
    origin: str | None
    spec: Any


def read_value(value: Any) -> CardPress | CardSubmit:
    """A message activity's `value` (from one of our cards) to what was done; ValueError
    for anything else."""
    if not isinstance(value, dict) or not isinstance(value.get(KEY), dict):
        raise ValueError("not one of our cards")
    data = value[KEY]
    if "action" in data:
        action, pressed = data.get("action"), data.get("value", "")
        if not isinstance(action, str) or not isinstance(pressed, str):
            raise ValueError("button data is malformed")
        return CardPress(action, pressed)
    form_id, state, origin = data.get("form"), data.get("state") or {}, data.get("o")
    if not isinstance(form_id, str) or not isinstance(state, dict):
        raise ValueError("form data is malformed")
    if origin is not None and not isinstance(origin, str):
        raise ValueError("origin is malformed")
    values = {k: _number(v) for k, v in value.items() if k != KEY and _is_input(v)}
    return CardSubmit(form_id, values, state, origin, data.get("f"))


def _is_input(value: Any) -> bool:
    if value is None or isinstance(value, SCALARS):
        return True
    return isinstance(value, list) and all(isinstance(v, SCALARS) for v in value)


def _number(value: Any) -> Any:
    if isinstance(value, list):
        return [_number(v) for v in value]
    # Some clients send Input.Number as a JSON number (60.0); the handlers read digits.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value
