"""The conversations end to end in Teams: real-shaped activities to the running app, the
Bot Framework connector served by a local stub that records every call.

Most tests run in anonymous mode (no app id, MENTORBOT_TEAMS_ALLOW_ANONYMOUS), so the
activities need no token; the authentication tests configure an app id and check real
RS256 tokens against OpenID metadata served by the stub.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.runtime import build_runtime, web_app
from bot.settings import Settings
from bot.teams import render
from handlers import notify, weekly
from handlers.escalation import raise_escalation
from storage.models import (
    AuditEntry,
    EscalationTarget,
    OutboxMessage,
    PlatformIdentity,
    ProcessedEvent,
    RagRating,
    SupportPlan,
    WeeklyMeeting,
)
from storage.repo import placements
from tests.factories import NOW, WEEK, World, build_world
from tests.scenarios import HELD, OBSERVATION
from tests.stubs.bf_connector import ConnectorStub
from tests.teams_harness import (
    CHANNEL,
    TENANT,
    USERS,
    TeamsHarness,
    assert_valid,
    members,
    text_of,
)

CHAT = {key: user.chat for key, user in USERS.items()}


@pytest.fixture
async def teams(db_url: str) -> AsyncIterator[tuple[TeamsHarness, World]]:
    stub = await ConnectorStub(members=members()).start()
    settings = Settings(MENTORBOT_TEAMS_ALLOW_ANONYMOUS=True, DATABASE_URL=db_url)
    runtime = await build_runtime(settings, clock=lambda: NOW)
    world = await build_world(runtime.sessions, platform="teams")
    server = TestServer(web_app(runtime, run_dispatcher=False), host="127.0.0.1", port=0)
    await server.start_server()
    async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
        yield TeamsHarness(http, stub, runtime), world
    await server.close()
    await stub.close()
    # Every card the bot sent or updated in the test is a valid Adaptive Card under 28 KB.
    for call in stub.calls:
        activity = call.body.get("activity") if call.kind == "create" else call.body
        for attachment in (activity or {}).get("attachments") or []:
            assert_valid(attachment["content"])


async def count(h: TeamsHarness, model: type) -> int:
    async with h.runtime.sessions() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def send_prompt(h: TeamsHarness, w: World) -> str:
    """The dispatcher sends the Monday prompt to the mentor; returns the card's id."""
    async with h.runtime.sessions() as s, s.begin():
        view = await placements.view(s, placement_id=w.placement_id)
        assert view is not None
        await notify.to_person(
            s,
            key=f"weekly:{w.placement_id}:{WEEK}",
            kind="weekly_prompt",
            recipient_id=w.mentor_id,
            message=weekly.prompt(view, WEEK),
            not_before=NOW,
        )
    await h.runtime.dispatcher.drain()
    card_id, card = h.last(CHAT["mentor"])
    assert "weekly.held" in text_of(card)
    return card_id


def facts(card: dict[str, Any]) -> dict[str, str]:
    return {
        f["title"]: f["value"] for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]
    }


def errors_under(card: dict[str, Any]) -> dict[str, str]:
    """Each input's id and the error text shown right under it."""
    shown: dict[str, str] = {}
    body = card["body"]
    for i, element in enumerate(body):
        if element["type"].startswith("Input.") and i + 1 < len(body):
            after = body[i + 1]
            if after["type"] == "TextBlock" and after.get("color") == "Attention":
                shown[element["id"]] = after["text"]
    return shown


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["id"]: b for b in card["body"] if b["type"].startswith("Input.")}


