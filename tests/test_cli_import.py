"""`mentorbot import roster|calendar`: summaries, exit codes and one-line errors."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from storage.db import make_engine
from storage.models import CalendarEntry, Person, Placement, ReviewPoint
from tests.test_import_calendar import calendar_rows
from tests.test_import_roster import good_rows, placement, write_csv

MENTORBOT = Path(sys.executable).with_name("mentorbot")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # No stray .env from the developer's working directory.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MENTORBOT_DEBUG", raising=False)


def cli(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db_url: str,
    *args: str | Path,
) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr(sys, "argv", ["mentorbot", *map(str, args)])
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), out, err


def count(db_url: str, model: type) -> int:
    async def go() -> int:
        engine = make_engine(db_url)
        try:
            async with engine.connect() as conn:
                return (await conn.execute(select(func.count()).select_from(model))).scalar_one()
        finally:
            await engine.dispose()

    return asyncio.run(go())


def assert_one_line_error(err: str, expected: str) -> None:
    assert "Traceback" not in err
    assert err.splitlines()[-1] == f"error: {expected}"


def test_roster_import_dry_run_then_real_then_again(monkeypatch, capsys, db_url, tmp_path):
    path = write_csv(tmp_path / "placements.csv", good_rows())

    code, out, err = cli(monkeypatch, capsys, db_url, "import", "roster", path, "--dry-run")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "dry run of placements.csv (3 rows): nothing was written"
    assert "  placements: 3 to create, 0 to update, 0 unchanged" in out.splitlines()
    assert count(db_url, Person) == 0

    code, out, err = cli(monkeypatch, capsys, db_url, "import", "roster", path)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "imported placements.csv (3 rows)"
    assert "  people: 6 created, 0 updated, 0 unchanged" in out.splitlines()
    assert count(db_url, Placement) == 3

    code, out, _ = cli(monkeypatch, capsys, db_url, "import", "roster", path)
    assert code == 0
    assert "  placements: 0 created, 0 updated, 3 unchanged" in out.splitlines()
    assert out.splitlines()[-1] == "no changes: the database already matches the file"


def test_rejected_roster_lists_each_bad_row(monkeypatch, capsys, db_url, tmp_path):
    rows = good_rows()
    rows[1]["school_platform"] = "zoom"
    rows[2]["start_date"] = "2025-02-30"
    rows[2]["end_date"] = "2025-01-01"
    path = write_csv(tmp_path / "placements.csv", rows)
    people = write_csv(
        tmp_path / "people.csv",
        [{"name": "Rosalind Franklin", "email": "rf@uni.ac.uk", "roles": "itt_lead"}],
    )
    code, out, err = cli(monkeypatch, capsys, db_url, "import", "roster", path, "--people", people)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "line 3: unknown platform 'zoom' (expected slack or teams)",
        "line 4: bad date in start_date: '2025-02-30' (use YYYY-MM-DD or DD/MM/YYYY)",
        "error: placements.csv rejected: 2 bad rows; nothing was imported",
    ]
    assert count(db_url, Person) == 0


def test_calendar_import_and_rejection(monkeypatch, capsys, db_url, tmp_path):
    path = write_csv(tmp_path / "calendar.csv", calendar_rows())
    code, out, err = cli(monkeypatch, capsys, db_url, "import", "calendar", path)
    assert (code, err) == (0, "")
    assert "  review_points: 2 created, 0 updated, 0 unchanged" in out.splitlines()
    assert count(db_url, ReviewPoint) == 2 and count(db_url, CalendarEntry) == 4

    rows = calendar_rows()
    rows[0]["kind"] = "term time"
    rows[1]["end_date"] = "2025-12-31"
    bad = write_csv(tmp_path / "calendar2.csv", rows)
    code, out, err = cli(monkeypatch, capsys, db_url, "import", "calendar", bad)
    assert code == 1 and out == ""
    assert err.splitlines()[0].startswith("line 2: unknown kind 'term time'")
    assert_one_line_error(err, "calendar2.csv rejected: 1 bad row; nothing was imported")


def test_people_file_errors_name_their_file(monkeypatch, capsys, sqlite_url, tmp_path):
    path = write_csv(tmp_path / "placements.csv", good_rows())
    people = write_csv(
        tmp_path / "people.csv",
        [{"name": "Mary S", "email": "mary@oak.sch.uk", "roles": "admin; head"}],
    )
    code, _, err = cli(
        monkeypatch, capsys, sqlite_url, "import", "roster", path, "--people", people
    )
    assert code == 1
    assert err.splitlines()[0].startswith("people.csv: line 2: unknown role 'head'")
    assert_one_line_error(err, "people.csv rejected: 1 bad row; nothing was imported")


def test_long_listing_is_capped(monkeypatch, capsys, sqlite_url, tmp_path):
    rows = [
        placement(trainee_email=f"t{i}@example.org", trainee_name=f"T {i}", end_date="x")
        for i in range(250)
    ]
    path = write_csv(tmp_path / "placements.csv", rows)
    code, _, err = cli(monkeypatch, capsys, sqlite_url, "import", "roster", path)
    lines = err.splitlines()
    assert code == 1 and len(lines) == 202
    assert lines[199].startswith("line 201: bad date in end_date")
    assert lines[200] == "... and 50 more"
    assert_one_line_error(err, "placements.csv rejected: 250 bad rows; nothing was imported")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "{path}: no such file"),
        (b"name,email\nZo\xeb,zoe@example.org\n", "placements.csv is not UTF-8 text"),
        (b"", "placements.csv is empty"),
    ],
    ids=["missing", "not-utf8", "empty"],
)
def test_unusable_file_is_one_line(monkeypatch, capsys, sqlite_url, tmp_path, content, message):
    path = tmp_path / "placements.csv"
    if content is not None:
        path.write_bytes(content)
    code, out, err = cli(monkeypatch, capsys, sqlite_url, "import", "roster", path)
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("error: " + message.format(path=path))


def test_refuses_a_database_that_is_behind(monkeypatch, capsys, tmp_path):
    path = write_csv(tmp_path / "placements.csv", good_rows())
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    code, _, err = cli(monkeypatch, capsys, empty, "import", "roster", path)
    assert code == 1
    assert len(err.splitlines()) == 1
    assert "run `mentorbot db upgrade` first" in err


def test_entry_point_with_piped_output(sqlite_url, tmp_path):
    """The installed command, output piped: no progress bar noise, no traceback."""
    env = {**os.environ, "DATABASE_URL": sqlite_url}
    env.pop("MENTORBOT_DEBUG", None)
    rows = [
        placement(trainee_email=f"t{i}@example.org", trainee_name=f"Trainee {i}")
        for i in range(1200)
    ]
    big = write_csv(tmp_path / "placements.csv", rows)
    done = subprocess.run(
        [MENTORBOT, "import", "roster", big],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert "  placements: 1200 created, 0 updated, 0 unchanged" in done.stdout.splitlines()

    rows[5]["mentor_email"] = "not-an-email"
    bad = write_csv(tmp_path / "bad.csv", rows)
    done = subprocess.run(
        [MENTORBOT, "import", "roster", bad],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "line 7: bad email in mentor_email: 'not-an-email'",
        "error: bad.csv rejected: 1 bad row; nothing was imported",
    ]
