"""The policy file `mentorbot policy example` prints: every setting at its default, with
what it means (a test checks it loads to the defaults)."""

EXAMPLE = """# mentorbot scheduling policy. Times are school-local; days are lower-case names.
sign_off_prompt = { day = "monday", time = "08:30" }
reminder = { day = "thursday", time = "08:30" }
review_point_nudge_days = [7, 2]
observation_ack_hours = 72
digest = { day = "friday", time = "08:00" }
acknowledge_within_hours = 24
escalation_levels = 2
support_review_nudge_days = [2, 0]
working_hours_start = "08:00"
working_hours_end = "17:30"
max_nudges_per_person_per_week = 10
send_in_holidays = false

[off_track]
missed_weeks = 2
# any rating its framework marks off track (Red, "not yet") at the latest review point
red_at_review_point = true
concern_escalates = true
missing_ratings_days = 7
# A target reviewed "not met" this many times in a row (0 turns the rule off).
target_not_met_times = 3

# Where alerts go per level. channel: the channel chosen for that level in chat
# ("use this channel for escalations"; "use this channel for level 2 escalations").
# people: e-mail addresses messaged directly. With neither set up, every ITT lead is
# messaged directly, and an alert nobody could receive goes to every ITT lead.
[escalation_routes.1]
channel = true
people = []

[escalation_routes.2]
channel = true
people = []

# Staged support, in order: the review date defaults to review_days after a stage opens;
# led_by: lead_mentor or itt_lead; tell: who else is told when it opens (trainee, mentor,
# lead_mentor, itt_lead). A stage of your own may have a label (its name in messages).
[[support_stages]]
code = "support_plan"
review_days = 14
led_by = "lead_mentor"
tell = ["mentor", "trainee"]

[[support_stages]]
code = "cause_for_concern"
review_days = 21
led_by = "itt_lead"
tell = ["lead_mentor", "mentor", "trainee"]

[[support_stages]]
code = "panel"
review_days = 14
led_by = "itt_lead"
tell = ["lead_mentor", "mentor", "trainee"]

# How many years a placement's records are kept after it ends (then deleted by the daily
# retention job, or `mentorbot privacy retention`). kinds: meetings, observations,
# ratings, concerns, escalations, support_plans, qa_forms, evaluations (tutors' visits
# and end-of-placement evaluations).
[retention]
years = 6
kinds = {}

# Where the annual quality report (mentorbot report quality --year 2026-27) flags a school
# or a mentor, for the placement offers decision. Evaluation answers score 5 (strongly
# agree) to 1 (strongly disagree); training hours are per mentor per academic year.
[quality]
min_meetings_held_percent = 80
max_median_feedback_days = 3
min_evaluation_score = 3.5
min_training_hours = 6

# End-of-placement evaluations (trainee and tutor of the mentor, mentor of the training):
# asked on the placement's end day, reminded every reminder_school_days school days while
# unanswered, at most max_reminders times, and never asked ask_within_days after the end.
[evaluations]
reminder_school_days = 3
max_reminders = 2
ask_within_days = 30
"""
