"""Roster import: placements.csv (and people.csv) into people, roles, schools, placements."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.imports import (
    CsvFileError,
    ImportRejected,
    ImportResult,
    build_roster,
    import_roster,
    read_people,
    read_placements,
)
from storage.models import AuditEntry, Person, PersonRole, Placement, Programme, School

PLACEMENT_HEADER = [
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
]
PEOPLE_HEADER = ["name", "email", "roles"]


def placement(**changes: str) -> dict[str, str]:
    row = {
        "trainee_name": "Ada Lovelace",
        "trainee_email": "ada@example.org",
        "mentor_name": "Mary Somerville",
        "mentor_email": "mary@oak.sch.uk",
        "lead_mentor_name": "Charles Babbage",
        "lead_mentor_email": "charles@oak.sch.uk",
        "school": "Oak Academy",
        "school_platform": "slack",
        "programme": "PGCE Secondary 2025",
        "start_date": "2025-09-01",
        "end_date": "2025-12-19",
    }
    row.update(changes)
    return row


def good_rows() -> list[dict[str, str]]:
    return [
        placement(),
        placement(trainee_name="Alan Turing", trainee_email="alan@example.org"),
        placement(
            trainee_name="Grace Hopper",
            trainee_email="grace@example.org",
            mentor_name="Emmy Noether",
            mentor_email="emmy@elm.sch.uk",
            school="Elm School",
            school_platform="teams",
        ),
    ]


def write_csv(
    path: Path,
    rows: Sequence[dict[str, str]],
    header: Sequence[str] | None = None,
    *,
    encoding: str = "utf-8",
) -> Path:
    columns = list(header) if header is not None else list(rows[0])
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return path


async def run_roster(
    sessions: async_sessionmaker[AsyncSession],
    placements: Path,
    people: Path | None = None,
    *,
    dry_run: bool = False,
) -> ImportResult:
    roster = build_roster(
        read_placements(placements), read_people(people) if people is not None else None
    )
    return await import_roster(sessions, roster, dry_run=dry_run)


async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """Everything an import may touch, as comparable plain data."""
    async with sessions() as s:
        people = {p.email: p.full_name for p in (await s.execute(select(Person))).scalars().all()}
        ids = {p.id: p.email for p in (await s.execute(select(Person))).scalars().all()}
        roles = sorted(
            (ids[r.person_id], r.role)
            for r in (await s.execute(select(PersonRole))).scalars().all()
        )
        schools = sorted(
            (x.name, x.platform, x.timezone)
            for x in (await s.execute(select(School))).scalars().all()
        )
        school_names = {x.id: x.name for x in (await s.execute(select(School))).scalars().all()}
        programmes = {x.id: x.name for x in (await s.execute(select(Programme))).scalars().all()}
        placements = sorted(
            (
                ids[p.trainee_id],
                programmes[p.programme_id],
                p.start_date.isoformat(),
                ids[p.mentor_id],
                ids[p.lead_mentor_id],
                school_names[p.school_id],
                p.end_date.isoformat(),
            )
            for p in (await s.execute(select(Placement))).scalars().all()
        )
        audits = len((await s.execute(select(AuditEntry))).scalars().all())
    return {
        "people": people,
        "roles": roles,
        "schools": schools,
        "programmes": sorted(programmes.values()),
        "placements": placements,
        "audits": audits,
    }


def counts(result: ImportResult) -> dict[str, tuple[int, int, int]]:
    return {k: (c.created, c.updated, c.unchanged) for k, c in result.counts.items()}


# --- the happy path -----------------------------------------------------------------------


async def test_import_creates_people_roles_schools_and_placements(sessions, tmp_path):
    path = write_csv(tmp_path / "placements.csv", good_rows())
    result = await run_roster(sessions, path)

    assert counts(result) == {
        "people": (6, 0, 0),
        "roles": (6, 0, 0),
        "schools": (2, 0, 0),
        "programmes": (1, 0, 0),
        "placements": (3, 0, 0),
    }
    db = await snapshot(sessions)
    assert db["people"]["mary@oak.sch.uk"] == "Mary Somerville"
    assert ("ada@example.org", "trainee") in db["roles"]
    assert ("mary@oak.sch.uk", "mentor") in db["roles"]
    assert ("charles@oak.sch.uk", "lead_mentor") in db["roles"]
    assert db["schools"] == [
        ("Elm School", "teams", "Europe/London"),
        ("Oak Academy", "slack", "Europe/London"),
    ]
    assert db["programmes"] == ["PGCE Secondary 2025"]
    assert (
        "grace@example.org",
        "PGCE Secondary 2025",
        "2025-09-01",
        "emmy@elm.sch.uk",
        "charles@oak.sch.uk",
        "Elm School",
        "2025-12-19",
    ) in db["placements"]
    assert len(db["placements"]) == 3

    async with sessions() as s:
        audit = (await s.execute(select(AuditEntry))).scalars().one()
    assert audit.action == "import_roster"
    assert audit.detail["files"] == ["placements.csv"]
    assert audit.detail["placements"] == {"created": 3, "updated": 0, "unchanged": 0}
    dumped = json.dumps(audit.detail)
    assert "@" not in dumped and "Ada" not in dumped and "Oak" not in dumped


async def test_bom_english_dates_trimmed_emails_and_timezone_column(sessions, tmp_path):
    rows = [
        placement(
            trainee_email="  ADA@Example.ORG ",
            start_date="1/9/2025",
            end_date="19/12/2025",
            school_timezone="Europe/Dublin",
        ),
        placement(trainee_name="Alan Turing", trainee_email="alan@example.org"),
    ]
    header = [*PLACEMENT_HEADER, "school_timezone"]
    path = write_csv(tmp_path / "placements.csv", rows, header, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    await run_roster(sessions, path)
    db = await snapshot(sessions)
    assert "ada@example.org" in db["people"]
    assert db["schools"] == [("Oak Academy", "slack", "Europe/Dublin")]
    assert {p[2] for p in db["placements"]} == {"2025-09-01"}

    # Without the school_timezone column a school keeps the zone it has.
    result = await run_roster(sessions, write_csv(tmp_path / "again.csv", rows[1:]))
    assert counts(result)["schools"] == (0, 0, 1)
    assert (await snapshot(sessions))["schools"] == [("Oak Academy", "slack", "Europe/Dublin")]


async def test_reimport_changes_nothing(sessions, tmp_path):
    path = write_csv(tmp_path / "placements.csv", good_rows())
    await run_roster(sessions, path)
    before = await snapshot(sessions)
    result = await run_roster(sessions, path)
    assert result.created == 0 and result.updated == 0 and not result.changed
    assert counts(result)["placements"] == (0, 0, 3)
    after = await snapshot(sessions)
    assert after == {**before, "audits": 2}  # each import is audited, even a no-op


async def test_updated_file_updates_names_mentors_schools_and_dates(sessions, tmp_path):
    await run_roster(sessions, write_csv(tmp_path / "v1.csv", good_rows()))
    rows = good_rows()
    rows[0] = placement(
        trainee_name="Augusta Ada King",
        end_date="2026-02-13",
        mentor_name="Dorothy Hodgkin",
        mentor_email="dorothy@oak.sch.uk",
    )
    rows[1] = placement(
        trainee_name="Alan Turing",
        trainee_email="alan@example.org",
        mentor_name="Dorothy Hodgkin",
        mentor_email="dorothy@oak.sch.uk",
    )
    rows[2]["school_platform"] = "slack"
    result = await run_roster(sessions, write_csv(tmp_path / "v2.csv", rows))

    assert counts(result) == {
        "people": (1, 1, 4),
        "roles": (1, 0, 5),
        "schools": (0, 1, 1),
        "programmes": (0, 0, 1),
        "placements": (0, 2, 1),
    }
    db = await snapshot(sessions)
    assert db["people"]["ada@example.org"] == "Augusta Ada King"
    ada = next(p for p in db["placements"] if p[0] == "ada@example.org")
    alan = next(p for p in db["placements"] if p[0] == "alan@example.org")
    assert ada[6] == "2026-02-13" and ada[3] == "dorothy@oak.sch.uk"
    assert alan[3] == "dorothy@oak.sch.uk"
    assert ("Elm School", "slack", "Europe/London") in db["schools"]
    # Mary mentors nobody now, but import never takes a role away.
    assert ("mary@oak.sch.uk", "mentor") in db["roles"]
    assert ("dorothy@oak.sch.uk", "mentor") in db["roles"]


async def test_dry_run_reports_and_writes_nothing(sessions, tmp_path):
    await run_roster(sessions, write_csv(tmp_path / "v1.csv", good_rows()[:1]))
    before = await snapshot(sessions)
    result = await run_roster(sessions, write_csv(tmp_path / "v2.csv", good_rows()), dry_run=True)
    assert result.dry_run
    assert counts(result)["placements"] == (2, 0, 1)
    assert counts(result)["people"] == (3, 0, 3)
    assert await snapshot(sessions) == before


async def test_people_file_adds_roles_and_people(sessions, tmp_path):
    placements = write_csv(tmp_path / "placements.csv", [placement()])
    people = write_csv(
        tmp_path / "people.csv",
        [
            {"name": "Charles Babbage", "email": "Charles@Oak.sch.uk", "roles": "Lead Mentor"},
            {"name": "Mary Somerville", "email": "mary@oak.sch.uk", "roles": "ITT lead; admin"},
            {"name": "Rosalind Franklin", "email": "rf@uni.ac.uk", "roles": "itt_lead;"},
        ],
    )
    result = await run_roster(sessions, placements, people)
    assert result.rows == 4
    assert counts(result)["people"] == (4, 0, 0)
    db = await snapshot(sessions)
    assert db["people"]["rf@uni.ac.uk"] == "Rosalind Franklin"
    assert {r for e, r in db["roles"] if e == "mary@oak.sch.uk"} == {"mentor", "itt_lead", "admin"}
    assert {r for e, r in db["roles"] if e == "charles@oak.sch.uk"} == {"lead_mentor"}
    assert ("rf@uni.ac.uk", "itt_lead") in db["roles"]

    # A later people.csv with fewer roles removes none; a new role is added.
    fewer = write_csv(
        tmp_path / "people2.csv",
        [{"name": "Mary Somerville", "email": "mary@oak.sch.uk", "roles": "trainee"}],
    )
    result = await run_roster(sessions, placements, fewer)
    assert counts(result)["roles"] == (1, 0, 3)
    db = await snapshot(sessions)
    assert {r for e, r in db["roles"] if e == "mary@oak.sch.uk"} == {
        "mentor",
        "itt_lead",
        "admin",
        "trainee",
    }


async def test_large_file_is_written_in_chunks_with_progress(sessions, tmp_path):
    rows = [
        placement(
            trainee_name=f"Trainee {i}",
            trainee_email=f"t{i}@example.org",
            mentor_name=f"Mentor {i % 300}",
            mentor_email=f"m{i % 300}@school.uk",
        )
        for i in range(1500)
    ]
    path = write_csv(tmp_path / "placements.csv", rows)
    seen: list[tuple[str, int, int]] = []
    roster = build_roster(read_placements(path, lambda *a: seen.append(a)))
    result = await import_roster(sessions, roster, progress=lambda *a: seen.append(a))
    assert counts(result)["placements"] == (1500, 0, 0)
    assert counts(result)["people"] == (1801, 0, 0)
    assert ("reading placements.csv", 1500, 1500) in seen
    writes = [done for phase, done, _ in seen if phase == "writing"]
    assert writes == sorted(writes) and writes[-1] == seen[-1][2]
    again = await run_roster(sessions, path)
    assert not again.changed


# --- bad rows: the whole file is refused, every bad row is listed -------------------------


def _with(line: int, **changes: str) -> list[dict[str, str]]:
    """The good rows with the row at file line `line` (header is line 1) changed."""
    rows = good_rows()
    rows[line - 2] = {**rows[line - 2], **changes}
    return rows


BAD_PLACEMENTS: dict[str, tuple[list[dict[str, str]], int, str]] = {
    "unknown platform": (_with(3, school_platform="zoom"), 3, "unknown platform 'zoom'"),
    "bad date": (_with(2, start_date="2025-13-01"), 2, "bad date in start_date: '2025-13-01'"),
    "bad date (US order)": (_with(4, end_date="12/19/2025"), 4, "bad date in end_date"),
    "bad date (words)": (_with(3, start_date="1 Sept 2025"), 3, "bad date in start_date"),
    "end before start": (
        _with(3, end_date="2025-08-31"),
        3,
        "end_date 2025-08-31 is before start_date 2025-09-01",
    ),
    "bad email": (_with(4, mentor_email="emmy at elm"), 4, "bad email in mentor_email"),
    "empty field": (_with(2, school=" "), 2, "empty school"),
    "same email, other name": (
        _with(3, mentor_name="M. Somerville"),
        3,
        "mary@oak.sch.uk is named 'M. Somerville' here but 'Mary Somerville' on line 2",
    ),
    "school on two platforms": (
        _with(3, school_platform="teams"),
        3,
        "school 'Oak Academy' is on teams here but on slack on line 2",
    ),
    "own mentor": (
        _with(4, mentor_email="grace@example.org", mentor_name="Grace Hopper"),
        4,
        "trainee grace@example.org is their own mentor",
    ),
    "duplicate placement": (
        [*good_rows(), placement(end_date="2026-01-01")],
        5,
        "duplicate placement: same trainee, programme and start_date as line 2",
    ),
    "bad time zone": (
        [{**r, "school_timezone": "Mars/Olympus"} for r in good_rows()],
        2,
        "unknown time zone 'Mars/Olympus'",
    ),
}


@pytest.mark.parametrize("reason", list(BAD_PLACEMENTS))
def test_bad_row_is_listed_with_its_line(tmp_path, reason):
    rows, line, message = BAD_PLACEMENTS[reason]
    path = write_csv(tmp_path / "placements.csv", rows)
    with pytest.raises(ImportRejected) as caught:
        build_roster(read_placements(path))
    listed = [str(e) for e in caught.value.errors]
    assert any(e.startswith(f"line {line}: ") and message in e for e in listed), listed
    assert caught.value.files == ["placements.csv"]


async def test_bad_rows_leave_a_populated_database_unchanged(sessions, tmp_path):
    """Every kind of bad row, against a database that already holds a good import."""
    await run_roster(sessions, write_csv(tmp_path / "first.csv", good_rows()[:1]))
    before = await snapshot(sessions)
    for reason, (rows, line, _message) in BAD_PLACEMENTS.items():
        path = write_csv(tmp_path / "placements.csv", rows)
        with pytest.raises(ImportRejected) as caught:
            await run_roster(sessions, path)
        assert line in {e.line for e in caught.value.errors}, reason
        assert await snapshot(sessions) == before, reason


def test_every_bad_row_is_listed_and_good_rows_are_not(tmp_path):
    rows = good_rows()
    rows[0]["end_date"] = "not a date"
    rows[2]["trainee_email"] = "grace"
    rows.append(placement(trainee_email="x@y.uk", trainee_name="X", school_platform="email"))
    with pytest.raises(ImportRejected) as caught:
        build_roster(read_placements(write_csv(tmp_path / "placements.csv", rows)))
    assert sorted({e.line for e in caught.value.errors}) == [2, 4, 5]
    assert caught.value.bad_rows == 3


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ([c for c in PLACEMENT_HEADER if c != "school"], "missing column school"),
        ([*PLACEMENT_HEADER, "notes"], "unknown column notes"),
        ([c.upper() for c in PLACEMENT_HEADER], "(column names are lower-case)"),
    ],
    ids=["missing", "extra", "upper-case"],
)
def test_bad_header_rejects_the_file(tmp_path, header, message):
    path = write_csv(tmp_path / "placements.csv", [], header)
    path.write_text(path.read_text() + ",".join("x" * len(header)) + "\n")
    with pytest.raises(ImportRejected) as caught:
        build_roster(read_placements(path))
    assert any(str(e).startswith("line 1: ") and message in str(e) for e in caught.value.errors)


def test_row_with_wrong_number_of_fields(tmp_path):
    path = write_csv(tmp_path / "placements.csv", good_rows())
    with path.open("a") as f:
        f.write("only,three,fields\n")
    with pytest.raises(ImportRejected) as caught:
        build_roster(read_placements(path))
    assert [str(e) for e in caught.value.errors] == ["line 5: expected 11 fields, found 3"]


def test_line_numbers_count_blank_and_multiline_records(tmp_path):
    path = tmp_path / "placements.csv"
    good = ",".join(placement().values())
    path.write_text(
        ",".join(PLACEMENT_HEADER)
        + "\n\n"
        + good
        + '\n"Alan\nTuring",alan@example.org'
        + good.split("ada@example.org", 1)[1]
        + "\n"
        + good.replace("slack", "fax").replace("ada@", "bob@")
        + "\n"
    )
    with pytest.raises(ImportRejected) as caught:
        build_roster(read_placements(path))
    assert [str(e) for e in caught.value.errors] == [
        "line 6: unknown platform 'fax' (expected slack or teams)"
    ]


async def test_people_file_bad_rows(sessions, tmp_path):
    await run_roster(sessions, write_csv(tmp_path / "first.csv", good_rows()))
    before = await snapshot(sessions)
    placements = write_csv(tmp_path / "placements.csv", [placement()])
    people = write_csv(
        tmp_path / "people.csv",
        [
            {"name": "Rosalind Franklin", "email": "rf@uni.ac.uk", "roles": "itt_lead"},
            {"name": "Kathleen Lonsdale", "email": "kl@uni.ac.uk", "roles": "mentor;boss"},
            {"name": "Mary S.", "email": "mary@oak.sch.uk", "roles": "admin"},
            {"name": "Dorothy", "email": "dh@uni.ac.uk", "roles": ""},
        ],
    )
    with pytest.raises(ImportRejected) as caught:
        await run_roster(sessions, placements, people)
    listed = {(e.file, str(e)) for e in caught.value.errors}
    assert ("people.csv", "line 3: unknown role 'boss'") in {
        (f, s.split(" (")[0]) for f, s in listed
    }
    assert (
        "people.csv",
        "line 4: mary@oak.sch.uk is named 'Mary S.' here but 'Mary Somerville' "
        "on placements.csv line 2",
    ) in listed
    assert ("people.csv", "line 5: empty roles") in listed
    assert await snapshot(sessions) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("Zoë,zoe@example.org\n".encode("cp1252"), "is not UTF-8"),
        (b"", "is empty"),
        (b"\xef\xbb\xbf\r\n  \r\n", "is empty"),
        (",".join(PLACEMENT_HEADER).encode() + b"\n", "has a header but no rows"),
    ],
    ids=["missing", "cp1252", "empty", "bom-only", "header-only"],
)
def test_unusable_file(tmp_path, content, message):
    path = tmp_path / "placements.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CsvFileError, match=message):
        read_placements(path)


async def test_a_large_import_on_postgresql_leaves_the_planner_its_statistics(
    sessions, tmp_path, monkeypatch
):
    """The first sweep comes straight after the import: it should not be planned on
    guesses until autovacuum gets round to the new rows."""
    from sqlalchemy import text

    import storage.db

    if sessions.kw["bind"].dialect.name != "postgresql":
        pytest.skip("SQLite keeps no planner statistics unless asked")
    monkeypatch.setattr(storage.db, "RESTATS_AFTER", 3)  # as if these rows were thousands
    await run_roster(sessions, write_csv(tmp_path / "placements.csv", good_rows()))
    async with sessions() as s:
        analysed = await s.execute(
            text(
                "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"
                " AND relname IN ('person', 'placement', 'school')"
            )
        )
        assert sorted(analysed.scalars()) == ["person", "placement", "school"]
