"""The weekly meeting form at its largest with targets (three to review, three to set,
every text at its limit): a valid Adaptive Card under Teams' 28 KB, also when shown again
with every field in error, and a Slack modal within Block Kit's limits."""

from __future__ import annotations

from datetime import date

from bot.slack import render as slack_render
from bot.teams import render
from handlers.targets.form import TEXT_MAX, TargetPart
from handlers.text import t
from handlers.weekly import flow as weekly_flow
from storage.catalogue import TEACHERS_STANDARDS
from storage.models import Target
from storage.repo.frameworks import Strand
from tests.factories import WEEK
from tests.teams_harness import assert_valid
from tests.test_teams_cards import LONGEST_NAME, view


def largest() -> TargetPart:
    due = [
        Target(
            id=900_000 + n,
            trainee_id=7,
            placement_id=41,
            strand_code="PART2",
            text="ŵ" * TEXT_MAX,
            set_on=date(2026, 11, 9),
            review_by=date(2026, 11, 20),
            set_by_id=8,
        )
        for n in range(3)
    ]
    strands = [Strand(s.code, s.title + " " + "ŵ" * 200) for s in TEACHERS_STANDARDS]
    return TargetPart(view(LONGEST_NAME), date(2026, 11, 18), strands, due, 3, date(2026, 11, 27))


def test_the_largest_weekly_form_is_a_valid_card_that_fits():
    form = weekly_flow._form("weekly.held", view(LONGEST_NAME), WEEK, largest())
    assert sum(f.name.startswith("review_") for f in form.fields) == 3
    assert sum(f.name.endswith("_strand") for f in form.fields) == 3
    card = render.form_card(form, origin="1763000000001")
    assert_valid(card)
    values = {f.name: "z" * 20_000 for f in form.fields}
    errors = {f.name: t("err_too_long", limit=3000, length=20_000) for f in form.fields}
    spec = render.form_from_spec(form.form_id, render.form_spec(form), form.state)
    again = render.form_card(spec, values=values, errors=errors, origin="1763000000001")
    assert_valid(again)


def test_the_largest_weekly_form_is_a_slack_modal():
    form = weekly_flow._form("weekly.held", view(LONGEST_NAME), WEEK, largest())
    modal = slack_render.modal(form)
    inputs = [b for b in modal["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == [f.name for f in form.fields]
    strand = next(b for b in inputs if b["block_id"] == "target_1_strand")
    assert all(len(o["text"]["text"]) <= 75 for o in strand["element"]["options"])
    review = next(b for b in inputs if b["block_id"] == "target_1_review")
    assert review["element"]["initial_date"] == "2026-11-27" and review["optional"]
