"""The scheduling policy: data the admin edits (a TOML file), with DESIGN.md's defaults.

An invalid file is refused with the line that is wrong, so `mentorbot serve` never starts
on a policy it would misread.
"""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from handlers.support import stages as staging
from scheduler.evaluation_policy import EvaluationPolicy
from storage.enums import Role
from storage.reports.quality_records import Thresholds

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and line."""


class Slot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: str
    time: time

    @field_validator("day")
    @classmethod
    def _day(cls, value: str) -> str:
        if value.lower() not in DAYS:
            raise ValueError(f"day must be one of {', '.join(DAYS)}")
        return value.lower()

    @property
    def weekday(self) -> int:
        return DAYS.index(self.day)


class OffTrackRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    missed_weeks: int = Field(
        2, ge=1, le=10, description="consecutive teaching weeks without a signed-off meeting"
    )
    # Any value the programme's framework marks off track (Red on the Teachers' Standards,
    # "not yet" on the ITTECF scale) at the latest review point; the key keeps its old name.
    red_at_review_point: bool = True
    concern_escalates: bool = True
    missing_ratings_days: int = Field(
        7, ge=1, le=60, description="days after a review point with ratings missing"
    )
    target_not_met_times: int = Field(
        3, ge=0, le=20, description="reviews in a row a target was not met (0: off)"
    )


class EscalationRoute(BaseModel):
    """Where an alert goes at one level: the channel chosen for that level (`use this
    channel for escalations`, or `... for level 2 escalations`) and/or named people by
    direct message (e-mail addresses on the roster). With neither available, every ITT
    lead gets it by direct message."""

    model_config = ConfigDict(extra="forbid")

    channel: bool = True
    people: list[str] = Field(default_factory=list)

    @field_validator("people")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        cleaned = [e.strip().lower() for e in value]
        bad = [e for e in cleaned if "@" not in e or " " in e]
        if bad:
            raise ValueError(f"not an e-mail address: {bad[0]!r}")
        return cleaned


RECORD_KINDS = (
    "meetings",
    "observations",
    "ratings",
    "concerns",
    "escalations",
    "support_plans",
    "qa_forms",
    "evaluations",
)
# Kinds renamed since: a policy file written for an earlier version still reads.
OLD_KIND_NAMES = {"recovery_plans": "support_plans"}


class SupportStage(BaseModel):
    """One stage of staged support: its code (stored on the plan), how many days until
    its review, who leads it (lead_mentor or itt_lead), who else is told when it opens,
    and (for a stage of the provider's own) its name."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    review_days: int = Field(ge=1, le=120)
    led_by: str
    tell: list[str] = Field(default_factory=list)
    label: str | None = Field(None, max_length=60)

    @field_validator("led_by")
    @classmethod
    def _leader(cls, value: str) -> str:
        if value not in (Role.LEAD_MENTOR, Role.ITT_LEAD):
            raise ValueError("led_by must be lead_mentor or itt_lead")
        return value

    @field_validator("tell")
    @classmethod
    def _told(cls, value: list[str]) -> list[str]:
        allowed = (Role.TRAINEE, Role.MENTOR, Role.LEAD_MENTOR, Role.ITT_LEAD)
        bad = [v for v in value if v not in allowed]
        if bad:
            raise ValueError(f"no role {bad[0]!r} (one of {', '.join(allowed)})")
        return value

    def stage(self) -> staging.Stage:
        return staging.Stage(
            self.code,
            self.review_days,
            Role(self.led_by),
            frozenset(Role(r) for r in self.tell),
            self.label,
        )


def _default_stages() -> list[SupportStage]:
    return [
        SupportStage(
            code=s.code,
            review_days=s.review_days,
            led_by=s.led_by.value,
            tell=sorted(r.value for r in s.tell),
        )
        for s in staging.DEFAULT_STAGES
    ]


class Retention(BaseModel):
    """How many years a placement's records are kept after it ends: `years` for every kind,
    `kinds` for those kept longer or shorter (e.g. `support_plans = 10`)."""

    model_config = ConfigDict(extra="forbid")

    years: int = Field(6, ge=1, le=100)
    kinds: dict[str, int] = Field(default_factory=dict)

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, value: dict[str, int]) -> dict[str, int]:
        value = {OLD_KIND_NAMES.get(k, k): v for k, v in value.items()}
        unknown = [k for k in value if k not in RECORD_KINDS]
        if unknown:
            raise ValueError(f"no record kind {unknown[0]!r} (one of {', '.join(RECORD_KINDS)})")
        if any(not 1 <= v <= 100 for v in value.values()):
            raise ValueError("years must be 1 to 100")
        return value

    def by_kind(self) -> dict[str, int]:
        return {kind: self.kinds.get(kind, self.years) for kind in RECORD_KINDS}


