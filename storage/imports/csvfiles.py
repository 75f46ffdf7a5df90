"""Read and check the roster and calendar CSV files. No database here: plain data in and out.

Every problem in a file is collected (not just the first), each tied to the line it is on
as a spreadsheet user sees it (the header is line 1). A file with any problem is rejected
whole by the caller; see docs/csv-formats.md.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.enums import CalendarKind, Platform, Role
from storage.imports.rows import (
    CalendarRow,
    CsvFileError,
    ImportRejected,
    Parsed,
    PersonRow,
    PlacementRow,
    Progress,
    RowError,
)

__all__ = [
    "CalendarRow",
    "CsvFileError",
    "ImportRejected",
    "Parsed",
    "PersonRow",
    "PlacementRow",
    "Progress",
    "RowError",
    "parse_date",
    "read_calendar",
    "read_people",
    "read_placements",
    "valid_timezone",
]

DEFAULT_TIMEZONE = "Europe/London"

PLACEMENT_COLUMNS: tuple[str, ...] = (
    "trainee_name",
    "trainee_email",
    "mentor_name",
    "mentor_email",
    "lead_mentor_name",
    "lead_mentor_email",
    "school",
    "school_platform",
    "programme",
    "start_date",
    "end_date",
)
PLACEMENT_OPTIONAL_COLUMNS: tuple[str, ...] = ("school_timezone", "tutor_email")
PEOPLE_COLUMNS: tuple[str, ...] = ("name", "email", "roles")
CALENDAR_COLUMNS: tuple[str, ...] = ("programme", "kind", "name", "start_date", "end_date")
CALENDAR_OPTIONAL_COLUMNS: tuple[str, ...] = ("framework",)

# The widths of the columns the values end up in (see storage/models).
MAX_NAME = 200
MAX_EMAIL = 254
MAX_TIMEZONE = 64

# Platforms a school can be on (the console is for development only).
SCHOOL_PLATFORMS: tuple[str, ...] = (Platform.SLACK.value, Platform.TEAMS.value)

_EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"'.][^@\s,;<>\"']*$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_SPACES = re.compile(r"\s+")

# ---------------------------------------------------------------------------------------
# Reading the file


def _read_text(path: Path) -> str:
    name = path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise CsvFileError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise CsvFileError(f"{path}: is a directory, not a CSV file") from exc
    except PermissionError as exc:
        raise CsvFileError(f"{path}: permission denied") from exc
    except OSError as exc:
        raise CsvFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvFileError(
            f"{name} is not UTF-8 text (first bad byte on line {line}); "
            "save it as 'CSV UTF-8' and try again"
        ) from exc
    if not text.strip():
        raise CsvFileError(f"{name} is empty")
    return text


def _records(text: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, cells) for each non-blank record, header first."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_end = 0
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            yield start, cells
    except csv.Error as exc:
        raise CsvFileError(
            f"{name} is not a readable CSV file (line {previous_end + 1}: {exc})"
        ) from exc


def _clean(value: str) -> str:
    """Trim and collapse runs of white space: 'Jane  Smith ' is 'Jane Smith'."""
    return _SPACES.sub(" ", value).strip()


class _Row:
    """One record's cells by column name, collecting what is wrong with them."""

    def __init__(self, file: str, line: int, values: dict[str, str]) -> None:
        self.file = file
        self.line = line
        self.values = values
        self.errors: list[RowError] = []

    def error(self, message: str) -> None:
        self.errors.append(RowError(self.file, self.line, message))

    def text(self, column: str, max_len: int = MAX_NAME) -> str:
        value = _clean(self.values.get(column, ""))
        if not value:
            self.error(f"empty {column}")
        elif len(value) > max_len:
            self.error(f"{column} is longer than {max_len} characters")
        return value

    def email(self, column: str) -> str:
        value = self.values.get(column, "").strip().lower()
        if not value:
            self.error(f"empty {column}")
        elif len(value) > MAX_EMAIL or not _EMAIL.match(value):
            self.error(f"bad email in {column}: {value!r}")
        return value

    def when(self, column: str) -> date | None:
        raw = self.values.get(column, "").strip()
        if not raw:
            self.error(f"empty {column}")
            return None
        parsed = parse_date(raw)
        if parsed is None:
            self.error(f"bad date in {column}: {raw!r} (use YYYY-MM-DD or DD/MM/YYYY)")
        return parsed

    def dates(self) -> tuple[date, date] | None:
        start, end = self.when("start_date"), self.when("end_date")
        if start is None or end is None:
            return None
        if end < start:
            self.error(f"end_date {end.isoformat()} is before start_date {start.isoformat()}")
            return None
        return start, end


