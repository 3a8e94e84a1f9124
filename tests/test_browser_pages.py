"""Ranglijst, regioprofiel and vergelijken in Debian's chromium: they render, and a shared URL reproduces the view.

Runs against the warehouse built from ../shared (the session fixture), so the
pages show real figures; screenshots go to the test artefacts folder
(``browser.artefact_path``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from browser import artefact_path, chromium_path, launch_chromium, wait_for_app

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - playwright is in requirements.txt
    sync_playwright = None  # type: ignore[assignment]

if (chromium_path() is None or sync_playwright is None) and not os.environ.get("CI"):
    pytest.skip("chromium (Debian package) or playwright is not installed", allow_module_level=True)

SLOW = 120_000  # ms: the first request of a page computes the ranking, the bands and the profile tables


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if chromium_path() is None or sync_playwright is None:
        pytest.fail("CI is set but chromium or playwright is missing: apt-get install -y chromium fonts-dejavu-core")
    with sync_playwright() as pw:
        instance = launch_chromium(pw)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def new_page(browser) -> Iterator[object]:
    """A factory of fresh tabs (each its own context: no shared session, as a colleague opening a link)."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1440, "height": 2400}, locale="nl-NL")
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def open_page(tab, url: str) -> None:
    tab.goto(url, timeout=SLOW)
    wait_for_app(tab, timeout_ms=SLOW)


def settle(tab) -> None:
    """Wait for the rerun a widget change starts to finish."""
    tab.wait_for_timeout(400)
    tab.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=SLOW)


def metric(tab, label: str):
    return tab.locator("[data-testid='stMetric']", has=tab.locator("[data-testid='stMetricLabel']", has_text=label)).locator(
        "[data-testid='stMetricValue']"
    )


def no_exception(tab) -> None:
    assert not tab.locator("[data-testid='stException']").count()


def test_ranglijst_renders_and_its_url_reproduces_the_weights(server: str, new_page) -> None:
    tab = new_page()
    open_page(tab, f"{server}/ranglijst")
    expect(tab.locator("h1").first).to_have_text("Ranglijst: brede welvaart onder druk")
    expect(tab.locator("[data-testid='stPlotlyChart'] .main-svg").first).to_be_visible(timeout=SLOW)
    expect(tab.get_by_text("Rang en band: 40 van", exact=False)).to_be_visible()
    expect(tab.locator("[data-testid='stDataFrame']").first).to_be_visible()
    no_exception(tab)
    default_hash = metric(tab, "Recept-hash").inner_text()
    tab.screenshot(path=str(artefact_path("ranglijst-nl.png")), full_page=True)

    # own weights: one theme up by two steps from the keyboard
    tab.locator("[data-testid='stButtonGroup'] button", has_text="Eigen gewichten").click()
    settle(tab)
    # the weight sliders appear after the rerun; on a loaded machine that can take a while
    weights = tab.locator("[data-testid='stSlider']").filter(has_not_text="Regio's in de grafiek")
    expect(weights.first).to_be_visible(timeout=SLOW)
    thumb = weights.first.locator("input[type='range']")  # the first theme's weight
    for _ in range(2):  # one step at a time: a rerun between two quick presses can swallow the second
        thumb.focus()
        thumb.press("ArrowRight")
        settle(tab)
    expect(tab).to_have_url(re.compile(r"[?&]gewichten=[a-z_]+(%3A|:)3"), timeout=SLOW)
    expect(metric(tab, "Recept-hash")).not_to_have_text(default_hash, timeout=SLOW)
    weighted_hash = metric(tab, "Recept-hash").inner_text()
    moved = metric(tab, "Verschoven t.o.v. standaard").inner_text()
    assert int(moved) > 0
    shared = tab.url

    # a colleague opens the link: the same recipe, the same ranking
    other = new_page()
    open_page(other, shared)
    expect(metric(other, "Recept-hash")).to_have_text(weighted_hash, timeout=SLOW)
    expect(metric(other, "Verschoven t.o.v. standaard")).to_have_text(moved)
    expect(other.locator("[data-testid='stButtonGroup'] button[aria-checked='true']", has_text="Eigen gewichten")).to_be_visible()
    no_exception(other)
    other.screenshot(path=str(artefact_path("ranglijst-weights.png")), full_page=True)


