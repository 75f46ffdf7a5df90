"""Mentor quality's scenarios (tests/scenarios_quality.py) played on each edge: the data is
seeded as the evaluations would have left it, then the mentor or the lead mentor types
`quality`. Each driver checks that nothing of one trainee reached the mentor."""

from __future__ import annotations

from typing import Any

from storage.db import make_engine, session_factory
from tests.quality_data import build_quality
from tests.scenarios_quality import PRIVATE


def _aggregates_only(seen: str) -> None:
    leaked = [p for p in PRIVATE if p in seen]
    assert not leaked, f"one trainee's answers reached the mentor: {leaked}"


class SlackQuality:
    h: Any
    w: Any

    async def quality_mentor(self) -> None:
        await build_quality(self.h.runtime.sessions, self.w)
        await self._say("mentor", "quality")
        _aggregates_only(self.seen()["mentor"])

    async def quality_lead(self) -> None:
        await build_quality(self.h.runtime.sessions, self.w)
        await self._say("lead", "quality Mo Mentor")

    async def quality_too_few(self) -> None:
        await build_quality(self.h.runtime.sessions, self.w, evaluating=2)
        await self._say("mentor", "quality")
        _aggregates_only(self.seen()["mentor"])


class TeamsQuality:
    h: Any
    w: Any

    async def _ask(self, person: str, text: str, evaluating: int = 3) -> None:
        await self.install(person)
        await build_quality(self.h.runtime.sessions, self.w, evaluating=evaluating)
        assert await self.h.say(person, text) == 200

    async def quality_mentor(self) -> None:
        await self._ask("mentor", "quality")
        _aggregates_only(self.seen()["mentor"])

    async def quality_lead(self) -> None:
        await self._ask("lead", "quality Mo Mentor")

    async def quality_too_few(self) -> None:
        await self._ask("mentor", "quality", evaluating=2)
        _aggregates_only(self.seen()["mentor"])


class ConsoleQuality:
    db_url: str
    world: Any
    first: str

    async def _seed(self, evaluating: int = 3) -> None:
        engine = make_engine(self.db_url)
        try:
            await build_quality(session_factory(engine), self.world, evaluating=evaluating)
        finally:
            await engine.dispose()

    async def quality_mentor(self) -> None:
        await self._seed()
        await self._chat("mo.mentor@example.org", "quality")
        _aggregates_only(self.seen()["mentor"])

    async def quality_lead(self) -> None:
        await self._seed()
        self.first = "lead"
        await self._chat("lee.lead@example.org", "quality Mo Mentor")

    async def quality_too_few(self) -> None:
        await self._seed(evaluating=2)
        await self._chat("mo.mentor@example.org", "quality")
        _aggregates_only(self.seen()["mentor"])
