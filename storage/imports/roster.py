"""Apply a checked roster (people, roles, schools, programmes, placements) to the database.

Set-based: the existing records are loaded in a handful of queries, compared in memory by
natural key (e-mail, school name, programme name, trainee + programme + start date), and
only what differs is written, in chunked bulk statements, in one transaction. Nothing is
ever deleted and roles are only ever added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import refresh_statistics, transaction
from storage.enums import Role
from storage.imports.bulk import Counts, ImportResult, Writer, table
from storage.imports.csvfiles import DEFAULT_TIMEZONE, Progress
from storage.imports.rows import ImportRejected, RowError
from storage.imports.whole import PersonSpec, Roster
from storage.models import AuditEntry, Person, PersonRole, Placement, Programme, School
from storage.types import utcnow

PERSON = table(Person)
ROLE = table(PersonRole)
SCHOOL = table(School)
PROGRAMME = table(Programme)
PLACEMENT = table(Placement)

ACTION = "import_roster"


@dataclass
class _Existing:
    people: dict[str, tuple[int, str]]  # email -> (id, full name)
    roles: set[tuple[int, str]]  # (person id, role)
    schools: dict[str, tuple[int, str, str]]  # name -> (id, platform, timezone)
    programmes: dict[str, int]  # name -> id
    # (trainee email, programme, start) -> (id, mentor email, lead email, school, end)
    placements: dict[tuple[str, str, date], tuple[int, str, str, str, date]]
    tutors: dict[int, str | None] = field(default_factory=dict)  # placement id -> tutor email


@dataclass
class _Plan:
    new_people: list[PersonSpec] = field(default_factory=list)
    renamed: list[dict[str, Any]] = field(default_factory=list)
    new_roles: list[tuple[str, str]] = field(default_factory=list)  # (email, role)
    new_schools: list[dict[str, Any]] = field(default_factory=list)
    changed_schools: list[dict[str, Any]] = field(default_factory=list)
    new_programmes: list[str] = field(default_factory=list)
    new_placements: list[int] = field(default_factory=list)  # indexes into roster.placements
    changed_placements: list[tuple[int, int]] = field(default_factory=list)  # (id, index)

    @property
    def writes(self) -> int:
        return (
            len(self.new_people)
            + len(self.renamed)
            + len(self.new_roles)
            + len(self.new_schools)
            + len(self.changed_schools)
            + len(self.new_programmes)
            + len(self.new_placements)
            + len(self.changed_placements)
        )


async def import_roster(
    sessions: async_sessionmaker[AsyncSession],
    roster: Roster,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Bring the database into line with the roster; a dry run only says what would change."""
    if dry_run:
        async with sessions() as session:
            existing = await _load(session, roster)
            _plan, result = _compare(roster, existing, dry_run=True)
            await session.rollback()
        return result
    async with transaction(sessions) as session:
        existing = await _load(session, roster)
        plan, result = _compare(roster, existing, dry_run=False)
        await _apply(session, roster, existing, plan, progress)
        session.add(AuditEntry(action=ACTION, entity="roster", detail=result.audit_detail()))
    tables = ["person", "person_role", "school", "programme", "placement"]
    await refresh_statistics(sessions, tables, written=plan.writes)
    return result


async def _load(session: AsyncSession, roster: Roster) -> _Existing:
    people_rows = (
        await session.execute(select(PERSON.c.id, PERSON.c.email, PERSON.c.full_name))
    ).all()
    people = {email: (pid, name) for pid, email, name in people_rows}
    emails = {pid: email for pid, email, _ in people_rows}
    roles = {
        (pid, role)
        for pid, role in (await session.execute(select(ROLE.c.person_id, ROLE.c.role))).all()
    }
    school_rows = (
        await session.execute(
            select(SCHOOL.c.id, SCHOOL.c.name, SCHOOL.c.platform, SCHOOL.c.timezone)
        )
    ).all()
    schools = {name: (sid, platform, tz) for sid, name, platform, tz in school_rows}
    school_names = {sid: name for sid, name, _, _ in school_rows}
    programmes = {
        name: pid
        for pid, name in (await session.execute(select(PROGRAMME.c.id, PROGRAMME.c.name))).all()
    }
    programme_names = {pid: name for name, pid in programmes.items()}
    wanted = [programmes[p] for p in roster.programmes if p in programmes]
    placements: dict[tuple[str, str, date], tuple[int, str, str, str, date]] = {}
    tutors: dict[int, str | None] = {}
    if wanted:
        query = select(
            PLACEMENT.c.id,
            PLACEMENT.c.trainee_id,
            PLACEMENT.c.programme_id,
            PLACEMENT.c.start_date,
            PLACEMENT.c.mentor_id,
            PLACEMENT.c.lead_mentor_id,
            PLACEMENT.c.school_id,
            PLACEMENT.c.end_date,
            PLACEMENT.c.tutor_id,
        ).where(PLACEMENT.c.programme_id.in_(wanted))
        for pl_id, trainee, prog, start, mentor, lead, school, end, tutor in (
            await session.execute(query)
        ).all():
            key = (emails[trainee], programme_names[prog], start)
            placements[key] = (pl_id, emails[mentor], emails[lead], school_names[school], end)
            tutors[pl_id] = emails[tutor] if tutor is not None else None
    return _Existing(people, roles, schools, programmes, placements, tutors)


