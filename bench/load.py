"""Overload: hundreds of concurrent signed Slack interactions against `mentorbot serve` (#10).

    .venv/bin/python bench/load.py [--backend sqlite|postgres|both] [--concurrency 500]
                                   [--seconds 60] [--trainees 2000] [--pg-url URL] [--strict]

The server is the installed `mentorbot serve`, started as an operator starts it: a child
process configured only by environment (DATABASE_URL, SLACK_BOT_TOKEN,
SLACK_SIGNING_SECRET, SLACK_API_URL, PORT, MENTORBOT_LOG_LEVEL=WARNING) in an empty working
directory, so no `.env` of the repository leaks in. Its Slack Web API is
tests/stubs/slack_api.py in a second child process, recording what the bot sends.

The database is made by `mentorbot db upgrade`, then filled by bench/generate.py (a
partnership with history up to today; half its schools on Slack). Every mentor, trainee and
lead mentor of a Slack school gets a Slack user id that the stub's users.info answers with
their e-mail, so the bot matches them to the roster the way it matches real people.

Load: --concurrency workers in a closed loop for --seconds, each acting as one mentor of a
Slack school and sending its next request when the previous one is answered or has waited
3 s (Slack's own limit). Requests, in equal shares:
  - press.weekly   block_actions "weekly.held" on this week's prompt (opens a modal);
  - press.status   block_actions "status.show" (the answer is a DM);
  - submit.concern view_submission of the concern form: a new Concern row each;
  - submit.weekly  view_submission of "weekly.held" for a (placement, week) never signed
                   off before: a signed-off WeeklyMeeting row each.
Every submission has a view id of its own, so each one acknowledged (HTTP 200, no form
errors) must leave exactly one record, whether the bot handled it at once or parked it.

Afterwards the script waits for the server to drain what it parked (parked_interaction
empty) and for parked interactions' answers to leave the outbox, then counts the records
in the database itself and prints, per backend, the figures and PASS/FAIL lines for: no
HTTP errors, no apologies, every request answered within 3 s, records written ==
expected, and a scheduler tick during the load. Exits 0 unless --strict and a FAIL.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import math
import multiprocessing as mp
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from sqlalchemy import func, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bench.generate import generate
from handlers.text import t
from storage.db import make_engine, session_factory
from storage.models import (
    Concern,
    OutboxMessage,
    ParkedInteraction,
    Person,
    Placement,
    School,
    WeeklyMeeting,
)
from storage.repo import health

SECRET = "load-bench-signing-secret"
TOKEN = "xoxb-load-bench"
TEAM = "T1"  # the stub's auth.test answers this workspace
PATH = "/slack/events"
BUDGET = 3.0  # seconds Slack waits for an answer
KINDS = ("press.weekly", "press.status", "submit.concern", "submit.weekly")
SORRY = t("sorry")
CONCERN_PREFIX = "Load test "
TICK_SECONDS = 60  # scheduler.service.TICK_SECONDS: not settable by environment
# How long after falling due a tick may take to write its heartbeat: its dispatch stage
# stops claiming after 120 s and is cut at 180 s (scheduler.service.Timings), plus the sweep.
TICK_WAIT = 240.0
MENTORBOT = Path(sys.executable).with_name("mentorbot")


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------- roster


class Seat(NamedTuple):
    """A mentor at a Slack school, as a worker acts: their Slack id and their trainees."""

    user_id: str
    placements: tuple[int, ...]


@dataclass
class Roster:
    seats: list[Seat]
    emails: dict[str, str]  # Slack user id -> e-mail, for the stub's users.info


def slack_id(person_id: int) -> str:
    return f"U{person_id:08d}"


async def fill(url: str, trainees: int, today: date) -> Roster:
    """generate.py's partnership, history up to today; the Slack schools' people."""
    engine = make_engine(url)
    try:
        await generate(engine, trainees, until=today)
        return await slack_people(engine)
    finally:
        await engine.dispose()


async def slack_people(engine: AsyncEngine) -> Roster:
    async with session_factory(engine)() as session:
        rows = (
            await session.execute(
                select(
                    Placement.id,
                    Placement.mentor_id,
                    Placement.trainee_id,
                    Placement.lead_mentor_id,
                )
                .join(School, col(School.id) == col(Placement.school_id))
                .where(col(School.platform) == "slack")
                .order_by(col(Placement.id))
            )
        ).all()
        people_rows = await session.execute(select(col(Person.id), col(Person.email)))
        emails = {int(pid or 0): str(email) for pid, email in people_rows.all()}
    mine: dict[int, list[int]] = {}
    people: set[int] = set()
    for placement_id, mentor, trainee, lead in rows:
        mine.setdefault(mentor, []).append(placement_id)
        people |= {mentor, trainee, lead}
    seats = [Seat(slack_id(m), tuple(ps)) for m, ps in sorted(mine.items())]
    return Roster(seats, {slack_id(p): emails[p] for p in sorted(people)})


# ---------------------------------------------------------------- the Slack API stub


class StubEvent(NamedTuple):
    at: float  # wall clock, comparable across processes
    method: str
    channel: str
    key: str  # the outbox key a dispatcher send carries in its metadata; "" for replies
    apology: bool


def stub_main(conn: Connection, emails: dict[str, str]) -> None:
    asyncio.run(_stub(conn, emails))


async def _stub(conn: Connection, emails: dict[str, str]) -> None:
    from tests.stubs.slack_api import SlackApiStub

    events: list[StubEvent] = []

    @dataclass
    class RecordingStub(SlackApiStub):
        def _answer(self, method: str, p: dict[str, Any], *token: str | None) -> dict[str, Any]:
            # A compact record per call; the stub's own list (full views and blocks) would
            # grow by hundreds of megabytes over a run, so it is emptied as we go. (The
            # stub's _answer takes the token since Slack's many workspaces; `*token` keeps
            # a --baseline run of older code working.)
            self.calls.clear()
            events.append(_stub_event(method, p))
            answer: Any = super()._answer
            return dict(answer(method, p, *token))

    stub = await RecordingStub(emails=emails).start()
    conn.send(stub.url)
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, conn.recv) == "events":
        conn.send(list(events))
    await stub.close()
    conn.send("stopped")


def _stub_event(method: str, p: dict[str, Any]) -> StubEvent:
    text_ = str(p.get("text") or "")
    metadata = p.get("metadata") if isinstance(p.get("metadata"), dict) else {}
    payload = (metadata or {}).get("event_payload") or {}
    key = str(payload.get("key") or "") if isinstance(payload, dict) else ""
    apology = text_ == SORRY or "went wrong" in text_.lower()
    return StubEvent(time.time(), method, str(p.get("channel") or ""), key, apology)


class Stub:
    def __init__(self, emails: dict[str, str]) -> None:
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=stub_main, args=(child, emails), daemon=True)
        self.process.start()
        self.url: str = self.conn.recv()

    async def events(self) -> list[StubEvent]:
        self.conn.send("events")
        result: list[StubEvent] = await asyncio.get_running_loop().run_in_executor(
            None, self.conn.recv
        )
        return result

    def stop(self) -> None:
        self.conn.send("stop")
        self.conn.recv()
        self.process.join(10)


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def server_env(
    database_url: str, stub_url: str, port: int, slack_rate: float | None
) -> dict[str, str]:
    """Only what an operator would set: none of this shell's own MENTORBOT_* or Teams
    variables, so the server is configured exactly as printed."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ", "TMPDIR")}
    env |= {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": stub_url,
        "PORT": str(port),
        "MENTORBOT_HOST": "127.0.0.1",
        "MENTORBOT_LOG_LEVEL": "WARNING",
    }
    if slack_rate is not None:
        env["MENTORBOT_SLACK_RATE"] = str(slack_rate)
    return env


