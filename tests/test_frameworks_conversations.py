"""The rating and observation conversations on a programme that is not on the Teachers'
Standards: its strands and scale are offered, values from another scale are refused, and
a mentor whose trainees are on two frameworks cannot mix them up."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from handlers.router import Command, Press, Submit
from storage.imports.framework import use_framework
from storage.models import (
    Observation,
    OutboxMessage,
    Person,
    PersonRole,
    Placement,
    Programme,
    RagRating,
)
from tests.factories import World
from tests.test_conversations import MENTOR, convo  # noqa: F401  (the fixture)

PROGRAMME = "PGCE Primary 2026-27"
DETAILS = {
    "observed_on": "2026-11-17",
    "lesson": "Y4 maths",
    "focus": "Questioning",
    "strengths": "Pace",
    "areas": "Wait time",
    "targets": "Wait 3 s",
}


async def _count(sessions, model) -> int:
    async with sessions() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def _second_trainee_on_teachers_standards(sessions, w: World) -> int:
    """Mo Mentor also mentors a trainee on another programme (the default framework)."""
    async with sessions() as s, s.begin():
        programme = Programme(name="PGCE Secondary 2026-27")
        trainee = Person(email="sid.second@example.org", full_name="Sid Second")
        s.add_all([programme, trainee])
        await s.flush()
        s.add(PersonRole(person_id=trainee.id, role="trainee"))
        placement = Placement(
            trainee_id=trainee.id,
            mentor_id=w.mentor_id,
            lead_mentor_id=w.lead_id,
            school_id=w.school_id,
            programme_id=programme.id,
            start_date=date(2026, 9, 7),
            end_date=date(2027, 6, 30),
        )
        s.add(placement)
        await s.flush()
        return placement.id


async def test_rated_on_the_ittecf_scale_and_red_is_refused(convo):  # noqa: F811
    c, w, sessions = convo
    await use_framework(sessions, code="ittecf", programme=PROGRAMME, force=False)
    first = await c.handle(MENTOR, Press("rate.start", f"{w.placement_id}:{w.review_point_id}"))
    form = first.open_form
    assert [f.name for f in form.fields] == ["HE", "HPL", "SC", "CP", "AT"]
    assert [(ch.value, ch.label) for ch in form.fields[0].choices] == [
        ("on_track", "✔ On track"),
        ("working_towards", "▲ Working towards"),
        ("not_yet", "✖ Not yet"),
    ]
    assert all(ch.description for ch in form.fields[0].choices)  # each meaning beside it
    step1 = {code: "on_track" for code in ("HE", "HPL", "SC", "CP")} | {"AT": "red"}
    refused = await c.handle(MENTOR, Submit("rate.step", step1, form.state))
    assert refused.form_errors == {"AT": "Please choose one of the options."}
    second = await c.handle(MENTOR, Submit("rate.step", step1 | {"AT": "not_yet"}, form.state))
    assert [f.name for f in second.open_form.fields] == ["AS", "MB", "PB", "comment", "targets"]
    step2 = {
        "AS": "on_track",
        "MB": "working_towards",
        "PB": "on_track",
        "comment": "Adaptive teaching not yet secure",
        "targets": "Plan with the SENCo",
    }
    done = await c.handle(MENTOR, Submit("rate.step", step2, second.open_form.state))
    assert done.close_form
    async with sessions() as s:
        ratings = (await s.execute(select(RagRating))).scalars().all()
    assert {r.scale for r in ratings} == {"ittecf"} and len(ratings) == 8
    assert {r.item_code: r.rating for r in ratings}["AT"] == "not_yet"


async def test_observation_offers_the_trainees_strands_and_refuses_another_frameworks(convo):  # noqa: F811
    c, w, sessions = convo
    await use_framework(sessions, code="ittecf", programme=PROGRAMME, force=False)
    await _second_trainee_on_teachers_standards(sessions, w)
    start = await c.handle(MENTOR, Command("observe"))
    offered = [ch.value for ch in {f.name: f for f in start.open_form.fields}["standards"].choices]
    assert offered[:3] == ["TS1", "TS2", "TS3"] and "AT" in offered  # both frameworks' strands
    details = {"placement_id": str(w.placement_id), **DETAILS, "standards": ["TS2", "AT"]}
    mixed = await c.handle(MENTOR, Submit("observe.details", details, {}))
    assert "ITT and Early Career Framework" in mixed.form_errors["standards"]
    assert await _count(sessions, Observation) == 0

    details["standards"] = ["AT"]
    rag = await c.handle(MENTOR, Submit("observe.details", details, {}))
    assert [ch.label for ch in rag.open_form.fields[0].choices][-1] == "✖ Not yet"
    done = await c.handle(MENTOR, Submit("observe.rag", {"AT": "not_yet"}, rag.open_form.state))
    assert done.close_form
    async with sessions() as s:
        rating = (await s.execute(select(RagRating))).scalar_one()
        feedback = (await s.execute(select(OutboxMessage))).scalar_one()
    assert (rating.scale, rating.item_code, rating.rating) == ("ittecf", "AT", "not_yet")
    assert feedback.recipient_id == w.trainee_id and "✖ Not yet" in str(feedback.payload)


def test_more_strands_than_slack_checkboxes_take_are_a_multi_select_menu():
    from bot.slack import render
    from handlers.observation import flow
    from handlers.ui import Choice

    strands = tuple(Choice(f"S{i}", f"S{i}: strand {i}") for i in range(17))  # TS + ITTECF
    trainees = (Choice("1", "Tara Trainee"),)
    blocks = render.modal(flow._details_form(trainees, {}, strands))["blocks"]
    element = next(b for b in blocks if b.get("block_id") == "standards")["element"]
    assert element["type"] == "multi_static_select" and len(element["options"]) == 17
    few = render.modal(flow._details_form(trainees, {}, strands[:9]))["blocks"]
    assert next(b for b in few if b.get("block_id") == "standards")["element"]["type"] == (
        "checkboxes"
    )
