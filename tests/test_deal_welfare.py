"""The deal card's figures: deal area, NL and comparable gemeenten at baseline and now."""

from __future__ import annotations

import pandas as pd
import pytest

from welfare.catalog import load_catalog
from welfare.deal_welfare import DEAL, NL, boundary_year_of, deal_welfare
from welfare.deals import load_registry, members
from welfare.scoring import ScoringConfig, score
from welfare.warehouse import read_observations, read_regions

CATALOG = load_catalog()


@pytest.fixture(scope="module")
def data(built):
    out, _ = built
    obs, regions = read_observations(out), read_regions(out)
    registry = load_registry()
    return obs, regions, registry, members(registry, boundary_year_of(obs))


def card(data, deal_id, **kw):
    obs, regions, registry, all_members = data
    return deal_welfare(obs, regions, CATALOG, registry, deal_id, all_members=all_members, **kw)


def test_a_deal_area_at_baseline_and_now_beside_nl_and_comparables(data):
    obs, regions, registry, all_members = data
    dw = card(data, "t3-zuid-hollandse-delta")
    assert dw.baseline_year == 2019  # signed in 2020
    assert "GM1992" in dw.member_codes  # Brielle, Hellevoetsluis and Westvoorne: Voorne aan Zee since 2023
    assert set(zip(dw.pressure["area"], dw.pressure["when"])) == {
        (a, w) for a in ("deal", "NL", "comparable") for w in ("baseline", "latest")
    }
    base = dw.pressure.set_index(["area", "when"])
    assert base.loc[(DEAL, "baseline"), "year"] == 2019
    assert base.loc[(DEAL, "latest"), "year"] > 2019
    # the baseline takes per indicator the latest value known in 2019, never a later one
    assert (dw.indicators["year_baseline"].dropna() <= 2019).all()
    assert (dw.indicators["year_latest"] >= dw.indicators["year_baseline"]).dropna().all()


def test_comparables_are_non_deal_gemeenten_of_the_provinces_nearest_in_baseline_pressure(data):
    obs, regions, registry, all_members = data
    dw = card(data, "t3-zuid-hollandse-delta", k=4)
    comp = dw.comparables
    assert 0 < len(comp) <= 4
    assert not set(comp["code"]) & set(all_members["gemeente_code"])
    assert set(comp["provincie"]) == {"PV28"}  # Zuid-Holland
    deal_base = dw.pressure.set_index(["area", "when"]).loc[(DEAL, "baseline"), "pressure_score"]
    ranking = score(obs, regions, CATALOG, ScoringConfig(up_to_year=2019)).regions.set_index("region_code")
    gm = regions[(regions["level"] == "GM") & (regions["year"] == regions["year"].max())]
    pool = set(gm.loc[gm["provincie"] == "PV28", "code"]) - set(all_members["gemeente_code"])
    distance = (ranking.loc[sorted(pool), "pressure_score"].dropna() - deal_base).abs().sort_values()
    assert set(comp["code"]) == set(distance.index[:4])


def test_a_one_gemeente_deal_has_that_gemeentes_values(data):
    obs, regions, registry, all_members = data
    dw = card(data, "t1-rotterdam-zuid")  # partial: neighbourhoods of Rotterdam, drawn as all of Rotterdam
    assert dw.member_codes == ("GM0599",)
    rows = obs[(obs["region_code"] == "GM0599") & obs["flags"].str.contains("harmonised", regex=False)]
    for r in dw.indicators.dropna(subset=["deal_latest"]).itertuples():
        expected = rows[(rows["indicator_id"] == r.indicator_id) & (rows["year"] == r.year_latest)]["value"]
        assert r.deal_latest == pytest.approx(float(expected.iloc[0]))


def test_nl_uses_the_published_national_value(data):
    obs, regions, *_ = data
    dw = card(data, "t3-zuid-hollandse-delta")
    row = dw.indicators.set_index("indicator_id").loc["wrk_unemployment"]
    published = obs[(obs["level"] == "NL") & (obs["indicator_id"] == "wrk_unemployment") & (obs["year"] == row["year_latest"])]
    assert row[f"{NL}_latest"] == pytest.approx(float(published["value"].iloc[0]))


def test_a_deal_without_known_gemeenten_has_no_area(data):
    _, _, registry, _ = data
    empty = next(d for d in registry if not d.gemeenten)
    dw = card(data, empty.id)
    assert not dw.has_area and dw.pressure.empty and dw.indicators.empty


def test_an_unknown_deal_id_is_named(data):
    with pytest.raises(KeyError, match="no-such-deal"):
        card(data, "no-such-deal")


def test_missing_values_stay_missing(data):
    dw = card(data, "t3-zuid-hollandse-delta")
    later = dw.indicators[dw.indicators["year_baseline"].isna()]
    assert later[[f"{a}_baseline" for a in ("deal", "NL", "comparable")]].isna().all().all()
    # a baseline the indicator has no value for is missing, not zero
    obs, regions, registry, all_members = data
    cut = obs[~((obs["indicator_id"] == "wrk_unemployment") & (obs["year"] <= 2019))]
    dw_cut = deal_welfare(cut, regions, CATALOG, registry, "t3-zuid-hollandse-delta", all_members=all_members)
    row = dw_cut.indicators.set_index("indicator_id").loc["wrk_unemployment"]
    assert pd.isna(row["year_baseline"]) and pd.isna(row["deal_baseline"]) and row["deal_latest"] > 0
