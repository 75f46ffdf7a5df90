"""The outbox dispatcher: sends what the handlers and sweeps queued, through the edges.

Rows are claimed in one short transaction and settled one by one, so a crash loses
nothing: a claimed row whose lease runs out is due again, and because it may already
have reached the platform, the edge is asked first (`already_sent`) before it is resent.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiolimiter import AsyncLimiter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import RetryCallState, wait_exponential_jitter

from handlers.codec import built_when_sent, message_from_dict
from handlers.escalation import route
from handlers.ports import Address, Delivery, OutputChannel, SendError
from handlers.ui import Message
from scheduler.relevance import built_now, still_applies
from storage.db import transaction
from storage.models import OutboxMessage
from storage.repo import concerns, outbox, people

log = logging.getLogger(__name__)
# 2 s, 4 s, 8 s … up to 15 minutes, with up to a second of jitter so that a burst of
# failures spreads out; ten attempts span about seventeen minutes before a dead letter.
BACKOFF = wait_exponential_jitter(multiplier=2, max=900, jitter=1)
# A 5xx or lost answer is tried again soon for a row's first SOON_TRIES attempts: within
# half a second (jittered, so a burst of failures does not come back at once), through the
# same rate limiter, so a retry only spends budget no first try is using. A burst of
# thousands then ends when its last row is sent, not seconds later when the last few
# failures' backoffs run out. From then on the backoff above, as before (the tenth attempt
# still comes about seventeen minutes after the first). A 429 waits its Retry-After and
# does not count as an attempt.
SOON = (0.05, 0.5)  # seconds
SOON_TRIES = 3


def _attempt(number: int) -> RetryCallState:
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = number
    return state


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A platform's documented send limits: per conversation, and for the whole app."""

    per_conversation: tuple[float, float]  # (messages, seconds)
    overall: tuple[float, float]
    # Each platform's own figures come from its descriptor (bot/), injected at the
    # composition root: the scheduler names no platform.


# For a platform the composition root gave no limits for (tests, tools).
DEFAULT_LIMIT = RateLimit(per_conversation=(10, 1.0), overall=(100, 1.0))


class Limiters:
    """aiolimiter leaky buckets: one per platform, one per conversation."""

    def __init__(self, limits: Mapping[str, RateLimit]) -> None:
        self.limits = dict(limits)
        self.overall: dict[str, AsyncLimiter] = {}
        self.conversations: dict[tuple[str, str], AsyncLimiter] = {}

    def _limit(self, platform: str) -> RateLimit:
        return self.limits.get(platform, DEFAULT_LIMIT)

    async def acquire(self, platform: str, conversation: str) -> None:
        limit = self._limit(platform)
        if platform not in self.overall:
            self.overall[platform] = AsyncLimiter(*limit.overall)
        key = (platform, conversation)
        if key not in self.conversations:
            self.conversations[key] = AsyncLimiter(*limit.per_conversation)
        async with self.conversations[key], self.overall[platform]:
            return


