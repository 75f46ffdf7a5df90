"""Strings of escalations and the escalation channel."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "escalation_alert": "⚠ Escalation: {trainee} ({school}) – {rule}.",
    "rule_missed_meetings": "two consecutive teaching weeks without a signed-off meeting",
    "rule_red_rating": "a rating marked off track (such as Red) at the latest review point",
    "rule_concern": "a concern raised by a mentor",
    "rule_missing_ratings": "review-point ratings still missing",
    "escalation_acked": "Acknowledged by {who} on {when}.",
    "escalation_resolved": "Resolved by {who} on {when}.",
    "escalation_done": "This escalation is already resolved.",
    "escalation_again": "Not acknowledged within {hours} hours; raised to level {level}.",
    "evidence": "Evidence",
    "ack_button": "Acknowledge",
    "irp_button": "Open support plan",
    "resolve_button": "Resolve",
    "channel_set": "✔ Escalation alerts will come to this channel.",
    "channel_set_level": "✔ Escalation alerts raised to level {level} (not acknowledged in time) will come to this channel.",
    "channel_taken": (
        "This channel already gets level {level} escalation alerts. Each level needs a "
        "channel of its own, so that an alert nobody acknowledged goes somewhere new: "
        "type this in another channel (for example the partnership director's)."
    ),
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
    "evidence_weeks": "Weeks without a signed-off meeting",
    "evidence_ratings": "Off track at {review_point}",
    "evidence_concern": "Concern",
    "menu_use_channel": "Send ITT lead escalation alerts to this channel",
}
