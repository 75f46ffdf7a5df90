"""What people owe, decided once per conversation over a snapshot of the database.

Each conversation's `Rule` decides what it makes due with one pure function over a
`Snapshot`. The snapshot is loaded with the same set-based queries whoever asks, only
scoped differently:

- the sweep loads it for every active placement (one snapshot per sweep, never one
  query per trainee) and asks each rule what to queue now (`plan`);
- the status view and the App Home load it for one person's placements (`owed`);
- the still-relevant check before a late send loads it for the one queued item (`applies`).

A message the sweep queues in the tens of thousands (the weekly prompts, the digests) is
not built by the sweep: the outbox stores its key alone and the dispatcher asks the rule
for it when it is sent (`BuildsLater`), so it says what is true then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.keys import OutboxKey
from handlers.ui import Block, Message
from storage.calendar_rules import ProgrammeCalendar, Span, monday_of
from storage.models import ReviewPoint
from storage.repo import calendar
from storage.repo import sweeps as q
from storage.repo.placements import PlacementView


@dataclass(frozen=True, slots=True)
class Local:
    """A school-local view of now, shared by every placement in the same time zone and
    programme, so each question is answered once per group, not once per trainee."""

    now: datetime
    today: date
    week: date
    allowed: bool  # a message may be sent there now (a school day, in working hours)
    prompt_due: bool = False
    reminder_due: bool = False
    digest_due: bool = False


LocalOf = Callable[[datetime, ProgrammeCalendar], Local]


@dataclass(frozen=True, slots=True)
class Planned:
    """One notification a sweep decided on (for `mentorbot due` and for the outbox)."""

    key: str
    kind: str
    recipient_id: int | None
    # None: built when it is sent (`BuildsLater`); the outbox stores the key alone.
    message: Message | None
    why: str
    escalation_level: int | None = None
    # Already said by another message of the same sweep: stored as done ("cancelled", no
    # payload) so that its key is known and it is never sent on its own later.
    covered: bool = False


def covered(key: str, kind: str, recipient_id: int | None, why: str) -> Planned:
    """A message another one queued at the same moment says already (see `Planned.covered`)."""
    return Planned(key, kind, recipient_id, Message("", ()), why, covered=True)


@dataclass(frozen=True, slots=True)
class Owed:
    """One thing a person owes, as the status view shows it (with a button to do it now).

    `order` keeps the view's order across rules: (0, placement id) for what they owe as
    mentor, (1, 0) for what they owe as trainee."""

    order: tuple[int, int]
    blocks: tuple[Block, ...]


class SlotTiming(Protocol):
    @property
    def weekday(self) -> int: ...


class OffTrackTiming(Protocol):
    @property
    def missing_ratings_days(self) -> int: ...


class EvaluationTiming(Protocol):
    @property
    def reminder_school_days(self) -> int: ...
    @property
    def max_reminders(self) -> int: ...
    @property
    def ask_within_days(self) -> int: ...


class Timing(Protocol):
    """The parts of the scheduling policy the rules read (the policy lives in the
    scheduler, which passes itself; handlers never import the scheduler)."""

    @property
    def review_point_nudge_days(self) -> list[int]: ...
    @property
    def observation_ack_hours(self) -> int: ...
    @property
    def support_review_nudge_days(self) -> list[int]: ...
    @property
    def digest(self) -> SlotTiming: ...
    @property
    def off_track(self) -> OffTrackTiming: ...
    @property
    def evaluations(self) -> EvaluationTiming: ...


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose facts a snapshot holds. The default is everyone (the sweep)."""

    # Placements the person owes things for as mentor; None: every active placement.
    placement_ids: frozenset[int] | None = None
    # Placements the person is the trainee of (status only).
    trainee_placement_ids: frozenset[int] = frozenset()
    # The one queued message whose relevance is checked before a late send.
    key: OutboxKey | None = None
    # Whose status view this is (status only): for what they owe on no active placement
    # (an end-of-placement evaluation, a tutor's).
    person_id: int | None = None

    @property
    def everyone(self) -> bool:
        return self.placement_ids is None and self.key is None

    def ids(self) -> list[int] | None:
        """The placement filter for a set-based query; None: no filter."""
        return None if self.placement_ids is None else sorted(self.placement_ids)


