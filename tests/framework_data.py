"""A provider's own framework, as an office would write it, for the import and scenario tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

COLUMNS = ("kind", "code", "name", "area", "description", "symbol", "off_track")
CODE = "oak_curriculum"
NAME = "Oak SCITT training curriculum"


def framework_rows() -> list[dict[str, str]]:
    def row(kind: str, code: str, name: str, **more: str) -> dict[str, str]:
        return {"kind": kind, "code": code, "name": name, **more}

    return [
        row("framework", CODE, NAME, description="What our trainees learn, term by term"),
        row("strand", "C1", "Knows the curriculum they teach", area="Curriculum"),
        row("strand", "C2", "Establishes routines and manages behaviour", area="Behaviour"),
        row("strand", "C3", "Adapts teaching, including for pupils with SEND", area="Pedagogy"),
        row(
            "value",
            "met",
            "Minimum expectation met",
            description="Meets what the curriculum expects at this point",
            symbol="✔",
            off_track="no",
        ),
        row(
            "value",
            "not_met",
            "Minimum expectation not met",
            description="Below what the curriculum expects: needs a support plan",
            symbol="✖",
            off_track="yes",
        ),
    ]


def write_framework(path: Path, rows: list[dict[str, str]] | None = None) -> Path:
    from tests.test_import_roster import write_csv

    return write_csv(path, rows if rows is not None else framework_rows(), COLUMNS)


async def import_own_framework(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, programme: str
) -> None:
    """The provider's framework imported and `programme` put on it, as the CLI does."""
    from storage.imports.framework import import_framework
    from storage.imports.framework_csv import read_framework

    checked = read_framework(write_framework(tmp_path / "framework.csv"))
    await import_framework(sessions, checked, programme=programme)
