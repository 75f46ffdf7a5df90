"""Where an escalation alert goes at each level: the level's channel and/or named people
by direct message, as the policy says; while neither can take it, every ITT lead by
direct message. An alert is never left undelivered while an ITT lead is reachable: when
a channel post or a direct message is dead-lettered, every ITT lead gets it by DM.

The policy is the scheduler's; it hands each level's `Route` in (handlers read no policy).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keys
from handlers.codec import message_to_dict
from handlers.ui import Message
from storage.enums import Role
from storage.repo import concerns, messaging, people

log = logging.getLogger(__name__)
ALERT_KIND = "escalation_alert"


@dataclass(frozen=True, slots=True)
class Route:
    """One level's route: the channel chosen for that level, and people (by e-mail)."""

    channel: bool = True
    people: tuple[str, ...] = ()


DEFAULT_ROUTE = Route()


async def send_alert(
    session: AsyncSession,
    *,
    escalation_id: int,
    level: int,
    message: Message,
    now: datetime,
    route: Route = DEFAULT_ROUTE,
) -> int:
    """Queue the alert on the level's route; returns how many were queued."""
    payload = message_to_dict(message)
    queued = 0
    has_channel = False
    if route.channel and await _own_channel(session, level):
        has_channel = True
        queued += await messaging.enqueue(
            session,
            key=str(keys.EscalationAlert(escalation_id, level)),
            kind=ALERT_KIND,
            escalation_level=level,
            payload=payload,
            not_before=now,
        )
    named = [p.id for e in route.people if (p := await people.by_email(session, email=e))]
    recipients = [i for i in named if i is not None]
    if not has_channel and not recipients:
        recipients = await _itt_leads(session)
    for person_id in recipients:
        queued += await _direct(session, escalation_id, level, person_id, payload, now)
    if queued == 0 and not has_channel and not recipients:
        log.warning("escalation %s level %s: no channel and no ITT lead", escalation_id, level)
    return queued


async def _own_channel(session: AsyncSession, level: int) -> bool:
    """Whether the level has a channel that no lower level uses (one chosen before the
    levels had to differ): "one level up" never posts again where nobody answered."""
    target = await concerns.escalation_target(session, level=level)
    if target is None:
        return False
    lower = await concerns.level_of_channel(
        session, platform=target.platform, channel_id=target.channel_id
    )
    return lower is None or lower >= level


async def fall_back(
    session: AsyncSession, *, key: str, payload: dict[str, Any], now: datetime
) -> int:
    """An alert that could not be delivered (no channel, the bot removed from it, a named
    person unreachable): every ITT lead gets it by DM. Keys are unique per lead, so a
    lead's own dead letter adds no one new and this cannot loop."""
    typed = keys.parse(key)
    if not isinstance(typed, keys.EscalationAlert | keys.EscalationAlertTo):
        return 0
    queued = 0
    for person_id in await _itt_leads(session):
        queued += await _direct(session, typed.escalation_id, typed.level, person_id, payload, now)
    return queued


async def _itt_leads(session: AsyncSession) -> list[int]:
    return [p.id for p in await people.with_role(session, role=Role.ITT_LEAD) if p.id is not None]


async def _direct(
    session: AsyncSession,
    escalation_id: int,
    level: int,
    person_id: int,
    payload: dict[str, Any],
    now: datetime,
) -> int:
    return int(
        await messaging.enqueue(
            session,
            key=str(keys.EscalationAlertTo(escalation_id, level, person_id)),
            kind=ALERT_KIND,
            recipient_id=person_id,
            payload=payload,
            not_before=now,
        )
    )