def test_regioprofiel_renders_a_deal_area_and_a_chosen_region_survives_the_link(server: str, new_page) -> None:
    tab = new_page()
    open_page(tab, f"{server}/regioprofiel?regio=deal:t3-zuid-hollandse-delta")
    expect(tab.locator("h2", has_text="Regio Deal Zuid-Hollandse Delta")).to_be_visible(timeout=SLOW)
    expect(metric(tab, "Plaats tussen gemeenten")).to_contain_text(" van ")
    expect(tab.get_by_text("Vergelijkbare regio's")).to_be_visible()
    # a table per theme; on a loaded machine the tables arrive after the heading, so wait for the eighth
    expect(tab.locator("[data-testid='stDataFrame']").nth(7)).to_be_attached(timeout=SLOW)
    no_exception(tab)
    tab.screenshot(path=str(artefact_path("regioprofiel-deal-nl.png")), full_page=True)

    # pick a gemeente with the widgets: the URL gets its code
    tab.locator("[data-testid='stButtonGroup'] button", has_text="Gemeente").click()
    settle(tab)
    box = tab.locator("[data-testid='stSelectbox']").first
    box.click()
    tab.keyboard.type("Rotterdam")
    tab.keyboard.press("Enter")
    settle(tab)
    expect(tab).to_have_url(re.compile(r"[?&]regio=GM0599\b"), timeout=SLOW)
    expect(tab.locator("h2", has_text="Rotterdam")).to_be_visible(timeout=SLOW)
    expect(metric(tab, "Rang (druk)")).to_contain_text(" van ")
    rank = metric(tab, "Rang (druk)").inner_text()

    other = new_page()
    open_page(other, tab.url)
    expect(other.locator("h2", has_text="Rotterdam")).to_be_visible(timeout=SLOW)
    expect(metric(other, "Rang (druk)")).to_have_text(rank)
    no_exception(other)

    # a similar region is a link to its own profile
    link = other.locator("[data-testid='stPageLink'] a").first
    name = link.inner_text().strip().splitlines()[-1].strip()  # after the icon's ligature name
    link.click()
    settle(other)
    expect(other.locator("h2", has_text=name)).to_be_visible(timeout=SLOW)
    expect(other).to_have_url(re.compile(r"/regioprofiel\?regio=GM\d{4}"))
    no_exception(other)


def test_vergelijken_renders_in_english_and_the_link_keeps_the_regions(server: str, new_page) -> None:
    tab = new_page()
    open_page(tab, f"{server}/vergelijken?regio=GM0014~GM0034~deal:t3-zuid-hollandse-delta&lang=en")
    expect(tab.locator("h1").first).to_have_text("Compare regions")
    expect(tab.locator("[data-testid='stPlotlyChart'] .main-svg").nth(1)).to_be_visible(timeout=SLOW)
    expect(tab.get_by_text("Pressure per theme")).to_be_visible()
    chips = tab.locator("[data-testid='stMultiSelect'] [aria-label^='Remove ']")  # one remove button per chosen region
    expect(chips).to_have_count(3)
    no_exception(tab)
    tab.screenshot(path=str(artefact_path("vergelijken-en.png")), full_page=True)

    # remove one region: the link follows, and opens the same two regions elsewhere
    tab.locator("[data-testid='stMultiSelect'] [aria-label='Remove Almere (municipality)']").click()
    settle(tab)
    expect(tab).to_have_url(re.compile(r"regio=GM0014(~|%7E)deal(:|%3A)t3-zuid-hollandse-delta"), timeout=SLOW)
    other = new_page()
    open_page(other, tab.url)
    expect(other.locator("[data-testid='stMultiSelect'] [aria-label^='Remove ']")).to_have_count(2)
    expect(other.locator("h1").first).to_have_text("Compare regions")
    no_exception(other)