def mentorbot(*args: str, env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(
        [str(MENTORBOT), *args], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"mentorbot {' '.join(args)} failed:\n{done.stderr}")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log_path: Path

    @classmethod
    def start(cls, env: dict[str, str], cwd: Path, log_path: Path, workers: int = 1) -> Server:
        command = [str(MENTORBOT), "serve"] + (["--workers", str(workers)] if workers > 1 else [])
        with log_path.open("wb") as out:
            process = subprocess.Popen(
                command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT
            )
        return cls(process, f"http://127.0.0.1:{env['PORT']}", log_path)

    async def ready(self, http: aiohttp.ClientSession, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"mentorbot serve exited:\n{self.log_path.read_text()}")
            try:
                async with http.get(self.base + "/healthz") as response:
                    await response.read()
                    return  # any answer, 503 (no heartbeat yet) included: it is listening
            except aiohttp.ClientError:
                await asyncio.sleep(0.2)
        raise SystemExit("mentorbot serve did not start listening within a minute")

    def memory_mb(self, field_name: str = "VmHWM") -> float:
        """Peak (VmHWM) or current (VmRSS) resident memory of the server: with
        `--workers`, of its workers added up (the parent only waits for them)."""
        total = math.nan
        for pid in self._pids():
            try:
                lines = Path(f"/proc/{pid}/status").read_text().splitlines()
            except OSError:
                continue
            for line in lines:
                if line.startswith(field_name + ":"):
                    total = (0.0 if math.isnan(total) else total) + int(line.split()[1]) / 1024
        return total

    def _pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        return [int(child) for child in children] or [pid]

    def stop(self) -> None:
        # SIGINT, as Ctrl-C: the server shuts down the scheduler and its pool itself.
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(45)  # `--workers`: the parent waits up to 30 s for them
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# ---------------------------------------------------------------- requests


def signed(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }


def form(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def user(user_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "team_id": TEAM}


def press(user_id: str, action: str, value: str, n: int) -> bytes:
    """A button on a DM from the bot, as Slack posts it."""
    return form(
        {
            "type": "block_actions",
            "user": user(user_id),
            "api_app_id": "A1",
            "token": "legacy",
            "container": {
                "type": "message",
                "message_ts": "1763000001.000100",
                "channel_id": "D" + user_id,
                "is_ephemeral": False,
            },
            "trigger_id": f"{n}.trigger",
            "team": {"id": TEAM, "domain": "school"},
            "channel": {"id": "D" + user_id, "name": "directmessage"},
            "actions": [
                {
                    "action_id": action,
                    "block_id": "b1",
                    "value": value,
                    "type": "button",
                    "action_ts": str(time.time()),
                }
            ],
        }
    )


def selected(kind: str, value: str) -> dict[str, Any]:
    return {"type": kind, "selected_option": {"value": value, "text": {"type": "plain_text"}}}


def typed(value: str, kind: str = "plain_text_input") -> dict[str, Any]:
    return {"type": kind, "value": value}


def submission(
    user_id: str,
    view_id: str,
    callback: str,
    state: dict[str, Any],
    origin: list[str] | None,
    answers: dict[str, dict[str, Any]],
) -> bytes:
    """A filled-in modal as Slack submits it: each answer under its block and action id."""
    view = {
        "id": view_id,
        "type": "modal",
        "callback_id": callback,
        "team_id": TEAM,
        "hash": "1763000001.abcdef",
        "private_metadata": json.dumps({"s": state, "o": origin}, separators=(",", ":")),
        "blocks": [{"type": "input", "block_id": name} for name in answers],
        "state": {"values": {name: {name: answer} for name, answer in answers.items()}},
    }
    return form(
        {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "school"},
            "user": user(user_id),
            "api_app_id": "A1",
            "token": "legacy",
            "trigger_id": f"{view_id}.trigger",
            "view": view,
        }
    )


Record = str | tuple[int, date]  # a concern's view id, or a signed-off (placement, week)


@dataclass
class Plan:
    """What each request is about; sign-offs never repeat a (placement, week)."""

    press_week: date  # this week's Monday: not signed off, so the press opens the modal
    first_week: date  # sign-offs from next week on, one fresh (placement, week) each
    held_on: date
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:6].upper())
    counter: int = 0
    signed: Counter[str] = field(default_factory=Counter)
    views: dict[Record, str] = field(default_factory=dict)  # each submission's view id

    def next_id(self) -> int:
        self.counter += 1
        return self.counter

    def body(self, kind: str, seat: Seat, rnd: random.Random) -> tuple[bytes, Record | None]:
        n = self.next_id()
        placement = rnd.choice(seat.placements)
        if kind == "press.weekly":
            value = f"{placement}:{self.press_week.isoformat()}"
            return press(seat.user_id, "weekly.held", value, n), None
        if kind == "press.status":
            return press(seat.user_id, "status.show", "", n), None
        if kind == "submit.concern":
            return self.concern(seat, placement, rnd, f"V{self.run}{n:09d}")
        return self.weekly(seat, f"V{self.run}{n:09d}")

    def concern(
        self, seat: Seat, placement: int, rnd: random.Random, view_id: str
    ) -> tuple[bytes, Record]:
        answers = {
            "placement_id": selected("static_select", str(placement)),
            "category": selected("radio_buttons", rnd.choice(("progress", "wellbeing"))),
            # The view id rides in the text, so each row is traced to its submission.
            "details": typed(f"{CONCERN_PREFIX}{view_id}: missed two lessons this week."),
        }
        self.views[view_id] = view_id
        return submission(seat.user_id, view_id, "concern", {}, None, answers), view_id

    def weekly(self, seat: Seat, view_id: str) -> tuple[bytes, Record]:
        i = self.signed[seat.user_id]
        self.signed[seat.user_id] += 1
        placement = seat.placements[i % len(seat.placements)]
        week = self.first_week + timedelta(weeks=i // len(seat.placements))
        answers = {
            "held_on": {"type": "datepicker", "selected_date": self.held_on.isoformat()},
            "duration": typed("60", "number_input"),
            "progress": typed("Behaviour routines and questioning."),
            "targets": typed("Wait time after questions."),
            "wellbeing": selected("radio_buttons", "green"),
            "notes": typed(""),
        }
        state = {"placement_id": placement, "week": week.isoformat()}
        origin = ["D" + seat.user_id, "1763000001.000100"]
        body = submission(seat.user_id, view_id, "weekly.held", state, origin, answers)
        self.views[(placement, week)] = view_id
        return body, (placement, week)


# ---------------------------------------------------------------- the client


@dataclass(slots=True)
class Result:
    kind: str
    at: float  # wall clock when sent
    seconds: float  # BUDGET for a request that had no answer within it
    status: int | None  # None: no answer (timeout or connection error)
    failure: str | None = None
    note: str | None = None  # "errors", "apology", "saving"
    record: Record | None = None

    @property
    def acknowledged(self) -> bool:
        """A submission Slack would count as accepted: 200 and not refused with errors."""
        return self.status == 200 and self.note not in ("errors", "apology")


def note_of(raw: bytes) -> str | None:
    """What an acknowledgement's body says: form errors, an apology, or "saving…"."""
    if not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    shown = json.dumps(data)
    if SORRY in shown or "went wrong" in shown.lower():
        return "apology"
    if data.get("response_action") == "errors":
        return "errors"
    title = ((data.get("view") or {}).get("title") or {}).get("text")
    return "saving" if title == "Saving" else None


async def send(
    http: aiohttp.ClientSession, url: str, kind: str, body: bytes, record: Record | None
) -> Result:
    headers = signed(body)  # signed just before sending, like Slack
    at, t0 = time.time(), time.perf_counter()
    try:
        async with asyncio.timeout(BUDGET):
            async with http.post(url, data=body, headers=headers) as response:
                raw = await response.read()
    except TimeoutError:
        return Result(kind, at, BUDGET, None, "timeout", record=record)
    except aiohttp.ClientError as exc:
        return Result(kind, at, time.perf_counter() - t0, None, type(exc).__name__, record=record)
    seconds = time.perf_counter() - t0
    return Result(kind, at, seconds, response.status, None, note_of(raw), record)


async def worker(
    n: int,
    http: aiohttp.ClientSession,
    url: str,
    seat: Seat,
    plan: Plan,
    until: float,
    results: list[Result],
) -> None:
    rnd = random.Random(n)
    while time.monotonic() < until:
        kind = rnd.choice(KINDS)
        body, record = plan.body(kind, seat, rnd)
        results.append(await send(http, url, kind, body, record))


async def warm_up(http: aiohttp.ClientSession, url: str, seats: list[Seat], plan: Plan) -> None:
    """One status press per mentor first, a few at a time: people using the bot are already
    matched to the roster (users.info, then a platform_identity row), as on a normal day."""
    gate = asyncio.Semaphore(20)

    async def one(seat: Seat) -> None:
        async with gate:
            await send(
                http, url, "warm", press(seat.user_id, "status.show", "", plan.next_id()), None
            )

    await asyncio.gather(*(one(seat) for seat in seats))


async def quiet(stub: Stub, within: float = 60.0) -> None:
    """Until the stub has had no call for a second: the warm-up's background work is done."""
    deadline, last = time.monotonic() + within, -1
    while time.monotonic() < deadline:
        seen = len(await stub.events())
        if seen == last:
            return
        last = seen
        await asyncio.sleep(1.0)


# ---------------------------------------------------------------- the database


@dataclass
class Watch:
    """Parked rows and scheduler failures seen while the load runs and drains."""

    parked_peak: int = 0
    failures: set[str] = field(default_factory=set)  # scheduler failures since `since`
    since: datetime = field(default_factory=lambda: datetime.now(UTC))


async def heartbeat(engine: AsyncEngine) -> health.Heartbeat:
    async with session_factory(engine)() as session:
        return await health.read(session)


async def count(engine: AsyncEngine, model: Any, *where: Any) -> int:
    async with session_factory(engine)() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def watch(engine: AsyncEngine, seen: Watch, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            beat = await heartbeat(engine)
            seen.parked_peak = max(seen.parked_peak, await count(engine, ParkedInteraction))
        except Exception as exc:  # the database is busy: the next look will do
            seen.failures.add(f"watch: {type(exc).__name__}")
        else:
            if beat.last_failure_at is not None and beat.last_failure_at >= seen.since:
                seen.failures.add(f"{beat.last_failure_stage}: {beat.last_failure_type}")
        with_timeout = asyncio.create_task(stop.wait())
        await asyncio.wait({with_timeout}, timeout=2.0)
        with_timeout.cancel()


async def wait_for_tick(
    engine: AsyncEngine, after: datetime | None, within: float
) -> datetime | None:
    """The next sweep heartbeat newer than `after`."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        beat = await heartbeat(engine)
        if beat.last_sweep_at is not None and (after is None or beat.last_sweep_at > after):
            return beat.last_sweep_at
        await asyncio.sleep(0.5)
    return None


async def wait_until_zero(
    engine: AsyncEngine, model: Any, within: float, *where: Any
) -> tuple[int, float]:
    """Poll until no row matches; (rows left, seconds waited)."""
    t0 = time.monotonic()
    while True:
        left = await count(engine, model, *where)
        if not left or time.monotonic() - t0 >= within:
            return left, time.monotonic() - t0
        await asyncio.sleep(1.0)


@dataclass
class Written:
    concerns: Counter[str]  # view id -> rows
    signed: set[tuple[int, date]]
    outbox: Counter[tuple[str, str]]  # (kind, status) -> rows
    parked: set[str]  # view ids of submissions still parked


async def count_written(engine: AsyncEngine, first_week: date) -> Written:
    pattern = re.compile(rf"{CONCERN_PREFIX}(\S+):")
    async with session_factory(engine)() as session:
        details = (
            await session.execute(
                select(Concern.details).where(col(Concern.details).like(CONCERN_PREFIX + "%"))
            )
        ).scalars()
        concerns = Counter(m.group(1) for d in details if (m := pattern.match(d)))
        weeks = await session.execute(
            select(col(WeeklyMeeting.placement_id), col(WeeklyMeeting.week_start)).where(
                col(WeeklyMeeting.signed_off_at).is_not(None),
                col(WeeklyMeeting.week_start) >= first_week,
            )
        )
        signed = {(p, w) for p, w in weeks.all()}
        rows = await session.execute(
            select(OutboxMessage.kind, OutboxMessage.status, func.count()).group_by(
                col(OutboxMessage.kind), col(OutboxMessage.status)
            )
        )
        outbox = Counter({(k, s): int(n) for k, s, n in rows.all()})
        keys = (await session.execute(select(col(ParkedInteraction.event_key)))).scalars()
        # A Slack submission is parked under its event key, "view:<view id>:<hash>".
        parked = {key.split(":")[1] for key in keys if key.startswith("view:")}
    return Written(concerns, signed, outbox, parked)


def journaled_views(work: Path) -> set[str]:
    """View ids of submissions in the server's park journal files (storage/journal.py)."""
    views: set[str] = set()
    for path in work.rglob("parked-*.jsonl"):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                key = str(json.loads(line).get("event_key", ""))
            except ValueError:
                continue
            if key.startswith("view:"):
                views.add(key.split(":")[1])
    return views


# ---------------------------------------------------------------- one backend


@dataclass
class Figures:
    backend: str
    seats: int
    workers: int = 1  # `serve --workers`
    results: list[Result] = field(default_factory=list)
    started: float = 0.0  # wall clock of the load's start and end
    ended: float = 0.0
    seen: Watch = field(default_factory=Watch)
    before: health.Heartbeat = field(default_factory=health.Heartbeat)
    tick_due: float | None = None  # wall clock at which a tick fell due inside the load
    tick_seen: datetime | None = None  # the heartbeat that tick wrote
    parked_left: int = 0
    drained_in: float = 0.0
    late_left: int = 0
    written: Written | None = None
    views: dict[Record, str] = field(default_factory=dict)
    events: list[StubEvent] = field(default_factory=list)
    peak_mb: float = math.nan
    idle_mb: float = math.nan
    log_path: Path = Path()
    log_end: int = 0  # bytes of the log written before the server was stopped


@dataclass
class Rig:
    """One backend's processes and connections."""

    args: argparse.Namespace
    plan: Plan
    seats: list[Seat]
    stub: Stub
    server: Server
    engine: AsyncEngine
    http: aiohttp.ClientSession

    @property
    def events_url(self) -> str:
        return self.server.base + PATH


def new_plan() -> Plan:
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    return Plan(
        press_week=monday, first_week=monday + timedelta(weeks=1), held_on=today - timedelta(days=1)
    )


async def run_backend(
    backend: str, url: str, args: argparse.Namespace, work: Path, workers: int
) -> Figures:
    plan = new_plan()
    port = free_port()
    log("schema: mentorbot db upgrade")
    mentorbot("db", "upgrade", env=server_env(url, "http://unused/", port, None), cwd=work)
    roster = await fill(url, args.trainees, plan.held_on + timedelta(days=1))
    seats = roster.seats[: args.concurrency]
    log(
        f"roster: {args.trainees} trainees, {len(roster.seats)} mentors on Slack, "
        f"{len(roster.emails)} Slack users"
    )
    stub = Stub(roster.emails)
    env = server_env(url, stub.url, port, args.slack_rate)
    server = Server.start(env, work, work / f"serve-{backend}-{workers}.log", workers)
    engine = make_engine(url, pool_size=2)
    figures = Figures(backend, len(seats), log_path=server.log_path, workers=workers)
    try:
        connector = aiohttp.TCPConnector(limit=args.concurrency)
        async with aiohttp.ClientSession(connector=connector) as http:
            rig = Rig(args, plan, seats, stub, server, engine, http)
            await get_ready(rig, figures)
            await load(rig, figures)
            await aftermath(rig, figures)
    finally:
        figures.log_end = server.log_path.stat().st_size if server.log_path.exists() else 0
        server.stop()
        stub.stop()
        await engine.dispose()
    return figures


async def get_ready(rig: Rig, figures: Figures) -> None:
    await rig.server.ready(rig.http)
    log(f"server up (pid {rig.server.process.pid}); warming up {len(rig.seats)} mentors")
    await warm_up(rig.http, rig.events_url, rig.seats, rig.plan)
    await quiet(rig.stub)
    first = await wait_for_tick(rig.engine, None, 90.0)
    if rig.args.seconds >= TICK_SECONDS and first is not None:
        # Ticks fall due every TICK_SECONDS from the server's start, whatever happens. The
        # load starts so that the next one falls due halfway through it.
        log("waiting for a scheduler tick, to place the next one in the middle of the load")
        tick = await wait_for_tick(rig.engine, first, TICK_SECONDS + 30.0) or first
        figures.tick_due = tick.timestamp() + TICK_SECONDS
        await asyncio.sleep(max(0.0, figures.tick_due - rig.args.seconds / 2 - time.time()))
    figures.before = await heartbeat(rig.engine)
    figures.idle_mb = rig.server.memory_mb("VmRSS")


async def load(rig: Rig, figures: Figures) -> None:
    args = rig.args
    log(f"load: {args.concurrency} workers for {args.seconds:g} s")
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch(rig.engine, figures.seen, stop))
    figures.started = time.time()
    figures.seen.since = datetime.now(UTC)
    until = time.monotonic() + args.seconds
    await asyncio.gather(
        *(
            worker(
                n,
                rig.http,
                rig.events_url,
                rig.seats[n % len(rig.seats)],
                rig.plan,
                until,
                figures.results,
            )
            for n in range(args.concurrency)
        )
    )
    figures.ended = time.time()
    stop.set()
    await watcher


async def aftermath(rig: Rig, figures: Figures) -> None:
    """Wait for what the server still owes (parked work, late answers, the tick's
    heartbeat), then count what it wrote."""
    args, engine = rig.args, rig.engine
    log(f"load done: {len(figures.results)} requests; waiting for parked interactions to drain")
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch(engine, figures.seen, stop))
    figures.parked_left, figures.drained_in = await wait_until_zero(
        engine, ParkedInteraction, args.drain_wait
    )
    log(
        f"parked: {figures.parked_left} left after {figures.drained_in:.0f} s; waiting for late answers"
    )
    figures.late_left, _ = await wait_until_zero(
        engine,
        OutboxMessage,
        args.late_wait,
        col(OutboxMessage.kind) == "late_reply",
        col(OutboxMessage.status).in_(("pending", "sending")),
    )
    if figures.tick_due is not None:
        # A tick writes its heartbeat when it ends, after its dispatch stage, which may
        # spend its whole budget on a backed-up outbox (up to TICK_WAIT in all).
        log("waiting for the heartbeat of the tick that fell due during the load")
        within = figures.tick_due + TICK_WAIT - time.time()
        figures.tick_seen = await wait_for_tick(engine, figures.before.last_sweep_at, within)
    await asyncio.sleep(2.0)  # the last sends' calls reach the stub
    stop.set()
    await watcher
    figures.written = await count_written(engine, rig.plan.first_week)
    # Parks the database could not take in time wait in the server's journal files (moved
    # into the table as it catches up, replayed at the next start): kept, not lost.
    figures.written.parked |= journaled_views(rig.server.log_path.parent)
    figures.views = rig.plan.views
    figures.events = await rig.stub.events()
    figures.peak_mb = rig.server.memory_mb()


