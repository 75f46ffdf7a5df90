"""Outbox keys: built and read in one place.

An outbox row's key says who gets what about which record, and is unique, so queuing the
same notification twice is a no-op. The strings are stored in existing databases, so
their format never changes; each kind is a dataclass that formats itself, and `parse`
reads any of them back (None for a key this version does not know).
"""

from handlers.keys.kinds import (
    MAX_LENGTH,
    ConcernToLead,
    DeadLetter,
    Digest,
    EscalationAlert,
    EscalationAlertTo,
    EscalationPreview,
    EvaluationAsk,
    LateReply,
    MissingRatings,
    ObservationFeedback,
    ObservationNudge,
    OutboxKey,
    QaOwed,
    QaRecorded,
    RecoveryPlanOpened,
    RecoveryPlanReview,
    ReviewPointNudge,
    SupportNews,
    SupportReviewDue,
    TargetReviewNudge,
    UndeliverableSummary,
    WeeklyConfirm,
    WeeklyDisputed,
    WeeklyPrompt,
    WeeklyReminder,
    WeeklySnooze,
)
from handlers.keys.read import parse

__all__ = [
    "MAX_LENGTH",
    "ConcernToLead",
    "DeadLetter",
    "Digest",
    "EscalationAlert",
    "EscalationAlertTo",
    "EscalationPreview",
    "EvaluationAsk",
    "LateReply",
    "MissingRatings",
    "ObservationFeedback",
    "ObservationNudge",
    "OutboxKey",
    "QaOwed",
    "QaRecorded",
    "RecoveryPlanOpened",
    "RecoveryPlanReview",
    "ReviewPointNudge",
    "SupportNews",
    "SupportReviewDue",
    "TargetReviewNudge",
    "UndeliverableSummary",
    "WeeklyConfirm",
    "WeeklyDisputed",
    "WeeklyPrompt",
    "WeeklyReminder",
    "WeeklySnooze",
    "parse",
]
