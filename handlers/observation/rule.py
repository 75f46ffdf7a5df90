"""What observation feedback makes due: the trainee acknowledges it. A nudge goes when it
has waited the policy's hours."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keys
from handlers.observation.flow import acknowledge_button, nudge
from handlers.owed import Owed, Planned, Snapshot, Timing
from handlers.text import t
from handlers.ui import Actions, Section, date_text
from storage.models import Observation
from storage.repo import sweeps as q


@dataclass(slots=True)
class ObservationFacts:
    unacknowledged: list[Observation] = field(default_factory=list)


def owes_acknowledgement(facts: ObservationFacts, observation_id: int | None) -> bool:
    """The one decision: feedback is owed an acknowledgement until the trainee gives it."""
    return any(o.id == observation_id for o in facts.unacknowledged)


class ObservationRule:
    async def load(self, session: AsyncSession, snap: Snapshot) -> ObservationFacts:
        scope, timing = snap.scope, snap.timing
        if isinstance(scope.key, keys.ObservationNudge):
            found = await q.unacknowledged_observations(
                session, observation_ids=[scope.key.observation_id]
            )
        elif scope.key is not None:
            found = []
        elif scope.everyone:
            # Only feedback old enough to be nudged about is read, not every open one.
            hours = timing.observation_ack_hours if timing is not None else 0
            found = await q.unacknowledged_observations(
                session, before=snap.now - timedelta(hours=hours)
            )
        elif scope.trainee_placement_ids:
            found = await q.unacknowledged_observations(
                session, placement_ids=sorted(scope.trainee_placement_ids)
            )
        else:
            found = []
        return ObservationFacts(found)

    def plan(self, snap: Snapshot, facts: ObservationFacts, timing: Timing) -> Iterator[Planned]:
        by_id = snap.by_id()
        for o in facts.unacknowledged:
            v = by_id.get(o.placement_id)
            if v is None or o.id is None or not snap.local[v.id].allowed:
                continue
            yield Planned(
                str(keys.ObservationNudge(o.id)),
                "observation_ack_nudge",
                v.trainee_id,
                nudge(o.id, o.observed_on),
                "observation feedback not acknowledged",
            )

    def owed(self, snap: Snapshot, facts: ObservationFacts) -> Iterable[Owed]:
        for o in facts.unacknowledged:
            text = Section(t("owe_observation_ack", date=date_text(o.observed_on)))
            yield Owed((1, 0), (text, Actions((acknowledge_button(o.id),))))

    def applies(self, snap: Snapshot, facts: ObservationFacts, key: keys.OutboxKey) -> bool | None:
        if isinstance(key, keys.ObservationNudge):
            return owes_acknowledgement(facts, key.observation_id)
        return None


RULE = ObservationRule()
