"""`mentorbot`: the command line. Each group lives in its own module."""

from __future__ import annotations

import os
import sys

import typer

from bot import logs
from bot.cli import (
    audit_cmd,
    config_cmd,
    console_cmd,
    db_cmd,
    framework_cmd,
    import_cmd,
    manifest_cmd,
    privacy_cmd,
    quality_cmd,
    report_cmd,
    rollout_cmd,
    scheduler_cmd,
    serve_cmd,
    status_cmd,
)
from bot.cli.common import err_console, explain

app = typer.Typer(
    name="mentorbot",
    help="ITT mentoring in Slack and Microsoft Teams: prompts, ratings, evidence, escalations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db_cmd.app, name="db")
app.add_typer(config_cmd.app, name="config")
app.add_typer(import_cmd.app, name="import")
import_cmd.app.command("schools")(rollout_cmd.import_schools)
import_cmd.app.command("framework")(framework_cmd.import_framework)
app.add_typer(framework_cmd.app, name="framework")
app.command("reach")(rollout_cmd.reach)
app.add_typer(rollout_cmd.school_app, name="school")
app.command("serve")(serve_cmd.serve)
app.command("worker")(scheduler_cmd.worker)
app.command("due")(scheduler_cmd.due)
app.command("tick")(scheduler_cmd.tick)
app.command("status")(status_cmd.status)
app.add_typer(scheduler_cmd.policy_app, name="policy")
app.add_typer(manifest_cmd.app, name="manifest")
app.command("chat")(console_cmd.chat)
app.command("demo")(console_cmd.demo)
app.add_typer(report_cmd.export_app, name="export")
app.add_typer(report_cmd.report_app, name="report")
report_cmd.report_app.command("quality")(quality_cmd.report_quality)
app.add_typer(privacy_cmd.app, name="privacy")
app.command("audit")(audit_cmd.audit)


def main() -> None:
    """Console entry point: every failure is one line on stderr and a non-zero exit."""
    logs.configure(os.environ.get("MENTORBOT_LOG_LEVEL", "WARNING"))
    try:
        app()
    except KeyboardInterrupt:
        _die("interrupted", code=130)
    except Exception as exc:
        message = explain(exc)
        if message is None:
            raise
        _die(message)


def _die(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    if os.environ.get("MENTORBOT_DEBUG"):
        raise
    sys.exit(code)
