"""`mentorbot chat` and `mentorbot demo`: the console edge, with no Slack, Teams or network."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from bot.cli.common import CliError, load_policy, load_settings, run


def chat(
    email: str = typer.Option(
        ..., "--as", metavar="EMAIL", help="Who you are: an e-mail address on the roster."
    ),
    at: str | None = typer.Option(
        None,
        "--at",
        metavar="WHEN",
        help="Start the simulated clock here: an ISO date (09:00 that day) or date-time, "
        "school-local unless it has an offset. Default: now.",
    ),
) -> None:
    """Talk to mentorbot in this terminal as someone on the roster (DATABASE_URL).

    Type status, observe, concern, rate or help; a number presses a button; /as EMAIL switches person; /advance 3d moves the simulated clock and sends what falls due; /help; /quit. Reads piped standard input too, so a session can be scripted.
    """
    from bot import platforms
    from bot.console.chat import run_chat
    from bot.console.clock import parse_moment
    from bot.console.render import make_console

    settings = load_settings()
    try:
        start = parse_moment(at) if at else datetime.now(UTC)
    except ValueError:
        raise CliError(
            f"--at {at!r} is not an ISO date or date-time (e.g. 2026-10-05 or 2026-10-05T10:00)"
        ) from None
    live = " or ".join(p.label for p in platforms.enabled(settings))
    run(
        run_chat(
            settings,
            email=email,
            start=start,
            console=make_console(),
            policy=load_policy(settings),
            live_warning=live or None,
        )
    )


def demo(
    keep: Path | None = typer.Option(
        None,
        "--keep",
        metavar="PATH",
        help="Keep the demo database as this new SQLite file, to continue with "
        "`mentorbot chat` or `mentorbot serve` (DATABASE_URL=sqlite:///PATH).",
    ),
) -> None:
    """Replay half a term offline, through the real scheduler and handlers.

    Weekly prompts and sign-offs, reminders, review-point ratings, observation feedback, a concern, escalations to the ITT team, a support plan moving to cause for concern and lead mentors' digests, each message shown as its recipient would see it. Uses a fresh database of its own (never DATABASE_URL) made from the sample data.
    """
    from rich.text import Text

    from bot.console.demo import run_demo
    from bot.console.render import make_console
    from bot.console.story import BEN, LAST_DAY

    console = make_console()
    if keep is not None:
        if keep.exists():
            raise CliError(f"{keep} already exists; give --keep a new file name")
        if not keep.parent.is_dir():
            raise CliError(f"{keep.parent} is not a directory")
        path = keep.resolve()
        url = f"sqlite:///{path}"
        seconds = run(run_demo(url, console))
        console.print(Text(f"The demo database is kept at {path}. Carry on with:", style="bold"))
        command = f"DATABASE_URL={url} mentorbot chat --as {BEN} --at {LAST_DAY.isoformat()}T15:00"
        console.print(Text(f"  {command}"), soft_wrap=True)  # whole, to copy and paste
    else:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="mentorbot-demo-") as tmp:
            seconds = run(run_demo(f"sqlite:///{Path(tmp) / 'demo.db'}", console))
    console.print(Text(f"Demo finished in {seconds:.1f} s.", style="dim"))
