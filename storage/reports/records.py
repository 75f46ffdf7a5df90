"""The IDP's records as plain data: what storage/reports/idp.py reads, one class per kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from storage.repo.frameworks import Value
from storage.reports.common import PlacementRow


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    week_start: date
    status: str  # MeetingStatus
    held_on: date | None
    duration_minutes: int | None
    progress_discussed: str | None
    targets: str | None
    wellbeing: str | None
    notes: str | None
    rescheduled_to: date | None
    reason_not_held: str | None
    signed_off_by: str | None
    signed_off_at: datetime | None
    trainee_response: str | None
    trainee_comment: str | None
    trainee_responded_at: datetime | None


@dataclass(frozen=True, slots=True)
class ObservationRecord:
    id: int
    observed_on: date
    lesson: str
    observer: str
    focus: str
    strengths: str
    areas_for_development: str
    targets: str
    feedback_at: datetime
    acknowledged_at: datetime | None
    standards: tuple[tuple[str, str], ...]  # (item code, rag)


@dataclass(frozen=True, slots=True)
class RatingRecord:
    review_point: str
    review_point_start: date
    item_code: str
    rating: str
    comment: str
    targets: str
    rater: str
    rated_at: datetime


@dataclass(frozen=True, slots=True)
class TargetRecord:
    set_on: date
    source: str  # weekly_meeting | observation | review_point | support_plan
    text: str


@dataclass(frozen=True, slots=True)
class TargetReviewRecord:
    reviewed_on: date
    outcome: str  # TargetOutcome
    decision: str  # TargetDecision
    reviewer: str


@dataclass(frozen=True, slots=True)
class SetTargetRecord:
    """A target set as a record (a weekly meeting's), with the history of its reviews."""

    id: int
    strand_code: str
    text: str
    set_on: date
    set_by: str
    review_by: date
    status: str  # TargetStatus
    closed_at: datetime | None
    reviews: tuple[TargetReviewRecord, ...]


@dataclass(frozen=True, slots=True)
class ConcernRecord:
    id: int
    raised_at: datetime
    raised_by: str
    category: str
    details: str


@dataclass(frozen=True, slots=True)
class EscalationRecord:
    id: int
    created_at: datetime
    rule: str
    status: str
    level: int
    evidence: dict[str, Any]
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class SupportStageRecord:
    """One stage of a support plan (a plan is its stages, in order). Codes and dates:
    the stage's and the decisions' words are rendered when shown."""

    plan_id: int
    stage: str  # the policy's stage code
    position: int
    opened_by: str
    led_by: str
    started_on: date
    review_date: date
    support: str
    # [{"position", "text", "strand_code"}]
    targets: list[dict[str, Any]]
    acknowledged_at: datetime | None
    # [{"due_on", "reviewed_on", "decision", "next_review_date", "met": [positions],
    #   "not_met": [positions]}]
    reviews: list[dict[str, Any]]
    outcome: str | None
    ended_on: date | None
    plan_status: str


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    at: datetime
    kind: str  # concern | escalation | acknowledged | resolved | stage_started | plan_closed
    text: str


@dataclass(frozen=True, slots=True)
class RatingGrid:
    """Ratings at each review point: standards on the rows, review points on the columns."""

    standards: tuple[tuple[str, str], ...]  # (code, title)
    review_points: tuple[str, ...]
    cells: dict[tuple[str, str], str]  # (code, review point) -> rag, the latest given there

    def at(self, code: str, review_point: str) -> str | None:
        return self.cells.get((code, review_point))


@dataclass(frozen=True, slots=True)
class Idp:
    trainee_id: int
    trainee_name: str
    trainee_email: str
    placements: list[PlacementRow]
    meetings: list[MeetingRecord]
    observations: list[ObservationRecord]
    ratings: list[RatingRecord]
    grid: RatingGrid
    targets: list[TargetRecord]
    concerns: list[ConcernRecord]
    escalations: list[EscalationRecord]
    support_plans: list[SupportStageRecord]
    timeline: list[TimelineEvent] = field(default_factory=list)
    set_targets: list[SetTargetRecord] = field(default_factory=list)

    @property
    def open_targets(self) -> list[SetTargetRecord]:
        return [x for x in self.set_targets if x.status == "open"]

    # The values of the scales the trainee is rated on, in order (for labels and the key).
    scale: tuple[Value, ...] = ()
    scale_keys: tuple[tuple[str, tuple[Value, ...]], ...] = ()  # (framework, its values)

    @property
    def current_targets(self) -> TargetRecord | None:
        return self.targets[-1] if self.targets else None

    def counts(self) -> dict[str, int]:
        """Records of each kind (the CSV files and the JSON keys carry these names)."""
        return {
            "meetings": len(self.meetings),
            "observations": len(self.observations),
            "ratings": len(self.ratings),
            "targets": len(self.targets),
            "concerns": len(self.concerns),
            "escalations": len(self.escalations),
            "support_plans": len(self.support_plans),
        }
