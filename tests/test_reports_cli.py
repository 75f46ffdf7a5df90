"""`mentorbot export idp` and `mentorbot report cohort|school` as the office runs them."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zipfile

from storage.db import make_engine, session_factory
from tests.console_harness import run_cli
from tests.factories import build_world
from tests.report_data import full_term

TARA = "tara.trainee@example.org"


async def _seeded(url: str) -> None:
    engine = make_engine(url)
    try:
        sessions = session_factory(engine)
        await full_term(sessions, await build_world(sessions))
    finally:
        await engine.dispose()


def test_the_office_exports_one_idp_as_html_csv_and_json(sqlite_url, tmp_path, monkeypatch, capsys):
    asyncio.run(_seeded(sqlite_url))
    for fmt, name in (("html", "idp.html"), ("csv", "idp.zip"), ("json", "idp.json")):
        out = tmp_path / name
        code, _out, err = run_cli(
            monkeypatch, capsys, sqlite_url, "export", "idp", "--trainee", TARA.upper(),
            "--format", fmt, "--out", str(out),
        )  # fmt: skip
        assert code == 0, err
        assert out.exists() and str(out) in err
    assert "Individual Development Portfolio: Tara Trainee" in (tmp_path / "idp.html").read_text()
    archive = zipfile.ZipFile(tmp_path / "idp.zip")
    meetings = list(csv.DictReader(io.TextIOWrapper(archive.open("meetings.csv"), "utf-8")))
    assert len(meetings) == 12
    assert json.loads((tmp_path / "idp.json").read_text())["counts"]["observations"] == 6


def test_the_cohort_and_school_reports_from_the_cli(sqlite_url, tmp_path, monkeypatch, capsys):
    asyncio.run(_seeded(sqlite_url))
    cohort = tmp_path / "cohort.csv"
    code, _out, err = run_cli(
        monkeypatch, capsys, sqlite_url, "report", "cohort", "--programme",
        "PGCE Primary 2026-27", "--format", "csv", "--out", str(cohort),
    )  # fmt: skip
    assert code == 0, err
    assert len(list(csv.DictReader(cohort.open()))) == 2
    school = tmp_path / "school.html"
    code, _out, err = run_cli(
        monkeypatch, capsys, sqlite_url, "report", "school", "--school",
        "horton grange primary", "--out", str(school),
    )  # fmt: skip
    assert code == 0, err
    assert "School Summary Report: Horton Grange Primary" in school.read_text()


def test_unknown_names_are_one_clear_line(sqlite_url, tmp_path, monkeypatch, capsys):
    asyncio.run(_seeded(sqlite_url))
    out = str(tmp_path / "x")
    for args, said in (
        (("export", "idp", "--trainee", "nobody@example.org", "--out", out), "no trainee"),
        (("report", "school", "--school", "Nowhere High", "--out", out), "no school"),
        (("report", "cohort", "--programme", "Nope", "--out", out), "no programme"),
        (("report", "cohort", "--review-point", "RP9", "--out", out), "no review point"),
    ):
        code, _out, err = run_cli(monkeypatch, capsys, sqlite_url, *args)
        assert code == 1 and said in err and "Traceback" not in err, err
    code, _out, err = run_cli(monkeypatch, capsys, sqlite_url, "export", "idp", "--format", "pdf")
    assert code == 2 and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_a_report_of_many_trainees_shows_progress_and_still_writes(
    sqlite_url, tmp_path, monkeypatch, capsys
):
    from bot.cli import report_cmd

    asyncio.run(_seeded(sqlite_url))
    monkeypatch.setattr(report_cmd, "PROGRESS_FROM", 1)  # two trainees count as many here
    out = tmp_path / "cohort.html"
    code, _out, err = run_cli(
        monkeypatch, capsys, sqlite_url, "report", "cohort", "--out", str(out)
    )
    assert code == 0 and "Traceback" not in err, err
    assert "Latest rating per trainee and standard" in out.read_text()
