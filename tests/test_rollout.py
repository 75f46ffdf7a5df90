"""Rolling out: escalation routes per level, the office's one summary a day of who could
not be reached, and `mentorbot reach`'s assessment. Sent through a recording output
channel (the platforms' own sending is tested with their stubs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.phrases import channel_level
from handlers import notify, reach, weekly
from handlers.context import PlatformUser
from handlers.escalation import raise_escalation, raise_level
from handlers.ports import Address, Delivery, SendError
from handlers.router import Conversations, UseChannel
from handlers.ui import Message
from scheduler import undeliverable
from scheduler.dispatch import Dispatcher
from scheduler.offtrack import LEADERSHIP_ZONE, OffTrack
from scheduler.policy import EscalationRoute, Policy
from storage.db import transaction
from storage.models import (
    Escalation,
    OutboxMessage,
    Person,
    PersonRole,
    PlatformIdentity,
    School,
)
from storage.repo import concerns, placements
from storage.repo import reach as reach_facts
from tests.factories import WEEK, World, build_world

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@dataclass
class Recorder:
    """An output channel that records where each message went; `refuse` maps a person's
    e-mail or a channel id to the error its platform gives."""

    platform: str = "slack"
    sent: list[tuple[str, str]] = field(default_factory=list)  # (to, text)
    refuse: dict[str, str] = field(default_factory=dict)
    # The e-mails of people with no chat yet (Teams: the app not installed for them).
    unconnected: set[str] = field(default_factory=set)

    async def send(self, address: Address, message: Message, *, key: str) -> Delivery:
        to = address.channel_id or address.email or "?"
        if to in self.refuse:
            raise SendError(self.refuse[to], permanent=True)
        if to in self.unconnected and not address.reference:
            raise SendError("teams: not installed for this person", held=True)
        self.sent.append((to, message.text + str(message.blocks)))
        return Delivery(to, f"m{len(self.sent)}")

    async def update(self, channel_id: str, message_id: str, message: Message) -> None:
        return None

    async def already_sent(self, address: Address, *, key: str) -> Delivery | None:
        return None

    def to(self, who: str) -> list[str]:
        return [text for to, text in self.sent if to == who]


async def add_person(sessions: async_sessionmaker[AsyncSession], email: str, *roles: str) -> int:
    async with transaction(sessions) as s:
        person = Person(email=email, full_name=email.split("@")[0].replace(".", " ").title())
        s.add(person)
        await s.flush()
        assert person.id is not None
        for role in roles:
            s.add(PersonRole(person_id=person.id, role=role))
        return person.id


async def set_channel(sessions: async_sessionmaker[AsyncSession], level: int, channel: str) -> None:
    async with transaction(sessions) as s:
        await concerns.set_escalation_target(
            s,
            level=level,
            platform="slack",
            workspace_id="T1",
            channel_id=channel,
            conversation_reference=None,
            set_by_id=None,
        )


async def escalate(
    sessions: async_sessionmaker[AsyncSession], world: World, policy: Policy
) -> Escalation:
    routes = OffTrack(policy).routes
    async with transaction(sessions) as s:
        view = await placements.view(s, placement_id=world.placement_id)
        assert view is not None
        found = await raise_escalation(
            s,
            view=view,
            rule="concern",
            cause_key="concern:1",
            evidence={"concern_id": 1, "category": "wellbeing"},
            now=NOW,
            routes=routes,
        )
        assert found is not None
        return found


async def raise_one_level(
    sessions: async_sessionmaker[AsyncSession], world: World, policy: Policy, escalation_id: int
) -> None:
    async with transaction(sessions) as s:
        view = await placements.view(s, placement_id=world.placement_id)
        e = await s.get(Escalation, escalation_id)
        assert view is not None and e is not None
        await raise_level(
            s, view=view, escalation=e, hours=24, now=NOW, routes=OffTrack(policy).routes
        )


def dispatcher(
    sessions: async_sessionmaker[AsyncSession], out: Recorder, at: datetime = NOW
) -> Dispatcher:
    return Dispatcher(sessions, {"slack": out}, clock=lambda: at)


async def test_with_no_channel_an_escalation_reaches_every_itt_lead_by_dm(sessions):
    world = await build_world(sessions)
    await add_person(sessions, "ian.second@example.org", "itt_lead")
    out = Recorder()
    await escalate(sessions, world, Policy())
    await dispatcher(sessions, out).drain()
    assert len(out.to("ida.itt@example.org")) == 1
    assert len(out.to("ian.second@example.org")) == 1
    assert "Escalation: Tara Trainee" in out.to("ida.itt@example.org")[0]


async def test_level_two_goes_to_its_own_channel_not_the_first(sessions):
    world = await build_world(sessions)
    await set_channel(sessions, 1, "CITT")
    await set_channel(sessions, 2, "CDIRECTOR")
    out = Recorder()
    policy = Policy()
    e = await escalate(sessions, world, policy)
    await dispatcher(sessions, out).drain()
    assert len(out.to("CITT")) == 1 and out.to("CDIRECTOR") == []
    await raise_one_level(sessions, world, policy, e.id or 0)
    await dispatcher(sessions, out).drain()
    assert len(out.to("CITT")) == 1  # not sent again to the channel that did not answer
    assert len(out.to("CDIRECTOR")) == 1 and "raised to level 2" in out.to("CDIRECTOR")[0]
    assert out.to("ida.itt@example.org") == []


async def test_level_two_to_named_people_when_the_policy_says_so(sessions):
    world = await build_world(sessions)
    await add_person(sessions, "dee.director@example.org")
    await set_channel(sessions, 1, "CITT")
    policy = Policy(escalation_routes={2: EscalationRoute(people=["Dee.Director@example.org"])})
    out = Recorder()
    e = await escalate(sessions, world, policy)
    await raise_one_level(sessions, world, policy, e.id or 0)
    await dispatcher(sessions, out).drain()
    assert len(out.to("CITT")) == 1
    assert len(out.to("dee.director@example.org")) == 1
    assert out.to("ida.itt@example.org") == []


async def test_an_alert_the_channel_refuses_goes_to_the_itt_leads(sessions):
    world = await build_world(sessions)
    await set_channel(sessions, 1, "CITT")
    out = Recorder(refuse={"CITT": "slack not_in_channel"})
    await escalate(sessions, world, Policy())
    await dispatcher(sessions, out).drain()
    assert out.to("CITT") == []
    assert len(out.to("ida.itt@example.org")) == 1


async def fail_for_mentor(sessions: async_sessionmaker[AsyncSession], world: World, n: int) -> None:
    async with transaction(sessions) as s:
        view = await placements.view(s, placement_id=world.placement_id)
        assert view is not None
        for i in range(n):
            await notify.to_person(
                s,
                key=f"weekly:{world.placement_id}:{WEEK - timedelta(days=7 * i)}",
                kind="weekly_prompt",
                recipient_id=world.mentor_id,
                message=weekly.prompt(view, WEEK),
                not_before=NOW,
            )


async def summaries(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as s:
        stmt = select(OutboxMessage).where(OutboxMessage.kind == undeliverable.SUMMARY_KIND)
        return list((await s.execute(stmt)).scalars().all())


async def test_many_failures_make_one_summary_a_day_with_the_fix(sessions):
    world = await build_world(sessions)
    await add_person(sessions, "ada.admin@example.org", "admin")
    out = Recorder(refuse={"mo.mentor@example.org": "slack users_not_found"})
    await fail_for_mentor(sessions, world, 8)
    await dispatcher(sessions, out).drain()
    assert out.to("ada.admin@example.org") == []  # no DM per failed message
    for minutes in (1, 2, 30):
        async with transaction(sessions) as s:
            await undeliverable.summarise(s, NOW + timedelta(minutes=minutes), zone=LEADERSHIP_ZONE)
    rows = await summaries(sessions)
    assert len(rows) == 1
    await dispatcher(sessions, out, NOW + timedelta(hours=1)).drain()
    [notice] = out.to("ada.admin@example.org")
    assert "8 messages could not be delivered to 1 person" in notice
    text = str(rows[0].payload)
    assert "Mo Mentor: 8 messages (weekly prompt)" in text
    assert "Fix: correct their e-mail on the roster" in text
    # The next day, with nothing new undelivered, no summary.
    async with transaction(sessions) as s:
        await undeliverable.summarise(s, NOW + timedelta(days=1), zone=LEADERSHIP_ZONE)
    assert len(await summaries(sessions)) == 1


async def test_reach_lists_the_unreachable_with_why_and_the_fix(sessions):
    world = await build_world(sessions, platform="teams")
    out = Recorder(platform="teams")
    async with transaction(sessions) as s:  # the trainee opened the app; the mentor did not
        s.add(
            PlatformIdentity(
                person_id=world.trainee_id,
                platform="teams",
                workspace_id="t1",
                external_id="aad-t",
                conversation_reference={"conversation": {"id": "a:1"}},
            )
        )
    assert out.sent == []
    async with sessions() as s:
        everyone = {p.email: p for p in await reach_facts.everyone(s)}
    assessed = {
        email: reach.assess(p, connected={"teams"}, conversation_only={"teams"})
        for email, p in everyone.items()
    }
    mentor = assessed["mo.mentor@example.org"]
    assert not mentor.can_reach and mentor.school == "Horton Grange Primary"
    assert "not installed" in mentor.why and "pre-install" in mentor.fix
    trainee = assessed["tara.trainee@example.org"]
    assert "tenant" in trainee.why  # reachable only once the school's tenant is known
    offline = reach.assess(
        everyone["mo.mentor@example.org"], connected={"slack"}, conversation_only={"teams"}
    )
    assert "not connected to teams" in offline.why


def test_the_words_choose_the_channel_for_a_level() -> None:
    assert channel_level("use this channel for escalations") == 1
    assert channel_level("Use this channel for  LEVEL 2 escalations.") == 2
    assert channel_level("use this channel for level 9 escalations") is None
    assert channel_level("use this channel for escalations please") is None


async def test_an_itt_lead_chooses_the_level_two_channel_in_chat(sessions):
    await build_world(sessions)

    async def lookup() -> str:
        return "ida.itt@example.org"

    itt = PlatformUser("console", "", "ida.itt@example.org", email_lookup=lookup)
    convo = Conversations(sessions, clock=lambda: NOW)
    reply = await convo.handle(itt, UseChannel("C-DIRECTOR", "T1", level=2))
    assert reply.message is not None and "raised to level 2" in reply.message.text
    async with sessions() as s:
        assert await concerns.escalation_target(s, level=1) is None
        target = await concerns.escalation_target(s, level=2)
    assert target is not None and target.channel_id == "C-DIRECTOR"


def test_the_edges_failures_are_read_into_what_fixes_them() -> None:
    cases = {
        "teams: not installed for this person": reach.Cause.NO_CONVERSATION,
        "mentorbot is not installed in Slack workspace T1: install the app there": (
            reach.Cause.NOT_INSTALLED
        ),
        "the Slack app was uninstalled from workspace Oak: reinstall the app": reach.Cause.REVOKED,
        "slack users_not_found": reach.Cause.NOT_FOUND,
        "no escalation channel set": reach.Cause.NO_CHANNEL,
        "teams connector 502": reach.Cause.REFUSED,
    }
    assert {error: reach.cause_of(error) for error in cases} == cases


async def test_a_school_whose_workspace_never_installed_the_app(sessions):
    world = await build_world(sessions)
    async with transaction(sessions) as s:
        view = await placements.view(s, placement_id=world.placement_id)
        assert view is not None
        school = await s.get(School, view.school_id)
        assert school is not None
        school.slack_team_id = "T0OAK"
    async with sessions() as s:
        mentor = next(p for p in await reach_facts.everyone(s) if p.id == world.mentor_id)
    found = reach.assess(mentor, connected={"slack"}, installed={"T0ELM"})
    assert not found.can_reach and "not installed in the school's chat workspace" in found.why
    assert reach.assess(mentor, connected={"slack"}, installed={"T0OAK"}).can_reach
    assert reach.assess(mentor, connected={"slack"}).can_reach  # one token for all
    # Someone with no school is looked up in every workspace: none installed, none found.
    async with sessions() as s:
        itt = next(p for p in await reach_facts.everyone(s) if p.id == world.itt_lead_id)
    early = reach.assess(
        itt, connected={"slack"}, first_choice="slack", installed=set(), installing="slack"
    )
    assert not early.can_reach and "not installed" in early.why
    later = reach.assess(
        itt, connected={"slack"}, first_choice="slack", installed={"T0OAK"}, installing="slack"
    )
    assert later.can_reach


async def test_one_level_up_never_posts_again_in_the_channel_that_did_not_answer(sessions):
    """A level 2 channel that is level 1's too (chosen before the levels had to differ):
    the raised alert goes to the ITT leads by DM instead."""
    world = await build_world(sessions)
    await set_channel(sessions, 1, "CITT")
    await set_channel(sessions, 2, "CITT")
    out = Recorder()
    policy = Policy()
    e = await escalate(sessions, world, policy)
    await dispatcher(sessions, out).drain()
    await raise_one_level(sessions, world, policy, e.id or 0)
    await dispatcher(sessions, out).drain()
    assert len(out.to("CITT")) == 1
    [raised] = out.to("ida.itt@example.org")
    assert "raised to level 2" in raised


async def test_a_channel_already_taken_by_another_level_is_refused_in_chat(sessions):
    await build_world(sessions)

    async def lookup() -> str:
        return "ida.itt@example.org"

    itt = PlatformUser("console", "", "ida.itt@example.org", email_lookup=lookup)
    convo = Conversations(sessions, clock=lambda: NOW)
    await convo.handle(itt, UseChannel("C-ITT", "T1", level=1))
    reply = await convo.handle(itt, UseChannel("C-ITT", "T1", level=2))
    assert reply.message is not None and "already gets level 1" in reply.message.text
    async with sessions() as s:
        assert await concerns.escalation_target(s, level=2) is None
        level_1 = await concerns.escalation_target(s, level=1)
    assert level_1 is not None and level_1.channel_id == "C-ITT"