@dataclass(slots=True)
class Snapshot:
    """What every rule reads, loaded once (per sweep, per status view, per late send)."""

    now: datetime
    today: date
    scope: Scope = field(default_factory=Scope)
    timing: Timing | None = None  # the sweep's policy; None for status and relevance
    views: list[PlacementView] = field(default_factory=list)
    calendars: dict[int, ProgrammeCalendar] = field(default_factory=dict)
    # The days one school alone is closed, by school; with them, a school's calendar is
    # its programme's plus its own (cached by programme and school).
    closures: dict[int, list[Span]] = field(default_factory=dict)
    school_calendars: dict[tuple[int, int], ProgrammeCalendar] = field(default_factory=dict)
    points: list[ReviewPoint] = field(default_factory=list)
    unrated: set[tuple[int, int]] = field(default_factory=set)  # (placement, review point)
    signed: set[tuple[int, date]] = field(default_factory=set)  # (placement, week) signed off
    known: set[str] = field(default_factory=set)  # outbox keys queued recently (sweep)
    # (placement, review point) pairs whose ratings nudge is among `known`, worked out once
    # per snapshot (handlers.ratings.rule.nudged: two rules ask).
    nudged: set[tuple[int, int]] | None = None
    local: dict[int, Local] = field(default_factory=dict)
    by_programme: dict[int, list[ReviewPoint]] = field(default_factory=dict)
    # Placements sharing a time zone, a programme and a calendar share their Local: rules
    # that depend on the date decide once per group and only look placements up in sets.
    # The key's last part is the school when it has days of its own, else 0.
    groups: dict[tuple[str, int, int], tuple[Local, list[PlacementView]]] = field(
        default_factory=dict
    )
    # The sweep's school-local view of now, for rules about placements not active today
    # (the evaluations after a placement ends); None outside the sweep.
    local_of: LocalOf | None = None
    views_by_id: dict[int, PlacementView] | None = None
    unrated_by_point: dict[int, set[int]] | None = None
    # The sweep that queues: a rule that can build its messages when they are sent
    # (`BuildsLater`) plans them unbuilt. False for `mentorbot due`, which shows them.
    build_later: bool = False

    def calendar(self, view: PlacementView) -> ProgrammeCalendar:
        found = self.calendars.get(view.programme_id)
        if found is None:
            found = self.calendars[view.programme_id] = ProgrammeCalendar()
        own = self.closures.get(view.school_id)
        if not own:
            return found
        key = (view.programme_id, view.school_id)
        if key not in self.school_calendars:
            self.school_calendars[key] = ProgrammeCalendar([*found.spans, *own])
        return self.school_calendars[key]

    def points_of(self, programme_id: int) -> list[ReviewPoint]:
        return self.by_programme.get(programme_id, [])

    def current_point(self, programme_id: int, on: date) -> ReviewPoint | None:
        """The latest review point that has started by `on`."""
        started = [rp for rp in self.points_of(programme_id) if rp.start_date <= on]
        return max(started, key=lambda rp: rp.start_date, default=None)

    def unrated_at(self, review_point_id: int | None) -> set[int]:
        """The placements with no rating at this review point (from `unrated`, indexed once
        per snapshot: rules ask per review point, and most points are fully rated)."""
        if self.unrated_by_point is None:
            self.unrated_by_point = {}
            for pid, rp in self.unrated:
                self.unrated_by_point.setdefault(rp, set()).add(pid)
        return self.unrated_by_point.get(review_point_id or 0, set())

    def by_id(self) -> dict[int, PlacementView]:
        """The views by placement id, made once per snapshot (several rules ask) and kept
        with the sweep's reference picture (do not change it)."""
        if self.views_by_id is None:
            self.views_by_id = {v.id: v for v in self.views}
        return self.views_by_id


class Rule(Protocol):
    """What one conversation makes due. `facts` is whatever its own `load` returned."""

    async def load(self, session: AsyncSession, snap: Snapshot) -> Any:
        """The rule's own facts, set-based, within `snap.scope` (and, in a sweep, only when
        `snap.timing` says they can be needed now)."""
        ...

    def plan(self, snap: Snapshot, facts: Any, timing: Timing) -> Iterable[Planned]:
        """The sweep: what to queue now. Keys in `snap.known` need not be planned again."""
        ...

    def owed(self, snap: Snapshot, facts: Any) -> Iterable[Owed]:
        """The status view: what the person in `snap.scope` owes now."""
        ...

    def applies(self, snap: Snapshot, facts: Any, key: OutboxKey) -> bool | None:
        """Is the queued message under `key` still owed? None: not a key of this rule."""
        ...


