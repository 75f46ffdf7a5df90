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


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, *args], capture_output=True, text=True, timeout=25, check=False
    )


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
    for page in asyncio.run(_pages(sqlite_url, tmp_path)):
        png = page.with_suffix(".png")
        shot = _chromium(f"--screenshot={png}", "--window-size=1240,1754", page.as_uri())
        assert png.exists() and png.stat().st_size > 10_000, shot.stderr[-2000:]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        console = [line for line in shot.stderr.splitlines() if ":CONSOLE" in line]
        assert console == [], console
        dom = _chromium("--dump-dom", page.as_uri())
        assert dom.returncode == 0, dom.stderr[-2000:]
        assert "<table" in dom.stdout and "<caption>" in dom.stdout
        assert 'scope="row"' in dom.stdout and "Tara Trainee" in dom.stdout
        assert "<script" not in dom.stdout
