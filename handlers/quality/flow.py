"""`quality [mentor]`: a mentor's quality this academic year, in chat.

A mentor sees their own (the trainees' evaluations only as averages over at least three
trainees: the read enforces it); a lead mentor their school's mentors; an ITT lead or
admin every school. Without a name, a lead mentor or ITT lead gets the schools' lines."""

from __future__ import annotations

import logging

from handlers.context import Ctx
from handlers.quality import words
from handlers.reports import links
from handlers.text import say, t
from handlers.ui import Block, Facts, Message, Reply, Section, date_text
from storage.enums import Role
from storage.reports import scope
from storage.reports.quality import mentor_quality, quality
from storage.reports.quality_facts import Scope
from storage.reports.quality_people import mentors_matching
from storage.reports.quality_records import (
    MIN_TRAINEES,
    Audience,
    MentorQuality,
    SchoolQuality,
)
from storage.reports.years import AcademicYear, containing

log = logging.getLogger(__name__)
MAX_QUERY = 200
# Lines of schools in one chat answer; the rest are in `mentorbot report quality`.
MAX_SCHOOLS = 15


def _leads(ctx: Ctx) -> bool:
    return bool(ctx.actor.roles & (scope.PARTNERSHIP_ROLES | {Role.LEAD_MENTOR}))


async def start(ctx: Ctx) -> Reply:
    """Lead mentors and ITT leads: their schools; a mentor: their own figures."""
    if _leads(ctx):
        return await _schools(ctx)
    if ctx.actor.has(Role.MENTOR):
        return await _one(ctx, ctx.actor.person_id, ctx.actor.name, Audience.MENTOR, None)
    return say("quality_not_allowed")


async def named(ctx: Ctx, query: str) -> Reply:
    """`quality Mo Mentor` (or an e-mail): that mentor, if the asker may see them."""
    query = query.strip()[:MAX_QUERY]
    if not query:
        return await start(ctx)
    if not _leads(ctx):
        if not ctx.actor.has(Role.MENTOR):
            return say("quality_not_allowed")
        mine = await mentors_matching(ctx.session, query, school_ids=None, limit=50)
        if ctx.actor.person_id not in {pid for pid, _ in mine}:
            log.info("quality refused: person_id=%s asked for another mentor", ctx.actor.person_id)
            return say("quality_own_only", cmd=ctx.command_prefix)
        return await _one(ctx, ctx.actor.person_id, ctx.actor.name, Audience.MENTOR, None)
    schools = await scope.school_scope(ctx.session, ctx.actor.person_id, ctx.actor.roles)
    found = await mentors_matching(ctx.session, query, school_ids=schools, limit=10)
    if not found:
        return say("quality_no_match", query=query)
    if len(found) > 1:
        exact = [(pid, name) for pid, name in found if name.lower() == query.lower()]
        if len(exact) != 1:
            return say("quality_many", query=query, names=", ".join(n for _, n in found))
        found = exact
    mentor_id, name = found[0]
    # Looking at yourself is the mentor's view, whatever else you are: a lead mentor who
    # mentors does not read their own trainees' answers one by one.
    own = mentor_id == ctx.actor.person_id and not ctx.actor.roles & scope.PARTNERSHIP_ROLES
    return await _one(ctx, mentor_id, name, Audience.MENTOR if own else Audience.FULL, schools)


def _year(ctx: Ctx) -> AcademicYear:
    return containing(ctx.today)


async def _one(
    ctx: Ctx, mentor_id: int, name: str, audience: Audience, schools: frozenset[int] | None
) -> Reply:
    year = _year(ctx)
    found = await mentor_quality(
        ctx.session, year, mentor_id, audience=audience, now=ctx.now, school_ids=schools
    )
    if found is None:
        return say("quality_no_trainees", name=name, year=year.label)
    log.info(
        "quality shown: person_id=%s mentor_id=%s audience=%s",
        ctx.actor.person_id,
        mentor_id,
        audience.value,
    )
    blocks = mentor_blocks(found, year)
    before = await mentor_quality(
        ctx.session, year.previous(), mentor_id, audience=audience, now=ctx.now, school_ids=schools
    )
    if before is not None:
        blocks.append(Section(_compared(before, year.previous())))
    settings = links.current()
    if settings is not None:
        url = settings.make("quality", person_id=ctx.actor.person_id, now=ctx.now, target=mentor_id)
        blocks.append(Section(t("quality_link", url=url, hours=settings.hours)))
    title = t("quality_title", name=found.name, year=year.label)
    return Reply(message=Message(title, tuple(blocks)))


def _compared(m: MentorQuality, year: AcademicYear) -> str:
    """Last year's headline figures, for quality over time in one line."""
    return t(
        "quality_last_year",
        year=year.label,
        held=words.percent(m.compliance.held_share),
        hours=words.hours(m.training_minutes),
        trainees=words.average(m.overall("trainees")),
        tutors=words.average(m.overall("tutors")),
    )


