"""``python -m welfare export`` and ``welfare.mapview`` on the warehouse built from ../shared.

Each format is checked as a file (PNG header and pixel size, SVG parsed with
the title and the source line as text, PDF pages counted with pypdf); the
pack's CSV holds exactly the regions drawn and the view's indicator; the
permalink printed in an export reopens the same view in AppTest. Rendering
needs Debian's chromium (Kaleido).
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from streamlit.testing.v1 import AppTest

from welfare import export, mapview
from welfare.boundaries import web_geojson
from welfare.cli import main
from welfare.state import View

APP = Path(__file__).resolve().parent.parent / "app.py"
COROP_PRESSURE = "niveau=corop&indicator=pressure&gewichten=gezondheid:3~wonen:0&jaar=2023"

pytestmark = pytest.mark.skipif(export.chromium() is None, reason="Kaleido needs Debian's chromium")


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["export", *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def svg_text(data: bytes) -> str:
    root = ElementTree.fromstring(data)  # raises when the SVG does not parse
    return " ".join(t.strip() for t in root.itertext() if t.strip())


def pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(scope="module")
def warehouse(built) -> Path:
    return built[0]


def test_png_of_the_landing_map_has_the_export_size_in_pixels(warehouse, tmp_path):
    out = tmp_path / "kaart.png"
    code, said, err = run_cli("--view", "", "--format", "png", "--out", str(out), "--warehouse", str(warehouse))
    assert code == 0, err
    size = export.SIZES["a4-full"]
    assert png_size(out.read_bytes()) == (size.width_px * 2, size.height_px * 2)  # 2× by default: print quality
    assert "Druk op brede welvaart" in said and "http://localhost:8501/" in said
    code, _, err = run_cli("--view", "", "--format", "png", "--scale", "1", "--size", "slide", "--out", str(out), "--warehouse", str(warehouse))
    assert code == 0, err
    assert png_size(out.read_bytes()) == (1280, 720)


def test_svg_carries_title_subtitle_source_vintage_recipe_and_link_as_text(warehouse, tmp_path):
    out = tmp_path / "kaart.svg"
    code, _, err = run_cli("--view", COROP_PRESSURE, "--format", "svg", "--out", str(out), "--warehouse", str(warehouse),
                           "--base-url", "https://welvaart.example.nl")  # fmt: skip
    assert code == 0, err
    text = svg_text(out.read_bytes())
    assert "Druk op brede welvaart (eigen maat)" in text
    assert "COROP-gebieden" in text and "2023" in text
    assert "Bron: CBS" in text and "grenzen CBS/PDOK" in text and "bewerking regiowelvaart" in text
    assert "Gegevens van" in text  # the vintage
    shown = mapview.build_map(View(level="CR", year=2023, weights=(("gezondheid", 3), ("wonen", 0))),
                              mapview.Warehouse.read(warehouse), str(warehouse), "nl")  # fmt: skip
    assert shown.info["hash"] and shown.info["hash"] in text  # the recipe of the score shown
    assert "https://welvaart.example.nl/?niveau=corop" in text


def test_pdf_has_one_page_and_english_views_are_english(warehouse, tmp_path):
    out = tmp_path / "kaart.pdf"
    code, _, err = run_cli("--view", "lang=en&niveau=provincie&indicator=theme:gezondheid", "--format", "pdf", "--out", str(out),
                           "--warehouse", str(warehouse))  # fmt: skip
    assert code == 0, err
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and pdf_pages(data) == 1
    from pypdf import PdfReader

    page_text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Provinces" in page_text and "Source: CBS" in page_text


def test_pack_csv_has_exactly_the_regions_and_indicator_of_the_view(warehouse, tmp_path):
    out = tmp_path / "pack.zip"
    code, _, err = run_cli("--view", COROP_PRESSURE, "--format", "pack", "--out", str(out), "--warehouse", str(warehouse),
                           "--size", "a4-half")  # fmt: skip
    assert code == 0, err
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        (csv_name,) = [n for n in names if n.endswith(".csv")]
        stem = csv_name[: -len(".csv")]
        assert {f"{stem}.png", f"{stem}.svg", "figuren.pdf", "README.txt"} <= set(names)
        rows = list(csv.DictReader(io.StringIO(zf.read(csv_name).decode("utf-8"))))
        assert pdf_pages(zf.read("figuren.pdf")) == 2  # the map and the methods note
        readme = zf.read("README.txt").decode("utf-8")
        svg = svg_text(zf.read(f"{stem}.svg"))
    year = max(int(y) for y in re.findall(r"\d{4}", "2023"))
    layer = web_geojson(warehouse, "coropgebied", mapview.layer_year(str(warehouse), "CR", None) or year)
    assert sorted(r["region_code"] for r in rows) == sorted(f["properties"]["statcode"] for f in layer["features"])
    assert {r["indicator"] for r in rows} == {"pressure"} and {r["level"] for r in rows} == {"CR"}
    assert {r["year"] for r in rows} == {"2023"}
    assert all(r["unit"] == "drukscore" and r["source"].startswith("Bron: CBS") for r in rows)
    # a missing score stays empty, never 0; the ranks are 1..n over the regions with a score
    scored = [r for r in rows if r["value"] != ""]
    assert sorted(int(r["rank"]) for r in scored) == list(range(1, len(scored) + 1))
    assert "link: http://localhost:8501/?niveau=corop" in readme and "gewichten=gezondheid:3~wonen:0" in readme
    assert "Druk op brede welvaart" in svg


def test_the_permalink_of_an_export_reopens_the_same_view(warehouse, tmp_path, monkeypatch):
    out = tmp_path / "kaart.svg"
    code, said, err = run_cli("--view", COROP_PRESSURE, "--format", "svg", "--out", str(out), "--warehouse", str(warehouse))
    assert code == 0, err
    links = re.findall(r"http://localhost:8501/\S*", svg_text(out.read_bytes()))
    assert links, "no permalink in the SVG"
    query = parse_qs(urlsplit(links[0]).query)
    monkeypatch.setenv("REGIOWELVAART_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=180)
    for key, values in query.items():
        at.query_params[key] = values[0]
    at.switch_page("pages/kaart.py")
    at.run()
    assert not at.exception
    assert at.session_state["map_level"] == "CR"
    assert at.session_state["map_indicator"] == "pressure"
    assert at.session_state["map_year"] == 2023
    assert at.session_state["_map_custom_weights"] == (("gezondheid", 3), ("wonen", 0))
    assert not [i for i in at.info if "link" in str(i.value).lower() and "genegeerd" in str(i.value)]
    # and the reopened page's own link is the exported one
    assert at.code[0].value.endswith(urlsplit(links[0]).query)


@pytest.mark.parametrize(
    ("view", "named"),
    [
        ("niveau=wijk", "niveau"),
        ("indicator=<script>alert(1)</script>", "indicator"),
        ("jaar=1850&niveau=corop", "jaar"),
        ("ranglijst?jaar=2022", "ranglijst"),
    ],
)
def test_a_view_that_cannot_be_exported_as_asked_is_refused_and_nothing_is_written(warehouse, tmp_path, view, named):
    out = tmp_path / "kaart.png"
    out.write_bytes(b"previous")
    code, _, err = run_cli("--view", view, "--format", "png", "--out", str(out), "--warehouse", str(warehouse))
    assert code == 2
    assert named in err and "export failed" in err
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["kaart.png"]  # no temporary file left


def test_an_unwritable_out_path_is_named(warehouse, tmp_path):
    code, _, err = run_cli("--view", "", "--format", "svg", "--out", str(tmp_path / "nope" / "x.svg"), "--warehouse", str(warehouse))
    assert code == 1 and "nope" in err


def test_data_shown_keeps_missing_values_empty_and_lists_only_the_layer(warehouse):
    data = mapview.Warehouse.read(warehouse)
    shown = mapview.build_map(View(level="GM", indicator="pressure"), data, str(warehouse), "nl")
    layer_codes = {f["properties"]["statcode"] for f in web_geojson(warehouse, "gemeente", shown.levels.boundary_year)["features"]}
    assert set(shown.data["region_code"]) == layer_codes
    missing = shown.data[shown.data["value"].isna()]
    assert len(missing) >= 1  # gemeenten without enough coverage get no score ...
    assert missing["rank"].isna().all()  # ... and no rank; they are never scored 0
    text = export.frame_to_csv(shown.data)
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["region_code"] == missing.iloc[0]["region_code"])
    assert row["value"] == "" and row["rank"] == ""


def test_view_links_split_into_page_and_query():
    assert mapview.split_view_link("https://x.nl/afdruk?niveau=corop") == ("afdruk", {"niveau": ["corop"]})
    assert mapview.split_view_link("/?jaar=2022") == ("kaart", {"jaar": ["2022"]})
    assert mapview.split_view_link("?jaar=2022") == ("kaart", {"jaar": ["2022"]})
    assert mapview.split_view_link("jaar=2022&niveau=provincie") == ("kaart", {"jaar": ["2022"], "niveau": ["provincie"]})


def test_several_views_make_one_pdf_with_a_page_each_and_one_pack(warehouse, tmp_path):
    views = ["", "niveau=provincie&indicator=wrk_unemployment", "niveau=provincie&indicator=theme:gezondheid"]
    args = [a for v in views for a in ("--view", v)]
    out = tmp_path / "kaarten.pdf"
    code, said, err = run_cli(*args, "--format", "pdf", "--out", str(out), "--warehouse", str(warehouse))
    assert code == 0, err
    assert pdf_pages(out.read_bytes()) == 3
    assert said.count("http://localhost:8501/") == 3
    pack = tmp_path / "kaarten.zip"
    code, _, err = run_cli(*args, "--format", "pack", "--out", str(pack), "--warehouse", str(warehouse))
    assert code == 0, err
    with zipfile.ZipFile(pack) as zf:
        csvs = [n for n in zf.namelist() if n.endswith(".csv")]
        assert len(csvs) == 3 and len([n for n in zf.namelist() if n.endswith(".png")]) == 3
        assert pdf_pages(zf.read("figuren.pdf")) == 4  # three maps and the methods note
        indicators = {next(csv.DictReader(io.StringIO(zf.read(n).decode("utf-8"))))["indicator"] for n in csvs}
    assert indicators == {"pressure", "wrk_unemployment", "theme:gezondheid"}
    code, _, err = run_cli(*args, "--format", "png", "--out", str(tmp_path / "x.png"), "--warehouse", str(warehouse))
    assert code == 2 and "one --view" in err


def test_a_theme_the_level_has_no_score_for_is_refused_by_name(warehouse, tmp_path):
    data = mapview.Warehouse.read(warehouse)
    have = mapview.indicator_years(mapview.level_data(data, str(warehouse), "CR"))
    options = mapview.indicator_options(data.catalog, have, "CR")
    missing = next(f"theme:{th}" for th in data.catalog.themes if f"theme:{th}" not in options)
    code, _, err = run_cli("--view", f"niveau=corop&indicator={missing}", "--format", "svg", "--out", str(tmp_path / "x.svg"),
                           "--warehouse", str(warehouse))  # fmt: skip
    assert code == 2 and missing in err and not (tmp_path / "x.svg").exists()
