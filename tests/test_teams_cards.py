"""Every card the bot can send in Teams, rendered with realistic and with maximum-length
data: each is a valid Adaptive Card 1.5 (Draft 6 schema) and stays under Teams' 28 KB.

The scenario tests in test_teams.py also check every card that reached the connector.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from bot.teams import render
from handlers import concern, escalation, observation, ratings, status, weekly
from handlers.qa_review import flow as qa_review
from handlers.self_evaluation import flow as self_evaluation
from handlers.support import opening as support_opening
from handlers.support import review as support_review
from handlers.support import show as support_show
from handlers.text import t
from handlers.ui import (
    Actions,
    Button,
    Choice,
    Facts,
    FieldKind,
    Form,
    FormField,
    Message,
    Section,
    Style,
)
from handlers.weekly import flow as weekly_flow
from storage.models import Escalation, Observation, SupportStage, SupportTarget
from storage.repo.frameworks import Framework, Strand, Value, from_spec
from storage.repo.placements import PlacementView
from storage.shipped_frameworks import TEACHERS_STANDARDS_RAG
from tests.factories import WEEK
from tests.teams_harness import assert_valid, text_of

LONGEST_NAME = 200  # person.full_name, school.name
LONG = 3000  # the longest text a form takes
TS = from_spec(TEACHERS_STANDARDS_RAG)
TEACHERS_STANDARDS = TS.strands


def widest_framework() -> Framework:
    """A provider's framework at the import's limits: 16-character codes, 300-character
    titles and meanings, 60-character labels, the most values a scale may have."""
    from storage.imports.framework_csv import MAX_VALUES

    strands = tuple(Strand(f"S{i:02d}".ljust(16, "x"), "ŧ" * 300) for i in range(9))
    values = tuple(
        Value(f"v{i}".ljust(32, "x"), "ł" * 60, "m" * 300, "✔✔", i == 0) for i in range(MAX_VALUES)
    )
    return Framework(9, "widest", "W" * 200, strands, values)


def view(name_length: int | None = None) -> PlacementView:
    def name(base: str) -> str:
        return base if name_length is None else (base + " " + "ł" * name_length)[:name_length]

    return PlacementView(
        id=41,
        trainee_id=7,
        trainee_name=name("Tara Trainee"),
        mentor_id=8,
        mentor_name=name("Mo Mentor"),
        lead_mentor_id=9,
        school_id=3,
        school_name=name("Horton Grange Primary"),
        platform="teams",
        timezone="Europe/London",
        programme_id=2,
        start_date=date(2026, 9, 7),
        end_date=date(2027, 6, 30),
    )


def alert(v: PlacementView, evidence_length: int = 20, status_line: str | None = None) -> Message:
    e = Escalation(
        id=123456,
        placement_id=v.id,
        rule="missed_meetings",
        cause_key="2026-11-09",
        evidence={"weeks": ("9 Nov, 16 Nov " * 200)[:evidence_length]},
        status="open",
    )
    return escalation.alert(v, e, status_line=status_line)


def feedback(long: bool) -> Message:
    text = "x" * LONG if long else "Clear modelling of column addition"
    o = Observation(
        id=99,
        placement_id=41,
        observer_id=8,
        observed_on=date(2026, 11, 17),
        lesson=("Y4 fractions " * 30)[:300] if long else "Y4 fractions",
        focus=text,
        strengths=text,
        areas_for_development=text,
        targets=text,
    )
    rags = {s.code: "▲ Amber" for s in TEACHERS_STANDARDS} if long else {"TS2": "✔ Green"}
    return observation.feedback_message(
        o, view(LONGEST_NAME if long else None).mentor_name, rags, with_button=True
    )


def digest(rows: int, name_length: int | None) -> Message:
    """The largest home/status messages: an ITT lead's open escalations and a lead
    mentor's cohort grid, at the handlers' own caps (20 alerts, 40 rows)."""
    v = view(name_length)
    blocks: list[Any] = list(status.help_message().blocks)
    blocks += list(weekly.prompt(v, WEEK).blocks) * 2
    for _ in range(min(rows, 20)):
        blocks += list(alert(v, evidence_length=500).blocks)
    grid = " ".join(f"{s.code} ✖ Red" for s in TEACHERS_STANDARDS)
    blocks.append(
        Facts(tuple((v.trainee_name, f"last signed-off week: never · {grid}") for _ in range(rows)))
    )
    return Message(t("help_title"), tuple(blocks))


MESSAGES: dict[str, Callable[[bool], Message]] = {
    "weekly-prompt": lambda long: weekly.prompt(view(LONGEST_NAME if long else None), WEEK),
    "help": lambda _long: status.help_message(),
    "escalation-alert": lambda long: alert(
        view(LONGEST_NAME if long else None), 2000 if long else 20
    ),
    "escalation-acknowledged": lambda long: alert(
        view(LONGEST_NAME if long else None), 20, t("escalation_acked", who="Ida Itt", when="now")
    ),
    "observation-feedback": feedback,
    "trainee-confirm": lambda long: Message(
        "confirm",
        (
            Section(
                t(
                    "trainee_confirm",
                    mentor="M" * (LONGEST_NAME if long else 9),
                    week="Mon 16 Nov 2026",
                )
            ),
            Facts(tuple((f"Field {i}", "y" * (500 if long else 20)) for i in range(5))),
            Actions(
                (
                    Button(t("confirm"), "weekly.confirm", "1", Style.PRIMARY),
                    Button(t("disagree"), "weekly.disagree", "1"),
                )
            ),
        ),
    ),
    "qa-nudge": lambda long: qa_review.nudge(
        view(LONGEST_NAME if long else None), 5, "R" * 200 if long else "Review point 1"
    ),
    "home-and-digest": lambda long: digest(40 if long else 3, LONGEST_NAME if long else None),
    "support-plan": lambda long: support_show.plan_message(
        "S" * (500 if long else 60),
        view(LONGEST_NAME if long else None),
        _stage(long),
        _targets(long),
        leader="L" * (LONGEST_NAME if long else 9),
        titles={s.code: s.title for s in TEACHERS_STANDARDS},
        buttons=(support_show.ack_button(_stage(long)),),
    ),
}


def _stage(long: bool) -> SupportStage:
    return SupportStage(
        id=5,
        plan_id=1,
        placement_id=41,
        stage="support_plan",
        position=1,
        started_on=date(2026, 11, 18),
        review_date=date(2026, 12, 2),
        led_by_id=9,
        support="S" * (LONG if long else 60),
    )


def _targets(long: bool) -> list[SupportTarget]:
    return [
        SupportTarget(
            id=n,
            stage_id=5,
            placement_id=41,
            position=n,
            text="T" * (LONG if long else 60),
            strand_code="TS7",
        )
        for n in (1, 2, 3)
    ]


@pytest.mark.parametrize("long", [False, True], ids=["realistic", "maximum"])
@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_message_cards_are_valid_and_fit(name: str, long: bool):
    message = MESSAGES[name](long)
    card = render.message_card(message)
    assert_valid(card)
    if not long:
        assert "…" not in text_of(card)  # nothing was cut from an ordinary message


def test_a_digest_too_big_for_one_card_is_cut_with_a_marker():
    card = render.message_card(digest(40, LONGEST_NAME))
    assert_valid(card)
    assert card["body"][-1]["text"] == "…"


def _trainees(n: int, name_length: int | None) -> tuple[Choice, ...]:
    return tuple(Choice(str(i), view(name_length).trainee_name + f" {i}") for i in range(n))


def _max_draft(form: Form) -> dict[str, Any]:
    """Initial values as long as each field takes."""
    draft: dict[str, Any] = {}
    for f in form.fields:
        if f.kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
            draft[f.name] = "w" * (render._limit(f))
        elif f.choices:
            draft[f.name] = f.choices[-1].value
    return draft


def forms(long: bool) -> dict[str, Form]:
    n = LONGEST_NAME if long else None
    v = view(n)
    self_eval = {f"s{step}": self_evaluation._self_eval_form(step, {}) for step in range(1, 5)}
    if long:
        self_eval = {
            k: self_evaluation._self_eval_form(int(k[1]), _max_draft(f))
            for k, f in self_eval.items()
        }
    fw = widest_framework() if long else TS
    step = {
        s: ratings.flow._step_form(fw, v.trainee_name, "Review point 1", (v.id, 5), s, {})
        for s in (1, 2)
    }
    if long:
        step = {
            s: ratings.flow._step_form(fw, v.trainee_name, "R" * 200, (v.id, 5), s, _max_draft(f))
            for s, f in step.items()
        }
    strands = tuple(Choice(s.code, f"{s.code}: {s.title}") for s in fw.strands)
    details = observation.flow._details_form(_trainees(40 if long else 2, n), {}, strands)
    if long:
        details = observation.flow._details_form(_trainees(40, n), _max_draft(details), strands)
    return {
        "weekly-held": weekly_flow._form("weekly.held", v, WEEK),
        "weekly-rescheduled": weekly_flow._form("weekly.rescheduled", v, WEEK),
        "weekly-not-held": weekly_flow._form("weekly.not_held", v, WEEK),
        "weekly-disagree": Form(
            "weekly.disagree",
            t("disagree_title"),
            (FormField("comment", t("field_comment"), FieldKind.LONG_TEXT, max_length=1000),),
            state={"meeting_id": 1},
        ),
        "rate-pick": Form(
            "rate.pick",
            t("rate_title"),
            (
                FormField(
                    "placement_id",
                    t("field_trainee"),
                    FieldKind.SELECT,
                    choices=_trainees(40 if long else 2, n),
                ),
            ),
        ),
        "rate-step-1": step[1],
        "rate-step-2": step[2],
        **{f"self-eval-{k}": f for k, f in self_eval.items()},
        "observe-details": details,
        "observe-rag": observation.flow._rag_form(fw, [s.code for s in fw.strands]),
        "concern": concern.flow._form(_trainees(40 if long else 2, n)),
        "support-review": support_review.review_form(v, _stage(long), _targets(long)),
        "support-open": support_opening.open_form(
            v,
            {s.code: s.title for s in TEACHERS_STANDARDS},
            date(2026, 11, 18),
            {"placement_id": 41, "escalation_id": 1},
        ),
        # Chosen from every form owed (the handler's cap), or one trainee with the ratings.
        "qa-choose": qa_review._form(
            _trainees(qa_review.MAX_CHOICES if long else 2, n), chosen=None, intro=t("qa_intro")
        ),
        "qa-one": qa_review._form(_trainees(1, n), chosen="0", intro="R" * (1000 if long else 80)),
    }


FORM_NAMES = sorted(forms(False))


@pytest.mark.parametrize("long", [False, True], ids=["realistic", "maximum"])
@pytest.mark.parametrize("name", FORM_NAMES)
def test_form_cards_are_valid_and_fit(name: str, long: bool):
    form = forms(long)[name]
    card = render.form_card(form, origin="1763000000001")
    assert_valid(card)
    # The answer data routes back to the form, and every field is an input.
    data = next(a for a in card["actions"] if a["type"] == "Action.Submit")["data"]["mb"]
    assert data["form"] == form.form_id and data["state"] == form.state
    ids = [b["id"] for b in card["body"] if b["type"].startswith("Input.")]
    assert ids == [f.name for f in form.fields]


@pytest.mark.parametrize("name", FORM_NAMES)
def test_form_shown_again_with_every_field_wrong_and_oversized_still_fits(name: str):
    """The worst a person (or a forged request) can send back: every field far too long and
    in error. The card keeps what was typed (cut to what each field takes) and each error."""
    form = forms(True)[name]
    values = {f.name: "z" * 20_000 for f in form.fields}
    errors = {f.name: t("err_too_long", limit=3000, length=20_000) for f in form.fields}
    spec = render.form_from_spec(form.form_id, render.form_spec(form), form.state)
    card = render.form_card(spec, values=values, errors=errors, origin="1763000000001")
    assert_valid(card)
    shown = [b for b in card["body"] if b.get("color") == "Attention"]
    assert len(shown) == len(form.fields)


def test_forms_too_big_to_carry_twice_degrade_in_steps():
    big = forms(True)["observe-details"]  # 40 trainees with 200-character names, long drafts
    card = render.form_card(big)
    assert_valid(card)
    data = card["actions"][0]["data"]["mb"]
    assert render.is_lite(data["f"]) and all(f["c"] == [] for f in data["f"]["fields"])
    # The drafts are all still there in full; only option titles were shortened.
    texts = {b["id"]: b.get("value") for b in card["body"] if b["type"] == "Input.Text"}
    assert texts["focus"] == "w" * 3000
    # Drafts in a 2-byte script that cannot all fit are cut as a last resort.
    welsh = {f.name: "ŵ" * 3000 for f in big.fields if f.kind is FieldKind.LONG_TEXT}
    card = render.form_card(big, values={"lesson": "Y4", **welsh})
    assert_valid(card)
    assert all(len(b.get("value", "")) < 3000 for b in card["body"] if b.get("id") in welsh)


def test_rag_choices_carry_word_symbol_and_meaning():
    card = render.form_card(forms(False)["rate-step-1"])
    ts1 = next(b for b in card["body"] if b.get("id") == "TS1")
    assert ts1["style"] == "expanded"
    assert [c["title"].split(" — ")[0] for c in ts1["choices"]] == ["✖ Red", "▲ Amber", "✔ Green"]
    assert all(" — " in c["title"] for c in ts1["choices"])


def test_slack_style_bold_becomes_card_markdown():
    card = render.message_card(status.help_message())
    assert "**status**" in text_of(card)  # bold in card markdown
    assert "/mentor" not in text_of(card)  # Teams users type the bare word


def test_spec_round_trip_and_tampering():
    form = forms(False)["weekly-held"]
    again = render.form_from_spec(form.form_id, render.form_spec(form), form.state)
    assert [(f.name, f.kind, f.required, f.choices) for f in again.fields] == [
        (f.name, f.kind, f.required, f.choices) for f in form.fields
    ]
    for bad in (
        None,
        [],
        {"fields": "x"},
        {"fields": [{"k": "nope"}]},
        {"fields": [{"k": "text", "c": [1]}]},
    ):
        with pytest.raises((ValueError, TypeError)):
            render.form_from_spec("x", bad, {})
