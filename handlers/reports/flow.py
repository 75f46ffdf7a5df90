"""From chat: `report` and `idp` answer with a signed, expiring link to the page our own
web server renders (handlers/reports/pages.py behind bot/web/reports.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Ctx
from handlers.forms import check
from handlers.reports import links
from handlers.reports.pages import REPORT_ROLES
from handlers.text import say, t
from handlers.ui import Actions, Block, Button, FieldKind, Form, FormField, Message, Reply, Section
from storage.enums import Role
from storage.reports import scope

IDP_FORM = "reports.idp"


def _link_reply(text: str, heading: str) -> Reply:
    return Reply(message=Message(text, (Section(text, heading=heading),)))


async def cohort_link(ctx: Ctx) -> Reply:
    if not ctx.actor.roles & REPORT_ROLES:
        return say("report_not_allowed")
    settings = links.current()
    if settings is None:
        return say("links_off")
    url = settings.make("cohort", person_id=ctx.actor.person_id, now=ctx.now)
    return _link_reply(t("report_link", url=url, hours=settings.hours), t("report_link_heading"))


async def _idp_link(ctx: Ctx, trainee_id: int, name: str) -> Reply:
    settings = links.current()
    if settings is None:
        return say("links_off")
    roles = ctx.actor.roles
    if not await scope.may_see_trainee(ctx.session, ctx.actor.person_id, roles, trainee_id):
        return say("idp_not_allowed")
    url = settings.make("idp", person_id=ctx.actor.person_id, now=ctx.now, target=trainee_id)
    text = t("idp_link", name=name, url=url, hours=settings.hours)
    return _link_reply(text, t("idp_link_heading"))


def _form() -> Form:
    field = FormField("trainee", t("idp_field_trainee"), FieldKind.TEXT, max_length=200)
    return Form(IDP_FORM, t("idp_form_title"), (field,))


async def idp_start(ctx: Ctx) -> Reply:
    """A trainee gets their own IDP at once; anyone else names the trainee."""
    if ctx.actor.roles == frozenset({Role.TRAINEE}):
        return await _idp_link(ctx, ctx.actor.person_id, ctx.actor.name)
    if links.current() is None:
        return say("links_off")
    return Reply(open_form=_form())


async def idp_submit(ctx: Ctx, raw: dict[str, Any]) -> Reply:
    checked = check(_form(), raw, today=ctx.today)
    if not checked.ok:
        return Reply(form_errors=checked.errors)
    reply = await idp_named(ctx, str(checked.values["trainee"]))
    return Reply(close_form=True, message=reply.message)


async def idp_named(ctx: Ctx, query: str) -> Reply:
    """`idp Amira Khan` (or an e-mail): the link for the one trainee it names that the asker
    may see, else what matched."""
    query = query[:200]
    if links.current() is None:
        return say("links_off")
    # Matches across the partnership, then those the asker may see: a wide net, so that
    # other schools' namesakes do not crowd out the asker's own trainee.
    found = await scope.trainees_matching(ctx.session, query, limit=50)
    visible = [
        (pid, name)
        for pid, name in found
        if await scope.may_see_trainee(ctx.session, ctx.actor.person_id, ctx.actor.roles, pid)
    ]
    if not visible:
        return say("idp_no_match", query=query)
    if len(visible) > 1:
        return say("idp_many", query=query, names=", ".join(name for _, name in visible))
    return await _idp_link(ctx, *visible[0])


class ReportInDigest:
    """The lead mentor's digest ends with a button for the cohort report (a fresh link is
    made when it is pressed: a link in the digest itself would expire unread)."""

    async def load(self, session: AsyncSession, *, mentor_ids: set[int], today: date) -> None:
        return None

    def section(self, facts: Any, mentors: Mapping[int, str]) -> list[Block]:
        title = t("report_digest_title")
        button = Button(t("report_button"), "reports.cohort", "-")
        return [Section(t("report_digest_line"), heading=title), Actions((button,))]
