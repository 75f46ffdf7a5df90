"""`mentorbot policy example`: the file an admin starts from is every setting at its
default, so copying it changes nothing until they edit it."""

from __future__ import annotations

from pathlib import Path

from scheduler.policy import Policy, load
from scheduler.policy_example import EXAMPLE


def test_the_example_policy_is_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    example, defaults = load(path), Policy()
    # The example spells out each level's escalation route; the defaults leave them implied.
    skip = {"escalation_routes"}
    assert example.model_dump(exclude=skip) == defaults.model_dump(exclude=skip)
    for level in range(1, defaults.escalation_levels + 1):
        assert example.route(level) == defaults.route(level)
