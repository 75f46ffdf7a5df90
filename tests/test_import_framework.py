"""`mentorbot import framework` and `mentorbot framework`: a provider's own framework from
CSV, refused whole with every bad row listed, and re-imported without orphaning ratings."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import make_engine, session_factory
from storage.models import (
    AssessmentFramework,
    FrameworkStrand,
    Programme,
    ScaleValue,
    Target,
)
from storage.repo import frameworks
from tests.factories import World, build_world, tara_rating
from tests.framework_data import CODE, NAME, framework_rows, write_framework
from tests.test_cli_import import _isolated, assert_one_line_error, cli, count  # noqa: F401

PROGRAMME = "PGCE Primary 2026-27"


def world(db_url: str) -> World:
    async def go() -> World:
        engine = make_engine(db_url)
        try:
            return await build_world(session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(go())


def read(db_url: str, programme_id: int) -> frameworks.Framework:
    async def go() -> frameworks.Framework:
        engine = make_engine(db_url)
        try:
            async with session_factory(engine)() as s:
                return await frameworks.framework_for_programme(s, programme_id=programme_id)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def rate(db_url: str, w: World, item: str, rating: str, scale: str = CODE) -> None:
    async def go() -> None:
        engine = make_engine(db_url)
        try:
            async with session_factory(engine)() as s, s.begin():
                at = datetime(2026, 11, 10, 10, tzinfo=UTC)
                s.add(tara_rating(w, item, rating, at, scale=scale))
        finally:
            await engine.dispose()

    asyncio.run(go())


def test_import_puts_the_programme_on_its_own_framework(monkeypatch, capsys, db_url, tmp_path):
    w = world(db_url)
    assert read(db_url, w.programme_id).code == "teachers_standards"  # the default
    path = write_framework(tmp_path / "framework.csv")

    code, out, err = cli(
        monkeypatch, capsys, db_url, "import", "framework", path, "--programme", PROGRAMME
    )
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "imported framework.csv (6 rows)"
    assert "  strands: 3 created, 0 updated, 0 unchanged" in out.splitlines()
    assert "  scale_values: 2 created, 0 updated, 0 unchanged" in out.splitlines()
    assert "  programmes: 0 created, 1 updated, 0 unchanged" in out.splitlines()
    on = read(db_url, w.programme_id)
    assert (on.code, on.name) == (CODE, NAME)
    assert [s.code for s in on.strands] == ["C1", "C2", "C3"]
    assert on.strands[2].area == "Pedagogy"
    assert [(v.symbol, v.label, v.off_track) for v in on.values] == [
        ("✔", "Minimum expectation met", False),
        ("✖", "Minimum expectation not met", True),
    ]

    code, out, _ = cli(
        monkeypatch, capsys, db_url, "import", "framework", path, "--programme", PROGRAMME
    )
    assert code == 0
    assert out.splitlines()[-1] == "no changes: the database already matches the file"

    code, out, _ = cli(monkeypatch, capsys, db_url, "framework", "list")
    assert code == 0
    assert "scale: ✔ Minimum expectation met · ✖ Minimum expectation not met (off track)" in out
    assert "ittecf: ITT and Early Career Framework" in out


def test_every_bad_row_is_listed_and_nothing_is_stored(monkeypatch, capsys, db_url, tmp_path):
    rows = framework_rows()
    rows[2]["kind"] = "standard"
    rows[3]["code"] = "C1"  # twice
    rows[5]["symbol"] = "✔"  # the same shape as another value: colour alone would tell them apart
    rows[5]["off_track"] = "maybe"
    rows.append({"kind": "strand", "code": "C4", "name": "x" * 301})
    rows.append({"kind": "strand", "code": "Comment", "name": "Comments"})
    path = write_framework(tmp_path / "framework.csv", rows)

    code, out, err = cli(monkeypatch, capsys, db_url, "import", "framework", path)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "line 4: unknown kind 'standard' (expected framework, strand, value)",
        "line 5: duplicate strand 'C1' (already on line 3)",
        "line 7: symbol '✔' is already value 'met''s: each value needs its own, so the "
        "scale never depends on colour",
        "line 7: bad off_track 'maybe' (yes or no)",
        "line 8: name is longer than 300 characters",
        "line 9: strand code 'Comment' is the name of the rating form's own field",
        "error: framework.csv rejected: 5 bad rows; nothing was imported",
    ]
    assert count(db_url, AssessmentFramework) == 2  # the two shipped
    assert count(db_url, FrameworkStrand) == 9 + 8


def test_a_file_without_a_framework_row_or_a_scale_is_refused(
    monkeypatch, capsys, sqlite_url, tmp_path
):
    rows = [r for r in framework_rows() if r["kind"] == "strand"]
    path = write_framework(tmp_path / "framework.csv", rows)
    code, _, err = cli(monkeypatch, capsys, sqlite_url, "import", "framework", path)
    assert code == 1
    assert_one_line_error(
        err,
        "framework.csv: no framework row (one row of kind framework gives its code and "
        "name); 0 value rows; a scale has 2 to 7 values",
    )
    rows = framework_rows()
    rows[0]["code"] = "wellbeing"
    path = write_framework(tmp_path / "framework.csv", rows)
    code, _, err = cli(monkeypatch, capsys, sqlite_url, "import", "framework", path)
    assert (
        err.splitlines()[0]
        == "line 2: framework code 'wellbeing' is reserved for mentorbot's own scales"
    )


def test_reimport_keeps_every_strand_and_value_ratings_use(monkeypatch, capsys, db_url, tmp_path):
    w = world(db_url)
    path = write_framework(tmp_path / "framework.csv")
    assert (
        cli(monkeypatch, capsys, db_url, "import", "framework", path, "--programme", PROGRAMME)[0]
        == 0
    )
    rate(db_url, w, "C3", "not_met")

    rows = [r for r in framework_rows() if r["code"] not in ("C3", "not_met")]
    rows.append({"kind": "value", "code": "partly", "name": "Partly met", "symbol": "▲"})
    code, out, err = cli(
        monkeypatch, capsys, db_url, "import", "framework", write_framework(path, rows)
    )
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "strand 'C3' is not in the file but 1 rating uses it: keep its row (its wording may change)",
        "value 'not_met' is not in the file but 1 rating uses it: keep its row (its wording may "
        "change)",
        "error: framework.csv rejected: nothing was imported",
    ]
    assert [s.code for s in read(db_url, w.programme_id).strands] == ["C1", "C2", "C3"]
    assert count(db_url, ScaleValue) == 3 + 3 + 2

    # A strand nobody rated can go; one that is rated can be reworded.
    rows = [r for r in framework_rows() if r["code"] != "C2"]
    rows[2]["name"] = "Adapts teaching for every pupil, including those with SEND"
    code, out, err = cli(
        monkeypatch, capsys, db_url, "import", "framework", write_framework(path, rows)
    )
    assert (code, err) == (0, "")
    assert (
        "  strands: 0 created, 2 updated, 1 unchanged" in out.splitlines()
    )  # C2 gone, C3 reworded
    on = read(db_url, w.programme_id)
    assert [s.code for s in on.strands] == ["C1", "C3"]
    assert on.strands[1].title.startswith("Adapts teaching for every pupil")


def test_dry_run_checks_the_same_and_writes_nothing(monkeypatch, capsys, sqlite_url, tmp_path):
    w = world(sqlite_url)
    path = write_framework(tmp_path / "framework.csv")
    code, out, err = cli(
        monkeypatch, capsys, sqlite_url, "import", "framework", path, "--programme", PROGRAMME,
        "--dry-run",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "dry run of framework.csv (6 rows): nothing was written"
    assert count(sqlite_url, AssessmentFramework) == 2
    assert read(sqlite_url, w.programme_id).code == "teachers_standards"


def test_moving_a_rated_programme_needs_force(monkeypatch, capsys, db_url, tmp_path):
    w = world(db_url)
    rate(db_url, w, "TS1", "green", scale="teachers_standards")
    code, _, err = cli(monkeypatch, capsys, db_url, "framework", "use", "ittecf", PROGRAMME)
    assert code == 1
    assert "has 1 review-point ratings on its current framework" in err
    assert "Give --force to move it anyway" in err
    assert read(db_url, w.programme_id).code == "teachers_standards"

    code, out, _ = cli(
        monkeypatch, capsys, db_url, "framework", "use", "ittecf", PROGRAMME, "--force"
    )
    assert code == 0 and out.strip() == f"{PROGRAMME} is now rated on ittecf"
    assert read(db_url, w.programme_id).code == "ittecf"
    code, _, err = cli(monkeypatch, capsys, db_url, "framework", "use", "nope", PROGRAMME)
    assert_one_line_error(err, "no framework with code 'nope'")


@pytest.mark.parametrize("missing", ["kind", "name"])
def test_header_problems_are_line_1(monkeypatch, capsys, sqlite_url, tmp_path, missing):
    columns = [c for c in ("kind", "code", "name", "symbol") if c != missing]
    from tests.test_import_roster import write_csv

    path = write_csv(tmp_path / "framework.csv", framework_rows(), columns)
    code, _, err = cli(monkeypatch, capsys, sqlite_url, "import", "framework", path)
    assert code == 1
    assert err.splitlines()[0] == f"line 1: missing column {missing}"


async def test_count_of_shipped(sessions):
    async with sessions() as s:
        n = (await s.execute(select(func.count()).select_from(AssessmentFramework))).scalar()
    assert n == 2


def test_the_documented_example_imports(tmp_path):
    """docs/csv-formats.md's framework.csv example is a good file, as printed there."""
    from storage.imports.framework_csv import read_framework

    docs = (Path(__file__).parents[1] / "docs" / "csv-formats.md").read_text(encoding="utf-8")
    example = docs[docs.index("kind,code,name,area") :].split("```")[0]
    path = tmp_path / "framework.csv"
    path.write_text(example, encoding="utf-8")
    checked = read_framework(path)
    assert [s.code for s in checked.spec.strands] == ["C1", "C2", "C3"]
    assert [v.off_track for v in checked.spec.values] == [False, True]


