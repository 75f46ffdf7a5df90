"""A programme's framework and calendar as a form needs them: read a moment ago when the
interaction's roster cache holds them (handlers/roster_cache.py), else read and kept."""

from __future__ import annotations

from handlers.context import Ctx
from storage.calendar_rules import ProgrammeCalendar
from storage.repo import calendar, frameworks
from storage.repo.frameworks import Framework


async def framework_of(ctx: Ctx, programme_id: int) -> Framework:
    kept = ctx.roster.frameworks if ctx.roster is not None else None
    found = kept.get(programme_id) if kept is not None else None
    if found is None:
        found = await frameworks.framework_for_programme(ctx.session, programme_id=programme_id)
        if kept is not None:
            kept.keep(programme_id, found)
    return found


async def calendar_of(ctx: Ctx, programme_id: int) -> ProgrammeCalendar:
    kept = ctx.roster.calendars if ctx.roster is not None else None
    found = kept.get(programme_id) if kept is not None else None
    if found is None:
        found = await calendar.programme_calendar(ctx.session, programme_id=programme_id)
        if kept is not None:
            kept.keep(programme_id, found)
    return found
