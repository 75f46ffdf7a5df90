"""Help, "what do I owe?", and the App Home per role.

Everything the scheduler pushes can also be pulled here, each with a button to do it now:
the status view asks every conversation's rule what the person owes, over a snapshot
scoped to their placements (the same decision the sweep makes for everyone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers import owed
from handlers.context import Ctx
from handlers.text import t
from handlers.ui import Actions, Block, Message, Reply, Section
from storage.repo import placements

if TYPE_CHECKING:
    from handlers.registry import Registry


def _registry() -> Registry:
    # The registry collects this package too, so it is looked up when first needed.
    from handlers.registry import REGISTRY

    return REGISTRY


def help_message(prefix: str = "") -> Message:
    """The help text: one line per command the conversations declare. `prefix` is how a
    command is typed where the person is ("/mentor " in Slack, nothing in Teams)."""
    body = "\n".join(_registry().help_lines(prefix))
    return Message(t("help_title"), (Section(body, heading=t("help_title")),))


async def show_help(ctx: Ctx) -> Reply:
    return Reply(message=help_message(ctx.command_prefix))


async def owed_blocks(ctx: Ctx) -> list[Block]:
    """What the actor owes now, as sections each with its buttons: as mentor (their
    trainees active today, in placement order), then as trainee."""
    mine = await placements.for_mentor(ctx.session, mentor_id=ctx.actor.person_id, on=ctx.today)
    as_trainee = await placements.for_trainee(ctx.session, trainee_id=ctx.actor.person_id)
    scope = owed.Scope(
        placement_ids=frozenset(v.id for v in mine),
        trainee_placement_ids=frozenset(p.id for p in as_trainee),
        person_id=ctx.actor.person_id,
    )
    snap = await owed.load(ctx.session, ctx.now, scope=scope, today=ctx.today, views=mine)
    found: list[tuple[tuple[int, int], int, owed.Owed]] = []
    for index, rule in enumerate(_registry().rules()):
        facts = await rule.load(ctx.session, snap)
        found += [(item.order, index, item) for item in rule.owed(snap, facts)]
    found.sort(key=lambda entry: entry[:2])  # stable: each rule keeps its own order
    return [block for _, _, item in found for block in item.blocks]


async def status(ctx: Ctx) -> Reply:
    blocks = await owed_blocks(ctx)
    notes = await record_notes(ctx)
    if not blocks:
        shown = (Section(t("status_nothing")), *notes)
        return Reply(message=Message(t("status_nothing"), shown))
    shown = (Section(t("status_title")), *blocks, *notes)
    return Reply(message=Message(t("status_title"), shown))


async def record_notes(ctx: Ctx) -> list[Block]:
    """What the person has on record (mentor training logged…), from the conversations
    that keep such records, after what they owe."""
    notes: list[Block] = []
    for part in _registry().status_notes(ctx.actor.roles):
        notes.extend(await part(ctx))
    return notes


async def home(ctx: Ctx) -> Message:
    """The App Home / personal tab: help, what the person owes, the buttons of the
    conversations they may start, then each conversation's section for their roles."""
    registry = _registry()
    blocks: list[Block] = list(help_message(ctx.command_prefix).blocks)
    if ctx.actor.roles & {"mentor", "lead_mentor", "trainee", "tutor"}:
        owes = await owed_blocks(ctx)
        blocks.append(
            Section(t("status_title") if owes else t("status_nothing"), heading=t("status_title"))
        )
        blocks.extend(owes)
    buttons = registry.home_buttons(ctx.actor.roles)
    if buttons:
        blocks.append(Actions(buttons))
    for conversation in registry.conversations:
        if conversation.home is not None and ctx.actor.roles & conversation.home_roles:
            blocks.extend(await conversation.home(ctx))
    return Message(t("help_title"), tuple(blocks))
