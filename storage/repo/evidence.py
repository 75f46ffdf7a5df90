"""Weekly meetings, ratings, observations, self-evaluations and drafts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import FormDraft, MentorSelfEvaluation, Observation, RagRating, WeeklyMeeting
from storage.repo.upsert import transition
from storage.types import utcnow


async def meeting(
    session: AsyncSession, *, placement_id: int, week_start: date, lock: bool = False
) -> WeeklyMeeting | None:
    stmt = select(WeeklyMeeting).where(
        WeeklyMeeting.placement_id == placement_id, WeeklyMeeting.week_start == week_start
    )
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def latest_signed_off_week(session: AsyncSession, *, placement_id: int) -> date | None:
    stmt = select(func.max(WeeklyMeeting.week_start)).where(
        WeeklyMeeting.placement_id == placement_id, WeeklyMeeting.signed_off_at.is_not(None)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_ratings(session: AsyncSession, *, ratings: Sequence[RagRating]) -> None:
    session.add_all(list(ratings))
    await session.flush()


async def latest_ratings(
    session: AsyncSession, *, subject_id: int, scale: str
) -> dict[str, RagRating]:
    """The newest rating per item (history is kept; this is the current picture)."""
    stmt = (
        select(RagRating)
        .where(RagRating.subject_id == subject_id, RagRating.scale == scale)
        .order_by(RagRating.created_at, RagRating.id)
    )
    latest: dict[str, RagRating] = {}
    for rating in (await session.execute(stmt)).scalars():
        latest[rating.item_code] = rating
    return latest


async def ratings_at_review_point(
    session: AsyncSession, *, placement_id: int, review_point_id: int
) -> list[RagRating]:
    stmt = select(RagRating).where(
        RagRating.placement_id == placement_id, RagRating.review_point_id == review_point_id
    )
    return list((await session.execute(stmt)).scalars().all())


async def add_observation(session: AsyncSession, *, observation: Observation) -> Observation:
    session.add(observation)
    await session.flush()
    return observation


async def observation(session: AsyncSession, *, observation_id: int) -> Observation | None:
    return await session.get(Observation, observation_id, with_for_update=True)


async def acknowledge_observation(
    session: AsyncSession, *, observation_id: int, at: datetime
) -> bool:
    """The trainee acknowledges feedback, once however often the button is pressed."""
    return await transition(
        session,
        Observation,
        record_id=observation_id,
        only_if=Observation.acknowledged_at.is_(None),
        values={"acknowledged_at": at},
    )


async def record_trainee_response(
    session: AsyncSession, *, meeting_id: int, response: str, comment: str | None, at: datetime
) -> bool:
    """The trainee confirms or disputes a signed-off meeting record, once."""
    return await transition(
        session,
        WeeklyMeeting,
        record_id=meeting_id,
        only_if=WeeklyMeeting.trainee_response.is_(None),
        values={
            "trainee_response": response,
            "trainee_comment": comment,
            "trainee_responded_at": at,
        },
    )


async def sign_off_week(
    session: AsyncSession, *, placement_id: int, week_start: date, values: dict[str, Any]
) -> WeeklyMeeting | None:
    """Sign off a week's meeting in one statement: created signed off if the week has no
    row yet, a pending row signed off, a signed-off one left as it is (None). Of two
    sign-offs racing, exactly one gets the meeting back, on SQLite and on PostgreSQL."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    stmt = _sign_off_statement(dialect, tuple(sorted(values)))
    params = {"placement_id": placement_id, "week_start": week_start, **values}
    row = (await session.execute(stmt, params)).mappings().first()
    return WeeklyMeeting(**row) if row is not None else None


# The sign-off statement per dialect and set of columns (an outcome sets its own few),
# built once: building it and its cache key again for every submission cost as much as
# running it. The values come as parameters; the update sets what the insert would have.
_SIGN_OFF: dict[tuple[str, tuple[str, ...]], Any] = {}


def _sign_off_statement(dialect: str, columns: tuple[str, ...]) -> Any:
    found = _SIGN_OFF.get((dialect, columns))
    if found is not None:
        return found
    table = WeeklyMeeting.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    new = insert(table).values(
        {name: bindparam(name, type_=table.c[name].type) for name in _KEYS + columns}
    )
    stmt = new.on_conflict_do_update(
        index_elements=list(_KEYS),
        set_={name: new.excluded[name] for name in columns},
        where=table.c.signed_off_at.is_(None),
    ).returning(*table.c)
    _SIGN_OFF[(dialect, columns)] = stmt
    return stmt


_KEYS = ("placement_id", "week_start")


async def add_self_evaluations(
    session: AsyncSession, *, evaluations: Iterable[MentorSelfEvaluation]
) -> list[MentorSelfEvaluation]:
    rows = list(evaluations)
    session.add_all(rows)
    await session.flush()
    return rows


async def load_draft(session: AsyncSession, *, owner_id: int, form_key: str) -> dict[str, Any]:
    stmt = select(FormDraft.values).where(
        FormDraft.owner_id == owner_id, FormDraft.form_key == form_key
    )
    return dict((await session.execute(stmt)).scalar_one_or_none() or {})


async def save_draft(
    session: AsyncSession, *, owner_id: int, form_key: str, values: dict[str, Any]
) -> None:
    stmt = select(FormDraft).where(FormDraft.owner_id == owner_id, FormDraft.form_key == form_key)
    draft = (await session.execute(stmt)).scalar_one_or_none()
    if draft is None:
        session.add(FormDraft(owner_id=owner_id, form_key=form_key, values=values))
    else:
        draft.values = values
        draft.updated_at = utcnow()
    await session.flush()


async def drop_draft(session: AsyncSession, *, owner_id: int, form_key: str) -> None:
    await session.execute(
        delete(FormDraft).where(FormDraft.owner_id == owner_id, FormDraft.form_key == form_key)
    )


def signed_at(meeting: WeeklyMeeting) -> datetime | None:
    return meeting.signed_off_at


async def unconfirmed_meetings(
    session: AsyncSession, *, placement_ids: list[int]
) -> list[WeeklyMeeting]:
    stmt = select(WeeklyMeeting).where(
        WeeklyMeeting.placement_id.in_(placement_ids),
        WeeklyMeeting.status == "held",
        WeeklyMeeting.trainee_response.is_(None),
    )
    return list((await session.execute(stmt)).scalars().all())


async def unacknowledged_observations(
    session: AsyncSession, *, placement_ids: list[int]
) -> list[Observation]:
    stmt = select(Observation).where(
        Observation.placement_id.in_(placement_ids), Observation.acknowledged_at.is_(None)
    )
    return list((await session.execute(stmt)).scalars().all())


async def has_ratings(session: AsyncSession, *, placement_id: int, review_point_id: int) -> bool:
    stmt = (
        select(RagRating.id)
        .where(RagRating.placement_id == placement_id, RagRating.review_point_id == review_point_id)
        .limit(1)
    )
    return (await session.execute(stmt)).first() is not None
