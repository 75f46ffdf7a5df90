"""The placements file's optional tutor_email column: a placement's university visiting
tutor, who must hold the tutor role (in the people file or already)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.imports import ImportRejected
from storage.models import Person, Placement
from tests.test_import_roster import placement, run_roster, snapshot, write_csv

TUTOR = {"name": "Uma Visiting", "email": "uma@uni.ac.uk", "roles": "tutor"}


async def _tutors(sessions) -> dict[str, str | None]:
    async with sessions() as s:
        emails = dict((await s.execute(select(Person.id, Person.email))).all())
        rows = (await s.execute(select(Placement.trainee_id, Placement.tutor_id))).all()
    return {emails[t]: emails.get(u) for t, u in rows}


async def test_tutor_column_links_the_placement_and_a_file_without_it_keeps_the_link(
    sessions, tmp_path
):
    people = write_csv(tmp_path / "people.csv", [TUTOR])
    linked = write_csv(tmp_path / "p.csv", [placement(tutor_email="Uma@Uni.ac.uk ")])
    await run_roster(sessions, linked, people)
    assert await _tutors(sessions) == {"ada@example.org": "uma@uni.ac.uk"}

    # The tutor is known as a tutor now: a later placements file alone may name them,
    # and a file without the column (or a blank cell) leaves the link alone.
    without = write_csv(tmp_path / "p2.csv", [placement(end_date="2025-12-18")])
    await run_roster(sessions, without)
    assert await _tutors(sessions) == {"ada@example.org": "uma@uni.ac.uk"}

    other = {"name": "Vic Link", "email": "vic@uni.ac.uk", "roles": "tutor"}
    people2 = write_csv(tmp_path / "people2.csv", [other])
    changed = write_csv(tmp_path / "p3.csv", [placement(tutor_email="vic@uni.ac.uk")])
    result = await run_roster(sessions, changed, people2)
    assert result.counts["placements"].updated == 1
    assert await _tutors(sessions) == {"ada@example.org": "vic@uni.ac.uk"}


async def _rejected(sessions, tmp_path, tutors: list[str], people_rows) -> list[tuple[int, str]]:
    """Import a file with one placement per tutor e-mail (lines 2, 3, …) over a database
    that already holds a placement; nothing may change. The (line, message) of each error."""
    good = write_csv(tmp_path / "good.csv", [placement(trainee_email="zoe@example.org")])
    await run_roster(sessions, good)
    before = await snapshot(sessions)
    rows = [
        placement(trainee_email=f"t{i}@example.org", tutor_email=email)
        for i, email in enumerate(tutors)
    ]
    bad = write_csv(tmp_path / "placements.csv", rows, header=list(rows[0]))
    people = write_csv(tmp_path / "people.csv", people_rows)
    with pytest.raises(ImportRejected) as caught:
        await run_roster(sessions, bad, people)
    assert await snapshot(sessions) == before
    assert {e.file for e in caught.value.errors} == {"placements.csv"}
    return [(e.line, e.message) for e in caught.value.errors]


async def test_a_tutor_cell_that_is_not_a_usable_e_mail_is_a_row_error(sessions, tmp_path):
    errors = await _rejected(
        sessions, tmp_path, ["not-an-email", "t1@example.org", "mary@oak.sch.uk"], [TUTOR]
    )
    assert errors == [
        (2, "bad email in tutor_email: 'not-an-email'"),
        (3, "trainee t1@example.org is their own tutor"),
        (4, "mentor mary@oak.sch.uk is also the placement's tutor"),
    ]


async def test_the_tutor_must_hold_the_tutor_role(sessions, tmp_path):
    itt_lead = {"name": "R F", "email": "rf@uni.ac.uk", "roles": "itt_lead"}
    tutors = ["nobody@uni.ac.uk", "charles@oak.sch.uk", "rf@uni.ac.uk", "uma@uni.ac.uk"]
    errors = await _rejected(sessions, tmp_path, tutors, [TUTOR, itt_lead])
    assert [line for line, _ in errors] == [2, 3, 4]  # Uma (line 5) is a tutor
    assert errors[0][1].startswith("tutor_email nobody@uni.ac.uk is not in the people file")
    assert errors[1][1].startswith("tutor_email charles@oak.sch.uk is not a tutor")
    assert errors[2][1].startswith("tutor_email rf@uni.ac.uk is not a tutor")


def test_the_command_lists_a_tutor_who_is_not_a_tutor(monkeypatch, capsys, sqlite_url, tmp_path):
    from tests.test_cli_import import assert_one_line_error, cli

    rows = [placement(), placement(trainee_email="alan@example.org", tutor_email="x@uni.ac.uk")]
    path = write_csv(tmp_path / "placements.csv", rows, header=list(rows[1]))
    people = write_csv(tmp_path / "people.csv", [TUTOR | {"email": "x@uni.ac.uk", "roles": "admin"}])  # fmt: skip
    code, _, err = cli(monkeypatch, capsys, sqlite_url, "import", "roster", path, "--people", people)  # fmt: skip
    assert code == 1
    assert err.splitlines()[0].startswith("line 3: tutor_email x@uni.ac.uk is not a tutor")
    assert_one_line_error(err, "placements.csv rejected: 1 bad row; nothing was imported")