def parse_date(raw: str) -> date | None:
    """ISO 2025-09-01, or 01/09/2025 as written in England (day first); nothing else."""
    iso = _ISO_DATE.match(raw)
    uk = _UK_DATE.match(raw)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if uk:
            return date(int(uk[3]), int(uk[2]), int(uk[1]))
    except ValueError:
        return None
    return None


def _role(raw: str) -> str | None:
    key = _SPACES.sub("_", raw.strip().lower().replace("-", " "))
    return key if key in {r.value for r in Role} else None


def _columns(names: Sequence[str]) -> str:
    return ("column " if len(names) == 1 else "columns ") + ", ".join(names)


def _read(
    path: Path,
    required: Sequence[str],
    optional: Sequence[str],
    progress: Progress | None,
) -> tuple[str, list[str], list[_Row], list[RowError]]:
    """The file's header and its records as `_Row`s, or the header's problems."""
    name = path.name
    text = _read_text(path)
    records = _records(text, name)
    first = next(records, None)
    if first is None:
        raise CsvFileError(f"{name} is empty")
    header_line, header = first
    columns = [c.strip() for c in header]
    problems: list[RowError] = []
    allowed = set(required) | set(optional)
    missing = [c for c in required if c not in columns]
    if missing:
        problems.append(RowError(name, header_line, f"missing {_columns(missing)}"))
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        problems.append(RowError(name, header_line, f"{_columns(twice)} given more than once"))
    unknown = list(dict.fromkeys(c or "(blank)" for c in columns if c not in allowed))
    if unknown:
        hint = ""
        if any(c.lower() in allowed for c in unknown):
            hint = " (column names are lower-case)"
        problems.append(RowError(name, header_line, f"unknown {_columns(unknown)}{hint}"))
    if problems:
        return name, columns, [], problems
    total = max(text.count("\n") - header_line, 1)
    rows: list[_Row] = []
    for line, cells in records:
        row = _Row(name, line, dict(zip(columns, cells, strict=False)))
        if len(cells) != len(columns):
            row.error(f"expected {len(columns)} fields, found {len(cells)}")
        rows.append(row)
        if progress is not None and len(rows) % 1000 == 0:
            progress(f"reading {name}", len(rows), total)
    if not rows:
        raise CsvFileError(f"{name} has a header but no rows")
    if progress is not None:
        progress(f"reading {name}", len(rows), len(rows))
    return name, columns, rows, []


# ---------------------------------------------------------------------------------------
# The three files, row by row


def read_placements(path: Path, progress: Progress | None = None) -> Parsed[PlacementRow]:
    name, _columns, rows, header_errors = _read(
        path, PLACEMENT_COLUMNS, PLACEMENT_OPTIONAL_COLUMNS, progress
    )
    parsed: Parsed[PlacementRow] = Parsed(name, errors=header_errors)
    for row in rows:
        if row.errors:  # a record of the wrong width: its cells cannot be trusted
            parsed.errors.extend(row.errors)
            continue
        trainee_name = row.text("trainee_name")
        trainee_email = row.email("trainee_email")
        mentor_name = row.text("mentor_name")
        mentor_email = row.email("mentor_email")
        lead_name = row.text("lead_mentor_name")
        lead_email = row.email("lead_mentor_email")
        school = row.text("school")
        platform = row.values.get("school_platform", "").strip().lower()
        if not platform:
            row.error("empty school_platform")
        elif platform not in SCHOOL_PLATFORMS:
            row.error(
                f"unknown platform {row.values['school_platform'].strip()!r} "
                f"(expected {' or '.join(SCHOOL_PLATFORMS)})"
            )
        timezone = row.values.get("school_timezone", "").strip() or None
        if timezone is not None and not valid_timezone(timezone):
            row.error(f"unknown time zone {timezone!r} in school_timezone (e.g. Europe/London)")
        programme = row.text("programme")
        dates = row.dates()
        if trainee_email and trainee_email == mentor_email:
            row.error(f"trainee {trainee_email} is their own mentor")
        if trainee_email and trainee_email == lead_email:
            row.error(f"trainee {trainee_email} is their own lead mentor")
        tutor_email = _tutor(row, trainee_email, mentor_email)
        if row.errors or dates is None:
            parsed.errors.extend(row.errors)
            continue
        parsed.rows.append(
            PlacementRow(
                line=row.line,
                trainee_name=trainee_name,
                trainee_email=trainee_email,
                mentor_name=mentor_name,
                mentor_email=mentor_email,
                lead_mentor_name=lead_name,
                lead_mentor_email=lead_email,
                school=school,
                school_platform=platform,
                school_timezone=timezone,
                programme=programme,
                start_date=dates[0],
                end_date=dates[1],
                tutor_email=tutor_email,
            )
        )
    return parsed