def test_the_calendar_can_put_a_programme_on_a_framework(monkeypatch, capsys, db_url, tmp_path):
    """calendar.csv's optional framework column, as the sample calendar uses it."""
    from tests.test_import_calendar import calendar_rows
    from tests.test_import_roster import write_csv

    w = world(db_url)
    rows = [
        {**r, "programme": PROGRAMME, "framework": "ittecf" if i == 1 else ""}
        for i, r in enumerate(calendar_rows()[:4])
    ]
    path = write_csv(tmp_path / "calendar.csv", rows)
    code, out, err = cli(monkeypatch, capsys, db_url, "import", "calendar", path)
    assert (code, err) == (0, "")
    assert "  programmes: 0 created, 1 updated, 0 unchanged" in out.splitlines()
    assert read(db_url, w.programme_id).code == "ittecf"
    code, out, _ = cli(monkeypatch, capsys, db_url, "import", "calendar", path)
    assert out.splitlines()[-1] == "no changes: the database already matches the file"

    rows[0]["framework"], rows[2]["framework"] = "teachers_standards", "nope"
    rows[3]["programme"] = "PGCE Secondary 2026-27"
    rows[3]["framework"] = "nope"
    bad = write_csv(tmp_path / "calendar2.csv", rows)
    code, out, err = cli(monkeypatch, capsys, db_url, "import", "calendar", bad)
    assert code == 1 and out == ""
    assert err.splitlines()[:2] == [
        "line 3: framework 'ittecf' for programme 'PGCE Primary 2026-27' differs from "
        "'teachers_standards' on line 2",
        "line 4: framework 'nope' for programme 'PGCE Primary 2026-27' differs from "
        "'teachers_standards' on line 2",
    ]
    rows = [{**r, "framework": ""} for r in rows]
    rows[3]["framework"] = "nope"
    code, _, err = cli(monkeypatch, capsys, db_url, "import", "calendar", write_csv(bad, rows))
    assert err.splitlines() == [
        "line 5: unknown framework 'nope' (`mentorbot framework list` shows them)",
        "error: calendar2.csv rejected: 1 bad row; nothing was imported",
    ]
    assert count(db_url, Programme) == 1  # PGCE Secondary 2026-27 was not created


