"""Strings of targets: set and reviewed on the weekly meeting form, listed on status, in
the digest and the IDP, nudged when a review is late."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "field_targets_discussed": "Targets discussed (notes, optional)",
    "field_new_target": "New target {n} (optional)",
    "hint_new_target": "Short-term and achievable: what the trainee will do, by when.",
    "field_target_strand": "Strand of target {n}",
    "field_target_review": "Review target {n} by",
    "hint_target_review": "Default: the next meeting ({date}).",
    "field_review_target": "Review: {strand} – {text} (set {date})",
    "field_review_decision": "Then: carry it forward or close it? (met closes by default)",
    "target_met": "Met",
    "target_partly": "Partly met",
    "target_not_met": "Not met",
    "target_carry": "Carry forward",
    "target_close": "Close",
    "err_target_text": "Please write the target for this strand.",
    "err_target_strand": "Please choose the strand this target belongs to.",
    "err_target_review_by": "The review date must be after today and by the end of the placement ({end}).",
    "err_too_many_targets": "A trainee has at most {limit} open targets at a time: {open} are open after this review, so at most {room} more can be set now. Close or carry fewer, or set fewer.",
    "targets_set_title": "Targets set",
    "targets_reviewed_title": "Targets reviewed",
    "target_line": "{strand} – {text} (review by {date})",
    "target_review_line": "{strand} – {text}: {outcome}, {decision}",
    "decision_carried": "carried forward to {date}",
    "decision_closed": "closed",
    "targets_summary": "Targets: {set} set, {reviewed} reviewed.",
    "targets_open_title": "Open targets",
    "targets_open_trainee": "Open targets for {trainee}",
    "targets_none_open": "No open targets.",
    "target_overdue_mark": "⚠ review overdue",
    "target_review_nudge": "⏰ A target for {trainee} was due for review by {date}: {strand} – {text}. Review it on the weekly meeting form.",
    "owe_target_review": "Review {trainee}'s target ({strand}), due by {date}",
    "review_now": "Review at sign-off",
    "targets_digest_title": "Targets",
    "targets_digest_line": "{open} open · {overdue} overdue for review",
    # The off-track rule's alert (handlers/escalation renders it from the evidence).
    "rule_target_not_met": "a target reviewed as not met several times in a row",
    "evidence_target": "Target #{target_id}, strand",
    "evidence_target_reviews": "Reviewed as not met on",
}
