"""Migration 0012: a database built at revision 0011 holding Individual Recovery Plans
upgrades to support plans with the same targets, dates and status (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.models import SupportPlan, SupportStage, SupportTarget
from tests.conftest import _pg_admin, _pg_admin_url

NOW = "2026-10-20 14:10:00"
CLOSED = "2026-11-30 09:00:00"

SEED = (
    "INSERT INTO school (id, name, platform, timezone) VALUES (1, 'S', 'slack', 'Europe/London')",
    "INSERT INTO programme (id, name) VALUES (1, 'P')",
    *(
        "INSERT INTO person (id, email, full_name, created_at, updated_at)"
        f" VALUES ({i}, 'p{i}@example.org', 'P{i}', '{NOW}', '{NOW}')"
        for i in (1, 2, 3, 4)
    ),
    "INSERT INTO placement (id, trainee_id, mentor_id, lead_mentor_id, school_id,"
    " programme_id, start_date, end_date) VALUES (1, 1, 2, 3, 1, 1, '2026-09-07', '2027-06-25')",
    "INSERT INTO escalation (id, placement_id, rule, cause_key, evidence, status, level,"
    f" created_at) VALUES (7, 1, 'red_rating', 'rp:1', '{{}}', 'acknowledged', 1, '{NOW}')",
    "INSERT INTO recovery_plan (id, placement_id, escalation_id, targets, support,"
    " review_date, status, created_by_id, created_at, closed_at) VALUES (5, 1, 7,"
    f" 'Plan every lesson with the mentor', 'Weekly co-planning', '2026-11-06', 'open', 4,"
    f" '{NOW}', NULL)",
    "INSERT INTO recovery_plan (id, placement_id, escalation_id, targets, support,"
    " review_date, status, created_by_id, created_at, closed_at) VALUES (6, 1, NULL,"
    f" 'Arrive by 8am', 'Check-ins', '2026-10-30', 'closed', 4, '{NOW}', '{CLOSED}')",
)


@asynccontextmanager
async def _database(backend: str, tmp_path) -> AsyncIterator[AsyncEngine]:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        await engine.dispose()
        return
    admin = _pg_admin_url()
    if not admin:
        pytest.skip("MENTORBOT_TEST_DATABASE_URL is not set")
    name = f"mb_irp_{uuid.uuid4().hex[:8]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    engine = make_engine(make_url(admin).set(database=name).render_as_string(False))
    try:
        yield engine
    finally:
        await engine.dispose()
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def test_recovery_plans_become_support_plans(backend, tmp_path):
    async with _database(backend, tmp_path) as engine:
        await upgrade(engine, "0011")
        async with engine.begin() as conn:
            for statement in SEED:
                await conn.execute(text(statement))
        await upgrade(engine)
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert "recovery_plan" not in names
        async with session_factory(engine)() as s:
            plans = {p.id: p for p in (await s.execute(select(SupportPlan))).scalars()}
            stages = {st.plan_id: st for st in (await s.execute(select(SupportStage))).scalars()}
            targets = {t.stage_id: t for t in (await s.execute(select(SupportTarget))).scalars()}
            s.expunge_all()
        async with session_factory(engine)() as s:
            # A plan opened after the migration gets a new id (PostgreSQL's sequence moved on).
            s.add(SupportPlan(placement_id=1, opened_by_id=4))
            await s.flush()
            new_ids = [p.id for p in (await s.execute(select(SupportPlan))).scalars()]
            await s.rollback()
    assert set(plans) == {5, 6} and len(set(new_ids)) == 3
    open_plan, closed_plan = plans[5], plans[6]
    assert (open_plan.placement_id, open_plan.escalation_id, open_plan.status) == (1, 7, "open")
    assert open_plan.opened_by_id == 4
    assert open_plan.opened_at == datetime(2026, 10, 20, 14, 10, tzinfo=UTC)
    assert (closed_plan.status, closed_plan.closed_at) == (
        "closed",
        datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
    )
    stage = stages[5]
    assert (stage.stage, stage.position, stage.led_by_id) == ("cause_for_concern", 2, 4)
    assert (stage.started_on, stage.review_date) == (date(2026, 10, 20), date(2026, 11, 6))
    assert (stage.support, stage.outcome, stage.ended_on) == ("Weekly co-planning", None, None)
    assert (stages[6].outcome, stages[6].ended_on) == ("close", date(2026, 11, 30))
    assert targets[stage.id].text == "Plan every lesson with the mentor"
    assert targets[stages[6].id].text == "Arrive by 8am"
    assert targets[stage.id].strand_code is None


async def test_downgrade_gives_the_recovery_plans_back(tmp_path):
    """0012 down again: each plan one IRP (its latest stage's dates, its targets)."""
    from alembic import command

    from storage.migrate import alembic_config

    async with _database("sqlite", tmp_path) as engine:
        await upgrade(engine, "0011")
        async with engine.begin() as conn:
            for statement in SEED:
                await conn.execute(text(statement))
        await upgrade(engine)
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "0011"))
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text("SELECT id, targets, review_date, status FROM recovery_plan ORDER BY id")
                )
            ).all()
    assert [tuple(map(str, r)) for r in rows] == [
        ("5", "Plan every lesson with the mentor", "2026-11-06", "open"),
        ("6", "Arrive by 8am", "2026-10-30", "closed"),
    ]