# ---------------------------------------------------------------- the report


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else math.nan


def ms(seconds: float) -> str:
    return ">= 3000 ms (timeouts)" if seconds >= BUDGET else f"{seconds * 1000:.0f} ms"


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f} %" if whole else "n/a"


def rel(moment: datetime | None, zero: float) -> str:
    return "never" if moment is None else f"{moment.timestamp() - zero:+.0f} s"


def expected_records(results: list[Result], kind: str) -> tuple[set[Any], set[Any]]:
    """(acknowledged, all sent) records of one kind of submission."""
    mine = [r for r in results if r.kind == kind and r.record is not None]
    return {r.record for r in mine if r.acknowledged}, {r.record for r in mine}


def log_summary(path: Path, end: int) -> tuple[Counter[str], list[str]]:
    """Lines per level in the server's log up to `end` (before we stopped it), and its
    distinct warnings and errors."""
    levels: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    with path.open("rb") as handle:
        content = handle.read(end).decode(errors="replace")
    for line in content.splitlines():
        match = re.match(r"\S+ \S+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) (.*)", line)
        if match:
            levels[match.group(1)] += 1
            if match.group(1) in ("ERROR", "CRITICAL", "WARNING"):
                # APScheduler names the next run time in each message: one line per kind.
                message = re.sub(r" \(trigger: [^)]*\)", "", match.group(2))
                errors[f"{match.group(1)} {message[:160]}"] += 1
        elif line.startswith("Traceback"):
            levels["Traceback"] += 1
    return levels, [f"{n} x {message}" for message, n in errors.most_common(8)]