@runtime_checkable
class BuildsLater(Protocol):
    """A rule whose queued messages are built when the dispatcher sends them (the outbox
    holds their key alone): what the sweep queues by the thousand. Built then, a message
    also says what is true when it arrives, not when it was queued."""

    async def message_for(
        self, session: AsyncSession, key: OutboxKey, now: datetime
    ) -> Message | None:
        """The message under `key` as of `now`; None: not a key of this rule, or nothing
        is left to say (the dispatcher then cancels it)."""
        ...


@dataclass(slots=True)
class Reference:
    """The part of a sweep's snapshot that changes only with the roster (and the date):
    every placement active on `on`, the calendars, the closures, the review points, and the
    placements partitioned by what decides their local time. The scheduler keeps it between
    sweeps while the roster's stamp stands still."""

    on: date
    views: list[PlacementView]
    calendars: dict[int, ProgrammeCalendar]
    closures: dict[int, list[Span]]
    points: list[ReviewPoint]
    # (time zone, programme, school with days of its own or 0) -> its placements
    partition: dict[tuple[str, int, int], list[PlacementView]] = field(default_factory=dict)
    school_calendars: dict[tuple[int, int], ProgrammeCalendar] = field(default_factory=dict)
    by_id: dict[int, PlacementView] = field(default_factory=dict)


async def load_reference(
    session: AsyncSession, *, on: date, views: list[PlacementView] | None = None
) -> Reference:
    """`views`: the placements when the caller has them already (status); otherwise every
    placement active `on`."""
    ref = Reference(
        on,
        views if views is not None else await q.active_placements(session, on=on),
        await calendar.all_calendars(session),
        await calendar.school_closures(session),
        await q.review_points(session),
    )
    for v in ref.views:
        key = (v.timezone, v.programme_id, v.school_id if v.school_id in ref.closures else 0)
        ref.partition.setdefault(key, []).append(v)
    ref.by_id = {v.id: v for v in ref.views}
    return ref


async def load(
    session: AsyncSession,
    now: datetime,
    *,
    scope: Scope = Scope(),
    today: date | None = None,
    views: list[PlacementView] | None = None,
    local_of: LocalOf | None = None,
    timing: Timing | None = None,
    reference: Reference | None = None,
    unrated: set[tuple[int, int]] | None = None,
    known: set[str] | None = None,
) -> Snapshot:
    """The shared part of a snapshot. `views`: the scope's placements when the caller has
    them already (status); otherwise every placement active today. `local_of` gives each
    (time zone, programme) its local view of now (the sweep's policy decides it).
    `reference`, `unrated` and `known`: what the sweep kept from a minute ago and brought
    up to date (scheduler/memo.py); read here when not given."""
    snap = Snapshot(now, today or now.date(), scope, timing, local_of=local_of)
    if scope.key is not None:
        return snap  # a single item: its rule loads just what it needs
    if reference is None:
        reference = await load_reference(session, on=now.date(), views=views)
    snap.views, snap.calendars = reference.views, reference.calendars
    snap.closures, snap.points = reference.closures, reference.points
    snap.school_calendars, snap.views_by_id = reference.school_calendars, reference.by_id
    for rp in snap.points:
        snap.by_programme.setdefault(rp.programme_id, []).append(rp)
    if unrated is None:
        unrated = await q.unrated(session, on=snap.today, placement_ids=scope.ids())
    snap.unrated = unrated
    if scope.everyone:
        # Review-point nudges may be queued up to sixty days ahead of the point.
        snap.known = (
            known
            if known is not None
            else await q.recent_keys(session, since=now - timedelta(days=KNOWN_DAYS))
        )
    if local_of is not None:
        _group(snap, local_of, reference)
    return snap


# How far back a sweep looks for what it queued already.
KNOWN_DAYS = 70


def _group(snap: Snapshot, local_of: LocalOf, reference: Reference) -> None:
    """One answer per (time zone, programme, calendar), shared by every placement in it."""
    from zoneinfo import ZoneInfo

    for key, views in reference.partition.items():
        here = local_of(snap.now.astimezone(ZoneInfo(key[0])), snap.calendar(views[0]))
        snap.groups[key] = (here, views)
        snap.local.update(dict.fromkeys((v.id for v in views), here))


def status_weeks(today: date) -> tuple[date, date]:
    """The weeks the status view asks about: last week and this week."""
    week = monday_of(today)
    return week - timedelta(days=7), week
