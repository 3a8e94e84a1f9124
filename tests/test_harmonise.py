"""Restating gemeente series on one indeling: mergers by hand, splits, chains, coverage."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import SHARED
from welfare.catalog import load_catalog
from welfare.harmonise import Transitions, harmonise
from welfare.warehouse import harmonised_rows, published_rows, read_observations, read_regions

GEO = SHARED / "data" / "geo"


@pytest.fixture(scope="module")
def warehouse(built):
    out, result = built
    obs = read_observations(out)
    return published_rows(obs), harmonised_rows(obs, 2025), read_regions(out), result


def value(frame: pd.DataFrame, indicator: str, code: str, year: int) -> float:
    rows = frame[(frame["indicator_id"] == indicator) & (frame["region_code"] == code) & (frame["year"] == year)]
    assert len(rows) == 1, (indicator, code, year, len(rows))
    return float(rows["value"].iloc[0])


def population(regions: pd.DataFrame, code: str, year: int) -> float:
    row = regions[(regions["level"] == "GM") & (regions["code"] == code) & (regions["year"] == year)]
    return float(row["population"].iloc[0])


MERGERS = [
    # (new gemeente, its parts, a year before the merger)
    ("GM0014", ["GM0014", "GM0017", "GM0009"], 2018),  # Groningen + Haren + Ten Boer, 2019
    ("GM1992", ["GM0501", "GM0530", "GM0614"], 2022),  # Voorne aan Zee, 2023
]


@pytest.mark.parametrize("target,parts,year", MERGERS, ids=["Groningen-2019", "Voorne-aan-Zee-2023"])
def test_merger_rate_is_population_weighted_mean_of_its_parts(warehouse, target, parts, year):
    published, harmonised, regions, _ = warehouse
    for indicator in ("saf_recorded_crimes", "liv_distance_cafe", "eco_payment_arrears"):
        weights = [population(regions, p, year) for p in parts]
        values = [value(published, indicator, p, year) for p in parts]
        expected = sum(w * v for w, v in zip(weights, values)) / sum(weights)
        assert value(harmonised, indicator, target, year) == pytest.approx(expected), indicator


@pytest.mark.parametrize("target,parts,year", MERGERS, ids=["Groningen-2019", "Voorne-aan-Zee-2023"])
def test_merger_count_is_the_sum_of_its_parts(warehouse, target, parts, year):
    published, harmonised, _, _ = warehouse
    for indicator in ("ctx_population", "ctx_housing_stock"):
        expected = sum(value(published, indicator, p, year) for p in parts)
        assert value(harmonised, indicator, target, year) == pytest.approx(expected), indicator


def test_series_has_no_gap_at_the_merger(warehouse):
    _, harmonised, _, _ = warehouse
    for code, first in (("GM0014", 2016), ("GM1992", 2016)):
        years = harmonised[(harmonised["indicator_id"] == "saf_recorded_crimes") & (harmonised["region_code"] == code)]
        have = sorted(years.dropna(subset=["value"])["year"].tolist())
        assert have == list(range(first, 2025)), (code, have)


def test_unchanged_gemeente_keeps_its_published_values(warehouse):
    published, harmonised, _, _ = warehouse
    for year in (2016, 2020, 2024):
        assert value(harmonised, "saf_recorded_crimes", "GM0599", year) == value(published, "saf_recorded_crimes", "GM0599", year)
    # Amsterdam absorbed Weesp in 2023: before that the 2025 Amsterdam is Amsterdam + Weesp
    assert value(harmonised, "ctx_population", "GM0363", 2022) == value(published, "ctx_population", "GM0363", 2022) + value(published, "ctx_population", "GM0457", 2022)


def test_split_distributes_counts_by_address_share(warehouse):
    """Haaren (2021) went to Boxtel, Oisterwijk, Tilburg and Vught."""
    published, harmonised, _, _ = warehouse
    haaren = value(published, "ctx_population", "GM0788", 2020)
    vught = value(published, "ctx_population", "GM0865", 2020)
    share = Transitions.from_folder(GEO).chain(2020, 2025)["GM0788"]["GM0865"]
    assert 0.3 < share < 0.4
    assert value(harmonised, "ctx_population", "GM0865", 2020) == pytest.approx(vught + share * haaren)


def test_rows_on_the_target_boundaries_are_carried_over(warehouse):
    published, harmonised, _, _ = warehouse
    ours = published[(published["indicator_id"] == "wrk_unemployment") & (published["level"] == "GM")]
    assert (ours["boundary_year"] == 2024).all()
    restated = harmonised[harmonised["indicator_id"] == "wrk_unemployment"]
    assert len(restated) == len(ours)  # no herindeling between 2024 and 2025


def test_only_gemeente_rows_from_2016_are_restated(warehouse):
    _, harmonised, _, result = warehouse
    assert set(harmonised["level"]) == {"GM"}
    cafe = harmonised[harmonised["indicator_id"] == "liv_distance_cafe"]  # boundaries of each report year
    assert cafe["year"].min() == 2016  # the address matrices start at 2016
    wealth = harmonised[harmonised["indicator_id"] == "eco_median_wealth"]  # 2006-2023, all on 2024 boundaries
    assert wealth["year"].min() == 2006
    assert result.manifest["harmonisation"]["target_year"] == 2025
    land = harmonised[harmonised["indicator_id"] == "env_nature_forest_share"]
    assert land["year"].min() >= 2017  # land use before 2016 is on boundaries the matrices do not reach


def test_median_restated_from_parts_is_an_approximation(warehouse):
    _, harmonised, _, _ = warehouse
    rows = harmonised[(harmonised["indicator_id"] == "hea_overweight") & (harmonised["region_code"] == "GM1992") & (harmonised["year"] == 2020)]
    assert rows["flags"].iloc[0] == "harmonised|approximation"


def test_chain_composes_steps_both_ways():
    flows = pd.DataFrame(
        {"year": [2018, 2018, 2019, 2019], "source": ["A", "B", "A", "C"], "target": ["A", "A", "D", "D"], "addresses": [50, 50, 100, 100]}
    )
    t = Transitions(flows)
    assert t.chain(2018, 2020)["B"] == {"D": 1.0}
    back = t.chain(2020, 2018)["D"]
    assert back == pytest.approx({"A": 0.25, "B": 0.25, "C": 0.5})
    assert t.chain(2018, 2018) == {}


def test_coverage_rule_leaves_a_target_missing(warehouse):
    """A merged gemeente whose parts with a value hold too little of its population gets no value."""
    _, _, regions, _ = warehouse
    catalog = load_catalog()
    rows = pd.DataFrame(
        {
            "indicator_id": ["saf_recorded_crimes"] * 3,
            "region_code": ["GM0014", "GM0017", "GM0009"],
            "level": "GM",
            "year": 2018,
            "value": [float("nan"), 20.0, 10.0],  # Groningen itself (88% of the people) missing
            "lower": float("nan"),
            "upper": float("nan"),
            "source_table": "83648NED",
            "boundary_year": 2018,
            "flags": "",
        }
    )
    out = harmonise(rows, regions, catalog, Transitions.from_folder(GEO), 2025)
    assert pd.isna(out["value"].iloc[0]) and "suppressed" in out["flags"].iloc[0]
