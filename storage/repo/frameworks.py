"""The assessment framework a programme's trainees are rated on: its strands (or standards)
and its scale, read from the database.

The contract the rating conversation, observations, targets, support plans, the digest,
the escalation rules and the reports read. A programme with no framework set is on the
default, the Teachers' Standards on Red/Amber/Green.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AssessmentFramework, FrameworkStrand, Programme, ScaleValue
from storage.shipped_frameworks import DEFAULT_FRAMEWORK, FrameworkSpec


@dataclass(frozen=True, slots=True)
class Strand:
    code: str  # stored on records (ratings, targets); labels are rendered when shown
    title: str
    area: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Value:
    """One value of a scale: shown as `symbol label`, with its meaning beside it."""

    code: str  # stored as the rating
    label: str
    meaning: str
    symbol: str
    off_track: bool


@dataclass(frozen=True, slots=True)
class Framework:
    id: int
    code: str  # stored as the ratings' scale
    name: str
    strands: tuple[Strand, ...]
    values: tuple[Value, ...]  # in the order they are offered

    def value(self, code: str) -> Value | None:
        # A scale has a handful of values; a digest asks for one per trainee and strand.
        for v in self.values:
            if v.code == code:
                return v
        return None

    def strand(self, code: str) -> Strand | None:
        return next((s for s in self.strands if s.code == code), None)

    @property
    def off_track_codes(self) -> frozenset[str]:
        return frozenset(v.code for v in self.values if v.off_track)


async def strands_for_programme(session: AsyncSession, *, programme_id: int) -> list[Strand]:
    """The programme's strands in the order they are shown."""
    return list((await framework_for_programme(session, programme_id=programme_id)).strands)


async def framework_for_programme(session: AsyncSession, *, programme_id: int) -> Framework:
    found = await frameworks_for_programmes(session, programme_ids=[programme_id])
    return found[programme_id]


async def frameworks_for_programmes(
    session: AsyncSession, *, programme_ids: Iterable[int]
) -> dict[int, Framework]:
    """Each programme's framework, in two queries whatever the number of programmes (a
    button press that shows a form reads one: it is on the interactive path)."""
    wanted = sorted(set(programme_ids))
    if not wanted:
        return {}
    default_id = select(AssessmentFramework.id).where(AssessmentFramework.code == DEFAULT_FRAMEWORK)
    chosen = func.coalesce(Programme.framework_id, default_id.scalar_subquery())
    stmt = (
        select(Programme.id, AssessmentFramework.id)
        .join(AssessmentFramework, AssessmentFramework.id == chosen)
        .where(Programme.id.in_(wanted))
    )
    found = {pid: fid for pid, fid in (await session.execute(stmt)).all()}
    if len(found) < len(wanted):  # an unknown programme is on the default
        fallback = int((await session.execute(default_id)).scalar_one())
        found = {pid: found.get(pid, fallback) for pid in wanted}
    loaded = await frameworks_by_id(session, framework_ids=found.values())
    return {pid: loaded[fid] for pid, fid in found.items()}


async def framework_by_code(session: AsyncSession, *, code: str) -> Framework | None:
    fid = (
        await session.execute(
            select(AssessmentFramework.id).where(AssessmentFramework.code == code)
        )
    ).scalar_one_or_none()
    if fid is None:
        return None
    return (await frameworks_by_id(session, framework_ids=[fid]))[fid]


async def default_framework(session: AsyncSession) -> Framework:
    fid = await _default_id(session)
    return (await frameworks_by_id(session, framework_ids=[fid]))[fid]


