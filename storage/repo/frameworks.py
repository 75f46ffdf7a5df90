"""The strands (or standards) a programme's trainees are rated on and set targets against.

The contract the rating conversation, targets and support plans read. Until assessment
frameworks are data (migration 0010) every programme is on the Teachers' Standards.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.catalogue import TEACHERS_STANDARDS


@dataclass(frozen=True, slots=True)
class Strand:
    code: str  # stored on records (ratings, targets); labels are rendered when shown
    title: str


async def strands_for_programme(session: AsyncSession, *, programme_id: int) -> list[Strand]:
    """The programme's strands in the order they are shown."""
    return [Strand(s.code, s.title) for s in TEACHERS_STANDARDS]
