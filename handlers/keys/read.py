"""Reading an outbox key back into its kind (None for a key this version does not know)."""

from __future__ import annotations

from datetime import date

from handlers.keys.kinds import (
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


def _int(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"not an id: {text!r}")
    return int(text)


def _word(text: str) -> str:
    if not text or not text.replace("_", "").isalpha():
        raise ValueError(f"not a word: {text!r}")
    return text


def _escalation(rest: list[str]) -> OutboxKey:
    if rest[0] == "new":
        return EscalationPreview(_int(rest[1]), rest[2], ":".join(rest[3:]))
    if len(rest) == 5 and rest[1] == "level" and rest[3] == "to":
        return EscalationAlertTo(_int(rest[0]), _int(rest[2]), _int(rest[4]))
    if len(rest) != 3 or rest[1] != "level":
        raise ValueError("bad escalation key")
    return EscalationAlert(_int(rest[0]), _int(rest[2]))


def _read(prefix: str, rest: list[str]) -> OutboxKey:
    """One key from its parts; raises ValueError or IndexError when they do not fit."""
    match prefix, len(rest):
        case "weekly", 2:
            return WeeklyPrompt(_int(rest[0]), date.fromisoformat(rest[1]))
        case "weekly-reminder", 2:
            return WeeklyReminder(_int(rest[0]), date.fromisoformat(rest[1]))
        case "weekly-snooze", 3:
            return WeeklySnooze(
                _int(rest[0]), date.fromisoformat(rest[1]), date.fromisoformat(rest[2])
            )
        case "weekly-confirm", 1:
            return WeeklyConfirm(_int(rest[0]))
        case "weekly-disputed", 1:
            return WeeklyDisputed(_int(rest[0]))
        case "rp-nudge", 3:
            return ReviewPointNudge(_int(rest[0]), _int(rest[1]), _int(rest[2]))
        case "missing-ratings", 2:
            return MissingRatings(_int(rest[0]), _int(rest[1]))
        case "qa-owed", 2:
            return QaOwed(_int(rest[0]), _int(rest[1]))
        case "qa-recorded", 1:
            return QaRecorded(_int(rest[0]))
        case "observation", 1:
            return ObservationFeedback(_int(rest[0]))
        case "obs-nudge", 1:
            return ObservationNudge(_int(rest[0]))
        case "target-review", 2:
            return TargetReviewNudge(_int(rest[0]), date.fromisoformat(rest[1]))
        case "concern-lead", 1:
            return ConcernToLead(_int(rest[0]))
        case "digest", 2:
            return Digest(_int(rest[0]), date.fromisoformat(rest[1]))
        case "irp", 2:
            return RecoveryPlanOpened(_int(rest[0]), _int(rest[1]))
        case "irp-review", 3:
            return RecoveryPlanReview(_int(rest[0]), date.fromisoformat(rest[1]), _int(rest[2]))
        case "support-news", 4:
            return SupportNews(_int(rest[0]), rest[1], date.fromisoformat(rest[2]), _int(rest[3]))
        case "support-review", 4:
            before = SupportReviewDue.OVERDUE if rest[2] == "overdue" else _int(rest[2])
            return SupportReviewDue(
                _int(rest[0]), date.fromisoformat(rest[1]), before, _int(rest[3])
            )
        case "escalation", _:
            return _escalation(rest)
        case "dead-letter", 2:
            return DeadLetter(_int(rest[0]), _int(rest[1]))
        case "undeliverable", 2:
            return UndeliverableSummary(date.fromisoformat(rest[0]), _int(rest[1]))
        case "evaluation", 4:
            return EvaluationAsk(_int(rest[0]), _word(rest[1]), _int(rest[2]), _int(rest[3]))
        case "late", n if n >= 2:
            return LateReply(rest[0], ":".join(rest[1:]))
    raise ValueError(f"unknown key kind {prefix!r}")


def parse(key: str) -> OutboxKey | None:
    """The typed key, or None for a key this version does not know or cannot read."""
    prefix, _, rest = key.partition(":")
    try:
        return _read(prefix, rest.split(":"))
    except (ValueError, IndexError):
        return None
