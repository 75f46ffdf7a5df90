"""Calendar import: terms, holidays and INSET days as CalendarEntry, review points apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.imports import (
    ImportRejected,
    ImportResult,
    build_calendar,
    build_roster,
    import_calendar,
    import_roster,
    read_calendar,
    read_placements,
)
from storage.models import AuditEntry, CalendarEntry, Placement, Programme, ReviewPoint
from tests.test_import_roster import good_rows, write_csv

PGCE = "PGCE Secondary 2025"


def entry(kind: str, name: str, start: str, end: str, programme: str = PGCE) -> dict[str, str]:
    return {
        "programme": programme,
        "kind": kind,
        "name": name,
        "start_date": start,
        "end_date": end,
    }


def calendar_rows() -> list[dict[str, str]]:
    return [
        entry("term", "Autumn term", "2025-09-01", "2025-12-19"),
        entry("holiday", "Autumn half term", "2025-10-27", "2025-10-31"),
        entry("INSET", "INSET day", "2025-09-01", "2025-09-01"),
        entry("review_point", "Review point 1", "2025-10-13", "2025-10-24"),
        entry("Review Point", "Review point 2", "15/12/2025", "19/12/2025"),
        entry("term", "Autumn term", "2025-09-03", "2025-12-17", programme="PGCE Primary 2025"),
    ]


async def run_calendar(
    sessions: async_sessionmaker[AsyncSession], path: Path, *, dry_run: bool = False
) -> ImportResult:
    return await import_calendar(sessions, build_calendar(read_calendar(path)), dry_run=dry_run)


async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    async with sessions() as s:
        programmes = {p.id: p.name for p in (await s.execute(select(Programme))).scalars()}
        entries = sorted(
            (programmes[e.programme_id], e.kind, e.name, e.start_date.isoformat(), e.end_date)
            for e in (await s.execute(select(CalendarEntry))).scalars()
        )
        reviews = sorted(
            (programmes[r.programme_id], r.name, r.start_date.isoformat(), r.end_date)
            for r in (await s.execute(select(ReviewPoint))).scalars()
        )
        audits = [(a.action, a.detail) for a in (await s.execute(select(AuditEntry))).scalars()]
    return {
        "programmes": sorted(programmes.values()),
        "entries": entries,
        "reviews": reviews,
        "audits": audits,
    }


def counts(result: ImportResult) -> dict[str, tuple[int, int, int]]:
    return {k: (c.created, c.updated, c.unchanged) for k, c in result.counts.items()}


async def test_calendar_import_and_reimport(sessions, tmp_path):
    path = write_csv(tmp_path / "calendar.csv", calendar_rows())
    result = await run_calendar(sessions, path)
    assert counts(result) == {
        "programmes": (2, 0, 0),
        "calendar_entries": (4, 0, 0),
        "review_points": (2, 0, 0),
    }
    db = await snapshot(sessions)
    assert db["programmes"] == ["PGCE Primary 2025", PGCE]
    assert [(e[0], e[1], e[2], e[3]) for e in db["entries"]] == [
        ("PGCE Primary 2025", "term", "Autumn term", "2025-09-03"),
        (PGCE, "holiday", "Autumn half term", "2025-10-27"),
        (PGCE, "inset", "INSET day", "2025-09-01"),
        (PGCE, "term", "Autumn term", "2025-09-01"),
    ]
    assert [(r[1], r[2]) for r in db["reviews"]] == [
        ("Review point 1", "2025-10-13"),
        ("Review point 2", "2025-12-15"),
    ]
    assert db["audits"] == [("import_calendar", result.audit_detail())]
    assert db["audits"][0][1]["files"] == ["calendar.csv"]

    again = await run_calendar(sessions, path)
    assert not again.changed
    assert counts(again)["calendar_entries"] == (0, 0, 4)
    after = await snapshot(sessions)
    assert {k: v for k, v in after.items() if k != "audits"} == {
        k: v for k, v in db.items() if k != "audits"
    }
    assert len(after["audits"]) == 2


async def test_calendar_updates_dates_and_adds_entries(sessions, tmp_path):
    await run_calendar(sessions, write_csv(tmp_path / "v1.csv", calendar_rows()))
    rows = calendar_rows()
    rows[0]["end_date"] = "2025-12-18"  # term moved
    rows[3]["start_date"] = "2025-10-06"  # review point moved
    rows.append(entry("inset", "INSET day 2", "2026-01-05", "2026-01-05"))
    result = await run_calendar(sessions, write_csv(tmp_path / "v2.csv", rows))
    assert counts(result) == {
        "programmes": (0, 0, 2),
        "calendar_entries": (1, 1, 3),
        "review_points": (0, 1, 1),
    }
    db = await snapshot(sessions)
    autumn = next(e for e in db["entries"] if e[0] == PGCE and e[2] == "Autumn term")
    assert autumn[4].isoformat() == "2025-12-18"
    assert ("Review point 1", "2025-10-06") in [(r[1], r[2]) for r in db["reviews"]]
    assert len(db["entries"]) == 5


async def test_calendar_dry_run_writes_nothing(sessions, tmp_path):
    before = await snapshot(sessions)
    path = write_csv(tmp_path / "calendar.csv", calendar_rows())
    result = await run_calendar(sessions, path, dry_run=True)
    assert result.dry_run and counts(result)["review_points"] == (2, 0, 0)
    assert await snapshot(sessions) == before


async def test_calendar_uses_the_roster_programme(sessions, tmp_path):
    roster = build_roster(read_placements(write_csv(tmp_path / "p.csv", good_rows())))
    await import_roster(sessions, roster)
    result = await run_calendar(sessions, write_csv(tmp_path / "c.csv", calendar_rows()))
    assert counts(result)["programmes"] == (1, 0, 1)
    async with sessions() as s:
        placement_programmes = set((await s.execute(select(Placement.programme_id))).scalars())
        review_programmes = set((await s.execute(select(ReviewPoint.programme_id))).scalars())
    assert placement_programmes == review_programmes


def _with(line: int, **changes: str) -> list[dict[str, str]]:
    rows = calendar_rows()
    rows[line - 2] = {**rows[line - 2], **changes}
    return rows


BAD_CALENDAR: dict[str, tuple[list[dict[str, str]], int, str]] = {
    "unknown kind": (_with(3, kind="festival"), 3, "unknown kind 'festival'"),
    "bad date": (_with(4, start_date="2025-09-31"), 4, "bad date in start_date: '2025-09-31'"),
    "end before start": (
        _with(5, end_date="2025-10-01"),
        5,
        "end_date 2025-10-01 is before start_date 2025-10-13",
    ),
    "empty field": (_with(2, name=""), 2, "empty name"),
    "duplicate": (
        [*calendar_rows(), entry("review point", "Review point 1", "2026-01-05", "2026-01-09")],
        8,
        "duplicate review_point 'Review point 1' for programme 'PGCE Secondary 2025' "
        "(already on line 5)",
    ),
}


@pytest.mark.parametrize("reason", list(BAD_CALENDAR))
def test_bad_calendar_row_is_listed_with_its_line(tmp_path, reason):
    rows, line, message = BAD_CALENDAR[reason]
    with pytest.raises(ImportRejected) as caught:
        build_calendar(read_calendar(write_csv(tmp_path / "calendar.csv", rows)))
    listed = [str(e) for e in caught.value.errors]
    assert any(e.startswith(f"line {line}: ") and message in e for e in listed), listed


def test_bad_calendar_header(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "kind"} | {"type": "x"} for r in calendar_rows()]
    with pytest.raises(ImportRejected) as caught:
        build_calendar(read_calendar(write_csv(tmp_path / "calendar.csv", rows)))
    assert [str(e) for e in caught.value.errors] == [
        "line 1: missing column kind",
        "line 1: unknown column type",
    ]


async def test_bad_calendar_leaves_a_populated_database_unchanged(sessions, tmp_path):
    await run_calendar(sessions, write_csv(tmp_path / "first.csv", calendar_rows()))
    before = await snapshot(sessions)
    for reason, (rows, line, _message) in BAD_CALENDAR.items():
        # The good rows all get a new end date, so a partial write would show.
        moved = [
            {**r, "end_date": "2026-07-31"} if i + 2 != line else r for i, r in enumerate(rows)
        ]
        with pytest.raises(ImportRejected):
            await run_calendar(sessions, write_csv(tmp_path / "calendar.csv", moved))
        assert await snapshot(sessions) == before, reason
