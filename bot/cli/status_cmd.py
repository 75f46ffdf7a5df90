"""`mentorbot status`: is the scheduler alive? For the partnership office, and for cron."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import load_settings, run

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from storage.repo import health


@dataclass(frozen=True, slots=True)
class Status:
    beat: health.Heartbeat
    outbox: health.OutboxCounts
    lock_held: bool | None
    now: datetime

    @property
    def stale(self) -> list[str]:
        return self.beat.stale(self.now)


async def _read(database_url: str) -> Status:
    from storage.db import make_engine, session_factory
    from storage.migrate import ensure_current
    from storage.repo import health

    engine = make_engine(database_url)
    try:
        await ensure_current(engine)
        async with session_factory(engine)() as session:
            return Status(
                beat=await health.read(session),
                outbox=await health.outbox_counts(session),
                lock_held=await health.leader_lock_held(session),
                now=datetime.now(UTC),
            )
    finally:
        await engine.dispose()


def status() -> None:
    """Show when the scheduler last swept and dispatched, its last failure, the outbox
    and the leader; exits 1 when the scheduler has not run for five minutes."""
    from zoneinfo import ZoneInfo

    settings = load_settings()
    found = run(_read(settings.database_url))
    zone = ZoneInfo(settings.timezone)
    table = Table("", "", title="mentorbot scheduler", show_header=False)
    for name, value in _rows(found, zone):
        table.add_row(name, value)
    Console(highlight=False, emoji=False, markup=False, width=120).print(table)
    if found.stale:
        raise typer.Exit(1)


def _rows(found: Status, zone: ZoneInfo) -> list[tuple[str, str]]:
    beat = found.beat
    stale = found.stale
    failure = "none recorded"
    if beat.last_failure_at is not None:
        failure = (
            f"{_when(beat.last_failure_at, found.now, zone)}: "
            f"{beat.last_failure_stage} ({beat.last_failure_type})"
        )
    return [
        ("state", f"STALE: no {' or '.join(stale)} for over 5 minutes" if stale else "ok"),
        ("last sweep", _when(beat.last_sweep_at, found.now, zone)),
        ("last dispatch", _when(beat.last_dispatch_at, found.now, zone)),
        ("last failure", failure),
        (
            "outbox",
            f"{found.outbox.pending} pending, {found.outbox.dead} dead-lettered, "
            f"{found.outbox.held} held for people not connected yet (see `mentorbot reach`)",
        ),
        ("leader", _leader(beat, found.lock_held)),
    ]


def _when(moment: datetime | None, now: datetime, zone: ZoneInfo) -> str:
    if moment is None:
        return "never"
    minutes = int((now - moment).total_seconds() // 60)
    ago = "under a minute ago" if minutes < 1 else f"{minutes} min ago"
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M:%S %Z} ({ago})"


def _leader(beat: health.Heartbeat, lock_held: bool | None) -> str:
    last = beat.last_sweep_by or "nobody yet"
    if lock_held is None:  # SQLite: one process, no election
        return f"{last} (single instance)"
    if lock_held:
        return f"{last} (last to sweep; the leader lock is held)"
    return f"no instance holds the leader lock (last to sweep: {last})"
