"""The outbox dispatcher: sends what the handlers and sweeps queued, through the edges.

Rows are claimed in one short transaction and settled one by one, so a crash loses
nothing: a claimed row whose lease runs out is due again, and because it may already
have reached the platform, the edge is asked first (`already_sent`) before it is resent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.codec import message_from_dict
from handlers.ports import Address, Delivery, OutputChannel, SendError
from storage.db import transaction
from storage.models import OutboxMessage
from storage.repo import concerns, outbox, people

log = logging.getLogger(__name__)


@dataclass(slots=True)
class DispatchResult:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    recovered: int = 0  # uncertain rows found already delivered, not sent again


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channels: Mapping[str, OutputChannel],
        *,
        clock: Callable[[], datetime] | None = None,
        max_attempts: int = 6,
        lease: timedelta = timedelta(minutes=2),
        worker_id: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.channels = dict(channels)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.max_attempts = max_attempts
        self.lease = lease
        self.worker_id = worker_id or uuid.uuid4().hex[:12]

    async def run_once(self, limit: int = 200) -> DispatchResult:
        result = DispatchResult()
        async with transaction(self.sessions) as session:
            rows = await outbox.claim(
                session, now=self.clock(), worker=self.worker_id, limit=limit, lease=self.lease
            )
        for row in rows:
            await self._deliver(row, result)
        return result

    async def drain(self, limit: int = 200) -> DispatchResult:
        """Send until nothing is due now (used by tests, `tick` and the demo)."""
        total = DispatchResult()
        while True:
            step = await self.run_once(limit)
            for name in ("sent", "retried", "dead", "recovered"):
                setattr(total, name, getattr(total, name) + getattr(step, name))
            if step.sent + step.retried + step.dead + step.recovered == 0:
                return total

    async def _deliver(self, row: OutboxMessage, result: DispatchResult) -> None:
        assert row.id is not None
        try:
            address = await self._address(row)
            channel = self.channels.get(address.platform)
            if channel is None:
                raise SendError(f"no {address.platform} edge configured", permanent=True)
            delivery = None
            if row.attempts > 1:
                delivery = await channel.already_sent(address, key=row.key)
                if delivery is not None:
                    result.recovered += 1
            if delivery is None:
                delivery = await channel.send(address, message_from_dict(row.payload), key=row.key)
                result.sent += 1
            await self._settle(row, address, delivery)
        except SendError as exc:
            await self._failed(row, exc, result)

    async def _address(self, row: OutboxMessage) -> Address:
        async with self.sessions() as session:
            if row.recipient_id is not None:
                found = await outbox.recipient(session, person_id=row.recipient_id)
                if found is None or found.platform is None:
                    raise SendError("recipient not reachable on any platform", permanent=True)
                return Address(
                    platform=found.platform,
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
                    workspace_id=address.workspace_id,
                    external_id=delivery.learned_external_id,
                    conversation_reference=delivery.learned_reference,
                )
        log.info("outbox %s sent (%s)", row.id, row.kind)

    async def _failed(self, row: OutboxMessage, exc: SendError, result: DispatchResult) -> None:
        assert row.id is not None
        now = self.clock()
        retry_at: datetime | None
        if exc.permanent or row.attempts >= self.max_attempts:
            retry_at = None
            result.dead += 1
            log.warning("outbox %s dead after %s attempts: %s", row.id, row.attempts, exc)
        else:
            delay = (
                exc.retry_after
                if exc.retry_after is not None
                else min(5 * 2 ** (row.attempts - 1), 900)
            )
            retry_at = now + timedelta(seconds=delay)
            result.retried += 1
            log.info("outbox %s retry in %ss: %s", row.id, delay, exc)
        async with transaction(self.sessions) as session:
            await outbox.mark_failed(session, row_id=row.id, retry_at=retry_at, error=str(exc))