Verdicts = list[tuple[str, bool | None]]  # None: could not be judged


@dataclass
class Answers:
    """What the client saw."""

    sent: int
    answered: int
    statuses: Counter[int]
    failures: Counter[str]
    notes: Counter[str]
    apologies: int


def report_requests(f: Figures) -> Answers:
    results = f.results
    sent = len(results)
    answered = sum(r.status is not None and r.seconds < BUDGET for r in results)
    statuses = Counter(r.status for r in results if r.status is not None and r.status != 200)
    failures = Counter(r.failure for r in results if r.failure is not None)
    notes = Counter(r.note for r in results if r.note is not None)
    latencies = [r.seconds if r.status is not None else math.inf for r in results]
    posted_sorry = sum(
        e.apology for e in f.events if e.method == "chat.postMessage" and e.at >= f.started
    )
    kinds = Counter(r.kind for r in results)
    mix = ", ".join(f"{k} {kinds[k]}" for k in KINDS)
    rate = sent / max(f.ended - f.started, 1e-9)
    print(f"requests sent          {sent}  ({mix}; {rate:.0f}/s)")
    print(f"answered within 3 s    {answered}  ({pct(answered, sent)})")
    by_status = ", ".join(f"{n} x {s}" for s, n in sorted(statuses.items())) or "none"
    print(f"HTTP errors            {sum(statuses.values())}  ({by_status})")
    others = "".join(f", {k} {n}" for k, n in failures.items() if k != "timeout")
    print(f"client timeouts        {failures['timeout']}{others}")
    worst = max((r.seconds for r in results if r.status is not None), default=0.0)
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    print(f"latency                p50 {ms(p50)}, p99 {ms(p99)}, slowest answer {ms(worst)}")
    print(
        f"answers' bodies        form errors {notes['errors']}, "
        f'"saving…" (result follows as a DM) {notes["saving"]}'
    )
    apologies = posted_sorry + notes["apology"]
    print(
        f"apologies              {apologies}  (chat.postMessage {posted_sorry}, "
        f"in answers {notes['apology']})"
    )
    return Answers(sent, answered, statuses, failures, notes, apologies)


