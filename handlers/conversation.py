"""What a conversation package declares: the registry reads these, nothing is listed twice.

A package under `handlers/` exports one `CONVERSATION`: its strings, the commands it
answers (with their help line and command-menu entries), the buttons and forms it
answers, what it adds to the App Home, and the rule for what it makes due (`owed.Rule`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Ctx
from handlers.owed import Rule
from handlers.ui import Block, Button, Reply
from storage.enums import Role
from storage.repo.placements import PlacementView

CommandRun = Callable[[Ctx], Awaitable[Reply]]
ArgumentRun = Callable[[Ctx, str], Awaitable[Reply]]  # ctx, what was typed after the word
PressRun = Callable[[Ctx, str, str], Awaitable[Reply]]  # ctx, action, value
SubmitRun = Callable[[Ctx, str, dict[str, Any], dict[str, Any]], Awaitable[Reply]]
HomeSections = Callable[[Ctx], Awaitable[list[Block]]]


class DigestPart(Protocol):
    """What a conversation adds to the lead mentor's weekly digest, about the mentors in
    the cohort. `load` is called once per sweep for every mentor in every digest due (set-
    based); `section` once per digest, with that cohort's mentors (id -> name)."""

    async def load(self, session: AsyncSession, *, mentor_ids: set[int], today: date) -> Any: ...

    def section(self, facts: Any, mentors: Mapping[int, str]) -> list[Block]: ...


class CohortDigestPart(Protocol):
    """What a conversation adds to the lead mentor's weekly digest, trainee by trainee.
    `load` is called once per sweep for every trainee in every digest due (set-based);
    `section` once per digest, with that lead mentor's cohort (their placements)."""

    async def load(self, session: AsyncSession, *, trainee_ids: set[int], today: date) -> Any: ...

    def section(self, facts: Any, cohort: Sequence[PlacementView]) -> list[Block]: ...


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A typed command (`/mentor observe` in Slack, "observe" in Teams and the console).

    `help`, `menu` and `team_menu` are string keys: the line in the help text, and the
    description in the personal and team command menus of the manifests (None: not
    listed there). `run` is None for a command the edges turn into an interaction of its
    own ("use this channel for escalations" becomes a UseChannel). `with_argument`
    answers the word followed by text ("idp Amira Khan"), as typed (case kept).
    """

    word: str
    run: CommandRun | None
    help: str | None = None
    aliases: tuple[str, ...] = ()
    menu: str | None = None
    team_menu: str | None = None
    # What answers the word followed by more ("idp Amira Khan"); None: only the bare word.
    with_argument: ArgumentRun | None = None


@dataclass(frozen=True, slots=True)
class HomeButton:
    """A button on the App Home, shown to people holding any of `roles`."""

    label: str  # string key
    action: str
    roles: frozenset[Role]
    primary: bool = False

    def button(self, label: str) -> Button:
        from handlers.ui import Style

        return Button(label, self.action, "-", Style.PRIMARY if self.primary else Style.DEFAULT)


@dataclass(frozen=True, slots=True)
class Conversation:
    name: str
    strings: Mapping[str, str]
    commands: tuple[CommandSpec, ...] = ()
    presses: Mapping[str, PressRun] = field(default_factory=dict)
    submits: Mapping[str, SubmitRun] = field(default_factory=dict)
    home_buttons: tuple[HomeButton, ...] = ()
    # Sections of the App Home, for people holding any of `home_roles`.
    home: HomeSections | None = None
    home_roles: frozenset[Role] = frozenset()
    rule: Rule | None = None
    # What the person has on record (not owed), shown on their status view after what
    # they owe, for people holding any of `home_roles`.
    status_notes: HomeSections | None = None
    digest_part: DigestPart | None = None
    cohort_digest_part: CohortDigestPart | None = None