def _tutor(row: _Row, trainee_email: str, mentor_email: str) -> str | None:
    """The optional tutor_email: blank is none; whether they are a tutor is checked
    against the people (this import's and the database's) later."""
    if not row.values.get("tutor_email", "").strip():
        return None
    tutor_email = row.email("tutor_email")
    if tutor_email and tutor_email == trainee_email:
        row.error(f"trainee {trainee_email} is their own tutor")
    elif tutor_email and tutor_email == mentor_email:
        row.error(f"mentor {mentor_email} is also the placement's tutor")
    return tutor_email


def read_people(path: Path, progress: Progress | None = None) -> Parsed[PersonRow]:
    name, _columns, rows, header_errors = _read(path, PEOPLE_COLUMNS, (), progress)
    parsed: Parsed[PersonRow] = Parsed(name, errors=header_errors)
    for row in rows:
        if row.errors:
            parsed.errors.extend(row.errors)
            continue
        person_name = row.text("name")
        email = row.email("email")
        roles: set[str] = set()
        raw_roles = [r for r in row.values.get("roles", "").split(";") if r.strip()]
        if not raw_roles:
            row.error("empty roles")
        for raw in raw_roles:
            role = _role(raw)
            if role is None:
                row.error(
                    f"unknown role {raw.strip()!r} "
                    f"(expected {', '.join(r.value for r in Role)}, separated by ';')"
                )
            else:
                roles.add(role)
        if row.errors:
            parsed.errors.extend(row.errors)
            continue
        parsed.rows.append(PersonRow(row.line, person_name, email, frozenset(roles)))
    return parsed


def read_calendar(path: Path, progress: Progress | None = None) -> Parsed[CalendarRow]:
    name, _columns, rows, header_errors = _read(
        path, CALENDAR_COLUMNS, CALENDAR_OPTIONAL_COLUMNS, progress
    )
    parsed: Parsed[CalendarRow] = Parsed(name, errors=header_errors)
    kinds = [k.value for k in CalendarKind]
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        if row.errors:
            parsed.errors.extend(row.errors)
            continue
        programme = row.text("programme")
        raw_kind = row.values.get("kind", "").strip()
        kind = _SPACES.sub("_", raw_kind.lower().replace("-", " "))
        if not raw_kind:
            row.error("empty kind")
        elif kind not in kinds:
            row.error(f"unknown kind {raw_kind!r} (expected {', '.join(kinds)})")
        entry_name = row.text("name")
        dates = row.dates()
        if row.errors or dates is None:
            parsed.errors.extend(row.errors)
            continue
        key = (programme, kind, entry_name)
        if key in seen:
            parsed.errors.append(
                RowError(
                    name,
                    row.line,
                    f"duplicate {kind} {entry_name!r} for programme {programme!r} "
                    f"(already on line {seen[key]})",
                )
            )
            continue
        seen[key] = row.line
        framework = _clean(row.values.get("framework", "")).lower()
        parsed.rows.append(CalendarRow(row.line, programme, kind, entry_name, *dates, framework))
    return parsed


def valid_timezone(name: str) -> bool:
    if len(name) > MAX_TIMEZONE:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
