"""The reports over programmes on different frameworks: each trainee's cells on their own
framework's strands, the others' marked as not applying, and a key per framework."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

from handlers.reports import render
from storage.imports.framework import use_framework
from storage.models import RagRating
from storage.reports.cohort import CohortFilter, cohort
from storage.reports.idp import idp
from tests.factories import build_world
from tests.test_frameworks_conversations import _second_trainee_on_teachers_standards

NOW = datetime(2026, 11, 21, 10, tzinfo=UTC)


def _text(page: str) -> str:
    page = re.sub(r"<style.*?</style>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


async def test_cohort_heatmap_and_idp_over_two_frameworks(sessions):
    w = await build_world(sessions)
    await use_framework(sessions, code="ittecf", programme="PGCE Primary 2026-27", force=False)
    await _second_trainee_on_teachers_standards(sessions, w)
    async with sessions() as s, s.begin():
        s.add(
            RagRating(
                scale="ittecf",
                item_code="AT",
                rating="not_yet",
                subject_id=w.trainee_id,
                rater_id=w.mentor_id,
                placement_id=w.placement_id,
                review_point_id=w.review_point_id,
                created_at=NOW,
            )
        )
    async with sessions() as s:
        report = await cohort(s, CohortFilter(), now=NOW)
        portfolio = await idp(s, trainee_id=w.trainee_id)
    codes = [code for code, _ in report.standards]
    assert codes[:2] == ["TS1", "TS2"] and "AT" in codes
    assert report.rating(w.placement_id, "AT") == "not_yet"
    page = _text(render.cohort_html(report))
    assert "Teachers' Standards (Red/Amber/Green): ✖ Red ▲ Amber ✔ Green" in page
    assert (
        "ITT and Early Career Framework (on track / working towards / not yet): ✔ On track" in page
    )
    tara = page[page.index("Tara Trainee Horton") :][:400]
    assert tara.startswith("Tara Trainee Horton Grange Primary · · · · · · · · ·")  # no TS
    assert "✖ Not yet" in tara
    sid = page[page.index("Sid Second") :][:300]
    assert sid.startswith("Sid Second Horton Grange Primary – not rated – not rated")
    assert "– not rated · · · · · · · ·" in sid  # TS not rated yet; the ITTECF's not his
    assert portfolio is not None
    idp_page = _text(render.idp_html(portfolio, generated_at=NOW))
    assert "Key: ✔ On track ▲ Working towards ✖ Not yet" in idp_page  # the trainee's own only
    assert "AT ✖ Not yet" in idp_page and "TS1" not in idp_page
