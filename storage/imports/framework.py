"""Apply a checked framework file, and put a programme on a framework.

A framework is matched by its code. Importing it again brings its strands and scale values
into line with the file (matched by code; titles, meanings, symbols and order updated) and
removes those the file leaves out, unless ratings use them: a rating stores the framework's
code, the strand's code and the value's code, so removing one in use would orphan evidence,
and the whole import is refused instead. One transaction; nothing half-written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel

from storage.db import transaction
from storage.imports.bulk import Counts, ImportResult
from storage.imports.framework_csv import FrameworkFile
from storage.imports.rows import ImportRejected, RowError
from storage.imports.whole import Calendar
from storage.models import (
    AssessmentFramework,
    AuditEntry,
    FrameworkStrand,
    Placement,
    Programme,
    RagRating,
    ScaleValue,
    SupportTarget,
    Target,
)
from storage.shipped_frameworks import DEFAULT_FRAMEWORK

ACTION = "import_framework"


class FrameworkRefused(Exception):
    """The import (or the move of a programme) would lose the meaning of stored ratings,
    or names something that does not exist; nothing was written."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True, slots=True)
class _Plan:
    strands: Counts
    values: Counts
    gone_strands: list[str]
    gone_values: list[str]


async def import_framework(
    sessions: async_sessionmaker[AsyncSession],
    checked: FrameworkFile,
    *,
    programme: str | None = None,
    dry_run: bool = False,
    force: bool = False,
) -> ImportResult:
    """Create or update the framework; with `programme`, put that programme on it. A dry
    run does the same work and rolls it back, so it refuses exactly what the import would."""
    if dry_run:
        async with sessions() as session:
            try:
                result = await _import(session, checked, programme, force)
            finally:
                await session.rollback()
        result.dry_run = True
        return result
    async with transaction(sessions) as session:
        result = await _import(session, checked, programme, force)
        session.add(AuditEntry(action=ACTION, entity="framework", detail=result.audit_detail()))
    return result


async def _import(
    session: AsyncSession, checked: FrameworkFile, programme: str | None, force: bool
) -> ImportResult:
    result = await _apply(session, checked)
    if programme is not None:
        moved = await _use(session, checked.spec.code, programme, force=force)
        result.counts["programmes"] = Counts(updated=int(moved), unchanged=int(not moved))
    return result


async def use_framework(
    sessions: async_sessionmaker[AsyncSession], *, code: str, programme: str, force: bool
) -> bool:
    """Put `programme` on the framework `code`; False if it already was."""
    async with transaction(sessions) as session:
        moved = await _use(session, code, programme, force=force)
        if moved:
            detail = {"framework": code, "programmes": 1}
            session.add(AuditEntry(action="use_framework", entity="programme", detail=detail))
    return moved


async def _apply(session: AsyncSession, checked: FrameworkFile) -> ImportResult:
    spec = checked.spec
    rows = len(spec.strands) + len(spec.values) + 1
    result = ImportResult(ACTION, [checked.file], rows, False)
    found = (
        await session.execute(
            select(AssessmentFramework).where(AssessmentFramework.code == spec.code)
        )
    ).scalar_one_or_none()
    framework_counts = result.counts["frameworks"] = Counts()
    if found is None:
        found = AssessmentFramework(code=spec.code, name=spec.name, description=spec.description)
        session.add(found)
        await session.flush()
        framework_counts.created = 1
    elif (found.name, found.description) != (spec.name, spec.description):
        found.name, found.description = spec.name, spec.description
        framework_counts.updated = 1
    else:
        framework_counts.unchanged = 1
    assert found.id is not None
    plan = await _bring_into_line(session, found.id, checked)
    await _refuse_orphans(session, spec.code, plan)
    await _refuse_orphaned_targets(session, found.id, spec.code == DEFAULT_FRAMEWORK, plan)
    await _delete(session, found.id, plan)
    result.counts["strands"] = plan.strands
    result.counts["scale_values"] = plan.values
    return result


