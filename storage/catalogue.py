"""The two standards catalogues and the RAG keys, as data.

Wording of the mentor standards is from the National Standards for school-based ITT
mentors (2016), `seeds/004_…`; the Teachers' Standards headings are the DfE's (2011).
The initial migration seeds the `standard` table from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.enums import Rag, Scale


@dataclass(frozen=True, slots=True)
class StandardEntry:
    scale: Scale
    code: str
    title: str
    parent_code: str | None = None
    description: str = ""


TEACHERS_STANDARDS: tuple[StandardEntry, ...] = tuple(
    StandardEntry(Scale.TEACHERS_STANDARDS, code, title)
    for code, title in (
        ("TS1", "Set high expectations which inspire, motivate and challenge pupils"),
        ("TS2", "Promote good progress and outcomes by pupils"),
        ("TS3", "Demonstrate good subject and curriculum knowledge"),
        ("TS4", "Plan and teach well structured lessons"),
        ("TS5", "Adapt teaching to respond to the strengths and needs of all pupils"),
        ("TS6", "Make accurate and productive use of assessment"),
        ("TS7", "Manage behaviour effectively to ensure a good and safe learning environment"),
        ("TS8", "Fulfil wider professional responsibilities"),
        ("PART2", "Part Two: Personal and professional conduct"),
    )
)

_MENTOR_STANDARDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "MS1": (
        "Standard 1 - Personal qualities",
        "Establish trusting relationships, modelling high standards of practice, and "
        "understand how to support a trainee through initial teacher training",
        (
            "Be approachable, make time for the trainee, and prioritise meetings and "
            "discussions with them",
            "Use a range of effective interpersonal skills to respond to the needs of the trainee",
            "Offer support with integrity, honesty and respect",
            "Use appropriate challenge to encourage the trainee to reflect on their practice",
            "Support the improvement of a trainee's teaching by modelling exemplary practice "
            "in planning, teaching and assessment",
        ),
    ),
    "MS2": (
        "Standard 2 - Teaching",
        "Support trainees to develop their teaching practice in order to set high "
        "expectations of all pupils and to meet their needs",
        (
            "Support the trainee in forming good relationships with pupils, and in developing "
            "effective behaviour and classroom management strategies",
            "Support the trainee in developing effective approaches to planning, teaching and "
            "assessment",
            "Support the trainee with marking and assessment of pupil work through moderation "
            "or double marking",
            "Give constructive, clear and timely feedback on lesson observations",
            "Broker opportunities to observe best practice",
            "Support the trainee in accessing expert subject and pedagogical knowledge",
            "Resolve in-school issues on the trainee's behalf where they lack the confidence "
            "or experience to do so themselves",
            "Enable and encourage the trainee to evaluate and improve their teaching",
            "Enable the trainee to access, utilise and interpret robust educational research "
            "to inform their teaching",
        ),
    ),
    "MS3": (
        "Standard 3 - Professionalism",
        "Set high expectations and induct the trainee to understand their role and "
        "responsibilities as a teacher",
        (
            "Encourage the trainee to participate in the life of the school and understand "
            "its role within the wider community",
            "Support the trainee in developing the highest standards of professional and "
            "personal conduct",
            "Support the trainee in promoting equality and diversity",
            "Ensure the trainee understands and complies with relevant legislation, including "
            "that related to the safeguarding of children",
            "Support the trainee to develop skills to manage time effectively",
        ),
    ),
    "MS4": (
        "Standard 4 - Self-development and working in partnership",
        "Continue to develop their own professional knowledge, skills and understanding and "
        "invest time in developing a good working relationship within relevant ITT "
        "partnerships",
        (
            "Ensure consistency by working with other mentors and partners to moderate judgements",
            "Continue to develop their own mentoring practice and subject and pedagogical "
            "expertise by accessing appropriate professional development and engaging with "
            "robust research",
        ),
    ),
}


def _mentor_entries() -> tuple[StandardEntry, ...]:
    entries: list[StandardEntry] = []
    for code, (title, description, items) in _MENTOR_STANDARDS.items():
        entries.append(StandardEntry(Scale.MENTOR_STANDARDS, code, title, None, description))
        for number, item in enumerate(items, start=1):
            entries.append(StandardEntry(Scale.MENTOR_STANDARDS, f"{code}.{number}", item, code))
    return tuple(entries)


MENTOR_STANDARDS: tuple[StandardEntry, ...] = _mentor_entries()
ALL_STANDARDS: tuple[StandardEntry, ...] = TEACHERS_STANDARDS + MENTOR_STANDARDS

# What each colour means on each scale, shown beside every RAG choice.
RAG_KEYS: dict[Scale, dict[Rag, str]] = {
    Scale.TEACHERS_STANDARDS: {
        Rag.RED: "Not on track: significant concerns, needs a recovery plan",
        Rag.AMBER: "Partly on track: some evidence, needs targeted support",
        Rag.GREEN: "On track: consistent evidence against this standard",
    },
    Scale.MENTOR_STANDARDS: {
        Rag.RED: "No evidence yet of supporting trainee teachers; a target for my development",
        Rag.AMBER: "Some evidence of supporting trainee teachers, not fully embedded",
        Rag.GREEN: "Consistently supporting trainee teachers; fully embedded in my practice",
    },
    Scale.WELLBEING: {
        Rag.RED: "Struggling: needs support now",
        Rag.AMBER: "Some pressure: keep an eye on it",
        Rag.GREEN: "Coping well",
    },
}


def mentor_items() -> tuple[StandardEntry, ...]:
    return tuple(e for e in MENTOR_STANDARDS if e.parent_code is not None)


def mentor_standards() -> tuple[StandardEntry, ...]:
    return tuple(e for e in MENTOR_STANDARDS if e.parent_code is None)
