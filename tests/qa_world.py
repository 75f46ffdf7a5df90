"""Test data for the QA cycle: Ida Itt (already on the chat harnesses) is also the link
tutor of Tara Trainee's placement, which ends on the day the tests stand on."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update

from storage.enums import Agreement
from storage.models import PersonRole, Placement
from tests.factories import NOW, World

ENDS = NOW.date()  # Wed 18 Nov 2026: Tara's placement ends today
TUTOR_EMAIL = "ida.itt@example.org"
# What the trainee and the tutor answer, the same at every edge.
TRAINEE_ANSWERS = {
    "MS1": Agreement.STRONGLY_AGREE.value,
    "MS2": Agreement.AGREE.value,
    "MS3": Agreement.AGREE.value,
    "MS4": Agreement.NEUTRAL.value,
    "SC1": Agreement.STRONGLY_AGREE.value,
    "comment": "Mo always found time for me",
}
TUTOR_ANSWERS = {
    "MS1": Agreement.AGREE.value,
    "MS2": Agreement.AGREE.value,
    "MS3": Agreement.DISAGREE.value,
    "MS4": Agreement.AGREE.value,
    "comment": "Induction into school routines was thin",
}
VISIT = {
    "visited_on": "2026-11-17",
    "seen": "Phonics lesson with Year 1",
    "MS1": Agreement.AGREE.value,
    "MS2": Agreement.DISAGREE.value,
    "MS3": Agreement.AGREE.value,
    "MS4": Agreement.NEUTRAL.value,
    "issues": "Trainee absent from two planning meetings",
    "concern": "attendance",
}


async def with_tutor(sessions: Any, w: World, *, ends: date | None = ENDS) -> None:
    """Ida Itt becomes the tutor of Tara's placement; the placement ends on `ends`."""
    async with sessions() as s, s.begin():
        s.add(PersonRole(person_id=w.itt_lead_id, role="tutor"))
        values: dict[str, Any] = {"tutor_id": w.itt_lead_id}
        if ends is not None:
            values["end_date"] = ends
        await s.execute(update(Placement).where(Placement.id == w.placement_id).values(**values))