def mentor_blocks(m: MentorQuality, year: AcademicYear) -> list[Block]:
    """One mentor's figures: the facts, a line per standard, the flags, and (lead mentors
    and ITT leads only: the read leaves them out otherwise) each evaluation in full."""
    c = m.compliance
    self_at = date_text(m.self_evaluated_at.date()) if m.self_evaluated_at else None
    facts = (
        (t("q_trainees"), str(m.trainees)),
        (t("q_meetings"), words.meetings(c)),
        (t("q_feedback"), words.feedback(c)),
        (
            t("q_training"),
            t(
                "q_training_value",
                hours=words.hours(m.training_minutes),
                sessions=m.training_sessions,
            ),
        ),
        (t("q_self_evaluated"), self_at or t("q_not_self_evaluated")),
        (
            t("q_evaluations"),
            t("q_evaluations_value", trainees=m.trainee_evaluations, tutors=m.tutor_evaluations)
            if not m.trainees_withheld
            else t("q_evaluations_value", trainees="–", tutors=m.tutor_evaluations),
        ),
    )
    title = t("quality_title", name=m.name, year=year.label)
    blocks: list[Block] = [Section(title, heading=title), Facts(facts)]
    lines = [
        f"*{s.code}* {s.title.split(' - ', 1)[-1]}: {t('q_self')} {words.self_rags(s.self_rags)}"
        f" · {t('q_tutors')} {words.average(s.tutors)}"
        f" · {t('q_trainees_short')} {words.average(s.trainees)}"
        for s in m.standards
    ]
    blocks.append(Section("\n".join(lines), heading=t("q_standards_heading")))
    if m.trainees_withheld:
        blocks.append(Section(t("q_withheld", min=MIN_TRAINEES)))
    elif not m.evaluations and m.trainee_evaluations:
        blocks.append(Section(t("q_anonymous_note", n=m.trainee_evaluations)))
    flags = words.mentor_flags(m)
    blocks.append(
        Section("\n".join(flags), heading=t("q_flags_heading"))
        if flags
        else Section(t("q_no_flags"))
    )
    if m.evaluations:
        blocks.append(Section(_in_full(m), heading=t("q_in_full_heading")))
    return blocks


def _in_full(m: MentorQuality) -> str:
    lines = []
    for e in m.evaluations:
        answers = ", ".join(f"{code} {words.agreement(v)}" for code, v in sorted(e.answers.items()))
        line = t(
            "q_in_full_line",
            respondent=e.respondent,
            kind=words.kind(e.kind),
            date=date_text(e.submitted_at.date()),
            answers=answers,
        )
        lines.append(line + (f" — “{e.comment}”" if e.comment else ""))
    return "\n".join(lines)


async def _schools(ctx: Ctx) -> Reply:
    year = _year(ctx)
    schools = await scope.school_scope(ctx.session, ctx.actor.person_id, ctx.actor.roles)
    report = await quality(
        ctx.session, year, Scope(school_ids=schools), audience=Audience.FULL, now=ctx.now
    )
    if not report.schools:
        return say("quality_nobody", year=year.label)
    own = await _own_view(ctx, year, schools)
    title = t("quality_schools_title", year=year.label)
    lines = [_school_line(s, own) for s in report.schools[:MAX_SCHOOLS]]
    blocks: list[Block] = [Section("\n".join(lines), heading=title)]
    more = len(report.schools) - MAX_SCHOOLS
    if more > 0:
        blocks.append(
            Section(
                t(
                    "quality_more_schools",
                    n=more,
                    schools="school" if more == 1 else "schools",
                    year=year.label,
                )
            )
        )
    blocks.append(Section(t("quality_pick_hint", cmd=ctx.command_prefix)))
    return Reply(message=Message(title, tuple(blocks)))


async def _own_view(
    ctx: Ctx, year: AcademicYear, schools: frozenset[int] | None
) -> MentorQuality | None:
    """A lead mentor who also mentors sees their own line as a mentor does (ITT leads and
    admins see everyone in full: None)."""
    if ctx.actor.roles & scope.PARTNERSHIP_ROLES:
        return None
    return await mentor_quality(
        ctx.session,
        year,
        ctx.actor.person_id,
        audience=Audience.MENTOR,
        now=ctx.now,
        school_ids=schools,
    )


def _school_line(s: SchoolQuality, own: MentorQuality | None) -> str:
    # Where the asker's own trainees' evaluations are withheld from them, the school's
    # trainees' figures are too: beside the other mentors' (seen in full) they would give
    # the asker's own trainees' answers away by difference.
    mine = own is not None and any(m.mentor_id == own.mentor_id for m in s.mentors)
    hide = mine and own is not None and own.trainees_withheld
    flags = [f for f in s.flags if not (hide and f.code == "trainees")]
    head = t(
        "quality_school_line",
        school=s.name,
        held=words.percent(s.compliance.held_share),
        feedback=words.feedback(s.compliance),
        trainees="–" if hide else words.average(s.trainees),
        tutors=words.average(s.tutors),
        flags=t("quality_flag_count", n=len(flags)) if flags else "",
    )
    shown = [own if own is not None and m.mentor_id == own.mentor_id else m for m in s.mentors]
    mentors = [
        t(
            "quality_mentor_line",
            name=m.name,
            held=words.percent(m.compliance.held_share),
            hours=words.hours(m.training_minutes),
            trainees="–" if m.trainees_withheld else words.average(m.overall("trainees")),
            flags=t("quality_flag_count", n=len(m.flags)) if m.flags else "",
        )
        for m in shown
    ]
    return "\n".join([head, *mentors])
