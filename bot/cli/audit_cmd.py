"""`mentorbot audit`: who did what and when, from the append-only audit log, with names
looked up as it is shown (the log holds ids only)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING

import typer

from bot.cli.common import CliError, run

if TYPE_CHECKING:
    from storage.privacy.audit import AuditLine

HEADER = ("when", "by", "action", "record", "about", "detail")


class AuditFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"


def audit(
    person: str | None = typer.Option(
        None, "--person", help="Only entries by or about this person (e-mail address)."
    ),
    since: str | None = typer.Option(
        None, "--since", help="Only entries from this day (YYYY-MM-DD)."
    ),
    fmt: AuditFormat = typer.Option(AuditFormat.TABLE, "--format", help="table or csv."),
) -> None:
    """Who did what and when: the audit log, readable."""
    start = _day(since) if since else None
    lines = run(_lines(person, start))
    if fmt is AuditFormat.CSV:
        typer.echo(_csv(lines), nl=False)
    else:
        _table(lines)


def _day(text: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text.strip()), time(0), tzinfo=UTC)
    except ValueError as exc:
        raise CliError(f"--since: not a date (YYYY-MM-DD): {text!r}") from exc


async def _lines(email: str | None, since: datetime | None) -> list[AuditLine]:
    from bot.cli.privacy_cmd import session_scope
    from storage.privacy.audit import audit_lines
    from storage.privacy.held import find_subject

    async with session_scope() as session:
        subject = None
        if email is not None:
            subject = await find_subject(session, email)
            if subject is None:
                raise CliError(f"nobody with the e-mail {email.strip().lower()!r} is on the roster")
        return await audit_lines(session, subject=subject, since=since)


def _cells(line: AuditLine) -> tuple[str, ...]:
    import json

    detail = json.dumps(line.detail, ensure_ascii=False, sort_keys=True) if line.detail else ""
    when = line.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return (when, line.by, line.action, line.record, line.about, detail)


def _csv(lines: list[AuditLine]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(_cells(line) for line in lines)
    return out.getvalue()


def _table(lines: list[AuditLine]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Audit log ({len(lines)} entries, UTC)")
    for name in HEADER:
        # The detail is the one column that may wrap: the rest stay readable in a line.
        table.add_column(name.capitalize(), no_wrap=name != "detail", overflow="fold")
    for line in lines:
        table.add_row(*_cells(line))
    Console(highlight=False).print(table)
