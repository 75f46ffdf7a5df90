"""The schools CSV (platform, workspace or tenant, time zone, the days a school alone is
closed) and what a school's own INSET day does to the sweep: it moves that school's
prompts, not another's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.policy import Policy
from scheduler.sweeps import Sweeper
from storage.db import transaction
from storage.imports import ImportRejected
from storage.imports.schools import import_schools, read_schools
from storage.models import Placement, School, SchoolClosure
from tests.factories import World, build_world
from tests.scheduler_harness import add_calendar, at

TENANT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
HEADER = "school,platform,slack_team_id,teams_tenant_id,timezone,closed_days\n"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "schools.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_bad_rows_are_each_named_and_nothing_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Oak,slack,T0OAK,,Europe/London,2026-11-09\n"
        f"Elm,slack,,{TENANT},,\n"
        "Ash,teams,,not-a-guid,Mars/Olympus,\n"
        "Oak,slack,,,,\n"
        "Yew,zoom,,,,2026-13-01;2026-11-10..2026-11-09\n",
    )
    with pytest.raises(ImportRejected) as caught:
        read_schools(path)
    text = [str(e) for e in caught.value.errors]
    assert text[0] == "line 3: teams_tenant_id given for a school on slack"
    assert "line 4: bad teams_tenant_id 'not-a-guid' (a tenant id is a GUID)" in text
    assert "line 4: unknown timezone 'Mars/Olympus' (an IANA zone such as Europe/London)" in text
    assert "line 5: school 'Oak' already on line 2" in text
    assert any(t.startswith("line 6: unknown platform 'zoom'") for t in text)
    assert any("line 6: bad date in closed_days: '2026-13-01'" in t for t in text)
    assert any("line 6: closed_days range '2026-11-10..2026-11-09' ends before" in t for t in text)
    assert caught.value.bad_rows == 4


async def test_import_sets_tenant_confirmed_and_the_schools_own_days(
    tmp_path: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(sessions, platform="teams")
    async with transaction(sessions) as s:  # a tenant learned from a first activity
        school = await s.get(School, world.school_id)
        assert school is not None
        school.teams_tenant_id, school.tenant_confirmed = "learned-tenant", False
        name = school.name
    path = write(
        tmp_path,
        f"{name},teams,,{TENANT.upper()},Europe/London,06/11/2026; 2027-01-04..2027-01-05\n"
        "Birch Free School,slack,T0BIRCH,,,\n",
    )
    result = await import_schools(sessions, read_schools(path), file=path.name)
    assert result.counts["schools"].created == 1 and result.counts["schools"].updated == 1
    async with sessions() as s:
        school = await s.get(School, world.school_id)
        assert school is not None
        assert school.teams_tenant_id == TENANT and school.tenant_confirmed
        days = (await s.execute(select(SchoolClosure).order_by(SchoolClosure.start_date))).all()
        birch = (await s.execute(select(School).where(School.name == "Birch Free School"))).one()
    assert [(d[0].start_date, d[0].end_date) for d in days] == [
        (date(2026, 11, 6), date(2026, 11, 6)),
        (date(2027, 1, 4), date(2027, 1, 5)),
    ]
    assert birch[0].platform == "slack" and birch[0].slack_team_id == "T0BIRCH"
    again = await import_schools(sessions, read_schools(path), file=path.name)
    assert not again.changed
    dry = await import_schools(
        sessions, read_schools(write(tmp_path, f"{name},teams,,,,\n")), file="s.csv", dry_run=True
    )
    assert dry.counts["closed days"].updated == 2  # would no longer be closed
    async with sessions() as s:
        assert len((await s.execute(select(SchoolClosure))).all()) == 2  # dry: nothing written


async def prompts_at(sessions: async_sessionmaker[AsyncSession], day: date) -> set[str]:
    planned = (await Sweeper(sessions, Policy()).plan(at(day, 9))).planned
    return {p.key for p in planned if p.kind == "weekly_prompt"}


async def test_an_inset_day_at_one_school_does_not_move_another_schools_prompts(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world: World = await build_world(sessions)
    await add_calendar(sessions, world.programme_id)
    async with transaction(sessions) as s:
        other = await s.get(Placement, world.other_placement_id)
        assert other is not None
        s.add(
            SchoolClosure(
                school_id=world.school_id,
                start_date=date(2026, 11, 9),
                end_date=date(2026, 11, 9),
            )
        )
    monday, tuesday = date(2026, 11, 9), date(2026, 11, 10)
    closed = f"weekly:{world.placement_id}:{monday}"
    open_ = f"weekly:{world.other_placement_id}:{monday}"
    on_monday = await prompts_at(sessions, monday)
    assert open_ in on_monday and closed not in on_monday
    assert closed in await prompts_at(sessions, tuesday)  # the next day it may be sent


TENANT_B = "4a2504e0-4f89-41d3-9a0c-0305e82c3302"
OLD_ROWS = (
    "INSERT INTO programme (id, name) VALUES (1, 'P')",
    "INSERT INTO school (id, name, platform, timezone, teams_tenant_id) VALUES"
    f" (1, 'Given', 'teams', 'Europe/London', '{TENANT}'),"
    " (2, 'Learns', 'teams', 'Europe/London', NULL),"
    " (3, 'Split', 'teams', 'Europe/London', NULL),"
    " (4, 'Slacky', 'slack', 'Europe/London', NULL)",
    "INSERT INTO person (id, email, full_name, created_at, updated_at) VALUES"
    " (1, 'a@x.org', 'A', '2026-09-01', '2026-09-01'), (2, 'b@x.org', 'B', '2026-09-01',"
    " '2026-09-01'), (3, 'c@x.org', 'C', '2026-09-01', '2026-09-01')",
    "INSERT INTO placement (id, trainee_id, mentor_id, lead_mentor_id, school_id, programme_id,"
    " start_date, end_date) VALUES (1, 1, 2, 2, 2, 1, '2026-09-07', '2027-06-25'),"
    " (2, 3, 1, 1, 3, 1, '2026-09-07', '2027-06-25'), (3, 2, 1, 1, 4, 1, '2026-09-07',"
    " '2027-06-25')",
    "INSERT INTO platform_identity (person_id, platform, workspace_id, external_id, created_at)"
    f" VALUES (1, 'teams', '{TENANT_B}', 'aad-1', '2026-09-01'),"
    " (3, 'teams', 'ffffffff-0000-4000-8000-000000000000', 'aad-3', '2026-09-01'),"
    " (2, 'slack', 'T0SLACKY', 'U2', '2026-09-01')",
)


async def _migrate_old_data(url: str) -> dict[str, tuple[str | None, str | None, bool]]:
    from sqlalchemy import text

    from storage.db import make_engine
    from storage.migrate import upgrade

    engine = make_engine(url)
    try:
        await upgrade(engine, "0007")
        async with engine.begin() as conn:
            for statement in OLD_ROWS:
                await conn.execute(text(statement))
        await upgrade(engine)
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT name, teams_tenant_id, slack_team_id, tenant_confirmed FROM school")
            )
            return {name: (tenant, team, bool(ok)) for name, tenant, team, ok in rows.all()}
    finally:
        await engine.dispose()


def _expected() -> dict[str, tuple[str | None, str | None, bool]]:
    return {
        "Given": (TENANT, None, True),  # set on purpose before: confirmed
        "Learns": (TENANT_B, None, False),  # its people share one tenant: learned
        "Split": (None, None, False),  # its people are in two tenants: not guessed
        "Slacky": (None, "T0SLACKY", False),
    }


async def test_migration_0008_learns_tenants_from_existing_identities_sqlite(tmp_path):
    assert await _migrate_old_data(f"sqlite:///{tmp_path / 'old.db'}") == _expected()


@pytest.mark.postgres
async def test_migration_0008_learns_tenants_from_existing_identities_postgres():
    import uuid

    from sqlalchemy.engine import make_url

    from tests.conftest import _pg_admin, _pg_admin_url

    admin = _pg_admin_url()
    if not admin:
        pytest.skip("MENTORBOT_TEST_DATABASE_URL is not set")
    name = f"mb_0008_{uuid.uuid4().hex[:8]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(admin).set(database=name).render_as_string(False)
        assert await _migrate_old_data(url) == _expected()
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
