"""The two assessment frameworks shipped with mentorbot, as data (migration 0010 seeds them).

- The Teachers' Standards (DfE, 2011: TS1-TS8 and Part Two) on Red/Amber/Green: what every
  programme was rated on before frameworks were data, and still the default. Its code is
  the scale every earlier rating was stored under, so those ratings keep their meaning.
- The ITT and Early Career Framework (ITTECF, DfE, in force from September 2025), its eight
  sections under the five core areas it sets out (behaviour management, pedagogy,
  curriculum, assessment, professional behaviours; adaptive teaching includes SEND), on
  "on track / working towards / not yet", with "not yet" off track.

A provider's own framework comes from CSV (`mentorbot import framework`). Nowhere else
names a standard: everything reads the programme's framework from the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.catalogue import RAG_KEYS, TEACHERS_STANDARDS
from storage.enums import Rag, Scale

DEFAULT_FRAMEWORK = Scale.TEACHERS_STANDARDS.value
ITTECF = "ittecf"


@dataclass(frozen=True, slots=True)
class StrandSpec:
    code: str
    title: str
    area: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class ValueSpec:
    code: str
    label: str
    meaning: str
    symbol: str
    off_track: bool = False


@dataclass(frozen=True, slots=True)
class FrameworkSpec:
    code: str
    name: str
    description: str
    strands: tuple[StrandSpec, ...]
    values: tuple[ValueSpec, ...]  # in the order they are offered


# The same words and shapes the bot has always shown for RAG (handlers/text.py).
_RAG = (
    (Rag.RED, "Red", "✖", True),
    (Rag.AMBER, "Amber", "▲", False),
    (Rag.GREEN, "Green", "✔", False),
)

TEACHERS_STANDARDS_RAG = FrameworkSpec(
    code=DEFAULT_FRAMEWORK,
    name="Teachers' Standards (Red/Amber/Green)",
    description="TS1-TS8 and Part Two, rated Red, Amber or Green at each review point.",
    strands=tuple(StrandSpec(s.code, s.title) for s in TEACHERS_STANDARDS),
    values=tuple(
        ValueSpec(rag.value, label, RAG_KEYS[Scale.TEACHERS_STANDARDS][rag], symbol, off)
        for rag, label, symbol, off in _RAG
    ),
)

_BEHAVIOUR = "Behaviour management"
_PEDAGOGY = "Pedagogy"

ITTECF_AREAS = FrameworkSpec(
    code=ITTECF,
    name="ITT and Early Career Framework (on track / working towards / not yet)",
    description="The ITTECF's sections under its five core areas, rated at each review point.",
    strands=(
        StrandSpec(
            "HE",
            "High expectations",
            _BEHAVIOUR,
            "Teachers have the ability to affect and improve the wellbeing, motivation and "
            "behaviour of their pupils.",
        ),
        StrandSpec(
            "HPL",
            "How pupils learn",
            _PEDAGOGY,
            "Learning involves a lasting change in pupils' capabilities or understanding.",
        ),
        StrandSpec(
            "SC",
            "Subject and curriculum",
            "Curriculum",
            "A school's curriculum sets out the knowledge, skills and values its pupils will "
            "learn; secure subject knowledge helps teachers to motivate pupils.",
        ),
        StrandSpec(
            "CP",
            "Classroom practice",
            _PEDAGOGY,
            "Effective teaching can transform pupils' knowledge, capabilities and beliefs "
            "about learning.",
        ),
        StrandSpec(
            "AT",
            "Adaptive teaching, including SEND",
            _PEDAGOGY,
            "Pupils are likely to learn at different rates and to need different levels and "
            "types of support, including pupils with special educational needs and "
            "disabilities (SEND).",
        ),
        StrandSpec(
            "AS",
            "Assessment",
            "Assessment",
            "Effective assessment gives teachers information about pupils' understanding "
            "and needs.",
        ),
        StrandSpec(
            "MB",
            "Managing behaviour",
            _BEHAVIOUR,
            "Establishing and reinforcing routines, including through positive "
            "reinforcement, helps create an effective learning environment.",
        ),
        StrandSpec(
            "PB",
            "Professional behaviours",
            "Professional behaviours",
            "Effective professional development is sustained over time and involves expert "
            "support or coaching and opportunities for collaboration.",
        ),
    ),
    values=(
        ValueSpec(
            "on_track",
            "On track",
            "Consistent evidence of what this area sets out, for this stage",
            "✔",
        ),
        ValueSpec(
            "working_towards",
            "Working towards",
            "Some evidence; needs targeted support in this area",
            "▲",
        ),
        ValueSpec(
            "not_yet",
            "Not yet",
            "Little or no evidence yet: needs support now",
            "✖",
            off_track=True,
        ),
    ),
)

SHIPPED: tuple[FrameworkSpec, ...] = (TEACHERS_STANDARDS_RAG, ITTECF_AREAS)
