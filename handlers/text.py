"""Every user-facing string is looked up here, so the bot can be translated (Welsh first).

Each conversation package keeps its own strings (`STRINGS` in its `strings.py`); the ones
shared by several conversations and by the edges are `CORE` below. `t(key, **values)`
looks a key up in the merged catalogue. A missing key, or two packages defining the same
one, is a programming error and fails loudly in the tests rather than showing a raw key
to a mentor.
"""

from __future__ import annotations

from collections.abc import Mapping

from handlers.ui import Message, Reply, Section
from storage.enums import Rag
from storage.repo.frameworks import Framework

CORE: dict[str, str] = {
    "not_on_roster": "Sorry, I can't find you on the ITT partnership roster, so I can't record anything for you. Please ask your partnership office (the ITT admin team) to add your e-mail address to the roster.",
    "forbidden": "Sorry, you can only do that for trainees you are linked to on the roster.",
    "forbidden_escalation": "Only members of the ITT leadership team can act on escalations.",
    "bad_request": "Sorry, I couldn't read that. Please try again from a fresh prompt.",
    "unknown_command": "I don't know “{command}”. {help_hint}",
    "help_hint": "Type {cmd}help to see what I can do.",
    "field_targets": "Targets set or reviewed",
    "err_required": "This is required.",
    "err_too_long": "Please keep this under {limit} characters (it has {length}).",
    "err_date": "Please give a date as YYYY-MM-DD.",
    "err_future": "This date can't be in the future.",
    "err_past": "This date must be today or later.",
    "err_number": "Please give a whole number between {low} and {high}.",
    "err_choice": "Please choose one of the options.",
    "rate_step": "Step {step} of {steps}",
    "field_strengths": "Strengths",
    "field_trainee": "Trainee",
    "no_trainees": "You have no trainees on the roster right now.",
    "do_it_now": "Do it now",
    "never": "never",
    "none": "none",
    "sorry": "Sorry, something went wrong and nothing was saved. Please try again.",
    "saved": "✔ Saved.",
    "saving": "Saving… I'll send you a message when it's done. You can close this.",
    "late_errors": "Your form could not be saved as it was; please open it again and correct:",
    "late_form_ready": "Sorry for the wait, I was busy. {title} is ready:",
    "open_now": "Open it now",
    "late_next_step": "Your answers so far are saved. Open the form again to continue where you left off.",
    "tenant_refused": "Sorry, this organisation is not part of the ITT partnership mentorbot serves, so I can't record anything here. If your school should be, please ask your partnership office to add its tenant to the schools list.",
    # Reaching people (handlers/reach.py): the office's daily summary and `mentorbot reach`.
    "undeliverable_title": "Who mentorbot could not reach",
    "undeliverable_intro": "Since {since}, {messages} could not be delivered to {people}. Each is listed once, with what fixes it; `mentorbot reach` lists everyone the bot cannot reach now.",
    "undeliverable_line": "{who}: {messages} ({kinds}). {why} Fix: {fix}",
    "undeliverable_held_line": "{who}: {messages} waiting ({kinds}), to be sent as soon as the bot has a chat with them (you are told this once). {why} Fix: {fix}",
    "why_held": "{messages} waiting for them, to be sent as soon as the bot has a chat with them.",
    "undeliverable_channel": "The escalation channel",
    "n_messages": "{n} message",
    "n_messages_plural": "{n} messages",
    "n_people": "{n} person",
    "n_people_plural": "{n} people",
    "reach_yes": "yes",
    "reach_no": "no",
    "reach_first": "on first message",
    "why_no_conversation": "The bot has no chat with them: the app is not installed for them and they have not opened it.",
    "fix_no_conversation": "ask the school's chat admin to pre-install mentorbot for them (on Teams: an app setup policy), or ask them to open mentorbot once.",
    "why_not_found": "Their roster e-mail matches no account in the school's chat workspace.",
    "fix_not_found": "correct their e-mail on the roster (the one their chat account uses), or invite them to the workspace.",
    "why_no_channel": "No channel has been chosen for escalation alerts at this level (they went to the ITT leads by direct message instead).",
    "fix_no_channel": 'an ITT lead types "use this channel for escalations" in the ITT leadership channel.',
    "why_not_connected": "mentorbot is not connected to {platform}.",
    "fix_not_connected": "set up {platform} (see `mentorbot config check`) and restart mentorbot.",
    "why_not_installed": "mentorbot is not installed in the school's chat workspace.",
    "fix_not_installed": "ask the workspace's admin to install mentorbot (the install link, /slack/install).",
    "why_revoked": "mentorbot was removed from the school's workspace ({reason}).",
    "fix_revoked": "ask the workspace's admin to install mentorbot again (the install link).",
    "why_refused": "The chat platform refused the message ({error}).",
    "fix_refused": "check `mentorbot config check` and the bot's log for this error; it is tried again with the next message.",
    "why_unknown": "Not seen in chat yet and on no school's roster.",
    "fix_unknown": "ask them to open mentorbot once in chat, or give them a school on the roster.",
    "why_first_message": "Not seen in chat yet: looked up by their roster e-mail on the first message.",
    "why_tenant_unconfirmed": "The school's Teams tenant was learned from a first message and is not confirmed.",
    "fix_tenant_unconfirmed": 'confirm it: `mentorbot school confirm "{school}"`, or give teams_tenant_id in the schools CSV.',
    "why_tenant_missing": "The school's Teams tenant is not known yet: only its first message can teach it.",
    "fix_tenant_missing": "give the school's teams_tenant_id in the schools CSV (`mentorbot import schools`).",
}

