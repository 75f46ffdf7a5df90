"""Every table, importable from one place (Alembic and the app both need the full set)."""

from storage.models.catalogue import Standard
from storage.models.concerns import Concern, Escalation, EscalationTarget
from storage.models.evidence import (
    FormDraft,
    MentorSelfEvaluation,
    Observation,
    RagRating,
    WeeklyMeeting,
)
from storage.models.frameworks import AssessmentFramework, FrameworkStrand, ScaleValue
from storage.models.health import ChangeStamp, SchedulerHealth
from storage.models.intake import ParkedInteraction
from storage.models.messaging import AuditEntry, OutboxMessage, ProcessedEvent
from storage.models.people import Person, PersonRole, PlatformIdentity, School, SchoolClosure
from storage.models.programme import CalendarEntry, Placement, Programme, ReviewPoint
from storage.models.qa import ReviewPointQA
from storage.models.quality import EvaluationAnswer, PlacementEvaluation, TutorVisit
from storage.models.slack import SlackRevokedWorkspace
from storage.models.support import (
    SupportPlan,
    SupportReview,
    SupportStage,
    SupportTarget,
    SupportTargetReview,
)
from storage.models.targets import Target, TargetReview
from storage.models.training import MentorTraining

__all__ = [
    "AssessmentFramework",
    "AuditEntry",
    "CalendarEntry",
    "ChangeStamp",
    "Concern",
    "Escalation",
    "EscalationTarget",
    "EvaluationAnswer",
    "FormDraft",
    "FrameworkStrand",
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
    "ReviewPoint",
    "ReviewPointQA",
    "ScaleValue",
    "SchedulerHealth",
    "School",
    "SchoolClosure",
    "SlackRevokedWorkspace",
    "Standard",
    "SupportPlan",
    "SupportReview",
    "SupportStage",
    "SupportTarget",
    "SupportTargetReview",
    "Target",
    "TargetReview",
    "TutorVisit",
    "WeeklyMeeting",
]
