"""AppTest of the map page (pages/kaart.py) on the warehouse built from ../shared (with boundaries).

Every main control is set through the link (``welfare.state``'s parameter
names) and checked on what is drawn: the figure JSON (``proto.spec``), the
notices, the summary beside the map and the link written back to the URL.
"""

from __future__ import annotations

import json
from functools import partial

import numpy as np
import pytest
from apptest_pages import open_page, texts
from streamlit.testing.v1 import AppTest

from welfare.boundaries import web_geojson
from welfare.catalog import load_catalog
from welfare.charts import quarter_classes
from welfare.deal_welfare import boundary_year_of
from welfare.scoring import ScoringConfig
from welfare.warehouse import read_observations

run_map = partial(open_page, "pages/kaart.py")
MAX_FIGURE_BYTES = 400_000
N_REGIONS = {"GM": 342, "CR": 40, "PV": 12}


@pytest.fixture(scope="module")
def observations(built):
    return read_observations(built[0])


def the_figure(at: AppTest) -> tuple[dict, int]:
    charts = at.get("plotly_chart")
    assert len(charts) == 1, "expected one map"
    spec = charts[0].proto.spec
    return json.loads(spec), len(spec.encode())


def drawn(fig: dict) -> tuple[list[str], list[str]]:
    """(codes drawn with a value or class, codes in the no-data layer)."""
    value: list[str] = []
    missing: list[str] = []
    for trace in fig["data"]:
        if trace["type"] != "choroplethmap":
            continue
        role = (trace.get("meta") or {}).get("role")
        (missing if role == "no_data" else value).extend(trace.get("locations") or [])
    return value, missing


def footer(fig: dict) -> str:
    return " ".join(a.get("text", "") for a in fig["layout"].get("annotations", []) if a.get("name") == "source")


def value_trace(fig: dict) -> dict:
    (trace,) = [d for d in fig["data"] if (d.get("meta") or {}).get("role") == "value"]
    return trace


# ----------------------------------------------------------------------------- the default map


def test_default_map_is_the_pressure_score_of_every_gemeente(app_env):
    at = run_map()
    assert not at.exception
    assert at.title[0].value == "Brede welvaart op de kaart"
    fig, size = the_figure(at)
    assert size <= MAX_FIGURE_BYTES, f"gemeente map is {size / 1000:.0f} KB"
    value, missing = drawn(fig)
    features = web_geojson(app_env, "gemeente", boundary_year_of(read_observations(app_env)))["features"]
    assert sorted(value + missing) == sorted(f["properties"]["statcode"] for f in features)
    assert len(value) + len(missing) == N_REGIONS["GM"] and len(value) > 300
    assert "Druk op brede welvaart" in fig["layout"]["title"]["text"]
    assert "geen officiële selectieregel" in fig["layout"]["title"]["subtitle"]["text"]
    text = footer(fig)
    assert text.startswith("Bron: CBS") and "grenzen CBS/PDOK" in text and "bewerking regiowelvaart" in text
    recipe = ScoringConfig().hash(load_catalog())
    assert f"recept {recipe}" in text  # the recipe's hash under the map
    assert "herindelingen VNG grenswijzigen (CC BY-NC-SA 4.0)" in text  # gemeenten restated on one indeling
    # the summary beside the map is also the chart's accessible name
    summary = [m.value for m in at.markdown if "Hoogste:" in m.value]
    assert summary and "Laagste:" in summary[0]
    assert any("Bron: CBS" in c.value for c in at.caption)
    assert "/?" not in at.code[0].value  # the default view's link has no query
    assert at.query_params.get("niveau") is None  # defaults stay out of the URL


@pytest.mark.parametrize(("raw", "niveau", "level"), [("Coropgebied", "corop", "CR"), ("provincie", "provincie", "PV")])
def test_level_from_the_link(app_env, raw, niveau, level):
    at = run_map(niveau=raw, indicator="wrk_unemployment")
    assert not at.exception
    fig, _ = the_figure(at)
    value, missing = drawn(fig)
    assert len(value) + len(missing) == N_REGIONS[level]
    assert all(code.startswith(level) for code in value + missing)
    assert fig["layout"]["title"]["text"] == "Werkloosheid"
    assert ("COROP-gebieden" if level == "CR" else "Provincies") in fig["layout"]["title"]["subtitle"]["text"]
    assert at.button_group(key="map_level").value == level
    assert at.query_params["niveau"] == niveau  # the view written back to the URL, in its own words


