"""The conversations, collected. Everything that lists commands, buttons, forms, help
lines, App Home parts, command menus or rules reads them from here; nothing is listed by
hand anywhere else. Adding a conversation is adding its package to `REGISTRY`.

The order is the order people see: help lines, App Home buttons and sections, the status
view, and the order the sweep asks the rules (and so queues their messages) in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from handlers import (
    concern,
    digest,
    escalation,
    evaluation,
    observation,
    qa_review,
    quality,
    ratings,
    reports,
    self_evaluation,
    status,
    support,
    targets,
    training,
    tutor,
    weekly,
)
from handlers.conversation import (
    ArgumentRun,
    CohortDigestPart,
    CommandRun,
    CommandSpec,
    Conversation,
    DigestPart,
    HomeSections,
    PressRun,
    SubmitRun,
)
from handlers.owed import Rule
from handlers.text import t
from handlers.ui import Button

V = TypeVar("V")
HELP_WORD = "help"


def _unique(pairs: Iterable[tuple[str, V]], what: str) -> dict[str, V]:
    """A name answered by two conversations would silently lose one of them: refused."""
    out: dict[str, V] = {}
    for name, value in pairs:
        if name in out:
            raise ValueError(f"{what} {name!r} is declared twice")
        out[name] = value
    return out


@dataclass(frozen=True, slots=True)
class Registry:
    conversations: tuple[Conversation, ...]

    def command_specs(self) -> list[CommandSpec]:
        return [c for conversation in self.conversations for c in conversation.commands]

    def commands(self) -> dict[str, CommandRun]:
        """Every typed word (aliases included) the router answers."""
        return _unique(
            (
                (word, spec.run)
                for spec in self.command_specs()
                if spec.run is not None
                for word in (spec.word, *spec.aliases)
            ),
            "command",
        )

    def commands_with_argument(self) -> dict[str, ArgumentRun]:
        """Words that may be followed by text, and what answers them."""
        return _unique(
            (
                (word, spec.with_argument)
                for spec in self.command_specs()
                if spec.with_argument is not None
                for word in (spec.word, *spec.aliases)
            ),
            "command with an argument",
        )

    def presses(self) -> dict[str, PressRun]:
        return _unique((p for c in self.conversations for p in c.presses.items()), "button")

    def submits(self) -> dict[str, SubmitRun]:
        return _unique((s for c in self.conversations for s in c.submits.items()), "form")

    def rules(self) -> list[Rule]:
        return [c.rule for c in self.conversations if c.rule is not None]

    def help_specs(self) -> list[CommandSpec]:
        """Commands with a help line, in order; the help command's own line comes last."""
        shown = [s for s in self.command_specs() if s.help is not None]
        return [s for s in shown if s.word != HELP_WORD] + [s for s in shown if s.word == HELP_WORD]

    def help_lines(self, prefix: str) -> list[str]:
        return [f"*{prefix}{s.word}* – {t(s.help or '')}" for s in self.help_specs()]

    def menu(self, *, team: bool = False) -> list[tuple[str, str]]:
        """(command, description) for a command menu: a personal chat's, or a team
        channel's. The manifests of every platform are filled from these."""
        return [
            (s.word, t(key))
            for s in self.command_specs()
            if (key := s.team_menu if team else s.menu) is not None
        ]

    def home_buttons(self, roles: frozenset[str]) -> tuple[Button, ...]:
        return tuple(
            b.button(t(b.label))
            for c in self.conversations
            for b in c.home_buttons
            if roles & b.roles
        )

    def digest_parts(self) -> list[DigestPart]:
        return [c.digest_part for c in self.conversations if c.digest_part is not None]

    def cohort_digest_parts(self) -> list[CohortDigestPart]:
        return [c.cohort_digest_part for c in self.conversations if c.cohort_digest_part]

    def status_notes(self, roles: frozenset[str]) -> list[HomeSections]:
        return [
            c.status_notes
            for c in self.conversations
            if c.status_notes is not None and roles & c.home_roles
        ]

    def strings(self) -> Mapping[str, Mapping[str, str]]:
        return {c.name: c.strings for c in self.conversations}


REGISTRY = Registry(
    (
        status.CONVERSATION,
        weekly.CONVERSATION,
        targets.CONVERSATION,
        observation.CONVERSATION,
        concern.CONVERSATION,
        ratings.CONVERSATION,
        self_evaluation.CONVERSATION,
        training.CONVERSATION,
        qa_review.CONVERSATION,
        tutor.CONVERSATION,
        evaluation.CONVERSATION,
        quality.CONVERSATION,
        reports.CONVERSATION,
        digest.CONVERSATION,
        escalation.CONVERSATION,
        support.CONVERSATION,
    )
)