async def test_weekly_form_card_shape_and_both_cards_updated_in_place(teams):
    # What the mentor and trainee see is in tests/scenarios.py; this is Teams' own shape.
    h, w = teams
    await h.install("mentor")
    await h.install("trainee")
    prompt_id = await send_prompt(h, w)

    # Yes: the form arrives as a card in the chat, remembering the prompt it came from.
    assert await h.press("mentor", prompt_id, "weekly.held", f"{w.placement_id}:{WEEK}") == 200
    form_id, form = h.last(CHAT["mentor"])
    assert form_id != prompt_id and form["body"][0]["text"] == "Weekly meeting"
    wellbeing = inputs(form)["wellbeing"]
    assert wellbeing["style"] == "expanded" and "▲ Amber — Some pressure" in text_of(wellbeing)
    assert inputs(form)["held_on"]["type"] == "Input.Date"
    assert inputs(form)["duration"] == {**inputs(form)["duration"], "type": "Input.Number"}
    assert inputs(form)["progress"]["isMultiline"] and inputs(form)["progress"]["maxLength"] == 3000
    assert h.submit_data(form_id)["mb"]["o"] == prompt_id

    assert await h.submit("mentor", form_id, HELD) == 200
    # The form card and the prompt are both updated in place: nothing left to press.
    (answered,) = h.updates(form_id)
    (prompt_now,) = h.updates(prompt_id)
    for card in (answered, prompt_now):
        assert "Action.Submit" not in text_of(card)
    await h.runtime.dispatcher.drain()
    _, confirm = h.last(CHAT["trainee"])
    assert facts(confirm)["Trainee wellbeing"] == "▲ Amber"
    async with h.runtime.sessions() as s:
        rows = (await s.execute(select(OutboxMessage))).scalars().all()
    # Real-length 1:1 conversation ids (~130 characters) are stored whole.
    assert all(r.status == "sent" for r in rows)
    assert any(len(r.platform_channel_id or "") > 128 for r in rows)


async def test_same_form_submitted_twice_records_once(teams):
    h, w = teams
    await h.install("mentor")
    prompt_id = await send_prompt(h, w)
    await h.press("mentor", prompt_id, "weekly.not_held", f"{w.placement_id}:{WEEK}")
    form_id, _ = h.last(CHAT["mentor"])
    data = h.submit_data(form_id)
    await h.submit("mentor", form_id, {"reason": "Trainee ill"})
    # A second submission (another device still showing the form) changes nothing.
    await h.post(h.activity("mentor", replyToId=form_id, value={**data, "reason": "Other"}))
    assert "already signed off" in text_of(h.updates(form_id)[-1])
    assert await count(h, WeeklyMeeting) == 1
    async with h.runtime.sessions() as s:
        actions = (await s.execute(select(AuditEntry.action))).scalars().all()
        meeting = (await s.execute(select(WeeklyMeeting))).scalar_one()
    assert actions.count("weekly_sign_off") == 1 and meeting.reason_not_held == "Trainee ill"


async def test_retried_activity_is_handled_once(teams):
    h, w = teams
    await h.install("mentor")
    prompt_id = await send_prompt(h, w)
    await h.press("mentor", prompt_id, "weekly.not_held", f"{w.placement_id}:{WEEK}")
    form_id, _ = h.last(CHAT["mentor"])
    activity = h.activity(
        "mentor",
        replyToId=form_id,
        value={**h.submit_data(form_id), "reason": "Trainee ill"},
    )
    assert (await h.post(activity))[0] == 200
    before = len(h.stub.calls)
    assert (await h.post(activity))[0] == 200  # the Bot Framework retrying the same activity
    assert len(h.stub.calls) == before
    assert await count(h, WeeklyMeeting) == 1


async def test_oversized_text_and_future_date_shown_under_the_fields(teams):
    h, w = teams
    await h.install("mentor")
    prompt_id = await send_prompt(h, w)
    await h.press("mentor", prompt_id, "weekly.held", f"{w.placement_id}:{WEEK}")
    form_id, _ = h.last(CHAT["mentor"])
    await h.submit("mentor", form_id, dict(HELD, held_on="2027-01-01", progress="p" * 3001))
    (shown,) = h.updates(form_id)
    errors = errors_under(shown)
    assert "future" in errors["held_on"] and "3000 characters (it has 3001)" in errors["progress"]
    assert set(errors) == {"held_on", "progress"}
    # What was typed is still there (cut to what the field takes), and the form still works.
    fields = inputs(shown)
    assert fields["targets"]["value"] == "Cold calling" and fields["wellbeing"]["value"] == "amber"
    assert fields["progress"]["value"] == "p" * 3000
    assert await count(h, WeeklyMeeting) == 0
    await h.submit("mentor", form_id, dict(HELD, progress="p" * 3000))
    assert await count(h, WeeklyMeeting) == 1
    assert "Signed off" in text_of(h.updates(form_id)[-1])


