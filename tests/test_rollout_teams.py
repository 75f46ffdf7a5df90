"""Teams for many tenants: a school's tenant from the roster, or learned from its first
activity and confirmed by the office; activities from tenants not on the list refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.runtime import build_runtime, web_app
from bot.settings import Settings
from scheduler.policy import Policy
from scheduler.sweeps import Sweeper
from storage.db import transaction
from storage.models import ParkedInteraction, Placement, PlatformIdentity, ProcessedEvent, School
from storage.repo import tenants
from tests.factories import NOW, World, build_world
from tests.stubs.bf_connector import ConnectorStub
from tests.teams_harness import BOT, USERS, TeamsHarness, members, text_of

OAK = "11111111-1111-4111-8111-111111111111"
ELM = "22222222-2222-4222-8222-222222222222"
ELSEWHERE = "99999999-9999-4999-8999-999999999999"


@pytest.fixture
async def teams(db_url: str) -> AsyncIterator[tuple[TeamsHarness, World]]:
    stub = await ConnectorStub(members=members()).start()
    settings = Settings(MENTORBOT_TEAMS_ALLOW_ANONYMOUS=True, DATABASE_URL=db_url)
    runtime = await build_runtime(settings, clock=lambda: NOW)
    world = await build_world(runtime.sessions, platform="teams")
    server = TestServer(web_app(runtime, run_dispatcher=False), host="127.0.0.1", port=0)
    await server.start_server()
    async with aiohttp.ClientSession(base_url=server.make_url("")) as http:
        yield TeamsHarness(http, stub, runtime), world
    await server.close()
    await stub.close()


def in_tenant(activity: dict[str, Any], tenant: str) -> dict[str, Any]:
    activity["conversation"]["tenantId"] = tenant
    activity["channelData"]["tenant"]["id"] = tenant
    return activity


async def set_tenants(h: TeamsHarness, world: World, *, oak: str | None, elm: str | None) -> None:
    async with transaction(h.runtime.sessions) as s:
        other = await s.get(Placement, world.other_placement_id)
        assert other is not None
        for school_id, tenant in ((world.school_id, oak), (other.school_id, elm)):
            school = await s.get(School, school_id)
            assert school is not None
            school.teams_tenant_id, school.tenant_confirmed = tenant, tenant is not None


async def school_of(h: TeamsHarness, school_id: int) -> School:
    async with h.runtime.sessions() as s:
        school = await s.get(School, school_id)
        assert school is not None
        return school


async def count(h: TeamsHarness, table: Any) -> int:
    async with h.runtime.sessions() as s:
        return int((await s.execute(select(func.count()).select_from(table))).scalar_one())


async def test_two_allowed_tenants_are_answered_and_a_third_is_refused(teams):
    h, w = teams
    await set_tenants(h, w, oak=OAK, elm=ELM)
    status, _ = await h.post(in_tenant(h.activity("mentor", text="status"), OAK))
    assert status == 200 and h.sent(USERS["mentor"].chat)
    status, _ = await h.post(in_tenant(h.activity("other", text="status"), ELM))
    assert status == 200 and h.sent(USERS["other"].chat)
    identities, events = await count(h, PlatformIdentity), await count(h, ProcessedEvent)

    status, body = await h.post(in_tenant(h.activity("stranger", text="status"), ELSEWHERE))
    assert status == 403 and "tenant not allowed" in body
    refusal = h.sent(USERS["stranger"].chat)
    assert refusal and "not part of the ITT partnership" in text_of(refusal[-1][1])
    # Even someone on the roster, writing from another organisation, is refused.
    status, _ = await h.post(in_tenant(h.activity("mentor", text="status"), ELSEWHERE))
    assert status == 403
    assert await count(h, PlatformIdentity) == identities
    assert await count(h, ProcessedEvent) == events
    assert await count(h, ParkedInteraction) == 0


async def test_a_tenant_is_learned_from_the_first_activity_and_confirmed(teams):
    h, w = teams
    await set_tenants(h, w, oak=None, elm=ELM)
    # A stranger from another tenant while Oak's is unknown: answered (not on the
    # roster), and nothing is learned from them.
    status, _ = await h.post(in_tenant(h.activity("stranger", text="status"), ELSEWHERE))
    assert status == 200
    assert (await school_of(h, w.school_id)).teams_tenant_id is None
    # Oak's Teams admin pre-installs the app for its mentors: the install event is the
    # first activity from Oak's tenant, and it teaches it.
    added = h.activity("mentor", "conversationUpdate", membersAdded=[dict(BOT)])
    status, _ = await h.post(in_tenant(added, OAK))
    assert status == 200
    oak = await school_of(h, w.school_id)
    assert oak.teams_tenant_id == OAK and not oak.tenant_confirmed
    async with transaction(h.runtime.sessions) as s:
        await tenants.confirm(s, school_name=oak.name)
    assert (await school_of(h, w.school_id)).tenant_confirmed
    # Every Teams school now has its tenant: any other is refused.
    status, _ = await h.post(in_tenant(h.activity("stranger", text="status"), ELSEWHERE))
    assert status == 403


async def test_each_tenants_people_get_their_prompts_after_the_schools_preinstall(teams):
    """Two schools in two tenants; each school's Teams admin pre-installed the app (the
    install events give the bot a chat with each person): the sweep's prompts reach both."""
    h, w = teams
    await set_tenants(h, w, oak=OAK, elm=ELM)
    for user, tenant in (("mentor", OAK), ("other", ELM)):
        added = h.activity(user, "conversationUpdate", membersAdded=[dict(BOT)])
        assert (await h.post(in_tenant(added, tenant)))[0] == 200
    await Sweeper(h.runtime.sessions, Policy()).run(NOW)
    await h.runtime.dispatcher.drain()
    for user in ("mentor", "other"):
        prompts = [c for _id, c in h.sent(USERS[user].chat) if "take place?" in text_of(c)]
        assert any("week of Mon 16 Nov 2026" in text_of(c) for c in prompts), user
    async with h.runtime.sessions() as s:
        rows = (
            await s.execute(select(PlatformIdentity.person_id, PlatformIdentity.workspace_id))
        ).all()
    assert (w.mentor_id, OAK) in rows and (w.other_mentor_id, ELM) in rows


async def test_the_providers_own_tenant_stays_open_to_its_itt_leads(teams):
    """An upgraded deployment: its ITT lead was already known in the provider's tenant."""
    h, w = teams
    provider = "55555555-5555-4555-8555-555555555555"
    await set_tenants(h, w, oak=OAK, elm=ELM)
    async with transaction(h.runtime.sessions) as s:
        s.add(
            PlatformIdentity(
                person_id=w.itt_lead_id,
                platform="teams",
                workspace_id=provider,
                external_id=USERS["itt"].aad,
            )
        )
    status, _ = await h.post(in_tenant(h.activity("itt", text="status"), provider))
    assert status == 200
    status, _ = await h.post(in_tenant(h.activity("stranger", text="status"), ELSEWHERE))
    assert status == 403