def missing(f: Figures, expected: set[Any], written: set[Any]) -> tuple[int, int]:
    """Acknowledged submissions with no record: (still parked, lost)."""
    assert f.written is not None
    absent = expected - written
    parked = sum(f.views.get(record) in f.written.parked for record in absent)
    return parked, len(absent) - parked


def report_records(f: Figures) -> bool:
    """Records in the database against the acknowledged submissions; True when equal."""
    assert f.written is not None
    concerns, signed = f.written.concerns, f.written.signed
    c_expected, c_sent = expected_records(f.results, "submit.concern")
    w_expected, w_sent = expected_records(f.results, "submit.weekly")
    doubled = sum(n - 1 for n in concerns.values() if n > 1)
    c_parked, c_lost = missing(f, c_expected, set(concerns))
    w_parked, w_lost = missing(f, w_expected, signed)
    c_extra, w_extra = len(set(concerns) - c_expected), len(signed - w_expected)
    c_rows = sum(concerns.values())
    print(
        f"records: concerns      written {c_rows} / expected {len(c_expected)} "
        f"(sent {len(c_sent)}): recorded twice {doubled}; acknowledged, not written: "
        f"{c_parked} still parked, {c_lost} lost; written though not acknowledged {c_extra}"
    )
    print(
        f"records: sign-offs     written {len(signed)} / expected {len(w_expected)} "
        f"(sent {len(w_sent)}): acknowledged, not written: {w_parked} still parked, "
        f"{w_lost} lost; written though not acknowledged {w_extra}"
    )
    total, expected = c_rows + len(signed), len(c_expected) + len(w_expected)
    print(f"duplicates             {max(0, total - expected)} records beyond expected")
    return total == expected and not (c_parked or c_lost or w_parked or w_lost or doubled)


