"""Data protection as the office runs it: subject access export, erasure, coverage."""

from __future__ import annotations

import asyncio
import functools
import json
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.db import make_engine, session_factory
from storage.models import (
    Concern,
    Escalation,
    Observation,
    OutboxMessage,
    ParkedInteraction,
    Person,
    Placement,
    PlatformIdentity,
    RagRating,
    ReviewPointQA,
    WeeklyMeeting,
)
from storage.privacy.tables import NOT_PERSONAL, PERSON_TABLES
from storage.repo.messaging import audit
from tests.console_harness import query, run_cli
from tests.factories import World, build_world
from tests.report_data import full_term
from tests.support_data import add_plan

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
    assert code == 1 and "nobody with the e-mail" in err and "erased already" in err
    erased_email = f"erased-{w.trainee_id}@erased.invalid"
    code, _out, err = run_cli(monkeypatch, capsys, db_url, "privacy", "erase", "--person", erased_email, "--yes")  # fmt: skip
    assert code == 0 and f"person {w.trainee_id} was already erased" in err
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


async def _placement_records(s: AsyncSession, w: World, email: str, start: date, end: date) -> int:
    person = Person(email=email, full_name=email.split("@")[0])
    s.add(person)
    await s.flush()
    assert person.id is not None
    placement = Placement(trainee_id=person.id, mentor_id=w.mentor_id, lead_mentor_id=w.lead_id,
                          school_id=w.school_id, programme_id=w.programme_id,
                          start_date=start, end_date=end)  # fmt: skip
    s.add(placement)
    await s.flush()
    assert placement.id is not None
    pid = placement.id
    s.add(WeeklyMeeting(placement_id=pid, week_start=start, notes="old notes"))
    observation = Observation(placement_id=pid, observer_id=w.mentor_id, observed_on=start, lesson="L")  # fmt: skip
    s.add(observation)
    await s.flush()
    s.add(RagRating(scale="teachers_standards", item_code="TS1", rating="red", subject_id=person.id,
                    rater_id=w.mentor_id, placement_id=pid, observation_id=observation.id))  # fmt: skip
    s.add(RagRating(scale="teachers_standards", item_code="TS2", rating="red", subject_id=person.id,
                    rater_id=w.mentor_id, placement_id=pid, review_point_id=w.review_point_id))  # fmt: skip
    concern = Concern(placement_id=pid, raised_by_id=w.mentor_id, category="progress", details="x")
    escalation = Escalation(placement_id=pid, rule="concern", cause_key="c", status="resolved")
    s.add_all([concern, escalation])
    await s.flush()
    closed = datetime(start.year, start.month, start.day, 12, tzinfo=UTC)
    await add_plan(s, placement_id=pid, escalation_id=escalation.id, opened_by_id=w.itt_lead_id,
                   led_by_id=w.itt_lead_id, review_date=start, opened_at=closed, closed_at=closed)  # fmt: skip
    s.add(ReviewPointQA(trainee_id=person.id, review_point_id=w.review_point_id,
                        lead_mentor_id=w.lead_id, judgement_agreed=True))  # fmt: skip
    return pid


async def _aged(db_url: str) -> tuple[World, int, int]:
    engine = make_engine(db_url)
    try:
        sessions = session_factory(engine)
        w = await build_world(sessions)
        await full_term(sessions, w)
        async with sessions() as s, s.begin():
            old = await _placement_records(s, w, "old@example.org", date(2018, 9, 3), date(2019, 7, 12))  # fmt: skip
            recent = await _placement_records(s, w, "recent@example.org", date(2023, 9, 4), date(2024, 7, 12))  # fmt: skip
        return w, old, recent
    finally:
        await engine.dispose()


async def _per_placement(session: AsyncSession) -> dict[str, dict[int | None, int]]:
    counts: dict[str, dict[int | None, int]] = {}
    for name in ("weekly_meeting", "observation", "rag_rating", "concern", "escalation", "support_plan", "support_stage", "support_target"):  # fmt: skip
        t = SQLModel.metadata.tables[name]
        rows = await session.execute(sa.select(t.c.placement_id, sa.func.count()).group_by(t.c.placement_id))  # fmt: skip
        counts[name] = {k: v for k, v in rows.all()}
    qa = SQLModel.metadata.tables["review_point_qa"]
    counts["review_point_qa"] = {0: await session.scalar(sa.select(sa.func.count()).select_from(qa)) or 0}  # fmt: skip
    return counts


