"""AppTest of the comparison page (pages/vergelijken.py) on the warehouse built from ../shared."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from apptest_pages import open_page, texts
from streamlit.testing.v1 import AppTest

from welfare.catalog import load_catalog
from welfare.scoring import ScoringConfig, score
from welfare.warehouse import read_observations, read_regions

run_page = partial(open_page, "pages/vergelijken.py")
CAT = load_catalog()


def figures(at: AppTest) -> dict[str, dict]:
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return {f["layout"]["title"]["text"]: f for f in figs}


def table(at: AppTest) -> pd.DataFrame:
    (frame,) = [d.value for d in at.dataframe if "nl" in d.value.columns]
    return frame.set_index("indicator")


def test_two_gemeenten_side_by_side(app_env: Path) -> None:
    at = run_page(regio="GM0014~GM0034")
    assert not at.exception and not at.error and not at.info
    assert at.multiselect(key="compare_regio").value == ["GM0014", "GM0034"]
    figs = figures(at)
    bars = figs["Druk per thema"]
    assert [d["name"] for d in bars["data"]] == ["Groningen", "Almere", "gemiddelde gemeente"]
    # a gemeente's theme pressure is its theme score in the default ranking (same indicators, same years)
    result = score(read_observations(app_env), read_regions(app_env), CAT, ScoringConfig())
    gm = bars["data"][0]
    labels = {CAT.theme_label(th, "nl"): th for th in CAT.themes}
    for label, x in zip(gm["y"], gm["x"]):
        theme = labels[label]
        if theme in result.theme_scores.columns:
            assert x == pytest.approx(result.theme_scores.loc["GM0014", theme])
    assert "Bron: CBS" in bars["layout"]["annotations"][0]["text"]
    trend = figs["Werkloosheid"]
    assert [d["name"] for d in trend["data"]] == ["Groningen", "Almere", "Nederland"]
    assert trend["data"][-1]["line"]["dash"] == "dash"

    rows = table(at)
    obs = read_observations(app_env)
    u = obs[(obs["indicator_id"] == "wrk_unemployment") & (obs["region_code"] == "GM0014") & obs["flags"].str.contains("harmonised")]
    u = u[u["boundary_year"] == u["boundary_year"].max()].dropna(subset=["value"]).sort_values("year").iloc[-1]
    cell = rows.loc["Werkloosheid", "GM0014"]
    assert cell.split(" · ")[0] == f"{u['value']:.1f}".replace(".", ",")
    assert cell.split(" · ")[1] in ("beste kwart", "middengroep", "slechtste kwart")
    assert rows.loc["Werkloosheid", "year"] == str(int(u["year"]))
    assert "geen gegevens" not in rows.loc["Werkloosheid"].tolist()


def test_mixed_levels_and_a_deal_area_in_english(app_env: Path) -> None:
    at = run_page(regio="GM0363~PV27~deal:t3-zuid-hollandse-delta", indicator="hea_overweight", lang="en")
    assert not at.exception and not at.error
    figs = figures(at)
    bars = figs["Pressure per theme"]
    assert [d["name"] for d in bars["data"]] == ["Amsterdam", "Noord-Holland", "Regio Deal Zuid-Hollandse Delta", "average municipality"]
    assert bars["layout"]["separators"] == ".,"
    assert "municipalities' ruler" in texts(at)  # mixed kinds: measured among gemeenten
    trend = figs["Overweight (BMI ≥ 25)"]
    names = [d["name"] for d in trend["data"]]
    assert "Amsterdam 95%" in names and names[-1] == "Netherlands"  # CBS margins drawn as bands
    assert at.selectbox(key="compare_indicator").value == "hea_overweight"
    rows = table(at)
    assert {"GM0363", "PV27", "t3-zuid-hollandse-delta", "nl", "unit", "year"} <= set(rows.columns)
    assert rows.loc["GDP per capita", "GM0363"] == "no data"  # not published per gemeente: missing, not 0
    assert not rows.loc["GDP per capita", "PV27"].startswith("no data")


def test_default_view_and_widgets_write_the_url(app_env: Path) -> None:
    at = run_page()
    assert not at.exception
    assert at.multiselect(key="compare_regio").value == ["GM0363", "GM0599"]
    assert "regio" not in at.query_params  # the default view leaves the URL
    at.multiselect(key="compare_regio").select("PV20").run()
    assert not at.exception
    assert at.query_params["regio"] == "GM0363~GM0599~PV20"
    at.selectbox(key="compare_indicator").set_value("mat_median_income").run()
    assert at.query_params["indicator"] == "mat_median_income"
    assert CAT.indicators["mat_median_income"].label("nl") in figures(at)
    at.multiselect(key="compare_regio").set_value([]).run()
    assert not at.exception
    assert any("ten minste twee" in i.value for i in at.info)


@pytest.mark.parametrize(
    ("raw", "notice"),
    [
        ("GM0014", None),  # one region: a request to choose a second
        ("GM0014~GM9999~GM0034", "GM9999"),
        ("GM0014~xx", "xx"),
        ("~".join(f"GM{c}" for c in ("0014", "0034", "0037", "0047", "0050", "0059", "0060")), "6"),
    ],
)
def test_bad_links_give_notices_not_exceptions(app_env: Path, raw: str, notice: str | None) -> None:
    at = run_page(regio=raw, indicator="bestaat_niet")
    assert not at.exception and not at.error
    infos = " ".join(i.value for i in at.info)
    assert "indicator" in infos
    if notice:
        assert notice in infos
    if raw in ("GM0014", "GM0014~xx"):  # one valid region left
        assert "ten minste twee" in infos
    else:
        assert len(at.multiselect(key="compare_regio").value) >= 2
        assert np.all([len(v) > 0 for v in at.multiselect(key="compare_regio").value])
