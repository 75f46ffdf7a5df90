"""`mentorbot import`: roster and calendar CSV files."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Import the roster and the programme calendar from CSV.", no_args_is_help=True
)
