"""`mentorbot config`: what is configured and what is missing."""

from __future__ import annotations

import typer

from bot.cli.common import err_console, load_settings

app = typer.Typer(help="Inspect the configuration.", no_args_is_help=True)


@app.command("check")
def check_cmd() -> None:
    """Print each setting (secrets masked) and what each platform still needs."""
    from rich.table import Table

    from bot import platforms
    from bot.config_check import check

    report = check(load_settings())
    table = Table("setting", "value", "note", title="mentorbot configuration")
    for line in report.lines:
        table.add_row(line.name, line.value, line.note)
    from rich.console import Console

    out = Console(highlight=False)
    out.print(table)
    for area, problems in report.problems.items():
        for problem in problems:
            out.print(f"{area}: {problem}")
    if report.usable_platforms:
        out.print("ready: " + ", ".join(report.usable_platforms))
    if not report.works:
        if not report.usable_platforms:
            served = " or the ".join(p.label for p in platforms.PLATFORMS if p.build is not None)
            err_console.print(
                f"error: no chat platform is fully configured; set the {served} settings"
            )
        raise typer.Exit(1)
