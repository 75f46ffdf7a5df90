"""The demo's part about assessment frameworks: the sample calendar puts the School Direct
programme on the ITTECF areas (its `framework` column; the PGCE stays on the Teachers'
Standards, Red/Amber/Green), and the programmes are shown with what they are rated on, as
`mentorbot framework list` says it."""

from __future__ import annotations

from collections.abc import Mapping

from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repo import frameworks


async def frameworks_table(sessions: async_sessionmaker[AsyncSession]) -> Table:
    async with sessions() as s:
        programmes = await frameworks.programmes_with_frameworks(s)
    table = Table(title="Programmes and what they are rated on", title_justify="left")
    for column in ("programme", "framework", "strands", "scale (off track marked ⚠)"):
        table.add_column(column, overflow="fold")
    for name, f in programmes:
        scale = " · ".join(
            f"{v.symbol} {v.label}" + (" ⚠" if v.off_track else "") for v in f.values
        )
        table.add_row(name, f.name, ", ".join(s.code for s in f.strands), scale)
    return table


def ittecf_ratings(overrides: Mapping[str, str]) -> dict[str, str]:
    """A School Direct trainee's ratings on the ITTECF areas (shipped as data, not named by
    the bot: this is the script's answer, typed as a mentor would)."""
    areas = ("HE", "HPL", "SC", "CP", "AT", "AS", "MB", "PB")
    values: dict[str, str] = {code: "on_track" for code in areas}
    values |= {"comment": "Secure start on the ITTECF areas.", "targets": "Adaptive teaching"}
    values |= overrides
    return values