def report_after(f: Figures) -> None:
    posts = [e for e in f.events if e.method == "chat.postMessage" and e.at > f.ended]
    # Answers, not the dispatcher's other news (concern alerts, weekly confirmations).
    late = [e for e in posts if not e.key or e.key.startswith("late:")]
    via_outbox = sum(e.key.startswith("late:") for e in late)
    during = Counter(e.method for e in f.events if f.started <= e.at <= f.ended)
    print(
        f"parked                 peak {f.seen.parked_peak} seen, {f.parked_left} left "
        f"{f.drained_in:.0f} s after the load"
    )
    print(
        f"late answers           {len(late)} chat.postMessage to people after the load "
        f"({via_outbox} answers to parked interactions, {len(late) - via_outbox} direct); "
        f"late_reply rows still queued {f.late_left}"
    )
    assert f.written is not None
    outbox = ", ".join(f"{k}/{s} {n}" for (k, s), n in sorted(f.written.outbox.items()))
    print(f"outbox at the end      {outbox or 'empty'}")
    print(f"stub calls in the load {', '.join(f'{m} {n}' for m, n in during.most_common())}")
    print(
        f"server memory          peak RSS (VmHWM) {f.peak_mb:.0f} MB; "
        f"RSS before the load {f.idle_mb:.0f} MB"
    )


