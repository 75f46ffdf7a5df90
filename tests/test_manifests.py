"""The Slack manifest and the Teams app package validate against the official schemas."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from PIL import Image
from typer.testing import CliRunner

from bot.cli import app, main
from bot.manifests import slack_manifest, teams_manifest, teams_package

SCHEMAS = Path(__file__).parent / "schemas"
# The project's shared copies, beside the repository when there is one (not in every clone).
SHARED_SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "schemas"
VENDORED = [
    "slack-manifest.schema.1.0.0.json",
    "teams-manifest.schema.1.22.json",
    "adaptive-card-1.5.json",
]

APP_ID = "6f1c3b2a-9d4e-4c1b-8a7f-0123456789ab"
HOST = "mentorbot.example.org"
BASE_URL = "https://mentorbot.example.org"
SLACK_SCOPES = {
    "app_mentions:read",  # "@mentorbot use this channel for escalations"
    "channels:history",  # the same words in a channel the bot is in; checking a sent alert
    "chat:write",
    "commands",
    "groups:history",  # as channels:history, in a private channel
    "im:history",
    "im:write",
    "users:read",
    "users:read.email",
}


@cache
def _schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return data


def _errors(name: str, instance: Any) -> list[str]:
    # Draft 7 for both: the Teams schema says draft-04 but relies on "const" (see README).
    validator = Draft7Validator(_schema(name))
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


def _slack_errors(manifest: dict[str, Any]) -> list[str]:
    return _errors("slack-manifest.schema.1.0.0.json", manifest)


def _teams_errors(manifest: dict[str, Any]) -> list[str]:
    return _errors("teams-manifest.schema.1.22.json", manifest)


def _walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a JSON document, depth first."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from _walk(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, key)


def _pixels(image: Image.Image) -> list[tuple[int, ...]]:
    width, height = image.size
    return [tuple(image.getpixel((x, y))) for y in range(height) for x in range(width)]  # type: ignore[arg-type]


# --- the vendored schemas -----------------------------------------------------------------


@pytest.mark.parametrize("name", VENDORED)
def test_vendored_schema_is_a_valid_schema(name: str) -> None:
    Draft7Validator.check_schema(_schema(name))


@pytest.mark.parametrize("name", VENDORED)
def test_vendored_schema_matches_the_shared_copy(name: str) -> None:
    shared = SHARED_SCHEMAS / name
    if not shared.is_file():
        pytest.skip(f"no shared schemas beside this clone ({SHARED_SCHEMAS})")
    assert (SCHEMAS / name).read_bytes() == shared.read_bytes()


# --- Slack --------------------------------------------------------------------------------


def test_slack_template_is_valid_as_shipped() -> None:
    template = json.loads(files("manifests.slack").joinpath("manifest.json").read_text())
    assert _slack_errors(template) == []
    assert template["_metadata"]["major_version"] == 1


def test_slack_manifest_with_url_is_valid() -> None:
    manifest = slack_manifest(BASE_URL)
    assert _slack_errors(manifest) == []
    url = BASE_URL + "/slack/events"
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/mentor"
    assert command["usage_hint"] == "help | status | observe | concern"
    assert command["url"] == url
    settings = manifest["settings"]
    assert settings["interactivity"] == {"is_enabled": True, "request_url": url}
    assert settings["event_subscriptions"]["request_url"] == url
    assert sorted(settings["event_subscriptions"]["bot_events"]) == [
        "app_home_opened",
        "app_mention",
        "app_uninstalled",  # a workspace that removes the app is no longer sent to
        "message.channels",
        "message.groups",
        "message.im",
        "tokens_revoked",
    ]
    assert manifest["oauth_config"]["redirect_urls"] == [BASE_URL + "/slack/oauth_redirect"]
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == SLACK_SCOPES
    assert "user" not in manifest["oauth_config"]["scopes"]
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"]
    assert manifest["display_information"]["name"] == "mentorbot"
    assert not any("HOST" in v for _, v in _walk(manifest) if isinstance(v, str))


def test_slack_manifest_keeps_a_port_and_drops_a_final_slash() -> None:
    manifest = slack_manifest("https://bot.example.org:8443/")
    assert manifest["settings"]["interactivity"]["request_url"] == (
        "https://bot.example.org:8443/slack/events"
    )


@pytest.mark.parametrize("base_url", ["", BASE_URL])
def test_slack_manifest_in_socket_mode_has_no_request_urls(base_url: str) -> None:
    manifest = slack_manifest(base_url, socket_mode=True)
    assert _slack_errors(manifest) == []
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert [k for k, _ in _walk(manifest) if k in ("url", "request_url")] == []
    assert manifest["settings"]["event_subscriptions"]["bot_events"]


@pytest.mark.parametrize(
    "base_url",
    [
        "",
        "mentorbot.example.org",
        "http://mentorbot.example.org",
        "https://mentorbot.example.org/slack/events",
        "https://mentorbot.example.org/?x=1",
        "https://mentorbot.example.org#top",
        "https://user:secret@mentorbot.example.org",
        "https://mentorbot.example.org:99999",
        "https://mentorbot.example.org:0",
        "https://mentorbot.example.org:port",
        "https://-bad-.example.org",
        "https://",
        "ftp://mentorbot.example.org",
    ],
)
def test_slack_manifest_rejects_a_bad_base_url(base_url: str) -> None:
    with pytest.raises(ValueError, match="base URL must be https://HOST"):
        slack_manifest(base_url)


# --- Teams --------------------------------------------------------------------------------


def test_teams_manifest_is_valid() -> None:
    manifest = teams_manifest(APP_ID, HOST)
    assert _teams_errors(manifest) == []
    assert manifest["manifestVersion"] == "1.22"
    assert manifest["$schema"] == (
        "https://developer.microsoft.com/en-us/json-schemas/teams/v1.22/MicrosoftTeams.schema.json"
    )
    assert manifest["id"] == APP_ID
    assert manifest["version"] == "1.0.0"
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "team"}
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False
    commands = {
        tuple(c["scopes"]): [x["title"] for x in c["commands"]] for c in bot["commandLists"]
    }
    assert commands == {
        ("personal",): ["help", "status", "observe", "concern"],
        ("team",): ["help", "use this channel for escalations"],
    }
    assert manifest["validDomains"] == [HOST]
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert manifest["developer"][key].startswith(f"https://{HOST}/")
    assert manifest["name"] == {"short": "mentorbot", "full": "mentorbot — ITT mentoring"}
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert not any("{{" in v for _, v in _walk(manifest) if isinstance(v, str))


def test_teams_manifest_takes_the_app_version() -> None:
    manifest = teams_manifest(APP_ID.upper(), " Bot.Example.org ", version="2.3.10")
    assert _teams_errors(manifest) == []
    assert manifest["version"] == "2.3.10"
    assert manifest["id"] == APP_ID
    assert manifest["validDomains"] == ["bot.example.org"]


def test_teams_template_differs_from_valid_only_by_its_placeholders() -> None:
    template = json.loads(files("manifests.teams").joinpath("manifest.json").read_text())
    problems = _teams_errors(template)
    assert problems and all(p.split(":")[0] in ("id", "bots/0/botId") for p in problems)


@pytest.mark.parametrize(
    "app_id",
    ["", "{{APP_ID}}", "not-a-guid", APP_ID[:-1], APP_ID + "0", "{" + APP_ID + "}"],
)
def test_teams_manifest_rejects_a_bad_app_id(app_id: str) -> None:
    with pytest.raises(ValueError, match="app ID must be"):
        teams_manifest(app_id, HOST)


@pytest.mark.parametrize(
    "host",
    [
        "",
        "https://mentorbot.example.org",
        "mentorbot.example.org/",
        "mentorbot.example.org:443",
        "mentorbot.example.org/teams",
        "-bad-.example.org",
        "bad host.example.org",
        "mentorbot..example.org",
    ],
)
def test_teams_manifest_rejects_a_bad_host(host: str) -> None:
    with pytest.raises(ValueError, match="host must be a bare host name"):
        teams_manifest(APP_ID, host)


@pytest.mark.parametrize("version", ["", "1", "1.0", "1.0.0-beta", "01.0.0", "v1.0.0"])
def test_teams_manifest_rejects_a_bad_version(version: str) -> None:
    with pytest.raises(ValueError, match=r"MAJOR\.MINOR\.PATCH"):
        teams_manifest(APP_ID, HOST, version=version)


# --- Teams icons and package --------------------------------------------------------------


def _icon(name: str) -> Image.Image:
    return Image.open(io.BytesIO(files("manifests.teams").joinpath(name).read_bytes()))


def test_color_icon_is_192_square_and_opaque() -> None:
    image = _icon("color.png")
    assert image.format == "PNG"
    assert image.size == (192, 192)
    rgba = image.convert("RGBA")
    assert {p[3] for p in _pixels(rgba)} == {255}
    assert len({p[:3] for p in _pixels(rgba)}) > 2  # full colour, not a silhouette


def test_outline_icon_is_32_square_white_on_transparent() -> None:
    image = _icon("outline.png")
    assert image.format == "PNG"
    assert image.size == (32, 32)
    assert image.mode == "RGBA"
    pixels = _pixels(image)
    not_white = [p for p in pixels if p[3] != 0 and p[:3] != (255, 255, 255)]
    assert not_white == []
    assert any(p[3] == 255 for p in pixels)  # there is a shape
    assert any(p[3] == 0 for p in pixels)  # on a transparent background
    corners = [image.getpixel(xy) for xy in [(0, 0), (31, 0), (0, 31), (31, 31)]]
    assert all(c[3] == 0 for c in corners)  # type: ignore[index]


def test_teams_package_holds_the_manifest_and_icons_at_its_root(tmp_path: Path) -> None:
    out = teams_package(APP_ID, HOST, tmp_path / "mentorbot.zip")
    assert out == tmp_path / "mentorbot.zip"
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest == teams_manifest(APP_ID, HOST)
        assert _teams_errors(manifest) == []
        icons = files("manifests.teams")
        for name in ("color.png", "outline.png"):
            assert zf.read(name) == icons.joinpath(name).read_bytes()
        # Every file the manifest names is in the package.
        assert set(manifest["icons"].values()) <= set(zf.namelist())


def test_teams_package_is_reproducible(tmp_path: Path) -> None:
    first = teams_package(APP_ID, HOST, tmp_path / "a.zip").read_bytes()
    second = teams_package(APP_ID, HOST, tmp_path / "b.zip").read_bytes()
    assert first == second


# --- the command line ---------------------------------------------------------------------


runner = CliRunner()


def test_cli_prints_the_slack_manifest() -> None:
    result = runner.invoke(app, ["manifest", "slack", "--url", BASE_URL])
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert manifest == slack_manifest(BASE_URL)
    assert _slack_errors(manifest) == []


def test_cli_prints_the_socket_mode_manifest() -> None:
    result = runner.invoke(app, ["manifest", "slack", "--socket-mode"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["settings"]["socket_mode_enabled"] is True


def test_cli_builds_the_teams_package(tmp_path: Path) -> None:
    out = tmp_path / "pkg.zip"
    args = ["manifest", "teams", "--app-id", APP_ID, "--host", HOST, "--out", str(out)]
    result = runner.invoke(app, [*args, "--app-version", "1.2.3"])
    assert result.exit_code == 0, result.output
    assert str(out) in result.stdout
    with zipfile.ZipFile(out) as zf:
        assert json.loads(zf.read("manifest.json"))["version"] == "1.2.3"


def _run_main(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """The console entry point as a user runs it: its exit status, stdout and stderr."""
    monkeypatch.delenv("MENTORBOT_DEBUG", raising=False)
    monkeypatch.setattr(sys, "argv", ["mentorbot", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    captured = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["slack", "--url", "http://mentorbot.example.org"], "https"),
        (["slack", "--url", "https://mentorbot.example.org/slack/events"], "leave out the path"),
        (["slack"], "--url"),
        (["teams", "--app-id", "not-a-guid", "--host", HOST], "app ID must be"),
        (["teams", "--app-id", APP_ID, "--host", f"https://{HOST}"], "host must be"),
        (["teams", "--app-id", APP_ID, "--host", HOST, "--app-version", "1.0"], "MAJOR"),
    ],
)
def test_cli_errors_are_one_line_and_exit_1(
    args: list[str],
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run_main(["manifest", *args], monkeypatch, capsys)
    assert code == 1
    assert out == ""
    assert err.startswith("error: ") and expected in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no package left behind


def test_cli_error_from_the_installed_command(tmp_path: Path) -> None:
    """The real process: one line on stderr, exit status 1, no traceback."""
    env = {k: v for k, v in os.environ.items() if k != "MENTORBOT_DEBUG"}
    code = "from bot.cli import main; main()"
    args = ["manifest", "teams", "--app-id", "nope", "--host", HOST, "--out", "x.zip"]
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: the app ID must be")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x.zip").exists()


def test_teams_schema_check_is_not_vacuous() -> None:
    """Draft 7 enforces the schema's "const" (a draft-04 validator would pass this)."""
    manifest = teams_manifest(APP_ID, HOST)
    assert _teams_errors({**manifest, "manifestVersion": "1.21"}) != []
    assert _teams_errors({**manifest, "accentColor": "teal"}) != []
