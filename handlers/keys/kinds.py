"""Each kind of outbox key: a dataclass that formats itself (see handlers.keys)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

MAX_LENGTH = 255  # the outbox column


@dataclass(frozen=True, slots=True)
class WeeklyPrompt:
    """The Monday prompt to sign off a WeeklyMeeting."""

    PREFIX: ClassVar[str] = "weekly"
    placement_id: int
    week: date

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.placement_id}:{self.week}"

    @staticmethod
    def of_week(week: date) -> Callable[[int], str]:
        """The week's key for a placement id, formatted without building the object (a
        sweep asks for every placement's, every minute)."""
        before, after = WeeklyPrompt.sql_parts(week)
        return lambda placement_id: f"{before}{placement_id}{after}"

    @staticmethod
    def sql_parts(week: date) -> tuple[str, str]:
        """The text before and after the placement id, for a query that builds the key
        from a placement id column (the missed-meetings rule)."""
        return f"{WeeklyPrompt.PREFIX}:", f":{week}"


@dataclass(frozen=True, slots=True)
class WeeklyReminder:
    PREFIX: ClassVar[str] = "weekly-reminder"
    placement_id: int
    week: date

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.placement_id}:{self.week}"

    @staticmethod
    def of_week(week: date) -> Callable[[int], str]:
        """As WeeklyPrompt.of_week."""
        before, after = f"{WeeklyReminder.PREFIX}:", f":{week}"
        return lambda placement_id: f"{before}{placement_id}{after}"


@dataclass(frozen=True, slots=True)
class WeeklySnooze:
    """ "Remind me tomorrow" on a weekly prompt: one per day asked for."""

    PREFIX: ClassVar[str] = "weekly-snooze"
    placement_id: int
    week: date
    day: date

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.placement_id}:{self.week}:{self.day}"


@dataclass(frozen=True, slots=True)
class WeeklyConfirm:
    """The trainee is asked to confirm a signed-off meeting record."""

    PREFIX: ClassVar[str] = "weekly-confirm"
    meeting_id: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.meeting_id}"


@dataclass(frozen=True, slots=True)
class WeeklyDisputed:
    PREFIX: ClassVar[str] = "weekly-disputed"
    meeting_id: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.meeting_id}"


@dataclass(frozen=True, slots=True)
class ReviewPointNudge:
    """Ratings outstanding before a ReviewPoint; `offset` is the policy's days before."""

    PREFIX: ClassVar[str] = "rp-nudge"
    placement_id: int
    review_point_id: int
    offset: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.placement_id}:{self.review_point_id}:{self.offset}"


@dataclass(frozen=True, slots=True)
class MissingRatings:
    """Ratings still missing after a ReviewPoint, to the lead mentor."""

    PREFIX: ClassVar[str] = "missing-ratings"
    placement_id: int
    review_point_id: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.placement_id}:{self.review_point_id}"


@dataclass(frozen=True, slots=True)
class QaOwed:
    """The lead mentor's QA form for a trainee at a ReviewPoint, owed once ratings are in."""

    PREFIX: ClassVar[str] = "qa-owed"
    placement_id: int
    review_point_id: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.placement_id}:{self.review_point_id}"


@dataclass(frozen=True, slots=True)
class QaRecorded:
    """A recorded QA form, to the trainee's mentor (whose judgement it checked)."""

    PREFIX: ClassVar[str] = "qa-recorded"
    qa_id: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.qa_id}"


@dataclass(frozen=True, slots=True)
class ObservationFeedback:
    PREFIX: ClassVar[str] = "observation"
    observation_id: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.observation_id}"


@dataclass(frozen=True, slots=True)
class ObservationNudge:
    """Observation feedback the trainee has not acknowledged."""

    PREFIX: ClassVar[str] = "obs-nudge"
    observation_id: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.observation_id}"


@dataclass(frozen=True, slots=True)
class TargetReviewNudge:
    """An open target not reviewed by its review date, to the mentor; a target carried
    forward to a new date can be nudged about again."""

    PREFIX: ClassVar[str] = "target-review"
    target_id: int
    review_by: date

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.target_id}:{self.review_by}"


@dataclass(frozen=True, slots=True)
class ConcernToLead:
    PREFIX: ClassVar[str] = "concern-lead"
    concern_id: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.concern_id}"


@dataclass(frozen=True, slots=True)
class Digest:
    PREFIX: ClassVar[str] = "digest"
    lead_mentor_id: int
    week: date

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.lead_mentor_id}:{self.week}"


