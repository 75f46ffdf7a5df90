"""Migrations go up from empty on both databases, and the bot refuses a database behind."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from storage.db import make_engine
from storage.enums import Scale
from storage.migrate import (
    DatabaseBehindError,
    _heads_from_text,
    alembic_config,
    ensure_current,
    head_revision,
    upgrade,
)
from storage.models import AuditEntry, Standard
from tests.conftest import _pg_admin, _pg_admin_url


async def test_upgrade_from_empty_sqlite_then_current(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    with pytest.raises(DatabaseBehindError, match="mentorbot db upgrade"):
        await ensure_current(engine)
    before, after = await upgrade(engine)
    assert before is None and after
    await ensure_current(engine)
    async with engine.connect() as conn:
        mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
        fks = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
    assert mode == "wal" and fks == 1
    await engine.dispose()


@pytest.mark.postgres
async def test_upgrade_from_empty_postgres():
    admin = _pg_admin_url()
    if not admin:
        pytest.skip("MENTORBOT_TEST_DATABASE_URL is not set")
    name = f"mb_empty_{uuid.uuid4().hex[:8]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        engine = make_engine(make_url(admin).set(database=name).render_as_string(False))
        with pytest.raises(DatabaseBehindError):
            await ensure_current(engine)
        await upgrade(engine)
        await ensure_current(engine)
        await engine.dispose()
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_standards_catalogues_are_seeded(sessions):
    async with sessions() as s:
        rows = (await s.execute(select(Standard))).scalars().all()
    teachers = [r.code for r in rows if r.scale == Scale.TEACHERS_STANDARDS]
    mentor_items = [r for r in rows if r.scale == Scale.MENTOR_STANDARDS and r.parent_code]
    assert teachers == [f"TS{i}" for i in range(1, 9)] + ["PART2"]
    assert len(mentor_items) == 21
    assert {r.parent_code for r in mentor_items} == {"MS1", "MS2", "MS3", "MS4"}
    assert any("constructive, clear and timely feedback" in r.title for r in mentor_items)


async def test_audit_log_is_append_only(sessions):
    async with sessions() as s, s.begin():
        s.add(AuditEntry(action="import", entity="roster", detail={"rows": 1}))
    with pytest.raises(DBAPIError):
        async with sessions() as s, s.begin():
            await s.execute(text("UPDATE audit_log SET action = 'tampered'"))
    with pytest.raises(DBAPIError):
        async with sessions() as s, s.begin():
            await s.execute(text("DELETE FROM audit_log"))
    async with sessions() as s:
        count = (await s.execute(select(func.count()).select_from(AuditEntry))).scalar()
        action = (await s.execute(select(AuditEntry.action))).scalar()
    assert count == 1 and action == "import"


async def test_escalation_evidence_written_as_labels_becomes_data(tmp_path):
    """Rows stored by earlier versions ({English label: text}) are rebuilt from their
    cause keys, so they can be shown in any language."""
    from sqlalchemy import text

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    await upgrade(engine, "0003")
    async with engine.begin() as conn:
        for statement in (
            "INSERT INTO school (id, name, platform, timezone) VALUES (1, 'S', 'slack', 'Europe/London')",
            "INSERT INTO programme (id, name) VALUES (1, 'P')",
            "INSERT INTO review_point (id, programme_id, name, start_date, end_date)"
            " VALUES (3, 1, 'Review point 1', '2026-10-19', '2026-10-23')",
        ):
            await conn.execute(text(statement))
    legacy = {
        "missed_meetings": (
            "2026-11-09,2026-11-16",
            {"Weeks without a signed-off meeting": "9 Nov, 16 Nov"},
        ),
        "red_rating": ("rp:3", {"Red at Review point 1": "TS1, TS4"}),
        "missing_ratings": ("rp:3", {"ratings at Review point 1": "Mo Mentor"}),
    }
    await _legacy_escalations(engine, legacy)
    await upgrade(engine)
    async with engine.connect() as conn:
        rows = dict((await conn.execute(text("SELECT rule, evidence FROM escalation"))).all())
    await engine.dispose()
    import json

    got = {rule: json.loads(ev) if isinstance(ev, str) else ev for rule, ev in rows.items()}
    assert got["missed_meetings"] == {"weeks": ["2026-11-09", "2026-11-16"]}
    assert got["red_rating"] == {
        "review_point_id": 3,
        "review_point": "Review point 1",
        "items": ["TS1", "TS4"],
    }
    assert got["missing_ratings"] == {"review_point_id": 3, "review_point": "Review point 1"}


async def _legacy_escalations(engine, legacy: dict) -> None:
    import json

    from sqlalchemy import text

    now = "2026-11-20 09:00:00"
    async with engine.begin() as conn:
        for pid in (1, 2, 3):
            await conn.execute(
                text(
                    "INSERT INTO person (id, email, full_name, created_at, updated_at)"
                    " VALUES (:id, :email, 'P', :now, :now)"
                ),
                {"id": pid, "email": f"p{pid}@example.org", "now": now},
            )
        await conn.execute(
            text(
                "INSERT INTO placement (id, trainee_id, mentor_id, lead_mentor_id, school_id,"
                " programme_id, start_date, end_date)"
                " VALUES (1, 1, 2, 3, 1, 1, '2026-09-07', '2027-06-25')"
            )
        )
        for rule, (cause, evidence) in legacy.items():
            await conn.execute(
                text(
                    "INSERT INTO escalation (placement_id, rule, cause_key, evidence, status,"
                    " level, created_at) VALUES (1, :rule, :cause, :ev, 'open', 1, :now)"
                ),
                {"rule": rule, "cause": cause, "ev": json.dumps(evidence), "now": now},
            )


def test_the_newest_revision_read_from_the_scripts_is_alembics():
    assert _heads_from_text() == head_revision()


async def test_a_database_one_revision_behind_is_refused(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'behind.db'}")
    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head_revision())
    await upgrade(engine, previous.down_revision)
    with pytest.raises(DatabaseBehindError, match=f"at revision {previous.down_revision} "):
        await ensure_current(engine)
    await engine.dispose()


# `serve` checks the schema at every start: without importing Alembic (a tenth of a second).
CHECK_ONLY = """
import asyncio, sys
from storage.db import make_engine
from storage.migrate import ensure_current

async def main():
    engine = make_engine(sys.argv[1])
    await ensure_current(engine)
    await engine.dispose()

asyncio.run(main())
print("alembic" in sys.modules)
"""


def test_the_check_at_start_up_does_not_load_alembic(sqlite_url):
    done = subprocess.run(
        [sys.executable, "-c", CHECK_ONLY, sqlite_url],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.split() == ["False"]
