"""What every command shares: settings, running coroutines, and one-line errors.

Start-up stays fast (`mentorbot --help` well under half a second) because the command
modules import nothing heavy at the top: settings (pydantic), the database (SQLAlchemy),
the chat SDKs, the runtime, and even asyncio, rich's progress bar, tempfile and json are
imported inside the commands that use them (tests/test_cli_startup.py checks the list).
Only typer and rich's console are paid up front: typer renders --help with them.
"""

from __future__ import annotations

import sys
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer
from rich.console import Console

if TYPE_CHECKING:
    from bot.settings import Settings
    from scheduler.policy import Policy

T = TypeVar("T")
err_console = Console(stderr=True, highlight=False)


class CliError(Exception):
    """An error the user can act on; printed as one line, exit status 1."""


def explain(exc: BaseException) -> str | None:
    """The one line printed for a failure the user can act on (None: an unexpected one,
    shown with its traceback)."""
    if isinstance(exc, CliError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return _database_failure(exc) if isinstance(exc, Exception) else None


def _database_failure(exc: Exception) -> str | None:
    # The database modules are imported here only when a command had loaded them (one
    # that never touched the database cannot have raised their errors).
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    from storage.db import DatabaseUrlError
    from storage.migrate import DatabaseBehindError

    if isinstance(exc, DatabaseBehindError | DatabaseUrlError):
        return str(exc)
    if isinstance(exc, OperationalError):
        return f"cannot use the database: {exc.orig or exc}".splitlines()[0]
    if isinstance(exc, SQLAlchemyError):
        return f"database error: {type(exc).__name__}"
    return None


def fail(message: str, code: int = 1) -> NoReturn:
    raise CliError(message) if code == 1 else typer.Exit(code)


def load_settings() -> Settings:
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "configuration"
        raise CliError(f"configuration error in {where}: {first['msg']}") from exc


def load_policy(settings: Settings) -> Policy:
    """The policy file in MENTORBOT_POLICY (or the defaults); a bad file is one line."""
    from scheduler import policy as policy_mod

    try:
        return policy_mod.load(settings.policy_file)
    except policy_mod.PolicyError as exc:
        raise CliError(str(exc)) from exc


def run(coro: Coroutine[Any, Any, T]) -> T:
    # asyncio (with ssl and socket) is a tenth of --help's start-up: imported when a
    # command first runs a coroutine.
    import asyncio

    return asyncio.run(coro)