def _check_tutors(roster: Roster, existing: _Existing) -> None:
    """A placement's tutor must hold the tutor role: in this import's people or already."""
    errors = []
    for spec in roster.placements:
        email = spec.tutor_email
        if email is None:
            continue
        given = roster.people.get(email)
        known = existing.people.get(email)
        if given is not None and Role.TUTOR in given.roles:
            continue
        if known is not None and (known[0], Role.TUTOR.value) in existing.roles:
            continue
        if given is None and known is None:
            problem = f"tutor_email {email} is not in the people file (add them with role tutor)"
        else:
            problem = f"tutor_email {email} is not a tutor (give them the role tutor)"
        errors.append(RowError(spec.file, spec.line, problem))
    if errors:
        raise ImportRejected(errors)


def _compare(roster: Roster, existing: _Existing, *, dry_run: bool) -> tuple[_Plan, ImportResult]:
    _check_tutors(roster, existing)
    plan = _Plan()
    now = utcnow()
    result = ImportResult(ACTION, list(roster.files), roster.rows, dry_run)
    people = result.counts["people"] = Counts()
    roles = result.counts["roles"] = Counts()
    schools = result.counts["schools"] = Counts()
    programmes = result.counts["programmes"] = Counts()
    placements = result.counts["placements"] = Counts()

    for email, spec in roster.people.items():
        known = existing.people.get(email)
        if known is None:
            plan.new_people.append(spec)
            plan.new_roles.extend((email, role) for role in sorted(spec.roles))
            people.created += 1
            roles.created += len(spec.roles)
            continue
        pid, name = known
        if name != spec.name:
            plan.renamed.append({"id": pid, "full_name": spec.name, "updated_at": now})
            people.updated += 1
        else:
            people.unchanged += 1
        for role in sorted(spec.roles):
            if (pid, role) in existing.roles:
                roles.unchanged += 1
            else:
                plan.new_roles.append((email, role))
                roles.created += 1

    for name, school in roster.schools.items():
        known_school = existing.schools.get(name)
        if known_school is None:
            plan.new_schools.append(
                {
                    "name": name,
                    "platform": school.platform,
                    "timezone": school.timezone or DEFAULT_TIMEZONE,
                }
            )
            schools.created += 1
            continue
        sid, platform, timezone = known_school
        new_timezone = school.timezone or timezone
        if (platform, timezone) != (school.platform, new_timezone):
            plan.changed_schools.append(
                {"id": sid, "platform": school.platform, "timezone": new_timezone}
            )
            schools.updated += 1
        else:
            schools.unchanged += 1

    for name in roster.programmes:
        if name in existing.programmes:
            programmes.unchanged += 1
        else:
            plan.new_programmes.append(name)
            programmes.created += 1

    for index, placement in enumerate(roster.placements):
        known_placement = existing.placements.get(
            (placement.trainee_email, placement.programme, placement.start_date)
        )
        if known_placement is None:
            plan.new_placements.append(index)
            placements.created += 1
            continue
        pl_id, *now_values = known_placement
        wanted = [
            placement.mentor_email,
            placement.lead_mentor_email,
            placement.school,
            placement.end_date,
        ]
        tutor_changed = placement.tutor_email not in (None, existing.tutors.get(pl_id))
        if now_values != wanted or tutor_changed:
            plan.changed_placements.append((pl_id, index))
            placements.updated += 1
        else:
            placements.unchanged += 1
    return plan, result


async def _apply(
    session: AsyncSession,
    roster: Roster,
    existing: _Existing,
    plan: _Plan,
    progress: Progress | None,
) -> None:
    write = Writer(session, plan.writes, progress)
    now = utcnow()

    await write.insert(PROGRAMME, [{"name": name} for name in plan.new_programmes])
    programme_ids = dict(existing.programmes)
    if plan.new_programmes:
        rows = await session.execute(select(PROGRAMME.c.id, PROGRAMME.c.name))
        programme_ids = {name: pid for pid, name in rows.all()}

    await write.insert(SCHOOL, plan.new_schools)
    await write.update(SCHOOL, plan.changed_schools)
    school_ids = {name: sid for name, (sid, _, _) in existing.schools.items()}
    if plan.new_schools:
        rows = await session.execute(select(SCHOOL.c.id, SCHOOL.c.name))
        school_ids = {name: sid for sid, name in rows.all()}

    await write.insert(
        PERSON,
        [
            {"email": p.email, "full_name": p.name, "created_at": now, "updated_at": now}
            for p in plan.new_people
        ],
    )
    await write.update(PERSON, plan.renamed)
    person_ids = {email: pid for email, (pid, _) in existing.people.items()}
    if plan.new_people:
        rows = await session.execute(select(PERSON.c.id, PERSON.c.email))
        person_ids = {email: pid for pid, email in rows.all()}

    await write.insert(
        ROLE, [{"person_id": person_ids[email], "role": role} for email, role in plan.new_roles]
    )

    def values(index: int) -> dict[str, Any]:
        spec = roster.placements[index]
        return {
            "trainee_id": person_ids[spec.trainee_email],
            "programme_id": programme_ids[spec.programme],
            "start_date": spec.start_date,
            "mentor_id": person_ids[spec.mentor_email],
            "lead_mentor_id": person_ids[spec.lead_mentor_email],
            "school_id": school_ids[spec.school],
            "end_date": spec.end_date,
            "tutor_id": person_ids[spec.tutor_email] if spec.tutor_email else None,
        }

    await write.insert(PLACEMENT, [values(i) for i in plan.new_placements])
    changed = []
    for pl_id, index in plan.changed_placements:
        row = values(index)
        changed.append(
            {
                "id": pl_id,
                "mentor_id": row["mentor_id"],
                "lead_mentor_id": row["lead_mentor_id"],
                "school_id": row["school_id"],
                "end_date": row["end_date"],
                # No tutor in the file (or no column) leaves the placement's tutor as is.
                "tutor_id": row["tutor_id"] or person_ids.get(existing.tutors.get(pl_id) or ""),
            }
        )
    await write.update(PLACEMENT, changed)