class QualityThresholds(BaseModel):
    """Where the annual quality report (`mentorbot report quality`) flags a school or a
    mentor: below these, the placement offers decision should look closer."""

    model_config = ConfigDict(extra="forbid")

    min_meetings_held_percent: int = Field(
        80, ge=0, le=100, description="weekly meetings held and signed off, of those due"
    )
    max_median_feedback_days: float = Field(
        3, ge=0, le=60, description="median days from a lesson observed to its feedback"
    )
    min_evaluation_score: float = Field(
        3.5, ge=1, le=5, description="average answer, 5 strongly agree ... 1 strongly disagree"
    )
    min_training_hours: float = Field(
        6, ge=0, le=500, description="mentor training logged per mentor in the academic year"
    )

    def thresholds(self) -> Thresholds:
        return Thresholds(
            min_meetings_held=self.min_meetings_held_percent / 100,
            max_median_feedback_days=self.max_median_feedback_days,
            min_evaluation_score=self.min_evaluation_score,
            min_training_hours=self.min_training_hours,
        )


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sign_off_prompt: Slot = Slot(day="monday", time=time(8, 30))
    reminder: Slot = Slot(day="thursday", time=time(8, 30))
    review_point_nudge_days: list[int] = Field(default_factory=lambda: [7, 2])
    observation_ack_hours: int = Field(72, ge=1, le=24 * 14)
    digest: Slot = Slot(day="friday", time=time(8, 0))
    off_track: OffTrackRules = OffTrackRules()
    acknowledge_within_hours: int = Field(24, ge=1, le=24 * 14)
    escalation_levels: int = Field(2, ge=1, le=5)
    # Level -> route; a level not listed has the default route (its channel, else the ITT
    # leads by direct message).
    escalation_routes: dict[int, EscalationRoute] = Field(default_factory=dict)
    # Replaced by support_review_nudge_days (recovery plans are support plans now); still
    # accepted so that an existing policy file loads, and not used.
    irp_nudge_days_before: int = Field(1, ge=0, le=14)
    # Staged support: the stages in order, and the reminders to a stage's leader before
    # its review date (days before; 0 is the day itself). An overdue review is nudged once.
    support_stages: list[SupportStage] = Field(default_factory=_default_stages)
    support_review_nudge_days: list[int] = Field(default_factory=lambda: [2, 0])
    working_hours_start: time = time(8, 0)
    working_hours_end: time = time(17, 30)
    max_nudges_per_person_per_week: int = Field(10, ge=1, le=100)
    send_in_holidays: bool = False
    retention: Retention = Retention()
    evaluations: EvaluationPolicy = EvaluationPolicy()
    quality: QualityThresholds = QualityThresholds()

    @field_validator("review_point_nudge_days")
    @classmethod
    def _offsets(cls, value: list[int]) -> list[int]:
        if any(d < 0 or d > 60 for d in value):
            raise ValueError("nudge offsets are days before the review point, 0 to 60")
        return sorted(set(value), reverse=True)

    @field_validator("support_review_nudge_days")
    @classmethod
    def _support_offsets(cls, value: list[int]) -> list[int]:
        if any(d < 0 or d > 30 for d in value):
            raise ValueError("reminders are days before the review date, 0 to 30")
        return sorted(set(value), reverse=True)

    @field_validator("support_stages")
    @classmethod
    def _stages(cls, value: list[SupportStage]) -> list[SupportStage]:
        codes = [s.code for s in value]
        if not 1 <= len(codes) <= 6:
            raise ValueError("give 1 to 6 support stages")
        if len(set(codes)) != len(codes):
            raise ValueError("each support stage needs its own code")
        return value

    def stages(self) -> tuple[staging.Stage, ...]:
        """The stages as handlers/support reads them (set by the composition root)."""
        return tuple(s.stage() for s in self.support_stages)

    @model_validator(mode="after")
    def _hours(self) -> Policy:
        if self.working_hours_end <= self.working_hours_start:
            raise ValueError("working_hours_end must be after working_hours_start")
        beyond = [n for n in self.escalation_routes if not 1 <= n <= self.escalation_levels]
        if beyond:
            raise ValueError(f"escalation_routes: no level {beyond[0]} (1 to escalation_levels)")
        return self

    def route(self, level: int) -> EscalationRoute:
        return self.escalation_routes.get(level, EscalationRoute())


def load(path: Path | None) -> Policy:
    """The policy from `path`, or the defaults when no file is given."""
    if path is None:
        return Policy()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file ({exc.strerror})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: {exc}") from exc
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = [str(p) for p in error["loc"]]
        line = _line_of(text, where)
        at = f"line {line}" if line else "policy"
        raise PolicyError(f"{path}: {at}: {'.'.join(where)}: {error['msg']}") from exc


def _line_of(text: str, loc: list[str]) -> int | None:
    """The line where the failing key is set (the last key name of its path)."""
    keys = [k for k in loc if not k.isdigit()]
    if not keys:
        return None
    section = keys[0] if len(keys) > 1 else None
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("["):
            current = line.strip("[] ")
            if section is not None and current == section and keys[-1] == section:
                return number
            continue
        name = line.split("=", 1)[0].strip()
        if name == keys[-1] and (section is None or current == section or name == section):
            return number
        if section is not None and name == section and current is None:
            return number
    return None


# Settings still read from old policy files and not used: not shown.
UNUSED = frozenset({"irp_nudge_days_before"})


def describe(policy: Policy) -> list[tuple[str, str]]:
    """The policy as (setting, value) rows for `mentorbot policy show`."""
    rows: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                if name not in UNUSED:
                    walk(f"{prefix}{name}.", getattr(value, name))
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            for n, item in enumerate(value, start=1):  # support_stages.1.code …
                walk(f"{prefix}{n}.", item)
        else:
            rows.append((prefix.rstrip("."), str(value)))

    walk("", policy)
    return rows
