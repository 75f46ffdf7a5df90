"""`mentorbot privacy export|erase|retention`: subject access, erasure and retention.

Heavy modules (the database, the templates) are imported inside the commands so that
`mentorbot --help` stays quick.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from bot.cli.common import CliError, load_settings, run

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.privacy.erase import Erasure

app = typer.Typer(
    help="Data protection: subject access, erasure on request, retention.",
    no_args_is_help=True,
)
out_console = Console(stderr=True, highlight=False)


@contextlib.asynccontextmanager
async def session_scope() -> AsyncIterator[AsyncSession]:
    from storage.db import make_engine, session_factory
    from storage.migrate import ensure_current

    engine = make_engine(load_settings().database_url)
    try:
        await ensure_current(engine)
        async with session_factory(engine)() as session:
            yield session
    finally:
        await engine.dispose()


def _nobody(email: str) -> CliError:
    return CliError(f"nobody with the e-mail {email.strip().lower()!r} is on the roster")


@app.command("export")
def export(
    person: str = typer.Option(..., "--person", help="The person's e-mail address."),
    out: Path = typer.Option(..., "--out", help="The folder to write the files into."),
) -> None:
    """Everything held about one person, in any role: held.json and held.html (and, for a
    trainee, their IDP as idp.json and idp.html)."""
    files = run(_export(person))
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
        out_console.print(f"Written: {out / name}", soft_wrap=True)


async def _export(email: str) -> dict[str, str]:
    from handlers.reports import files, render
    from handlers.reports.held import held_html, held_json
    from storage.privacy.held import find_subject, held_about
    from storage.reports.idp import idp

    now = datetime.now(UTC)
    async with session_scope() as session, session.begin():
        subject = await find_subject(session, email)
        if subject is None:
            raise _nobody(email)
        held = await held_about(session, subject)
        portfolio = await idp(session, trainee_id=subject.id) if subject.placement_ids else None
    written = {
        "held.json": held_json(held, generated_at=now),
        "held.html": held_html(held, generated_at=now, has_idp=portfolio is not None),
    }
    if portfolio is not None:
        written["idp.json"] = files.idp_json(portfolio)
        written["idp.html"] = render.idp_html(portfolio, generated_at=now)
    return written


@app.command("erase")
def erase(
    person: str = typer.Option(..., "--person", help="The person's e-mail address."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would change; change nothing."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    force: bool = typer.Option(
        False, "--force", help="Erase even with an open escalation or support plan."
    ),
) -> None:
    """Erase one person on request: name, e-mail and platform ids go, queued messages to
    them are cancelled, free text naming them is redacted; others' records stay."""
    if not (dry_run or yes):
        typer.confirm(
            f"Erase {person.strip().lower()} from mentorbot? This cannot be undone", abort=True
        )
    erasure = run(_erase(person, force=force, dry_run=dry_run))
    _say_erased(erasure, dry_run=dry_run)


async def _erase(email: str, *, force: bool, dry_run: bool) -> Erasure:
    from storage.privacy.erase import ErasureRefused, erase_person

    async with session_scope() as session:
        try:
            erasure = await erase_person(session, email, force=force, dry_run=dry_run)
        except ErasureRefused as refused:
            raise CliError(
                f"not erased: the person has {refused} (close them first, or use --force)"
            ) from refused
    if erasure is None:
        raise CliError(
            f"nobody with the e-mail {email.strip().lower()!r} is on the roster "
            "(if they were erased already, nothing of it is left to erase)"
        )
    return erasure


def _say_erased(erasure: Erasure, *, dry_run: bool) -> None:
    who = f"person {erasure.person_id}"
    if erasure.already_erased:
        out_console.print(f"{who} was already erased: nothing to do.", soft_wrap=True)
        return
    counts = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in erasure.counts.items())
    verb = "Would erase" if dry_run else "Erased"
    out_console.print(f"{verb} {who} (now shown as {erasure.label!r}); {counts}.", soft_wrap=True)


@app.command("retention")
def retention(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; delete nothing."),
) -> None:
    """Delete the records kept past the policy's retention (years after a placement ends,
    per record kind); the daily scheduler job does the same."""
    counts = run(_retention(dry_run=dry_run))
    listed = ", ".join(f"{kind.replace('_', ' ')}: {n}" for kind, n in counts.items())
    verb = "Would delete" if dry_run else "Deleted"
    out_console.print(
        f"{verb} {sum(counts.values())} record(s) past their retention ({listed}).", soft_wrap=True
    )


async def _retention(*, dry_run: bool) -> dict[str, int]:
    from bot.cli.common import load_policy
    from storage.privacy.retention import apply_retention

    years = load_policy(load_settings()).retention.by_kind()
    async with session_scope() as session:
        return await apply_retention(
            session, years, today=datetime.now(UTC).date(), by="office", dry_run=dry_run
        )
