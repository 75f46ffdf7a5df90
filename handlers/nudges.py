"""What the scheduler says: reminders, review-point nudges, digests. Built here so that
every user-facing string stays in handlers/text.py and every edge renders them alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from handlers.text import rag_label, t
from handlers.ui import Actions, Button, Facts, Message, Section, Style, date_text
from handlers.weekly import prompt
from storage.catalogue import TEACHERS_STANDARDS
from storage.repo.placements import PlacementView


def weekly_reminder(view: PlacementView, week: date) -> Message:
    text = t("weekly_reminder", trainee=view.trainee_name, week=date_text(week))
    return Message(text, (Section(text), *prompt(view, week).blocks[1:]))


def review_point_nudge(
    view: PlacementView, rp_id: int, rp_name: str, starts: date, today: date
) -> Message:
    if starts <= today:
        text = t("rp_nudge_today", review_point=rp_name, trainee=view.trainee_name)
    else:
        text = t(
            "rp_nudge", review_point=rp_name, when=date_text(starts), trainee=view.trainee_name
        )
    button = Button(t("do_it_now"), "rate.start", f"{view.id}:{rp_id}", Style.PRIMARY)
    return Message(text, (Section(text), Actions((button,))))


def missing_ratings_to_lead(view: PlacementView, rp_name: str) -> Message:
    text = t(
        "missing_ratings_lead",
        trainee=view.trainee_name,
        review_point=rp_name,
        mentor=view.mentor_name,
    )
    return Message(text, (Section(text),))


def observation_ack_nudge(observation_id: int, observed_on: date) -> Message:
    text = t("obs_ack_nudge", date=date_text(observed_on))
    button = Button(t("acknowledge"), "observe.ack", str(observation_id), Style.PRIMARY)
    return Message(text, (Section(text), Actions((button,))))


def irp_review(trainee: str, review: date) -> Message:
    text = t("irp_review_due", trainee=trainee, date=date_text(review))
    return Message(text, (Section(text),))


@dataclass(frozen=True, slots=True)
class DigestRow:
    trainee: str
    last_signed_off: date | None
    overdue: Sequence[str]
    latest: dict[str, str]  # item code -> rag


def digest(rows: Sequence[DigestRow], unreachable: Sequence[str]) -> Message:
    """The lead mentor's weekly digest: one line per trainee and a RAG grid that reads at a
    glance, with words and shapes (never colour alone)."""
    facts: list[tuple[str, str]] = []
    for row in rows:
        last = date_text(row.last_signed_off) if row.last_signed_off else t("never")
        line = t("digest_row", last=last, overdue=", ".join(row.overdue) or t("none"))
        grid = " · ".join(
            f"{s.code} {rag_label(row.latest[s.code])}"
            for s in TEACHERS_STANDARDS
            if s.code in row.latest
        )
        facts.append((row.trainee, line + ("\n" + t("digest_grid", grid=grid) if grid else "")))
    blocks: list[Section | Facts] = [Section(t("digest_title"), heading=t("digest_title"))]
    if facts:
        blocks.append(Facts(tuple(facts)))
    if unreachable:
        blocks.append(Section(t("digest_unreachable", names=", ".join(unreachable))))
    return Message(t("digest_title"), tuple(blocks))


def overdue_meeting(week: date) -> str:
    return t("overdue_meeting", week=date_text(week))


def overdue_ratings(rp_name: str) -> str:
    return t("overdue_ratings", review_point=rp_name)


def dead_letter(kind: str, recipient: str | None, reason: str) -> Message:
    """For the partnership office: a message that could not be delivered, and why."""
    text = t("dead_letter", kind=kind.replace("_", " "), who=recipient or t("dead_letter_channel"))
    return Message(text, (Section(text), Facts(((t("dead_letter_reason"), reason[:300]),))))
