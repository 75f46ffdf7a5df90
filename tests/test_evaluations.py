"""End-of-placement evaluations: asked when a placement ends (school-local, school days,
working hours), reminded and capped, answered once, only by the person asked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from handlers import keys
from handlers.router import Command, Conversations, Press, Submit
from handlers.ui import Actions, Reply
from storage.db import session_factory
from storage.models import (
    AuditEntry,
    EvaluationAnswer,
    OutboxMessage,
    Placement,
    PlacementEvaluation,
)
from tests.factories import NOW, build_world
from tests.qa_world import ENDS, TRAINEE_ANSWERS, TUTOR_ANSWERS, with_tutor
from tests.scheduler_harness import Clock, SchedulerHarness, add_calendar, at
from tests.slack_harness import USERS
from tests.stubs.slack_api import SlackApiStub
from tests.test_conversations import ITT, MENTOR, OTHER_MENTOR, TRAINEE, user

OLI = user("oli.other@example.org")


def text(reply: Reply) -> str:
    assert reply.message is not None
    return reply.message.text + "".join(str(b) for b in reply.message.blocks)


def value(w, kind: str = "trainee_of_mentor") -> str:
    return f"{kind}:{w.placement_id}"


def state(w, kind: str = "trainee_of_mentor") -> dict[str, object]:
    return {"kind": kind, "placement_id": w.placement_id}


async def count(sessions, model) -> int:
    async with sessions() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())


@pytest.fixture
async def convo(engine):
    sessions = session_factory(engine)
    world = await build_world(sessions)
    await with_tutor(sessions, world)
    return Conversations(sessions, clock=lambda: NOW), world, sessions


def test_the_ask_key_reads_back() -> None:
    key = keys.EvaluationAsk(12, "trainee_of_mentor", 34, 2)
    assert str(key) == "evaluation:12:trainee_of_mentor:34:2"
    assert keys.parse(str(key)) == key
    assert keys.parse("evaluation:12:trainee_of_mentor:34") is None
    assert keys.parse("evaluation:12:x-y:34:0") is None


async def test_the_trainee_answers_once_with_words_on_the_scale(convo):
    c, w, sessions = convo
    opened = await c.handle(TRAINEE, Press("evaluation.start", value(w)))
    form = opened.open_form
    assert form is not None and form.form_id == "evaluation"
    assert [f.name for f in form.fields] == ["MS1", "MS2", "MS3", "MS4", "SC1", "comment"]
    labels = [choice.label for choice in form.fields[0].choices]
    assert labels[0] == "++ Strongly agree" and labels[-1] == "−− Strongly disagree"
    assert form.intro and "at least two other trainees'" in form.intro
    bad = await c.handle(TRAINEE, Submit("evaluation", TRAINEE_ANSWERS | {"MS2": "purple"}, state(w)))  # fmt: skip
    assert bad.form_errors == {"MS2": "Please choose one of the options."}
    assert await count(sessions, PlacementEvaluation) == 0
    done = await c.handle(TRAINEE, Submit("evaluation", TRAINEE_ANSWERS, state(w)))
    assert done.close_form and "your evaluation is recorded" in text(done)
    again = await c.handle(TRAINEE, Submit("evaluation", TRAINEE_ANSWERS | {"MS1": "disagree"}, state(w)))  # fmt: skip
    assert "You answered this evaluation on Wed 18 Nov 2026" in text(again)
    late = await c.handle(TRAINEE, Press("evaluation.start", value(w)))
    assert late.open_form is None and "You answered" in text(late)
    async with sessions() as s:
        form_row = (await s.execute(select(PlacementEvaluation))).scalar_one()
        answers = (await s.execute(select(EvaluationAnswer))).scalars().all()
    assert (form_row.kind, form_row.respondent_id, form_row.mentor_id, form_row.school_id) == (
        "trainee_of_mentor",
        w.trainee_id,
        w.mentor_id,
        w.school_id,
    )
    assert form_row.comment == TRAINEE_ANSWERS["comment"]
    expected = {k: v for k, v in TRAINEE_ANSWERS.items() if k != "comment"}
    assert {a.item_code: a.value for a in answers} == expected
    assert {a.respondent_id for a in answers} == {w.trainee_id}
    assert await count(sessions, AuditEntry) == 1


async def test_only_the_person_asked_may_answer(convo):
    c, w, sessions = convo
    refused = [
        await c.handle(OLI, Press("evaluation.start", value(w))),  # another trainee
        await c.handle(MENTOR, Press("evaluation.start", value(w))),  # not the trainee
        await c.handle(OTHER_MENTOR, Press("evaluation.start", value(w, "tutor_of_mentor"))),
        await c.handle(TRAINEE, Press("evaluation.start", value(w, "tutor_of_mentor"))),
        await c.handle(OLI, Submit("evaluation", TRAINEE_ANSWERS, state(w))),
        await c.handle(MENTOR, Submit("evaluation", TUTOR_ANSWERS, state(w, "tutor_of_mentor"))),
        await c.handle(OTHER_MENTOR, Press("evaluation.start", value(w, "mentor_of_training"))),
    ]
    for reply in refused:
        assert reply.open_form is None and "only do that" in text(reply)
    garbled = [
        await c.handle(TRAINEE, Press("evaluation.start", "trainee_of_mentor:x")),
        await c.handle(TRAINEE, Press("evaluation.start", f"tutor_visit:{w.placement_id}")),
        await c.handle(TRAINEE, Press("evaluation.start", f"nonsense:{w.placement_id}")),
        await c.handle(
            TRAINEE, Submit("evaluation", TRAINEE_ANSWERS, {"kind": "trainee_of_mentor"})
        ),
        await c.handle(TRAINEE, Press("evaluation.start", "trainee_of_mentor:99999")),
    ]
    for reply in garbled:
        assert reply.open_form is None and "couldn't read that" in text(reply)
    assert await count(sessions, PlacementEvaluation) == 0
    assert await count(sessions, AuditEntry) == 0
    # The tutor and the mentor each answer their own.
    tutor = await c.handle(ITT, Submit("evaluation", TUTOR_ANSWERS, state(w, "tutor_of_mentor")))
    training = {"TR1": "agree", "TR2": "agree", "TR3": "strongly_agree"}
    mentor = await c.handle(MENTOR, Submit("evaluation", training, state(w, "mentor_of_training")))
    assert "recorded" in text(tutor) and "recorded" in text(mentor)
    assert await count(sessions, PlacementEvaluation) == 2


async def test_not_open_before_the_placement_ends(engine):
    sessions = session_factory(engine)
    w = await build_world(sessions)
    await with_tutor(sessions, w, ends=ENDS + timedelta(days=2))
    c = Conversations(sessions, clock=lambda: NOW)
    early = await c.handle(TRAINEE, Press("evaluation.start", value(w)))
    assert early.open_form is None and "opens when the placement ends, on Fri 20 Nov 2026" in text(early)  # fmt: skip
    forced = await c.handle(TRAINEE, Submit("evaluation", TRAINEE_ANSWERS, state(w)))
    assert "opens when" in text(forced) and await count(sessions, PlacementEvaluation) == 0
    assert "Your evaluation" not in text(await c.handle(TRAINEE, Command("status")))


async def test_status_shows_the_evaluation_owed_with_a_button_until_answered(convo):
    c, w, _sessions = convo
    for person, kind in ((TRAINEE, "trainee_of_mentor"), (ITT, "tutor_of_mentor")):
        status = await c.handle(person, Command("status"))
        assert "Your evaluation" in text(status)
        assert status.message is not None
        buttons = [b for blk in status.message.blocks if isinstance(blk, Actions) for b in blk.buttons]  # fmt: skip
        assert ("evaluation.start", value(w, kind)) in [(b.action, b.value) for b in buttons]
    await c.handle(TRAINEE, Submit("evaluation", TRAINEE_ANSWERS, state(w)))
    assert "Your evaluation" not in text(await c.handle(TRAINEE, Command("status")))
    assert "Your evaluation" in text(await c.handle(ITT, Command("status")))


# --- the sweep: asked on the end day, reminded, capped, never after answered ----------


@pytest.fixture
async def sched(engine, db_url):
    stub = await SlackApiStub(emails=dict(USERS)).start()
    sessions = session_factory(engine)
    world = await build_world(sessions)
    await add_calendar(sessions, world.programme_id)
    await with_tutor(sessions, world)
    h = SchedulerHarness(engine, sessions, stub, Clock(at(date(2026, 11, 16))))
    h.build(db_url)
    yield h, world
    assert h.service is not None
    await h.service.leader.release()
    await stub.close()


def asked(rows: list[OutboxMessage]) -> list[tuple[str, int | None]]:
    return sorted((keys.parse(o.key).kind, o.recipient_id) for o in rows)  # type: ignore[union-attr]


async def evaluation_rows(h) -> list[OutboxMessage]:
    return [o for o in await h.outbox() if o.key.startswith("evaluation:")]


async def test_asked_on_the_end_day_in_school_hours_once(sched):
    h, w = sched
    await h.tick_at(at(date(2026, 11, 17), 9))
    assert await evaluation_rows(h) == []  # not ended yet
    await h.tick_at(at(ENDS, 7))
    assert await evaluation_rows(h) == []  # before working hours
    await h.tick_at(at(ENDS, 9))
    await h.tick_at(at(ENDS, 11))
    rows = await evaluation_rows(h)
    assert asked(rows) == sorted(
        [
            ("mentor_of_training", w.mentor_id),
            ("trainee_of_mentor", w.trainee_id),
            ("tutor_of_mentor", w.itt_lead_id),
        ]
    )
    assert {o.kind for o in rows} == {"evaluation_ask"}
    posted = [p for p in h.posted_to("DUTRAINEE") if "Please tell us how Mo Mentor" in p["text"]]
    assert len(posted) == 1 and "evaluation.start" in str(posted[0]["blocks"])


async def test_reminders_every_three_school_days_at_most_twice_and_none_after_answering(sched):
    h, w = sched
    day = ENDS
    while day <= date(2026, 12, 4):  # every school-hours morning, a week past the cap
        await h.tick_at(at(day, 9))
        if day == date(2026, 11, 24):  # the trainee answers after the first reminder
            convo = Conversations(h.sessions, clock=lambda: at(date(2026, 11, 24), 12))
            await convo.handle(TRAINEE, Submit("evaluation", TRAINEE_ANSWERS, state(w)))
        day += timedelta(days=1)
    rows = await evaluation_rows(h)
    by_person: dict[int | None, list[tuple[str, str]]] = {}
    for o in rows:
        by_person.setdefault(o.recipient_id, []).append((o.kind, o.created_at.date().isoformat()))
    # Asked Wed 18 Nov; reminded after three school days (Mon 23) and three more (Thu 26).
    capped = [
        ("evaluation_ask", "2026-11-18"),
        ("evaluation_reminder", "2026-11-23"),
        ("evaluation_reminder", "2026-11-26"),
    ]
    assert by_person[w.itt_lead_id] == capped
    assert by_person[w.mentor_id] == capped
    assert by_person[w.trainee_id] == capped[:2]  # answered on the 24th: never again


async def test_an_end_day_in_the_holidays_is_asked_on_the_next_school_day(sched):
    h, w = sched
    async with h.sessions() as s, s.begin():
        await s.execute(
            update(Placement)
            .where(Placement.id == w.placement_id)
            .values(end_date=date(2026, 10, 27))
        )
    await h.tick_at(at(date(2026, 10, 27), 9))  # half-term
    await h.tick_at(at(date(2026, 10, 31), 9))  # Saturday
    await h.tick_at(at(date(2026, 11, 2), 9))  # INSET day
    assert await evaluation_rows(h) == []
    await h.tick_at(at(date(2026, 11, 3), 9))
    rows = await evaluation_rows(h)
    assert len(rows) == 3 and {o.kind for o in rows} == {"evaluation_ask"}


async def test_a_queued_ask_answered_before_it_is_sent_no_longer_applies(sched):
    from scheduler.relevance import still_applies

    h, w = sched
    await h.tick_at(at(ENDS, 9))
    rows = {keys.parse(o.key).kind: o for o in await evaluation_rows(h)}  # type: ignore[union-attr]
    trainee, tutor = rows["trainee_of_mentor"], rows["tutor_of_mentor"]
    convo = Conversations(h.sessions, clock=lambda: at(ENDS, 9, 30))
    async with h.sessions() as s:
        assert await still_applies(s, kind=trainee.kind, key=trainee.key)
    await convo.handle(TRAINEE, Submit("evaluation", TRAINEE_ANSWERS, state(w)))
    async with h.sessions() as s:
        assert not await still_applies(s, kind=trainee.kind, key=trainee.key)
        assert await still_applies(s, kind=tutor.kind, key=tutor.key)


async def test_a_mentor_evaluates_the_training_once_per_programme(sched):
    h, w = sched
    async with h.sessions() as s, s.begin():  # Mo mentors Oli too; both placements end
        await s.execute(
            update(Placement)
            .where(Placement.id == w.other_placement_id)
            .values(mentor_id=w.mentor_id, end_date=ENDS)
        )
    await h.tick_at(at(ENDS, 9))
    rows = await evaluation_rows(h)
    training = [o for o in rows if "mentor_of_training" in o.key]
    assert [o.recipient_id for o in training] == [w.mentor_id]
    assert len([o for o in rows if "trainee_of_mentor" in o.key]) == 2


async def test_a_second_evaluation_racing_the_first_records_nothing(convo):
    """Two submissions past the 'already answered?' check at once: the unique index lets
    one in; the other writes nothing and its transaction carries on."""
    from storage.repo import quality

    _c, w, sessions = convo

    def evaluation() -> PlacementEvaluation:
        return PlacementEvaluation(
            placement_id=w.placement_id,
            kind="trainee_of_mentor",
            respondent_id=w.trainee_id,
            mentor_id=w.mentor_id,
            school_id=w.school_id,
            submitted_at=NOW,
        )

    async with sessions() as s, s.begin():
        first = await quality.record_evaluation(s, evaluation=evaluation(), answers={"MS1": "agree"})  # fmt: skip
        second = await quality.record_evaluation(s, evaluation=evaluation(), answers={"MS1": "disagree"})  # fmt: skip
        assert first is not None and second is None
        s.add(AuditEntry(action="still", entity="usable"))
    assert await count(sessions, PlacementEvaluation) == 1
    async with sessions() as s:
        assert (await s.execute(select(EvaluationAnswer.value))).scalars().all() == ["agree"]


# --- privacy: a trainee's answers are theirs; erasure keeps the counts ------------------


async def test_subject_access_erasure_and_retention(convo):
    from storage.privacy.erase import erase_person
    from storage.privacy.held import find_subject, held_about
    from storage.privacy.retention import apply_retention

    c, w, sessions = convo
    await c.handle(TRAINEE, Submit("evaluation", TRAINEE_ANSWERS, state(w)))
    await c.handle(ITT, Submit("evaluation", TUTOR_ANSWERS, state(w, "tutor_of_mentor")))
    async with sessions() as s, s.begin():
        tara = await find_subject(s, "tara.trainee@example.org")
        mo = await find_subject(s, "mo.mentor@example.org")
        ida = await find_subject(s, "ida.itt@example.org")
        assert tara is not None and mo is not None and ida is not None
        theirs, mentors = await held_about(s, tara), await held_about(s, mo)
        tutors = await held_about(s, ida)
    # The tutor's export: the placement they tutor and their own evaluation of it.
    assert [p["id"] for p in tutors.tables["placement"]] == [w.placement_id]
    assert [e["kind"] for e in tutors.tables["placement_evaluation"]] == ["tutor_of_mentor"]
    assert len(theirs.tables["evaluation_answer"]) == 5
    assert [e["comment"] for e in theirs.tables["placement_evaluation"]] == [
        TRAINEE_ANSWERS["comment"]
    ]
    # The mentor's export holds no trainee's (nor tutor's) answers about them.
    assert mentors.tables["placement_evaluation"] == mentors.tables["evaluation_answer"] == []
    async with sessions() as s:
        erased = await erase_person(s, "tara.trainee@example.org")
    assert erased is not None
    assert await count(sessions, PlacementEvaluation) == 2
    assert await count(sessions, EvaluationAnswer) == 9
    async with sessions() as s:
        kinds = (await s.execute(select(PlacementEvaluation.kind))).scalars().all()
    assert sorted(kinds) == ["trainee_of_mentor", "tutor_of_mentor"]
    from storage.privacy.retention import KINDS

    years = dict.fromkeys(KINDS, 1)
    async with sessions() as s:
        counts = await apply_retention(s, years, today=ENDS + timedelta(days=366), by="test")
    assert counts["evaluations"] == 2
    assert await count(sessions, EvaluationAnswer) == 0


async def test_the_policy_sets_the_reminders_and_a_long_ended_placement_is_not_asked(sched):
    from scheduler.evaluation_policy import EvaluationPolicy

    h, w = sched
    h.policy.evaluations = EvaluationPolicy(reminder_school_days=1, max_reminders=1)
    async with h.sessions() as s, s.begin():  # Oli's placement ended before the bot came
        await s.execute(
            update(Placement)
            .where(Placement.id == w.other_placement_id)
            .values(end_date=ENDS - timedelta(days=40))
        )
    for day in (ENDS, ENDS + timedelta(days=1), ENDS + timedelta(days=2)):
        await h.tick_at(at(day, 9))
    rows = await evaluation_rows(h)
    assert {o.recipient_id for o in rows} == {w.trainee_id, w.itt_lead_id, w.mentor_id}
    trainee = [(o.kind, o.created_at.date()) for o in rows if o.recipient_id == w.trainee_id]
    assert trainee == [
        ("evaluation_ask", ENDS),
        ("evaluation_reminder", ENDS + timedelta(days=1)),
    ]


async def test_the_school_s_own_closure_day_waits_for_the_next_school_day(sched):
    from storage.models import SchoolClosure

    h, w = sched
    async with h.sessions() as s, s.begin():
        s.add(SchoolClosure(school_id=w.school_id, start_date=ENDS, end_date=ENDS))
    await h.tick_at(at(ENDS, 10))
    assert await evaluation_rows(h) == []
    await h.tick_at(at(ENDS + timedelta(days=1), 10))
    assert len(await evaluation_rows(h)) == 3
