"""Read and check a provider's own assessment framework from one CSV file (no database).

One row names the framework, one row per strand (in the order they are rated), one row per
scale value (in the order they are offered); see docs/csv-formats.md. Every problem is
collected with its line, and a file with any problem is refused whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from storage.enums import Scale
from storage.imports.csvfiles import _clean, _read, _Row
from storage.imports.rows import CsvFileError, ImportRejected, RowError
from storage.shipped_frameworks import FrameworkSpec, StrandSpec, ValueSpec

REQUIRED_COLUMNS: tuple[str, ...] = ("kind", "code", "name")
OPTIONAL_COLUMNS: tuple[str, ...] = ("area", "description", "symbol", "off_track")
KINDS: tuple[str, ...] = ("framework", "strand", "value")

# The widths of the columns the values end up in (storage/models/frameworks.py), and what
# keeps a rating step readable in a Slack modal and a Teams card.
MAX_FRAMEWORK_NAME = 200
MAX_STRAND_TITLE = 300
MAX_AREA = 200
MAX_DESCRIPTION = 1000
MAX_LABEL = 60
MAX_MEANING = 300
MAX_SYMBOL = 8
MAX_STRANDS = 40
MAX_VALUES = 7

_FRAMEWORK_CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
_STRAND_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$")
_VALUE_CODE = re.compile(r"^[a-z0-9][a-z0-9_]{0,31}$")
# Codes of the other scales ratings are stored under: a framework may not take them.
RESERVED_CODES = frozenset({Scale.MENTOR_STANDARDS.value, Scale.WELLBEING.value})
# The rating form's own fields, beside one field per strand: a strand may not take their names.
RESERVED_STRANDS = frozenset({"comment", "targets"})
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"", "no", "n", "false", "0"}


@dataclass(frozen=True, slots=True)
class FrameworkFile:
    """A checked framework file: the framework, and the line each strand and value is on."""

    file: str
    spec: FrameworkSpec
    strand_lines: dict[str, int]
    value_lines: dict[str, int]


def read_framework(path: Path) -> FrameworkFile:
    """The framework in `path`, or ImportRejected listing every bad row."""
    name, _columns, rows, header_errors = _read(path, REQUIRED_COLUMNS, OPTIONAL_COLUMNS, None)
    if header_errors:
        raise ImportRejected(header_errors)
    reader = _Reader(name)
    for row in rows:
        reader.add(row)
    return reader.finish()


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[RowError] = []
        self.head: tuple[int, str, str, str] | None = None  # line, code, name, description
        self.strands: list[StrandSpec] = []
        self.values: list[ValueSpec] = []
        self.strand_lines: dict[str, int] = {}
        self.value_lines: dict[str, int] = {}

    def add(self, row: _Row) -> None:
        if not row.errors:
            kind = _clean(row.values.get("kind", "")).lower()
            if kind == "framework":
                self._framework(row)
            elif kind == "strand":
                self._strand(row)
            elif kind == "value":
                self._value(row)
            elif not kind:
                row.error("empty kind")
            else:
                row.error(f"unknown kind {kind!r} (expected {', '.join(KINDS)})")
        self.errors.extend(row.errors)

    def _framework(self, row: _Row) -> None:
        code = _clean(row.values.get("code", ""))
        title = row.text("name", MAX_FRAMEWORK_NAME)
        description = _optional(row, "description", MAX_DESCRIPTION)
        if not _FRAMEWORK_CODE.match(code):
            row.error(
                f"bad framework code {code!r} (2 to 32 lower-case letters, digits or _, "
                "starting with a letter)"
            )
        elif code in RESERVED_CODES:
            row.error(f"framework code {code!r} is reserved for mentorbot's own scales")
        if self.head is not None:
            row.error(f"a second framework row (the framework is named on line {self.head[0]})")
        elif not row.errors:
            self.head = (row.line, code, title, description)

    def _strand(self, row: _Row) -> None:
        code = _clean(row.values.get("code", ""))
        title = row.text("name", MAX_STRAND_TITLE)
        area = _optional(row, "area", MAX_AREA)
        description = _optional(row, "description", MAX_DESCRIPTION)
        if not _STRAND_CODE.match(code):
            row.error(f"bad strand code {code!r} (up to 16 letters, digits, '.', '-' or '_')")
        elif code.lower() in RESERVED_STRANDS:
            row.error(f"strand code {code!r} is the name of the rating form's own field")
        elif code in self.strand_lines:
            row.error(f"duplicate strand {code!r} (already on line {self.strand_lines[code]})")
        for column in ("symbol", "off_track"):
            if _clean(row.values.get(column, "")):
                row.error(f"{column} is for value rows; leave it empty on a strand")
        if not row.errors:
            self.strand_lines[code] = row.line
            self.strands.append(StrandSpec(code, title, area, description))

    def _value(self, row: _Row) -> None:
        code = _clean(row.values.get("code", "")).lower()
        label = row.text("name", MAX_LABEL)
        meaning = _optional(row, "description", MAX_MEANING)
        symbol = row.text("symbol", MAX_SYMBOL)
        off_track = _clean(row.values.get("off_track", "")).lower()
        if not _VALUE_CODE.match(code):
            row.error(f"bad value code {code!r} (up to 32 lower-case letters, digits or _)")
        elif code in self.value_lines:
            row.error(f"duplicate value {code!r} (already on line {self.value_lines[code]})")
        shapes = {v.symbol: v.code for v in self.values}
        if symbol and symbol in shapes:
            row.error(
                f"symbol {symbol!r} is already value {shapes[symbol]!r}'s: each value needs "
                "its own, so the scale never depends on colour"
            )
        if off_track not in _YES | _NO:
            row.error(f"bad off_track {off_track!r} (yes or no)")
        if _clean(row.values.get("area", "")):
            row.error("area is for strand rows; leave it empty on a value")
        if not row.errors:
            self.value_lines[code] = row.line
            self.values.append(ValueSpec(code, label, meaning, symbol, off_track in _YES))

    def finish(self) -> FrameworkFile:
        if self.errors:
            raise ImportRejected(self.errors)
        whole: list[str] = []
        if self.head is None:
            whole.append("no framework row (one row of kind framework gives its code and name)")
        if not self.strands:
            whole.append("no strand rows (at least one strand to rate)")
        elif len(self.strands) > MAX_STRANDS:
            whole.append(f"{len(self.strands)} strands; at most {MAX_STRANDS}")
        if not 2 <= len(self.values) <= MAX_VALUES:
            whole.append(f"{len(self.values)} value rows; a scale has 2 to {MAX_VALUES} values")
        if whole:
            raise CsvFileError(f"{self.file}: " + "; ".join(whole))
        assert self.head is not None
        _line, code, title, description = self.head
        spec = FrameworkSpec(code, title, description, tuple(self.strands), tuple(self.values))
        return FrameworkFile(self.file, spec, self.strand_lines, self.value_lines)


def _optional(row: _Row, column: str, max_len: int) -> str:
    value = _clean(row.values.get(column, ""))
    if len(value) > max_len:
        row.error(f"{column} is longer than {max_len} characters")
    return value