async def test_missing_and_extra_fields_in_card_value(teams):
    h, w = teams
    await h.install("mentor")
    prompt_id = await send_prompt(h, w)
    await h.press("mentor", prompt_id, "weekly.held", f"{w.placement_id}:{WEEK}")
    form_id, _ = h.last(CHAT["mentor"])
    value = {"held_on": "2026-11-17", "unexpected": "x" * 50, "mb_extra": {"a": 1}}
    await h.submit("mentor", form_id, value)
    errors = errors_under(h.updates(form_id)[-1])
    assert set(errors) == {"duration", "progress", "wellbeing"}  # targets: optional notes
    assert all(e == "This is required." for e in errors.values())
    assert await count(h, WeeklyMeeting) == 0 and await count(h, AuditEntry) == 0


async def test_errors_for_a_form_too_big_to_redraw_come_as_a_message(teams):
    h, w = teams
    await h.install("mentor")
    prompt_id = await send_prompt(h, w)
    await h.press("mentor", prompt_id, "weekly.held", f"{w.placement_id}:{WEEK}")
    form_id, _ = h.last(CHAT["mentor"])
    data = h.submit_data(form_id)
    data["mb"]["f"]["lite"] = True  # as sent for a form too big to carry twice
    await h.post(h.activity("mentor", replyToId=form_id, value={**data, **HELD, "duration": "1"}))
    assert not h.updates(form_id)  # the card keeps what was typed
    _, said = h.last(CHAT["mentor"])
    assert facts(said) == {"Duration (minutes)": "Please give a whole number between 5 and 480."}
    assert await count(h, WeeklyMeeting) == 0


UNREADABLE = [
    {"mb": "not-an-object"},
    {"something": "from another card"},
    {"mb": {"form": 5, "state": {}}},
    {"mb": {"form": "weekly.held", "state": "nope"}},
    {"mb": {"action": ["weekly.held"], "value": "1"}},
    "a string",
]


async def test_unreadable_card_values_get_a_polite_message(teams):
    h, _w = teams
    await h.install("mentor")
    for value in UNREADABLE:
        before = len(h.sent(CHAT["mentor"]))
        assert (await h.post(h.activity("mentor", replyToId="x", value=value)))[0] == 200
        assert len(h.sent(CHAT["mentor"])) == before + 1, value
        assert "couldn't read that" in text_of(h.last(CHAT["mentor"])[1])
    assert await count(h, AuditEntry) == 0 and await count(h, WeeklyMeeting) == 0


async def test_forged_ids_are_refused_and_nothing_is_written(teams):
    h, w = teams
    await h.install("mentor")
    prompt_id = await send_prompt(h, w)
    # A press naming another mentor's trainee.
    await h.press("mentor", prompt_id, "weekly.held", f"{w.other_placement_id}:{WEEK}")
    _, said = h.last(CHAT["mentor"])
    assert "only do that for trainees" in text_of(said)
    # A genuine form whose state was edited to point at another trainee.
    await h.press("mentor", prompt_id, "weekly.held", f"{w.placement_id}:{WEEK}")
    form_id, _ = h.last(CHAT["mentor"])
    data = h.submit_data(form_id)
    data["mb"]["state"]["placement_id"] = w.other_placement_id
    await h.post(h.activity("mentor", replyToId=form_id, value={**data, **HELD}))
    assert "only do that for trainees" in text_of(h.updates(form_id)[-1])
    assert await count(h, WeeklyMeeting) == 0 and await count(h, AuditEntry) == 0


async def test_install_stores_reference_greets_once_and_looks_up_once(teams):
    h, _w = teams
    await h.install("lead")
    greetings = h.sent(CHAT["lead"])
    assert len(greetings) == 1 and "Your cohort" in text_of(greetings[0][1])
    async with h.runtime.sessions() as s:
        identity = (await s.execute(select(PlatformIdentity))).scalar_one()
    assert identity.external_id == USERS["lead"].aad and identity.workspace_id == TENANT
    reference = identity.conversation_reference or {}
    assert reference["conversation"]["id"] == CHAT["lead"]
    assert reference["serviceUrl"] == h.stub.url and reference.get("activityId") is None
    assert await h.say("lead", "<at>mentorbot</at> help") == 200
    assert "observe" in text_of(h.last(CHAT["lead"])[1])
    assert len(h.stub.called("member")) == 1  # the e-mail is asked for once, then stored


