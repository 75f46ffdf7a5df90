"""Turns at writing to a SQLite database: first come, first served, among one process's
connections (storage/sqlite_driver.py takes and gives them back).

SQLite lets one connection write at a time, and its own wait for that lock is a poll:
sleeps of 1 ms growing to 100 ms, with whoever asks at a moment it is free getting it.
Under load the interactive path's statements, done on the event loop's thread without
waiting, asked hundreds of times a second and took the lock back to back, while the
dispatcher's mark of a message sent, polling every 100 ms from its own thread, found it
taken each time and failed after its 5 s ("dispatch failed; will retry", the message left
claimed and possibly sent twice). So a connection takes a turn here before its
transaction's first write and gives it back when the transaction ends: the next in line is
handed the turn at once, and nobody who did not wait can take it while someone waits.
Other processes (a second `serve --workers` worker, a `mentorbot tick`) still meet SQLite's
own wait, as before.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque

# The statements that make Python's sqlite3 open a transaction (its "DML"): the first
# write of a transaction is one of these. Others that write (DDL, a WITH … UPDATE) run on
# their own, under SQLite's own wait, as before.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def writes(operation: object) -> bool:
    """Whether a statement is one that takes SQLite's write lock for its transaction."""
    if not isinstance(operation, str):
        return False
    return operation.lstrip()[:7].upper().startswith(_WRITES)


class WriteTurns:
    """Whose turn it is to write to one database file. A turn is held by a connection
    object, from the first write of its transaction until the transaction ends."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._holder: object | None = None
        self._queue: deque[tuple[object, threading.Event]] = deque()

    def try_take(self, who: object) -> bool:
        """The turn now, if it is free and nobody is waiting for it (never waits)."""
        with self._mutex:
            if self._holder is None and not self._queue:
                self._holder = who
            return self._holder is who

    def take(self, who: object, timeout: float) -> bool:
        """The turn after those already waiting; False if it did not come within
        `timeout` seconds. Blocks: only for a connection's own thread."""
        with self._mutex:
            if self._holder is None and not self._queue:
                self._holder = who
            if self._holder is who:
                return True
            entry = (who, threading.Event())
            self._queue.append(entry)
        if entry[1].wait(timeout):
            return True
        with self._mutex:
            if self._holder is who:  # handed over as the wait ran out
                return True
            self._queue.remove(entry)
            return False

    def give_back(self, who: object) -> None:
        """Hand the turn to the next in line (nothing if `who` does not hold it)."""
        with self._mutex:
            if self._holder is not who:
                return
            if self._queue:
                self._holder, handed = self._queue.popleft()
                handed.set()
            else:
                self._holder = None

    def holder(self) -> object | None:
        return self._holder

    def waiting(self) -> int:
        return len(self._queue)


# One WriteTurns per database file, shared by every engine of the process on that file,
# and gone when no connection to it is left.
_BY_FILE: weakref.WeakValueDictionary[str, WriteTurns] = weakref.WeakValueDictionary()
_BY_FILE_MUTEX = threading.Lock()


def for_file(path: str) -> WriteTurns | None:
    """The turns at writing to the file at `path` (None for a private in-memory database,
    which no other connection can write to)."""
    if not path:
        return None
    with _BY_FILE_MUTEX:
        turns = _BY_FILE.get(path)
        if turns is None:
            turns = _BY_FILE[path] = WriteTurns()
        return turns
