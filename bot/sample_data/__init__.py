"""A small sample partnership shipped with the package: two schools (one on Slack, one on
Teams, each in its own workspace or tenant), six trainees on two programmes (a PGCE on the
Teachers' Standards, a School Direct route on the ITTECF areas: the calendar's framework
column), their mentors and lead
mentors, the ITT leads, and a calendar.

Used by `mentorbot import roster|calendar --sample` and by `mentorbot demo`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

PLACEMENTS = "placements.csv"
PEOPLE = "people.csv"
CALENDAR = "calendar.csv"
# Each school's workspace or tenant and its own closed days (`mentorbot import schools`).
SCHOOLS = "schools.csv"


@contextmanager
def sample_files(*names: str) -> Iterator[list[Path]]:
    """Real paths to the shipped files, for as long as the block runs (even from a zip)."""
    # Here, not at the top: importlib.resources (and tempfile) would be paid by every --help.
    from importlib.resources import as_file, files

    with ExitStack() as stack:
        yield [stack.enter_context(as_file(files(__name__) / name)) for name in names]
