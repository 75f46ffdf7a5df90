"""No personal data in the logs at any level (issue #10).

The main flows run with the root logger at DEBUG, every logger (ours and the SDKs') enabled,
configured through `bot.logs.configure` as the command line does; then no roster name,
e-mail address or text a person typed may appear anywhere in what was logged.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from datetime import date
from pathlib import Path
from urllib.parse import quote, quote_plus

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

import bot.sample_data
from bot.logs import PINNED, PrivateFilter
from bot.runtime import build_runtime, web_app
from bot.settings import Settings
from storage.db import session_factory
from tests.console_harness import run_cli
from tests.factories import NOW, WEEK, build_world, queue_weekly_prompt
from tests.scheduler_harness import Clock, SchedulerHarness, add_calendar, at, set_itt_channel
from tests.slack_harness import SECRET, SlackHarness
from tests.slack_harness import USERS as SLACK_USERS
from tests.stubs.bf_connector import ConnectorStub
from tests.stubs.slack_api import SlackApiStub
from tests.teams_harness import USERS as TEAMS_USERS
from tests.teams_harness import TeamsHarness, members

# Typed free text carries a marker no code would ever produce by itself.
MARK = "Qzmarker"


def typed(field: str) -> str:
    return f"{MARK}{field} about the trainee"


def _roster() -> set[str]:
    """Every name and e-mail address the scenarios put on a roster or behind a platform user."""
    people = {
        "Tara Trainee",
        "Mo Mentor",
        "Lee Lead",
        "Ida Itt",
        "Oli Other",
        "Omar Mentor",
        "Ola Lead",
        "Ada Admin",
    }
    people |= {u.name for u in TEAMS_USERS.values()} | {u.email for u in TEAMS_USERS.values()}
    people |= set(SLACK_USERS.values())
    sample = Path(bot.sample_data.__file__).parent
    with open(sample / "placements.csv", newline="") as f:
        for row in csv.DictReader(f):
            for role in ("trainee", "mentor", "lead_mentor"):
                people |= {row[f"{role}_name"], row[f"{role}_email"]}
    with open(sample / "people.csv", newline="") as f:
        for row in csv.DictReader(f):
            people |= {row["name"], row["email"]}
    return people


def _forbidden() -> list[str]:
    """Each secret as it could appear in a log line: plain, URL-encoded, JSON-escaped."""
    out: set[str] = {MARK}
    for value in _roster():
        out |= {value, quote(value), quote_plus(value), json.dumps(value)[1:-1]}
    return sorted(out, key=len, reverse=True)


FORBIDDEN = _forbidden()


def leaks(text: str) -> list[str]:
    """The log lines that carry something personal, each with what it carried."""
    found = []
    lowered = [(s, s.lower()) for s in FORBIDDEN]
    for line in text.splitlines():
        low = line.lower()
        hits = [s for s, s_low in lowered if s_low in low]
        if hits:
            found.append(f"{hits[0]!r} in: {line[:300]}")
    return found


def assert_private(text: str) -> None:
    assert text.strip(), "nothing was logged: the capture is not working"
    found = leaks(text)
    assert not found, f"{len(found)} log lines carry personal data:\n" + "\n".join(found[:20])


async def test_slack_flows_log_nothing_personal(db_url: str, log_everything: io.StringIO) -> None:
    stub = await SlackApiStub(emails=dict(SLACK_USERS)).start()
    settings = Settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=stub.url,
        DATABASE_URL=db_url,
    )
    runtime = await build_runtime(settings, clock=lambda: NOW)
    w = await build_world(runtime.sessions)
    server = TestServer(web_app(runtime, run_dispatcher=False), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
            h = SlackHarness(http, stub, runtime)
            # A first-time user, matched to the roster by the e-mail Slack gives for them.
            await h.command("UMENTOR", "status")
            await stub.wait_for("chat.postMessage")
            await h.command("USTRANGER", f"{typed('command')}")
            await stub.wait_for("chat.postMessage", 2)
            # The dispatcher sends a prompt naming the trainee; the mentor presses Yes.
            await queue_weekly_prompt(runtime, w)
            ts = stub.posted["DUMENTOR"][0]["ts"]
            value = f"{w.placement_id}:{WEEK}"
            await h.press("UMENTOR", "weekly.held", value, channel="DUMENTOR", ts=ts)
            await stub.wait_for("views.open")
            # A refused answer first (the modal shows errors), then the real one.
            held = {
                "held_on": "2026-11-17",
                "duration": "60",
                "progress": typed("progress"),
                "targets": typed("targets"),
                "wellbeing": "amber",
            }
            await h.submit("UMENTOR", h.last_view(), dict(held, held_on="2027-01-01"))
            status, _ = await h.submit("UMENTOR", h.last_view(), held)
            assert status == 200
            await stub.wait_for("chat.update")
            await runtime.dispatcher.drain()  # the trainee is asked to confirm
            assert stub.called("chat.postMessage")[-1]["channel"] == "DUTRAINEE"
            # Free text in a direct message.
            event = {
                "type": "message",
                "channel_type": "im",
                "channel": "DUMENTOR",
                "user": "UMENTOR",
                "text": typed("dm"),
                "ts": "1763000999.000100",
            }
            assert await h.event(event, "Ev1") == 200
            await stub.wait_for("chat.postMessage", 5)
    finally:
        await server.close()
        await stub.close()
    assert_private(log_everything.getvalue())


async def test_teams_flows_log_nothing_personal(db_url: str, log_everything: io.StringIO) -> None:
    stub = await ConnectorStub(members=members()).start()
    settings = Settings(MENTORBOT_TEAMS_ALLOW_ANONYMOUS=True, DATABASE_URL=db_url)
    runtime = await build_runtime(settings, clock=lambda: NOW)
    w = await build_world(runtime.sessions, platform="teams")
    server = TestServer(web_app(runtime, run_dispatcher=False), host="127.0.0.1", port=0)
    await server.start_server()
    mentor, lead = TEAMS_USERS["mentor"].chat, TEAMS_USERS["lead"].chat
    try:
        async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
            h = TeamsHarness(http, stub, runtime)
            await h.install("lead")  # the member lookup returns name and e-mail
            assert await h.say("mentor", "status") == 200
            assert await h.say("mentor", typed("message")) == 200  # echoed back: unknown
            assert await h.say("stranger", "status") == 200
            await h.say("mentor", "concern")
            form_id, _ = h.last(mentor)
            details = {
                "placement_id": str(w.placement_id),
                "category": "attendance",
                "details": typed("details"),
            }
            assert await h.submit("mentor", form_id, details) == 200
            await runtime.dispatcher.drain()  # the lead mentor's alert names the trainee
            assert "Tara Trainee" in json.dumps(h.last(lead)[1])
    finally:
        await server.close()
        await stub.close()
    assert_private(log_everything.getvalue())


async def test_scheduler_tick_logs_nothing_personal(
    engine: object, db_url: str, log_everything: io.StringIO
) -> None:
    stub = await SlackApiStub(emails=dict(SLACK_USERS)).start()
    sessions = session_factory(engine)  # type: ignore[arg-type]
    world = await build_world(sessions)
    await add_calendar(sessions, world.programme_id)
    await set_itt_channel(sessions)
    h = SchedulerHarness(engine, sessions, stub, Clock(at(date(2026, 11, 9))))
    h.build(db_url)
    del stub.emails["UTRAINEE"]  # one person is not in the workspace: a dead letter
    try:
        # The Monday prompt, the Thursday reminder, the Friday digest.
        for moment in (
            at(date(2026, 11, 9), 9),
            at(date(2026, 11, 12), 9),
            at(date(2026, 11, 13), 9),
        ):
            await h.tick_at(moment)
        assert h.posted_to("DUMENTOR") and h.posted_to("DULEAD")
    finally:
        assert h.service is not None
        await h.service.leader.release()
        await stub.close()
    assert_private(log_everything.getvalue())


def test_console_logs_nothing_personal(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sqlite_url: str,
    tmp_path: Path,
    log_everything: io.StringIO,
) -> None:
    """`mentorbot` configures its own logging (to standard error) from MENTORBOT_LOG_LEVEL."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("MENTORBOT_DEBUG", raising=False)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("MENTORBOT_LOG_LEVEL", "DEBUG")
    logged = []
    for what in ("roster", "calendar"):
        code, _out, err = run_cli(monkeypatch, capsys, sqlite_url, "import", what, "--sample")
        assert code == 0
        logged.append(err)
    code, out, err = run_cli(
        monkeypatch,
        capsys,
        sqlite_url,
        "chat",
        "--as",
        "ben.hughes@oakfield.example.org",
        "--at",
        "2026-10-06T10:00",
        stdin=[
            "status",
            "1",  # Yes, for Amira Khan's week of 28 September
            "yesterday",
            "45",
            typed("progress"),
            typed("targets"),
            "3",
            typed("unknown"),
        ],
    )
    assert code == 0 and typed("progress") in out  # the screen shows it; the log must not
    logged.append(err)
    text = "\n".join(logged)
    assert re.search(r" DEBUG ", text), "DEBUG records are not reaching standard error"
    assert_private(text)


