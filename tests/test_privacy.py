"""Data protection as the office runs it: subject access export, erasure, coverage."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.db import make_engine, session_factory
from storage.models import (
    Concern,
    Escalation,
    OutboxMessage,
    ParkedInteraction,
    PlatformIdentity,
    WeeklyMeeting,
)
from storage.privacy.tables import NOT_PERSONAL, PERSON_TABLES
from storage.repo.messaging import audit
from tests.console_harness import query, run_cli
from tests.factories import World, build_world
from tests.report_data import full_term

TARA, TARA_NAME, TARA_SLACK = "tara.trainee@example.org", "Tara Trainee", "U0TARA0001"
PERSONISH = ("email", "name", "_by_id", "recipient_id", "external_id", "user_id")


def test_every_table_with_a_person_column_is_covered():
    missing = []
    for t in SQLModel.metadata.sorted_tables:
        personal = [
            c.name
            for c in t.columns
            if any(fk.column.table.name == "person" for fk in c.foreign_keys)
            or any(word in c.name for word in PERSONISH)
        ]
        if personal and t.name not in PERSON_TABLES and t.name not in NOT_PERSONAL:
            missing.append(f"{t.name} ({', '.join(personal)})")
    assert not missing, f"not covered by storage/privacy/tables.py: {missing}"
    for name, link in PERSON_TABLES.items():
        columns = SQLModel.metadata.tables[name].c
        assert all(c in columns for c in (*link.columns, *link.text)), name


async def _records(db_url: str, *, open_escalation: bool = False) -> World:
    engine = make_engine(db_url)
    try:
        sessions = session_factory(engine)
        w = await build_world(sessions)
        await full_term(sessions, w)
        async with sessions() as s, s.begin():
            s.add(PlatformIdentity(person_id=w.trainee_id, platform="slack", workspace_id="T1",
                                   external_id=TARA_SLACK, conversation_reference={"channel": "D0TARA"}))  # fmt: skip
            s.add(PlatformIdentity(person_id=w.other_trainee_id, platform="slack",
                                   workspace_id="T1", external_id="U0OLI00001"))  # fmt: skip
            s.add(ParkedInteraction(platform="slack", workspace_id="T1", external_id=TARA_SLACK,
                                    event_key="e1", interaction={"text": "my private note"}))  # fmt: skip
            s.add(OutboxMessage(key="k1", recipient_id=w.trainee_id, kind="prompt",
                                payload={"name": TARA_NAME}))  # fmt: skip
            s.add(OutboxMessage(key="k2", recipient_id=w.trainee_id, kind="prompt", status="sent",
                                payload={"name": TARA_NAME}))  # fmt: skip
            s.add(OutboxMessage(key="k3", recipient_id=w.mentor_id, kind="digest",
                                payload={"text": f"{TARA_NAME} has not signed off"}))  # fmt: skip
            s.add(WeeklyMeeting(placement_id=w.other_placement_id, week_start=date(2026, 9, 7),
                                notes="Paired with Tara Trainee for a team-taught lesson"))  # fmt: skip
            s.add(Concern(placement_id=w.other_placement_id, raised_by_id=w.other_mentor_id,
                          category="progress", details="Oli's planning is thin"))  # fmt: skip
            if open_escalation:
                s.add(Escalation(placement_id=w.placement_id, rule="red", cause_key="rp1"))
            await audit(s, actor_id=w.trainee_id, action="meeting.confirmed", entity="weekly_meeting", entity_id=1)  # fmt: skip
        return w
    finally:
        await engine.dispose()


async def _dump(session: AsyncSession) -> dict[str, list[dict[str, Any]]]:
    dump = {}
    for t in SQLModel.metadata.sorted_tables:
        rows = (await session.execute(sa.select(t))).all()
        dump[t.name] = [dict(r._mapping) for r in rows]
    return dump


def test_export_holds_every_record_about_a_trainee(db_url, tmp_path, monkeypatch, capsys):
    asyncio.run(_records(db_url))
    out = tmp_path / "sar"
    code, _out, err = run_cli(monkeypatch, capsys, db_url, "privacy", "export",
                              "--person", TARA.upper(), "--out", str(out))  # fmt: skip
    assert code == 0, err
    held = json.loads((out / "held.json").read_text())
    text = (out / "held.json").read_text()
    for marker in ("Behaviour routines not yet secure", "Tired", "We ran out of time",
                   "Target set in week 1", "Observation target 6", "Secure routines by half term",
                   TARA_SLACK, "my private note", "meeting.confirmed", "TS1 comment"):  # fmt: skip
        assert marker in text, marker
    assert held["counts"]["weekly_meeting"] == 12 and held["counts"]["outbox_message"] == 2
    assert "Oli's planning is thin" not in text and "U0OLI00001" not in text
    page = (out / "held.html").read_text()
    assert "Personal data held about Tara Trainee" in page and "&lt;script&gt;" in page
    assert "<script>" not in page
    assert "Individual Development Portfolio" in (out / "idp.html").read_text()
    assert json.loads((out / "idp.json").read_text())["counts"]


def test_export_for_a_mentor_is_what_they_wrote_and_were_sent(db_url, tmp_path, monkeypatch, capsys):  # fmt: skip
    asyncio.run(_records(db_url))
    out = tmp_path / "sar"
    code, _out, err = run_cli(monkeypatch, capsys, db_url, "privacy", "export",
                              "--person", "mo.mentor@example.org", "--out", str(out))  # fmt: skip
    assert code == 0, err
    held = json.loads((out / "held.json").read_text())
    assert held["counts"]["observation"] == 6 and held["counts"]["outbox_message"] == 1
    assert not (out / "idp.json").exists()


def test_unknown_person_is_one_clear_line(sqlite_url, tmp_path, monkeypatch, capsys):
    code, _out, err = run_cli(monkeypatch, capsys, sqlite_url, "privacy", "export",
                              "--person", "nobody@example.org", "--out", str(tmp_path))  # fmt: skip
    assert code == 1 and "nobody with the e-mail 'nobody@example.org'" in err


def _leaks(dump: dict[str, list[dict[str, Any]]]) -> list[str]:
    needles = (TARA_NAME.lower(), TARA, TARA_SLACK.lower(), "my private note")
    found = []
    for name, rows in dump.items():
        for row in rows:
            flat = json.dumps(row, default=str).lower()
            found += [f"{name}: {n}" for n in needles if n in flat]
    return found


def test_erasure_leaves_no_trace_and_others_intact(db_url, monkeypatch, capsys):
    w = asyncio.run(_records(db_url))
    before = query(db_url, _dump)
    assert _leaks(before)
    code, _out, err = run_cli(monkeypatch, capsys, db_url, "privacy", "erase", "--person", TARA, "--yes")  # fmt: skip
    assert code == 0, err
    assert f"Erased person {w.trainee_id}" in err and "a former trainee" in err
    after = query(db_url, _dump)
    assert _leaks(after) == []
    gone = {"platform_identity": 1, "parked_interaction": 1, "audit_log": -1}
    for name in before:
        assert len(after[name]) == len(before[name]) - gone.get(name, 0), name
    tara = next(p for p in after["person"] if p["id"] == w.trainee_id)
    assert tara["full_name"] == "a former trainee"
    outbox = {m["key"]: m for m in after["outbox_message"]}
    assert outbox["k1"]["status"] == "cancelled" and outbox["k2"]["status"] == "sent"
    assert outbox["k3"]["payload"] == {"text": "a former trainee has not signed off"}
    notes = [m["notes"] for m in after["weekly_meeting"] if m["placement_id"] == w.other_placement_id]  # fmt: skip
    assert notes == ["Paired with a former trainee for a team-taught lesson"]
    assert [
        c["details"] for c in after["concern"] if c["placement_id"] == w.other_placement_id
    ] == ["Oli's planning is thin"]
    erased = [a for a in after["audit_log"] if a["action"] == "person.erased"]
    assert [(a["entity_id"], a["actor_id"], a["detail"]) for a in erased] == [
        (w.trainee_id, None, {"by": "office", "forced": False})
    ]
    # Again: nothing more changes, nothing more is audited.
    code, _out, err = run_cli(monkeypatch, capsys, db_url, "privacy", "erase", "--person", TARA, "--yes")  # fmt: skip
    assert code == 1 and "nobody with the e-mail" in err
    assert query(db_url, _dump) == after


def test_erasure_is_refused_with_an_open_escalation_unless_forced(db_url, monkeypatch, capsys):
    asyncio.run(_records(db_url, open_escalation=True))
    before = query(db_url, _dump)
    code, _out, err = run_cli(monkeypatch, capsys, db_url, "privacy", "erase", "--person", TARA, "--yes")  # fmt: skip
    assert code == 1 and "1 open escalation(s)" in err and "--force" in err
    assert query(db_url, _dump) == before
    code, _out, err = run_cli(monkeypatch, capsys, db_url, "privacy", "erase",
                              "--person", TARA, "--yes", "--force")  # fmt: skip
    assert code == 0, err
    assert _leaks(query(db_url, _dump)) == []


def test_dry_run_and_declined_confirmation_change_nothing(sqlite_url, monkeypatch, capsys):
    asyncio.run(_records(sqlite_url))
    before = query(sqlite_url, _dump)
    code, _out, err = run_cli(monkeypatch, capsys, sqlite_url, "privacy", "erase", "--person", TARA, "--dry-run")  # fmt: skip
    assert code == 0 and "Would erase" in err and "platform identity: 1" in err
    code, _out, err = run_cli(monkeypatch, capsys, sqlite_url, "privacy", "erase",
                              "--person", TARA, stdin=["n"])  # fmt: skip
    assert code == 1
    assert query(sqlite_url, _dump) == before
