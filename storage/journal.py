"""A file of its own for parked interactions the database could not take in time.

Parking writes to the database before the platform is acknowledged. When the database is
so busy that the write has not committed within the edge's wait, what the person did is
appended here instead (flushed to disk first), and moved into the database once it can
take it. Each process has its own file in the journal folder, locked for as long as the
process lives; at start a process replays every file no live process holds, so an
interaction acknowledged just before a crash is handled after the restart.

Lines are JSON objects (the parked rows); the file is emptied once all its rows are in
the database. The database insert ignores a key it already holds, so a row written both
here and there (a slow commit that did land) is kept once.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)


class ParkJournal:
    """This process's journal file. `folder=None`: no journal (tests of other things)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._file: IO[str] | None = None
        self._pending: list[dict[str, Any]] = []
        self._flushing: asyncio.Task[None] | None = None
        self.keys: set[str] = set()  # journaled rows not yet known to be in the database

    @property
    def path(self) -> Path | None:
        return None if self.folder is None else self.folder / f"parked-{os.getpid()}.jsonl"

    async def append(self, rows: Iterable[dict[str, Any]]) -> None:
        """Returns once the rows are on disk. Appends arriving together share one flush."""
        rows = list(rows)
        if self.folder is None or not rows:
            raise OSError("no park journal configured")
        self._pending.extend(rows)
        self.keys.update(str(row["event_key"]) for row in rows)
        while self._flushing is not None and not self._flushing.done():
            await asyncio.shield(self._flushing)
            mine = {id(row) for row in rows}
            if not any(id(row) in mine for row in self._pending):
                return  # written by the flush that just finished
        self._flushing = asyncio.create_task(self._flush())
        await asyncio.shield(self._flushing)

    async def _flush(self) -> None:
        batch, self._pending = self._pending, []
        await asyncio.to_thread(self._write, batch)

    def _write(self, rows: list[dict[str, Any]]) -> None:
        handle = self._open()
        handle.write("".join(json.dumps(row, default=str) + "\n" for row in rows))
        handle.flush()
        os.fsync(handle.fileno())

    def _open(self) -> IO[str]:
        if self._file is None:
            assert self.folder is not None and self.path is not None
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            # What people typed: readable by the bot's own user only.
            descriptor = os.open(self.path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
            self._file = os.fdopen(descriptor, "a", encoding="utf-8")
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return self._file

    def committed(self, keys: Iterable[str]) -> None:
        """These keys are in the database now; the file is emptied once all of its are."""
        if not self.keys:
            return
        self.keys.difference_update(keys)
        if not self.keys and not self._pending and self._file is not None:
            self._file.truncate(0)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def orphaned_rows(folder: Path | None) -> list[tuple[Path, list[dict[str, Any]]]]:
    """Rows of journal files no live process holds (left by a process that stopped)."""
    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("parked-*.jsonl")):
        with contextlib.suppress(OSError), path.open(encoding="utf-8") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                continue  # a live process's own journal
            found.append((path, list(_rows(handle, path))))
    return found


def _rows(lines: Iterable[str], path: Path) -> Iterable[dict[str, Any]]:
    for number, line in enumerate(lines, 1):
        try:
            row = json.loads(line)
        except ValueError:
            # A line cut short by a crash mid-write was never acknowledged to anyone.
            log.warning("park journal %s line %d unreadable; skipped", path.name, number)
            continue
        if isinstance(row, dict) and "event_key" in row:
            yield row


def forget(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
