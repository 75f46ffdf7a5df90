"""Slack and Microsoft Teams app manifests, filled in from the templates in `manifests/`.

Pure functions: nothing here talks to Slack or Microsoft. The templates are package data,
so these work the same from a checkout and from an installed wheel.
"""

from __future__ import annotations

import json
import re
import zipfile
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from handlers.registry import REGISTRY

SLACK_EVENTS_PATH = "/slack/events"
# Where Slack sends a workspace admin back after approving an OAuth install (bot/slack/oauth.py).
SLACK_REDIRECT_PATH = "/slack/oauth_redirect"
TEAMS_ICONS = ("color.png", "outline.png")

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# The manifest schema's own rule for "version": three dot-separated numbers.
_SEMVER = re.compile(r"(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def _template(package: str) -> dict[str, Any]:
    text = files(package).joinpath("manifest.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _is_hostname(host: str) -> bool:
    """A DNS name (RFC 1123 labels, at most 253 characters) or `localhost`."""
    if not host or len(host) > 253 or not host.isascii():
        return False
    return all(_LABEL.fullmatch(label) for label in host.split("."))


def _check_base_url(base_url: str) -> str:
    """`https://HOST[:PORT]`, with no path, query or fragment; returns it without a final /."""
    what = (
        "the base URL must be https://HOST[:PORT], such as https://bot.example.org "
        f"(got {base_url!r})"
    )
    try:
        parts = urlsplit(base_url.strip())
        port = parts.port  # ValueError when the port is not a number from 0 to 65535
    except ValueError:
        raise ValueError(f"{what}: bad port or host") from None
    if parts.scheme != "https":
        raise ValueError(f"{what}: Slack only calls https URLs")
    if parts.path not in ("", "/") or any(c in base_url for c in "?#"):
        raise ValueError(f"{what}: leave out the path, mentorbot adds {SLACK_EVENTS_PATH}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{what}: no user name or password")
    if not parts.hostname or not _is_hostname(parts.hostname):
        raise ValueError(f"{what}: bad host name")
    if port == 0:
        raise ValueError(f"{what}: bad port")
    return f"https://{parts.hostname}" + (f":{port}" if port is not None else "")


def _slack_commands(manifest: dict[str, Any]) -> None:
    """The slash command's usage hint lists the registry's menu commands."""
    for command in manifest["features"]["slash_commands"]:
        command["usage_hint"] = " | ".join(word for word, _ in REGISTRY.menu())


def _teams_commands(manifest: dict[str, Any]) -> None:
    """The bot's command lists (personal chat and team channel) are the registry's menus."""
    lists = []
    for scope, team in (("personal", False), ("team", True)):
        commands = [{"title": w, "description": d} for w, d in REGISTRY.menu(team=team)]
        if commands:
            lists.append({"scopes": [scope], "commands": commands})
    for bot in manifest["bots"]:
        bot["commandLists"] = lists


def slack_bot_scopes() -> list[str]:
    """The bot scopes the Slack manifest asks for (what an OAuth install asks for too)."""
    scopes: list[str] = _template("manifests.slack")["oauth_config"]["scopes"]["bot"]
    return scopes


def slack_manifest(base_url: str, socket_mode: bool = False) -> dict[str, Any]:
    """The Slack app manifest, with every request URL at `base_url` + /slack/events.

    With `socket_mode`, Slack delivers commands, actions and events over a WebSocket the
    bot opens, so the manifest has no request URLs at all and `base_url` may be empty.
    """
    manifest = _template("manifests.slack")
    _slack_commands(manifest)
    features = manifest["features"]
    settings = manifest["settings"]
    commands = features["slash_commands"]
    interactivity = settings["interactivity"]
    events = settings["event_subscriptions"]
    if base_url:
        # Installing in many workspaces (OAuth) comes back here; unused in single-token mode.
        redirect = _check_base_url(base_url) + SLACK_REDIRECT_PATH
        manifest["oauth_config"]["redirect_urls"] = [redirect]
    if socket_mode:
        settings["socket_mode_enabled"] = True
        for command in commands:
            command.pop("url", None)
        interactivity.pop("request_url", None)
        events.pop("request_url", None)
        return manifest
    url = _check_base_url(base_url) + SLACK_EVENTS_PATH
    settings["socket_mode_enabled"] = False
    for command in commands:
        command["url"] = url
    interactivity["request_url"] = url
    events["request_url"] = url
    return manifest


def _substitute(value: Any, replacements: dict[str, str]) -> Any:
    if isinstance(value, str):
        for placeholder, replacement in replacements.items():
            value = value.replace(placeholder, replacement)
        return value
    if isinstance(value, list):
        return [_substitute(item, replacements) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, replacements) for key, item in value.items()}
    return value


def teams_manifest(app_id: str, host: str, version: str = "1.0.0") -> dict[str, Any]:
    """The Teams app manifest for the bot registered as `app_id`, served at `host`.

    `app_id` is the Microsoft App ID (client ID) of the Azure Bot: a GUID. `host` is the
    bare host name the bot is reached at, such as bot.example.org, without https://.
    """
    app_id = app_id.strip()
    host = host.strip()
    if not _GUID.fullmatch(app_id):
        raise ValueError(
            "the app ID must be the bot's Microsoft App ID, a GUID such as "
            f"00000000-0000-0000-0000-000000000000 (got {app_id!r})"
        )
    if "://" in host or "/" in host or ":" in host or not _is_hostname(host):
        raise ValueError(
            "the host must be a bare host name such as bot.example.org, without https://, "
            f"a port or a path (got {host!r})"
        )
    if not _SEMVER.fullmatch(version):
        raise ValueError(
            f"the app version must be MAJOR.MINOR.PATCH, such as 1.0.0 (got {version!r})"
        )
    replacements = {"{{APP_ID}}": app_id.lower(), "{{HOST}}": host.lower()}
    filled: dict[str, Any] = _substitute(_template("manifests.teams"), replacements)
    _teams_commands(filled)
    filled["version"] = version
    return filled


def teams_package(app_id: str, host: str, out_path: str | Path, version: str = "1.0.0") -> Path:
    """Write the Teams upload package: a zip of manifest.json and the two icons at its root.

    The zip's entries carry a fixed date, so the same inputs give the same bytes.
    """
    manifest = teams_manifest(app_id, host, version)
    out = Path(out_path)
    icons = files("manifests.teams")
    entries: list[tuple[str, bytes]] = [
        ("manifest.json", (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()),
        *((name, icons.joinpath(name).read_bytes()) for name in TEAMS_ICONS),
    ]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out
