"""Migration 0010 on a database built at revision 0009 with ratings in it (SQLite and
PostgreSQL): every programme is on the Teachers' Standards framework and every rating
reads as it did (the grid, the off-track rule, the cohort heatmap)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.repo import frameworks
from storage.repo import sweeps as q
from storage.reports.cohort import CohortFilter, cohort
from tests.conftest import _pg_admin, _pg_admin_url

NOW = "2026-11-20 09:00:00"
# (item, rating, review point or None for an observation's, minutes after NOW)
RATINGS = [
    ("TS1", "red", 3, 0),
    ("TS1", "amber", 3, 5),  # the later judgement at the same point wins
    ("TS4", "red", 3, 0),
    ("TS2", "green", 3, 0),
    ("PART2", "green", 3, 0),
    ("TS5", "amber", None, 0),
]


@pytest.fixture(params=["sqlite", "postgres"])
async def old_engine(request, tmp_path) -> AsyncIterator[AsyncEngine]:
    """An empty database of its own, migrated to revision 0009 only."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'at_0009.db'}")
        await upgrade(engine, "0009")
        yield engine
        await engine.dispose()
        return
    admin = _pg_admin_url()
    if not admin:
        pytest.skip("MENTORBOT_TEST_DATABASE_URL is not set")
    name = f"mb_0009_{uuid.uuid4().hex[:8]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    engine = make_engine(make_url(admin).set(database=name).render_as_string(False))
    try:
        await upgrade(engine, "0009")
        yield engine
    finally:
        await engine.dispose()
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _fill_at_0009(engine: AsyncEngine) -> None:
    statements = [
        "INSERT INTO school (id, name, platform, timezone, tenant_confirmed)"
        " VALUES (1, 'Oakfield Primary', 'slack', 'Europe/London', false)",
        "INSERT INTO programme (id, name) VALUES (1, 'PGCE Primary 2026-27')",
        "INSERT INTO programme (id, name) VALUES (2, 'PGCE Secondary 2026-27')",
        "INSERT INTO review_point (id, programme_id, name, start_date, end_date)"
        " VALUES (3, 1, 'Review point 1', '2026-11-16', '2026-11-20')",
    ]
    for pid in (1, 2, 3):
        statements.append(
            "INSERT INTO person (id, email, full_name, created_at, updated_at)"
            f" VALUES ({pid}, 'p{pid}@example.org', 'P{pid}', '{NOW}', '{NOW}')"
        )
    statements.append(
        "INSERT INTO placement (id, trainee_id, mentor_id, lead_mentor_id, school_id,"
        " programme_id, start_date, end_date) VALUES (1, 1, 2, 3, 1, 1, '2026-09-07', '2027-06-25')"
    )
    async with engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement))
        for item, rating, point, minutes in RATINGS:
            await conn.execute(
                text(
                    "INSERT INTO rag_rating (scale, item_code, rating, comment, targets,"
                    " subject_id, rater_id, placement_id, review_point_id, created_at)"
                    " VALUES ('teachers_standards', :item, :rating, '', '', 1, 2, 1, :point,"
                    " :at)"
                ),
                {
                    "item": item,
                    "rating": rating,
                    "point": point,
                    "at": datetime(2026, 11, 20, 9, minutes, tzinfo=UTC),
                },
            )


async def test_ratings_stored_at_0009_read_the_same_after_0010(old_engine):
    await _fill_at_0009(old_engine)
    await upgrade(old_engine)
    sessions = session_factory(old_engine)
    async with sessions() as s:
        on = await frameworks.frameworks_for_programmes(s, programme_ids=[1, 2])
        assert {f.code for f in on.values()} == {"teachers_standards"}  # both programmes
        rows = (await s.execute(text("SELECT framework_id FROM programme"))).scalars().all()
        assert None not in rows  # set, not left to the default
        strands = await frameworks.strands_for_programme(s, programme_id=1)
        assert [x.code for x in strands] == [f"TS{i}" for i in range(1, 9)] + ["PART2"]
        framework = on[1]
        assert [(v.code, v.symbol, v.label, v.off_track) for v in framework.values] == [
            ("red", "✖", "Red", True),
            ("amber", "▲", "Amber", False),
            ("green", "✔", "Green", False),
        ]
        # The off-track rule finds the Red that still stands, not the one judged again.
        assert await q.off_track_at(s, review_point_ids=[3]) == [(1, 3, "TS4")]
        latest = {(item, rating) for _p, _rp, _scale, item, rating in await q.current_ratings(s)}
        assert latest == {
            ("TS1", "amber"),
            ("TS4", "red"),
            ("TS2", "green"),
            ("PART2", "green"),
            ("TS5", "amber"),
        }
        report = await cohort(s, CohortFilter(), now=datetime(2026, 11, 21, tzinfo=UTC))
        assert report.rating(1, "TS1") == "amber" and report.rating(1, "TS4") == "red"
        assert [v.code for v in report.scale] == ["red", "amber", "green"]
    # A longer scale value code fits once the column is widened.
    async with old_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO rag_rating (scale, item_code, rating, comment, targets, subject_id,"
                " rater_id, placement_id, review_point_id, created_at) VALUES ('ittecf', 'HE',"
                " 'working_towards', '', '', 1, 2, 1, 3, :at)"
            ),
            {"at": datetime(2026, 11, 20, 10, tzinfo=UTC)},
        )
