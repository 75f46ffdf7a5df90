"""Which Microsoft 365 tenants the partnership's schools are on: the Teams allow-list.

A school's tenant comes from the schools CSV (confirmed), or is learned from the first
activity of someone placed there (not confirmed until the office says so)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import PersonRole, Placement, PlatformIdentity, School

TEAMS = "teams"
PROVIDER_ROLES = ("itt_lead", "admin")


async def school_tenants(session: AsyncSession) -> set[str]:
    """The schools' tenants, and the tenants the provider's own people (ITT leads, the
    office: in no school) are already known in, so that an upgraded deployment does not
    lock them out before MENTORBOT_TEAMS_TENANTS is set."""
    stmt = select(School.teams_tenant_id).where(School.teams_tenant_id.is_not(None))  # type: ignore[union-attr]
    found = {t.lower() for t in (await session.execute(stmt)).scalars().all() if t}
    provider = (
        select(PlatformIdentity.workspace_id)
        .join(PersonRole, PersonRole.person_id == PlatformIdentity.person_id)
        .where(
            PlatformIdentity.platform == TEAMS,
            PlatformIdentity.workspace_id != "",
            PersonRole.role.in_(PROVIDER_ROLES),  # type: ignore[attr-defined]
        )
        .distinct()
    )
    return found | {t.lower() for t in (await session.execute(provider)).scalars().all()}


async def schools_without_tenant(session: AsyncSession) -> int:
    """Teams schools whose tenant is not known yet (a first activity may teach it)."""
    stmt = select(School.id).where(School.platform == TEAMS, School.teams_tenant_id.is_(None))  # type: ignore[union-attr]
    return len((await session.execute(stmt)).scalars().all())


async def learn(session: AsyncSession, *, tenant: str) -> list[int]:
    """Teams schools with no tenant yet where someone placed there now has an identity in
    `tenant`: that tenant becomes theirs, not confirmed. Returns the schools' ids."""
    people = select(PlatformIdentity.person_id).where(
        PlatformIdentity.platform == TEAMS, PlatformIdentity.workspace_id == tenant
    )
    schools = (
        select(Placement.school_id)
        .join(School, School.id == Placement.school_id)
        .where(
            School.platform == TEAMS,
            School.teams_tenant_id.is_(None),  # type: ignore[union-attr]
            Placement.trainee_id.in_(people)  # type: ignore[attr-defined]
            | Placement.mentor_id.in_(people)  # type: ignore[attr-defined]
            | Placement.lead_mentor_id.in_(people),  # type: ignore[attr-defined]
        )
        .distinct()
    )
    ids = [i for i in (await session.execute(schools)).scalars().all() if i is not None]
    if ids:
        await session.execute(
            update(School)
            .where(School.id.in_(ids), School.teams_tenant_id.is_(None))  # type: ignore[union-attr]
            .values(teams_tenant_id=tenant, tenant_confirmed=False)
        )
    return ids


async def confirm(session: AsyncSession, *, school_name: str) -> School | None:
    """The office confirms a learned tenant; None when there is no such school."""
    school = (
        await session.execute(select(School).where(School.name == school_name))
    ).scalar_one_or_none()
    if school is not None and school.teams_tenant_id:
        school.tenant_confirmed = True
        await session.flush()
    return school
