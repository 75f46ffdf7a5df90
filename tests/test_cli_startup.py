"""`mentorbot --help` and every command's --help load neither chat SDK, the web server,
the database toolkit, the settings' validation, the templates, the runtime nor even
asyncio: only the commands that use them import them (what keeps `mentorbot --help` quick;
bench/startup_bench.py times it)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = [
    "slack_bolt",
    "slack_sdk",
    "botbuilder",
    "aiohttp",
    "sqlalchemy",
    "alembic",
    "jinja2",
    "pydantic",
    "sqlmodel",
    "bot.runtime",
    "handlers.registry",
    # Cheaper, but together a fifth of --help's start-up: asyncio brings ssl and socket.
    "asyncio",
    "rich.progress",
]

# Every command path of the app (walked, so a new command is covered too), each asked for
# its --help in one process; then which heavy modules that process had loaded.
PROBE = """
import json, sys
import typer
from bot.cli import app

def paths(command, prefix):
    yield prefix
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from paths(sub, [*prefix, name])

asked = []
for path in paths(typer.main.get_command(app), []):
    try:
        app([*path, "--help"], prog_name="mentorbot")
    except SystemExit as exc:
        assert exc.code in (0, None), (path, exc.code)
    asked.append(" ".join(path))
print(json.dumps([asked, sorted(m for m in json.loads(sys.argv[1]) if m in sys.modules)]))
"""


def test_help_of_every_command_imports_nothing_heavy():
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    asked, loaded = json.loads(done.stdout.splitlines()[-1])
    assert {"", "serve", "db upgrade", "import roster", "manifest teams"} <= set(asked)
    assert "Usage: mentorbot serve [OPTIONS]" in done.stdout
    assert loaded == []
