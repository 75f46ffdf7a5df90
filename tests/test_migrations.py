"""Migrations go up from empty on both databases, and the bot refuses a database behind."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from storage.db import make_engine
from storage.enums import Scale
from storage.migrate import DatabaseBehindError, ensure_current, upgrade
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
