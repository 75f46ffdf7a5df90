"""The scheduler's heartbeat: written once per tick, read by /healthz and `mentorbot status`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import OutboxMessage, SchedulerHealth
from storage.repo.leader import LOCK_KEY

# A tick runs every minute: five missed in a row is an outage, not a slow sweep.
STALE_AFTER = timedelta(minutes=5)
ROW_ID = 1


@dataclass(frozen=True, slots=True)
class Heartbeat:
    last_sweep_at: datetime | None = None
    last_sweep_by: str | None = None
    last_dispatch_at: datetime | None = None
    last_failure_at: datetime | None = None
    last_failure_stage: str | None = None
    last_failure_type: str | None = None

    def stale(self, now: datetime, *, since: datetime | None = None) -> list[str]:
        """Which of "sweep" and "dispatch" have not succeeded for STALE_AFTER.

        `since` is when the asking process started: a process that has been up for less
        than STALE_AFTER is given that long to tick before it is called stale, even over
        an old heartbeat (it may be catching up after downtime). Without it (the CLI), a
        missing heartbeat is stale: nothing has ever ticked.
        """
        parts = []
        for name, last in (("sweep", self.last_sweep_at), ("dispatch", self.last_dispatch_at)):
            reference = max((t for t in (last, since) if t is not None), default=None)
            if reference is None or now - reference > STALE_AFTER:
                parts.append(name)
        return parts


@dataclass(frozen=True, slots=True)
class Failure:
    stage: str  # "leader", "sweep" or "dispatch"
    type_name: str  # the exception's class name only: its message may hold personal data


async def read(session: AsyncSession) -> Heartbeat:
    row = await session.get(SchedulerHealth, ROW_ID)
    if row is None:
        return Heartbeat()
    return Heartbeat(
        last_sweep_at=row.last_sweep_at,
        last_sweep_by=row.last_sweep_by,
        last_dispatch_at=row.last_dispatch_at,
        last_failure_at=row.last_failure_at,
        last_failure_stage=row.last_failure_stage,
        last_failure_type=row.last_failure_type,
    )


async def record(
    session: AsyncSession,
    *,
    now: datetime,
    swept_by: str | None = None,
    dispatched: bool = False,
    failure: Failure | None = None,
) -> None:
    """One upsert per tick: only what happened in this tick is overwritten, so a standby's
    dispatch does not erase the leader's sweep, nor a success the last failure."""
    values: dict[str, Any] = {"id": ROW_ID, "updated_at": now}
    if swept_by is not None:
        values |= {"last_sweep_at": now, "last_sweep_by": swept_by[:128]}
    if dispatched:
        values["last_dispatch_at"] = now
    if failure is not None:
        values |= {
            "last_failure_at": now,
            "last_failure_stage": failure.stage[:16],
            "last_failure_type": failure.type_name[:128],
        }
    table = SchedulerHealth.__table__
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={name: stmt.excluded[name] for name in values if name != "id"},
    )
    await session.execute(stmt)


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    pending: int  # waiting to be sent, or being sent now
    dead: int  # given up on; the admins were told
    held: int = 0  # waiting for people the platform cannot message yet (Teams: not installed)


async def outbox_counts(session: AsyncSession) -> OutboxCounts:
    stmt = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    counts = {status: int(n) for status, n in (await session.execute(stmt)).all()}
    return OutboxCounts(
        pending=counts.get("pending", 0) + counts.get("sending", 0),
        dead=counts.get("dead", 0),
        held=counts.get("held", 0),
    )


async def leader_lock_held(session: AsyncSession) -> bool | None:
    """Whether some connection holds the scheduler's advisory lock (PostgreSQL), or None
    where there is no election (SQLite: the one process leads)."""
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return None
    # pg_locks shows a bigint advisory key as its high and low 32 bits.
    stmt = text(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND classid::bigint = :hi AND objid::bigint = :lo AND objsubid = 1)"
    )
    result = await session.execute(stmt, {"hi": LOCK_KEY >> 32, "lo": LOCK_KEY & 0xFFFFFFFF})
    return bool(result.scalar())
