"""Admission: every interaction is answered in time, and none is lost when the bot is busy.

A platform waits a few seconds for its answer (Slack 3 s, Teams 15 s). An interaction
gets one of a bounded number of slots (so the connection pool is never exhausted) and a
time budget. Answered within the budget, the edge shows the reply as usual. Otherwise:

- if it never got a slot, it is *parked*: written to the database (many at once, in one
  short transaction) before the edge acknowledges, and handled later by `drain`, whose
  answer reaches the person as a message;
- if it is already running, it finishes and the edge delivers its reply late; an
  interaction with an idempotency key is parked as well, so that it survives the process
  dying before it commits (whichever copy commits first records it; the other is a
  duplicate and records nothing).

Nobody is told "something went wrong" because the bot is busy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from handlers.context import PlatformUser
from handlers.parked_codec import (
    coalescing_key,
    interaction_from_dict,
    interaction_to_dict,
    priority,
)
from handlers.router import (
    Conversations,
    Interaction,
)
from handlers.ui import Message, Reply
from storage import journal as journal_files
from storage.db import is_busy, is_overload, transaction
from storage.journal import ParkJournal
from storage.repo import parked
from storage.sqlite_driver import interactive

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)  # a claimed row whose process died is due again after this
MAX_ATTEMPTS = 6
PARK_BATCH_WAIT = 0.02  # seconds: parks arriving together share one transaction
PARK_WAIT = 0.6  # seconds the edge waits for a park to commit before journaling it
BACKLOG_TO_JOURNAL = 100  # parks queued for the database beyond which a park is journaled
SETTLE_WAIT = 10.0  # seconds a stopping process gives the database to take its parks

UserFactory = Callable[[str, str], PlatformUser]


@dataclass(slots=True)
class Outcome:
    """What became of an interaction within its budget."""

    reply: Reply | None = None  # answered in time
    # Still running: its reply comes later (None: it was parked after all, and its answer
    # will come as a message when it is handled).
    late: asyncio.Task[Reply | None] | None = None
    parked: bool = False  # kept in the database, to be handled and answered later


class Intake:
    def __init__(
        self,
        conversations: Conversations,
        *,
        slots: int,
        users: Mapping[str, UserFactory] | None = None,
        clock: Callable[[], datetime] | None = None,
        journal: ParkJournal | None = None,
    ) -> None:
        self.conversations = conversations
        self.journal = journal or ParkJournal(None)
        self.slots = asyncio.Semaphore(slots)
        self.capacity = slots
        self.users = dict(users or {})
        self.clock = clock or (lambda: datetime.now(UTC))
        self.on_parked: Callable[[], None] | None = None
        self._queue: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[Reply | None]] = set()
        self._waiting = 0  # interactions waiting for a slot
        self._service = ServiceTime()
        # How interactions were answered, by kind ("submit in time"; benchmarks read it):
        # "in time", "parked at once", "parked waiting" (no slot within the budget),
        # "parked busy" (the database refused), "late" (started, not done in the budget).
        self.outcomes: Counter[str] = Counter()
        # Parks go before parked work: the drain waits to claim or start while parks are
        # queued, so on SQLite the park writer is not starved of the write lock by it.
        # (New interactions do not wait: holding them back while anything was parked made
        # every interaction under load take its whole budget and be parked in turn.)
        self._parks_written = asyncio.Event()
        self._parks_written.set()
        # Set while nothing holds the drain back (the scheduler's tick does, while it runs).
        self._drain_free = asyncio.Event()
        self._drain_free.set()
        self._holds = 0

    # -- the edges' side -------------------------------------------------------------

    async def answer(
        self, user: PlatformUser, interaction: Interaction, *, budget: float
    ) -> Outcome:
        if self._expected_wait() > budget * 0.75:
            # So many are waiting that this one would not be done in time: parked at once,
            # so that the platform is answered quickly even when the bot is swamped.
            self._count(interaction, "parked at once")
            await self.park(user, interaction)
            return Outcome(parked=True)
        started = asyncio.Event()
        task = asyncio.create_task(self._inline(user, interaction, started))
        done, _ = await asyncio.wait({task}, timeout=budget)
        if done:
            try:
                reply = task.result()
            except Exception as exc:
                if not is_overload(exc):
                    raise
                self._count(interaction, "parked busy")
                # The database was too busy even after the retries: kept for later.
                log.info("interaction parked after %s", type(exc).__name__)
                await self.park(user, interaction)
                return Outcome(parked=True)
            self._count(interaction, "in time")
            return Outcome(reply=reply)
        if not started.is_set():
            self._count(interaction, "parked waiting")
            task.cancel()  # waiting for a slot: nothing has begun, so nothing is undone
            await self.park(user, interaction)
            return Outcome(parked=True)
        self._count(interaction, "late")
        if interaction.event_key:
            await self.park(user, interaction)
        late = asyncio.create_task(self._late(task, user, interaction))
        self._running.add(late)
        late.add_done_callback(self._running.discard)
        return Outcome(late=late)

    def _count(self, interaction: Interaction, what: str) -> None:
        self.outcomes[f"{type(interaction).__name__.lower()} {what}"] += 1

    async def _late(
        self, task: asyncio.Task[Reply], user: PlatformUser, interaction: Interaction
    ) -> Reply | None:
        try:
            return await task
        except Exception as exc:
            if not is_overload(exc):
                raise
            if not interaction.event_key:  # one with a key was parked already
                await self.park(user, interaction)
            return None

    async def home(self, user: PlatformUser) -> Message:
        """The App Home / greeting, in a slot like any interaction (it reads the roster)."""
        async with self.slots:
            return await self.conversations.home(user)

    def _expected_wait(self) -> float:
        """Seconds a new interaction would wait for a slot: those ahead of it, times how
        long one holds a slot lately, over the slots. (Not from a count of those finished
        per second: after a quiet spell that count is near zero, and a burst was parked
        whole although the bot could have answered it in time.)"""
        if self._waiting == 0:
            return 0.0
        return self._waiting * self._service.mean / self.capacity

    async def _inline(
        self, user: PlatformUser, interaction: Interaction, started: asyncio.Event
    ) -> Reply:
        self._waiting += 1
        try:
            await self.slots.acquire()
        finally:
            self._waiting -= 1
        began = time.monotonic()
        try:
            started.set()
            return await self.conversations.handle(user, interaction)
        finally:
            self.slots.release()
            self._service.observe(time.monotonic() - began)

    async def park(self, user: PlatformUser, interaction: Interaction) -> None:
        """Keep the interaction durably; returns once it is committed to the database or,
        when the database cannot take it in time, written to this process's journal file
        (moved into the database as soon as it can take it)."""
        key = interaction.event_key or coalescing_key(user, interaction, self.clock())
        row = {
            "platform": user.platform,
            "workspace_id": user.workspace_id[:64],
            "external_id": user.external_id[:255],
            "event_key": key[:255],
            "priority": priority(interaction),
            "interaction": interaction_to_dict(interaction, key=key[:255]),
        }
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((row, written))
        self._parks_written.clear()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_parked())
        if len(self._queue) > BACKLOG_TO_JOURNAL and self.journal.folder is not None:
            # The writer is far behind: waiting for it would spend the platform's seconds.
            await self._journal([row])
            return
        try:
            await asyncio.wait_for(asyncio.shield(written), timeout=PARK_WAIT)
        except TimeoutError:
            await self._journal([row])

    async def _journal(self, rows: list[dict[str, Any]]) -> None:
        try:
            await self.journal.append(rows)
        except OSError as exc:
            # Neither the database nor the disk took it: kept in memory, and written to
            # the database when it can take it (lost only if the process dies first).
            log.error("parked interaction kept in memory only: %s", type(exc).__name__)

    async def _write_parked(self) -> None:
        while self._queue:
            await asyncio.sleep(PARK_BATCH_WAIT)
            batch, self._queue = self._queue, []
            try:
                with interactive():  # a short write (storage/sqlite_driver.py)
                    async with transaction(self.conversations.sessions) as session:
                        await parked.park(session, [row for row, _ in batch], now=self.clock())
            except Exception as exc:
                # Busy or briefly unreachable: the batch goes back to the front and is
                # written with the next one. Nothing is dropped.
                level = logging.INFO if is_busy(exc) else logging.WARNING
                log.log(level, "parking %d interactions: %s", len(batch), type(exc).__name__)
                self._queue[:0] = batch
                await asyncio.sleep(0.1)
                continue
            self.journal.committed(str(row["event_key"]) for row, _ in batch)
            if not self._queue:
                self._parks_written.set()
            for _, written in batch:
                if not written.done():
                    written.set_result(None)
            if self.on_parked is not None:
                self.on_parked()

    async def recover(self) -> int:
        """At start: park what a stopped process journaled but never got into the database."""
        recovered = 0
        for path, rows in journal_files.orphaned_rows(self.journal.folder):
            if rows:
                async with transaction(self.conversations.sessions) as session:
                    await parked.park(session, rows, now=self.clock())
                recovered += len(rows)
            journal_files.forget(path)
        if recovered:
            log.warning("recovered %d parked interactions from the journal", recovered)
            if self.on_parked is not None:
                self.on_parked()
        return recovered

    # -- the worker's side ----------------------------------------------------------

    @contextlib.asynccontextmanager
    async def hold_drain(self) -> AsyncIterator[None]:
        """Parked work waits while this is held (it can wait; a sweep should not)."""
        self._holds += 1
        self._drain_free.clear()
        try:
            yield
        finally:
            self._holds -= 1
            if self._holds == 0:
                self._drain_free.set()

    async def drain(self, *, limit: int = 50) -> int:
        """Handle parked interactions that are due; how many were taken."""
        await self._drain_free.wait()
        await self._parks_written.wait()
        async with transaction(self.conversations.sessions) as session:
            rows = await parked.claim(session, now=self.clock(), limit=limit, lease=LEASE)
            work = [
                (r.platform, r.workspace_id, r.external_id, r.event_key, r.interaction, r.attempts)
                for r in rows
            ]
        await asyncio.gather(*(self._handle_parked(*item) for item in work))
        return len(work)

    async def _handle_parked(
        self,
        platform: str,
        workspace_id: str,
        external_id: str,
        event_key: str,
        data: dict[str, Any],
        attempts: int,
    ) -> None:
        if attempts > MAX_ATTEMPTS:
            log.error("parked interaction %s given up after %d attempts", event_key, attempts)
            await self.conversations.forget_parked(platform, event_key)
            return
        try:
            interaction = interaction_from_dict(data)
        except (KeyError, TypeError, ValueError):
            log.error("parked interaction %s unreadable; dropped", event_key)
            await self.conversations.forget_parked(platform, event_key)
            return
        factory = self.users.get(platform)
        user = (
            factory(workspace_id, external_id)
            if factory
            else PlatformUser(platform, workspace_id, external_id)
        )
        await self._drain_free.wait()  # before taking a slot: new interactions keep theirs
        async with self.slots:
            await self._parks_written.wait()
            began = time.monotonic()
            try:
                await self.conversations.handle(user, interaction, parked=True)
            except Exception as exc:  # kept: due again after its lease
                if is_overload(exc):
                    # Still too busy: that was no real try (after MAX_ATTEMPTS real ones a
                    # parked interaction is given up), and it is due again at once.
                    await self._give_back(platform, event_key)
                    return
                log.warning("parked interaction %s failed: %s", event_key, type(exc).__name__)
            finally:
                self._service.observe(time.monotonic() - began)

    async def _give_back(self, platform: str, event_key: str) -> None:
        try:
            async with transaction(self.conversations.sessions) as session:
                await parked.give_back(session, platform=platform, event_key=event_key)
        except Exception as exc:  # its lease runs out instead
            log.info("parked interaction %s not given back: %s", event_key, type(exc).__name__)

    async def waiting(self) -> tuple[int, datetime | None]:
        async with transaction(self.conversations.sessions) as session:
            return await parked.waiting(session)

    async def settle(self, *, within: float = SETTLE_WAIT) -> None:
        """Wait for late replies and pending parks (tests, shutdown). Parks the database
        has not taken by then are journaled, so a stop loses nothing."""
        if self._writer is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._writer), within)
        if self._queue:
            rows = [row for row, _ in self._queue if row["event_key"] not in self.journal.keys]
            await self._journal(rows)
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        self.journal.close()


class ServiceTime:
    """How long an interaction holds its slot, in seconds, smoothed over the last few tens
    (each new one weighs a tenth): a slower database or a busier loop shows within seconds."""

    def __init__(self, initial: float = 0.02) -> None:
        self.mean = initial

    def observe(self, seconds: float) -> None:
        self.mean = self.mean * 0.9 + max(seconds, 0.0) * 0.1
