"""`mentorbot reach`, `mentorbot import schools` and `mentorbot school confirm`, as the
partnership office runs them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import PlatformIdentity, School
from tests.console_harness import query, run_cli


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("MENTORBOT_DEBUG", "SLACK_BOT_TOKEN", "MicrosoftAppId", "MICROSOFT_APP_ID"):
        monkeypatch.delenv(name, raising=False)


def test_reach_names_everyone_the_bot_cannot_reach_and_why(monkeypatch, capsys, sqlite_url):
    assert run_cli(monkeypatch, capsys, sqlite_url, "import", "roster", "--sample")[0] == 0
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("MENTORBOT_TEAMS_ALLOW_ANONYMOUS", "true")
    code, out, err = run_cli(monkeypatch, capsys, sqlite_url, "reach", "--format", "csv")
    assert code == 1 and err == ""  # someone cannot be reached
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(out))}
    assert len(rows) == 15
    # The link tutor is reached where the placements she visits are (Riverside: Teams).
    assert rows["uma.patel@university.example.org"]["platform"] == "Teams"
    erin = rows["erin.shah@riverside.example.org"]
    assert (erin["platform"], erin["reachable"]) == ("Teams", "no")
    assert "not installed" in erin["why"] and "app setup policy" in erin["fix"]
    ben = rows["ben.hughes@oakfield.example.org"]
    assert (ben["platform"], ben["reachable"]) == ("Slack", "on first message")
    code, out, _err = run_cli(monkeypatch, capsys, sqlite_url, "reach")
    assert "Who mentorbot can reach" in out and "15 people, 6 cannot be reached now" in out


def test_schools_import_then_a_learned_tenant_is_confirmed(
    monkeypatch, capsys, sqlite_url, tmp_path
):
    assert run_cli(monkeypatch, capsys, sqlite_url, "import", "roster", "--sample")[0] == 0
    code, out, err = run_cli(monkeypatch, capsys, sqlite_url, "import", "schools", "--sample")
    assert (code, err) == (0, "") and "schools: 0 created, 2 updated" in out
    bad = tmp_path / "schools.csv"
    bad.write_text("school,platform,slack_team_id\nOakfield Primary,slack,lowercase\n")
    code, _out, err = run_cli(monkeypatch, capsys, sqlite_url, "import", "schools", str(bad))
    assert code == 1 and "line 2: bad slack_team_id" in err and "nothing was imported" in err

    async def forget(s):  # type: ignore[no-untyped-def]
        school = (await s.execute(select(School).where(School.name == "Riverside Academy"))).one()[
            0
        ]
        school.tenant_confirmed = False
        await s.commit()

    query(sqlite_url, forget)
    code, out, _err = run_cli(
        monkeypatch, capsys, sqlite_url, "school", "confirm", "Riverside Academy"
    )
    assert code == 0 and "confirmed" in out
    code, _out, err = run_cli(monkeypatch, capsys, sqlite_url, "school", "confirm", "Nowhere")
    assert code == 1 and "no school named 'Nowhere'" in err
    assert query(sqlite_url, lambda s: s.execute(select(PlatformIdentity))).all() == []
