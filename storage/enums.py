"""The domain's closed vocabularies, stored as plain strings."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    TRAINEE = "trainee"
    MENTOR = "mentor"
    LEAD_MENTOR = "lead_mentor"
    ITT_LEAD = "itt_lead"
    ADMIN = "admin"
    # A university visiting tutor (UVT, link tutor): visits, evaluates mentor support.
    TUTOR = "tutor"


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    CONSOLE = "console"


class CalendarKind(StrEnum):
    TERM = "term"
    HOLIDAY = "holiday"
    INSET = "inset"
    REVIEW_POINT = "review_point"


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class Scale(StrEnum):
    """Which catalogue a rating is against. A trainee's review-point and observation ratings
    store their programme's framework code instead (storage/models/frameworks.py), which for
    the default framework is TEACHERS_STANDARDS, so ratings from before frameworks were
    data keep their meaning."""

    TEACHERS_STANDARDS = "teachers_standards"
    MENTOR_STANDARDS = "mentor_standards"
    WELLBEING = "wellbeing"


class MeetingStatus(StrEnum):
    PENDING = "pending"
    HELD = "held"
    RESCHEDULED = "rescheduled"
    NOT_HELD = "not_held"


class TraineeResponse(StrEnum):
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


class TargetStatus(StrEnum):
    OPEN = "open"
    MET = "met"  # closed at a review as met
    CLOSED = "closed"  # closed at a review without being met


class TargetOutcome(StrEnum):
    """A target's review, in the order the form shows them."""

    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"


class TargetDecision(StrEnum):
    CARRY = "carry"  # carried forward to the next review
    CLOSE = "close"


class ConcernCategory(StrEnum):
    PROGRESS = "progress"
    WELLBEING = "wellbeing"
    CONDUCT = "conduct"
    ATTENDANCE = "attendance"
    OTHER = "other"


class EscalationStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class SupportPlanStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class SupportDecision(StrEnum):
    """What a support plan's review decides (also a stage's outcome once it ends)."""

    CLOSE = "close"
    EXTEND = "extend"
    NEXT = "next"  # move to the next stage


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    CANCELLED = "cancelled"
    # Waiting for the person to connect (a Teams person nobody installed the app for):
    # sent when they do, never dead-lettered for it.
    HELD = "held"


class QaEvidence(StrEnum):
    """The records a lead mentor can tick as checked on a review-point QA form
    (stored comma-separated in ReviewPointQA.evidence_checked, in this order)."""

    WEEKLY_MEETINGS = "weekly_meetings"
    OBSERVATIONS = "observations"
    RATINGS = "ratings"


class EvaluationKind(StrEnum):
    """Who evaluates what at the end of a placement (and after a tutor's visit)."""

    TRAINEE_OF_MENTOR = "trainee_of_mentor"
    TUTOR_OF_MENTOR = "tutor_of_mentor"
    MENTOR_OF_TRAINING = "mentor_of_training"
    TUTOR_VISIT = "tutor_visit"


class Agreement(StrEnum):
    """The scale every evaluation statement is answered on (best first); the score is
    what averages are taken over (5 = strongly agree ... 1 = strongly disagree)."""

    STRONGLY_AGREE = "strongly_agree"
    AGREE = "agree"
    NEUTRAL = "neutral"
    DISAGREE = "disagree"
    STRONGLY_DISAGREE = "strongly_disagree"

    @property
    def score(self) -> int:
        return 5 - list(Agreement).index(self)
