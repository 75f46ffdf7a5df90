"""Apply a checked programme calendar: terms, holidays, INSET days and review points.

Calendar entries are matched by (programme, kind, name) and review points by (programme,
name); a match with other dates is updated. Nothing is deleted. Programmes named in the
file that do not exist yet are created.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import transaction
from storage.enums import CalendarKind
from storage.imports.bulk import Counts, ImportResult, Writer, table
from storage.imports.csvfiles import CalendarRow, Progress
from storage.imports.framework import frameworks_named_in_calendar
from storage.imports.whole import Calendar
from storage.models import AuditEntry, CalendarEntry, Programme, ReviewPoint

PROGRAMME = table(Programme)
ENTRY = table(CalendarEntry)
REVIEW = table(ReviewPoint)

ACTION = "import_calendar"

# (programme name, kind, entry name) -> (id, start, end); review points use kind review_point.
_Known = dict[tuple[str, str, str], tuple[int, date, date]]


async def import_calendar(
    sessions: async_sessionmaker[AsyncSession],
    calendar: Calendar,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    if dry_run:
        async with sessions() as session:
            programmes, known = await _load(session)
            try:
                moved = await frameworks_named_in_calendar(session, calendar, programmes)
            finally:
                await session.rollback()
        result = _compare(calendar, programmes, known, dry_run=True)[0]
        _count_moved(result, moved, programmes)
        return result
    async with transaction(sessions) as session:
        programmes, known = await _load(session)
        result, new_programmes, new_rows, changed = _compare(
            calendar, programmes, known, dry_run=False
        )
        write = Writer(session, len(new_programmes) + len(new_rows) + len(changed), progress)
        await write.insert(PROGRAMME, [{"name": name} for name in new_programmes])
        existing = dict(programmes)
        if new_programmes:
            rows = await session.execute(select(PROGRAMME.c.id, PROGRAMME.c.name))
            programmes = {name: pid for pid, name in rows.all()}
        moved = await frameworks_named_in_calendar(session, calendar, programmes)
        _count_moved(result, moved, existing)

        def values(row: CalendarRow) -> dict[str, Any]:
            return {
                "programme_id": programmes[row.programme],
                "name": row.name,
                "start_date": row.start_date,
                "end_date": row.end_date,
            }

        await write.insert(
            REVIEW, [values(r) for r in new_rows if r.kind == CalendarKind.REVIEW_POINT]
        )
        await write.insert(
            ENTRY,
            [
                {**values(r), "kind": r.kind}
                for r in new_rows
                if r.kind != CalendarKind.REVIEW_POINT
            ],
        )
        for target, is_review in ((REVIEW, True), (ENTRY, False)):
            await write.update(
                target,
                [
                    {"id": entry_id, "start_date": r.start_date, "end_date": r.end_date}
                    for entry_id, r in changed
                    if (r.kind == CalendarKind.REVIEW_POINT) == is_review
                ],
            )
        session.add(AuditEntry(action=ACTION, entity="calendar", detail=result.audit_detail()))
    return result


def _count_moved(result: ImportResult, moved: set[str], existing: dict[str, int]) -> None:
    """A programme that was there and is put on another framework is updated."""
    counts = result.counts["programmes"]
    shifted = len(moved & existing.keys())
    counts.updated += shifted
    counts.unchanged -= shifted


async def _load(session: AsyncSession) -> tuple[dict[str, int], _Known]:
    programmes = {
        name: pid
        for pid, name in (await session.execute(select(PROGRAMME.c.id, PROGRAMME.c.name))).all()
    }
    names = {pid: name for name, pid in programmes.items()}
    known: _Known = {}
    entries = select(
        ENTRY.c.id,
        ENTRY.c.programme_id,
        ENTRY.c.kind,
        ENTRY.c.name,
        ENTRY.c.start_date,
        ENTRY.c.end_date,
    )
    for entry_id, prog, kind, name, start, end in (await session.execute(entries)).all():
        known[(names[prog], kind, name)] = (entry_id, start, end)
    reviews = select(
        REVIEW.c.id, REVIEW.c.programme_id, REVIEW.c.name, REVIEW.c.start_date, REVIEW.c.end_date
    )
    for entry_id, prog, name, start, end in (await session.execute(reviews)).all():
        known[(names[prog], CalendarKind.REVIEW_POINT.value, name)] = (entry_id, start, end)
    return programmes, known


def _compare(
    calendar: Calendar, programmes: dict[str, int], known: _Known, *, dry_run: bool
) -> tuple[ImportResult, list[str], list[CalendarRow], list[tuple[int, CalendarRow]]]:
    result = ImportResult(ACTION, [calendar.file], len(calendar.rows), dry_run)
    prog_counts = result.counts["programmes"] = Counts()
    entry_counts = result.counts["calendar_entries"] = Counts()
    review_counts = result.counts["review_points"] = Counts()
    new_programmes = [p for p in calendar.programmes if p not in programmes]
    prog_counts.created = len(new_programmes)
    prog_counts.unchanged = len(calendar.programmes) - len(new_programmes)
    new_rows: list[CalendarRow] = []
    changed: list[tuple[int, CalendarRow]] = []
    for row in calendar.rows:
        counts = review_counts if row.kind == CalendarKind.REVIEW_POINT else entry_counts
        found = known.get((row.programme, row.kind, row.name))
        if found is None:
            new_rows.append(row)
            counts.created += 1
        elif (found[1], found[2]) != (row.start_date, row.end_date):
            changed.append((found[0], row))
            counts.updated += 1
        else:
            counts.unchanged += 1
    return result, new_programmes, new_rows, changed
