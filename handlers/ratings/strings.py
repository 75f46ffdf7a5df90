"""Strings of the review-point ratings."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "rate_pick_trainee": "Choose a trainee to rate at {review_point}.",
    "rate_title": "Review point ratings",
    "rate_intro": "{trainee}: {review_point}. Rate each strand of {framework}.",
    "field_comment_opt": "Comment",
    "field_targets_next": "Targets for the next phase",
    "rated": "✔ Ratings for {trainee} at {review_point} recorded.",
    "draft_saved": "Your answers so far are saved as a draft.",
    "no_review_point": "There is no review point open for your trainees right now.",
    "owe_rating": "Ratings for {trainee} at {review_point}",
    "rp_nudge": "{review_point} starts {when}: ratings for {trainee} are still to do.",
    "rp_nudge_today": "{review_point} has started: ratings for {trainee} are still to do.",
    "missing_ratings_lead": "Ratings for {trainee} at {review_point} are still missing ({mentor}).",
    "overdue_ratings": "ratings at {review_point}",
    "help_rate": "Ratings at a review point, on the programme's framework",
}
