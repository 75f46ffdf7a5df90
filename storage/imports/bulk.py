"""What both imports share: the result they report and set-based writes in chunks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from storage.imports.csvfiles import Progress

# asyncpg allows at most 32767 bind parameters in one statement; stay well under it
# (and under SQLite's own limit) whatever the driver does with a list of rows.
MAX_PARAMS = 30_000
MAX_ROWS_PER_STATEMENT = 1000


def table(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel table class."""
    name = model.__tablename__
    if not isinstance(name, str):  # pragma: no cover - every table of ours names itself
        raise TypeError(f"{model.__name__} has no table name")
    return SQLModel.metadata.tables[name]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do), per kind of record."""

    action: str
    files: list[str]
    rows: int
    dry_run: bool
    counts: dict[str, Counts] = field(default_factory=dict)

    @property
    def created(self) -> int:
        return sum(c.created for c in self.counts.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.counts.values())

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.counts.values())

    def audit_detail(self) -> dict[str, Any]:
        """Counts and file names only: no personal data goes into the audit log."""
        return {
            "files": list(self.files),
            "rows": self.rows,
            **{entity: c.as_dict() for entity, c in self.counts.items()},
        }


class Writer:
    """Chunked INSERTs and UPDATEs by primary key, reporting progress as rows are written."""

    def __init__(self, session: AsyncSession, total: int, progress: Progress | None) -> None:
        self.session = session
        self.total = total
        self.done = 0
        self.progress = progress

    def _advance(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress("writing", self.done, self.total)

    @staticmethod
    def _chunks(rows: Sequence[Mapping[str, Any]]) -> Iterable[Sequence[Mapping[str, Any]]]:
        width = max(len(rows[0]), 1)
        size = max(1, min(MAX_ROWS_PER_STATEMENT, MAX_PARAMS // width))
        for i in range(0, len(rows), size):
            yield rows[i : i + size]

    async def insert(self, target: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        statement = insert(target)
        for chunk in self._chunks(rows):
            await self.session.execute(statement, list(chunk))
            self._advance(len(chunk))

    async def update(self, target: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """Each row is {"id": …, column: new value, …}; every row names the same columns."""
        if not rows:
            return
        columns = [c for c in rows[0] if c != "id"]
        statement = (
            update(target)
            .where(target.c.id == bindparam("b_id"))
            .values({c: bindparam(f"b_{c}") for c in columns})
        )
        for chunk in self._chunks(rows):
            params = [{f"b_{k}": v for k, v in row.items()} for row in chunk]
            await self.session.execute(statement, params)
            self._advance(len(chunk))
