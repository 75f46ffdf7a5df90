"""The roster and calendar as a whole: the rows read by `csvfiles`, checked across rows
and files (one person, one school, one placement each), ready to apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from storage.enums import Role
from storage.imports.csvfiles import (
    CalendarRow,
    ImportRejected,
    Parsed,
    PersonRow,
    PlacementRow,
    RowError,
)

# ---------------------------------------------------------------------------------------
# The roster as a whole: what the files say, checked across rows and files


@dataclass
class PersonSpec:
    email: str
    name: str
    roles: set[str]
    file: str
    line: int


@dataclass
class SchoolSpec:
    name: str
    platform: str
    timezone: str | None
    line: int
    timezone_line: int


@dataclass(frozen=True, slots=True)
class PlacementSpec:
    trainee_email: str
    mentor_email: str
    lead_mentor_email: str
    school: str
    programme: str
    start_date: date
    end_date: date
    tutor_email: str | None = None
    file: str = ""
    line: int = 0


@dataclass
class Roster:
    """Everything a valid set of roster files says, keyed by each thing's natural key."""

    files: list[str]
    rows: int
    people: dict[str, PersonSpec]
    schools: dict[str, SchoolSpec]
    programmes: list[str]
    placements: list[PlacementSpec]


def build_roster(
    placements: Parsed[PlacementRow], people: Parsed[PersonRow] | None = None
) -> Roster:
    """Check the files against each other; raise ImportRejected listing every problem."""
    errors = list(placements.errors)
    if people is not None:
        errors.extend(people.errors)
    found: dict[str, PersonSpec] = {}
    schools: dict[str, SchoolSpec] = {}
    programmes: dict[str, None] = {}
    keys: dict[tuple[str, str, date], int] = {}
    specs: list[PlacementSpec] = []

    def person(file: str, line: int, email: str, name: str, roles: set[str]) -> str | None:
        known = found.get(email)
        if known is None:
            found[email] = PersonSpec(email, name, set(roles), file, line)
            return None
        if known.name != name:
            where = (
                f"line {known.line}" if known.file == file else f"{known.file} line {known.line}"
            )
            return f"{email} is named {name!r} here but {known.name!r} on {where}"
        known.roles |= roles
        return None

    pfile = placements.file
    for row in placements.rows:
        problems = [
            person(pfile, row.line, row.trainee_email, row.trainee_name, {Role.TRAINEE.value}),
            person(pfile, row.line, row.mentor_email, row.mentor_name, {Role.MENTOR.value}),
            person(
                pfile,
                row.line,
                row.lead_mentor_email,
                row.lead_mentor_name,
                {Role.LEAD_MENTOR.value},
            ),
        ]
        school = schools.get(row.school)
        if school is None:
            schools[row.school] = SchoolSpec(
                row.school, row.school_platform, row.school_timezone, row.line, row.line
            )
        else:
            if school.platform != row.school_platform:
                problems.append(
                    f"school {row.school!r} is on {row.school_platform} here but on "
                    f"{school.platform} on line {school.line}"
                )
            if row.school_timezone is not None:
                if school.timezone is None:
                    school.timezone, school.timezone_line = row.school_timezone, row.line
                elif school.timezone != row.school_timezone:
                    problems.append(
                        f"school {row.school!r} has time zone {row.school_timezone} here "
                        f"but {school.timezone} on line {school.timezone_line}"
                    )
        key = (row.trainee_email, row.programme, row.start_date)
        if key in keys:
            problems.append(
                f"duplicate placement: same trainee, programme and start_date as line {keys[key]}"
            )
        else:
            keys[key] = row.line
        programmes[row.programme] = None
        specs.append(
            PlacementSpec(
                row.trainee_email,
                row.mentor_email,
                row.lead_mentor_email,
                row.school,
                row.programme,
                row.start_date,
                row.end_date,
                row.tutor_email,
                pfile,
                row.line,
            )
        )
        errors.extend(RowError(pfile, row.line, p) for p in dict.fromkeys(problems) if p)

    rows = len(placements.rows)
    files = [pfile]
    if people is not None:
        files.append(people.file)
        rows += len(people.rows)
        for prow in people.rows:
            problem = person(people.file, prow.line, prow.email, prow.name, set(prow.roles))
            if problem:
                errors.append(RowError(people.file, prow.line, problem))

    if errors:
        raise ImportRejected(errors)
    return Roster(files, rows, found, schools, list(programmes), specs)


@dataclass
class Calendar:
    file: str
    programmes: list[str]
    rows: list[CalendarRow]
    # programme -> (framework code, the first line giving it), from the optional column
    frameworks: dict[str, tuple[str, int]] = field(default_factory=dict)


def build_calendar(parsed: Parsed[CalendarRow]) -> Calendar:
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    programmes = list(dict.fromkeys(r.programme for r in parsed.rows))
    frameworks: dict[str, tuple[str, int]] = {}
    errors: list[RowError] = []
    for row in parsed.rows:
        if not row.framework:
            continue
        code, line = frameworks.setdefault(row.programme, (row.framework, row.line))
        if code != row.framework:
            errors.append(
                RowError(
                    parsed.file,
                    row.line,
                    f"framework {row.framework!r} for programme {row.programme!r} differs "
                    f"from {code!r} on line {line}",
                )
            )
    if errors:
        raise ImportRejected(errors)
    return Calendar(parsed.file, programmes, parsed.rows, frameworks)