async def test_person_first_seen_in_a_channel_gets_a_reference_when_they_install(teams):
    h, _w = teams
    await h.say("itt", "help", conversation=CHANNEL, conversation_type="channel")
    async with h.runtime.sessions() as s:
        identity = (await s.execute(select(PlatformIdentity))).scalar_one()
    assert identity.conversation_reference is None  # a channel is not where DMs go
    await h.install("itt")
    await h.say("itt", "help")
    async with h.runtime.sessions() as s:
        identity = (await s.execute(select(PlatformIdentity))).scalar_one()
    assert identity.conversation_reference["conversation"]["id"] == CHAT["itt"]


async def test_status_has_buttons_and_unknown_words_are_named(teams):
    h, _w = teams
    await h.say("mentor", "status")
    _, card = h.last(CHAT["mentor"])
    assert "rate.start" in text_of(card)
    await h.say("mentor", "frobnicate")
    assert "I don't know “frobnicate”" in text_of(h.last(CHAT["mentor"])[1])


async def test_observation_and_concern_card_shapes(teams):
    # The conversations themselves are in tests/scenarios.py; these are Teams' own shapes.
    h, w = teams
    await h.say("mentor", "observe")
    form_id, form = h.last(CHAT["mentor"])
    assert inputs(form)["placement_id"]["style"] == "compact"
    standards = inputs(form)["standards"]
    assert standards["isMultiSelect"] and [c["value"] for c in standards["choices"]][:2] == [
        "TS1",
        "TS2",
    ]
    details = {**OBSERVATION, "placement_id": str(w.placement_id), "standards": "TS2,TS4"}
    await h.submit("mentor", form_id, details)
    step2 = h.updates(form_id)[-1]  # the next step replaces the card in place
    assert set(inputs(step2)) == {"TS2", "TS4"}
    await h.say("mentor", "concern")
    _, form = h.last(CHAT["mentor"])
    assert inputs(form)["category"]["style"] == "expanded"


async def test_review_point_ratings_in_steps(teams):
    h, w = teams
    await h.say("mentor", "rate")
    form_id, _ = h.last(CHAT["mentor"])
    await h.submit("mentor", form_id, {"placement_id": str(w.placement_id)})
    step1 = h.updates(form_id)[-1]
    ts1 = inputs(step1)["TS1"]
    assert ts1["style"] == "expanded" and ts1["choices"][0]["title"].startswith("✖ Red — Not on")
    await h.submit("mentor", form_id, {c: "green" for c in ("TS1", "TS2", "TS3", "TS4", "TS5")})
    await h.submit(
        "mentor",
        form_id,
        {
            "TS6": "green",
            "TS7": "red",
            "TS8": "amber",
            "PART2": "green",
            "comment": "Behaviour",
            "targets": "Seating plan",
        },
    )
    assert "Ratings for Tara Trainee at Review point 1 recorded" in text_of(h.updates(form_id)[-1])
    assert await count(h, RagRating) == 9


async def test_status_button_opens_the_rating_form(teams):
    h, w = teams
    await h.say("mentor", "status")
    status_id, _ = h.last(CHAT["mentor"])
    await h.press("mentor", status_id, "rate.start", f"{w.placement_id}:{w.review_point_id}")
    _, form = h.last(CHAT["mentor"])
    assert "TS1" in inputs(form)


async def test_self_evaluation_four_steps(teams):
    h, _w = teams
    await h.say("mentor", "self-evaluate")
    form_id, form = h.last(CHAT["mentor"])
    for _step in range(4):
        card = h.updates(form_id)[-1] if h.updates(form_id) else form
        values = {i["id"]: "green" for i in inputs(card).values() if i["type"] == "Input.ChoiceSet"}
        await h.submit("mentor", form_id, values)
    assert "self-evaluation against the National Mentor Standards" in text_of(
        h.updates(form_id)[-1]
    )
    assert await count(h, RagRating) == 21