async def frameworks_by_id(
    session: AsyncSession, *, framework_ids: Iterable[int]
) -> dict[int, Framework]:
    """The frameworks, each with its strands and values, in one query (Core rows: no ORM
    objects are built for what is only read)."""
    ids = sorted(set(framework_ids))
    if not ids:
        return {}
    S, V, F = FrameworkStrand, ScaleValue, AssessmentFramework
    # One row per head, strand and value, told apart by `part` (0 head, 1 strand, 2 value);
    # the head's name rides in the strand's title column.
    text = sa.String
    EMPTY = sa.cast(sa.literal_column("''"), text)
    heads = select(
        F.id,
        sa.literal_column("0").label("part"),
        sa.literal_column("0").label("position"),
        sa.literal_column("0").label("row_id"),
        F.code,
        sa.cast(F.name, text).label("title"),
        EMPTY.label("area"),
        EMPTY.label("text"),
        EMPTY.label("symbol"),
        sa.false().label("off_track"),
    ).where(F.id.in_(ids))
    strands = select(
        S.framework_id,
        sa.literal_column("1"),
        S.position,
        S.id,
        S.code,
        sa.cast(S.title, text),
        sa.cast(S.area, text),
        sa.cast(S.description, text),
        EMPTY,
        sa.false(),
    ).where(S.framework_id.in_(ids))
    values = select(
        V.framework_id,
        sa.literal_column("2"),
        V.position,
        V.id,
        V.code,
        sa.cast(V.label, text),
        sa.cast(V.meaning, text),
        EMPTY,
        V.symbol,
        V.off_track,
    ).where(V.framework_id.in_(ids))
    union = sa.union_all(heads, strands, values).subquery()
    stmt = select(union).order_by(union.c.part, union.c.position, union.c.row_id)
    names: dict[int, tuple[str, str]] = {}
    strand_rows: dict[int, list[Strand]] = {i: [] for i in ids}
    value_rows: dict[int, list[Value]] = {i: [] for i in ids}
    for fid, part, _pos, _id, code, title, area, desc, symbol, off in (
        await session.execute(stmt)
    ).all():
        if part == 0:
            names[fid] = (code, title)
        elif part == 1:
            strand_rows[fid].append(Strand(code, title, area, desc))
        else:
            value_rows[fid].append(Value(code, title, area, symbol, bool(off)))
    return {
        fid: Framework(fid, code, name, tuple(strand_rows[fid]), tuple(value_rows[fid]))
        for fid, (code, name) in names.items()
    }


async def all_frameworks(session: AsyncSession) -> list[Framework]:
    ids = (await session.execute(select(AssessmentFramework.id))).scalars().all()
    found = await frameworks_by_id(session, framework_ids=ids)
    return sorted(found.values(), key=lambda f: f.id)


async def off_track_values(session: AsyncSession) -> dict[str, frozenset[str]]:
    """Framework code (a rating's scale) -> the codes of its values that count as off track."""
    stmt = (
        select(AssessmentFramework.code, ScaleValue.code)
        .join(ScaleValue, ScaleValue.framework_id == AssessmentFramework.id)
        .where(ScaleValue.off_track.is_(True))
    )
    found: dict[str, set[str]] = {}
    for scale, code in (await session.execute(stmt)).all():
        found.setdefault(scale, set()).add(code)
    return {scale: frozenset(codes) for scale, codes in found.items()}


async def programmes_by_framework(session: AsyncSession) -> dict[int, list[str]]:
    """Framework id -> the names of the programmes rated on it (the default's included)."""
    default_id = await _default_id(session)
    found: dict[int, list[str]] = {}
    stmt = select(Programme.name, Programme.framework_id).order_by(Programme.name)
    for name, fid in (await session.execute(stmt)).all():
        found.setdefault(fid or default_id, []).append(name)
    return found


async def programmes_with_frameworks(session: AsyncSession) -> list[tuple[str, Framework]]:
    """Every programme by name, with the framework it is rated on."""
    programmes = (await session.execute(select(Programme.id, Programme.name))).all()
    on = await frameworks_for_programmes(session, programme_ids=[pid for pid, _ in programmes])
    return sorted(((name, on[pid]) for pid, name in programmes), key=lambda p: p[0])


async def _default_id(session: AsyncSession) -> int:
    stmt = select(AssessmentFramework.id).where(AssessmentFramework.code == DEFAULT_FRAMEWORK)
    return int((await session.execute(stmt)).scalar_one())


def from_spec(spec: FrameworkSpec, framework_id: int = 0) -> Framework:
    """A shipped framework as it reads once stored (for previews and tests)."""
    return Framework(
        framework_id,
        spec.code,
        spec.name,
        tuple(Strand(s.code, s.title, s.area, s.description) for s in spec.strands),
        tuple(Value(v.code, v.label, v.meaning, v.symbol, v.off_track) for v in spec.values),
    )
