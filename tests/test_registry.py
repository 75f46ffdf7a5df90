"""The registry of conversations: everything listed from it is complete and consistent."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest

from bot.console.chat import HELP as CONSOLE_HELP
from bot.manifests import slack_manifest, teams_manifest
from handlers import router
from handlers.conversation import CommandSpec, Conversation
from handlers.registry import REGISTRY, Registry
from handlers.text import CORE, catalogue, merge

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("handlers", "scheduler", "bot")
APP_ID = "6f1c3b2a-9d4e-4c1b-8a7f-0123456789ab"


def _sources(*dirs: str) -> Iterator[tuple[Path, ast.Module]]:
    for folder in dirs:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _calls(name: str, *dirs: str) -> Iterator[tuple[Path, ast.Call]]:
    for path, tree in _sources(*dirs):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called == name:
                    yield path, node


def _literal(call: ast.Call, index: int) -> str | None:
    if len(call.args) > index and isinstance(call.args[index], ast.Constant):
        value = call.args[index].value  # type: ignore[attr-defined]
        return value if isinstance(value, str) else None
    return None


def test_every_package_under_handlers_with_a_conversation_is_registered() -> None:
    declared = {
        path.parent.name
        for path in (ROOT / "handlers").glob("*/__init__.py")
        if "CONVERSATION = " in path.read_text(encoding="utf-8")
    }
    assert declared == {c.name for c in REGISTRY.conversations}


def test_no_two_packages_define_the_same_string() -> None:
    seen: dict[str, str] = {key: "CORE" for key in CORE}
    for conversation in REGISTRY.conversations:
        for key in conversation.strings:
            assert key not in seen, f"{key!r} in both {seen[key]} and {conversation.name}"
            seen[key] = conversation.name
    with pytest.raises(ValueError, match="defined twice"):
        merge({"a": "1"}, {"a": "2"})


def test_every_string_key_used_exists() -> None:
    keys = catalogue()
    used = {
        (path.relative_to(ROOT), key)
        for path, call in _calls("t", *PRODUCT)
        if (key := _literal(call, 0)) is not None
    }
    assert used, "the scan found no t() calls"
    # bot/ also calls a local t() for payload fields; only the handlers' t is checked there.
    missing = [
        (str(path), key)
        for path, key in used
        if key not in keys and not _is_payload_lookup(path, key)
    ]
    assert missing == []
    for spec in REGISTRY.command_specs():
        for key in (spec.help, spec.menu, spec.team_menu):
            assert key is None or key in keys, (spec.word, key)
    for conversation in REGISTRY.conversations:
        for button in conversation.home_buttons:
            assert button.label in keys


def _is_payload_lookup(path: Path, key: str) -> bool:
    """bot/slack and bot/teams read payloads with a helper also called t()."""
    text = (ROOT / path).read_text(encoding="utf-8")
    return path.parts[0] == "bot" and "from handlers.text import t" not in text


def test_no_string_is_looked_up_when_a_module_is_imported() -> None:
    """Strings are looked up when a message is made, so the catalogue (which needs every
    package imported) is never asked for while packages are still loading."""
    for path, tree in _sources("handlers"):
        for node in tree.body:
            for inner in ast.walk(node):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    break
                if isinstance(inner, ast.Call) and getattr(inner.func, "id", None) == "t":
                    pytest.fail(f"{path.relative_to(ROOT)}:{inner.lineno} calls t() at import")


def test_every_command_has_a_help_line() -> None:
    for spec in REGISTRY.command_specs():
        if spec.run is not None:
            assert spec.help is not None, spec.word
    lines = REGISTRY.help_lines("/mentor ")
    words = [s.word for s in REGISTRY.help_specs()]
    assert words[-1] == "help" and len(lines) == len(words)
    assert all(line.startswith(f"*/mentor {w}* – ") for line, w in zip(lines, words, strict=True))


def test_every_button_and_form_in_the_handlers_is_answered() -> None:
    actions = {
        action
        for name in ("Button", "HomeButton")
        for _, call in _calls(name, "handlers")
        if (action := _literal(call, 1)) is not None
    }
    assert actions, "the scan found no buttons"
    assert actions - set(router.PRESSES) == set()
    forms = {form for _, call in _calls("Form", "handlers") if (form := _literal(call, 0))}
    assert forms and forms - set(router.SUBMITS) == set()


def test_the_router_answers_exactly_the_registry() -> None:
    assert router.COMMANDS == REGISTRY.commands()
    assert set(router.PRESSES) == set(REGISTRY.presses()) | {"command.run"}
    assert router.SUBMITS == REGISTRY.submits()


def test_a_name_declared_twice_is_refused() -> None:
    async def run(_ctx: object) -> object:
        raise AssertionError

    one = Conversation("a", {}, commands=(CommandSpec("x", run, help="h"),))  # type: ignore[arg-type]
    two = Conversation("b", {}, commands=(CommandSpec("x", run, help="h"),))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="declared twice"):
        Registry((one, two)).commands()


def test_manifests_command_lists_are_the_registry_menus() -> None:
    menu, team = REGISTRY.menu(), REGISTRY.menu(team=True)
    (command,) = slack_manifest("https://bot.example.org")["features"]["slash_commands"]
    assert command["usage_hint"] == " | ".join(word for word, _ in menu)
    lists = teams_manifest(APP_ID, "bot.example.org")["bots"][0]["commandLists"]
    as_pairs = {
        tuple(entry["scopes"]): [(c["title"], c["description"]) for c in entry["commands"]]
        for entry in lists
    }
    assert as_pairs == {("personal",): menu, ("team",): team}
    # The shipped templates say the same, so a reader of manifests/ is not misled.
    slack = json.loads(files("manifests.slack").joinpath("manifest.json").read_text())
    assert slack["features"]["slash_commands"][0]["usage_hint"] == command["usage_hint"]
    shipped = json.loads(files("manifests.teams").joinpath("manifest.json").read_text())
    assert shipped["bots"][0]["commandLists"] == lists


def test_console_help_lists_the_registry_commands() -> None:
    words = ", ".join(s.word for s in REGISTRY.help_specs())
    assert f"the bot: {words}." in CONSOLE_HELP


def test_handlers_and_scheduler_name_no_platform() -> None:
    for path, tree in _sources("handlers", "scheduler"):
        if path.name == "dispatch.py":
            continue  # the dispatcher's rate limits move to the platform descriptors
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in ("slack", "teams", "/mentor "):
                pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} names {node.value!r}")
