"""Aggregation to COROP, provinces and sets of gemeenten (welfare.aggregate).

1. Against CBS's own values: where a table publishes both gemeente and
   COROP/province values, our aggregate of the gemeenten must match CBS within a
   stated tolerance (sums exactly); each check prints its worst deviation
   (run with ``-s`` to see them).
2. Properties on synthetic frames (hypothesis): one gemeente returns its value,
   member order does not matter, a mean lies between its members' min and max,
   the 65 % coverage rule, missing is never zero.
3. Published values are preferred; approximations are flagged.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from welfare.aggregate import (
    AREA_LEVELS,
    METHODS,
    OUTPUT_COLUMNS,
    AggregationSpec,
    aggregate_areas,
    aggregate_level,
    area_profile,
)
from welfare.catalog import load_catalog
from welfare.warehouse import read_observations, read_regions

CATALOG = load_catalog()


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def warehouse(built) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The session's warehouse, built from the real CSV folder (read-only ../shared)."""
    out, _ = built
    return read_observations(out), read_regions(out)


def frames(
    populations: list[float],
    values: list[float | None],
    indicator: str = "wrk_unemployment",
    *,
    year: int = 2024,
    boundary_year: int = 2024,
    regions_year: int | None = None,
    flags: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic observations and regions: gemeenten GM9001… in one COROP/province."""
    codes = [f"GM{9001 + i}" for i in range(len(populations))]
    regions = pd.DataFrame(
        {
            "code": codes,
            "name": [f"Gemeente {i + 1}" for i in range(len(codes))],
            "level": "GM",
            "year": regions_year or boundary_year,
            "corop": "CR90",
            "provincie": "PV90",
            "landsdeel": "LD90",
            "arbeidsmarktregio": "AM90",
            "population": [float(p) for p in populations],
        }
    )
    obs = pd.DataFrame(
        {
            "indicator_id": indicator,
            "region_code": codes,
            "level": "GM",
            "year": year,
            "value": [np.nan if v is None else float(v) for v in values],
            "lower": np.nan,
            "upper": np.nan,
            "source_table": "TEST",
            "boundary_year": boundary_year,
            "flags": flags or [""] * len(codes),
        }
    )
    return obs, regions


def one(out: pd.DataFrame) -> pd.Series:
    assert len(out) == 1, out
    return out.iloc[0]


# --------------------------------------------------------------------------- 1. against CBS

# (indicator, level, kind, tolerance, why). kind: "abs" (units of the indicator),
# "rel" (share of CBS's value) or "exact".
CBS_CHECKS = [
    ("wrk_net_labour_participation", "CR", "abs", 0.25, "population weights for a rate per 15-75-year-olds"),
    ("wrk_net_labour_participation", "PV", "abs", 0.25, "idem"),
    ("wrk_unemployment", "CR", "abs", 0.20, "population weights for a rate per labour force"),
    ("wrk_unemployment", "PV", "abs", 0.20, "idem"),
    ("wrk_unemployment", "AM", "abs", 0.20, "idem, arbeidsmarktregio's"),
    ("saf_recorded_crimes", "PV", "rel", 0.02, "per 1 000 inhabitants; Wadden gemeenten suppressed some years"),
    ("ctx_population", "CR", "exact", 0.0, "a count: the sum is exact"),
    ("ctx_population", "PV", "exact", 0.0, "idem"),
    ("ctx_population", "LD", "exact", 0.0, "idem"),
    ("ctx_population", "NL", "exact", 0.0, "idem"),
    ("mat_median_income", "CR", "rel", 0.03, "a median: the weighted mean of medians is an approximation"),
    ("mat_median_income", "PV", "rel", 0.03, "idem"),
    ("ctx_woz_value", "CR", "rel", 0.006, "an average per dwelling, weighted by the housing stock"),
    ("env_nature_forest_share", "PV", "abs", 0.01, "a share of land, weighted by land area"),
]


@pytest.mark.parametrize("indicator,level,kind,tol,why", CBS_CHECKS, ids=[f"{c[0]}-{c[1]}" for c in CBS_CHECKS])
def test_matches_cbs_published_values(warehouse, indicator, level, kind, tol, why):
    """Our aggregate of CBS's gemeente values vs CBS's own value for the larger area.

    Rows as CBS published them (``harmonised=False``), computed (``prefer_published=False``);
    rows on an indeling without regions (before 2013, flag ``nearest_regions_year``) are
    left out: their membership is the 2013 one and cannot be exact.
    """
    obs, regions = warehouse
    ours = aggregate_level(obs, regions, level, CATALOG, indicators=[indicator], prefer_published=False, harmonised=False)
    cbs = obs.loc[(obs["indicator_id"] == indicator) & (obs["level"] == level), ["region_code", "year", "value"]]
    both = ours.merge(cbs.rename(columns={"region_code": "area_code", "value": "cbs"}), on=["area_code", "year"])
    both = both[both["value"].notna() & both["cbs"].notna() & ~both["flags"].str.contains("nearest_regions_year")]
    assert len(both) >= 10, f"too few {level} values of {indicator} to compare: {len(both)}"
    dev = (both["value"] - both["cbs"]).abs()
    if kind == "rel":
        dev = dev / both["cbs"].abs()
    worst = both.loc[dev.idxmax()]
    unit = {"abs": CATALOG.indicators[indicator].unit("en"), "rel": "relative", "exact": "absolute"}[kind]
    print(
        f"\n{indicator} {level}: {len(both)} values, worst deviation {dev.max():.4g} ({unit}) at "
        f"{worst['area_code']} {worst['year']}: ours {worst['value']:.4f}, CBS {worst['cbs']:.4f}; "
        f"tolerance {tol:g} ({why})"
    )
    assert dev.max() <= tol, f"{indicator} {level}: worst deviation {dev.max():.4g} > {tol:g} at {worst.to_dict()}"
    expected = {"sum": "sum", "published_only": "approximation"}.get(CATALOG.indicators[indicator].aggregation, "weighted_mean")
    assert set(both["method"]) == {expected}
    if expected == "approximation":
        assert both["flags"].str.split("|").map(lambda t: "approximation" in t).all()


def test_output_contract_on_real_data(warehouse):
    obs, regions = warehouse
    out = aggregate_level(obs, regions, "PV", CATALOG)
    assert tuple(out.columns) == OUTPUT_COLUMNS
    assert set(out["method"]) <= set(METHODS)
    assert set(out["area_code"]) == {f"PV{n}" for n in range(20, 32)}
    assert not out.duplicated(["area_code", "indicator_id", "year"]).any()
    assert (out["value"].isna() == (out["reason"] != "")).all()  # every missing value says why
    assert out["coverage"].dropna().between(0, 1).all()
    assert (out["n_with_value"] <= out["n_members"]).all()


# --------------------------------------------------------------------------- 3. published vs approximation


def test_published_value_preferred_and_approximation_flagged(warehouse):
    obs, regions = warehouse
    cbs = obs[(obs["indicator_id"] == "mat_median_income") & (obs["level"] == "PV")].set_index(["region_code", "year"])["value"]
    pv = aggregate_level(obs, regions, "PV", CATALOG, indicators=["mat_median_income"])
    assert (pv["method"] == "published").all()
    assert np.array_equal(pv["value"].to_numpy(), cbs.loc[list(zip(pv["area_code"], pv["year"]))].to_numpy())
    assert (pv["flags"] == "").all() and (pv["reason"] == "").all()

    # A deal-like set that is no published area: a weighted mean, flagged.
    deal = aggregate_areas(obs, regions, {"deal": ["GM0677", "GM0715"]}, CATALOG, indicators=["mat_median_income"])
    assert (deal["method"] == "approximation").all() and deal["value"].notna().all()
    assert deal["flags"].str.split("|").map(lambda t: "approximation" in t).all()

    # Sluis + Terneuzen + Hulst is exactly COROP Zeeuwsch-Vlaanderen (CR31): CBS's value.
    zvl = aggregate_areas(obs, regions, {"zvl": ["GM1714", "GM0715", "GM0677"]}, CATALOG, indicators=["mat_median_income"])
    cr31 = obs[(obs["indicator_id"] == "mat_median_income") & (obs["region_code"] == "CR31")].set_index("year")["value"]
    assert (zvl["method"] == "published").all()
    assert (zvl["flags"] == "same_as_CR31").all()
    assert np.array_equal(zvl["value"].to_numpy(), cr31.loc[zvl["year"]].to_numpy())


def test_survey_score_approximated_where_cbs_publishes_no_corop_value(warehouse):
    obs, regions = warehouse
    cr = aggregate_level(obs, regions, "CR", CATALOG, indicators=["hea_experienced_health"], years=[2022])
    assert len(cr) == 40
    assert (cr["method"] == "approximation").all()  # the Gezondheidsmonitor has no COROP rows
    assert cr["flags"].str.contains("approximation").all()


def test_area_profile_for_a_deal(warehouse):
    obs, regions = warehouse
    prof = area_profile(obs, regions, ["GM1714", "GM0715", "GM0677"], CATALOG, lang="nl")
    assert list(prof["indicator_id"]) == list(CATALOG.indicators)
    row = prof.set_index("indicator_id").loc["mat_median_income"]
    cr31 = obs[(obs["indicator_id"] == "mat_median_income") & (obs["region_code"] == "CR31") & (obs["year"] == 2023)]
    assert row["method"] == "published" and row["year"] == 2023 and row["value"] == cr31["value"].item()
    gdp = prof.set_index("indicator_id").loc["mat_gdp_per_capita"]  # CBS publishes it per COROP only
    assert gdp["method"] == "published" and "same_as_CR31" in gdp["flags"]
    nl_only = prof.set_index("indicator_id").loc["swb_life_satisfaction"]
    assert pd.isna(nl_only["year"]) and "niet per gemeente" in nl_only["reason"]


# --------------------------------------------------------------------------- 2. properties

_population = st.floats(min_value=100, max_value=1_000_000, allow_nan=False)
_value = st.floats(min_value=-1_000, max_value=1_000, allow_nan=False, allow_subnormal=False)
_member = st.tuples(_population, st.one_of(st.none(), _value))
_members = st.lists(_member, min_size=1, max_size=8)
_settings = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(pop=_population, value=_value, indicator=st.sampled_from(["wrk_unemployment", "ctx_population", "mat_median_income", "liv_distance_gp"]))
def test_single_gemeente_returns_its_value(pop, value, indicator):
    obs, regions = frames([pop], [value], indicator)
    row = one(aggregate_areas(obs, regions, {"a": ["GM9001"]}, CATALOG))
    assert row["value"] == value
    assert row["coverage"] == 1.0 and row["n_members"] == 1 and row["n_with_value"] == 1


@_settings
@given(members=_members, seed=st.integers(0, 2**32 - 1), indicator=st.sampled_from(["wrk_unemployment", "ctx_population"]))
def test_invariant_to_member_and_row_order(members, seed, indicator):
    obs, regions = frames([p for p, _ in members], [v for _, v in members], indicator)
    codes = list(regions["code"])
    rng = np.random.default_rng(seed)
    base = aggregate_areas(obs, regions, {"a": codes}, CATALOG)
    shuffled = aggregate_areas(
        obs.sample(frac=1, random_state=rng.integers(2**31)),
        regions.sample(frac=1, random_state=rng.integers(2**31)),
        {"a": list(rng.permutation(codes)) + codes[:1]},  # another order, and a duplicate
        CATALOG,
    )
    pd.testing.assert_frame_equal(base, shuffled)


@_settings
@given(members=_members, indicator=st.sampled_from(["wrk_unemployment", "mat_median_income", "liv_distance_gp"]))
def test_mean_lies_between_members_min_and_max(members, indicator):
    obs, regions = frames([p for p, _ in members], [v for _, v in members], indicator)
    row = one(aggregate_areas(obs, regions, {"a": list(regions["code"])}, CATALOG))
    present = [v for _, v in members if v is not None]
    if math.isnan(row["value"]):
        assert row["reason"]
    else:
        assert min(present) <= row["value"] <= max(present)


@_settings
@given(members=_members, min_coverage=st.sampled_from([0.65, 0.5, 0.9, 1.0]))
def test_coverage_rule(members, min_coverage):
    pops = [p for p, _ in members]
    values = [v for _, v in members]
    obs, regions = frames(pops, values)
    row = one(aggregate_areas(obs, regions, {"a": list(regions["code"])}, CATALOG, min_coverage=min_coverage))
    with_value = sum(p for p, v in members if v is not None)
    coverage = with_value / sum(pops)
    assert row["coverage"] == pytest.approx(coverage)
    assert row["n_with_value"] == sum(v is not None for v in values)
    if coverage >= min_coverage:
        weights = [(p, v) for p, v in members if v is not None]
        expected = sum(p * v for p, v in weights) / sum(p for p, _ in weights)
        assert row["value"] == pytest.approx(expected, rel=1e-9, abs=1e-9)
        assert row["reason"] == ""
    else:
        assert math.isnan(row["value"])
        missing = [f"Gemeente {i + 1}" for i, v in enumerate(values) if v is None]
        if with_value == 0:
            assert row["reason"] == f"none of the {len(members)} gemeenten has a value"
        else:
            assert row["reason"].startswith(f"only {math.floor(coverage * 100)}% of the population has a value")
            assert f"{round(min_coverage * 100)}% needed" in row["reason"]
            assert any(name in row["reason"] for name in missing)


def test_dropping_members_until_coverage_falls_below_65_percent():
    pops = [50_000, 20_000, 15_000, 10_000, 5_000]
    values = [3.0, 4.0, 5.0, 6.0, 7.0]
    coverages = []
    for dropped in range(len(pops)):
        vals = [None] * dropped + values[dropped:]
        obs, regions = frames(pops, vals)
        coverages.append(one(aggregate_areas(obs, regions, {"a": list(regions["code"])}, CATALOG)))
    assert [round(r["coverage"], 2) for r in coverages] == [1.0, 0.5, 0.3, 0.15, 0.05]
    assert not math.isnan(coverages[0]["value"])
    assert math.isnan(coverages[1]["value"])
    assert coverages[1]["reason"] == "only 50% of the population has a value, 65% needed (Gemeente 1 missing)"
    assert coverages[2]["reason"].endswith("(Gemeente 1, Gemeente 2 missing)")


@_settings
@given(members=st.lists(st.tuples(_population, _value), min_size=2, max_size=8), data=st.data())
def test_missing_is_never_zero(members, data):
    missing = data.draw(st.integers(0, len(members) - 1))
    values = [None if i == missing else v for i, (_, v) in enumerate(members)]
    pops = [p for p, _ in members]
    # means re-weight over the members with a value
    obs, regions = frames(pops, values)
    mean = one(aggregate_areas(obs, regions, {"a": list(regions["code"])}, CATALOG, min_coverage=1e-9))
    kept = [(p, v) for p, v in zip(pops, values) if v is not None]
    assert mean["value"] == pytest.approx(sum(p * v for p, v in kept) / sum(p for p, _ in kept), rel=1e-9, abs=1e-9)
    # a sum with a member missing is not the area's total: missing, not a partial sum
    obs, regions = frames(pops, values, "ctx_population")
    total = one(aggregate_areas(obs, regions, {"a": list(regions["code"])}, CATALOG))
    assert math.isnan(total["value"]) and total["method"] == "sum"
    assert total["reason"].startswith(f"a total needs every gemeente, 1 of {len(members)} have no value")


def test_sum_of_complete_members_is_exact():
    obs, regions = frames([1, 2, 3], [10_000, 20_001, 30_002], "ctx_population")
    row = one(aggregate_areas(obs, regions, {"a": ["GM9001", "GM9002", "GM9003"]}, CATALOG))
    assert row["value"] == 60_003 and row["method"] == "sum" and row["flags"] == ""


# --------------------------------------------------------------------------- weights, flags, indelingen


def test_dwelling_and_land_area_weights():
    pops = [100_000, 10_000]
    obs, regions = frames(pops, [400.0, 200.0], "ctx_woz_value")
    stock, _ = frames(pops, [10_000, 30_000], "ctx_housing_stock")
    row = one(aggregate_areas(pd.concat([obs, stock]), regions, {"a": ["GM9001", "GM9002"]}, CATALOG, indicators=["ctx_woz_value"]))
    assert row["value"] == pytest.approx(250.0) and row["method"] == "weighted_mean"  # per dwelling
    fallback = one(aggregate_areas(obs, regions, {"a": ["GM9001", "GM9002"]}, CATALOG))
    assert fallback["value"] == pytest.approx((400 * 100_000 + 200 * 10_000) / 110_000)
    assert fallback["method"] == "approximation" and fallback["flags"] == "approximation"

    share, _ = frames(pops, [10.0, 50.0], "env_nature_forest_share", year=2017, boundary_year=2017)
    land, _ = frames(pops, [1_000, 9_000], "ctx_land_area", year=2017, boundary_year=2017)
    regions17 = regions.assign(year=2017)
    row = one(aggregate_areas(pd.concat([share, land]), regions17, {"a": ["GM9001", "GM9002"]}, CATALOG, indicators=["env_nature_forest_share"]))
    assert row["value"] == pytest.approx(46.0)  # by land area, not by population (13.6)
    no_land = one(aggregate_areas(share, regions17, {"a": ["GM9001", "GM9002"]}, CATALOG))
    assert math.isnan(no_land["value"]) and "land area" in no_land["reason"]


def test_flags_harmonised_and_nearest_regions_year():
    obs, regions = frames([10, 30], [1.0, 2.0], year=2025, boundary_year=2026, regions_year=2025, flags=["harmonised", "harmonised"])
    row = one(aggregate_level(obs, regions, "PV", CATALOG))
    assert row["flags"] == "nearest_regions_year|harmonised"
    assert row["value"] == pytest.approx(1.75) and row["boundary_year"] == 2026
    # a gemeente the nearest regions year does not know: every area's members are uncertain
    extra = obs.iloc[[0]].assign(region_code="GM9999")
    row = one(aggregate_level(pd.concat([obs, extra]), regions, "PV", CATALOG))
    assert math.isnan(row["value"]) and "GM9999" in row["reason"]


def test_newest_indeling_and_published_rows_win():
    old, regions = frames([10, 30], [1.0, 2.0], year=2020, boundary_year=2020)
    new = old.assign(boundary_year=2024, value=[3.0, 3.0], flags="harmonised")
    regions = pd.concat([regions, regions.assign(year=2024)])
    both = pd.concat([old, new])
    row = one(aggregate_areas(both, regions, {"a": ["GM9001", "GM9002"]}, CATALOG))
    assert row["value"] == 3.0 and row["boundary_year"] == 2024 and row["flags"] == "harmonised"
    row = one(aggregate_areas(both, regions, {"a": ["GM9001", "GM9002"]}, CATALOG, harmonised=False))
    assert row["value"] == pytest.approx(1.75) and row["boundary_year"] == 2020
    row = one(aggregate_areas(both, regions, {"a": ["GM9001", "GM9002"]}, CATALOG, boundary_year=2020))
    assert row["boundary_year"] == 2020


def test_code_missing_from_a_rows_indeling_is_missing_with_reason():
    obs, regions = frames([10, 30], [1.0, 2.0], year=2020, boundary_year=2020)
    later = regions.assign(year=2024)
    later.loc[1, "code"] = "GM9100"  # a new gemeente in 2024
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        row = one(aggregate_areas(obs, pd.concat([regions, later]), {"a": ["GM9001", "GM9100"]}, CATALOG))
    assert math.isnan(row["value"])
    assert row["reason"].startswith("GM9100 is not a gemeente in the 2020 indeling")


def test_bounds_are_weighted_means_of_member_bounds():
    obs, regions = frames([10, 30], [1.0, 2.0], "mat_median_income")
    obs["lower"], obs["upper"] = [0.5, 1.5], [1.5, 2.5]
    row = one(aggregate_areas(obs, regions, {"a": ["GM9001", "GM9002"]}, CATALOG))
    assert (row["lower"], row["value"], row["upper"]) == pytest.approx((1.25, 1.75, 2.25))


def test_reasons_in_dutch():
    obs, regions = frames([50, 50], [1.0, None])
    row = one(aggregate_areas(obs, regions, {"a": ["GM9001", "GM9002"]}, CATALOG, lang="nl"))
    assert row["reason"] == "slechts 50% van de inwoners heeft een waarde, 65% nodig (Gemeente 2 ontbreekt)"


# --------------------------------------------------------------------------- validation


def test_unknown_gemeente_names_code_and_boundary_year():
    obs, regions = frames([10, 30], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"'GM0000'.*2024 indeling"):
        aggregate_areas(obs, regions, {"deal": ["GM9001", "GM0000"]}, CATALOG, boundary_year=2024)
    with pytest.raises(ValueError, match=r"'GM0000'.*any indeling 2024–2024"):
        aggregate_areas(obs, regions, {"deal": ["GM0000"]}, CATALOG)


@pytest.mark.parametrize("level", ["GM", "XX", "pv", None])
def test_unknown_level_lists_the_levels(level):
    obs, regions = frames([10], [1.0])
    with pytest.raises(ValueError, match=r"'level' must be one of \['CR', 'PV', 'LD', 'AM', 'NL'\]"):
        aggregate_level(obs, regions, level, CATALOG)
    assert AREA_LEVELS == ("CR", "PV", "LD", "AM", "NL")


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"areas": {"a": []}}, "has no gemeenten"),
        ({"areas": {}}, "non-empty mapping"),
        ({"areas": {"a": "GM9001"}}, "sequence of gemeente codes"),
        ({"indicators": ["nope"]}, r"unknown indicator\(s\) \['nope'\]"),
        ({"min_coverage": 0}, "'min_coverage' must be in"),
        ({"lang": "de"}, "'lang' must be one of"),
    ],
)
def test_bad_arguments(kwargs, message):
    obs, regions = frames([10], [1.0])
    args = {"areas": {"a": ["GM9001"]}} | kwargs
    with pytest.raises(ValueError, match=message):
        aggregate_areas(obs, regions, args.pop("areas"), CATALOG, **args)


def test_missing_columns_are_named():
    obs, regions = frames([10], [1.0])
    with pytest.raises(ValueError, match=r"'observations' lacks column\(s\) \['boundary_year'\]"):
        aggregate_level(obs.drop(columns="boundary_year"), regions, "CR", CATALOG)


def test_spec_is_frozen_with_defaults():
    spec = AggregationSpec()
    assert (spec.min_coverage, spec.prefer_published, spec.lang) == (0.65, True, "en")
    with pytest.raises(AttributeError):
        spec.min_coverage = 0.5  # type: ignore[misc]


def test_empty_selection_gives_an_empty_frame_with_the_contract():
    obs, regions = frames([10], [1.0])
    out = aggregate_areas(obs, regions, {"a": ["GM9001"]}, CATALOG, years=[1990])
    assert out.empty and tuple(out.columns) == OUTPUT_COLUMNS


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(pytest.main([str(Path(__file__)), "-s", "-q"]))
