"""A report page for a grant: the rights are checked against the roster now, the report
built and rendered; None when the grant's holder may not see it (a 403 at the edge).

Rendering a partnership's page is a second of CPU: it runs in a thread, so the web
server's event loop keeps answering Slack and Teams (which wait 3 s at most) meanwhile."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.reports import render
from handlers.reports.links import Grant
from handlers.reports.quality_pages import mentor_page
from storage.enums import Role
from storage.reports import scope
from storage.reports.cohort import CohortFilter, UnknownName, cohort
from storage.reports.idp import idp
from storage.reports.school import school_report

REPORT_ROLES = frozenset({Role.LEAD_MENTOR, Role.ITT_LEAD, Role.ADMIN})


async def page(session: AsyncSession, grant: Grant, *, now: datetime) -> str | None:
    roles = await scope.roles_of(session, grant.person_id)
    try:
        match grant.kind:
            case "idp" if grant.target is not None:
                return await _idp(session, grant, roles, grant.target, now)
            case "cohort":
                return await _cohort(session, grant, roles, now)
            case "school" if grant.target is not None:
                return await _school(session, grant, roles, grant.target, now)
            case "quality" if grant.target is not None:
                return await mentor_page(session, grant.person_id, roles, grant.target, now)
    except UnknownName:
        return None
    return None


async def _idp(
    session: AsyncSession, grant: Grant, roles: frozenset[str], trainee_id: int, now: datetime
) -> str | None:
    if not await scope.may_see_trainee(session, grant.person_id, roles, trainee_id):
        return None
    found = await idp(session, trainee_id=trainee_id)
    if found is None:
        return None
    return await asyncio.to_thread(render.idp_html, found, generated_at=now)


async def _cohort(
    session: AsyncSession, grant: Grant, roles: frozenset[str], now: datetime
) -> str | None:
    if not roles & REPORT_ROLES:
        return None
    schools = await scope.school_scope(session, grant.person_id, roles)
    f = CohortFilter(programme=grant.programme, review_point=grant.review_point, school_ids=schools)
    return await asyncio.to_thread(render.cohort_html, await cohort(session, f, now=now))


async def _school(
    session: AsyncSession, grant: Grant, roles: frozenset[str], school_id: int, now: datetime
) -> str | None:
    schools = await scope.school_scope(session, grant.person_id, roles)
    if not roles & REPORT_ROLES or (schools is not None and school_id not in schools):
        return None
    report = await school_report(session, school_id=school_id, now=now)
    return await asyncio.to_thread(render.school_html, report)
