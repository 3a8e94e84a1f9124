"""AppTest of the region profile page (pages/regioprofiel.py) on the warehouse built from ../shared."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from apptest_pages import metrics, open_page, texts
from streamlit.testing.v1 import AppTest

from welfare.catalog import load_catalog
from welfare.scoring import ScoringConfig, score
from welfare.warehouse import read_observations, read_regions

run_page = partial(open_page, "pages/regioprofiel.py")
CAT = load_catalog()


def indicator_rows(at: AppTest) -> pd.DataFrame:
    """All theme tables of the page in one frame, indexed by the indicator label."""
    frames = [d.value for d in at.dataframe if "position" in d.value.columns and "trend" in d.value.columns]
    assert frames
    return pd.concat(frames).set_index("indicator")


def latest(obs: pd.DataFrame, indicator: str, code: str, harmonised: bool) -> pd.Series:
    rows = obs[(obs["indicator_id"] == indicator) & (obs["region_code"] == code) & obs["value"].notna()]
    rows = rows[rows["flags"].str.contains("harmonised") == harmonised]
    if harmonised:
        rows = rows[rows["boundary_year"] == rows["boundary_year"].max()]
    return rows.sort_values("year").iloc[-1]


def test_gemeente_profile_values_positions_trends_and_rank(app_env: Path) -> None:
    at = run_page(regio="GM0363")
    assert not at.exception and not at.error
    assert at.header[0].value == "Amsterdam"
    obs, regions = read_observations(app_env), read_regions(app_env)
    result = score(obs, regions, CAT, ScoringConfig())
    mine = result.regions.set_index("region_code").loc["GM0363"]
    n = int(result.regions["rank"].notna().sum())
    m = metrics(at)
    assert m["Rang (druk)"] == f"{int(mine['rank'])} van {n}"
    assert m["Recept-hash"] == result.hash
    assert any(f"**Oordeel: {s} {w}**" in texts(at) for s, w in (("◆", "robuust hoog"), ("●", "grensgeval"), ("■", "robuust laag")))
    lo, hi = (int(x) for x in m["Band (5–95%)"].split("–"))
    assert 1 <= lo <= hi <= n

    rows = indicator_rows(at)
    row = rows.loc["Werkloosheid (% van beroepsbevolking)"]
    truth = latest(obs, "wrk_unemployment", "GM0363", harmonised=True)
    assert row["value"] == f"{truth['value']:.1f}".replace(".", ",")  # Dutch decimal comma
    assert row["source"] == f"{truth['source_table']} · {int(truth['year'])}"
    assert row["position"].split(" (")[0] in ("beste kwart", "middengroep", "slechtste kwart")
    assert row["position"].endswith("/342)")
    assert row["trend"][0] in "↑↓→·" and any(w in row["trend"] for w in ("stijgt", "daalt", "geen duidelijke verandering"))
    assert len(row["history"]) > 3 and row["history"][-1] == pytest.approx(truth["value"])  # the sparkline
    nl = obs[(obs["indicator_id"] == "wrk_unemployment") & (obs["region_code"] == "NL01") & (obs["year"] == truth["year"])]
    assert row["nl"] == f"{nl['value'].iloc[0]:.1f}".replace(".", ",")
    # survey figures carry CBS's margin in brackets
    assert "(" in rows.loc["Overgewicht (BMI ≥ 25) (% volwassenen)", "value"]
    # an indicator CBS does not publish per gemeente: "geen gegevens", never 0, and why
    gdp = rows.loc[[i for i in rows.index if i.startswith("Bruto binnenlands product")][0]]
    assert gdp["value"] == "geen gegevens" and "niet voor dit niveau" in gdp["notes"]
    # themes without any gemeente figure get one line, not a table of empty rows
    assert "**Subjectief welzijn**: geen gegevens op dit niveau" in texts(at)
    assert "Haalbare rang" in texts(at) and "bereikt, niet bewezen" in texts(at)
    assert "Vergelijkbare regio's" in texts(at) and "afstand" in texts(at)
    assert "Bron: CBS" in texts(at) and "Gegevens van" in texts(at)


def test_corop_profile_in_english(app_env: Path) -> None:
    at = run_page(regio="CR17", lang="en")
    assert not at.exception and not at.error
    assert at.title[0].value == "Region profile"
    assert at.segmented_control(key="profile_kind").value == "CR"
    rows = indicator_rows(at)
    gdp = rows.loc["GDP per capita (EUR (current prices))"]
    assert gdp["notes"] == "CBS figure" and gdp["position"].endswith("/40)")
    truth = latest(read_observations(app_env), "mat_gdp_per_capita", "CR17", harmonised=False)
    assert gdp["value"] == f"{truth['value']:,.0f}"  # English thousands separator
    assert metrics(at)["Rank (pressure)"].endswith(" of 40")
    assert "Similar regions" in texts(at)


def test_deal_area_profile_among_gemeenten(app_env: Path) -> None:
    at = run_page(regio="deal:t3-zuid-hollandse-delta")
    assert not at.exception and not at.error
    assert at.header[0].value == "Regio Deal Zuid-Hollandse Delta"
    assert at.segmented_control(key="profile_kind").value == "deal"
    m = metrics(at)
    assert m["Plaats tussen gemeenten"].endswith(" van 340") and 0 <= int(m["Percentiel"]) <= 100
    rows = indicator_rows(at)
    assert rows.loc["Werkloosheid (% van beroepsbevolking)", "position"].endswith("/342)")  # placed among gemeenten
    assert "gemeenten" in rows.loc["Werkloosheid (% van beroepsbevolking)", "notes"]  # computed from its gemeenten
    assert "Gemeenten in het gebied (4)" in [e.label for e in at.expander]
    assert at.query_params["regio"] == "deal:t3-zuid-hollandse-delta"


def test_weights_from_the_url_change_the_rank(app_env: Path) -> None:
    at = run_page(regio="PV20", gewichten="cbs-telling")
    assert not at.exception
    expected = score(read_observations(app_env), read_regions(app_env), CAT, ScoringConfig(level="PV", aggregation="count"))
    assert metrics(at)["Recept-hash"] == expected.hash
    assert "t.o.v. het standaardrecept" in texts(at)


def test_exact_attainable_rank_on_request(app_env: Path) -> None:
    at = run_page(regio="PV20")
    assert "bereikt, niet bewezen" in texts(at)
    at.button(key="profile_exact").click().run()
    assert not at.exception
    assert "bewezen grenzen" in texts(at)
    assert not [b for b in at.button if b.key == "profile_exact"]  # done: the button is gone


def test_choosing_a_region_writes_its_code(app_env: Path) -> None:
    at = run_page()
    assert at.header[0].value == "Amsterdam" and "regio" not in at.query_params  # the default leaves the URL
    at.selectbox(key="profile_regio_GM").set_value("GM0599").run()
    assert not at.exception
    assert at.header[0].value == "Rotterdam" and at.query_params["regio"] == "GM0599"
    at.segmented_control(key="profile_kind").set_value("PV").run()
    assert at.query_params["regio"].startswith("PV")


@pytest.mark.parametrize("raw", ["GM9999", "deal:bestaat-niet", "<b>x</b>", "GM0363~GM0599"])
def test_bad_or_extra_regions_give_a_notice_and_a_profile(app_env: Path, raw: str) -> None:
    at = run_page(regio=raw)
    assert not at.exception and not at.error
    assert at.header[0].value == "Amsterdam"
    if raw != "GM0363~GM0599":  # of several the first counts, silently
        assert any("regio" in i.value for i in at.info)
    assert "<b>" not in texts(at)
