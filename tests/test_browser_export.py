"""Exports in Debian's chromium: the exported map looks like the map on screen, the export menu's
buttons download real files, and the print page turns into a one-page PDF.

The visual check: the on-screen map (a screenshot of the chart element) and the same view exported
by ``welfare.export`` at the element's size differ by less than :data:`MAX_MEAN_DIFF` per channel and
:data:`MAX_CHANGED_SHARE` of pixels changed noticeably. Both figures come from the same template and
``welfare.mapview``, so what differs is antialiasing of the region borders between MapLibre in the
browser and in Kaleido's chromium (measured here: mean 1.7, 2.6 % changed). A map of another indicator
is the control: it must fail the same check.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator

import numpy as np
import pytest

from browser import artefact_path, chromium_path, open_map, wait_for_app
from welfare import export, mapview
from welfare.state import View

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - playwright is in requirements.txt
    sync_playwright = None  # type: ignore[assignment]

if (chromium_path() is None or sync_playwright is None) and not os.environ.get("CI"):
    pytest.skip("chromium (Debian package) or playwright is not installed", allow_module_level=True)

MAX_MEAN_DIFF = 6.0  # mean absolute difference per RGB channel (0–255)
MAX_CHANGED_SHARE = 0.06  # share of pixels whose RGB differs by more than CHANGED in sum
CHANGED = 48


@pytest.fixture
def page(webgl_browser) -> Iterator[object]:
    context = webgl_browser.new_context(viewport={"width": 1500, "height": 1600}, locale="nl-NL", accept_downloads=True)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def rgb(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def difference(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    assert abs(a.shape[0] - b.shape[0]) <= 2 and abs(a.shape[1] - b.shape[1]) <= 2, (a.shape, b.shape)
    d = np.abs(a[:h, :w] - b[:h, :w])
    return float(d.mean()), float((d.sum(axis=2) > CHANGED).mean())


def test_the_exported_map_looks_like_the_map_on_screen(page, server: str, built) -> None:
    warehouse = built[0]
    open_map(page, server, "?niveau=corop")
    page.mouse.move(0, 0)  # no hover label or mode bar in the shot
    chart = page.locator("[data-testid='stPlotlyChart']").first
    screen_png = chart.screenshot(path=str(artefact_path("export-screen-map.png")))
    screen = rgb(screen_png)
    size = export.Size("screen", screen.shape[1], screen.shape[0], "", "")
    data = mapview.Warehouse.read(warehouse)
    same = mapview.build_map(View(level="CR"), data, str(warehouse), "nl")
    exported_png = export.render(same.figure, "png", size, scale=1)
    (artefact_path("export-exported-map.png")).write_bytes(exported_png)
    mean, share = difference(screen, rgb(exported_png))
    assert mean <= MAX_MEAN_DIFF and share <= MAX_CHANGED_SHARE, f"mean {mean:.2f}, changed {share:.1%}"
    # the control: another indicator on the same layer fails the same check
    other = mapview.build_map(View(level="CR", indicator="wrk_unemployment"), data, str(warehouse), "nl")
    mean_o, share_o = difference(screen, rgb(export.render(other.figure, "png", size, scale=1)))
    assert mean_o > MAX_MEAN_DIFF or share_o > MAX_CHANGED_SHARE, f"control passed: mean {mean_o:.2f}, changed {share_o:.1%}"


def test_the_export_menu_downloads_a_png_and_a_briefing_pack(page, server: str) -> None:
    open_map(page, server, "?niveau=provincie")
    page.get_by_role("button", name="Exporteren").first.click()
    png_button = page.get_by_role("button", name="PNG (2×, voor druk)")
    png_button.wait_for(timeout=30_000)
    with page.expect_download(timeout=120_000) as info:
        png_button.click()
    data = open(info.value.path(), "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and info.value.suggested_filename.endswith(".png")
    (artefact_path("export-download.png")).write_bytes(data)
    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("button", name="Briefingpakket (ZIP)").click()
    with zipfile.ZipFile(info.value.path()) as zf:
        names = zf.namelist()
        csv_text = zf.read(next(n for n in names if n.endswith(".csv"))).decode("utf-8")
        readme = zf.read("README.txt").decode("utf-8")
    assert "figuren.pdf" in names
    assert len(csv_text.strip().splitlines()) == 1 + 12  # a header and the 12 provinces
    assert "niveau=provincie" in readme
    assert not page.locator("[data-testid='stException']").count()


def test_the_print_page_is_clean_and_prints_to_one_pdf_page(page, server: str) -> None:
    page.goto(f"{server}/afdruk?niveau=corop&indicator=wrk_unemployment", timeout=60_000)
    wait_for_app(page, timeout_ms=180_000)
    page.locator("[data-testid='stImage'] img").first.wait_for(timeout=120_000)
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    assert not page.locator("[data-testid='stException']").count()
    alt = page.locator("[data-testid='stImage'] img").first.get_attribute("alt") or ""
    assert "COROP-gebieden" in alt  # the map in words for screen readers
    assert page.get_by_text("Bron: CBS", exact=False).count() > 0
    page.screenshot(path=str(artefact_path("afdruk.png")), full_page=True)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    (artefact_path("afdruk.pdf")).write_bytes(pdf)
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1, f"{len(reader.pages)} pages"
    assert "Afdrukweergave" not in (reader.pages[0].extract_text() or "")  # the screen-only heading is not printed


def test_a_pack_of_several_maps_holds_each_chosen_view(page, server: str) -> None:
    open_map(page, server, "?niveau=provincie")
    page.get_by_text("Briefingpakket van meerdere kaarten").click()
    page.get_by_role("button", name="Deze kaart toevoegen").click()
    page.get_by_text("1 kaart(en) gekozen", exact=False).wait_for(timeout=60_000)
    import re

    page.locator("[data-testid='stButtonGroup'] button", has_text=re.compile("^COROP-gebieden$")).click()
    page.wait_for_url(re.compile(r"[?&]niveau=corop\b"), timeout=60_000)
    wait_for_app(page, timeout_ms=120_000)
    page.get_by_text("1 kaart(en) gekozen", exact=False).wait_for(timeout=60_000)  # the basket lives in the session
    page.get_by_role("button", name="Deze kaart toevoegen").wait_for(timeout=60_000)
    page.get_by_role("button", name="Deze kaart toevoegen").click()
    download = page.get_by_role("button", name="Pakket met 2 kaarten downloaden (ZIP)")
    download.wait_for(timeout=60_000)
    with page.expect_download(timeout=180_000) as info:
        download.click()
    with zipfile.ZipFile(info.value.path()) as zf:
        csvs = [n for n in zf.namelist() if n.endswith(".csv")]
        rows = {n: zf.read(n).decode("utf-8").strip().splitlines() for n in csvs}
        readme = zf.read("README.txt").decode("utf-8")
    assert sorted(len(r) - 1 for r in rows.values()) == [12, 40]  # the provinces and the COROP areas
    assert "niveau=provincie" in readme and "niveau=corop" in readme
    assert not page.locator("[data-testid='stException']").count()
