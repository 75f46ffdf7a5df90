"""How each edge plays the targets scenarios (tests/scenarios_targets.py): mixins of the
drivers in tests/test_scenarios.py, which supply the harness (`h`), the world (`w`) and
their own helpers (`_press_last`, `_submit`, `_say`, `_chat`, `install`, `_last`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from handlers import notify, weekly
from storage.db import make_engine, session_factory
from storage.models import Target
from storage.repo import placements
from tests import scenarios_targets as st
from tests.factories import NOW, World

MENTOR_EMAIL = "mo.mentor@example.org"
TRAINEE_EMAIL = "tara.trainee@example.org"


async def queue_prompt(runtime: Any, w: World, week: date) -> None:
    """The week's Monday prompt to the mentor, queued as the scheduler would, then sent."""
    async with runtime.sessions() as s, s.begin():
        view = await placements.view(s, placement_id=w.placement_id)
        assert view is not None
        await notify.to_person(
            s,
            key=f"weekly:{w.placement_id}:{week}",
            kind="weekly_prompt",
            recipient_id=w.mentor_id,
            message=weekly.prompt(view, week),
            not_before=NOW,
        )
    await runtime.dispatcher.drain()


async def seed_targets(sessions: Any, w: World, *review_by: date) -> None:
    """Open targets set earlier (at a meeting before the bot's records began)."""
    async with sessions() as s, s.begin():
        for n, day in enumerate(review_by, start=1):
            s.add(
                Target(
                    trainee_id=w.trainee_id,
                    placement_id=w.placement_id,
                    strand_code="TS7",
                    text=f"Earlier target {n}",
                    set_on=date(2026, 11, 2),
                    review_by=day,
                    set_by_id=w.mentor_id,
                )
            )


async def seed_in(db_url: str, w: World, *review_by: date) -> None:
    engine = make_engine(db_url)
    try:
        await seed_targets(session_factory(engine), w, *review_by)
    finally:
        await engine.dispose()


async def target_id(sessions: Any) -> int:
    async with sessions() as s:
        return (await s.execute(select(Target.id))).scalar_one()


def review_of(found: int) -> dict[str, str]:
    return {f"review_{found}": "not_met", f"decision_{found}": "carry"}


class SlackTargets:
    h: Any
    w: World

    async def _sign_off(self, week: date, values: dict[str, Any]) -> Any:
        await queue_prompt(self.h.runtime, self.w, week)
        before = len(self.h.stub.called("views.open"))
        await self._press_last("mentor", "weekly.held", f"{self.w.placement_id}:{week}")  # type: ignore[attr-defined]
        view = (await self.h.stub.wait_for("views.open", before + 1))[-1]["view"]
        body = await self._submit("mentor", view, values)  # type: ignore[attr-defined]
        await self.h.runtime.dispatcher.drain()
        return body

    async def target_set_then_reviewed(self) -> None:
        await self._sign_off(st.WEEK1, st.HELD1 | st.TARGET)
        found = await target_id(self.h.runtime.sessions)
        await self._sign_off(st.WEEK2, st.HELD2 | review_of(found))

    async def targets_refused(self) -> None:
        await seed_targets(self.h.runtime.sessions, self.w, date(2026, 12, 11), date(2026, 12, 11))
        body = await self._sign_off(st.WEEK2, st.HELD2 | st.BAD)
        assert body.get("response_action") == "errors", body

    async def target_overdue_status(self) -> None:
        await seed_targets(self.h.runtime.sessions, self.w, date(2026, 11, 13))
        await self._say("mentor", "status")  # type: ignore[attr-defined]


class TeamsTargets:
    h: Any
    w: World

    async def _sign_off(self, week: date, values: dict[str, Any]) -> None:
        await self.install("mentor", "trainee")  # type: ignore[attr-defined]
        await queue_prompt(self.h.runtime, self.w, week)
        prompt = self._last("mentor")  # type: ignore[attr-defined]
        await self.h.press("mentor", prompt, "weekly.held", f"{self.w.placement_id}:{week}")
        assert await self.h.submit("mentor", self._last("mentor"), values) == 200  # type: ignore[attr-defined]
        await self.h.runtime.dispatcher.drain()

    async def target_set_then_reviewed(self) -> None:
        await self._sign_off(st.WEEK1, st.HELD1 | st.TARGET)
        found = await target_id(self.h.runtime.sessions)
        await self._sign_off(st.WEEK2, st.HELD2 | review_of(found))

    async def targets_refused(self) -> None:
        await seed_targets(self.h.runtime.sessions, self.w, date(2026, 12, 11), date(2026, 12, 11))
        await self._sign_off(st.WEEK2, st.HELD2 | st.BAD)

    async def target_overdue_status(self) -> None:
        await self.install("mentor")  # type: ignore[attr-defined]
        await seed_targets(self.h.runtime.sessions, self.w, date(2026, 11, 13))
        assert await self.h.say("mentor", "status") == 200


def _held(values: dict[str, str]) -> list[str]:
    """A held meeting's first answers as typed, then no notes."""
    return [values[k] for k in ("held_on", "duration", "progress")] + ["", values["wellbeing"], ""]


class ConsoleTargets:
    db_url: str
    world: World

    async def target_set_then_reviewed(self) -> None:
        t = st.TARGET
        # "1" is Yes for the week of 9 November; then, signed off, "1" is the week of 16th.
        week1 = ["status", "1", *_held(st.HELD1), t["target_1"], "TS7", t["target_1_review"], ""]
        # Reviewed: 3 is "Not met", 1 is "Carry forward"; no new target.
        week2 = ["status", "1", *_held(st.HELD2), "3", "1", ""]
        await self._chat(MENTOR_EMAIL, *week1, *week2)  # type: ignore[attr-defined]

    async def targets_refused(self) -> None:
        await seed_in(self.db_url, self.world, date(2026, 12, 11), date(2026, 12, 11))
        b = st.BAD
        new = [b["target_1"], "TS7", "", b["target_2"], "TS99", "", b["target_3"], "TS6"]
        first = ["status", "5", *_held(st.HELD2), *new, b["target_3_review"]]
        # Asked again, only what was refused, each with its reason: the same, then cancel.
        again = [b["target_1"], "TS99", b["target_3"], b["target_3_review"], "/cancel"]
        await self._chat(MENTOR_EMAIL, *first, *again)  # type: ignore[attr-defined]

    async def target_overdue_status(self) -> None:
        await seed_in(self.db_url, self.world, date(2026, 11, 13))
        await self._chat(MENTOR_EMAIL, "status")  # type: ignore[attr-defined]
