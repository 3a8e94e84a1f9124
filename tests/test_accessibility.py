"""Accessibility: axe-core (bundled by axe-playwright-python) on every page in Debian's chromium.

A page passes when axe reports no *serious* or *critical* violation. Minor and
moderate findings are printed, so they stay visible without failing the run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser import PRESENT_PAGES, artefact_path, chromium_path, launch_chromium, streamlit_server, wait_for_app

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - both are in requirements.txt
    sync_playwright = None  # type: ignore[assignment]

if (chromium_path() is None or sync_playwright is None) and not os.environ.get("CI"):
    pytest.skip("chromium (Debian package) or playwright is not installed", allow_module_level=True)

BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def server(built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out, _ = built
    log = tmp_path_factory.mktemp("browser-a11y") / "streamlit.log"
    with streamlit_server(out, log) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_playwright() as pw:
        instance = launch_chromium(pw)
        try:
            yield instance
        finally:
            instance.close()


@pytest.mark.parametrize("path", PRESENT_PAGES)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_serious_accessibility_violations(server, browser, path: str, lang: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    try:
        # the landing page lives at "/": Streamlit answers the default page's own path with "page not found"
        page.goto(f"{server}/{'' if path == 'kaart' else path}?lang={lang}")
        wait_for_app(page, timeout_ms=120_000)
        page.wait_for_timeout(2500)  # charts and maps finish drawing after the script run
        results = Axe().run(page)
        violations = results.response.get("violations", [])
        report = [
            {"id": v["id"], "impact": v.get("impact"), "help": v.get("help"), "nodes": [n.get("target") for n in v.get("nodes", [])][:5]}
            for v in violations
        ]
        Path(artefact_path(f"axe-{path}-{lang}.json")).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        for v in report:
            if v["impact"] not in BLOCKING:
                print(f"{path} ({lang}) minor: {v['id']} — {v['help']}")
        blocking = [v for v in report if v["impact"] in BLOCKING]
        assert not blocking, json.dumps(blocking, indent=2, ensure_ascii=False)
        assert page.title()  # every page has a document title
    finally:
        page.close()
