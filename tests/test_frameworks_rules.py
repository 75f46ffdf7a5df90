"""The digest grid and the off-track rule read the programme's framework: on the ITTECF
scale "not yet" is off track and escalates, "working towards" does not, and the lead
mentor's digest shows the strands as symbols with a key in words."""

from __future__ import annotations

import json
from datetime import date

from storage.imports.framework import use_framework
from storage.models import RagRating
from tests.factories import World
from tests.scheduler_harness import SchedulerHarness, at
from tests.test_scheduler import sched  # noqa: F401  (the fixture)

PROGRAMME = "PGCE Primary 2026-27"


async def _on_ittecf(h: SchedulerHarness, w: World, ratings: dict[int, dict[str, str]]) -> None:
    """The programme on the shipped ITTECF framework; ratings per placement at RP1."""
    await use_framework(h.sessions, code="ittecf", programme=PROGRAMME, force=False)
    people = {w.placement_id: (w.trainee_id, w.mentor_id)}
    people[w.other_placement_id] = (w.other_trainee_id, w.other_mentor_id)
    async with h.sessions() as s, s.begin():
        for placement_id, rated in ratings.items():
            trainee, mentor = people[placement_id]
            for item, rating in rated.items():
                s.add(
                    RagRating(
                        scale="ittecf",
                        item_code=item,
                        rating=rating,
                        subject_id=trainee,
                        rater_id=mentor,
                        placement_id=placement_id,
                        review_point_id=w.review_point_id,
                        created_at=at(date(2026, 11, 10)),
                    )
                )


async def test_not_yet_at_the_review_point_escalates_working_towards_does_not(sched):  # noqa: F811
    h, w = sched
    await _on_ittecf(
        h,
        w,
        {
            w.placement_id: {"HE": "on_track", "AT": "not_yet", "AS": "working_towards"},
            w.other_placement_id: {"HE": "working_towards", "AT": "working_towards"},
        },
    )
    await h.tick_at(at(date(2026, 11, 11), 9))
    alerts = [a for a in h.posted_to("CITT") if "a rating marked off track" in a["text"]]
    assert len(alerts) == 1
    shown = json.dumps(alerts[0]["blocks"], ensure_ascii=False)
    assert "Tara Trainee" in shown and "Oli Other" not in shown
    assert "Off track at Review point 1" in shown and "AT" in shown and "AS" not in shown


async def test_the_digest_grid_shows_the_framework_in_symbols_with_a_key(sched):  # noqa: F811
    h, w = sched
    await _on_ittecf(
        h, w, {w.placement_id: {"HE": "on_track", "HPL": "working_towards", "AT": "not_yet"}}
    )
    await h.tick_at(at(date(2026, 11, 13), 9))  # Friday: the lead mentor's digest
    sent = [json.dumps(p["blocks"], ensure_ascii=False) for p in h.posted_to("DULEAD")]
    digest = next(d for d in sent if "Weekly digest" in d)
    assert "Latest ratings: HE ✔ · HPL ▲ · AT ✖" in digest
    assert (
        "Key (ITT and Early Career Framework (on track / working towards / not yet)): "
        "✔ On track · ▲ Working towards · ✖ Not yet"
    ) in digest
    assert "Red" not in digest and "Amber" not in digest