def test_retention_removes_exactly_the_records_past_their_date(db_url, tmp_path, monkeypatch, capsys):  # fmt: skip
    _w, old, recent = asyncio.run(_aged(db_url))
    before = query(db_url, _per_placement)
    code, _out, err = run_cli(monkeypatch, capsys, db_url, "privacy", "retention", "--dry-run")
    assert code == 0 and "Would delete 8 record(s)" in err, err
    assert query(db_url, _per_placement) == before
    code, _out, err = run_cli(monkeypatch, capsys, db_url, "privacy", "retention")
    assert code == 0 and "Deleted 8 record(s)" in err and "meetings: 1" in err, err
    after = query(db_url, _per_placement)
    for name, by_placement in after.items():
        if name != "review_point_qa":
            assert old not in by_placement, name
            assert {k: v for k, v in before[name].items() if k != old} == by_placement, name
    assert after["review_point_qa"][0] == before["review_point_qa"][0] - 1
    # Meetings kept for one year only: the placement that ended in 2024 loses its meetings.
    policy = tmp_path / "policy.toml"
    policy.write_text("[retention]\nyears = 6\nkinds = { meetings = 1 }\n")
    monkeypatch.setenv("MENTORBOT_POLICY", str(policy))
    code, _out, err = run_cli(monkeypatch, capsys, db_url, "privacy", "retention")
    assert code == 0 and "Deleted 1 record(s)" in err, err
    assert recent not in query(db_url, _per_placement)["weekly_meeting"]
    assert query(db_url, _per_placement)["observation"][recent] == 1
    entries = query(db_url, _audit_rows)
    applied = [a["detail"] for a in entries if a["action"] == "retention.applied"]
    assert applied[0]["by"] == "office" and applied[0]["counts"]["meetings"] == 1
    assert sum(applied[0]["counts"].values()) == 8 and applied[1]["counts"]["meetings"] == 1


async def _audit_rows(session: AsyncSession) -> list[dict[str, Any]]:
    t = SQLModel.metadata.tables["audit_log"]
    return [dict(r._mapping) for r in await session.execute(sa.select(t).order_by(t.c.id))]


async def test_the_daily_job_applies_the_policy_and_logs_counts(sessions, caplog):
    from scheduler.policy import Policy
    from scheduler.retention import run_retention

    w = await build_world(sessions)
    async with sessions() as s, s.begin():
        await _placement_records(s, w, "old@example.org", date(2018, 9, 3), date(2019, 7, 12))
    caplog.set_level("INFO", logger="scheduler.retention")
    counts = await run_retention(sessions, Policy(), today=date(2026, 12, 1))
    assert counts == {"ratings": 2, "observations": 1, "meetings": 1, "support_plans": 1,
                      "escalations": 1, "concerns": 1, "qa_forms": 1, "evaluations": 0}  # fmt: skip
    assert "'meetings': 1" in caplog.text and "old@example.org" not in caplog.text
    assert await run_retention(sessions, Policy(), today=date(2026, 12, 1)) == dict.fromkeys(counts, 0)  # fmt: skip


def _csv_rows(out: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(out)))


def test_export_erasure_and_retention_all_show_in_the_audit_listing(db_url, tmp_path, monkeypatch, capsys):  # fmt: skip
    w, _old, _recent = asyncio.run(_aged(db_url))
    asyncio.run(_records_for_tara(db_url, w))
    cli = functools.partial(run_cli, monkeypatch, capsys, db_url)
    assert cli("privacy", "export", "--person", TARA, "--out", str(tmp_path))[0] == 0
    code, out, err = cli("audit", "--person", TARA, "--format", "csv")
    assert code == 0, err
    rows = _csv_rows(out)
    assert [(r["by"], r["action"], r["about"]) for r in rows] == [
        (TARA_NAME, "meeting.confirmed", "Tara Trainee"),
        ("office", "person.exported", "Tara Trainee"),
    ]
    assert cli("privacy", "erase", "--person", TARA, "--yes")[0] == 0
    assert cli("privacy", "retention")[0] == 0
    code, out, err = cli("audit", "--format", "csv", "--since", "2020-01-01")
    assert code == 0, err
    rows = _csv_rows(out)
    actions = [(r["by"], r["action"], r["record"], r["about"]) for r in rows]
    assert actions == [
        (
            "a former trainee",
            "meeting.confirmed",
            f"weekly_meeting {w.placement_id}",
            "a former trainee",
        ),
        ("office", "person.exported", f"person {w.trainee_id}", "a former trainee"),
        ("office", "person.erased", f"person {w.trainee_id}", "a former trainee"),
        ("office", "retention.applied", "retention", ""),
    ]
    assert TARA not in out and json.loads(rows[-1]["detail"])["counts"]["meetings"] == 1
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = cli("audit")
    assert code == 0 and "person.erased" in out and "Audit log (4 entries" in out
    assert cli("audit", "--since", "2099-01-01", "--format", "csv")[1].count("\n") == 1
    code, _out, err = cli("audit", "--since", "yesterday")
    assert code == 1 and "--since: not a date (YYYY-MM-DD): 'yesterday'" in err


async def _records_for_tara(db_url: str, w: World) -> None:
    engine = make_engine(db_url)
    try:
        async with session_factory(engine)() as s, s.begin():
            meeting = await s.scalar(sa.select(WeeklyMeeting.id).where(WeeklyMeeting.placement_id == w.placement_id))  # fmt: skip
            await audit(s, actor_id=w.trainee_id, action="meeting.confirmed", entity="weekly_meeting", entity_id=meeting)  # fmt: skip
    finally:
        await engine.dispose()