def test_what_slips_past_the_pinned_levels_is_still_kept_out(log_everything: io.StringIO) -> None:
    """A library lowering its own level again (bolt copies the root's level into each logger
    it makes, `echo=True` sets SQLAlchemy's), an e-mail in one of our messages, an exception
    message quoting data: none of it reaches the log."""
    assert all(logging.getLogger(name).level >= level for name, level in PINNED.items())
    body = logging.getLogger("slack_bolt.AsyncApp")
    body.setLevel(logging.DEBUG)
    body.debug('Responding with status: 200 body: "%s"', typed("body"))
    logging.getLogger("handlers.identity").info("linked console user %s", "mo.mentor@example.org")
    try:
        try:
            raise KeyError(typed("cause"))
        except KeyError as exc:
            raise ValueError(f"bad value {typed('value')}") from exc
    except ValueError:
        logging.getLogger("bot.slack.listeners").exception("interaction failed")
    # A bad format string is not left for Handler.handleError, which prints the arguments.
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %s", ("mo@x.org",), None)
    assert (
        PrivateFilter().filter(record) and record.getMessage() == "unformattable log record from x"
    )
    text = log_everything.getvalue()
    assert "linked console user <e-mail>" in text
    assert "builtins.KeyError (message withheld)" in text
    assert "builtins.ValueError (message withheld)" in text and "raise ValueError" in text
    assert_private(text)
