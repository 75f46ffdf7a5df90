"""Migration 0011 (targets as records) on a database built at 0010 with meetings in it,
on SQLite and PostgreSQL: the meetings' free-text targets stay as they were (history), the
new tables take targets and reviews, and it goes down again."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine
from storage.migrate import upgrade
from tests.conftest import _pg_admin, _pg_admin_url

NOW = "2026-11-20 09:00:00"
EXISTING = [
    "INSERT INTO school (id, name, platform, timezone, tenant_confirmed)"
    " VALUES (1, 'S', 'slack', 'Europe/London', false)",
    "INSERT INTO programme (id, name) VALUES (1, 'P')",
    "INSERT INTO person (id, email, full_name, created_at, updated_at)"
    f" VALUES (1, 't@example.org', 'T', '{NOW}', '{NOW}'), (2, 'm@example.org', 'M', '{NOW}', '{NOW}')",
    "INSERT INTO placement (id, trainee_id, mentor_id, lead_mentor_id, school_id,"
    " programme_id, start_date, end_date) VALUES (1, 1, 2, 2, 1, 1, '2026-09-07', '2027-06-25')",
    "INSERT INTO weekly_meeting (id, placement_id, week_start, status, targets, signed_off_by_id,"
    f" signed_off_at) VALUES (1, 1, '2026-11-09', 'held', 'Cold calling', 2, '{NOW}'),"
    f" (2, 1, '2026-11-16', 'held', 'Wait time', 2, '{NOW}')",
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def at_0010(request, tmp_path) -> AsyncIterator[AsyncEngine]:
    """A database at revision 0010 holding two signed-off meetings with free-text targets."""
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        admin = _pg_admin_url()
        if not admin:
            pytest.skip("MENTORBOT_TEST_DATABASE_URL is not set")
        name = f"mb_targets_{uuid.uuid4().hex[:8]}"
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = make_url(admin).set(database=name).render_as_string(False)
    engine = make_engine(url)
    try:
        await upgrade(engine, "0010")
        async with engine.begin() as conn:
            for statement in EXISTING:
                await conn.execute(text(statement))
        yield engine
    finally:
        await engine.dispose()
        if name is not None:
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_0011_keeps_meetings_and_takes_targets_then_goes_down(at_0010):
    engine = at_0010
    await upgrade(engine, "0011")
    assert {"target", "target_review"} <= await _tables(engine)
    async with engine.begin() as conn:
        kept = (
            await conn.execute(text("SELECT id, targets FROM weekly_meeting ORDER BY id"))
        ).all()
        assert [tuple(r) for r in kept] == [(1, "Cold calling"), (2, "Wait time")]
        await conn.execute(
            text(
                "INSERT INTO target (id, trainee_id, placement_id, strand_code, text, set_on,"
                " review_by, meeting_id, set_by_id, status, created_at) VALUES"
                " (1, 1, 1, 'TS7', 'Cold calling', '2026-11-10', '2026-11-20', 1, 2, 'open',"
                f" '{NOW}')"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO target_review (target_id, placement_id, meeting_id, outcome,"
                " decision, reviewed_on, reviewed_by_id, created_at) VALUES"
                f" (1, 1, 2, 'partly', 'carry', '2026-11-17', 2, '{NOW}')"
            )
        )
        # One review of a target per meeting.
        with pytest.raises(Exception, match=r"(?i)unique"):
            async with conn.begin_nested():
                await conn.execute(
                    text(
                        "INSERT INTO target_review (target_id, placement_id, meeting_id, outcome,"
                        " decision, reviewed_on, reviewed_by_id, created_at) VALUES"
                        f" (1, 1, 2, 'met', 'close', '2026-11-17', 2, '{NOW}')"
                    )
                )
    await upgrade_down(engine, "0010")
    assert not {"target", "target_review"} & await _tables(engine)
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM weekly_meeting"))).scalar() == 2
    await upgrade(engine)  # and up again to the head, whatever follows


async def upgrade_down(engine: AsyncEngine, revision: str) -> None:
    from alembic import command

    from storage.migrate import alembic_config

    def run(connection) -> None:  # type: ignore[no-untyped-def]
        command.downgrade(alembic_config(connection), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)
