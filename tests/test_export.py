"""Exports through Kaleido and Debian's chromium: each format is a valid file with title, source and link."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
from xml.etree import ElementTree

import pandas as pd
import pytest

from welfare import charts, export

pytestmark = pytest.mark.skipif(export.chromium() is None and not shutil.which("chromium"), reason="no chromium for Kaleido")

SOURCE = "Bron: CBS, 86088NED, 2023; bewerking regiowelvaart"
LINK = "http://localhost:8501/kaart?indicator=wrk_unemployment&jaar=2023"


@pytest.fixture(scope="module")
def fig():
    frame = pd.DataFrame(
        {"name": ["Heerlen", "Heerlen", "Zandvoort", "Zandvoort"], "theme": ["arbeid", "wonen", "arbeid", "wonen"], "value": [1.2, 0.4, -0.8, None]}
    )
    return charts.theme_bars(frame, title="Druk per thema", subtitle="z-score, 2023", source=SOURCE, vintage="Gegevens van 2026-11-28")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("size", sorted(export.SIZES))
@pytest.mark.parametrize("scale", [1, 2])
def test_png_has_the_size_in_pixels(fig, size, scale):
    s = export.SIZES[size]
    assert png_size(export.render(fig, "png", size, scale=scale)) == (s.width_px * scale, s.height_px * scale)


def test_the_a4_sizes_are_the_printed_centimetres():
    half = export.SIZES["a4-half"]
    assert (half.width_px, half.height_px) == (605, 378)  # 16 × 10 cm at 96 CSS px per inch


def test_svg_parses_and_carries_title_source_and_link_as_text(fig):
    svg = export.render(fig, "svg", "slide", permalink=LINK, config_hash="0fbdcdc9")
    root = ElementTree.fromstring(svg)
    text = " ".join(t for t in root.itertext())
    assert "Druk per thema" in text and SOURCE in text and "Gegevens van 2026-11-28" in text
    assert "0fbdcdc9" in text and "kaart?indicator=wrk_unemployment" in text


def test_pdf_opens_with_one_page(fig):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(export.render(fig, "pdf")))
    assert len(reader.pages) == 1
    assert "Druk per thema" in reader.pages[0].extract_text()


def test_export_does_not_change_the_screen_figure(fig):
    before = fig.to_json()
    export.render(fig, "svg", "slide", permalink=LINK)
    assert fig.to_json() == before


def test_bad_format_size_and_scale_are_named(fig):
    with pytest.raises(export.ExportError, match="format 'gif'"):
        export.render(fig, "gif")
    with pytest.raises(export.ExportError, match="size 'a3'"):
        export.render(fig, "png", "a3")
    with pytest.raises(export.ExportError, match="scale"):
        export.render(fig, "png", scale=10)


def test_the_pack_has_every_file_the_pdf_a_page_per_figure_plus_methods_and_the_data_shown(fig):
    from pypdf import PdfReader

    data = pd.DataFrame({"region_code": ["GM0917", "GM0473"], "region_name": ["Heerlen", "Zandvoort"], "value": [1.2, None], "unit": ["z", "z"], "source": ["86088NED", "86088NED"]})
    items = [
        export.ExportItem("kaart werkloosheid", "Werkloosheid 2023", fig, data, LINK, "0fbdcdc9"),
        export.ExportItem("kaart werkloosheid", "Werkloosheid 2022", fig, data.iloc[:1], LINK.replace("2023", "2022")),
    ]
    pack = zipfile.ZipFile(io.BytesIO(export.briefing_pack(items, vintage="Gegevens van 2026-11-28")))
    names = set(pack.namelist())
    assert names == {
        "kaart-werkloosheid.png", "kaart-werkloosheid.svg", "kaart-werkloosheid.csv",
        "kaart-werkloosheid-2.png", "kaart-werkloosheid-2.svg", "kaart-werkloosheid-2.csv",
        "figuren.pdf", "README.txt",
    }  # fmt: skip
    pdf = PdfReader(io.BytesIO(pack.read("figuren.pdf")))
    assert len(pdf.pages) == 3  # two figures and the methods note
    assert "Methode en bronnen" in pdf.pages[2].extract_text()
    csv_back = pd.read_csv(io.BytesIO(pack.read("kaart-werkloosheid.csv")))
    assert csv_back["region_code"].tolist() == ["GM0917", "GM0473"] and pd.isna(csv_back.loc[1, "value"])
    assert len(pd.read_csv(io.BytesIO(pack.read("kaart-werkloosheid-2.csv")))) == 1
    readme = pack.read("README.txt").decode()
    assert LINK in readme and LINK.replace("2023", "2022") in readme
    assert png_size(pack.read("kaart-werkloosheid.png"))[0] == 2 * export.SIZES[export.DEFAULT_SIZE].width_px


def test_an_empty_pack_is_refused():
    with pytest.raises(export.ExportError, match="at least one view"):
        export.briefing_pack([])