def report_scheduler(f: Figures) -> bool | None:
    """Whether the tick that fell due during the load ran (None: the run was too short)."""
    zero = f.started
    print(
        f"scheduler              a tick every {TICK_SECONDS} s (not settable by environment); "
        f"times relative to the load's start, which ended at {f.ended - zero:+.0f} s"
    )
    print(
        f"                       sweep heartbeat before the load {rel(f.before.last_sweep_at, zero)}"
    )
    if f.tick_due is None:
        print("                       no tick can fall due within a load this short")
        return None
    print(
        f"                       tick due at {f.tick_due - zero:+.0f} s: heartbeat "
        f"{rel(f.tick_seen, zero)} (written when its dispatch stage ends)"
    )
    print(
        f"                       failures recorded: {', '.join(sorted(f.seen.failures)) or 'none'}"
    )
    return f.tick_seen is not None


def report_log(f: Figures, args: argparse.Namespace) -> None:
    levels, lines = log_summary(f.log_path, f.log_end)
    kept = args.log_dir / f.log_path.name if args.log_dir else "not kept: --log-dir DIR keeps it"
    print(f"server log             {dict(levels) or 'empty'} ({kept})")
    for line in lines:
        print(f"                       {line}")


def report(f: Figures, args: argparse.Namespace) -> Verdicts:
    print(
        f"\n== {f.backend}, serve --workers {f.workers}: {args.concurrency} clients "
        f"({f.seats} mentors), {args.seconds:g} s, {os.cpu_count()} CPUs"
    )
    answers = report_requests(f)
    records_ok = report_records(f)
    report_after(f)
    ticked = report_scheduler(f)
    report_log(f, args)
    verdicts: Verdicts = [
        ("0 HTTP errors", not answers.statuses and not set(answers.failures) - {"timeout"}),
        ("0 apologies", answers.apologies == 0),
        ("100 % answered within 3 s", answers.answered == answers.sent > 0),
        ("records written == expected", records_ok),
        ("scheduler ticked during the load", ticked),
    ]
    for name, ok in verdicts:
        verdict = "SKIP" if ok is None else "PASS" if ok else "FAIL"
        print(f"{verdict:5} {name}")
    return verdicts


