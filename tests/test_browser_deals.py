"""The deals page in Debian's chromium: map with deal areas, the table, a deal card; screenshots as artefacts."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from browser import artefact_path, chromium_path, launch_chromium, wait_for_app

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - playwright is in requirements.txt
    sync_playwright = None  # type: ignore[assignment]

if (chromium_path() is None or sync_playwright is None) and not os.environ.get("CI"):
    pytest.skip("chromium (Debian package) or playwright is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def page(server) -> Iterator[object]:
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 3200})
        finally:
            browser.close()


def test_the_deals_map_draws_deal_areas_over_the_pressure_map(server, page):
    page.goto(f"{server}/deals?deal=t3-zuid-hollandse-delta")
    wait_for_app(page, timeout_ms=120_000)
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.wait_for(timeout=60_000)
    page.wait_for_selector(".maplibregl-canvas, canvas", timeout=60_000)
    page.wait_for_timeout(3000)  # MapLibre paints after the element appears
    assert page.get_by_text("slechtste kwart", exact=False).count() > 0
    assert page.get_by_text("Tranche 3").count() > 0
    assert page.get_by_text("Regio Deal Zuid-Hollandse Delta").count() > 0
    assert page.get_by_text("Dealgebied").count() > 0  # the card's welfare table
    assert not page.locator("[data-testid='stException']").count()
    page.screenshot(path=str(artefact_path("deals-nl.png")), full_page=True)
    # the map itself, for the briefing writers' eyes
    chart.screenshot(path=str(artefact_path("deals-map.png")))