async def test_escalations_in_a_channel(teams):
    h, w = teams
    channel = {"conversation": CHANNEL, "conversation_type": "channel"}
    use = "<at>mentorbot</at> use this channel for escalations"
    # Only the ITT leadership can choose the channel.
    await h.say("mentor", use, **channel)
    # Refused (the router words it as the generic "trainees you are linked to" refusal).
    assert "Only members of the ITT leadership team" in text_of(h.last(CHANNEL)[1])
    assert await count(h, EscalationTarget) == 0
    await h.say("itt", use, **channel)
    assert "Escalation alerts will come to this channel" in text_of(h.last(CHANNEL)[1])
    async with h.runtime.sessions() as s:
        target = (await s.execute(select(EscalationTarget))).scalar_one()
    assert (target.platform, target.workspace_id, target.channel_id) == (
        "teams",
        TENANT,
        CHANNEL,
    )
    assert target.conversation_reference["conversation"]["id"] == CHANNEL

    # Without the mention, typed in a thread, works too.
    await h.say(
        "itt",
        "Use this channel for escalations",
        conversation=f"{CHANNEL};messageid=1",
        conversation_type="channel",
    )
    async with h.runtime.sessions() as s:
        assert (await s.execute(select(EscalationTarget))).scalar_one().channel_id == CHANNEL

    async with h.runtime.sessions() as s, s.begin():
        view = await placements.view(s, placement_id=w.placement_id)
        assert view is not None
        e = await raise_escalation(
            s,
            view=view,
            rule="missed_meetings",
            cause_key="2026-11-09",
            evidence={"weeks": "9 Nov, 16 Nov"},
            now=NOW,
        )
        assert e is not None
    await h.runtime.dispatcher.drain()
    (created,) = h.stub.called("create")
    assert created.body["channelData"]["channel"]["id"] == CHANNEL  # a new thread
    alert_id = created.result_id
    thread = f"{CHANNEL};messageid={alert_id}"
    in_thread = {"conversation": thread, "conversation_type": "channel"}
    assert "escalation.ack" in text_of(h.card(alert_id))

    await h.press("mentor", alert_id, "escalation.ack", str(e.id), **in_thread)
    assert "ITT leadership" in text_of(h.last(thread)[1]) and not h.updates(alert_id)
    await h.press("itt", alert_id, "escalation.ack", str(e.id), **in_thread)
    assert "Acknowledged by Ida Itt" in text_of(h.updates(alert_id)[-1])

    # The support plan form is a card in the thread; answering it updates the alert.
    await h.press("itt", alert_id, "escalation.irp", str(e.id), **in_thread)
    form_id, form = h.last(thread)
    assert {"target_1", "strand_1", "support", "review_date"} <= set(inputs(form))
    plan = {"target_1": "Weekly check-ins", "support": "Mentor time", "review_date": "2026-12-01"}
    await h.submit("itt", form_id, plan, **in_thread)
    assert "Support plan opened by Ida Itt" in text_of(h.updates(alert_id)[-1])
    assert "Action.Submit" not in text_of(h.updates(form_id)[-1])
    assert await count(h, SupportPlan) == 1


async def test_other_text_in_a_channel_gets_help_not_records(teams):
    h, _w = teams
    await h.say(
        "mentor", "<at>mentorbot</at> status", conversation=CHANNEL, conversation_type="channel"
    )
    _, card = h.last(CHANNEL)
    assert "observe" in text_of(card) and "Tara Trainee" not in text_of(card)


async def test_person_who_never_installed_is_held_then_reached_when_they_install(teams):
    h, w = teams
    await send_prompt_without_checking(h, w)
    async with h.runtime.sessions() as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
    # Held, not given up on: Teams cannot open a chat from an e-mail address.
    assert row.status == "held" and "not installed" in (row.last_error or "")
    assert h.stub.calls == []
    assert (await h.runtime.dispatcher.drain()).handled == 0  # not tried again and again
    # The school's Teams admin pre-installs the app: the install event gives the bot the
    # chat, and what was held is sent there.
    await h.install("mentor")
    await h.runtime.dispatcher.drain()
    async with h.runtime.sessions() as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
    assert row.status == "sent"
    assert any("take place?" in text_of(card) for _id, card in h.sent(CHAT["mentor"]))


async def send_prompt_without_checking(h: TeamsHarness, w: World) -> None:
    async with h.runtime.sessions() as s, s.begin():
        view = await placements.view(s, placement_id=w.placement_id)
        assert view is not None
        await notify.to_person(
            s,
            key=f"weekly:{w.placement_id}:{WEEK}",
            kind="weekly_prompt",
            recipient_id=w.mentor_id,
            message=weekly.prompt(view, WEEK),
            not_before=NOW,
        )
    await h.runtime.dispatcher.drain()


