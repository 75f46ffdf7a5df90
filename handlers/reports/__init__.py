"""Conversation: evidence out. `report` (lead mentors, ITT leads, admins) and `idp`
answer with a signed, expiring link to a report page; the App Home and the lead mentor's
digest have a "Cohort report" button. The pages and files themselves are built from
storage/reports and rendered here (render.py, files.py) for the CLI and the web route."""

from __future__ import annotations

from typing import Any

from handlers.context import Ctx
from handlers.conversation import CommandSpec, Conversation, HomeButton
from handlers.reports.flow import (
    IDP_FORM,
    ReportInDigest,
    cohort_link,
    idp_named,
    idp_start,
    idp_submit,
)
from handlers.reports.pages import REPORT_ROLES
from handlers.reports.strings import STRINGS
from handlers.ui import Reply

__all__ = ["CONVERSATION"]


async def _cohort(ctx: Ctx, _action: str, _value: str) -> Reply:
    return await cohort_link(ctx)


async def _idp(ctx: Ctx, _form: str, raw: dict[str, Any], _state: dict[str, Any]) -> Reply:
    return await idp_submit(ctx, raw)


CONVERSATION = Conversation(
    name="reports",
    strings=STRINGS,
    commands=(
        CommandSpec("report", cohort_link, help="help_report", aliases=("reports",)),
        CommandSpec("idp", idp_start, help="help_idp", with_argument=idp_named),
    ),
    presses={"reports.cohort": _cohort},
    submits={IDP_FORM: _idp},
    home_buttons=(HomeButton("report_button", "reports.cohort", REPORT_ROLES),),
    digest_part=ReportInDigest(),
)