def test_year_and_indicator_from_the_link_draw_the_warehouse_values(app_env, observations):
    at = run_map(indicator="wrk_unemployment", jaar="2020")
    assert not at.exception
    fig, _ = the_figure(at)
    assert "2020" in fig["layout"]["title"]["subtitle"]["text"]
    trace = value_trace(fig)
    drawn_values = dict(zip(trace["locations"], trace["z"]))
    obs = observations
    rows = obs[
        (obs["indicator_id"] == "wrk_unemployment")
        & (obs["year"] == 2020)
        & obs["flags"].str.contains("harmonised", regex=False)
        & (obs["boundary_year"] == boundary_year_of(obs))
    ].set_index("region_code")["value"]
    for code in ("GM0363", "GM0599", "GM0014"):
        assert drawn_values[code] == pytest.approx(rows[code])
    assert "86088NED" in footer(fig) and "2020" in footer(fig)
    assert at.select_slider(key="map_slider").value == 2020
    assert at.query_params["jaar"] == "2020"


def test_moving_the_year_slider_draws_that_year_and_keeps_it_across_levels(app_env):
    at = run_map(indicator="wrk_unemployment")
    slider = at.select_slider(key="map_slider")
    newest = slider.value
    assert "jaar" not in at.query_params  # the newest year: no year in the link
    slider.set_value(2020).run()
    assert not at.exception
    fig, _ = the_figure(at)
    assert fig["layout"]["title"]["subtitle"]["text"].endswith("2020")
    assert at.select_slider(key="map_slider").value == 2020
    assert at.query_params["jaar"] == "2020"
    at.button_group(key="map_level").set_value("PV").run()  # another level has 2020 too: the year stays
    assert at.select_slider(key="map_slider").value == 2020
    assert at.query_params["jaar"] == "2020"
    at.select_slider(key="map_slider").set_value(newest).run()  # moved back to the newest: chosen, so shown
    assert at.select_slider(key="map_slider").value == newest
    assert at.query_params["jaar"] == str(newest)


def test_theme_score_and_count(app_env):
    at = run_map(indicator="theme:gezondheid")
    assert not at.exception
    fig, _ = the_figure(at)
    assert fig["layout"]["title"]["text"] == "Thema Gezondheid: druk"
    at = run_map(indicator="count", niveau="provincie")
    assert not at.exception
    fig, _ = the_figure(at)
    assert "slechtste kwart" in fig["layout"]["title"]["text"]
    z = value_trace(fig)["z"]
    assert all(float(v).is_integer() and v >= 0 for v in z)


def test_quarters_follow_the_cbs_rule(app_env, observations):
    at = run_map(indicator="wrk_unemployment", weergave="quarters")
    assert not at.exception
    fig, _ = the_figure(at)
    by_class = {d["meta"]["class"]: d["locations"] for d in fig["data"] if (d.get("meta") or {}).get("role") == "class"}
    assert set(by_class) == {"best", "middle", "worst"}
    value, missing = drawn(fig)
    assert len(value) + len(missing) == N_REGIONS["GM"]
    # the classes are the CBS rule applied to the drawn year's values
    year = int(fig["layout"]["title"]["subtitle"]["text"][-4:])
    obs = observations
    rows = obs[
        (obs["indicator_id"] == "wrk_unemployment") & (obs["year"] == year)
        & obs["flags"].str.contains("harmonised", regex=False) & (obs["boundary_year"] == boundary_year_of(obs))
    ]  # fmt: skip
    classes = quarter_classes(rows.set_index("region_code")["value"], direction=-1)
    assert sorted(by_class["worst"]) == sorted(classes[classes == "worst"].index)
    assert sorted(by_class["best"]) == sorted(classes[classes == "best"].index)
    assert any(n.startswith("slechtste kwart") for n in (d.get("name", "") for d in fig["data"]))


