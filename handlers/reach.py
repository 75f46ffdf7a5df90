"""Can the bot reach each person now, and if not, why and what fixes it.

One assessment serves `mentorbot reach` (every person on the roster), the partnership
office's daily summary of what could not be delivered (one message a day, never one per
failed message) and the lead mentor's digest. A send's failure reason is the edge's
`SendError` text; it is read here into a cause the office can act on.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from handlers.text import t
from handlers.ui import Message, Section
from storage.repo.reach import PersonFacts, Undelivered


class Cause(StrEnum):
    NO_CONVERSATION = "no_conversation"
    NOT_FOUND = "not_found"
    NOT_INSTALLED = "not_installed"  # the app is not installed in the school's workspace
    NO_CHANNEL = "no_channel"
    NOT_CONNECTED = "not_connected"
    REVOKED = "revoked"
    REFUSED = "refused"
    UNKNOWN = "unknown"
    TENANT_UNCONFIRMED = "tenant_unconfirmed"
    TENANT_MISSING = "tenant_missing"
    FIRST_MESSAGE = "first_message"  # not a failure: looked up by e-mail when first sent


# What an edge's failure text says, read into a cause (first match wins).
_READINGS: tuple[tuple[str, Cause], ...] = (
    ("not installed in", Cause.NOT_INSTALLED),
    ("not installed", Cause.NO_CONVERSATION),
    ("reference", Cause.NO_CONVERSATION),
    ("users_not_found", Cause.NOT_FOUND),
    ("no slack user", Cause.NOT_FOUND),
    ("user_not_found", Cause.NOT_FOUND),
    ("no escalation channel", Cause.NO_CHANNEL),
    ("edge configured", Cause.NOT_CONNECTED),
    ("not reachable on any platform", Cause.UNKNOWN),
    ("revoked", Cause.REVOKED),
    ("uninstalled", Cause.REVOKED),
    ("account_inactive", Cause.REVOKED),
    ("invalid_auth", Cause.REVOKED),
)


def cause_of(error: str) -> Cause:
    lowered = error.lower()
    return next((cause for text, cause in _READINGS if text in lowered), Cause.REFUSED)


def why(cause: Cause, *, platform: str = "", error: str = "", school: str = "") -> str:
    return t(f"why_{cause}", platform=platform, reason=error, error=error[:120], school=school)


def fix(cause: Cause, *, platform: str = "", school: str = "") -> str:
    key = "fix_refused" if cause == Cause.REFUSED else f"fix_{cause}"
    return t(key, platform=platform, school=school)


@dataclass(frozen=True, slots=True)
class Reach:
    person_id: int
    name: str
    email: str
    roles: tuple[str, ...]
    school: str
    platform: str
    reachable: str  # t("reach_yes" | "reach_no" | "reach_first")
    can_reach: bool
    why: str = ""
    fix: str = ""


def assess(
    person: PersonFacts,
    *,
    connected: Collection[str],
    revoked: Mapping[str, str] | None = None,
    first_choice: str | None = None,
    conversation_only: Collection[str] = (),
    labels: Mapping[str, str] | None = None,
    installed: Collection[str] | None = None,
    installing: str = "",
) -> Reach:
    """`connected`: the platforms this deployment can send on; `revoked`: workspaces that
    removed the app, id -> reason; `first_choice`: where someone with no school and no
    identity is tried first; `conversation_only`: platforms that can only message someone
    who has a conversation with the bot (no look-up by e-mail). The platform facts come
    from the descriptors (bot/): handlers name no platform. `installed`: the workspaces
    the app is installed in, when each installs it (None: one token serves them all), on
    the platform named by `installing`."""
    school = person.school
    platform = (
        school.platform
        if school
        else (person.identities[-1].platform if person.identities else (first_choice or ""))
    )
    base = {
        "person_id": person.id,
        "name": person.name,
        "email": person.email,
        "roles": tuple(sorted(person.roles)),
        "school": school.name if school else "",
        "platform": platform,
    }
    cause, error = _cause(
        person, platform, connected, revoked or {}, needs_conversation=platform in conversation_only
    )
    team = person.school.slack_team_id if person.school else None
    if cause in (None, Cause.FIRST_MESSAGE) and installed is not None:
        # The school's own workspace has not installed it, or (for someone with no school,
        # looked up in every workspace) no workspace has yet.
        if (team and team not in installed) or (
            not team and not installed and platform == installing
        ):
            cause, error = Cause.NOT_INSTALLED, ""
    if cause is None:
        return Reach(**base, reachable=t("reach_yes"), can_reach=True)  # type: ignore[arg-type]
    if cause == Cause.FIRST_MESSAGE:
        return Reach(
            **base,  # type: ignore[arg-type]
            reachable=t("reach_first"),
            can_reach=True,
            why=t("why_first_message"),
            fix="",
        )
    soft = cause in (Cause.TENANT_UNCONFIRMED,)
    school_name = school.name if school else ""
    label = (labels or {}).get(platform, platform)
    reason = why(cause, platform=label, error=error, school=school_name)
    if person.held:
        reason += " " + t("why_held", messages=_count("n_messages", person.held))
    return Reach(
        **base,  # type: ignore[arg-type]
        reachable=t("reach_yes") if soft else t("reach_no"),
        can_reach=soft,
        why=reason,
        fix=fix(cause, platform=label, school=school_name),
    )


def _cause(
    person: PersonFacts,
    platform: str,
    connected: Collection[str],
    revoked: Mapping[str, str],
    *,
    needs_conversation: bool,
) -> tuple[Cause | None, str]:
    if not platform:
        return Cause.UNKNOWN, ""
    if platform not in connected:
        return Cause.NOT_CONNECTED, ""
    mine = [i for i in person.identities if i.platform == platform]
    for identity in mine:
        if identity.workspace_id in revoked:
            return Cause.REVOKED, revoked[identity.workspace_id]
    school = person.school
    if school is not None and school.slack_team_id in revoked:
        return Cause.REVOKED, revoked[school.slack_team_id or ""]
    failing = person.last_dead is not None and (
        person.last_sent is None or person.last_sent < person.last_dead
    )
    if failing:
        return cause_of(person.last_error or ""), person.last_error or ""
    if needs_conversation and not any(i.has_conversation for i in mine):
        return Cause.NO_CONVERSATION, ""
    if needs_conversation and school is not None and not school.teams_tenant_id:
        return Cause.TENANT_MISSING, ""
    if needs_conversation and school is not None and not school.tenant_confirmed:
        return Cause.TENANT_UNCONFIRMED, ""
    if not mine:
        return Cause.FIRST_MESSAGE, ""
    return None, ""


def summary(
    undelivered: Sequence[Undelivered], names: Mapping[int, str], *, since: datetime
) -> Message:
    """The office's one message of the day: each person (or channel) once, with a fix."""
    total = sum(u.count for u in undelivered)
    people = len([u for u in undelivered if u.recipient_id is not None])
    intro = t(
        "undeliverable_intro",
        since=since.strftime("%-d %b %H:%M"),
        messages=_count("n_messages", total),
        people=_count("n_people", people) if people else t("undeliverable_channel").lower(),
    )
    blocks = [Section(intro, heading=t("undeliverable_title"))]
    for u in undelivered:
        cause = cause_of(u.last_error)
        who = (
            names.get(u.recipient_id, "?")
            if u.recipient_id is not None
            else t("undeliverable_channel")
        )
        blocks.append(
            Section(
                t(
                    "undeliverable_held_line" if u.held else "undeliverable_line",
                    who=who,
                    messages=_count("n_messages", u.count),
                    kinds=", ".join(k.replace("_", " ") for k in u.kinds),
                    why=why(cause, error=u.last_error),
                    fix=fix(cause),
                )
            )
        )
    return Message(intro, tuple(blocks))


def _count(key: str, n: int) -> str:
    return t(key if n == 1 else f"{key}_plural", n=n)