async def _bring_into_line(session: AsyncSession, framework_id: int, f: FrameworkFile) -> _Plan:
    strands = {
        s.code: s
        for s in (
            await session.execute(
                select(FrameworkStrand).where(FrameworkStrand.framework_id == framework_id)
            )
        ).scalars()
    }
    strand_counts = Counts()
    for position, spec in enumerate(f.spec.strands):
        key = {"framework_id": framework_id, "code": spec.code}
        wanted: dict[str, Any] = {
            "title": spec.title,
            "area": spec.area,
            "description": spec.description,
            "position": position,
        }
        _upsert(session, strands.get(spec.code), FrameworkStrand, wanted, strand_counts, key)
    values = {
        v.code: v
        for v in (
            await session.execute(select(ScaleValue).where(ScaleValue.framework_id == framework_id))
        ).scalars()
    }
    value_counts = Counts()
    for position, vspec in enumerate(f.spec.values):
        vkey = {"framework_id": framework_id, "code": vspec.code}
        wanted_v: dict[str, Any] = {
            "label": vspec.label,
            "meaning": vspec.meaning,
            "symbol": vspec.symbol,
            "position": position,
            "off_track": vspec.off_track,
        }
        _upsert(session, values.get(vspec.code), ScaleValue, wanted_v, value_counts, vkey)
    keep_strands = {s.code for s in f.spec.strands}
    keep_values = {v.code for v in f.spec.values}
    return _Plan(
        strand_counts,
        value_counts,
        sorted(set(strands) - keep_strands),
        sorted(set(values) - keep_values),
    )


def _upsert(
    session: AsyncSession,
    existing: SQLModel | None,
    model: type[SQLModel],
    wanted: dict[str, Any],
    counts: Counts,
    key: dict[str, Any],
) -> None:
    """Create the row (`key` and `wanted`), or update the columns that differ; counted."""
    if existing is None:
        session.add(model(**key, **wanted))
        counts.created += 1
        return
    changed = {k: v for k, v in wanted.items() if getattr(existing, k) != v}
    for column, value in changed.items():
        setattr(existing, column, value)
    if changed:
        counts.updated += 1
    else:
        counts.unchanged += 1


async def _refuse_orphans(session: AsyncSession, scale: str, plan: _Plan) -> None:
    problems: list[str] = []
    for column, gone, what in (
        (RagRating.item_code, plan.gone_strands, "strand"),
        (RagRating.rating, plan.gone_values, "value"),
    ):
        if not gone:
            continue
        stmt = (
            select(column, func.count())
            .where(RagRating.scale == scale, column.in_(gone))
            .group_by(column)
        )
        for code, n in (await session.execute(stmt)).all():
            problems.append(
                f"{what} {code!r} is not in the file but {n} "
                f"{'rating uses' if n == 1 else 'ratings use'} it: keep its row "
                "(its wording may change)"
            )
    if problems:
        raise FrameworkRefused(problems)


async def _refuse_orphaned_targets(
    session: AsyncSession, framework_id: int, is_default: bool, plan: _Plan
) -> None:
    """Targets (weekly and support-plan ones) name a strand of their trainee's programme's
    framework by code: a strand they use stays, as for ratings."""
    if not plan.gone_strands:
        return
    on_it: ColumnElement[bool] = Programme.framework_id == framework_id  # type: ignore[assignment]
    if is_default:  # a programme with no framework set reads as the default
        on_it = or_(on_it, Programme.framework_id.is_(None))
    problems: list[str] = []
    for model, what in ((Target, "target"), (SupportTarget, "support-plan target")):
        stmt = (
            select(model.strand_code, func.count())
            .join(Placement, Placement.id == model.placement_id)
            .join(Programme, Programme.id == Placement.programme_id)
            .where(on_it, model.strand_code.in_(plan.gone_strands))  # type: ignore[union-attr]
            .group_by(model.strand_code)
        )
        for code, n in (await session.execute(stmt)).all():
            problems.append(
                f"strand {code!r} is not in the file but {n} {what}"
                f"{' uses' if n == 1 else 's use'} it: keep its row (its wording may change)"
            )
    if problems:
        raise FrameworkRefused(problems)


