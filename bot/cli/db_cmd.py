"""`mentorbot db`: schema migrations."""

from __future__ import annotations

import typer

from bot.cli.common import load_settings, run

app = typer.Typer(help="Create or upgrade the database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Bring the database schema up to date (creates it when empty)."""
    from storage.db import make_engine
    from storage.migrate import upgrade

    settings = load_settings()

    async def go() -> tuple[str | None, str]:
        engine = make_engine(settings.database_url)
        try:
            return await upgrade(engine)
        finally:
            await engine.dispose()

    before, after = run(go())
    if before == after:
        typer.echo(f"database already at revision {after}")
    else:
        typer.echo(f"database upgraded from {before or 'empty'} to revision {after}")


@app.command("status")
def status_cmd() -> None:
    """Show the database's schema revision and whether it is current."""
    from storage.db import make_engine
    from storage.migrate import current_revision, head_revision

    settings = load_settings()

    async def go() -> str | None:
        engine = make_engine(settings.database_url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    current, head = run(go()), head_revision()
    typer.echo(f"database revision: {current or 'empty'}; this mentorbot needs: {head}")
    if current != head:
        raise typer.Exit(1)
