"""A sweep's new escalations raised in sets: the escalations, their audit entries and
their alerts each written in a few statements, however many trainees newly met a rule
(the first sweep of a fresh deployment finds thousands). The same records and alerts as
`flow.raise_escalation`, one by one, would write."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keys
from handlers.codec import message_to_dict
from handlers.escalation import route
from handlers.escalation.flow import alert
from storage.enums import Role
from storage.repo import concerns, messaging, people
from storage.repo.placements import PlacementView

log = logging.getLogger(__name__)
# placement, rule, cause, evidence: what the off-track rules found
Found = tuple[PlacementView, str, str, dict[str, Any]]


async def raise_escalations(
    session: AsyncSession,
    *,
    found: Sequence[Found],
    now: datetime,
    routes: Mapping[int, route.Route] | None = None,
) -> int:
    """Record the trainees newly off track and alert level 1's route; once per cause.
    Returns how many escalations were new."""
    views = {v.id: v for v, _rule, _cause, _evidence in found}
    opened = await concerns.open_escalations_in_sets(
        session,
        causes=[(v.id, rule, cause, evidence) for v, rule, cause, evidence in found],
        alerted_at=now,
    )
    if not opened:
        return 0
    await messaging.audit_many(
        session,
        rows=[
            {
                "actor_id": None,
                "action": "escalation_raised",
                "entity": "escalation",
                "entity_id": e.id,
                "detail": {"placement_id": e.placement_id, "rule": e.rule},
            }
            for e in opened
        ],
    )
    level_1 = (routes or {}).get(1, route.DEFAULT_ROUTE)
    await _alert(session, opened, views, level_1, now)
    return len(opened)


async def _alert(
    session: AsyncSession,
    opened: list[concerns.Opened],
    views: Mapping[int, PlacementView],
    level_1: route.Route,
    now: datetime,
) -> None:
    """Each alert on the route's channel and/or to its people, as `route.send_alert`
    decides for one; the route's targets are looked up once for all."""
    has_channel = level_1.channel and (
        await concerns.escalation_target(session, level=1) is not None
    )
    named = [p.id for e in level_1.people if (p := await people.by_email(session, email=e))]
    recipients = [i for i in named if i is not None]
    if not has_channel and not recipients:
        leads = await people.with_role(session, role=Role.ITT_LEAD)
        recipients = [p.id for p in leads if p.id is not None]
    if not has_channel and not recipients:
        log.warning("%s escalations at level 1: no channel and no ITT lead", len(opened))
        return
    rows: list[dict[str, Any]] = []
    for e in opened:
        assert e.id is not None
        payload = message_to_dict(alert(views[e.placement_id], e, status_line=None))
        if has_channel:
            rows.append(_row(str(keys.EscalationAlert(e.id, 1)), payload, now, level=1))
        for person_id in recipients:
            key = str(keys.EscalationAlertTo(e.id, 1, person_id))
            rows.append(_row(key, payload, now, recipient_id=person_id))
    await messaging.enqueue_many(session, rows=rows)


def _row(
    key: str,
    payload: dict[str, Any],
    now: datetime,
    *,
    level: int | None = None,
    recipient_id: int | None = None,
) -> dict[str, Any]:
    return {
        "key": key,
        "kind": route.ALERT_KIND,
        "payload": payload,
        "recipient_id": recipient_id,
        "escalation_level": level,
        "next_attempt_at": now,
    }
