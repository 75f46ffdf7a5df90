"""Messages for people the platform cannot message yet (Teams: nobody installed the app
for them): held, not dead-lettered; named once in the office's summary and counted by
`mentorbot reach`; sent as soon as their chat is stored. An escalation alert is never held."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from handlers import notify, reach, weekly
from handlers.ports import Address, Delivery
from handlers.ui import Message
from scheduler import undeliverable
from scheduler.dispatch import Dispatcher
from scheduler.offtrack import LEADERSHIP_ZONE
from scheduler.policy import Policy
from storage.db import transaction
from storage.repo import people, placements
from storage.repo import reach as reach_facts
from tests.factories import WEEK, build_world
from tests.test_rollout import (
    NOW,
    Recorder,
    add_person,
    dispatcher,
    escalate,
    fail_for_mentor,
    summaries,
)


async def test_someone_not_connected_yet_is_held_said_once_and_sent_when_they_connect(sessions):
    world = await build_world(sessions, platform="teams")
    await add_person(sessions, "ada.admin@example.org", "admin")
    out = Recorder(platform="teams", unconnected={"mo.mentor@example.org"})
    teams = Dispatcher(sessions, {"teams": out}, clock=lambda: NOW)
    await fail_for_mentor(sessions, world, 3)
    result = await teams.drain()
    assert (result.held, result.dead, result.sent) == (3, 0, 0)
    assert (await teams.drain()).handled == 0  # held rows are not tried again and again
    async with transaction(sessions) as s:
        await undeliverable.summarise(s, NOW + timedelta(minutes=5), zone=LEADERSHIP_ZONE)
    [row] = await summaries(sessions)
    text = str(row.payload)
    assert "Mo Mentor: 3 messages waiting (weekly prompt)" in text
    assert "you are told this once" in text and "pre-install" in text
    # Another prompt held the next week: the office is not told again.
    async with transaction(sessions) as s:
        view = await placements.view(s, placement_id=world.placement_id)
        assert view is not None
        await notify.to_person(
            s,
            key=f"weekly:{world.placement_id}:{WEEK + timedelta(days=7)}",
            kind="weekly_prompt",
            recipient_id=world.mentor_id,
            message=weekly.prompt(view, WEEK + timedelta(days=7)),
            not_before=NOW,
        )
    later = NOW + timedelta(days=7)
    await Dispatcher(sessions, {"teams": out}, clock=lambda: later).drain()
    async with transaction(sessions) as s:
        await undeliverable.summarise(s, later, zone=LEADERSHIP_ZONE)
    assert len(await summaries(sessions)) == 1
    async with sessions() as s:
        mentor = next(p for p in await reach_facts.everyone(s) if p.id == world.mentor_id)
    assessed = reach.assess(mentor, connected={"teams"}, conversation_only={"teams"})
    assert not assessed.can_reach and "4 messages waiting for them" in assessed.why
    # The app is installed for them: the install event stores their chat, which releases
    # what was held, in the same transaction; the dispatcher sends it.
    async with transaction(sessions) as s:
        await people.link_identity(
            s,
            person_id=world.mentor_id,
            platform="teams",
            workspace_id="t1",
            external_id="aad-mo",
            conversation_reference={"conversation": {"id": "a:mo"}},
        )
    sent = await Dispatcher(sessions, {"teams": out}, clock=lambda: later).drain()
    assert sent.sent == 4 and len(out.to("mo.mentor@example.org")) == 4


async def test_an_alert_to_an_itt_lead_not_connected_goes_to_the_other_leads(sessions):
    """An escalation cannot wait for one person to install the app."""
    world = await build_world(sessions)
    await add_person(sessions, "ian.second@example.org", "itt_lead")
    out = Recorder(unconnected={"ida.itt@example.org"})
    await escalate(sessions, world, Policy())
    result = await dispatcher(sessions, out).drain()
    assert result.held == 0 and result.dead == 1
    assert len(out.to("ian.second@example.org")) == 1


async def test_a_chat_stored_while_a_message_was_on_its_way_does_not_leave_it_held(sessions):
    """The install event's transaction commits between the dispatcher reading the
    person's address (no chat yet) and holding the message: it is sent all the same."""
    world = await build_world(sessions, platform="teams")

    @dataclass
    class Racing(Recorder):
        async def send(self, address: Address, message: Message, *, key: str) -> Delivery:
            if not address.reference:
                async with transaction(sessions) as s:
                    await people.link_identity(
                        s,
                        person_id=world.mentor_id,
                        platform="teams",
                        workspace_id="t1",
                        external_id="aad-mo",
                        conversation_reference={"conversation": {"id": "a:mo"}},
                    )
            return await super().send(address, message, key=key)

    out = Racing(platform="teams", unconnected={"mo.mentor@example.org"})
    await fail_for_mentor(sessions, world, 1)
    result = await Dispatcher(sessions, {"teams": out}, clock=lambda: NOW).drain()
    assert (result.held, result.sent) == (1, 1)
    assert len(out.to("mo.mentor@example.org")) == 1
