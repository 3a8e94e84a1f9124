"""Browser tests: the real app in Debian's chromium, against a synthetic warehouse.

Starts ``streamlit run app.py`` once for the module (see ``browser.py``). Skipped
only when chromium is missing and ``CI`` is not set; in CI a missing chromium or
Playwright fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from browser import chromium_path, launch_chromium, streamlit_server, wait_for_app, write_synthetic_warehouse

IN_CI = bool(os.environ.get("CI"))

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - playwright is in requirements.txt
    sync_playwright = None  # type: ignore[assignment]

if (chromium_path() is None or sync_playwright is None) and not IN_CI:
    pytest.skip("chromium (Debian package) or playwright is not installed", allow_module_level=True)

COVERAGE_NL = "Dekking per indicator: niveaus, jaren en aantal regio's met een waarde"
COVERAGE_EN = "Coverage per indicator: levels, years and number of regions with a value"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser")
    write_synthetic_warehouse(root / "warehouse")
    log = root / "streamlit.log"
    try:
        with streamlit_server(root / "warehouse", log) as base:
            yield base
    finally:
        if log.exists():
            print(f"\nstreamlit log: {log}")


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
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1800}, locale="nl-NL")
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def open_app(page, server: str, query: str = "") -> None:
    page.goto(f"{server}/status{query}", timeout=30_000)  # the map is the landing page; these tests are about status
    wait_for_app(page)


def sidebar_option(page, name: str):
    return page.locator("[data-testid='stSidebar'] [data-testid='stButtonGroup'] button", has_text=re.compile(f"^{name}$"))


def test_status_page_shows_coverage_table(page, server: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    open_app(page, server)
    expect(page.locator("h1").first).to_have_text("Status van de gegevens")
    expect(page.get_by_label(COVERAGE_NL, exact=True).first).to_be_visible()
    expect(page.get_by_text("Bron: CBS, 80305ned, 86004NED, 86088NED; bewerking regiowelvaart")).to_be_visible()
    expect(page.locator("[data-testid='stMetricValue']", has_text="3 van")).to_be_visible()
    expect(sidebar_option(page, "nl")).to_have_attribute("aria-checked", "true")
    assert not page.locator("[data-testid='stException']").count()
    shot = tmp_path_factory.mktemp("screenshots") / "status-nl.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot: {shot}")
    assert shot.stat().st_size > 10_000


def test_lang_en_in_the_url_shows_english(page, server: str) -> None:
    open_app(page, server, "?lang=en")
    expect(page.locator("h1").first).to_have_text("Data status")
    expect(page.get_by_label(COVERAGE_EN, exact=True).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Source: CBS .*processing regiowelvaart$")).first).to_be_visible()
    expect(sidebar_option(page, "en")).to_have_attribute("aria-checked", "true")
    assert "lang=en" in page.url


def test_language_switch_updates_page_and_url(page, server: str) -> None:
    open_app(page, server)
    sidebar_option(page, "en").click()
    expect(page.locator("h1").first).to_have_text("Data status")
    expect(page).to_have_url(re.compile(r"[?&]lang=en\b"))
    sidebar_option(page, "nl").click()
    expect(page.locator("h1").first).to_have_text("Status van de gegevens")
    expect(page).not_to_have_url(re.compile(r"lang="))  # the default leaves the URL


def test_invalid_lang_shows_notice_and_dutch(page, server: str) -> None:
    open_app(page, server, "?lang=xx")
    expect(page.locator("h1").first).to_have_text("Status van de gegevens")
    expect(page.locator("[data-testid='stSidebar'] [data-testid='stAlert']")).to_contain_text("Onbekende taal ‘xx’")
    expect(page).not_to_have_url(re.compile(r"lang="))
    assert not page.locator("[data-testid='stException']").count()
