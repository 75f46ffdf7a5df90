"""Every table, importable from one place (Alembic and the app both need the full set)."""

from storage.models.catalogue import Standard
from storage.models.concerns import Concern, Escalation, EscalationTarget, RecoveryPlan
from storage.models.evidence import (
    FormDraft,
    MentorSelfEvaluation,
    Observation,
    RagRating,
    WeeklyMeeting,
)
from storage.models.health import SchedulerHealth
from storage.models.intake import ParkedInteraction
from storage.models.messaging import AuditEntry, OutboxMessage, ProcessedEvent
from storage.models.people import Person, PersonRole, PlatformIdentity, School, SchoolClosure
from storage.models.programme import CalendarEntry, Placement, Programme, ReviewPoint
from storage.models.qa import ReviewPointQA
from storage.models.quality import EvaluationAnswer, PlacementEvaluation, TutorVisit
from storage.models.slack import SlackRevokedWorkspace
from storage.models.training import MentorTraining

__all__ = [
    "AuditEntry",
    "CalendarEntry",
    "Concern",
    "Escalation",
    "EscalationTarget",
    "EvaluationAnswer",
    "FormDraft",
    "MentorSelfEvaluation",
    "MentorTraining",
    "Observation",
    "OutboxMessage",
    "ParkedInteraction",
    "Person",
    "PersonRole",
    "Placement",
    "PlacementEvaluation",
    "PlatformIdentity",
    "ProcessedEvent",
    "Programme",
    "RagRating",
    "RecoveryPlan",
    "ReviewPoint",
    "ReviewPointQA",
    "SchedulerHealth",
    "School",
    "SchoolClosure",
    "SlackRevokedWorkspace",
    "Standard",
    "TutorVisit",
    "WeeklyMeeting",
]
