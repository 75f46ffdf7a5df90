"""Column types shared by the tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always stored and returned in UTC.

    SQLite has no time zone type, so without this a value written aware would come
    back naive; every datetime the application sees is aware and in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            raise ValueError("naive datetime given; all stored times must be timezone-aware")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, the stored text in one step: SQLAlchemy's own path (this class's
        conversion, then the dialect's %-formatting) cost a quarter of every row a sweep
        queues. The text is exactly the dialect's, `YYYY-MM-DD HH:MM:SS.ffffff`, so values
        written either way compare and sort alike."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        last: tuple[Any, str] = (None, "")  # a sweep's rows all carry the same moment

        def process(value: Any) -> str | None:
            nonlocal last
            if value is None:
                return None
            seen = last  # one read: another thread may replace it meanwhile
            if value is seen[0]:
                return seen[1]
            if not isinstance(value, datetime):
                raise TypeError(f"expected datetime, got {type(value).__name__}")
            if value.tzinfo is None:
                raise ValueError("naive datetime given; all stored times must be timezone-aware")
            utc = value.astimezone(UTC) if value.utcoffset() else value
            # "YYYY-MM-DD HH:MM:SS.ffffff+00:00" without its offset, now that it is UTC.
            text = utc.isoformat(" ", "microseconds")[:26]
            last = (value, text)
            return text

        return process

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
