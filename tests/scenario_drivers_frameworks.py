"""The frameworks scenarios' driver methods, one mixin per edge (see tests/test_scenarios.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import make_engine, session_factory
from tests.framework_data import import_own_framework
from tests.scenarios_frameworks import OWN_COMMENT, OWN_RATINGS

PROGRAMME = "PGCE Primary 2026-27"  # tests.factories.build_world's


async def _own_framework(sessions: async_sessionmaker[AsyncSession]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        await import_own_framework(sessions, Path(folder), PROGRAMME)


class SlackFrameworks:
    h: Any
    w: Any

    async def rate_own_framework(self) -> None:
        await _own_framework(self.h.runtime.sessions)
        pick = await self._form("rate")  # type: ignore[attr-defined]
        body = await self._submit("mentor", pick, {"placement_id": str(self.w.placement_id)})  # type: ignore[attr-defined]
        before = len(self.h.stub.called("chat.postMessage"))
        await self._submit("mentor", body["view"], {**OWN_RATINGS, **OWN_COMMENT})  # type: ignore[attr-defined]
        # The confirmation is posted after the modal closes: on a busy machine, later.
        await self.h.stub.wait_for("chat.postMessage", before + 1)


class TeamsFrameworks:
    h: Any
    w: Any

    async def rate_own_framework(self) -> None:
        await _own_framework(self.h.runtime.sessions)
        await self.install("mentor")  # type: ignore[attr-defined]
        assert await self.h.say("mentor", "rate") == 200
        form = self._last("mentor")  # type: ignore[attr-defined]
        assert (
            await self.h.submit("mentor", form, {"placement_id": str(self.w.placement_id)}) == 200
        )
        step = self._last("mentor")  # type: ignore[attr-defined]
        assert await self.h.submit("mentor", step, {**OWN_RATINGS, **OWN_COMMENT}) == 200


class ConsoleFrameworks:
    db_url: str

    async def rate_own_framework(self) -> None:
        engine = make_engine(self.db_url)
        try:
            await _own_framework(session_factory(engine))
        finally:
            await engine.dispose()
        from tests.slack_harness import USERS

        lines = ["rate", "Tara Trainee", *OWN_RATINGS.values(), *OWN_COMMENT.values()]
        await self._chat(USERS["UMENTOR"], *lines)  # type: ignore[attr-defined]
