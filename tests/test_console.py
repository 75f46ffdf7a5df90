"""`mentorbot chat`: scripted console sessions (piped standard input) against the sample data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import (
    Concern,
    Escalation,
    Observation,
    OutboxMessage,
    Person,
    Placement,
    RagRating,
    WeeklyMeeting,
)
from tests.console_harness import flat, query, run_cli

BEN = "ben.hughes@oakfield.example.org"
AMIRA = "amira.khan@trainees.example.org"
PRIYA = "priya.nair@university.example.org"
NOT_ON_ROSTER = "I can't find you on the ITT partnership roster"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("MENTORBOT_DEBUG", raising=False)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)


@pytest.fixture
def sample_db(monkeypatch, capsys, sqlite_url) -> str:
    """A migrated SQLite database holding the sample partnership and its calendar."""
    for what in ("roster", "calendar"):
        code, _out, err = run_cli(monkeypatch, capsys, sqlite_url, "import", what, "--sample")
        assert (code, err) == (0, "")
    return sqlite_url


def chat(monkeypatch, capsys, db_url, email, at, *lines):  # type: ignore[no-untyped-def]
    code, out, err = run_cli(
        monkeypatch, capsys, db_url, "chat", "--as", email, "--at", at, stdin=lines
    )
    assert "Traceback" not in err
    return code, out, err


def placement_of(db_url: str, trainee_email: str) -> int:
    async def go(s):  # type: ignore[no-untyped-def]
        stmt = (
            select(Placement.id)
            .join(Person, Person.id == Placement.trainee_id)
            .where(Person.email == trainee_email)
        )
        return (await s.execute(stmt)).scalar_one()

    return query(db_url, go)


def rows(db_url: str, model: type) -> list:  # type: ignore[type-arg]
    async def go(s):  # type: ignore[no-untyped-def]
        return list((await s.execute(select(model))).scalars().all())

    return query(db_url, go)


def test_sign_off_with_bad_answers_re_asks_only_those_fields(monkeypatch, capsys, sample_db):
    code, out, _ = chat(
        monkeypatch,
        capsys,
        sample_db,
        BEN,
        "2026-10-06T10:00",
        "status",
        "1",  # Yes, for Amira Khan's week of 28 September
        "2026-10-07",  # tomorrow
        "sixty",
        "x" * 3001,
        "Cold calling",
        "4",  # there are three choices
        "",
        "",  # no new target
        # Asked again: only the four refused, each with the reason.
        "yesterday",
        "45",
        "Behaviour [b]routines[/b]",  # shown as typed, never read as markup
        "3",
    )
    assert code == 0
    text = flat(out)
    assert "You are now Ben Hughes (mentor); the bot reaches them on Slack." in text
    assert "[1] Yes [2] Rescheduled [3] Did not happen" in text
    for reason in (
        "✖ This date can't be in the future.",
        "✖ Please give a whole number between 5 and 480.",
        "✖ Please keep this under 3000 characters (it has 3001).",
        "✖ Please choose one of the options.",
    ):
        assert reason in text
    lines = out.splitlines()
    assert sum(line.startswith("  Targets discussed") for line in lines) == 1  # not re-asked
    assert sum(line.startswith("  Trainee wellbeing") for line in lines) == 2
    assert "✔ Week of Mon 28 Sep 2026 with Amira Khan: meeting held on Mon 5 Oct 2026" in text
    # The trainee's confirmation request goes out at once, marked with where it would go.
    assert "→ Amira Khan (Slack DM) Ben Hughes has recorded your weekly development" in text
    assert "Progress discussed: Behaviour [b]routines[/b]" in text
    assert f"/as {AMIRA} to answer" in text
    assert text.endswith("Session ended.")

    [meeting] = rows(sample_db, WeeklyMeeting)
    assert meeting.placement_id == placement_of(sample_db, AMIRA)
    assert meeting.week_start == date(2026, 9, 28) and meeting.status == "held"
    assert (meeting.held_on, meeting.duration_minutes) == (date(2026, 10, 5), 45)
    assert meeting.progress_discussed == "Behaviour [b]routines[/b]"
    assert meeting.targets == "Cold calling"
    assert meeting.wellbeing == "green"


def test_rating_concern_and_escalation(monkeypatch, capsys, sample_db):
    code, out, _ = chat(
        monkeypatch,
        capsys,
        sample_db,
        PRIYA,
        "2026-10-20T10:00",  # Review point 1 is open
        "/channel #itt-leadership",
        f"/as {BEN}",
        "rate",
        "Tom Price",
        *("green", "green", "green", "amber", "green"),  # TS1–TS5
        *("amber", "red", "green", "green"),  # TS6–TS8, Part Two
        "Behaviour is not yet secure",
        "Seating plans",
        "concern",
        "Tom Price",
        "1",  # Progress
        "Falling behind with planning",
        "/advance 1h",
        f"/as {PRIYA}",
        "1",  # Acknowledge, on the alert waiting for her
    )
    assert code == 0
    text = flat(out)
    assert "✔ Escalation alerts will come to this channel." in text
    assert "✔ Ratings for Tom Price at Review point 1 recorded." in text
    assert "→ #itt-leadership (console channel)" in text
    assert "⚠ Escalation: Tom Price (Oakfield Primary) – a rating marked off track" in text
    assert "Off track at Review point 1: TS7" in text
    assert "You are now Priya Nair (ITT lead)." in text and "Waiting for you:" in text
    assert "Acknowledged by Priya Nair on 20 Oct 2026 11:00." in text

    tom = placement_of(sample_db, "tom.price@trainees.example.org")
    ratings = rows(sample_db, RagRating)
    at_review = {r.item_code: r.rating for r in ratings if r.review_point_id is not None}
    assert len(at_review) == 9 and at_review["TS7"] == "red" and at_review["TS4"] == "amber"
    assert {r.placement_id for r in ratings if r.review_point_id is not None} == {tom}
    [concern] = rows(sample_db, Concern)
    assert (concern.placement_id, concern.category) == (tom, "progress")
    escalations = rows(sample_db, Escalation)
    assert {e.rule for e in escalations} == {"red_rating", "concern"}
    assert [e.status for e in escalations].count("acknowledged") == 1
    sent = [o for o in rows(sample_db, OutboxMessage) if o.kind == "escalation_alert"]
    assert {o.platform for o in sent} == {"console"} and all(o.status == "sent" for o in sent)


def test_switching_people_and_bad_console_input(monkeypatch, capsys, sample_db):
    code, out, _ = chat(
        monkeypatch,
        capsys,
        sample_db,
        BEN,
        "2026-10-06T10:00",
        "/help",
        "7",  # nothing shown yet
        "/advance soon",
        "/frobnicate",
        "/as nobody@example.org",
        f"/as {AMIRA}",
        "status",
        "observe",  # a trainee cannot
        f"/as {BEN}",
        "observe",
        "1",
        "today",
        # standard input ends in the middle of the form
    )
    assert code == 0
    text = flat(out)
    assert "/advance 3d move the simulated clock" in text
    assert "The last message has no buttons to press." in text
    assert "Usage: /advance 3d" in text
    assert "Unknown console command /frobnicate" in text
    assert NOT_ON_ROSTER in text
    assert "You are now Amira Khan (trainee); the bot reaches them on Slack." in text
    assert "Amira Khan> status" in out and "Nothing is due. Thank you!" in text
    assert "You have no trainees on the roster right now." in text
    assert "Ben Hughes> observe" in out and "✎ Lesson observation" in text
    assert text.endswith("Session ended.")
    assert rows(sample_db, Observation) == []  # the unfinished form submitted nothing


def test_bad_start_time_is_one_line(monkeypatch, capsys, sample_db):
    code, out, err = chat(monkeypatch, capsys, sample_db, BEN, "next tuesday")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "error: --at 'next tuesday' is not an ISO date or date-time "
        "(e.g. 2026-10-05 or 2026-10-05T10:00)"
    ]


def test_chat_needs_a_current_database(monkeypatch, capsys, tmp_path):
    code, _out, err = chat(
        monkeypatch, capsys, f"sqlite:///{tmp_path / 'empty.db'}", BEN, "2026-10-06"
    )
    assert code == 1 and err.splitlines()[-1].endswith("run `mentorbot db upgrade` first")
