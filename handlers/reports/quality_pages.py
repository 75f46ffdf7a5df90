"""Mentor quality as pages and files: a mentor's page over the academic years (behind a
signed link: `quality` in chat), and the annual quality report per school
(`mentorbot report quality`: a table, CSV or HTML).

Who sees what is decided here from the roster, asked again when a link is opened: the
mentor themselves (trainees only as averages: `Audience.MENTOR`), the lead mentor of a
school they mentor at (that school's placements, in full) and ITT leads and admins (in
full). The read itself enforces the anonymity rule (storage/reports/quality.py)."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.quality import words
from handlers.reports import render
from storage.enums import Role
from storage.reports import scope
from storage.reports.quality import mentor_quality
from storage.reports.quality_people import mentors_schools, name_of
from storage.reports.quality_records import (
    MIN_TRAINEES,
    Audience,
    MentorQuality,
    QualityReport,
)
from storage.reports.years import AcademicYear, containing

if TYPE_CHECKING:
    from jinja2 import Environment

# How many academic years a mentor's page goes back.
YEARS_SHOWN = 5


def _environment() -> Environment:
    env = render.environment()
    if "self_rags" not in env.filters:
        env.filters.update(
            self_rags=words.self_rags,
            average=words.average,
            meetings=words.meetings,
            feedback=words.feedback,
            hours=words.hours,
            flag=words.flag,
            own_flag=lambda f: words.flag(dataclasses.replace(f, mentor=None)),
            kind=words.kind,
            agreement=lambda code: words.agreement(code) if code else "–",
            pct=words.percent,
            number=words.number,
        )
    return env


def mentor_html(
    name: str, history: list[tuple[AcademicYear, MentorQuality | None]], *, generated_at: datetime
) -> str:
    template = _environment().get_template("mentor_quality.html.j2")
    return template.render(
        name=name, history=history, generated_at=generated_at, min_trainees=MIN_TRAINEES
    )


def report_html(report: QualityReport) -> str:
    template = _environment().get_template("quality.html.j2")
    return template.render(report=report, min_trainees=MIN_TRAINEES, year_before=words.year_before)


async def mentor_page(
    session: AsyncSession, person_id: int, roles: frozenset[str], mentor_id: int, now: datetime
) -> str | None:
    """The mentor's page for this person, or None when they may not see it (a 403)."""
    rights = await _rights(session, person_id, roles, mentor_id)
    name = await name_of(session, mentor_id)
    if rights is None or name is None:
        return None
    audience, schools = rights
    history: list[tuple[AcademicYear, MentorQuality | None]] = []
    year = containing(now.date())
    for _ in range(YEARS_SHOWN):
        found = await mentor_quality(
            session, year, mentor_id, audience=audience, now=now, school_ids=schools
        )
        history.append((year, found))
        year = year.previous()
    while len(history) > 1 and history[-1][1] is None:
        history.pop()  # years before they mentored anyone
    return await asyncio.to_thread(mentor_html, name, history, generated_at=now)


async def _rights(
    session: AsyncSession, person_id: int, roles: frozenset[str], mentor_id: int
) -> tuple[Audience, frozenset[int] | None] | None:
    if roles & scope.PARTNERSHIP_ROLES:
        return Audience.FULL, None
    if person_id == mentor_id and roles & {Role.MENTOR, Role.LEAD_MENTOR}:
        return Audience.MENTOR, None  # themselves: never one trainee's answers
    if Role.LEAD_MENTOR in roles:
        led = await scope.schools_led(session, person_id)
        if led & await mentors_schools(session, mentor_id):
            return Audience.FULL, led
    return None


CSV_HEADER = (
    "academic_year",
    "school",
    "mentor",
    "trainees",
    "meetings_held",
    "meetings_due",
    "meetings_held_percent",
    "observations",
    "median_days_to_feedback",
    "trainee_evaluations",
    "trainee_average",
    "tutor_evaluations",
    "tutor_average",
    "school_view_average",
    "training_evaluated_average",
    "training_hours",
    "self_evaluated_on",
    *(f"MS{n}_{what}" for n in range(1, 5) for what in ("self", "tutors", "trainees")),
    "flags",
)


def report_csv(report: QualityReport) -> str:
    """One row per school (mentor empty), then one per mentor there; averages as numbers
    (5 strongly agree ... 1 strongly disagree), flags as their words."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    year = report.year.label
    for s in report.schools:
        c = s.compliance
        writer.writerow(
            [
                year,
                s.name,
                "",
                sum(m.trainees for m in s.mentors),
                c.weeks_held,
                c.weeks_due,
                _pct(c.held_share),
                c.observations,
                _num(c.median_feedback_days),
                s.trainees.evaluations if s.trainees else 0,
                _num(s.trainees.score if s.trainees else None),
                s.tutors.evaluations if s.tutors else 0,
                _num(s.tutors.score if s.tutors else None),
                _num(s.school_view.score if s.school_view else None),
                _num(s.training_evaluated.score if s.training_evaluated else None),
                words.hours(sum(m.training_minutes for m in s.mentors)),
                "",
                *([""] * 12),
                "; ".join(words.flag(f) for f in s.flags),
            ]
        )
        writer.writerows(_mentor_row(year, s.name, m) for m in s.mentors)
    return out.getvalue()


def _mentor_row(year: str, school: str, m: MentorQuality) -> list[object]:
    c = m.compliance
    trainees, tutors = m.overall("trainees"), m.overall("tutors")
    per_standard: list[object] = []
    for line in m.standards:
        counts = words.self_rags(line.self_rags) if line.self_rags else ""
        per_standard += [
            counts,
            _num(line.tutors.score if line.tutors else None),
            _num(line.trainees.score if line.trainees else None),
        ]
    return [
        year,
        school,
        m.name,
        m.trainees,
        c.weeks_held,
        c.weeks_due,
        _pct(c.held_share),
        c.observations,
        _num(c.median_feedback_days),
        m.trainee_evaluations,
        _num(trainees.score if trainees else None),
        m.tutor_evaluations,
        _num(tutors.score if tutors else None),
        "",  # the trainees' view of the school is the school's
        "",  # the training's evaluation is the school's (a mentor's own is in the page)
        words.hours(m.training_minutes),
        m.self_evaluated_at.date().isoformat() if m.self_evaluated_at else "",
        *per_standard,
        "; ".join(words.mentor_flags(m)),
    ]


def _pct(share: float | None) -> str:
    return "" if share is None else str(round(share * 100))


def _num(value: float | None) -> str:
    return "" if value is None else words.number(round(value, 2))
