"""What every command shares: settings, running coroutines, and one-line errors."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from bot.settings import Settings
from scheduler import policy as policy_mod

T = TypeVar("T")
err_console = Console(stderr=True, highlight=False)


class CliError(Exception):
    """An error the user can act on; printed as one line, exit status 1."""


def fail(message: str, code: int = 1) -> NoReturn:
    raise CliError(message) if code == 1 else typer.Exit(code)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "configuration"
        raise CliError(f"configuration error in {where}: {first['msg']}") from exc


def load_policy(settings: Settings) -> policy_mod.Policy:
    """The policy file in MENTORBOT_POLICY (or the defaults); a bad file is one line."""
    try:
        return policy_mod.load(settings.policy_file)
    except policy_mod.PolicyError as exc:
        raise CliError(str(exc)) from exc


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)
