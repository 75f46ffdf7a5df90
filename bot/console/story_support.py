"""The demo's support plan: the ITT lead opens one for Tom Price from the escalation of his
Red at Review point 1; Tom acknowledges it; his lead mentor Clare Dixon is reminded of the
review, records it (one target met, one not) and moves him to cause for concern, which the
ITT lead leads."""

from __future__ import annotations

from datetime import date

from bot.console.story import CLARE, PRIYA, TOM, Script, Step

OPENED = date(2026, 10, 20)
REVIEW = date(2026, 10, 22)  # a short first stage, so the half term shows its review


def support_plan(s: Script) -> None:
    s.at(
        OPENED,
        14,
        10,
        Step(
            PRIYA,
            press="Open support plan",
            about="Tom Price",
            answers={
                "target_1": "Apply the behaviour policy consistently in every lesson",
                "strand_1": "TS7",
                "target_2": "Plan seating for each class and use it from the first minute",
                "strand_2": "TS7",
                "support": "Weekly co-planning with Ben; observe Clare Dixon's Year 4 class",
                "review_date": ["2026-10-16", REVIEW.isoformat()],
            },
            why="the ITT lead opens a support plan from the escalation (its review date "
            "defaults to two weeks; she makes it Thursday)",
        ),
    )
    s.at(
        date(2026, 10, 21),
        8,
        45,
        Step(TOM, press="I have read my plan", about="support plan", why="Tom acknowledges it"),
    )
    s.at(
        REVIEW,
        15,
        30,
        Step(
            CLARE,
            press="Record the review",
            about="Tom Price",
            answers={
                "met_1": "not_met",
                "met_2": "met",
                "decision": "next",
                "next_date": "",
                "next_support": "Fortnightly joint observation with the ITT lead; daily check-in "
                "with Ben",
                "note": "Seating plans in place; low-level disruption still goes unchallenged",
            },
            why="the lead mentor reviews the plan: one target met, one not; it moves to "
            "cause for concern, led by the ITT lead",
        ),
    )
