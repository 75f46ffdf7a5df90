"""`mentorbot report quality --year 2026-27` (#16 item 4): each school with its figures
and flags, as a table, CSV and HTML; a wrong year is a clear message and exit status 2."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

import pytest

from storage.db import make_engine, session_factory
from tests.console_harness import flat, run_cli
from tests.factories import build_world
from tests.quality_data import TRAINEE_COMMENT, build_quality


async def _seeded(url: str) -> None:
    engine = make_engine(url)
    try:
        sessions = session_factory(engine)
        await build_quality(sessions, await build_world(sessions))
    finally:
        await engine.dispose()


def _report(monkeypatch: Any, capsys: Any, url: str, *args: str) -> tuple[int, str, str]:
    return run_cli(monkeypatch, capsys, url, "report", "quality", *args)


def test_report_quality_lists_each_school_with_its_figures_and_flags(
    db_url: str, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    asyncio.run(_seeded(db_url))
    code, out, err = _report(monkeypatch, capsys, db_url, "--year", "2026-27")
    assert code == 0, err
    table = flat(out)
    assert "Annual quality report 2026-27" in table
    for name in ("Horton Grange Primary", "Exeter Road Academy", "Mo Mentor", "Omar Mentor"):
        assert name in table
    assert "no self-evaluation" in table  # Omar never self-evaluated
    assert "trainees' average 2 of 5" in table  # Exeter Road's one trainee: disagree
    assert "The year before (2025-26): no placements." in table

    code, out, err = _report(monkeypatch, capsys, db_url, "--year", "2026-27", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    schools = {r["school"]: r for r in rows if not r["mentor"]}
    assert set(schools) == {"Horton Grange Primary", "Exeter Road Academy"}
    horton = schools["Horton Grange Primary"]
    assert (horton["trainees"], horton["meetings_held"], horton["trainee_evaluations"]) == (
        "3",
        "10",
        "3",
    )
    assert "weekly meetings held" in horton["flags"]
    assert horton["training_evaluated_average"] == "4.33"
    # Tara's answer on the school is the school's, not the mentoring's average.
    assert (horton["school_view_average"], horton["trainee_average"]) == ("5", "3.67")
    mo = next(r for r in rows if r["mentor"] == "Mo Mentor")
    assert (mo["training_hours"], mo["MS1_trainees"], mo["MS1_tutors"]) == ("6", "4", "4")
    assert mo["MS4_self"] == "✔ Green 0 · ▲ Amber 1 · ✖ Red 1"
    assert mo["self_evaluated_on"] == "2026-10-05"
    exeter = schools["Exeter Road Academy"]
    assert "no self-evaluation" in exeter["flags"] and "of mentor training" in exeter["flags"]

    page = tmp_path / "quality.html"
    args = ("--year", "2026-27", "--format", "html", "--out", str(page))
    code, _out, err = _report(monkeypatch, capsys, db_url, *args)
    assert code == 0, err
    html = page.read_text()
    assert "Annual quality report 2026-27" in html and "Exeter Road Academy" in html
    assert TRAINEE_COMMENT in html  # the office's report is the full picture


def test_the_policy_thresholds_decide_the_flags(
    db_url: str, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    asyncio.run(_seeded(db_url))
    policy = tmp_path / "policy.toml"
    policy.write_text(
        "[quality]\nmin_meetings_held_percent = 0\nmin_evaluation_score = 1\n"
        "min_training_hours = 0\nmax_median_feedback_days = 30\n"
    )
    monkeypatch.setenv("MENTORBOT_POLICY", str(policy))
    code, out, err = _report(monkeypatch, capsys, db_url, "--year", "2026-27", "--format", "csv")
    assert code == 0, err
    flags = {r["school"]: r["flags"] for r in csv.DictReader(io.StringIO(out)) if not r["mentor"]}
    assert flags["Horton Grange Primary"] == ""
    assert (
        flags["Exeter Road Academy"]
        == "Omar Mentor: ⚠ no self-evaluation against the mentor standards this year"
    )


def test_a_year_with_nothing_says_so(db_url: str, monkeypatch: Any, capsys: Any) -> None:
    asyncio.run(_seeded(db_url))
    code, out, _err = _report(monkeypatch, capsys, db_url, "--year", "2019-20")
    assert code == 0 and "no placements in 2019-20" in out


@pytest.mark.parametrize("year", ["2026", "2026-28", "26-27", "next year", "2026-27-28"])
def test_a_wrong_year_is_a_clear_message_and_exit_2(
    sqlite_url: str, monkeypatch: Any, capsys: Any, year: str
) -> None:
    code, _out, err = _report(monkeypatch, capsys, sqlite_url, "--year", year)
    assert code == 2
    assert "not an academic year" in flat(err) and "2026-27" in flat(err)
    assert "Traceback" not in err