def report_workers(runs: list[Figures]) -> None:
    """Side by side: what each `--workers` count answered, per backend."""
    print("\n== serve --workers, side by side (answered within 3 s per second of load)")
    first: dict[str, float] = {}
    for f in runs:
        answered = sum(r.status is not None and r.seconds < BUDGET for r in f.results)
        rate = answered / max(f.ended - f.started, 1e-9)
        latencies = [r.seconds if r.status is not None else math.inf for r in f.results]
        base = first.setdefault(f.backend, rate)
        print(
            f"{f.backend:10} --workers {f.workers}: {rate:6.0f}/s, p99 "
            f"{ms(percentile(latencies, 0.99))}, peak RSS {f.peak_mb:.0f} MB, "
            f"x{rate / base if base else math.nan:.2f} of the first"
        )


# ---------------------------------------------------------------- main


@contextmanager
def pg_database(admin: str) -> Iterator[str]:
    """A scratch database on the server `admin` names, dropped afterwards."""
    name = f"mb_load_{uuid.uuid4().hex[:8]}"

    async def run(sql: str) -> None:
        engine = make_engine(admin, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(False)
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def one(backend: str, args: argparse.Namespace, workers: int) -> tuple[Verdicts, Figures]:
    work = Path(tempfile.mkdtemp(prefix=f"mentorbot-load-{backend}-"))
    try:
        if backend == "sqlite":
            figures = asyncio.run(
                run_backend(backend, f"sqlite:///{work / 'mentorbot.db'}", args, work, workers)
            )
        else:
            with pg_database(args.pg_url) as url:
                figures = asyncio.run(run_backend(backend, url, args, work, workers))
        return report(figures, args), figures
    finally:
        if args.log_dir:
            args.log_dir.mkdir(parents=True, exist_ok=True)
            for path in work.glob("*.log"):
                shutil.copy(path, args.log_dir / path.name)
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--trainees", type=int, default=2000, help="generated roster (half on Slack)"
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "MENTORBOT_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
        help="a PostgreSQL database to create the scratch database from",
    )
    parser.add_argument(
        "--drain-wait", type=float, default=120.0, help="seconds to wait for parked interactions"
    )
    parser.add_argument(
        "--late-wait", type=float, default=60.0, help="seconds to wait for late answers to be sent"
    )
    parser.add_argument(
        "--slack-rate", type=float, help="MENTORBOT_SLACK_RATE for the server (default: its own)"
    )
    parser.add_argument("--log-dir", type=Path, help="keep the server logs here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any line is FAIL")
    parser.add_argument(
        "--workers",
        default="1",
        help="serve --workers, or several to compare, e.g. 1,2 (a fresh database each)",
    )
    args = parser.parse_args()
    if not MENTORBOT.exists():
        raise SystemExit(f"{MENTORBOT} not found: install mentorbot into this virtualenv first")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    counts = [int(n) for n in args.workers.split(",")]
    runs = [one(backend, args, n) for backend in backends for n in counts]
    verdicts = [v for found, _ in runs for v in found]
    if len(counts) > 1:
        report_workers([figures for _, figures in runs])
    if args.strict and any(ok is False for _, ok in verdicts):
        sys.exit(1)


if __name__ == "__main__":
    main()
