"""The records of the mentor quality report (storage/reports/quality.py builds them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.enums import Agreement
from storage.reports.years import AcademicYear

# Fewer trainees' evaluations than this: the mentor sees no aggregate of them at all.
MIN_TRAINEES = 3


class Audience(StrEnum):
    MENTOR = "mentor"  # the mentor about themselves: trainees only as aggregates
    FULL = "full"  # lead mentors (their school's mentors), ITT leads and admins


@dataclass(frozen=True, slots=True)
class Average:
    """Answers on the Agreement scale (5 strongly agree ... 1 strongly disagree)."""

    score: float
    evaluations: int

    @property
    def word(self) -> str:
        """The scale point nearest the average, to show beside the number."""
        return min(Agreement, key=lambda a: abs(a.score - self.score)).value


@dataclass(frozen=True, slots=True)
class StandardLine:
    code: str
    title: str
    self_rags: tuple[str, ...]  # the items' RAG at the latest self-evaluation, in order
    tutors: Average | None
    trainees: Average | None  # None: none yet, or withheld from the mentor


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One evaluation in full: only ever built for Audience.FULL."""

    kind: str
    respondent: str
    trainee: str
    submitted_at: datetime
    answers: dict[str, str]  # standard code -> Agreement code
    comment: str


@dataclass(frozen=True, slots=True)
class Compliance:
    weeks_held: int
    weeks_due: int
    observations: int
    median_feedback_days: float | None

    @property
    def held_share(self) -> float | None:
        return self.weeks_held / self.weeks_due if self.weeks_due else None


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The policy's quality thresholds (scheduler/policy.py `[quality]`), as plain data."""

    min_meetings_held: float = 0.8  # share of the weekly meetings due
    max_median_feedback_days: float = 3
    min_evaluation_score: float = 3.5  # average, 1 to 5
    min_training_hours: float = 6


@dataclass(frozen=True, slots=True)
class Flag:
    code: str  # meetings | feedback | trainees | tutors | training | self_evaluation
    value: float
    limit: float
    mentor: str | None = None  # the mentor it is about; None: the school as a whole
    standard: str | None = None  # the lowest standard (trainees, tutors)


@dataclass(frozen=True, slots=True)
class MentorQuality:
    mentor_id: int
    name: str
    schools: tuple[str, ...]
    trainees: int  # placements mentored in the year
    self_evaluated_at: datetime | None
    standards: tuple[StandardLine, ...]
    trainee_evaluations: int
    trainees_withheld: bool  # fewer than MIN_TRAINEES: no aggregate shown to the mentor
    tutor_evaluations: int
    training_sessions: int
    training_minutes: int
    compliance: Compliance
    evaluations: tuple[Evaluation, ...]  # empty unless Audience.FULL
    flags: tuple[Flag, ...]

    def overall(self, source: str) -> Average | None:
        """The trainees' or tutors' average over the standards shown (None: none shown)."""
        shown = [a for line in self.standards if (a := getattr(line, source)) is not None]
        if not shown:
            return None
        score = sum(a.score for a in shown) / len(shown)
        return Average(round(score, 2), max(a.evaluations for a in shown))


@dataclass(frozen=True, slots=True)
class SchoolQuality:
    school_id: int
    name: str
    mentors: tuple[MentorQuality, ...]
    compliance: Compliance
    trainees: Average | None
    tutors: Average | None
    school_view: Average | None  # the trainees' view of the school (not a mentor standard)
    training_evaluated: Average | None  # the mentors' view of the training they had
    flags: tuple[Flag, ...]


@dataclass(frozen=True, slots=True)
class QualityReport:
    year: AcademicYear
    audience: Audience
    schools: tuple[SchoolQuality, ...]
    thresholds: Thresholds
    generated_at: datetime
    # The same schools' figures the academic year before (quality over time), if asked.
    year_before: tuple[SchoolQuality, ...] = ()

    def before(self, school_id: int) -> SchoolQuality | None:
        return next((s for s in self.year_before if s.school_id == school_id), None)

    def mentor(self, mentor_id: int) -> MentorQuality | None:
        return next((m for s in self.schools for m in s.mentors if m.mentor_id == mentor_id), None)
