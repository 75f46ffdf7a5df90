"""Evidence out: the IDP, the cohort report and the School Summary Report as pages and
files, and the signed links that serve them (× SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
import logging
import zipfile
from collections.abc import AsyncIterator
from datetime import timedelta
from html.parser import HTMLParser

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.web import reports as reports_web
from handlers.reports import files, links, render
from storage.models import ReviewPointQA
from storage.reports.cohort import CohortFilter, cohort
from storage.reports.idp import idp
from storage.reports.school import school_report
from tests.factories import NOW, World, build_world
from tests.report_data import Term, full_term

SECRET = b"test-link-secret-0123456789"


class Tables(HTMLParser):
    """Each table's caption and how many body rows it has (the page as a reader meets it)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: dict[str, int] = {}
        self._caption: list[str] | None = None
        self._current = ""
        self._in_body = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "caption":
            self._caption = []
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows[self._current] = self.rows.get(self._current, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self._current = " ".join("".join(self._caption).split()).split(" (")[0]
            self.rows[self._current] = 0
            self._caption = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data: str) -> None:
        if self._caption is not None:
            self._caption.append(data)


async def _term(sessions: async_sessionmaker[AsyncSession]) -> tuple[World, Term]:
    w = await build_world(sessions)
    return w, await full_term(sessions, w)


def _expected(term: Term) -> dict[str, int]:
    return {
        "meetings": term.meetings,
        "observations": term.observations,
        "ratings": term.ratings,
        "targets": term.targets,
        "concerns": term.concerns,
        "escalations": term.escalations,
        "support_plans": term.support_plans,
    }


