"""`mentorbot manifest`: the Slack app manifest and the Microsoft Teams upload package."""

from __future__ import annotations

from pathlib import Path

import typer

from bot import slack, teams  # the packages' names only: their SDK modules stay unloaded
from bot.cli.common import CliError

app = typer.Typer(
    help="Make the Slack app manifest and the Teams app package.", no_args_is_help=True
)


@app.command(slack.NAME)
def slack_cmd(
    url: str = typer.Option(
        "",
        "--url",
        help="Public base URL of the bot, https://HOST[:PORT]; Slack calls /slack/events there.",
    ),
    socket_mode: bool = typer.Option(
        False, "--socket-mode", help="Use Socket Mode: no request URLs, --url not needed."
    ),
) -> None:
    """Print the Slack app manifest (JSON) to paste into api.slack.com/apps."""
    import json

    from bot.manifests import slack_manifest

    if not url and not socket_mode:
        raise CliError("give --url https://HOST (the bot's public base URL) or --socket-mode")
    try:
        manifest = slack_manifest(url, socket_mode=socket_mode)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    typer.echo(json.dumps(manifest, indent=2, ensure_ascii=False))


@app.command(teams.NAME)
def teams_cmd(
    app_id: str = typer.Option(..., "--app-id", help="The Azure Bot's Microsoft App ID (a GUID)."),
    host: str = typer.Option(
        ..., "--host", help="The bot's public host name, such as bot.example.org."
    ),
    out: Path = typer.Option(
        Path("mentorbot.zip"), "--out", help="Where to write the app package (.zip)."
    ),
    app_version: str = typer.Option(
        "1.0.0", "--app-version", help="App version; raise it for each update uploaded."
    ),
) -> None:
    """Build the Teams app package (manifest.json and icons) to upload to Teams."""
    from bot.manifests import teams_package

    if out.is_dir():
        raise CliError(f"--out names a folder, not a file: {out}")
    try:
        path = teams_package(app_id, host, out, version=app_version)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    typer.echo(f"wrote {path}")
