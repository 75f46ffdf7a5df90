"""Every user-facing string, in one place, so the bot can be translated (Welsh first).

Look strings up with `t(key, **values)`. A missing key is a programming error and fails
loudly in the tests rather than showing a raw key to a mentor.
"""

from __future__ import annotations

from storage.enums import Rag

EN: dict[str, str] = {
    # identity and access
    "not_on_roster": (
        "Sorry, I can't find you on the ITT partnership roster, so I can't record anything "
        "for you. Please ask your partnership office (the ITT admin team) to add your "
        "e-mail address to the roster."
    ),
    "forbidden": "Sorry, you can only do that for trainees you are linked to on the roster.",
    "forbidden_escalation": "Only members of the ITT leadership team can act on escalations.",
    "stale": "That prompt is out of date or no longer exists. Type {cmd}status to see what is due.",
    "bad_request": "Sorry, I couldn't read that. Please try again from a fresh prompt.",
    "unknown_command": "I don't know “{command}”. {help_hint}",
    "help_hint": "Type {cmd}help to see what I can do.",
    # help
    "help_title": "mentorbot: ITT mentoring help",
    "help_body": (
        "*{cmd}status* – what you owe, with a button for each\n"
        "*{cmd}observe* – record lesson observation feedback\n"
        "*{cmd}concern* – raise a concern about a trainee\n"
        "*{cmd}rate* – RAG ratings at a review point\n"
        "*{cmd}self-evaluate* – rate yourself against the National Mentor Standards\n"
        "*{cmd}help* – this message"
    ),
    # weekly meeting
    "weekly_prompt": (
        "Did your weekly development meeting with {trainee} (week of {week}) take place?"
    ),
    "weekly_yes": "Yes",
    "weekly_rescheduled": "Rescheduled",
    "weekly_not_held": "Did not happen",
    "weekly_form_title": "Weekly meeting",
    "weekly_form_intro": "Weekly development meeting with {trainee}, week of {week}.",
    "field_held_on": "Date held",
    "field_duration": "Duration (minutes)",
    "field_progress": "Progress discussed",
    "field_targets": "Targets set or reviewed",
    "field_wellbeing": "Trainee wellbeing",
    "field_notes": "Notes (optional)",
    "field_new_date": "New date",
    "field_reason": "Why didn't it happen?",
    "weekly_signed": "✔ Week of {week} with {trainee}: {outcome}. Signed off by {who} on {when}.",
    "outcome_held": "meeting held on {date}",
    "outcome_rescheduled": "rescheduled to {date}",
    "outcome_not_held": "did not happen ({reason})",
    "weekly_already": "This week was already signed off by {who} on {when}; nothing was changed.",
    "trainee_confirm": (
        "{mentor} has recorded your weekly development meeting (week of {week}). "
        "Please confirm the record, or disagree and say why."
    ),
    "confirm": "Confirm",
    "disagree": "Disagree",
    "disagree_title": "Disagree with the record",
    "field_comment": "What is not right?",
    "trainee_confirmed": "✔ You confirmed the record for the week of {week}.",
    "trainee_disputed": "You disagreed with the record for the week of {week}; your mentor will see why.",
    "trainee_disputed_mentor": "{trainee} disagreed with the meeting record for the week of {week}.",
    # errors in forms
    "err_required": "This is required.",
    "err_too_long": "Please keep this under {limit} characters (it has {length}).",
    "err_date": "Please give a date as YYYY-MM-DD.",
    "err_future": "This date can't be in the future.",
    "err_past": "This date must be today or later.",
    "err_number": "Please give a whole number between {low} and {high}.",
    "err_choice": "Please choose one of the options.",
    # ratings
    "rate_pick_trainee": "Choose a trainee to rate at {review_point}.",
    "rate_title": "Review point ratings",
    "rate_intro": "{trainee}: {review_point}. Rate each of the Teachers' Standards.",
    "rate_step": "Step {step} of {steps}",
    "field_comment_opt": "Comment",
    "field_targets_next": "Targets for the next phase",
    "rated": "✔ Ratings for {trainee} at {review_point} recorded.",
    "draft_saved": "Your answers so far are saved as a draft.",
    "no_review_point": "There is no review point open for your trainees right now.",
    "self_eval_title": "Mentor self-evaluation",
    "self_eval_intro": "{standard}: rate how you support trainees on each item.",
    "field_strengths": "Strengths",
    "field_actions": "Actions",
    "self_evaluated": "✔ Your self-evaluation against the National Mentor Standards is recorded.",
    # observation
    "observe_title": "Lesson observation",
    "field_trainee": "Trainee",
    "field_observed_on": "Date of the lesson",
    "field_lesson": "Class / lesson",
    "field_focus": "Focus",
    "field_areas": "Areas for development",
    "field_standards": "Teachers' Standards evidenced",
    "field_standards_rag": "Overall RAG for the standards evidenced",
    "observed": "✔ Observation feedback for {trainee} recorded and sent to them.",
    "observation_for_trainee": "{mentor} has recorded feedback on your lesson ({lesson}, {date}).",
    "acknowledge": "Acknowledge",
    "acknowledged": "✔ You acknowledged this feedback on {when}.",
    "no_trainees": "You have no trainees on the roster right now.",
    # concern
    "concern_title": "Raise a concern",
    "field_category": "Category",
    "field_details": "Details",
    "concern_recorded": "Your concern about {trainee} is recorded and the lead mentor has been told.",
    "concern_alert_lead": "{who} raised a {category} concern about {trainee}.",
    # status and home
    "status_title": "What you owe",
    "status_nothing": "Nothing is due. Thank you!",
    "owe_week": "Weekly meeting with {trainee}, week of {week}",
    "owe_rating": "Ratings for {trainee} at {review_point}",
    "owe_observation_ack": "Acknowledge observation feedback from {date}",
    "owe_confirm": "Confirm the meeting record for the week of {week}",
    "do_it_now": "Do it now",
    "home_mentor": "Your trainees",
    "home_lead": "Your cohort",
    "home_itt": "Open escalations",
    "home_none": "Nothing here yet.",
    "cohort_last": "last signed-off week: {last}",
    "never": "never",
    "none": "none",
    "observe_button": "Record an observation",
    "concern_button": "Raise a concern",
    "self_eval_button": "Self-evaluate",
    # escalations
    "escalation_alert": "⚠ Escalation: {trainee} ({school}) – {rule}.",
    "rule_missed_meetings": "two consecutive teaching weeks without a signed-off meeting",
    "rule_red_rating": "a Red on a Teachers' Standard at the latest review point",
    "rule_concern": "a concern raised by a mentor",
    "rule_missing_ratings": "review-point ratings still missing",
    "evidence": "Evidence",
    "ack_button": "Acknowledge",
    "irp_button": "Open recovery plan",
    "resolve_button": "Resolve",
    "escalation_acked": "Acknowledged by {who} on {when}.",
    "escalation_irp": "Recovery plan opened by {who} on {when}; review on {review}.",
    "escalation_resolved": "Resolved by {who} on {when}.",
    "escalation_done": "This escalation is already resolved.",
    "irp_title": "Individual Recovery Plan",
    "field_irp_targets": "Targets",
    "field_support": "Support to be given",
    "field_review_date": "Review date",
    "irp_for_trainee": "An Individual Recovery Plan has been opened for you. Review on {review}.",
    "channel_set": "✔ Escalation alerts will come to this channel.",
    # edges
    "sorry": "Sorry, something went wrong and nothing was saved. Please try again.",
    "saved": "✔ Saved.",
    "saving": "Saving… I'll send you a message when it's done. You can close this.",
    "late_errors": "Your form could not be saved as it was; please open it again and correct:",
    "late_next_step": "Your answers so far are saved. Open the form again to continue where you left off.",
    # scheduler nudges and digests
    "weekly_reminder": "Reminder: the weekly development meeting with {trainee} (week of {week}) is not signed off yet.",
    "rp_nudge": "{review_point} starts {when}: ratings for {trainee} are still to do.",
    "rp_nudge_today": "{review_point} has started: ratings for {trainee} are still to do.",
    "missing_ratings_lead": "Ratings for {trainee} at {review_point} are still missing ({mentor}).",
    "obs_ack_nudge": "Please acknowledge the observation feedback on your lesson of {date}.",
    "irp_review_due": "The recovery plan for {trainee} is due for review on {date}.",
    "digest_title": "Weekly digest: your trainees",
    "digest_row": "Last signed-off week: {last} · Overdue: {overdue}",
    "digest_grid": "Latest RAG: {grid}",
    "digest_unreachable": "Could not be reached on Slack or Teams this week: {names}. Please check their details with the partnership office.",
    "overdue_meeting": "meeting week of {week}",
    "overdue_ratings": "ratings at {review_point}",
    "escalation_again": "Not acknowledged within {hours} hours; raised to level {level}.",
    "evidence_weeks": "Weeks without a signed-off meeting",
    "evidence_ratings": "Red at {review_point}",
    "evidence_concern": "Concern",
    "snooze": "Remind me tomorrow",
    "snoozed": "OK, I'll remind you tomorrow morning.",
    "dead_letter": "Could not deliver a {kind} message to {who} after several attempts. Please check their Slack or Teams details.",
    "dead_letter_channel": "the escalation channel",
    "dead_letter_reason": "Reason",
    # categories
    "cat_progress": "Progress",
    "cat_wellbeing": "Wellbeing",
    "cat_conduct": "Professional conduct",
    "cat_attendance": "Attendance",
    "cat_other": "Other",
}

RAG_WORD = {Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green"}
# A shape as well as a word, so RAG never depends on colour (WCAG 1.4.1).
RAG_SYMBOL = {Rag.RED: "✖", Rag.AMBER: "▲", Rag.GREEN: "✔"}


# How a command is typed on each platform: Slack has the slash command; in Teams and the
# console the bare word is the command.
COMMAND_PREFIX = {"slack": "/mentor "}


def command_prefix(platform: str) -> str:
    return COMMAND_PREFIX.get(platform, "")


def t(key: str, **values: object) -> str:
    template = EN[key]
    return template.format(**values) if values else template


def rag_label(rating: str) -> str:
    rag = Rag(rating)
    return f"{RAG_SYMBOL[rag]} {RAG_WORD[rag]}"
