"""The schools CSV: each school's platform, its Slack workspace or Microsoft 365 tenant,
its time zone and the days it alone is closed (its own INSET days).

One row per school, matched by name (as in placements.csv). A school not yet on the
roster is created. A Teams tenant given here is confirmed (one learned from a first
activity is replaced and confirmed). `closed_days`, when the column is there, is the
school's whole list: days no longer listed are no longer closed. Like the other imports,
a file with any bad row is refused whole, every bad row listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import transaction
from storage.imports.bulk import Counts, ImportResult
from storage.imports.csvfiles import (
    MAX_TIMEZONE,
    SCHOOL_PLATFORMS,
    _read,
    _Row,
    parse_date,
    valid_timezone,
)
from storage.imports.rows import ImportRejected, Progress
from storage.models import AuditEntry, School, SchoolClosure

REQUIRED = ("school", "platform")
OPTIONAL = ("slack_team_id", "teams_tenant_id", "timezone", "closed_days")
ACTION = "import_schools"
SLACK_TEAM = re.compile(r"^[TE][A-Z0-9]{2,31}$")
TENANT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True, slots=True)
class SchoolRow:
    line: int
    name: str
    platform: str
    slack_team_id: str | None
    teams_tenant_id: str | None
    timezone: str | None
    closed: tuple[tuple[date, date], ...] | None  # None: the column is not in the file


def read_schools(path: Path, progress: Progress | None = None) -> list[SchoolRow]:
    """The file's rows, or ImportRejected listing every bad one."""
    _name, columns, rows, errors = _read(path, REQUIRED, OPTIONAL, progress)
    found: list[SchoolRow] = []
    seen: dict[str, int] = {}
    for row in rows:
        if row.errors:
            errors.extend(row.errors)
            continue
        school = _school(row, columns, seen)
        errors.extend(row.errors)
        if school is not None and not row.errors:
            found.append(school)
    if errors:
        raise ImportRejected(errors)
    return found


def _school(row: _Row, columns: list[str], seen: dict[str, int]) -> SchoolRow | None:
    name = row.text("school")
    platform = row.values.get("platform", "").strip().lower()
    if platform not in SCHOOL_PLATFORMS:
        row.error(f"unknown platform {platform!r} (expected {' or '.join(SCHOOL_PLATFORMS)})")
    team = row.values.get("slack_team_id", "").strip().upper() or None
    tenant = row.values.get("teams_tenant_id", "").strip().lower() or None
    if team and not SLACK_TEAM.match(team):
        row.error(f"bad slack_team_id {team!r} (a Slack team id looks like T0123ABCD)")
    if team and platform == "teams":
        row.error("slack_team_id given for a school on teams")
    if tenant and not TENANT.match(tenant):
        row.error(f"bad teams_tenant_id {tenant!r} (a tenant id is a GUID)")
    if tenant and platform == "slack":
        row.error("teams_tenant_id given for a school on slack")
    zone = row.values.get("timezone", "").strip() or None
    if zone and (len(zone) > MAX_TIMEZONE or not valid_timezone(zone)):
        row.error(f"unknown timezone {zone!r} (an IANA zone such as Europe/London)")
    closed = _closed(row) if "closed_days" in columns else None
    if name in seen:
        row.error(f"school {name!r} already on line {seen[name]}")
    elif name:
        seen[name] = row.line
    return SchoolRow(row.line, name, platform, team, tenant, zone, closed)


def _closed(row: _Row) -> tuple[tuple[date, date], ...]:
    """`2026-11-06; 2027-01-04..2027-01-05`: single days and ranges, `;`-separated."""
    spans: list[tuple[date, date]] = []
    for part in (p.strip() for p in row.values.get("closed_days", "").split(";")):
        if not part:
            continue
        first, _, last = part.partition("..")
        start, end = parse_date(first.strip()), parse_date((last or first).strip())
        if start is None or end is None:
            row.error(f"bad date in closed_days: {part!r} (use YYYY-MM-DD or a range A..B)")
        elif end < start:
            row.error(f"closed_days range {part!r} ends before it starts")
        else:
            spans.append((start, end))
    return tuple(sorted(set(spans)))


async def import_schools(
    sessions: async_sessionmaker[AsyncSession],
    rows: list[SchoolRow],
    *,
    file: str,
    dry_run: bool = False,
) -> ImportResult:
    """Bring the schools in line with the file, in one transaction (or none: dry run)."""
    result = ImportResult(ACTION, [file], len(rows), dry_run)
    schools, closures = result.counts.setdefault("schools", Counts()), Counts()
    result.counts["closed days"] = closures
    async with transaction(sessions) as session:
        for row in rows:
            await _apply(session, row, schools, closures)
        if dry_run:
            await session.rollback()
            return result
        session.add(
            AuditEntry(
                actor_id=None,
                action=ACTION,
                entity="school",
                entity_id=None,
                detail={"files": [file], "rows": len(rows), **schools.as_dict()},
            )
        )
    return result


async def _apply(session: AsyncSession, row: SchoolRow, counts: Counts, days: Counts) -> None:
    school = (
        await session.execute(select(School).where(School.name == row.name))
    ).scalar_one_or_none()
    created = school is None
    if school is None:
        school = School(name=row.name, platform=row.platform)
        session.add(school)
    before = (
        school.platform,
        school.slack_team_id,
        school.teams_tenant_id,
        school.tenant_confirmed,
        school.timezone,
    )
    school.platform = row.platform
    if row.slack_team_id:
        school.slack_team_id = row.slack_team_id
    if row.teams_tenant_id:
        school.teams_tenant_id, school.tenant_confirmed = row.teams_tenant_id, True
    if row.timezone:
        school.timezone = row.timezone
    await session.flush()
    after = (
        school.platform,
        school.slack_team_id,
        school.teams_tenant_id,
        school.tenant_confirmed,
        school.timezone,
    )
    if created:
        counts.created += 1
    elif before != after:
        counts.updated += 1
    else:
        counts.unchanged += 1
    if row.closed is not None and school.id is not None:
        await _closures(session, school.id, row.closed, days)


async def _closures(
    session: AsyncSession, school_id: int, wanted: tuple[tuple[date, date], ...], days: Counts
) -> None:
    stmt = select(SchoolClosure.start_date, SchoolClosure.end_date).where(
        SchoolClosure.school_id == school_id
    )
    stored = {(s, e) for s, e in (await session.execute(stmt)).all()}
    if stored == set(wanted):
        days.unchanged += len(wanted)
        return
    await session.execute(delete(SchoolClosure).where(SchoolClosure.school_id == school_id))
    for start, end in wanted:
        session.add(SchoolClosure(school_id=school_id, start_date=start, end_date=end))
        if (start, end) in stored:
            days.unchanged += 1
        else:
            days.created += 1
    days.updated += len(stored - set(wanted))  # no longer closed
    await session.flush()