async def _delete(session: AsyncSession, framework_id: int, plan: _Plan) -> None:
    if plan.gone_strands:
        await session.execute(
            delete(FrameworkStrand).where(
                FrameworkStrand.framework_id == framework_id,
                FrameworkStrand.code.in_(plan.gone_strands),
            )
        )
    if plan.gone_values:
        await session.execute(
            delete(ScaleValue).where(
                ScaleValue.framework_id == framework_id, ScaleValue.code.in_(plan.gone_values)
            )
        )
    plan.strands.updated += len(plan.gone_strands)  # a removal is a change to the framework
    plan.values.updated += len(plan.gone_values)


async def _use(session: AsyncSession, code: str, programme_name: str, *, force: bool) -> bool:
    framework = (
        await session.execute(select(AssessmentFramework).where(AssessmentFramework.code == code))
    ).scalar_one_or_none()
    if framework is None:
        raise FrameworkRefused([f"no framework with code {code!r}"])
    programme = (
        await session.execute(select(Programme).where(Programme.name == programme_name))
    ).scalar_one_or_none()
    if programme is None:
        raise FrameworkRefused(
            [f"no programme named {programme_name!r} (import the roster or the calendar first)"]
        )
    current = programme.framework_id
    if current == framework.id:
        return False
    await session.flush()
    rated = await _ratings_on_other_scales(session, programme.id or 0, code)
    if rated and not force:
        raise FrameworkRefused(
            [
                f"{programme_name!r} has {rated} review-point ratings on its current framework; "
                "they stay as they are, but its grids and escalations would read the new one "
                "from now on. Give --force to move it anyway"
            ]
        )
    programme.framework_id = framework.id
    return True


async def _ratings_on_other_scales(session: AsyncSession, programme_id: int, code: str) -> int:
    from storage.models import Placement

    stmt = (
        select(func.count())
        .select_from(RagRating)
        .join(Placement, Placement.id == RagRating.placement_id)
        .where(
            Placement.programme_id == programme_id,
            RagRating.review_point_id.is_not(None),
            RagRating.scale != code,
        )
    )
    return int((await session.execute(stmt)).scalar_one())


async def frameworks_named_in_calendar(
    session: AsyncSession, calendar: Calendar, programmes: dict[str, int]
) -> set[str]:
    """Put each programme the calendar's `framework` column names on that framework; the
    programmes moved. An unknown code, or a programme with ratings on its current
    framework (`mentorbot framework use … --force` moves those), refuses the file."""
    if not calendar.frameworks:
        return set()
    codes = {code for code, _line in calendar.frameworks.values()}
    stmt = select(AssessmentFramework.code, AssessmentFramework.id).where(
        AssessmentFramework.code.in_(codes)
    )
    ids: dict[str, int] = {code: fid for code, fid in (await session.execute(stmt)).all()}
    errors: list[RowError] = []
    moved: set[str] = set()
    for name, (code, line) in calendar.frameworks.items():
        fid = ids.get(code)
        if fid is None:
            problem = f"unknown framework {code!r} (`mentorbot framework list` shows them)"
            errors.append(RowError(calendar.file, line, problem))
            continue
        programme = await session.get(Programme, programmes[name]) if name in programmes else None
        if programme is None:  # new in a dry run: it would be created on the framework
            moved.add(name)
            continue
        if programme.framework_id == fid or (
            programme.framework_id is None and code == DEFAULT_FRAMEWORK
        ):
            continue
        rated = await _ratings_on_other_scales(session, programmes[name], code)
        if rated:
            problem = (
                f"programme {name!r} has {rated} review-point ratings on its current "
                f'framework; move it with `mentorbot framework use {code} "{name}" --force`'
            )
            errors.append(RowError(calendar.file, line, problem))
            continue
        programme.framework_id = fid
        moved.add(name)
    if errors:
        raise ImportRejected(errors)
    await session.flush()
    return moved
