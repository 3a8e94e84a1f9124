"""AppTest of the Toets page (the eligibility check) on the warehouse built from ../shared."""

from __future__ import annotations

import io
import re
from functools import partial

import pytest
from apptest_pages import figures, metrics, open_page, texts
from streamlit.testing.v1 import AppTest

from welfare import eligibility as el
from welfare.catalog import load_catalog
from welfare.deals import load_registry, members
from welfare.warehouse import read_manifest, read_observations, read_regions

run_toets = partial(open_page, "pages/toets.py", timeout=300)
PARKSTAD = "GM0917~GM0928~GM0899~GM0882"


def badges(at: AppTest) -> list[str]:
    """The verdict badges in page order (markdown ``:color-badge[:icon: label]``)."""
    return [re.sub(r"^:\w+-badge\[(?::[\w/]+: )?(.*)\]$", r"\1", str(m.value)) for m in at.markdown if "-badge[" in str(m.value)]


def param(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def test_parkstad_end_to_end_checklist_map_onderbouwing_and_pdf(app_env):
    at = run_toets(regio=PARKSTAD, rijk="20", publiek="12", privaat="8", naam="Parkstad")
    assert not at.exception
    assert at.title[0].value.startswith("Toets")
    body = texts(at)
    assert "Wat-als" in body and "ronde 6 (2025)" in body
    assert sorted(at.multiselect(key="toets_gm").value) == sorted(PARKSTAD.split("~"))
    m = metrics(at)
    assert float(m["Druk: percentiel"].replace(",", ".")) > 90
    assert int(m["Thema's onder druk"]) >= 2 and int(m["Regio Deals in het gebied"]) >= 1
    assert m["Aandeel Rijk"] == "50,0%"
    shown = badges(at)
    assert len(shown) == len(el.CRITERIA)
    assert shown[:4] == ["voldoet", "voldoet", "voldoet", "voldoet"]  # money ok, pressure robuust hoog, ≥ 2 themes
    assert shown[4] == "aandachtspunt"  # Parkstad had deals
    assert "Regio Deal Parkstad Limburg" in body and "Bron: CBS" in body
    # the map: pressure quarters with the proposed area outlined
    (fig,) = figures(at)
    names = [d.get("name", "") for d in fig["data"]]
    assert "Voorgesteld gebied" in names and any(n.startswith("slechtste kwart") for n in names)
    footer = " ".join(a.get("text", "") for a in fig["layout"].get("annotations", []))
    assert "Bron: CBS" in footer
    # the onderbouwing and its downloads
    assert "Het gebied Parkstad bestaat uit 4 gemeente" in body
    labels = [b.proto.label for b in at.get("download_button") if not b.key.startswith("export_")]  # not the map's export menu
    assert labels == ["Onderbouwing als PDF", "Onderbouwing als Markdown"]
    # the URL keeps the view
    assert param(at, "regio") == "~".join(sorted(PARKSTAD.split("~"))) and param(at, "rijk") == "20"

    # The PDF the button builds (lazily, so AppTest cannot click it): the same check the page ran, read back.
    from pypdf import PdfReader

    out = app_env
    observations, regions, registry = read_observations(out), read_regions(out), load_registry()
    result = el.check(
        el.Proposal(tuple(PARKSTAD.split("~")), 20.0, 12.0, 8.0, name="Parkstad"),
        observations, regions, load_catalog(), registry,
        member_table=members(registry, el.area_year(observations, regions)), built_at=read_manifest(out).get("built_at", ""),
    )
    assert [el.verdict_label(c.verdict, "nl") for c in result.criteria] == shown
    pdf = PdfReader(io.BytesIO(el.to_pdf(result, "nl")))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pdf.pages))
    assert "Criterium Soort Oordeel Toelichting" in text
    for c in result.criteria:
        assert c.title("nl") in text
    for line in el.source_lines(result, "nl"):
        assert re.sub(r"\s+", " ", line) in text


def test_a_preset_fills_the_area_and_writes_its_token_to_the_url(app_env):
    at = run_toets()
    assert not at.exception
    assert at.multiselect(key="toets_gm").value == []
    assert "Nog geen gemeenten gekozen" in texts(at)
    assert set(badges(at)) == {"niet te toetsen"}
    at.segmented_control(key="toets_kind").set_value("deal").run()
    at.selectbox(key="toets_preset").set_value("deal:t2-parkstad-limburg-i").run()
    assert not at.exception
    chosen = at.multiselect(key="toets_gm").value
    assert {"GM0917", "GM0928", "GM0899", "GM0882"} <= set(chosen)
    assert param(at, "regio") == "deal:t2-parkstad-limburg-i"
    # changing the list drops the preset token for the codes
    at.multiselect(key="toets_gm").unselect("GM0917").run()
    assert param(at, "regio") == "~".join(sorted(set(chosen) - {"GM0917"}))


def test_amounts_drive_the_money_rules(app_env):
    at = run_toets(regio="GM0917", rijk="41")
    assert not at.exception
    assert badges(at)[:2] == ["voldoet niet", "niet te toetsen"]
    assert "meer dan het maximum van € 40,0 mln" in texts(at)
    at.number_input(key="rijk").set_value(40.0).run()
    at.number_input(key="publiek").set_value(30.0).run()
    assert badges(at)[:2] == ["voldoet", "aandachtspunt"]
    assert "Draagkracht van het gebied" in texts(at)
    # (bind="query-params" syncs the amounts with the URL in the browser; AppTest does not model that)


def test_a_bad_link_warns_and_the_page_still_works(app_env):
    at = run_toets(regio="GM0917~GM9999", rijk="20")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "parameter regio" in warning and "GM9999" in warning
    assert at.multiselect(key="toets_gm").value == []
    at = run_toets(regio="<script>alert(1)</script>")
    assert not at.exception
    assert all("<script>" not in w.value for w in at.warning)


def test_english_and_framework_2022(app_env):
    at = run_toets(lang="en", regio="CR39", rijk="20", publiek="25", kader="2022")
    assert not at.exception
    body = texts(at)
    assert at.title[0].value.startswith("Check") and "What-if" in body
    assert badges(at)[:2] == ["meets", "meets"]
    assert "Framework 2022" in body and "State's share" in metrics(at)


@pytest.mark.parametrize(
    "value",
    ["-1", "NaN", "inf", "99999999999999999999", "<img src=x onerror=alert(1)>", "2023", ":red[x]", "GM0363~" * 600, "x" * 5000],
    ids=lambda v: v[:16],
)
def test_hostile_values_in_the_page_parameters(app_env, value):
    at = run_toets(regio=value, rijk=value, publiek=value, privaat=value, kader=value, naam=value[:200])
    assert not at.exception
    assert at.title and len(badges(at)) == len(el.CRITERIA)
    assert all("<img" not in w.value for w in at.warning)