def test_diverging_is_centred_on_the_nl_value(app_env, observations):
    at = run_map(indicator="wrk_unemployment", weergave="diverging", jaar="2022")
    assert not at.exception
    fig, _ = the_figure(at)
    obs = observations
    nl = obs[(obs["level"] == "NL") & (obs["indicator_id"] == "wrk_unemployment") & (obs["year"] == 2022)]["value"].iloc[0]
    assert fig["layout"]["meta"]["reference_value"] == pytest.approx(nl)
    assert value_trace(fig)["zmid"] == pytest.approx(nl)
    assert "Nederland" in value_trace(fig)["colorbar"]["title"]["text"]


def test_english(app_env):
    at = run_map(indicator="wrk_unemployment", niveau="provincie", lang="en")
    assert not at.exception
    assert at.title[0].value == "Broad welfare on the map"
    fig, _ = the_figure(at)
    assert fig["layout"]["title"]["text"] == "Unemployment rate"
    assert "Provinces" in fig["layout"]["title"]["subtitle"]["text"]
    assert footer(fig).startswith("Source: CBS") and "processing regiowelvaart" in footer(fig)
    assert fig["layout"]["separators"] == ".,"
    assert "Highest:" in texts(at) and "?lang=en&niveau=provincie" in at.code[0].value


def test_deal_overlay_and_size_bound(app_env):
    at = run_map(deals="1")
    assert not at.exception
    fig, size = the_figure(at)
    names = {d.get("name", "") for d in fig["data"]}
    assert {f"Tranche {n}" for n in range(1, 7)} <= names
    assert size <= MAX_FIGURE_BYTES, f"gemeente map with deals is {size / 1000:.0f} KB"
    assert at.toggle(key="map_deals").value is True


def test_chosen_regions_are_listed(app_env):
    at = run_map(indicator="wrk_unemployment", regio="GM0363~GM0599")
    assert not at.exception
    text = texts(at)
    assert "Gekozen regio's" in text and "Amsterdam:" in text and "Rotterdam:" in text
    assert "regio=GM0363~GM0599" in at.code[0].value


def test_cbs_count_preset_changes_the_recipe(app_env):
    default = footer(the_figure(run_map())[0])
    at = run_map(gewichten="cbs-telling")
    assert not at.exception
    assert at.button_group(key="map_weights").value == "cbs-telling"
    counted = footer(the_figure(at)[0])
    assert counted != default and "recept " in counted


# ----------------------------------------------------------------------------- bad links


def test_bad_parameters_give_notices_not_tracebacks(app_env):
    at = run_map(niveau="wijk", jaar="<script>alert(1)</script>", indicator="no_such_thing", weergave="3d", deals="x" * 10_000)
    assert not at.exception
    notice = "\n".join(i.value for i in at.info)
    for param in ("niveau", "jaar", "indicator", "weergave", "deals"):
        assert f"‘{param}’" in notice
    assert "<script>" not in notice and "\\<script\\>" in notice
    fig, _ = the_figure(at)  # the default map is drawn
    assert "Druk op brede welvaart" in fig["layout"]["title"]["text"]
    for param in ("niveau", "jaar", "indicator", "weergave", "deals"):
        assert param not in at.query_params  # the link is cleaned


def test_indicator_without_figures_at_the_level(app_env):
    at = run_map(indicator="mat_gdp_per_capita")  # CBS publishes it for COROP and provinces only
    assert not at.exception
    assert "geen cijfers op het niveau Gemeenten" in "\n".join(i.value for i in at.info)
    assert "Druk op brede welvaart" in the_figure(at)[0]["layout"]["title"]["text"]
    at = run_map(indicator="mat_gdp_per_capita", niveau="corop")
    assert not at.info
    assert the_figure(at)[0]["layout"]["title"]["text"] == "Bruto binnenlands product per inwoner"


def test_year_without_figures(app_env):
    at = run_map(indicator="hea_overweight", jaar="2019")  # the health monitor is every four years
    assert not at.exception
    assert "‘jaar’ = 2019" in "\n".join(i.value for i in at.info)
    assert "jaar" not in at.query_params


def test_figure_sizes_stay_small_at_every_level(app_env):
    sizes = {}
    for niveau in ("gemeente", "corop", "provincie"):
        at = run_map(niveau=niveau, indicator="wrk_unemployment", weergave="quarters")
        sizes[niveau] = the_figure(at)[1]
    assert sizes["gemeente"] <= MAX_FIGURE_BYTES
    assert sizes["provincie"] < sizes["corop"] < sizes["gemeente"]
    assert np.all(np.array(list(sizes.values())) > 10_000)
