"""The stages of staged support, as data: the defaults below, overridden by the policy
(scheduler/policy.py `[[support_stages]]`), which the composition root hands over with
`configure` (handlers never import the scheduler)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.enums import Role


@dataclass(frozen=True, slots=True)
class Stage:
    code: str  # stored on each stage row
    review_days: int  # the review date is this many days after the stage starts
    led_by: Role  # LEAD_MENTOR or ITT_LEAD
    tell: frozenset[Role]  # who is told when the stage opens (the leader always is)
    label: str | None = None  # the policy's own name for a stage the strings do not know


DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage("support_plan", 14, Role.LEAD_MENTOR, frozenset({Role.TRAINEE, Role.MENTOR})),
    Stage(
        "cause_for_concern",
        21,
        Role.ITT_LEAD,
        frozenset({Role.TRAINEE, Role.MENTOR, Role.LEAD_MENTOR}),
    ),
    Stage("panel", 14, Role.ITT_LEAD, frozenset({Role.TRAINEE, Role.MENTOR, Role.LEAD_MENTOR})),
)

_stages: tuple[Stage, ...] = DEFAULT_STAGES


def configure(stages: tuple[Stage, ...] | None) -> None:
    """Set by the composition root from the policy; None: the defaults."""
    global _stages
    _stages = stages or DEFAULT_STAGES


def current() -> tuple[Stage, ...]:
    return _stages


def first() -> Stage:
    return _stages[0]


def at(position: int) -> Stage | None:
    """The stage at a plan's position (1-based); None past the last."""
    return _stages[position - 1] if 1 <= position <= len(_stages) else None


def by_code(code: str) -> Stage | None:
    return next((s for s in _stages if s.code == code), None)