@dataclass(frozen=True, slots=True)
class SupportNews:
    """A support stage opened / extended / closed, to one person (`day`: its review date)."""

    PREFIX: ClassVar[str] = "support-news"
    stage_id: int
    event: str  # opened | extended | closed
    day: date
    recipient_id: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.stage_id}:{self.event}:{self.day}:{self.recipient_id}"


@dataclass(frozen=True, slots=True)
class SupportReviewDue:
    """A reminder to a stage's leader `days_before` its review date (0: the day; OVERDUE)."""

    PREFIX: ClassVar[str] = "support-review"
    OVERDUE: ClassVar[int] = -1
    stage_id: int
    review_date: date
    days_before: int
    recipient_id: int

    def __str__(self) -> str:
        before = "overdue" if self.days_before == self.OVERDUE else self.days_before
        return f"{self.PREFIX}:{self.stage_id}:{self.review_date}:{before}:{self.recipient_id}"


# Individual Recovery Plans' keys (now support plans, same ids): still read from outboxes.
@dataclass(frozen=True, slots=True)
class RecoveryPlanOpened:
    PREFIX: ClassVar[str] = "irp"
    plan_id: int
    recipient_id: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.plan_id}:{self.recipient_id}"


@dataclass(frozen=True, slots=True)
class RecoveryPlanReview:
    PREFIX: ClassVar[str] = "irp-review"
    plan_id: int
    review_date: date
    recipient_id: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.plan_id}:{self.review_date}:{self.recipient_id}"


@dataclass(frozen=True, slots=True)
class EscalationAlert:
    """An Escalation's alert to the leadership channel, once per level."""

    PREFIX: ClassVar[str] = "escalation"
    escalation_id: int
    level: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.escalation_id}:level:{self.level}"


@dataclass(frozen=True, slots=True)
class EscalationAlertTo:
    """An Escalation's alert at one level sent to one person by direct message (a named
    person on the level's route, or every ITT lead while no channel can take it)."""

    PREFIX: ClassVar[str] = "escalation"
    escalation_id: int
    level: int
    person_id: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.escalation_id}:level:{self.level}:to:{self.person_id}"


@dataclass(frozen=True, slots=True)
class UndeliverableSummary:
    """The partnership office's one summary a day of who could not be reached."""

    PREFIX: ClassVar[str] = "undeliverable"
    day: date
    admin_id: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.day}:{self.admin_id}"


@dataclass(frozen=True, slots=True)
class EscalationPreview:
    """An escalation a dry run would raise (`mentorbot due`); never stored."""

    PREFIX: ClassVar[str] = "escalation:new"
    placement_id: int
    rule: str
    cause: str  # may itself hold colons ("rp:5")

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.placement_id}:{self.rule}:{self.cause}"


@dataclass(frozen=True, slots=True)
class DeadLetter:
    PREFIX: ClassVar[str] = "dead-letter"
    row_id: int
    admin_id: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.row_id}:{self.admin_id}"


@dataclass(frozen=True, slots=True)
class LateReply:
    """A parked interaction's answer; the event key is the platform's and may hold colons."""

    PREFIX: ClassVar[str] = "late"
    platform: str
    event_key: str

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.platform}:{self.event_key}"[:MAX_LENGTH]


@dataclass(frozen=True, slots=True)
class EvaluationAsk:
    """An end-of-placement evaluation asked of one person (`kind`: EvaluationKind);
    `round` 0 is the ask, 1.. the reminders."""

    PREFIX: ClassVar[str] = "evaluation"
    placement_id: int
    kind: str
    respondent_id: int
    round: int

    def __str__(self) -> str:
        return f"{self.PREFIX}:{self.placement_id}:{self.kind}:{self.respondent_id}:{self.round}"


OutboxKey = (
    WeeklyPrompt
    | WeeklyReminder
    | WeeklySnooze
    | WeeklyConfirm
    | WeeklyDisputed
    | ReviewPointNudge
    | MissingRatings
    | QaOwed
    | QaRecorded
    | ObservationFeedback
    | ObservationNudge
    | TargetReviewNudge
    | ConcernToLead
    | Digest
    | RecoveryPlanOpened
    | RecoveryPlanReview
    | SupportNews
    | SupportReviewDue
    | EscalationAlert
    | EscalationAlertTo
    | UndeliverableSummary
    | EscalationPreview
    | DeadLetter
    | LateReply
    | EvaluationAsk
)
