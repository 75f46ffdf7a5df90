"""Timestamps on SQLite are written by our own one-step formatting (storage/types.py): the
stored text must be exactly SQLAlchemy's, so rows written before and after compare, sort
and read back alike, whatever zone the value was given in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite.base import DATETIME

from storage.types import UtcDateTime

MOMENTS = [
    datetime(2026, 11, 9, 9, 0, tzinfo=UTC),
    datetime(2026, 11, 9, 9, 0, 0, 123, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, 5, 999999, tzinfo=timezone(timedelta(hours=1))),
    datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("Europe/London")),
    datetime(2026, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))),
]


def test_sqlite_text_is_sqlalchemys_own_for_every_zone():
    dialect = sqlite.dialect()
    ours = UtcDateTime().bind_processor(dialect)
    theirs = DATETIME().bind_processor(dialect)
    assert ours is not None and theirs is not None
    for moment in MOMENTS * 2:  # the second time from the one-value memory
        assert ours(moment) == theirs(moment.astimezone(UTC).replace(tzinfo=None))
    assert ours(None) is None


def test_a_naive_or_wrong_value_is_refused():
    ours = UtcDateTime().bind_processor(sqlite.dialect())
    assert ours is not None
    with pytest.raises(ValueError):
        ours(datetime(2026, 11, 9, 9, 0))
    with pytest.raises(TypeError):
        ours("2026-11-09 09:00:00")
