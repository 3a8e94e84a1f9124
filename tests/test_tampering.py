"""URL tampering: every page with random, oversized and hostile query strings.

No traceback, no exception element, the page still draws its title; hostile
markup never runs (checked in chromium: an ``onerror`` payload would set a
global). Pages are included once their file exists.
"""

from __future__ import annotations

import os
import string
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from browser import PAGE_FILES, PRESENT_PAGES, REPO, chromium_path, launch_chromium, streamlit_server, wait_for_app

APP = REPO / "app.py"
PARAMS = ["lang", "niveau", "jaar", "indicator", "weergave", "regio", "gewichten", "deals", "deal", "ronde", "status",
          "provincie", "budget", "thema", "zoek", "kleur", "gemeenten", "preset", "rijksbijdrage", "cofinanciering"]  # fmt: skip
HOSTILE = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=window.__pwned=1>",
    "javascript:window.__pwned=1",
    "' OR 1=1 --",
    "%00%ff",
    "GM0363~" * 500,
    "gezondheid:5~" * 2000,
    "x" * 20_000,
    "-1",
    "99999999999999999999",
    "NaN",
    "[1,2,3]",
    "${7*7}",
    ":red[boo]",
    "**bold** [link](http://example.com)",
]


@pytest.fixture(scope="module")
def warehouse(built) -> Path:
    out, _ = built
    return out


def run_page(page: str, query: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{PAGE_FILES[page]}")
    return at.run()


def assert_survived(at: AppTest, page: str, query: dict) -> None:
    assert not at.exception, (page, query, [e.message for e in at.exception])
    assert at.title or at.error, (page, query)  # the page drew itself, or said what is wrong (never a traceback)


ROUNDS = 5  # each round gives every parameter another hostile value; together they use every value


@pytest.mark.parametrize("page", PRESENT_PAGES)
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_hostile_values_in_every_parameter(warehouse, monkeypatch, page, round_):
    monkeypatch.setenv("REGIOWELVAART_WAREHOUSE", str(warehouse))
    query = {p: HOSTILE[(i * ROUNDS + round_) % len(HOSTILE)] for i, p in enumerate(PARAMS)}
    assert_survived(run_page(page, query), page, query)


def test_the_rounds_use_every_hostile_value():
    used = {HOSTILE[(i * ROUNDS + r) % len(HOSTILE)] for r in range(ROUNDS) for i in range(len(PARAMS))}
    assert used == set(HOSTILE)


values = st.one_of(
    st.text(alphabet=string.printable, max_size=40),
    st.integers(-10**6, 10**6).map(str),
    st.sampled_from(HOSTILE),
    st.lists(st.text(alphabet=string.ascii_letters + string.digits + ":~", max_size=12), max_size=8),
)


@pytest.mark.parametrize("page", PRESENT_PAGES)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(query=st.dictionaries(st.sampled_from(PARAMS + ["onbekend", "x"]), values, max_size=6))
def test_random_query_strings(warehouse, monkeypatch, page, query):
    monkeypatch.setenv("REGIOWELVAART_WAREHOUSE", str(warehouse))
    assert_survived(run_page(page, query), page, query)


# ------------------------------------------------------------------ in chromium: markup stays text

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover
    sync_playwright = None  # type: ignore[assignment]

needs_browser = pytest.mark.skipif(
    (chromium_path() is None or sync_playwright is None) and not os.environ.get("CI"), reason="chromium or playwright missing"
)


@pytest.fixture(scope="module")
def server(warehouse, tmp_path_factory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("tamper") / "streamlit.log"
    with streamlit_server(warehouse, log) as base:
        yield base


@needs_browser
@pytest.mark.parametrize("page", PRESENT_PAGES)
def test_injected_markup_never_runs(server, page):
    payload = "<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>"
    query = urlencode({p: payload for p in PARAMS})
    path = "" if page == "kaart" else page
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1400})
            tab.goto(f"{server}/{path}?{query}", timeout=60_000)
            wait_for_app(tab, timeout_ms=120_000)
            tab.wait_for_timeout(1500)
            assert tab.evaluate("window.__pwned") is None
            assert tab.locator("img[src='x']").count() == 0
            assert tab.locator("[data-testid='stException']").count() == 0
        finally:
            browser.close()
