"""The map and method pages in Debian's chromium: the map draws, a link reproduces a view, a click on a
region opens its profile; screenshots as test artefacts (``browser.artefact_path``).

The map is the landing page, so Streamlit serves it at ``/`` (its own ``/kaart`` answers "page not
found"). MapLibre needs WebGL: chromium gets SwiftShader for it here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from browser import REPO, artefact_path, chromium_path, open_map, wait_for_app

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - playwright is in requirements.txt
    sync_playwright = None  # type: ignore[assignment]

if (chromium_path() is None or sync_playwright is None) and not os.environ.get("CI"):
    pytest.skip("chromium (Debian package) or playwright is not installed", allow_module_level=True)

UTRECHT = (5.12, 52.09)  # a point in gemeente Utrecht (GM0344)


@pytest.fixture
def page(webgl_browser) -> Iterator[object]:
    context = webgl_browser.new_context(viewport={"width": 1500, "height": 1600}, locale="nl-NL")
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def test_the_map_renders_with_its_summary_and_source(page, server: str) -> None:
    open_map(page, server)
    expect(page.locator("h1").first).to_have_text("Brede welvaart op de kaart")
    chart = page.locator("[data-testid='stPlotlyChart']").first
    expect(chart).to_be_visible()
    assert page.get_by_text("Druk op brede welvaart (eigen maat)").count() > 0
    assert page.get_by_text("geen gegevens", exact=False).count() > 0  # the explicit no-data legend entry
    expect(page.get_by_text(re.compile(r"Hoogste: .*Laagste: ")).first).to_be_visible()  # summary beside the map
    expect(page.get_by_text(re.compile(r"^Bron: CBS, .*bewerking regiowelvaart")).first).to_be_attached()
    assert not page.locator("[data-testid='stException']").count()
    page.screenshot(path=str(artefact_path("kaart-nl.png")), full_page=True)
    chart.screenshot(path=str(artefact_path("kaart-map.png")))


def test_a_shared_link_reproduces_the_view(page, server: str) -> None:
    query = "?lang=en&niveau=provincie&indicator=wrk_unemployment&weergave=quarters&deals=1"
    open_map(page, server, query)
    expect(page.locator("h1").first).to_have_text("Broad welfare on the map")
    level = page.locator("[data-testid='stButtonGroup'] button", has_text=re.compile("^Provinces$"))
    expect(level).to_have_attribute("aria-checked", "true")
    assert page.get_by_text("worst quarter (", exact=False).count() > 0
    assert page.get_by_text("Round 3").count() > 0  # the deal overlay's legend
    params = parse_qs(urlsplit(page.url).query)
    assert params["niveau"] == ["provincie"] and params["indicator"] == ["wrk_unemployment"]
    assert params["weergave"] == ["quarters"] and params["deals"] == ["1"]
    # the link box holds the same view
    link = page.locator("[data-testid='stCode']").first.inner_text()
    assert "niveau=provincie" in link and "weergave=quarters" in link
    assert not page.locator("[data-testid='stException']").count()
    page.screenshot(path=str(artefact_path("kaart-en-provincies.png")), full_page=True)


def test_changing_a_control_updates_the_link(page, server: str) -> None:
    open_map(page, server)
    page.locator("[data-testid='stButtonGroup'] button", has_text=re.compile("^COROP-gebieden$")).click()
    expect(page).to_have_url(re.compile(r"[?&]niveau=corop\b"), timeout=60_000)
    wait_for_app(page, timeout_ms=120_000)
    assert page.get_by_text(re.compile(r"COROP-gebieden, per indicator")).count() > 0
    assert not page.locator("[data-testid='stException']").count()


def test_a_click_on_a_region_opens_its_profile(page, server: str) -> None:
    open_map(page, server, "?indicator=wrk_unemployment")
    xy = page.evaluate(
        "([lon, lat]) => { const gd = document.querySelector('.js-plotly-plot');"
        " const map = gd._fullLayout.map._subplot.map; const p = map.project([lon, lat]);"
        " const box = map.getCanvas().getBoundingClientRect(); return [box.left + p.x, box.top + p.y]; }",
        list(UTRECHT),
    )
    page.mouse.move(xy[0], xy[1])
    page.wait_for_timeout(500)
    page.mouse.click(xy[0], xy[1])
    profile_ready = (REPO / "pages" / "regioprofiel.py").exists() and "pages/regioprofiel.py" in (REPO / "app.py").read_text()
    if profile_ready:
        expect(page).to_have_url(re.compile(r"/regioprofiel\?.*regio=GM0344"), timeout=60_000)
        wait_for_app(page, timeout_ms=120_000)
        params = parse_qs(urlsplit(page.url).query)
        assert params["regio"] == ["GM0344"] and params["indicator"] == ["wrk_unemployment"]
        assert not page.locator("[data-testid='stException']").count()
        page.screenshot(path=str(artefact_path("kaart-click-profiel.png")), full_page=True)
    else:  # the profile page is not in the app yet: the map says so and stays
        expect(page.get_by_text(re.compile(r"regioprofiel van Utrecht \(GM0344\)"))).to_be_visible(timeout=60_000)


def test_the_method_page_renders(page, server: str) -> None:
    page.goto(f"{server}/methode", timeout=60_000)
    wait_for_app(page, timeout_ms=120_000)
    expect(page.locator("h1").first).to_have_text("Methode en bronnen")
    expect(page.get_by_text("geen officiële selectieregel", exact=False).first).to_be_visible()
    expect(page.get_by_text("CC BY-NC-SA 4.0", exact=False).first).to_be_attached(timeout=60_000)  # the licences, last
    assert page.locator("[data-testid='stDataFrame']").count() >= 1  # the indicator table
    assert not page.locator("[data-testid='stException']").count()
    page.screenshot(path=str(artefact_path("methode-nl.png")), full_page=True)
