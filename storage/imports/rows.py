"""What reading a CSV file gives: its rows, its problems, and the errors that refuse it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

# (phase, done, total): how far reading or writing has got, for a progress bar.
Progress = Callable[[str, int, int], None]


class CsvFileError(Exception):
    """The file as a whole cannot be used (missing, unreadable, not UTF-8, empty)."""


@dataclass(frozen=True, slots=True)
class RowError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportRejected(Exception):
    """One or more bad rows: the import is refused and nothing is written."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        order = {name: i for i, name in enumerate(dict.fromkeys(e.file for e in errors))}
        self.errors = sorted(errors, key=lambda e: (order[e.file], e.line))
        super().__init__(f"{len(self.errors)} problems")

    @property
    def files(self) -> list[str]:
        return list(dict.fromkeys(e.file for e in self.errors))

    @property
    def bad_rows(self) -> int:
        return len({(e.file, e.line) for e in self.errors})


@dataclass(frozen=True, slots=True)
class PlacementRow:
    line: int
    trainee_name: str
    trainee_email: str
    mentor_name: str
    mentor_email: str
    lead_mentor_name: str
    lead_mentor_email: str
    school: str
    school_platform: str
    school_timezone: str | None  # None: not given (new schools get DEFAULT_TIMEZONE)
    programme: str
    start_date: date
    end_date: date
    tutor_email: str | None = None  # None: not given (an existing link is kept)


@dataclass(frozen=True, slots=True)
class PersonRow:
    line: int
    name: str
    email: str
    roles: frozenset[str]


@dataclass(frozen=True, slots=True)
class CalendarRow:
    line: int
    programme: str
    kind: str
    name: str
    start_date: date
    end_date: date
    framework: str = ""  # the programme's assessment framework code; "" leaves it as it is


R = TypeVar("R")


@dataclass
class Parsed(Generic[R]):
    """The good rows of one file and the problems found in the others."""

    file: str
    rows: list[R] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