async def test_someone_who_removes_the_app_has_their_messages_held_until_they_add_it_again(
    teams,
):
    h, w = teams
    await h.install("mentor")
    removed = h.activity("mentor", "installationUpdate", action="remove")
    assert (await h.post(removed))[0] == 200
    calls = len(h.stub.calls)
    await send_prompt_without_checking(h, w)
    async with h.runtime.sessions() as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
    assert row.status == "held" and len(h.stub.calls) == calls  # not sent into a void
    await h.install("mentor")
    await h.runtime.dispatcher.drain()
    async with h.runtime.sessions() as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
    assert row.status == "sent"
    assert "take place?" in text_of(h.last(CHAT["mentor"])[1])


FAILURES = [  # status, headers, outcome, wait (None: the dispatcher's own backoff)
    (429, {"Retry-After": "7"}, "pending", 7),
    (500, {}, "pending", None),
    (503, {}, "pending", None),
    (403, {}, "dead", None),
    (404, {}, "dead", None),
]


async def test_connector_failures_map_to_retries_or_dead_letters(teams):
    h, w = teams
    await h.install("mentor")
    async with h.runtime.sessions() as s:
        view = await placements.view(s, placement_id=w.placement_id)
    assert view is not None
    for i, (status, headers, state, wait) in enumerate(FAILURES):
        h.stub.fail_next("send", status, headers)
        async with h.runtime.sessions() as s, s.begin():
            await notify.to_person(
                s,
                key=f"failure-{i}",
                kind="weekly_prompt",
                recipient_id=w.mentor_id,
                message=weekly.prompt(view, WEEK),
                not_before=NOW,
            )
        sends = len(h.stub.called("send"))
        await h.runtime.dispatcher.drain()
        assert len(h.stub.called("send")) == sends + 1  # one attempt: no hidden retries
        async with h.runtime.sessions() as s:
            row = (
                await s.execute(select(OutboxMessage).where(OutboxMessage.key == f"failure-{i}"))
            ).scalar_one()
        # A 429 is "not now", not a failed attempt: its try is given back.
        assert (row.status, row.attempts) == (state, 0 if status == 429 else 1), status
        if state == "pending":
            delay = row.next_attempt_at - NOW
            # Retry-After when the connector gave one, else the dispatcher's own backoff.
            assert delay == timedelta(seconds=wait) if wait else timedelta(0) < delay


async def test_output_updates_a_sent_message_in_place(teams):
    h, w = teams
    await h.install("mentor")
    await send_prompt(h, w)
    async with h.runtime.sessions() as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
    output = h.runtime.channels["teams"]
    from handlers.ui import Message, Section

    done = Message("Answered elsewhere", (Section("Answered elsewhere"),))
    await output.update(row.platform_channel_id, row.platform_message_id, done)
    (update,) = h.stub.called("update")
    assert (
        update.conversation_id == CHAT["mentor"] and update.activity_id == row.platform_message_id
    )
    assert "Answered elsewhere" in text_of(update.body)
    assert await output.already_sent(None, key=row.key) is None  # Teams cannot search


async def test_malformed_requests_never_get_5xx(teams):
    h, _w = teams
    for body, content_type in [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"\xff\xfe", "application/json"),
        (json.dumps({"type": "message"}).encode(), "application/json"),
        (json.dumps({"text": "no type"}).encode(), "application/json"),
        (b"type=message", "application/x-www-form-urlencoded"),
    ]:
        async with h.http.post(
            "/api/messages", data=body, headers={"Content-Type": content_type}
        ) as r:
            assert 400 <= r.status < 500, body
    assert await count(h, ProcessedEvent) == 0 and h.stub.calls == []


def test_submission_values_read_back():
    pressed = render.read_value({"mb": {"action": "weekly.held", "value": "1:2026-11-16"}})
    assert pressed == render.CardPress("weekly.held", "1:2026-11-16")
    submitted = render.read_value(
        {"mb": {"form": "concern", "state": {"a": 1}, "o": "9"}, "duration": 60.0, "x": ["a"]}
    )
    assert isinstance(submitted, render.CardSubmit)
    assert submitted.values == {"duration": "60", "x": ["a"]} and submitted.origin == "9"
