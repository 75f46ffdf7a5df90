"""The QA cycle's forms and messages as Teams cards (the list in test_teams_cards.py is
the other conversations'): valid Adaptive Cards that fit, realistic and at full length."""

from __future__ import annotations

import pytest

from bot.teams import render
from handlers.evaluation import ask
from handlers.evaluation.flow import form as evaluation_form
from handlers.text import t
from handlers.tutor.flow import visit_form
from handlers.ui import Form
from storage.enums import EvaluationKind
from tests.teams_harness import assert_valid, text_of
from tests.test_teams_cards import LONGEST_NAME, view


def forms(long: bool) -> dict[str, Form]:
    v = view(LONGEST_NAME if long else None)
    mine = [view(LONGEST_NAME if long else None) for _ in range(40 if long else 2)]
    asked = [k for k in EvaluationKind if k is not EvaluationKind.TUTOR_VISIT]
    found = {f"evaluation-{k.value}": evaluation_form(k, v) for k in asked}
    return {**found, "tutor-visit": visit_form(mine, chosen=v.id)}


@pytest.mark.parametrize("long", [False, True], ids=["realistic", "maximum"])
@pytest.mark.parametrize("name", sorted(forms(False)))
def test_form_cards_are_valid_and_fit(name: str, long: bool) -> None:
    form = forms(long)[name]
    card = render.form_card(form, origin="1763000000001")
    assert_valid(card)
    ids = [b["id"] for b in card["body"] if b["type"].startswith("Input.")]
    assert ids == [f.name for f in form.fields]
    values = {f.name: "z" * 20_000 for f in form.fields}
    errors = {f.name: t("err_too_long", limit=3000, length=20_000) for f in form.fields}
    spec = render.form_from_spec(form.form_id, render.form_spec(form), form.state)
    assert_valid(render.form_card(spec, values=values, errors=errors, origin="1763000000001"))


@pytest.mark.parametrize("kind", ["trainee_of_mentor", "tutor_of_mentor", "mentor_of_training"])
def test_the_ask_and_its_reminder_are_valid_cards_with_the_button(kind: str) -> None:
    for round_ in (0, 2):
        card = render.message_card(ask(EvaluationKind(kind), view(LONGEST_NAME), round_))
        assert_valid(card)
        assert "Answer now" in text_of(card)


def test_the_scale_reads_without_colour() -> None:
    card = render.form_card(forms(False)["evaluation-trainee_of_mentor"])
    shown = str(card)
    for label in ("++ Strongly agree", "+ Agree", "○ Neither agree nor disagree"):
        assert label in shown
    assert "−− Strongly disagree" in shown
