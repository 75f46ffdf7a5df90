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


@pytest.mark.parametrize(
    ("tutor_email", "people_rows", "message"),
    [
        ("nobody@uni.ac.uk", [TUTOR], "tutor_email nobody@uni.ac.uk is not in the people file"),
        ("charles@oak.sch.uk", [TUTOR], "tutor_email charles@oak.sch.uk is not a tutor"),
        (
            "rf@uni.ac.uk",
            [{"name": "R F", "email": "rf@uni.ac.uk", "roles": "itt_lead"}],
            "tutor_email rf@uni.ac.uk is not a tutor",
        ),
        ("not-an-email", [TUTOR], "bad email in tutor_email: 'not-an-email'"),
        ("alan@example.org", [TUTOR], "trainee alan@example.org is their own tutor"),
        ("mary@oak.sch.uk", [TUTOR], "mentor mary@oak.sch.uk is also the placement's tutor"),
    ],
)
async def test_bad_tutor_is_a_row_error_and_nothing_is_imported(
    sessions, tmp_path, tutor_email, people_rows, message
):
    people = write_csv(tmp_path / "people.csv", people_rows)
    good = write_csv(tmp_path / "good.csv", [placement(trainee_email="alan@example.org")])
    await run_roster(sessions, good)
    before = await snapshot(sessions)
    rows = [placement(), placement(trainee_email="alan@example.org", tutor_email=tutor_email)]
    bad = write_csv(tmp_path / "placements.csv", rows, header=list(rows[1]))
    with pytest.raises(ImportRejected) as caught:
        await run_roster(sessions, bad, people)
    [error] = caught.value.errors
    assert (error.file, error.line) == ("placements.csv", 3)
    assert error.message.startswith(message)
    assert await snapshot(sessions) == before
