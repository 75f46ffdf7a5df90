"""Scenarios of assessment frameworks as data: a programme imported with its own framework
is rated on it, at every edge (the people are those of `tests.factories.build_world`; their
programme is put on `tests.framework_data`'s framework before the action)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import RagRating
from tests.framework_data import CODE
from tests.scenarios import Scenario

# What the mentor answers: each strand of the provider's own scale, then comment and targets.
OWN_RATINGS = {"C1": "met", "C2": "met", "C3": "not_met"}
OWN_COMMENT = {
    "comment": "Routines secure; adapting for SEND not yet",
    "targets": "Plan with the SENCo",
}


async def _rated_on_own_framework(s: AsyncSession) -> None:
    ratings = (await s.execute(select(RagRating))).scalars().all()
    assert {r.scale for r in ratings} == {CODE}  # the framework's code, not Red/Amber/Green
    assert {r.item_code: r.rating for r in ratings} == OWN_RATINGS
    assert {r.comment for r in ratings} == {OWN_COMMENT["comment"]}


SCENARIOS = [
    Scenario(
        "a-programme-imported-with-its-own-framework-is-rated-on-it",
        "rate_own_framework",
        seen={
            "mentor": (
                "Rate each strand of Oak SCITT training curriculum",
                "C3: Adapts teaching, including for pupils with SEND",
                "✔ Minimum expectation met",
                "✖ Minimum expectation not met",
                "Below what the curriculum expects",  # each value's meaning beside it
                "Ratings for Tara Trainee at Review point 1 recorded",
            )
        },
        stored={RagRating: 3},
        check=_rated_on_own_framework,
    ),
]
