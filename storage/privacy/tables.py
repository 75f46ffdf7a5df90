"""Every table that can hold personal data, and how its rows are tied to one person.

The subject access export and erasure both walk this list; tests/test_privacy.py fails
when a table with a person column is added to the schema and not listed here (or in
NOT_PERSONAL with the reason it holds nobody's data).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonLink:
    """How a table's rows belong to a person: columns holding their person id, rows of a
    placement they are the trainee of, or rows keyed by one of their platform identities."""

    columns: tuple[str, ...] = ()
    via_placement: bool = False
    via_identity: bool = False
    # Free text (or JSON) columns that may name the person: redacted on erasure.
    text: tuple[str, ...] = ()


PERSON_TABLES: dict[str, PersonLink] = {
    "person": PersonLink(columns=("id",)),
    "person_role": PersonLink(columns=("person_id",)),
    "platform_identity": PersonLink(columns=("person_id",)),
    "placement": PersonLink(columns=("trainee_id", "mentor_id", "lead_mentor_id", "tutor_id")),
    "weekly_meeting": PersonLink(
        columns=("signed_off_by_id",),
        via_placement=True,
        text=("progress_discussed", "targets", "notes", "reason_not_held", "trainee_comment"),
    ),
    "observation": PersonLink(
        columns=("observer_id",),
        via_placement=True,
        text=("lesson", "focus", "strengths", "areas_for_development", "targets"),
    ),
    "rag_rating": PersonLink(
        columns=("subject_id", "rater_id"), via_placement=True, text=("comment", "targets")
    ),
    "mentor_self_evaluation": PersonLink(
        columns=("mentor_id",), text=("strengths", "targets", "actions")
    ),
    "form_draft": PersonLink(columns=("owner_id",)),
    "concern": PersonLink(columns=("raised_by_id",), via_placement=True, text=("details",)),
    "escalation": PersonLink(
        columns=("acknowledged_by_id", "resolved_by_id"), via_placement=True, text=("evidence",)
    ),
    "support_plan": PersonLink(columns=("opened_by_id", "closed_by_id"), via_placement=True),
    "support_stage": PersonLink(columns=("led_by_id",), via_placement=True, text=("support",)),
    "support_target": PersonLink(via_placement=True, text=("text",)),
    "support_review": PersonLink(columns=("by_id",), via_placement=True, text=("note",)),
    "support_target_review": PersonLink(via_placement=True),
    "escalation_target": PersonLink(columns=("set_by_id",)),
    "review_point_qa": PersonLink(
        columns=("trainee_id", "lead_mentor_id"),
        text=("evidence_note", "disagreement", "actions"),
    ),
    "target": PersonLink(columns=("trainee_id", "set_by_id"), via_placement=True, text=("text",)),
    "target_review": PersonLink(columns=("reviewed_by_id",), via_placement=True),
    "mentor_training": PersonLink(columns=("mentor_id",), text=("provider", "topic")),
    # A tutor's visit is the tutor's record and part of the trainee's placement.
    "tutor_visit": PersonLink(columns=("tutor_id",), via_placement=True, text=("seen", "issues")),
    # An evaluation is its respondent's: a trainee's answers are theirs. Not tied to the
    # mentor evaluated (nor via the placement): the mentor sees a trainee's answers only
    # as aggregates over at least three trainees, and an export must not undo that.
    "placement_evaluation": PersonLink(columns=("respondent_id",), text=("comment",)),
    "evaluation_answer": PersonLink(columns=("respondent_id",)),
    "outbox_message": PersonLink(columns=("recipient_id",), text=("payload",)),
    "audit_log": PersonLink(columns=("actor_id",)),
    "parked_interaction": PersonLink(via_identity=True),
}

# Tables a person-like column name matches but that hold nobody's personal data.
NOT_PERSONAL: dict[str, str] = {
    "school": "a school's name",
    "programme": "a programme's name",
    "assessment_framework": "an assessment framework's name",
    "calendar_entry": "a term's or holiday's name",
    "review_point": "a review point's name",
    "change_stamp": "a counter's name ('roster') and its number",
    "slack_revoked_workspace": "a Slack workspace's name",
    "slack_bots": "a Slack workspace's name and the app's bot",
    "slack_installations": "slack_sdk's installation store: a workspace and its installer's "
    "Slack id, which Slack needs to keep the app installed",
}
