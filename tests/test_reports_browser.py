"""The report pages in a real browser: headless Chromium renders the cohort report and an
IDP to PNG; the pages load without console errors and their tables are there."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from handlers.reports import render
from storage.db import make_engine, session_factory
from storage.reports.cohort import CohortFilter, cohort
from storage.reports.idp import idp
from tests.factories import NOW, build_world
from tests.report_data import full_term

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (.ci/run installs Debian's)"
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
)


def _chromium(*args: str) -> subprocess.Popen[str]:
    assert CHROMIUM is not None
    return subprocess.Popen(
        [CHROMIUM, *FLAGS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish(run: subprocess.Popen[str]) -> tuple[int, str, str]:
    # About 11 s for all four on a quiet 2-core machine; the bound is only against a hang
    # (on a machine busy with other work a cold Chromium start alone took over 25 s).
    out, err = run.communicate(timeout=120)
    return run.returncode, out, err


async def _pages(url: str, folder: Path) -> list[Path]:
    engine = make_engine(url)
    try:
        sessions = session_factory(engine)
        w = await build_world(sessions)
        await full_term(sessions, w)
        async with sessions() as s:
            report = await cohort(s, CohortFilter(), now=NOW)
            found = await idp(s, trainee_id=w.trainee_id)
    finally:
        await engine.dispose()
    assert found is not None
    pages = {
        "cohort.html": render.cohort_html(report),
        "idp.html": render.idp_html(found, generated_at=NOW),
    }
    for name, html in pages.items():
        (folder / name).write_text(html, encoding="utf-8")
    return [folder / name for name in pages]


def test_the_pages_render_in_chromium_without_console_errors(sqlite_url, tmp_path):
    pages = asyncio.run(_pages(sqlite_url, tmp_path))
    # Each page twice (a screenshot; its DOM once loaded), all four browsers at once.
    runs = [
        (
            page,
            _chromium(
                f"--screenshot={page.with_suffix('.png')}", "--window-size=1240,1754", page.as_uri()
            ),
            _chromium("--dump-dom", page.as_uri()),
        )
        for page in pages
    ]
    for page, shot_run, dom_run in runs:
        _code, _out, shot_err = _finish(shot_run)
        code, dom, dom_err = _finish(dom_run)
        png = page.with_suffix(".png")
        assert png.exists() and png.stat().st_size > 10_000, shot_err[-2000:]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        console = [line for line in (shot_err + dom_err).splitlines() if ":CONSOLE" in line]
        assert console == [], console
        assert code == 0, dom_err[-2000:]
        assert "<table" in dom and "<caption>" in dom
        assert 'scope="row"' in dom and "Tara Trainee" in dom
        assert "<script" not in dom
