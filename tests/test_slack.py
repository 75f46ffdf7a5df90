"""The conversations end to end in Slack: signed payloads to the running app, the Web API
served by a local stub that records every call."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from handlers import notify, weekly
from storage.models import (
    AuditEntry,
    PlatformIdentity,
    RagRating,
    WeeklyMeeting,
)
from storage.repo import placements
from tests.factories import NOW, WEEK, World
from tests.scenarios import HELD
from tests.slack_harness import SlackHarness, served_slack


@pytest.fixture
async def slack(db_url: str) -> AsyncIterator[tuple[SlackHarness, World]]:
    async with served_slack(db_url) as served:
        yield served


async def count(h: SlackHarness, model: type) -> int:
    async with h.runtime.sessions() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def send_prompt(h: SlackHarness, w: World) -> dict:
    async with h.runtime.sessions() as s, s.begin():
        view = await placements.view(s, placement_id=w.placement_id)
        await notify.to_person(
            s,
            key=f"weekly:{w.placement_id}:{WEEK}",
            kind="weekly_prompt",
            recipient_id=w.mentor_id,
            message=weekly.prompt(view, WEEK),
            not_before=NOW,
        )
    await h.runtime.dispatcher.drain()
    return h.stub.called("chat.postMessage")[-1]


def texts(call: dict) -> str:
    return json.dumps(call.get("blocks"), ensure_ascii=False) + str(call.get("text"))


async def test_weekly_prompt_carries_its_key_and_is_answered_in_place(slack):
    # What the mentor and trainee see is in tests/scenarios.py; this is Slack's own shape.
    h, w = slack
    prompt = await send_prompt(h, w)
    assert prompt["channel"] == "DUMENTOR"
    assert prompt["metadata"]["event_payload"]["key"].startswith("weekly:")
    ts = h.stub.posted["DUMENTOR"][0]["ts"]
    await h.press("UMENTOR", "weekly.held", f"{w.placement_id}:{WEEK}", channel="DUMENTOR", ts=ts)
    view = (await h.stub.wait_for("views.open"))[-1]["view"]
    assert view["callback_id"] == "weekly.held"
    status, body = await h.submit("UMENTOR", view, HELD)
    assert status == 200 and body.get("response_action") is None  # the modal closes
    updates = await h.stub.wait_for("chat.update")
    assert updates[0]["channel"] == "DUMENTOR" and updates[0]["ts"] == ts
    assert '"actions"' not in json.dumps(updates[0]["blocks"])  # nothing left to press


async def test_double_submission_records_once(slack):
    h, w = slack
    await send_prompt(h, w)
    await h.press(
        "UMENTOR", "weekly.not_held", f"{w.placement_id}:{WEEK}", channel="DUMENTOR", ts="1.1"
    )
    await h.stub.wait_for("views.open")
    view = h.last_view()
    await h.submit("UMENTOR", view, {"reason": "Trainee ill"})
    await h.submit("UMENTOR", view, {"reason": "Trainee ill"})
    assert await count(h, WeeklyMeeting) == 1
    async with h.runtime.sessions() as s:
        actions = (await s.execute(select(AuditEntry.action))).scalars().all()
    assert actions.count("weekly_sign_off") == 1


async def test_modal_refuses_oversized_text_and_future_date(slack):
    h, w = slack
    await h.press(
        "UMENTOR", "weekly.held", f"{w.placement_id}:{WEEK}", channel="DUMENTOR", ts="1.1"
    )
    await h.stub.wait_for("views.open")
    status, body = await h.submit(
        "UMENTOR", h.last_view(), dict(HELD, held_on="2027-01-01", progress="p" * 3001)
    )
    assert status == 200 and body["response_action"] == "errors"
    assert "future" in body["errors"]["held_on"] and "3000 characters" in body["errors"]["progress"]
    assert await count(h, WeeklyMeeting) == 0


async def test_forged_trainee_in_submission_is_refused(slack):
    h, w = slack
    await h.press(
        "UMENTOR", "weekly.held", f"{w.placement_id}:{WEEK}", channel="DUMENTOR", ts="1.1"
    )
    await h.stub.wait_for("views.open")
    view = h.last_view()
    view["private_metadata"] = json.dumps(
        {"s": {"placement_id": w.other_placement_id, "week": str(WEEK)}, "o": None}
    )
    status, _ = await h.submit("UMENTOR", view, HELD)
    assert status == 200
    said = await h.stub.wait_for("chat.postMessage")
    assert "only do that for trainees" in said[-1]["text"]
    assert await count(h, WeeklyMeeting) == 0 and await count(h, AuditEntry) == 0


async def test_identity_is_looked_up_once_then_stored(slack):
    h, _w = slack
    await h.command("UMENTOR", "status")
    said = await h.stub.wait_for("chat.postMessage")
    assert "rate.start" in texts(said[0])  # what is owed comes with buttons
    await h.command("UMENTOR", "help")
    await h.stub.wait_for("chat.postMessage", 2)
    assert len(h.stub.called("users.info")) == 1  # looked up once, then stored
    assert await count(h, PlatformIdentity) == 1


async def test_observation_offers_only_own_trainees(slack):
    h, w = slack
    await h.command("UMENTOR", "observe")
    await h.stub.wait_for("views.open")
    select_block = next(b for b in h.last_view()["blocks"] if b.get("block_id") == "placement_id")
    assert [o["value"] for o in select_block["element"]["options"]] == [str(w.placement_id)]


async def test_review_point_rating_in_two_modal_steps(slack):
    h, w = slack
    await h.command("UMENTOR", "rate")
    await h.stub.wait_for("views.open")
    _, body = await h.submit("UMENTOR", h.last_view(), {"placement_id": str(w.placement_id)})
    step1 = body["view"]
    radio = next(b for b in step1["blocks"] if b.get("block_id") == "TS1")["element"]
    assert "✖ Red" in json.dumps(radio, ensure_ascii=False) and "On track" in json.dumps(radio)
    _, body = await h.submit(
        "UMENTOR", step1, {c: "green" for c in ("TS1", "TS2", "TS3", "TS4", "TS5")}
    )
    _, body = await h.submit(
        "UMENTOR",
        body["view"],
        {
            "TS6": "green",
            "TS7": "red",
            "TS8": "amber",
            "PART2": "green",
            "comment": "Behaviour",
            "targets": "Seating plan",
        },
    )
    assert body == {}
    assert await count(h, RagRating) == 9


async def test_escalation_alert_actions_in_channel(slack):
    h, w = slack
    from handlers.escalation import raise_escalation
    from storage.repo import concerns

    async with h.runtime.sessions() as s, s.begin():
        await concerns.set_escalation_target(
            s,
            level=1,
            platform="slack",
            workspace_id="T1",
            channel_id="CITT",
            conversation_reference=None,
            set_by_id=None,
        )
        view = await placements.view(s, placement_id=w.placement_id)
        e = await raise_escalation(
            s,
            view=view,
            rule="missed_meetings",
            cause_key="2026-11-09",
            evidence={"weeks": "9 Nov, 16 Nov"},
            now=NOW,
        )
    await h.runtime.dispatcher.drain()
    alert = h.stub.called("chat.postMessage")[-1]
    assert alert["channel"] == "CITT" and "escalation.ack" in texts(alert)
    ts = h.stub.posted["CITT"][0]["ts"]
    await h.press("UMENTOR", "escalation.ack", str(e.id), channel="CITT", ts=ts)
    refused = await h.stub.wait_for("chat.postMessage", 2)
    assert "ITT leadership" in refused[-1]["text"]
    await h.press("UITT", "escalation.ack", str(e.id), channel="CITT", ts=ts)
    updated = await h.stub.wait_for("chat.update")
    assert "Acknowledged by Ida Itt" in texts(updated[0])


async def test_app_home_and_event_retry_answered_once(slack):
    h, _w = slack
    assert (
        await h.event(
            {
                "type": "app_home_opened",
                "user": "ULEAD",
                "channel": "DULEAD",
                "tab": "home",
                "event_ts": "1.2",
            },
            "Ev1",
        )
        == 200
    )
    published = await h.stub.wait_for("views.publish")
    assert "Your cohort" in json.dumps(published[0]["view"])
    message = {
        "type": "message",
        "channel_type": "im",
        "user": "UMENTOR",
        "text": "help",
        "channel": "DUMENTOR",
        "ts": "5.5",
        "event_ts": "5.5",
    }
    assert await h.event(message, "Ev2") == 200
    await h.stub.wait_for("chat.postMessage")
    assert await h.event(message, "Ev2", retry=1) == 200
    import asyncio

    await asyncio.sleep(0.3)
    assert len(h.stub.called("chat.postMessage")) == 1


@pytest.mark.parametrize(
    ("body", "content_type", "kwargs", "expected"),
    [
        (
            b"payload=%7B%22type%22%3A%22block_actions%22",
            "application/x-www-form-urlencoded",
            {},
            400,
        ),
        (b"{not json", "application/json", {}, 400),
        (b"payload=not-json-at-all", "application/x-www-form-urlencoded", {}, 400),
        (b"[1, 2, 3]", "application/json", {}, 400),
        (b"\xff\xfe\x00", "application/json", {}, 400),
        (
            b"command=%2Fmentor&text=status",
            "application/x-www-form-urlencoded",
            {"secret": "wrong"},
            401,
        ),
        (
            b"command=%2Fmentor&text=status",
            "application/x-www-form-urlencoded",
            {"timestamp": 1_000_000_000},
            401,
        ),
    ],
    ids=[
        "truncated-payload",
        "bad-json",
        "payload-not-json",
        "json-list",
        "not-utf8",
        "bad-signature",
        "stale-timestamp",
    ],
)
async def test_malformed_or_unsigned_requests_never_get_5xx(
    slack, body, content_type, kwargs, expected
):
    h, _w = slack
    response = await h.post(body, content_type, **kwargs)
    assert response.status == expected
    assert await count(h, AuditEntry) == 0 and await count(h, PlatformIdentity) == 0


@pytest.mark.parametrize("timestamp", ["not-a-number", "1e9", " 12", "9" * 5000, ""])
async def test_unsigned_request_with_odd_timestamp_gets_401(slack, timestamp):
    h, _w = slack
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + "0" * 64,
    }
    async with h.http.post("/slack/events", data=b"command=%2Fmentor", headers=headers) as r:
        assert r.status == 401


async def test_unsigned_request_gets_401(slack):
    h, _w = slack
    async with h.http.post(
        "/slack/events",
        data=b"command=%2Fmentor",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ) as r:
        assert r.status == 401


async def test_slow_submission_is_answered_in_time_and_finished_by_dm(slack, monkeypatch):
    h, w = slack
    from bot.slack import listeners
    from handlers import router, weekly

    original = weekly.on_submit

    async def slow(*args: object) -> object:  # as if the database were slow
        await asyncio.sleep(0.5)
        return await original(*args)  # type: ignore[arg-type]

    monkeypatch.setitem(router.SUBMITS, "weekly.not_held", slow)
    monkeypatch.setattr(listeners, "SUBMISSION_BUDGET", 0.1)
    await h.press(
        "UMENTOR", "weekly.not_held", f"{w.placement_id}:{WEEK}", channel="DUMENTOR", ts="7.7"
    )
    await h.stub.wait_for("views.open")
    status, body = await h.submit("UMENTOR", h.last_view(), {"reason": "School trip"})
    assert status == 200 and body["response_action"] == "update"
    assert body["view"]["title"]["text"] == "Saving"
    updates = await h.stub.wait_for("chat.update")
    assert updates[0]["ts"] == "7.7" and "did not happen (School trip)" in updates[0]["text"]
    assert await count(h, WeeklyMeeting) == 1


def press_payload(team: object, user_team: object = "T1", value: str = "") -> dict:
    return {
        "type": "block_actions",
        "user": {"id": "UMENTOR", "username": "umentor", "team_id": user_team},
        "team": team,
        "api_app_id": "A1",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "DUMENTOR"},
        "trigger_id": "trig-UMENTOR",
        "actions": [
            {"action_id": "weekly.held", "block_id": "b1", "value": value, "type": "button"}
        ],
    }


@pytest.mark.parametrize(
    ("team", "expected"),
    [
        ({"id": "TEVIL", "domain": "evil"}, 403),  # a well-formed id of another workspace
        ({"id": "<script>alert(1)</script>"}, 400),
        ({"id": ["T1"]}, 400),
    ],
    ids=["other-workspace", "markup", "list"],
)
async def test_forged_workspace_is_refused_and_stores_no_identity(slack, team, expected):
    h, _w = slack
    status, _ = await h.interactive(press_payload(team))
    assert status == expected
    form = {"team_id": "TEVIL", "user_id": "UMENTOR", "command": "/mentor", "text": "status"}
    response = await h.post(urlencode(form).encode(), "application/x-www-form-urlencoded")
    assert response.status == 403
    assert await count(h, PlatformIdentity) == 0
    assert h.stub.called("users.info") == [] and h.stub.called("chat.postMessage") == []


async def test_identity_carries_the_workspace_slack_authenticated(slack):
    h, w = slack
    # A Slack Connect user's home workspace is theirs; the app's is still T1.
    value = f"{w.placement_id}:{WEEK}"
    status, _ = await h.interactive(press_payload({"id": "T1"}, user_team="TOTHER", value=value))
    assert status == 200
    await h.stub.wait_for("views.open")
    async with h.runtime.sessions() as s:
        workspaces = (await s.execute(select(PlatformIdentity.workspace_id))).scalars().all()
    assert workspaces == ["T1"]


async def test_submission_failing_before_its_answer_gets_an_apology_not_an_error(
    slack, monkeypatch
):
    h, w = slack
    from bot.slack import listeners

    await h.press(
        "UMENTOR", "weekly.not_held", f"{w.placement_id}:{WEEK}", channel="DUMENTOR", ts="1.1"
    )
    view = (await h.stub.wait_for("views.open"))[-1]["view"]

    def broken(*_args: object) -> None:
        raise RuntimeError("as if a listener had a bug")

    monkeypatch.setattr(listeners, "platform_user", broken)
    status, body = await h.submit("UMENTOR", view, {"reason": "Trainee ill"})
    assert status == 200 and body["response_action"] == "update"
    assert "nothing was saved" in json.dumps(body["view"])
    assert await count(h, WeeklyMeeting) == 0


async def test_stranger_opening_app_home_is_told_they_are_not_on_the_roster(slack):
    h, _w = slack
    home = {"type": "app_home_opened", "user": "USTRANGER", "tab": "home", "event_ts": "1.2"}
    assert await h.event(home, "Ev9") == 200
    published = await h.stub.wait_for("views.publish")
    assert "partnership office" in json.dumps(published[0]["view"])


async def test_week_signed_off_meanwhile_is_answered_in_the_modal_not_by_dm(slack):
    h, w = slack
    value = f"{w.placement_id}:{WEEK}"
    await h.press("UMENTOR", "weekly.not_held", value, channel="DUMENTOR", ts="1.1")
    view = (await h.stub.wait_for("views.open"))[-1]["view"]
    await h.submit("UMENTOR", view, {"reason": "Trainee ill"})
    await h.stub.wait_for("chat.update")
    # A second modal for the same week (left open in another window) is submitted later.
    status, body = await h.submit("UMENTOR", dict(view, external_id="2"), {"reason": "Trip"})
    assert status == 200 and body["response_action"] == "update"
    assert "already signed off by Mo Mentor" in json.dumps(body["view"])
    assert "submit" not in body["view"]  # nothing left to send again; only Close
    updates = await h.stub.wait_for("chat.update", 2)
    assert updates[-1]["ts"] == "1.1" and "Trainee ill" in updates[-1]["text"]
    assert h.stub.called("chat.postMessage") == []  # no DM of its own
    assert await count(h, WeeklyMeeting) == 1


async def test_a_persons_dm_is_opened_once_for_all_their_answers(slack, monkeypatch):
    h, _w = slack
    from bot.slack import replies

    monkeypatch.setattr(replies, "_DM_CHANNELS", {})
    for answered, text in enumerate(("help", "status", "help"), start=1):
        await h.command("UMENTOR", text)
        said = await h.stub.wait_for("chat.postMessage", answered)
        assert said[-1]["channel"] == "DUMENTOR"
    assert len(h.stub.called("conversations.open")) == 1


def test_modal_is_what_slack_sdk_builds_and_checks_even_when_reused():
    from dataclasses import replace

    from slack_sdk.errors import SlackObjectFormationError
    from slack_sdk.models.views import View

    from bot.slack import render
    from handlers.ui import FieldKind, Form, FormField

    fields = (FormField("reason", "Why did it not happen?", FieldKind.LONG_TEXT, max_length=500),)
    form = Form("weekly.not_held", "Did not happen", fields, "Save", "Tara, week of 16 Nov")
    first = render.modal(form, ("DUMENTOR", "1.1"))
    again = render.modal(replace(form, state={"week": "2026-11-23"}))
    # What is shown is made once per wording; the route back is each modal's own.
    assert json.loads(first["private_metadata"]) == {"s": {}, "o": ["DUMENTOR", "1.1"]}
    assert json.loads(again["private_metadata"]) == {"s": {"week": "2026-11-23"}, "o": None}
    del first["private_metadata"], again["private_metadata"]
    assert again == first
    first["private_metadata"] = "{}"
    assert View(**first).to_dict() == first  # what slack_sdk's models make, limits checked
    with pytest.raises(SlackObjectFormationError):
        render.modal(replace(form, state={"x": "y" * 3000}))
    with pytest.raises(SlackObjectFormationError):  # checked for each new wording
        render.modal(replace(form, form_id="x" * 256))
