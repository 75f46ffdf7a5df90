"""The QA cycle's scenarios (tests/scenarios_qa.py) played on each edge. Ida Itt is the
link tutor; what reaches her is checked here, as the drivers' `seen` names four people."""

from __future__ import annotations

import json
from typing import Any

from storage.db import make_engine, session_factory
from tests.factories import NOW
from tests.qa_world import TRAINEE_ANSWERS, TUTOR_ANSWERS, VISIT, with_tutor

TUTOR_ASK = "Please evaluate Mo Mentor's support"
STATEMENTS = ("MS1", "MS2", "MS3", "MS4")


def _answers(values: dict[str, str], codes: tuple[str, ...]) -> list[str]:
    return [values[c] for c in (*codes, "comment")]


class SlackQa:
    h: Any
    w: Any

    async def _sweep(self) -> None:
        await with_tutor(self.h.runtime.sessions, self.w)
        await self.h.runtime.scheduler.tick()
        await self.h.runtime.dispatcher.drain()

    async def _answer(self, uid: str, kind: str, values: dict[str, str]) -> None:
        channel = f"D{uid}"
        ask = self.h.stub.posted[channel][-1]
        before = len(self.h.stub.called("views.open"))
        value = f"{kind}:{self.w.placement_id}"
        assert await self.h.press(uid, "evaluation.start", value, channel=channel, ts=ask["ts"]) == 200  # fmt: skip
        view = (await self.h.stub.wait_for("views.open", before + 1))[-1]["view"]
        status, body = await self.h.submit(uid, view, values)
        assert status == 200 and body.get("response_action") != "errors", body

    async def evaluations_answered(self) -> None:
        await self._sweep()
        tutor = json.dumps(self.h.stub.posted["DUITT"], ensure_ascii=False)
        assert TUTOR_ASK in tutor
        await self._answer("UTRAINEE", "trainee_of_mentor", TRAINEE_ANSWERS)
        await self._answer("UITT", "tutor_of_mentor", TUTOR_ANSWERS)
        # The trainee's thanks is said in their DM (and the form closes).
        await self.h.stub.wait_for("chat.postMessage")

    async def tutor_visit(self) -> None:
        await with_tutor(self.h.runtime.sessions, self.w, ends=None)
        before = len(self.h.stub.called("views.open"))
        assert (await self.h.command("UITT", "visit")).status == 200
        view = (await self.h.stub.wait_for("views.open", before + 1))[-1]["view"]
        values = {"placement_id": str(self.w.placement_id), **VISIT}
        status, body = await self.h.submit("UITT", view, values)
        assert status == 200 and body.get("response_action") != "errors", body
        await self.h.runtime.dispatcher.drain()


class TeamsQa:
    h: Any
    w: Any

    async def install(self, *people: str) -> None: ...

    def _last(self, person: str) -> str: ...

    async def _answer(self, person: str, kind: str, values: dict[str, str]) -> None:
        ask = self._last(person)
        value = f"{kind}:{self.w.placement_id}"
        assert await self.h.press(person, ask, "evaluation.start", value) == 200
        assert await self.h.submit(person, self._last(person), values) == 200

    async def evaluations_answered(self) -> None:
        await with_tutor(self.h.runtime.sessions, self.w)  # before Ida is first seen
        await self.install("trainee", "itt", "mentor")
        await self.h.runtime.scheduler.tick()
        await self.h.runtime.dispatcher.drain()
        assert TUTOR_ASK in json.dumps(self.h.card(self._last("itt")), ensure_ascii=False)
        await self._answer("trainee", "trainee_of_mentor", TRAINEE_ANSWERS)
        await self._answer("itt", "tutor_of_mentor", TUTOR_ANSWERS)

    async def tutor_visit(self) -> None:
        await with_tutor(self.h.runtime.sessions, self.w, ends=None)
        await self.install("itt", "lead")
        assert await self.h.say("itt", "visit") == 200
        values = {"placement_id": str(self.w.placement_id), **VISIT}
        assert await self.h.submit("itt", self._last("itt"), values) == 200
        await self.h.runtime.dispatcher.drain()


class ConsoleQa:
    db_url: str
    world: Any
    first: str
    out: str

    async def _chat(self, email: str, *lines: str) -> None: ...

    async def _tutor(self, **kw: Any) -> None:
        engine = make_engine(self.db_url)
        try:
            await with_tutor(session_factory(engine), self.world, **kw)
        finally:
            await engine.dispose()

    async def evaluations_answered(self) -> None:
        await self._tutor()
        trainee = _answers(TRAINEE_ANSWERS, (*STATEMENTS, "SC1"))  # type: ignore[arg-type]
        tutor = _answers(TUTOR_ANSWERS, STATEMENTS)  # type: ignore[arg-type]
        self.first = "trainee"
        # A minute on, the sweep asks; each answers from their status view's button.
        await self._chat(
            "tara.trainee@example.org",
            "/advance 1m",
            "status",
            "1",
            *trainee,
            "/as ida.itt@example.org",
            "status",
            "1",
            *tutor,
        )
        assert TUTOR_ASK in self.out

    async def tutor_visit(self) -> None:
        await self._tutor(ends=None)
        v = VISIT
        fields = [v["visited_on"], v["seen"], *(v[c] for c in STATEMENTS), v["issues"]]
        # The one placement is chosen already (an empty line keeps it).
        await self._chat("ida.itt@example.org", "visit", "", *fields, v["concern"])
        assert NOW  # the console's clock is the scenarios' NOW
