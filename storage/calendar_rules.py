"""Which days and weeks count, from a programme's imported calendar and England's bank
holidays (from the maintained `holidays` package, not a list of our own)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

CLOSED_KINDS = frozenset({"holiday", "inset"})


@lru_cache(maxsize=16)
def bank_holidays(year: int) -> frozenset[date]:
    # Imported at the first use (a sweep), not at every `serve`'s start.
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_bank_holiday(day: date) -> bool:
    return day in bank_holidays(day.year)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class Span:
    kind: str
    start: date
    end: date


@dataclass(slots=True)
class ProgrammeCalendar:
    """Terms, holidays and INSET days of one programme. With no terms imported, every
    week counts as term time (a partnership that has not imported a calendar yet)."""

    spans: list[Span] = field(default_factory=list)
    # Answers are memoised: a sweep asks the same question for every trainee.
    _days: dict[date, bool] = field(default_factory=dict, repr=False)
    _weeks: dict[date, bool] = field(default_factory=dict, repr=False)
    _before: dict[tuple[date, int, date], list[date]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, entries: Iterable[tuple[str, date, date]]) -> ProgrammeCalendar:
        return cls([Span(kind, start, end) for kind, start, end in entries])

    def in_term(self, day: date) -> bool:
        terms = [s for s in self.spans if s.kind == "term"]
        return not terms or any(s.start <= day <= s.end for s in terms)

    def closed(self, day: date) -> bool:
        return any(s.kind in CLOSED_KINDS and s.start <= day <= s.end for s in self.spans)

    def is_school_day(self, day: date) -> bool:
        if day not in self._days:
            self._days[day] = (
                day.weekday() < 5
                and not is_bank_holiday(day)
                and self.in_term(day)
                and not self.closed(day)
            )
        return self._days[day]

    def is_teaching_week(self, week_start: date) -> bool:
        """A week with at least one school day in it."""
        if week_start not in self._weeks:
            self._weeks[week_start] = any(
                self.is_school_day(week_start + timedelta(days=i)) for i in range(5)
            )
        return self._weeks[week_start]

    def teaching_weeks_before(
        self, week_start: date, count: int, *, not_before: date
    ) -> list[date]:
        """The `count` teaching weeks before `week_start`, newest first, none before `not_before`."""
        key = (week_start, count, monday_of(not_before))
        if key not in self._before:
            self._before[key] = self._weeks_before(week_start, count, key[2])
        return list(self._before[key])

    def _weeks_before(self, week_start: date, count: int, first: date) -> list[date]:
        weeks: list[date] = []
        week = week_start - timedelta(days=7)
        while len(weeks) < count and week >= first:
            if self.is_teaching_week(week):
                weeks.append(week)
            week -= timedelta(days=7)
        return weeks
