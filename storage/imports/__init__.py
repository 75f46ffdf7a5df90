"""Roster and calendar imports from CSV: read and check the files, then apply them.

`csvfiles` reads and checks each file, `whole` checks them together (no database); `roster` and `calendar` apply a checked file in
one transaction. Nothing here knows about the command line: progress is a plain callback.
"""

from storage.imports.bulk import Counts, ImportResult
from storage.imports.calendar import import_calendar
from storage.imports.csvfiles import (
    CsvFileError,
    ImportRejected,
    Progress,
    RowError,
    read_calendar,
    read_people,
    read_placements,
)
from storage.imports.roster import import_roster
from storage.imports.whole import Calendar, Roster, build_calendar, build_roster

__all__ = [
    "Calendar",
    "Counts",
    "CsvFileError",
    "ImportRejected",
    "ImportResult",
    "Progress",
    "Roster",
    "RowError",
    "build_calendar",
    "build_roster",
    "import_calendar",
    "import_roster",
    "read_calendar",
    "read_people",
    "read_placements",
]
