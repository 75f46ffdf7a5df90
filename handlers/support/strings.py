"""Strings of staged support plans."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "stage_support_plan": "Support plan",
    "stage_cause_for_concern": "Cause for concern",
    "stage_panel": "Formal panel",
    "help_support": (
        "(lead mentors, ITT leads) open or review a trainee's support plan: support <trainee "
        "name>; on its own, the plans you can see"
    ),
    "support_refused_mentor": (
        "Only lead mentors and ITT leads can open or review a support plan. If you are "
        "worried about your trainee, raise a concern ({cmd}concern) and your lead mentor "
        "will be told."
    ),
    "support_none_visible": "No open support plans.",
    "support_how_to_open": "To open one, type {cmd}support <trainee name>.",
    "support_no_match": "No trainee in your care matches “{query}”.",
    "support_many": "More than one trainee matches “{query}”: {names}. Type more of the name.",
    "support_form_title": "Open a support plan",
    "support_form_intro": (
        "{stage} for {trainee}: up to three SMART targets (specific, measurable, achievable, "
        "relevant, time-bound), the support to be given, and the review date."
    ),
    "field_support_target": "Target {n}",
    "field_support_strand": "Target {n}: strand (optional)",
    "field_support_given": "Support to be given",
    "field_support_review_date": "Review date",
    "support_already_open": "{trainee} already has an open support plan: {stage}, review on {date}.",
    "support_opened": "✔ {stage} opened for {trainee}; review on {date}.",
    "support_opened_from_escalation": "{stage} opened by {who} on {when}; review on {date}.",
    "support_to_trainee": (
        "{who} has opened a {stage} with you. Please read it and acknowledge it. Review on {date}."
    ),
    "support_to_others": "{stage} opened for {trainee} by {who}; led by {leader}; review on {date}.",
    "support_heading": "{stage} for {trainee}",
    "support_targets": "Targets",
    "support_given": "Support",
    "support_review_on": "Review on",
    "support_led_by": "Led by",
    "support_acknowledged": "Acknowledged by the trainee",
    "support_not_acknowledged": "Not yet acknowledged by the trainee",
    "support_ack_button": "I have read my plan",
    "support_acked": "✔ You acknowledged your {stage} on {when}.",
    "support_acked_already": "You have acknowledged this plan already.",
    "support_review_button": "Record the review",
    "support_review_title": "Support plan review",
    "support_review_intro": "{stage} for {trainee}, review due {date}. For each target: met or not met; then the decision.",
    "field_support_outcome": "Target {n}: {text}",
    "outcome_met": "Met",
    "outcome_not_met": "Not met",
    "field_support_decision": "Decision",
    "support_decision_close": "Close the plan",
    "support_decision_extend": "Extend this stage",
    "support_decision_next": "Move to the next stage",
    "field_support_next_date": "New review date (extend; or the next stage's, if not its usual)",
    "field_support_note": "Notes (optional)",
    "field_support_next_support": "Support in the next stage (if it changes)",
    "support_need_date": "Give the new review date to extend the stage.",
    "support_no_next_stage": "This is the last stage: close the plan or extend it.",
    "support_reviewed_already": "This review was recorded already.",
    "support_closed_already": "This support plan is closed.",
    "support_review_closed": "✔ Review recorded: {trainee}'s support plan is closed.",
    "support_review_extended": "✔ Review recorded: {stage} for {trainee} extended; review on {date}.",
    "support_review_next": "✔ Review recorded: {trainee} moves to {stage}, led by {leader}; review on {date}.",
    "support_closed_to_people": "{trainee}'s support plan was closed by {who} on {when}.",
    "support_extended_to_people": "{stage} for {trainee} was extended by {who}; review on {date}.",
    "support_met_list": "met: {n}",
    "support_not_met_list": "not met: {n}",
    "support_next_review": "(review on {date})",
    "support_stage_open": "open",
    "support_closed": "closed",
    "support_status_heading": "Support plans",
    "support_status_line": "{stage} for {trainee}: review on {date}; led by {leader}.",
    "support_status_trainee": "Your {stage}: review on {date}.",
    "support_reminder": "{stage} for {trainee}: the review is due on {date}.",
    "support_reminder_today": "{stage} for {trainee}: the review is due today.",
    "support_overdue": "{stage} for {trainee}: the review was due on {date} and is not recorded yet.",
    "support_not_yours": "Only the trainee whose plan it is can acknowledge it.",
}
