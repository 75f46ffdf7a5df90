"""Logging for every command: one handler on standard error, and no personal data in what it
writes at any level (issue #10).

Names, e-mail addresses and what people type travel through the SDKs' HTTP bodies and the
database drivers' parameters, and those libraries log them at DEBUG. So the loggers that do
are pinned above DEBUG (their warnings still come through), and a filter on our handler
stops what slips past that, whoever lowered a level again later.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from typing import TextIO

HANDLER_NAME = "mentorbot"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Pinning is not enough on its own: slack_bolt gives each logger it creates the root's level
# explicitly (slack_bolt.AsyncApp logs ack bodies at DEBUG), and SQLAlchemy's echo sets its own.
# Each logger that writes bodies, parameters or rows, found by reading the installed sources
# and by running the flows at DEBUG (tests/test_logs_private.py), and the lowest level at
# which it is safe.
PINNED: dict[str, int] = {
    # Web API request and response bodies, Socket Mode envelopes, webhook bodies.
    "slack_sdk": logging.INFO,
    # Response bodies of acks and the events it skips.
    "slack_bolt": logging.INFO,
    # Bot Framework HTTP bodies (when enable_http_logger is on); exception text at DEBUG.
    "msrest": logging.INFO,
    # Every statement with its parameters, at DEBUG.
    "aiosqlite": logging.INFO,
    # INFO is the echo of every statement, DEBUG adds result rows (hide_parameters does not
    # hide rows); `echo=True` would lower this logger again, hence the filter too.
    "sqlalchemy.engine": logging.WARNING,
}

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_QUERY = re.compile(r"\?[^\s\"]*")
# A report link's token opens the report until it expires: never written to a log.
_REPORT_LINK = re.compile(r"/reports/[^\s\"?]+")


def _pinned_level(name: str) -> int:
    while name:
        if name in PINNED:
            return PINNED[name]
        name = name.rpartition(".")[0]
    return logging.NOTSET


def _scrubbed_traceback(exc: BaseException) -> str:
    """The traceback's frames with each exception's type but not its message: messages quote
    data (a validation error's input, an API error's response body)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        context = None if current.__suppress_context__ else current.__context__
        current = current.__cause__ or context
    parts: list[str] = []
    for i, error in enumerate(reversed(chain)):
        if i:
            parts.append("\nwhich led to:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(error.__traceback__))
        kind = type(error)
        parts.append(f"{kind.__module__}.{kind.__qualname__} (message withheld)\n")
    return "".join(parts).rstrip("\n")


class PrivateFilter(logging.Filter):
    """Drops records below a pinned logger's level; removes e-mail addresses, query strings
    and report-link tokens in access logs, and exception messages from the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < _pinned_level(record.name):
            return False
        try:
            message = record.getMessage()
        except Exception:  # Handler.handleError would print the arguments instead
            message = f"unformattable log record from {record.name}"
        if record.name == "aiohttp.access":
            message = _REPORT_LINK.sub("/reports/…", _QUERY.sub("?…", message))
        message = _EMAIL.sub("<e-mail>", message)
        record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = _scrubbed_traceback(record.exc_info[1])
        return True


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a record comes, not when it was made: a
    handler holding on to a replaced (and closed) stderr fails on every record after."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure(level: int | str, stream: TextIO | None = None) -> None:
    """Log at `level` to `stream` (standard error), replacing what an earlier call set up."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.name == HANDLER_NAME]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.name = HANDLER_NAME
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(PrivateFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for name, pinned in PINNED.items():
        logger = logging.getLogger(name)
        if logger.level < pinned:
            logger.setLevel(pinned)
