"""Strings of escalations, recovery plans and the escalation channel."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "escalation_alert": "⚠ Escalation: {trainee} ({school}) – {rule}.",
    "rule_missed_meetings": "two consecutive teaching weeks without a signed-off meeting",
    "rule_red_rating": "a rating marked off track (such as Red) at the latest review point",
    "rule_concern": "a concern raised by a mentor",
    "rule_missing_ratings": "review-point ratings still missing",
    "escalation_acked": "Acknowledged by {who} on {when}.",
    "escalation_irp": "Recovery plan opened by {who} on {when}; review on {review}.",
    "escalation_resolved": "Resolved by {who} on {when}.",
    "escalation_done": "This escalation is already resolved.",
    "escalation_again": "Not acknowledged within {hours} hours; raised to level {level}.",
    "evidence": "Evidence",
    "ack_button": "Acknowledge",
    "irp_button": "Open recovery plan",
    "resolve_button": "Resolve",
    "irp_title": "Individual Recovery Plan",
    "field_irp_targets": "Targets",
    "field_support": "Support to be given",
    "field_review_date": "Review date",
    "irp_for_trainee": "An Individual Recovery Plan has been opened for you. Review on {review}.",
    "channel_set": "✔ Escalation alerts will come to this channel.",
    "channel_set_level": "✔ Escalation alerts raised to level {level} (not acknowledged in time) will come to this channel.",
    "home_itt_no_channel": (
        "⚠ No channel receives escalation alerts yet, so they come to every ITT lead "
        "by direct message. Invite me to your ITT leadership channel and type "
        "{cmd}use this channel for escalations there."
    ),
    "help_use_channel": "(ITT leads, typed in a channel I was invited to) send escalation alerts there",
    "use_channel_there": (
        "Type {cmd}use this channel for escalations in the channel where the ITT "
        "leadership team should get escalation alerts (invite me there first)."
    ),
    "home_itt": "Open escalations",
    "irp_review_due": "The recovery plan for {trainee} is due for review on {date}.",
    "evidence_weeks": "Weeks without a signed-off meeting",
    "evidence_ratings": "Off track at {review_point}",
    "evidence_concern": "Concern",
    "menu_use_channel": "Send ITT lead escalation alerts to this channel",
}