@dataclass(slots=True)
class DispatchResult:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    recovered: int = 0  # uncertain rows found already delivered, not sent again
    cancelled: int = 0  # no longer applied when their turn came
    held: int = 0  # waiting for their recipient to connect

    @property
    def handled(self) -> int:
        """Rows this run settled one way or another (0: nothing was due)."""
        return self.sent + self.retried + self.dead + self.recovered + self.cancelled + self.held


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channels: Mapping[str, OutputChannel],
        *,
        clock: Callable[[], datetime] | None = None,
        max_attempts: int = 10,
        lease: timedelta = timedelta(minutes=2),
        worker_id: str | None = None,
        limits: Mapping[str, RateLimit] | None = None,
        concurrency: int = 20,
        reach_order: Sequence[str] | None = None,
    ) -> None:
        self.sessions = sessions
        self.channels = dict(channels)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.max_attempts = max_attempts
        self.lease = lease
        self.worker_id = worker_id or uuid.uuid4().hex[:12]
        self.limiters = Limiters(limits or {})
        # Where to try someone with no school (an ITT lead, an admin) not yet seen on any
        # platform, best first; by default the order the channels were given in.
        self.reach_order = tuple(reach_order if reach_order is not None else self.channels)
        self.concurrency = asyncio.Semaphore(concurrency)

    async def run_once(self, limit: int = 200) -> DispatchResult:
        result = DispatchResult()
        async with transaction(self.sessions) as session:
            rows = await outbox.claim(
                session, now=self.clock(), worker=self.worker_id, limit=limit, lease=self.lease
            )
        await asyncio.gather(*(self._deliver(row, result) for row in rows))
        return result

    async def drain(self, limit: int = 200) -> DispatchResult:
        """Send until nothing is due now (used by tests, `tick` and the demo)."""
        total = DispatchResult()
        while True:
            step = await self.run_once(limit)
            for name in ("sent", "retried", "dead", "recovered", "cancelled", "held"):
                setattr(total, name, getattr(total, name) + getattr(step, name))
            if step.handled == 0:
                return total

    async def _deliver(self, row: OutboxMessage, result: DispatchResult) -> None:
        async with self.concurrency:
            await self._deliver_one(row, result)

    async def _deliver_one(self, row: OutboxMessage, result: DispatchResult) -> None:
        assert row.id is not None
        try:
            prepared = await self._prepare(row)
            if prepared is None:
                await self._cancel(row, result)
                return
            address, message = prepared
            channel = self.channels.get(address.platform)
            if channel is None:
                raise SendError(f"no {address.platform} edge configured", permanent=True)
            delivery = None
            if row.attempts > 1:
                delivery = await channel.already_sent(address, key=row.key)
                if delivery is not None:
                    result.recovered += 1
            if delivery is None:
                conversation = address.channel_id or address.external_id or address.email or ""
                await self.limiters.acquire(address.platform, conversation)
                delivery = await channel.send(address, message, key=row.key)
                result.sent += 1
            await self._settle(row, address, delivery)
        except SendError as exc:
            await self._failed(row, exc, result)

    async def _prepare(self, row: OutboxMessage) -> tuple[Address, Message] | None:
        """Where the row goes and what it says, or None when it no longer applies: one
        session for all of it (one pooled connection, and on PostgreSQL one pre-ping, per
        row sent). A prompt or digest the sweep queued by its key is built here."""
        async with self.sessions() as session:
            now = self.clock()
            if not await still_applies(session, kind=row.kind, key=row.key, now=now):
                return None
            if built_when_sent(row.payload):
                built = await built_now(session, key=row.key, now=now)
                if built is None:
                    return None
                message = built
            else:
                message = message_from_dict(row.payload)
            return await self._address(session, row), message

    async def _cancel(self, row: OutboxMessage, result: DispatchResult) -> None:
        assert row.id is not None
        result.cancelled += 1
        async with transaction(self.sessions) as session:
            await outbox.mark_cancelled(session, row_id=row.id)

    async def _address(self, session: AsyncSession, row: OutboxMessage) -> Address:
        if row.recipient_id is not None:
            found = await outbox.recipient(session, person_id=row.recipient_id)
            if found is None:
                raise SendError("recipient not on the roster", permanent=True)
            platform = found.platform or next(
                (p for p in self.reach_order if p in self.channels), None
            )
            if platform is None:
                raise SendError("recipient not reachable on any platform", permanent=True)
            return Address(
                platform=platform,
                person_id=found.person_id,
                email=found.email,
                external_id=found.external_id,
                workspace_id=found.workspace_id,
                reference=found.reference,
            )
        target = await concerns.escalation_target(session, level=row.escalation_level or 1)
        if target is None:
            raise SendError("no escalation channel set", permanent=True)
        return Address(
            platform=target.platform,
            workspace_id=target.workspace_id,
            channel_id=target.channel_id,
            reference=target.conversation_reference,
        )

    async def _settle(self, row: OutboxMessage, address: Address, delivery: Delivery) -> None:
        assert row.id is not None
        async with transaction(self.sessions) as session:
            await outbox.mark_sent(
                session,
                row_id=row.id,
                now=self.clock(),
                platform=address.platform,
                channel_id=delivery.channel_id,
                message_id=delivery.message_id,
            )
            if address.person_id is not None and delivery.learned_external_id:
                await people.link_identity(
                    session,
                    person_id=address.person_id,
                    platform=address.platform,
                    workspace_id=delivery.learned_workspace_id or address.workspace_id,
                    external_id=delivery.learned_external_id,
                    conversation_reference=delivery.learned_reference,
                )
        log.info("outbox %s sent (%s)", row.id, row.kind)

    async def _failed(self, row: OutboxMessage, exc: SendError, result: DispatchResult) -> None:
        assert row.id is not None
        now = self.clock()
        retry_at: datetime | None
        # A 429 is the platform saying "not now", not a failed message: its try is given
        # back (it never dead-letters a row, nor lengthens the row's backoff).
        rate_limited = exc.retry_after is not None and not exc.permanent
        # Someone the platform cannot message until they connect: their message waits for
        # them (sent when they do), unless it is an alert, which cannot wait for one person.
        held = exc.held and row.recipient_id is not None and row.kind != route.ALERT_KIND
        if held:
            retry_at = None
            result.held += 1
            log.info("outbox %s held until the recipient connects", row.id)
        elif exc.permanent or (row.attempts >= self.max_attempts and not rate_limited):
            retry_at = None
            result.dead += 1
            log.warning("outbox %s dead after %s attempts: %s", row.id, row.attempts, exc)
        else:
            delay = retry_delay(exc, row.attempts)
            retry_at = now + timedelta(seconds=delay)
            result.retried += 1
            log.info("outbox %s retry in %ss: %s", row.id, delay, exc)
        async with transaction(self.sessions) as session:
            await outbox.mark_failed(
                session,
                row_id=row.id,
                retry_at=retry_at,
                error=str(exc),
                attempt_spent=not rate_limited,
                held_at=now if held else None,
                failed_at=now,
            )
            if held and row.recipient_id is not None:
                # Their chat may have been stored while this row was on its way (the
                # install's release ran before it was held): then it is due at once.
                found = await outbox.recipient(session, person_id=row.recipient_id)
                if found is not None and found.reference:
                    await outbox.release_held(session, person_id=row.recipient_id)
            if retry_at is None and not held and row.kind == route.ALERT_KIND:
                # An alert nobody could receive goes to every ITT lead by DM, at once.
                await route.fall_back(session, key=row.key, payload=row.payload, now=now)
        # Other dead letters tell nobody one by one: the office gets one summary a day
        # (scheduler/undeliverable.py) and the lead mentor's digest names who was missed.


def retry_delay(exc: SendError, attempts: int) -> float:
    """Seconds until a failed row is tried again, after `attempts` tries: the platform's
    Retry-After when it gave one; else soon for the first few tries, then the backoff."""
    if exc.retry_after is not None:
        return exc.retry_after
    if attempts <= SOON_TRIES:
        return random.uniform(*SOON)
    return float(BACKOFF(_attempt(attempts)))
