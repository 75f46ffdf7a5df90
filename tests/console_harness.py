"""Running `mentorbot` in-process with piped standard input, and reading what it printed."""

from __future__ import annotations

import asyncio
import io
import re
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli import main
from storage.db import make_engine, session_factory

T = TypeVar("T")
BOX = re.compile(r"[\u2500-\u257f]+")  # the box-drawing characters of rich's panels and tables


def run_cli(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db_url: str | None,
    *args: str,
    stdin: Sequence[str] = (),
) -> tuple[int, str, str]:
    """`mentorbot ARGS` with `stdin` piped in line by line; (exit status, stdout, stderr)."""
    if db_url is not None:
        monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr(sys, "argv", ["mentorbot", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{line}\n" for line in stdin)))
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), out, err


def flat(text: str) -> str:
    """Terminal output as one line of words: panel borders gone, wrapped lines joined."""
    return " ".join(BOX.sub(" ", text).split())


def query(db_url: str, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def go() -> T:
        engine = make_engine(db_url)
        try:
            async with session_factory(engine)() as session:
                return await fn(session)
        finally:
            await engine.dispose()

    return asyncio.run(go())
