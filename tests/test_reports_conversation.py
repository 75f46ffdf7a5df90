"""`report` and `idp` through the neutral layer: who gets a link to what, and who is told
no; the Cohort report button on the App Home and in the lead mentor's digest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.config_check import check
from bot.settings import Settings
from handlers.reports import links
from handlers.reports.flow import ReportInDigest
from handlers.router import Command, Conversations, Press, Submit
from handlers.ui import Actions
from storage.db import session_factory
from tests.factories import NOW, build_world
from tests.test_conversations import ITT, MENTOR, TRAINEE, user

LEAD = user("lee.lead@example.org")
SECRET = b"conversation-secret-0123456789"


@pytest.fixture
def linked() -> Iterator[links.LinkSettings]:
    settings = links.LinkSettings(SECRET, "https://bot.example.org", timedelta(hours=24))
    links.configure(settings)
    yield settings
    links.configure(None)


@pytest.fixture
async def convo(sqlite_url):
    from storage.db import make_engine

    engine = make_engine(sqlite_url)
    sessions = session_factory(engine)
    world = await build_world(sessions)
    yield Conversations(sessions, clock=lambda: NOW), world
    await engine.dispose()


def _grant(text: str) -> links.Grant:
    token = text.split("https://bot.example.org/reports/", 1)[1].split()[0]
    grant = links.verify(token, SECRET, now=NOW)
    assert grant is not None
    return grant


async def test_a_lead_mentor_gets_a_cohort_link_and_a_mentor_is_told_who_can(convo, linked):
    c, w = convo
    reply = await c.handle(LEAD, Command("report"))
    assert reply.message is not None and "24 hours" in reply.message.text
    grant = _grant(reply.message.text)
    assert (grant.kind, grant.person_id) == ("cohort", w.lead_id)
    assert grant.expires == int((NOW + timedelta(hours=24)).timestamp())
    pressed = await c.handle(LEAD, Press("reports.cohort", "-"))
    assert pressed.message is not None and _grant(pressed.message.text).kind == "cohort"
    refused = await c.handle(MENTOR, Command("report"))
    assert refused.message is not None and "for lead mentors" in refused.message.text
    assert "https://" not in refused.message.text


async def test_a_trainee_gets_their_own_idp_at_once(convo, linked):
    c, w = convo
    reply = await c.handle(TRAINEE, Command("idp"))
    assert reply.message is not None and "Tara Trainee's IDP" in reply.message.text
    grant = _grant(reply.message.text)
    assert (grant.kind, grant.person_id, grant.target) == ("idp", w.trainee_id, w.trainee_id)


async def test_a_mentor_names_the_trainee_and_only_their_own_are_found(convo, linked):
    c, w = convo
    form = await c.handle(MENTOR, Command("idp"))
    assert form.open_form is not None and form.open_form.form_id == "reports.idp"
    done = await c.handle(MENTOR, Submit("reports.idp", {"trainee": "tara"}))
    assert done.close_form and done.message is not None
    assert _grant(done.message.text).target == w.trainee_id
    other = await c.handle(MENTOR, Submit("reports.idp", {"trainee": "oli.other@example.org"}))
    assert other.message is not None and "can't find a trainee" in other.message.text
    anyone = await c.handle(ITT, Submit("reports.idp", {"trainee": "oli.other@example.org"}))
    assert anyone.message is not None and _grant(anyone.message.text).target == w.other_trainee_id


async def test_idp_followed_by_a_name_answers_in_one_line(convo, linked):
    c, w = convo
    reply = await c.handle(MENTOR, Command("idp Tara Trainee"))
    assert reply.message is not None and reply.open_form is None
    assert _grant(reply.message.text).target == w.trainee_id
    other = await c.handle(MENTOR, Command("IDP oli.other@example.org"))
    assert other.message is not None and "can't find a trainee" in other.message.text
    unknown = await c.handle(MENTOR, Command("observe Tara"))  # no argument taken
    assert unknown.message is not None and "don't know" in unknown.message.text.lower()


async def test_without_a_secret_the_bot_says_links_are_off(convo):
    c, _ = convo
    links.configure(None)
    for who, command in ((LEAD, "report"), (TRAINEE, "idp"), (MENTOR, "idp")):
        reply = await c.handle(who, Command(command))
        assert reply.message is not None and "MENTORBOT_LINK_SECRET" in reply.message.text


async def test_the_cohort_report_button_on_the_home_and_in_the_digest(convo):
    c, _ = convo

    def labels(message) -> list[str]:  # type: ignore[no-untyped-def]
        return [
            b.label for block in message.blocks if isinstance(block, Actions) for b in block.buttons
        ]

    assert "Cohort report" in labels(await c.home(LEAD))
    assert "Cohort report" not in labels(await c.home(MENTOR))
    assert "Cohort report" not in labels(await c.home(TRAINEE))
    blocks = ReportInDigest().section(None, {})
    assert [b.action for block in blocks if isinstance(block, Actions) for b in block.buttons] == [
        "reports.cohort"
    ]


def test_config_check_shows_the_link_settings():
    off = {line.name: line for line in check(Settings.model_construct()).lines}
    assert "links are off" in off["MENTORBOT_LINK_SECRET"].note
    on = check(
        Settings(MENTORBOT_LINK_SECRET="s" * 32, MENTORBOT_PUBLIC_URL="https://bot.example.org")
    )
    lines = {line.name: line for line in on.lines}
    assert (
        lines["MENTORBOT_LINK_SECRET"].value == "****ssss"
        and not lines["MENTORBOT_LINK_SECRET"].note
    )
    assert lines["MENTORBOT_LINK_HOURS"].value == "24"
    short = check(Settings(MENTORBOT_LINK_SECRET="abc", MENTORBOT_PUBLIC_URL="https://x.org"))
    assert (
        "at least 16 characters" in {x.name: x for x in short.lines}["MENTORBOT_LINK_SECRET"].note
    )
