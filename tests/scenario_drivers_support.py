"""How each edge plays the support-plan scenarios (tests/scenarios_support.py): mixins of
the drivers in tests/test_scenarios.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.models import SupportStage
from tests import scenarios_support as sp

LEE = "lee.lead@example.org"
TARA = "tara.trainee@example.org"
MO = "mo.mentor@example.org"


async def _first_stage(runtime: Any) -> str:
    async with runtime.sessions() as s:
        stmt = select(SupportStage.id).order_by(SupportStage.position).limit(1)
        return str((await s.execute(stmt)).scalar_one())


async def _remind(runtime: Any) -> None:
    """The scheduler's sweep at the scenario's moment: two days before the review."""
    await runtime.scheduler.tick()
    await runtime.dispatcher.drain()


class SlackSupport:
    h: Any
    ID: dict[str, str]

    async def support_two_stages(self) -> None:
        d: Any = self
        await d._submit("lead", await d._form("support Tara Trainee", "lead"), sp.OPEN)
        await self.h.runtime.dispatcher.drain()
        stage = await _first_stage(self.h.runtime)
        await d._press_last("trainee", "support.ack", stage)
        await self.h.stub.wait_for("chat.update")
        await _remind(self.h.runtime)
        before = len(self.h.stub.called("views.open"))
        await d._press_last("lead", "support.review", stage)
        view = (await self.h.stub.wait_for("views.open", before + 1))[-1]["view"]
        await d._submit("lead", view, sp.REVIEW)
        await self.h.runtime.dispatcher.drain()

    async def support_refused(self) -> None:
        await self._say("mentor", "support Tara Trainee")  # type: ignore[attr-defined]


class TeamsSupport:
    h: Any

    async def support_two_stages(self) -> None:
        d: Any = self
        await d.install("lead", "trainee", "mentor")
        assert await self.h.say("lead", "support Tara Trainee") == 200
        assert await self.h.submit("lead", d._last("lead"), sp.OPEN) == 200
        await self.h.runtime.dispatcher.drain()
        stage = await _first_stage(self.h.runtime)
        plan = d._last("trainee")
        assert await self.h.press("trainee", plan, "support.ack", stage) == 200
        await _remind(self.h.runtime)
        reminder = d._last("lead")
        assert await self.h.press("lead", reminder, "support.review", stage) == 200
        assert await self.h.submit("lead", d._last("lead"), sp.REVIEW) == 200
        await self.h.runtime.dispatcher.drain()

    async def support_refused(self) -> None:
        d: Any = self
        await d.install("mentor")
        assert await self.h.say("mentor", "support Tara Trainee") == 200


class ConsoleSupport:
    first: str

    async def support_two_stages(self) -> None:
        o, r = sp.OPEN, sp.REVIEW
        # The form asks each field in turn; an empty line leaves an optional one out.
        opening = [o["target_1"], o["strand_1"], "", "", "", "", o["support"], o["review_date"]]
        review = [r["met_1"], r["decision"], r["next_date"], r["next_support"], r["note"]]
        self.first = "lead"
        lines = [
            "support Tara Trainee",
            *opening,
            f"/as {TARA}",
            "1",  # I have read my plan
            f"/as {LEE}",
            "/advance 1h",  # the sweep: the reminder of the review comes to Lee
            "1",  # Record the review
            *review,
        ]
        await self._chat(LEE, *lines)  # type: ignore[attr-defined]

    async def support_refused(self) -> None:
        await self._chat(MO, "support Tara Trainee")  # type: ignore[attr-defined]
