"""`mentorbot import roster|calendar --sample`: the sample partnership shipped in the package."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.models import CalendarEntry, Person, PersonRole, Placement, ReviewPoint, School
from tests.console_harness import query, run_cli


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("MENTORBOT_DEBUG", raising=False)


def count(db_url: str, model: type) -> int:
    async def go(s):  # type: ignore[no-untyped-def]
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()

    return query(db_url, go)


def test_sample_roster_and_calendar_import(monkeypatch, capsys, sqlite_url):
    code, out, err = run_cli(monkeypatch, capsys, sqlite_url, "import", "roster", "--sample")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "imported placements.csv, people.csv (10 rows)"
    assert "  placements: 6 created, 0 updated, 0 unchanged" in out.splitlines()
    # Six trainees, five mentors and lead mentors (one is both), four from people.csv (the
    # ITT leads, the admin and Uma Patel, the link tutor of Riverside Academy's placements).
    assert (count(sqlite_url, Person), count(sqlite_url, Placement)) == (15, 6)
    assert count(sqlite_url, School) == 2
    roles = query(
        sqlite_url,
        lambda s: s.execute(select(PersonRole.role).where(PersonRole.role == "itt_lead")),
    )
    assert len(roles.all()) == 2  # Priya Nair and Mark Owen, from the sample people.csv

    code, out, err = run_cli(monkeypatch, capsys, sqlite_url, "import", "calendar", "--sample")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "imported calendar.csv (14 rows)"
    # Two programmes (a PGCE and a School Direct route), each with its own calendar.
    assert (count(sqlite_url, CalendarEntry), count(sqlite_url, ReviewPoint)) == (10, 4)

    code, out, _ = run_cli(monkeypatch, capsys, sqlite_url, "import", "roster", "--sample")
    assert code == 0 and out.splitlines()[-1] == "no changes: the database already matches the file"


def test_sample_dry_run_writes_nothing(monkeypatch, capsys, sqlite_url):
    code, out, _ = run_cli(
        monkeypatch, capsys, sqlite_url, "import", "calendar", "--sample", "--dry-run"
    )
    assert code == 0 and out.startswith("dry run of calendar.csv (14 rows)")
    assert count(sqlite_url, CalendarEntry) == 0


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["roster"],
            "give PLACEMENTS.csv, or --sample for the sample data shipped with mentorbot",
        ),
        (["roster", "p.csv", "--sample"], "give PLACEMENTS.csv or --sample, not both"),
        (
            ["roster", "--sample", "--people", "people.csv"],
            "--sample imports the sample people too; leave out --people",
        ),
        (["calendar"], "give CALENDAR.csv, or --sample for the sample data shipped with mentorbot"),
        (["calendar", "c.csv", "--sample"], "give CALENDAR.csv or --sample, not both"),
    ],
)
def test_exactly_one_source_is_required(monkeypatch, capsys, sqlite_url, args, error):
    code, out, err = run_cli(monkeypatch, capsys, sqlite_url, "import", *args)
    assert code == 1 and out == ""
    assert "Traceback" not in err and err.splitlines() == [f"error: {error}"]
    assert count(sqlite_url, Person) == 0