RAG_WORD = {Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green"}
# A shape as well as a word, so RAG never depends on colour (WCAG 1.4.1).
RAG_SYMBOL = {Rag.RED: "✖", Rag.AMBER: "▲", Rag.GREEN: "✔"}


_catalogue: dict[str, str] | None = None


def merge(*parts: Mapping[str, str]) -> dict[str, str]:
    """One catalogue from several; a key defined twice is refused (which one would win?)."""
    merged: dict[str, str] = {}
    for part in parts:
        twice = merged.keys() & part.keys()
        if twice:
            raise ValueError(f"strings defined twice: {sorted(twice)}")
        merged.update(part)
    return merged


def catalogue() -> Mapping[str, str]:
    """CORE and every registered conversation's strings. Built on first use: the packages
    import `t`, so the registry cannot be imported while this module loads."""
    global _catalogue
    if _catalogue is None:
        from handlers.registry import REGISTRY

        _catalogue = merge(CORE, *(c.strings for c in REGISTRY.conversations))
    return _catalogue


def t(key: str, **values: object) -> str:
    template = catalogue()[key]
    return template.format(**values) if values else template


def say(key: str, **values: object) -> Reply:
    """The string `key` as the one message said to the person who acted."""
    text = t(key, **values)
    return Reply(message=Message(text, (Section(text),)))


def with_article(phrase: str) -> str:
    """ "an attendance concern", "a progress concern": the article the phrase's sound needs
    (the strings are English; a translation would carry its own keys)."""
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def rag_label(rating: str) -> str:
    rag = Rag(rating)
    return f"{RAG_SYMBOL[rag]} {RAG_WORD[rag]}"


def value_label(framework: Framework, code: str) -> str:
    """A rating on a framework's scale as its symbol and words; a code the scale no longer
    has (never expected: the import refuses to remove a value in use) is shown as stored."""
    value = framework.value(code)
    return f"{value.symbol} {value.label}" if value else code


def scale_key(framework: Framework) -> str:
    """The key to a grid of symbols: `✔ On track · ▲ Working towards · ✖ Not yet`."""
    return " · ".join(f"{v.symbol} {v.label}" for v in framework.values)
