"""Outbox keys: one typed helper builds and reads them, in the format databases hold."""

from __future__ import annotations

from datetime import date

import pytest

from handlers import keys

WEEK = date(2026, 11, 23)

STORED = {
    "weekly:12:2026-11-23": keys.WeeklyPrompt(12, WEEK),
    "weekly-reminder:12:2026-11-23": keys.WeeklyReminder(12, WEEK),
    "weekly-snooze:12:2026-11-23:2026-11-24": keys.WeeklySnooze(12, WEEK, date(2026, 11, 24)),
    "weekly-confirm:7": keys.WeeklyConfirm(7),
    "weekly-disputed:7": keys.WeeklyDisputed(7),
    "rp-nudge:12:3:7": keys.ReviewPointNudge(12, 3, 7),
    "missing-ratings:12:3": keys.MissingRatings(12, 3),
    "qa-owed:12:3": keys.QaOwed(12, 3),
    "qa-recorded:4": keys.QaRecorded(4),
    "observation:9": keys.ObservationFeedback(9),
    "obs-nudge:9": keys.ObservationNudge(9),
    "concern-lead:4": keys.ConcernToLead(4),
    "digest:5:2026-11-23": keys.Digest(5, WEEK),
    "irp:2:31": keys.RecoveryPlanOpened(2, 31),
    "irp-review:2:2026-12-01:31": keys.RecoveryPlanReview(2, date(2026, 12, 1), 31),
    "support-news:4:opened:2026-12-01:31": keys.SupportNews(4, "opened", date(2026, 12, 1), 31),
    "support-review:4:2026-12-01:2:31": keys.SupportReviewDue(4, date(2026, 12, 1), 2, 31),
    "support-review:4:2026-12-01:overdue:31": keys.SupportReviewDue(4, date(2026, 12, 1), -1, 31),
    "escalation:8:level:2": keys.EscalationAlert(8, 2),
    "escalation:new:12:red_rating:rp:3": keys.EscalationPreview(12, "red_rating", "rp:3"),
    "dead-letter:99:1": keys.DeadLetter(99, 1),
    "late:slack:view:V1:abc": keys.LateReply("slack", "view:V1:abc"),
}


@pytest.mark.parametrize("stored", list(STORED))
def test_existing_keys_parse_and_format_back_unchanged(stored: str) -> None:
    typed = keys.parse(stored)
    assert typed == STORED[stored]
    assert str(typed) == stored


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "weekly",
        "weekly:x:2026-11-23",
        "weekly:1:not-a-date",
        "weekly:1:2026-11-23:extra",
        "rp-nudge:1:2",
        "obs-nudge:",
        "escalation:8:lvl:2",
        "something-new:1",
    ],
)
def test_a_key_this_version_cannot_read_is_none(bad: str) -> None:
    assert keys.parse(bad) is None


def test_late_keys_are_cut_to_the_column_length() -> None:
    key = str(keys.LateReply("teams", "x" * 400))
    assert len(key) == keys.MAX_LENGTH and key.startswith("late:teams:")


def test_the_missed_meetings_query_builds_the_prompt_key() -> None:
    before, after = keys.WeeklyPrompt.sql_parts(WEEK)
    assert f"{before}12{after}" == str(keys.WeeklyPrompt(12, WEEK))
