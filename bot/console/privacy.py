"""The demo's data protection step: the office answers a subject access request for one
trainee (what `mentorbot privacy export` writes), in the evidence-out folder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.text import Text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.reports.held import held_html
from storage.privacy.held import find_subject, held_about


async def subject_access(
    sessions: async_sessionmaker[AsyncSession], email: str, now: datetime, folder: Path
) -> Text:
    async with sessions() as s, s.begin():
        subject = await find_subject(s, email)
        if subject is None:
            return Text("")
        held = await held_about(s, subject)
    path = folder / "held.html"
    path.write_text(held_html(held, generated_at=now, has_idp=False), encoding="utf-8")
    counts = held.counts()
    return Text(
        f"Data protection: {sum(counts.values())} records held about {subject.full_name} "
        f"in {sum(1 for n in counts.values() if n)} tables, as a subject access request "
        f"answers it (`mentorbot privacy export`; also `privacy erase`, `privacy retention`, "
        f"`audit`)\n  {path}"
    )