def set_target(db_url: str, w: World, strand: str) -> None:
    async def go() -> None:
        engine = make_engine(db_url)
        try:
            async with session_factory(engine)() as s, s.begin():
                s.add(
                    Target(
                        trainee_id=w.trainee_id,
                        placement_id=w.placement_id,
                        strand_code=strand,
                        text="Use the class signal",
                        set_on=date(2026, 11, 17),
                        review_by=date(2026, 11, 27),
                        set_by_id=w.mentor_id,
                    )
                )
        finally:
            await engine.dispose()

    asyncio.run(go())


def test_reimport_keeps_every_strand_a_target_names(monkeypatch, capsys, db_url, tmp_path):
    w = world(db_url)
    path = write_framework(tmp_path / "framework.csv")
    args = ("import", "framework", path, "--programme", PROGRAMME)
    assert cli(monkeypatch, capsys, db_url, *args)[0] == 0
    set_target(db_url, w, "C2")  # nobody rated C2 yet, but a target was set against it
    rows = [r for r in framework_rows() if r["code"] != "C2"]
    code, out, err = cli(
        monkeypatch, capsys, db_url, "import", "framework", write_framework(path, rows)
    )
    assert code == 1 and out == ""
    assert err.splitlines()[0] == (
        "strand 'C2' is not in the file but 1 target uses it: keep its row (its wording may change)"
    )
    assert [s.code for s in read(db_url, w.programme_id).strands] == ["C1", "C2", "C3"]