async def test_the_idp_exports_contain_every_record(sessions):
    w, term = await _term(sessions)
    async with sessions() as s:
        found = await idp(s, trainee_id=w.trainee_id)
    assert found is not None
    expected = _expected(term)
    assert found.counts() == expected

    page = render.idp_html(found, generated_at=NOW)
    rows = Tables(page).rows
    assert rows["Weekly Development Meetings"] == term.meetings
    assert rows["Lesson observation feedback"] == term.observations
    assert rows["Review-point ratings in full"] == term.ratings
    assert rows["Targets and their history"] == term.targets
    assert rows["Concerns"] == term.concerns
    assert rows["Escalations to the ITT leadership team"] == term.escalations
    assert rows["Support plans"] == term.support_plans
    assert "We ran out of time" in page and "disagreed" in page  # the trainee's dispute
    # Typed text is escaped, never markup.
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Trip &lt;b&gt;day&lt;/b&gt;" in page

    archive = zipfile.ZipFile(io.BytesIO(files.idp_csv_zip(found)))
    for kind, n in expected.items():
        with archive.open(f"{kind}.csv") as handle:
            parsed = list(csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8")))
        assert len(parsed) == n, kind
    assert "placements.csv" in archive.namelist()

    body = json.loads(files.idp_json(found))
    assert {kind: len(body[kind]) for kind in expected} == expected
    assert body["rating_grid"]["standards"]["TS1"] == {
        "Review point 1": "red",
        "Review point 2": "green",
    }


async def test_the_idp_grid_shows_each_review_point_as_word_and_symbol(sessions):
    w, _ = await _term(sessions)
    async with sessions() as s:
        found = await idp(s, trainee_id=w.trainee_id)
    assert found is not None
    assert found.grid.review_points == ("Review point 1", "Review point 2")
    assert found.grid.at("TS1", "Review point 1") == "red"
    page = render.idp_html(found, generated_at=NOW)
    assert "✖ Red" in page and "✔ Green" in page and "▲ Amber" in page
    assert '<th scope="col">' in page and '<th scope="row">' in page


async def test_the_heatmap_shows_the_latest_rating_per_standard(sessions):
    w, _ = await _term(sessions)
    async with sessions() as s:
        latest = await cohort(s, CohortFilter(), now=NOW)
        at_first = await cohort(s, CohortFilter(review_point="Review point 1"), now=NOW)
    assert latest.rating(w.placement_id, "TS1") == "green"  # Red at RP1, Green at RP2
    assert latest.rating(w.placement_id, "TS5") == "amber"
    assert at_first.rating(w.placement_id, "TS1") == "red"
    assert latest.rating(w.other_placement_id, "TS1") is None
    page = render.cohort_html(latest)
    tara = page.split('<th scope="row">Tara Trainee</th>', 1)[1].split("</tr>", 1)[0]
    cells = tara.count('<td class="rag rag-')
    assert cells == len(latest.standards)
    assert tara.count("✔ Green") == 8 and tara.count("▲ Amber") == 1
    assert "Key" in page and "– not rated" in page  # the legend, and no colour alone


async def test_the_cohort_report_counts_weeks_timeliness_and_open_items(sessions):
    w, term = await _term(sessions)
    async with sessions() as s:
        report = await cohort(s, CohortFilter(school="Horton Grange Primary"), now=NOW)
    assert [t.trainee_name for t in report.trainees] == ["Tara Trainee"]
    assert len(report.weeks) == term.meetings
    held = [v for (pid, _), v in report.meetings.items() if v == "held"]
    assert len(held) == 8
    timeliness = report.timeliness[w.placement_id]
    assert timeliness.observations == term.observations
    assert timeliness.worst_days_to_feedback == 2 and timeliness.unacknowledged == 1
    # The resolved concern is closed; the later wellbeing concern is open, six days old (raised 11 Nov 16:00).
    assert [(i.kind, i.what, i.age_days) for i in report.open_items] == [
        ("concern", "wellbeing", 6)
    ]


async def test_the_cohort_csv_opens_with_the_csv_module(sessions):
    await _term(sessions)
    async with sessions() as s:
        report = await cohort(s, CohortFilter(programme="PGCE Primary 2026-27"), now=NOW)
    rows = {r["trainee"]: r for r in csv.DictReader(io.StringIO(files.cohort_csv(report)))}
    assert set(rows) == {"Tara Trainee", "Oli Other"}
    assert rows["Tara Trainee"]["TS1"] == "green"
    assert rows["Tara Trainee"]["meetings_signed_off"] == "8"
    assert rows["Oli Other"]["TS1"] == ""


async def test_the_school_summary_report(sessions):
    w, _ = await _term(sessions)
    async with sessions() as s, s.begin():
        s.add(
            ReviewPointQA(
                trainee_id=w.trainee_id,
                review_point_id=w.review_point_id,
                lead_mentor_id=w.lead_id,
                evidence_checked="weekly_meetings,ratings",
                evidence_note="Weeks 1 to 10",
                judgement_agreed=False,
                disagreement="TS1 reads Amber",
                actions="Joint observation",
                recorded_at=NOW,
            )
        )
    async with sessions() as s:
        report = await school_report(s, school_id=w.school_id, now=NOW)
    assert report.mentors == ["Mo Mentor"]
    c = report.compliance[w.placement_id]
    assert (c.meetings_held, c.meetings_recorded) == (8, 12)
    assert (c.review_points_due, c.review_points_rated) == (1, 1)  # RP2 has not started yet
    assert report.rag_distribution == {"green": 8, "amber": 1}
    assert report.support_plans[w.placement_id] == (0, 1)
    page = render.school_html(report)
    assert "School Summary Report: Horton Grange Primary" in page and "Oli Other" not in page
    assert [(q.review_point, q.evidence_checked, q.judgement_agreed) for q in report.qa] == [
        ("Review point 1", ("weekly_meetings", "ratings"), False)
    ]
    assert Tables(page).rows["Lead mentor's QA comments"] == 1
    assert "weekly meetings, ratings" in page
    assert "✖ not agreed" in page and "TS1 reads Amber" in page


# -- signed links ------------------------------------------------------------------------


@pytest.fixture
async def served(sessions) -> AsyncIterator[aiohttp.ClientSession]:
    app = web.Application()
    reports_web.mount(app, sessions, lambda: NOW)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    links.configure(links.LinkSettings(SECRET, str(server.make_url(""))))
    async with aiohttp.ClientSession() as http:
        yield http
    links.configure(None)
    await server.close()


def _link(kind: str, person_id: int, *, at=NOW, **extra: object) -> str:
    settings = links.current()
    assert settings is not None
    return settings.make(kind, person_id=person_id, now=at, **extra)


async def _open(http: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with http.get(url) as response:
        return response.status, await response.text()


async def test_a_lead_mentor_link_opens_their_school_only(sessions, served):
    w, _ = await _term(sessions)
    status, page = await _open(served, _link("cohort", w.lead_id))
    assert status == 200 and "Tara Trainee" in page and "Oli Other" not in page
    assert (await _open(served, _link("idp", w.lead_id, target=w.trainee_id)))[0] == 200
    # A trainee of another school: refused, though the link itself is genuine.
    status, page = await _open(served, _link("idp", w.lead_id, target=w.other_trainee_id))
    assert status == 403 and "Oli Other" not in page
    assert (await _open(served, _link("school", w.lead_id, target=w.school_id)))[0] == 200
    other_school = w.school_id + 1
    assert (await _open(served, _link("school", w.lead_id, target=other_school)))[0] == 403


async def test_expired_and_altered_links_get_a_plain_403(sessions, served):
    w, _ = await _term(sessions)
    expired = _link("cohort", w.lead_id, at=NOW - timedelta(hours=24, seconds=1))
    status, page = await _open(served, expired)
    assert status == 403 and "Tara" not in page and "expired" in page
    good = _link("cohort", w.lead_id)
    payload, _mac = good.rsplit("/", 1)[1].split(".")
    forged = links.sign(
        links.Grant("cohort", w.itt_lead_id, int((NOW + timedelta(hours=1)).timestamp())),
        b"another secret",
    )
    for bad in (
        good[:-1] + ("A" if good[-1] != "A" else "B"),
        good.replace(payload, payload[:-2] + "xx"),
        good.rsplit("/", 1)[0] + "/" + forged,
        good.rsplit("/", 1)[0] + "/not-a-token",
    ):
        assert (await _open(served, bad))[0] == 403, bad


async def test_mentors_and_trainees_see_only_their_own(sessions, served):
    w, _ = await _term(sessions)
    assert (await _open(served, _link("idp", w.trainee_id, target=w.trainee_id)))[0] == 200
    assert (await _open(served, _link("idp", w.trainee_id, target=w.other_trainee_id)))[0] == 403
    assert (await _open(served, _link("cohort", w.trainee_id)))[0] == 403
    assert (await _open(served, _link("idp", w.mentor_id, target=w.trainee_id)))[0] == 200
    assert (await _open(served, _link("idp", w.mentor_id, target=w.other_trainee_id)))[0] == 403
    assert (await _open(served, _link("cohort", w.mentor_id)))[0] == 403
    status, page = await _open(served, _link("cohort", w.itt_lead_id))
    assert status == 200 and "Oli Other" in page and "Tara Trainee" in page


def test_a_report_link_is_never_written_to_the_access_log():
    from bot.logs import PrivateFilter

    line = '127.0.0.1 "GET /reports/eyJraW5kIjoiY29ob3J0In0.c2lnbmF0dXJl HTTP/1.1" 200 5120'
    record = logging.LogRecord("aiohttp.access", logging.INFO, __file__, 1, line, None, None)
    assert PrivateFilter().filter(record)
    assert record.getMessage() == '127.0.0.1 "GET /reports/… HTTP/1.1" 200 5120'
