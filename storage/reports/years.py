"""The academic year: 1 September to 31 August, written "2026-27" as schools write it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

_YEAR = re.compile(r"^\s*(\d{4})\s*[-/–]\s*(\d{2}|\d{4})\s*$")
# Years the partnership could hold records for; anything else is a typing slip.
FIRST, LAST = 2000, 2100


class BadYear(ValueError):
    """An academic year that is not written "2026-27" or is not one year long."""

    def __init__(self, text: str, why: str) -> None:
        super().__init__(f"{text!r} is not an academic year: {why} (write it as 2026-27)")


@dataclass(frozen=True, slots=True, order=True)
class AcademicYear:
    first: int  # the calendar year it starts in

    @property
    def start(self) -> date:
        return date(self.first, 9, 1)

    @property
    def end(self) -> date:
        return date(self.first + 1, 8, 31)

    @property
    def label(self) -> str:
        return f"{self.first}-{(self.first + 1) % 100:02d}"

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=UTC)

    @property
    def ends_at(self) -> datetime:
        """The moment after the year (exclusive), in UTC as records are stored."""
        return datetime.combine(date(self.first + 1, 9, 1), time(), tzinfo=UTC)

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> AcademicYear:
        return AcademicYear(self.first - 1)

    def __str__(self) -> str:
        return self.label


def containing(day: date) -> AcademicYear:
    """The academic year a day falls in (September onwards is the next year's)."""
    return AcademicYear(day.year if day.month >= 9 else day.year - 1)


def parse(text: str) -> AcademicYear:
    """ "2026-27" (or "2026-2027", "2026/27"); BadYear for anything else."""
    found = _YEAR.match(text or "")
    if found is None:
        raise BadYear(text, "expected two years joined by a dash")
    first, second = int(found.group(1)), found.group(2)
    after = int(second) if len(second) == 4 else (first + 1) // 100 * 100 + int(second)
    if after != first + 1:
        raise BadYear(text, "the second year must follow the first")
    if not FIRST <= first <= LAST:
        raise BadYear(text, f"years from {FIRST} to {LAST} only")
    return AcademicYear(first)
