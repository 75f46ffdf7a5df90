"""The console's simulated clock, and the durations and moments people type for it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_PART = re.compile(r"(\d+)\s*([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
MAX_ADVANCE = timedelta(days=120)


class SimClock:
    """A clock that only moves when told to; handlers, sweeps and dispatcher all read it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


def parse_duration(text: str) -> timedelta | None:
    """ "3d", "2h", "30m" or "1d 2h"; None when it is not a duration or is out of range."""
    raw = text.strip().lower().replace(" ", "")
    parts = _PART.findall(raw)
    if not raw or "".join(f"{n}{u}" for n, u in parts) != raw:
        return None
    delta = timedelta()
    for number, unit in parts:
        delta += timedelta(**{_UNITS[unit]: int(number)})
    return delta if timedelta(0) < delta <= MAX_ADVANCE else None


def parse_moment(text: str, zone: ZoneInfo = LONDON) -> datetime:
    """An ISO date (09:00 that day) or date-time; school-local when no offset is given.

    Raises ValueError for anything else."""
    raw = text.strip()
    if len(raw) == 10:
        day = date.fromisoformat(raw)
        return datetime.combine(day, time(9, 0), zone).astimezone(UTC)
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def local(moment: datetime, zone: ZoneInfo = LONDON) -> datetime:
    return moment.astimezone(zone)


def when_text(moment: datetime, zone: ZoneInfo = LONDON) -> str:
    """ "Mon 7 Sep 09:00": short enough for a card's corner."""
    return local(moment, zone).strftime("%a %-d %b %H:%M")


def long_when(moment: datetime, zone: ZoneInfo = LONDON) -> str:
    return local(moment, zone).strftime("%a %-d %b %Y %H:%M")
