"""Mentor quality for an academic year, per mentor and per school: the self-evaluation,
the tutors' and the trainees' evaluations side by side per National Mentor Standard, the
mentor training logged, and the compliance figures (weekly meetings held of those due,
days from a lesson to its feedback).

The anonymity rule lives here, in the read, so that no page or message can leak past
it: seen by the mentor themselves (`Audience.MENTOR`), the trainees' answers are only an
average per standard over at least MIN_TRAINEES trainees' evaluations, never one
trainee's answers or comment, and nothing at all with fewer. Lead mentors and ITT leads
(`Audience.FULL`) also get every evaluation in full.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from statistics import median

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import select

from storage.catalogue import mentor_standards
from storage.enums import Agreement, EvaluationKind, Rag
from storage.models import EvaluationAnswer, Person, PlacementEvaluation
from storage.reports import quality_facts as facts_of
from storage.reports.quality_facts import PlacementFacts, Scope, SelfEvaluation
from storage.reports.quality_records import (
    MIN_TRAINEES,
    Audience,
    Average,
    Compliance,
    Evaluation,
    Flag,
    MentorQuality,
    QualityReport,
    SchoolQuality,
    StandardLine,
    Thresholds,
)
from storage.reports.years import AcademicYear

TUTOR_KINDS = frozenset({EvaluationKind.TUTOR_OF_MENTOR, EvaluationKind.TUTOR_VISIT})


@dataclass(frozen=True, slots=True)
class _Answer:
    evaluation_id: int
    placement_id: int
    kind: str
    respondent: str
    submitted_at: datetime
    comment: str
    item: str
    value: str


@dataclass(slots=True)
class _Loaded:
    placements: dict[int, PlacementFacts]
    answers: list[_Answer]
    selves: dict[int, SelfEvaluation]
    training: dict[int, tuple[int, int]]


async def _load(session: AsyncSession, year: AcademicYear, scope: Scope, today: date) -> _Loaded:
    ids = facts_of.placements_in(year, scope)
    mentors = facts_of.mentors_of(ids)
    return _Loaded(
        await facts_of.placement_facts(session, year, scope, today=today),
        await _answers(session, ids, year),
        await facts_of.self_evaluations(session, year, mentors),
        await facts_of.training_minutes(session, year, mentors),
    )


async def quality(
    session: AsyncSession,
    year: AcademicYear,
    scope: Scope,
    *,
    audience: Audience,
    now: datetime,
    thresholds: Thresholds | None = None,
    with_year_before: bool = False,
) -> QualityReport:
    """The year's figures for the placements in scope, grouped by school then mentor
    (and, `with_year_before`, the same for the academic year before)."""
    limits = thresholds or Thresholds()
    loaded = await _load(session, year, scope, now.date())
    by_school: dict[int, list[PlacementFacts]] = defaultdict(list)
    for p in loaded.placements.values():
        by_school[p.school_id].append(p)
    # Each answer to its school once (not a scan of every answer per school).
    school_of = {p.id: p.school_id for p in loaded.placements.values()}
    answers_at: dict[int, list[_Answer]] = defaultdict(list)
    for a in loaded.answers:
        answers_at[school_of[a.placement_id]].append(a)
    schools = []
    for school_id, group in by_school.items():
        in_school = answers_at[school_id]
        lines = _mentor_lines(group, in_school, loaded, audience, limits)
        schools.append(_school(school_id, group, in_school, lines, limits))
    schools.sort(key=lambda s: s.name)
    before: tuple[SchoolQuality, ...] = ()
    if with_year_before:
        earlier = await quality(
            session, year.previous(), scope, audience=audience, now=now, thresholds=limits
        )
        before = earlier.schools
    return QualityReport(year, audience, tuple(schools), limits, now, before)


async def mentor_quality(
    session: AsyncSession,
    year: AcademicYear,
    mentor_id: int,
    *,
    audience: Audience,
    now: datetime,
    school_ids: frozenset[int] | None = None,
    thresholds: Thresholds | None = None,
) -> MentorQuality | None:
    """One mentor's year across the schools they mentored at (only `school_ids` for a
    lead mentor, who sees their own schools); None: no trainee there that year."""
    scope = Scope(school_ids=school_ids, mentor_id=mentor_id)
    loaded = await _load(session, year, scope, now.date())
    if not loaded.placements:
        return None
    lines = _mentor_lines(
        list(loaded.placements.values()),
        loaded.answers,
        loaded,
        audience,
        thresholds or Thresholds(),
    )
    return lines[0]


def _mentor_lines(
    group: list[PlacementFacts],
    answers: list[_Answer],
    loaded: _Loaded,
    audience: Audience,
    limits: Thresholds,
) -> tuple[MentorQuality, ...]:
    mentors: dict[int, list[PlacementFacts]] = defaultdict(list)
    for p in group:
        mentors[p.mentor_id].append(p)
    mentor_of = {p.id: p.mentor_id for p in group}
    by_mentor: dict[int, list[_Answer]] = defaultdict(list)
    for a in answers:
        by_mentor[mentor_of[a.placement_id]].append(a)
    lines = []
    for mentor_id, theirs in mentors.items():
        mine = by_mentor[mentor_id]
        sessions, minutes = loaded.training.get(mentor_id, (0, 0))
        self_eval = loaded.selves.get(mentor_id)
        lines.append(
            _mentor(mentor_id, theirs, mine, self_eval, sessions, minutes, audience, limits)
        )
    return tuple(sorted(lines, key=lambda m: m.name))


def _mentor(
    mentor_id: int,
    placements: list[PlacementFacts],
    answers: list[_Answer],
    self_eval: SelfEvaluation | None,
    sessions: int,
    minutes: int,
    audience: Audience,
    limits: Thresholds,
) -> MentorQuality:
    trainee_answers = [a for a in answers if a.kind == EvaluationKind.TRAINEE_OF_MENTOR]
    tutor_answers = [a for a in answers if a.kind in TUTOR_KINDS]
    evaluated_by = len({a.evaluation_id for a in trainee_answers})
    withheld = audience is Audience.MENTOR and evaluated_by < MIN_TRAINEES
    standards = tuple(
        StandardLine(
            s.code,
            s.title,
            _self_rags(self_eval, s.code),
            _average(a for a in tutor_answers if a.item == s.code),
            None if withheld else _visible(trainee_answers, s.code, audience),
        )
        for s in mentor_standards()
    )
    compliance = _compliance(placements)
    name = placements[0].mentor_name
    return MentorQuality(
        mentor_id=mentor_id,
        name=name,
        schools=tuple(sorted({p.school_name for p in placements})),
        trainees=len(placements),
        self_evaluated_at=self_eval.at if self_eval else None,
        standards=standards,
        trainee_evaluations=evaluated_by,
        trainees_withheld=withheld,
        tutor_evaluations=len({a.evaluation_id for a in tutor_answers}),
        training_sessions=sessions,
        training_minutes=minutes,
        compliance=compliance,
        evaluations=_in_full(answers, placements) if audience is Audience.FULL else (),
        flags=tuple(
            _mentor_flags(name, compliance, standards, minutes, self_eval is not None, limits)
        ),
    )


def _visible(answers: list[_Answer], code: str, audience: Audience) -> Average | None:
    """The trainees' average on one standard; for the mentor, only over at least
    MIN_TRAINEES evaluations answering it (a standard a trainee skipped counts fewer)."""
    average = _average(a for a in answers if a.item == code)
    if audience is Audience.MENTOR and average is not None and average.evaluations < MIN_TRAINEES:
        return None
    return average


def _average(answers: Iterable[_Answer]) -> Average | None:
    scores, evaluations = [], set()
    for a in answers:
        try:
            scores.append(Agreement(a.value).score)
        except ValueError:
            continue  # a value of no scale is not counted (it cannot be averaged)
        evaluations.add(a.evaluation_id)
    if not scores:
        return None
    return Average(round(sum(scores) / len(scores), 2), len(evaluations))


def _self_rags(self_eval: SelfEvaluation | None, standard: str) -> tuple[str, ...]:
    if self_eval is None:
        return ()
    items = sorted(
        (code for code in self_eval.ratings if code.split(".")[0] == standard),
        key=lambda code: int(code.split(".")[1]) if "." in code else 0,
    )
    return tuple(self_eval.ratings[code] for code in items)


def _compliance(placements: Iterable[PlacementFacts]) -> Compliance:
    group = list(placements)
    days = [d for p in group for d in p.feedback_days]
    return Compliance(
        weeks_held=sum(p.weeks_held for p in group),
        weeks_due=sum(p.weeks_due for p in group),
        observations=len(days),
        median_feedback_days=float(median(days)) if days else None,
    )


def _in_full(answers: list[_Answer], placements: list[PlacementFacts]) -> tuple[Evaluation, ...]:
    trainee_of = {p.id: p.trainee_name for p in placements}
    grouped: dict[int, list[_Answer]] = defaultdict(list)
    for a in answers:
        grouped[a.evaluation_id].append(a)
    out = [
        Evaluation(
            kind=rows[0].kind,
            respondent=rows[0].respondent,
            trainee=trainee_of.get(rows[0].placement_id, ""),
            submitted_at=rows[0].submitted_at,
            answers={a.item: a.value for a in rows},
            comment=rows[0].comment,
        )
        for rows in grouped.values()
    ]
    return tuple(sorted(out, key=lambda e: (e.submitted_at, e.kind, e.respondent)))


def _mentor_flags(
    name: str,
    compliance: Compliance,
    standards: tuple[StandardLine, ...],
    minutes: int,
    self_evaluated: bool,
    limits: Thresholds,
) -> Iterable[Flag]:
    share = compliance.held_share
    if share is not None and share < limits.min_meetings_held:
        yield Flag("meetings", round(share, 2), limits.min_meetings_held, name)
    days = compliance.median_feedback_days
    if days is not None and days > limits.max_median_feedback_days:
        yield Flag("feedback", days, limits.max_median_feedback_days, name)
    for source in ("trainees", "tutors"):
        low = [
            (avg.score, line.code)
            for line in standards
            if (avg := getattr(line, source)) is not None
            and avg.score < limits.min_evaluation_score
        ]
        if low:
            score, code = min(low)
            yield Flag(source, score, limits.min_evaluation_score, name, code)
    if minutes / 60 < limits.min_training_hours:
        yield Flag("training", round(minutes / 60, 1), limits.min_training_hours, name)
    if not self_evaluated:
        yield Flag("self_evaluation", 0, 1, name)


def _school(
    school_id: int,
    group: list[PlacementFacts],
    answers: list[_Answer],
    mentors: tuple[MentorQuality, ...],
    limits: Thresholds,
) -> SchoolQuality:
    compliance = _compliance(group)
    by_trainees = [a for a in answers if a.kind == EvaluationKind.TRAINEE_OF_MENTOR]
    # The mentor standards' answers are the mentoring; the rest (SC1) are the school's.
    standards = {s.code for s in mentor_standards()}
    trainees = _average(a for a in by_trainees if a.item in standards)
    tutors = _average(a for a in answers if a.kind in TUTOR_KINDS)
    flags: list[Flag] = []
    share = compliance.held_share
    if share is not None and share < limits.min_meetings_held:
        flags.append(Flag("meetings", round(share, 2), limits.min_meetings_held))
    days = compliance.median_feedback_days
    if days is not None and days > limits.max_median_feedback_days:
        flags.append(Flag("feedback", days, limits.max_median_feedback_days))
    for code, avg in (("trainees", trainees), ("tutors", tutors)):
        if avg is not None and avg.score < limits.min_evaluation_score:
            flags.append(Flag(code, avg.score, limits.min_evaluation_score))
    # A mentor's flags are the school's too (named), unless the school as a whole is
    # flagged for the same already.
    whole = {f.code for f in flags}
    flags += [f for m in mentors for f in m.flags if f.code not in whole]
    return SchoolQuality(
        school_id=school_id,
        name=group[0].school_name,
        mentors=mentors,
        compliance=compliance,
        trainees=trainees,
        tutors=tutors,
        school_view=_average(a for a in by_trainees if a.item not in standards),
        training_evaluated=_average(
            a for a in answers if a.kind == EvaluationKind.MENTOR_OF_TRAINING
        ),
        flags=tuple(flags),
    )


async def _answers(session: AsyncSession, ids: Select, year: AcademicYear) -> list[_Answer]:
    """Every answer of the evaluations of these placements submitted in the year."""
    e, a, who = PlacementEvaluation, EvaluationAnswer, aliased(Person)
    stmt = (
        select(
            e.id,
            e.placement_id,
            e.kind,
            who.full_name,
            e.submitted_at,
            e.comment,
            a.item_code,
            a.value,
        )
        .join(a, a.evaluation_id == e.id)
        .join(who, who.id == e.respondent_id)
        .where(
            e.placement_id.in_(ids),
            e.submitted_at >= year.starts_at,
            e.submitted_at < year.ends_at,
        )
        .order_by(e.id, a.item_code)
    )
    return [_Answer(*row) for row in (await session.execute(stmt)).all()]


def self_rag_counts(rags: Iterable[str]) -> dict[str, int]:
    """How many items of a standard the mentor rated Green, Amber, Red."""
    counts = {r.value: 0 for r in Rag}
    for rag in rags:
        counts[rag] = counts.get(rag, 0) + 1
    return counts
