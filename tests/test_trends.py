"""Trends and change decomposition: hand-computed slopes, noise, direction, missing years, exact sums."""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from welfare.catalog import load_catalog
from welfare.scoring import ScoringConfig, score
from welfare.trends import (
    ASSESSMENTS,
    DECOMPOSITION_COLUMNS,
    T975,
    TREND_COLUMNS,
    Z975,
    decompose_change,
    effective_weights,
    indicator_trends,
    t975,
)
from welfare.warehouse import read_observations, read_regions

CATALOG = load_catalog()
BOUNDARY = 2025


def gm_rows(series: dict[str, list[float]], years: list[int], indicator: str = "wrk_unemployment", lower=None, upper=None) -> pd.DataFrame:
    """Harmonised gemeente rows on one indeling: {region: values per year}."""
    frames = []
    for code, values in series.items():
        n = len(values)
        frames.append(
            pd.DataFrame(
                {
                    "indicator_id": indicator,
                    "region_code": code,
                    "level": "GM",
                    "year": years[:n],
                    "value": values,
                    "lower": np.nan if lower is None else lower[code],
                    "upper": np.nan if upper is None else upper[code],
                    "source_table": "x",
                    "boundary_year": BOUNDARY,
                    "flags": "harmonised",
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def only(frame: pd.DataFrame, **where) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for k, v in where.items():
        mask &= frame[k].eq(v).fillna(False).to_numpy(dtype=bool)
    assert mask.sum() == 1, f"{mask.sum()} rows for {where}"
    return frame[mask].iloc[0]


# --------------------------------------------------------------------------- t quantiles


def t_cdf(x: float, df: int) -> float:
    """Student t CDF by Simpson integration of the density (numpy only, independent of the table)."""
    grid = np.linspace(0.0, x, 20001)
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    dens = np.exp(log_c - (df + 1) / 2 * np.log1p(grid**2 / df))
    h = grid[1] - grid[0]
    integral = h / 3 * (dens[0] + dens[-1] + 4 * dens[1:-1:2].sum() + 2 * dens[2:-1:2].sum())
    return 0.5 + integral


@pytest.mark.parametrize("df", [*range(1, 31), 31, 40, 60, 120, 1000])
def test_t_quantiles(df):
    assert t_cdf(t975(df), df) == pytest.approx(0.975, abs=2e-5 if df > 30 else 1e-7)


def test_t_quantile_array_and_bad_df():
    np.testing.assert_allclose(t975(np.array([1, 2, 0])), [T975[1], T975[2], np.nan])
    assert t975(10**9) == pytest.approx(Z975, abs=1e-8)


# --------------------------------------------------------------------------- slopes by hand


# years 2015..2019; centred x = -2..2, Sxx = 10, df = 3, t = 3.182446305
# y = 1,3,2,5,4: Sxy = 8, slope 0.8; residuals -.4,.8,-1,1.2,-.6, SSR 3.6, se = sqrt(3.6/3/10)
# y = 2,4,5,8,11: Sxy = 22, slope 2.2; residuals .4,.2,-1,-.2,.6, SSR 1.6, se = sqrt(1.6/3/10)
@pytest.mark.parametrize(
    ("values", "slope", "se", "significant"),
    [
        ([1.0, 3.0, 2.0, 5.0, 4.0], 0.8, math.sqrt(0.12), False),
        ([2.0, 4.0, 5.0, 8.0, 11.0], 2.2, math.sqrt(1.6 / 30), True),
    ],
)
def test_ols_slope_and_interval_by_hand(values, slope, se, significant):
    t = indicator_trends(gm_rows({"GM0001": values}, list(range(2015, 2020))), CATALOG)
    row = only(t, region_code="GM0001")
    half = 3.182446305 * se
    assert row["method"] == "ols"
    assert row["n_years"] == 5 and (row["first_year"], row["last_year"]) == (2015, 2019)
    assert row["change"] == pytest.approx(values[-1] - values[0])
    assert row["slope_per_year"] == pytest.approx(slope)
    assert row["slope_low"] == pytest.approx(slope - half)
    assert row["slope_high"] == pytest.approx(slope + half)
    assert bool(row["significant"]) is significant
    # y rises; unemployment is "higher is worse"
    assert row["assessment"] == ("worse" if significant else "no significant change")
    assert row["direction_of_change"] == ("up" if significant else "flat")


def test_ols_matches_numpy_polyfit_on_the_warehouse_sample():
    rng = np.random.default_rng(42)
    years = list(range(2016, 2024))
    series = {f"GM{k:04d}": list(rng.normal(5, 1, 8) + 0.1 * k * np.arange(8)) for k in range(20)}
    t = indicator_trends(gm_rows(series, years), CATALOG)
    for code, y in series.items():
        coef, cov = np.polyfit(years, y, 1, cov=True)  # cov scaled by SSR / (n - 2)
        row = only(t, region_code=code)
        assert row["slope_per_year"] == pytest.approx(coef[0])
        assert row["slope_high"] - row["slope_per_year"] == pytest.approx(T975[6] * math.sqrt(cov[0, 0]))


# --------------------------------------------------------------------------- noise


@pytest.mark.parametrize(("noise", "significant"), [(0.1, True), (0.5, True), (2.0, False), (5.0, False)])
def test_significance_flips_with_noise(noise, significant):
    # the noise pattern is orthogonal to the centred years, so the slope stays 0.3 and only its interval grows
    pattern = np.array([1, -1, -1, 1, 1, -1, -1, 1], dtype=float)
    years = list(range(2016, 2024))
    values = 5.0 - 0.3 * np.arange(8) + noise * pattern
    row = only(indicator_trends(gm_rows({"GM0001": list(values)}, years), CATALOG), region_code="GM0001")
    assert row["slope_per_year"] == pytest.approx(-0.3)
    assert bool(row["significant"]) is significant
    assert row["assessment"] == ("better" if significant else "no significant change")


@pytest.mark.parametrize(
    ("half_width", "significant"),
    [
        (1.0, True),  # 1.96·se_diff = 1.414 < 2
        (1.2, True),  # the intervals [8.8, 11.2] and [10.8, 13.2] overlap, yet the difference is significant
        (1.5, False),  # 1.96·se_diff = 2.121 > 2
    ],
)
def test_two_points_with_bounds_difference_test(half_width, significant):
    obs = gm_rows(
        {"GM0001": [10.0, 12.0]},
        [2021, 2023],
        indicator="saf_victimisation",
        lower={"GM0001": [10.0 - half_width, 12.0 - half_width]},
        upper={"GM0001": [10.0 + half_width, 12.0 + half_width]},
    )
    row = only(indicator_trends(obs, CATALOG), region_code="GM0001")
    se_diff = math.sqrt(2) * half_width / Z975
    assert row["method"] == "bounds_diff"
    assert row["slope_per_year"] == pytest.approx(1.0)  # 2 points over 2 years
    assert row["slope_low"] == pytest.approx((2 - Z975 * se_diff) / 2)
    assert row["slope_high"] == pytest.approx((2 + Z975 * se_diff) / 2)
    assert bool(row["significant"]) is significant
    assert row["assessment"] == ("worse" if significant else "no significant change")  # more victims is worse


def test_insufficient_data():
    obs = pd.concat(
        [
            gm_rows({"GM0001": [5.0]}, [2023]),  # one value
            gm_rows({"GM0002": [5.0, 4.0]}, [2022, 2023]),  # two values, no bounds
            gm_rows({"GM0003": [5.0, 4.0]}, [2022, 2023], lower={"GM0003": [4.0, np.nan]}, upper={"GM0003": [6.0, np.nan]}),
        ]
    )
    t = indicator_trends(obs, CATALOG)
    assert (t["method"] == "insufficient").all()
    assert t["significant"].isna().all()
    assert (t["assessment"] == "insufficient data").all()
    assert t["direction_of_change"].isna().all()
    row = only(t, region_code="GM0002")
    assert row["change"] == -1.0 and row["slope_per_year"] == -1.0 and np.isnan(row["slope_low"])


def test_constant_series_is_flat_not_significant():
    row = only(indicator_trends(gm_rows({"GM0001": [3.3] * 6}, list(range(2018, 2024))), CATALOG), region_code="GM0001")
    assert row["slope_per_year"] == pytest.approx(0.0, abs=1e-12)
    assert not row["significant"] and row["direction_of_change"] == "flat"


# --------------------------------------------------------------------------- direction


@pytest.mark.parametrize(
    ("indicator", "step", "assessment", "arrow"),
    [
        ("wrk_unemployment", -0.5, "better", "down"),  # direction -1: falling unemployment is good
        ("wrk_unemployment", +0.5, "worse", "up"),
        ("mat_median_income", +0.5, "better", "up"),  # direction +1
        ("mat_median_income", -0.5, "worse", "down"),
        ("ctx_population", +0.5, "not assessed", "up"),  # context: no direction
    ],
)
def test_direction_aware_assessment(indicator, step, assessment, arrow):
    values = [20.0 + step * k + 0.01 * (-1) ** k for k in range(6)]
    obs = gm_rows({"GM0001": values}, list(range(2018, 2024)), indicator=indicator)
    row = only(indicator_trends(obs, CATALOG), region_code="GM0001")
    assert row["significant"]
    assert (row["assessment"], row["direction_of_change"]) == (assessment, arrow)
    assert row["assessment"] in ASSESSMENTS


# --------------------------------------------------------------------------- missing years and windows


def test_missing_years_are_skipped_never_zero():
    years = list(range(2016, 2024))
    full = [5.0, 4.8, np.nan, 4.1, np.nan, 3.9, 3.5, 3.4]
    obs = gm_rows({"GM0001": full}, years)
    obs = obs[obs["year"] != 2019]  # a year without a row at all, too
    row = only(indicator_trends(obs, CATALOG), region_code="GM0001")
    keep = [(y, v) for y, v in zip(years, full) if not np.isnan(v) and y != 2019]
    x, y = np.array(keep).T
    assert row["n_years"] == len(keep) == 5
    assert row["slope_per_year"] == pytest.approx(np.polyfit(x, y, 1)[0])
    assert row["last_value"] == 3.4 and row["change"] == pytest.approx(3.4 - 5.0)
    # a zero in place of a gap would give quite another slope
    zeroed = np.nan_to_num(np.array(full))
    assert abs(np.polyfit(years, zeroed, 1)[0] - row["slope_per_year"]) > 0.1


def test_window_is_per_indicator_and_ends_in_its_latest_year():
    years = list(range(2010, 2024))
    obs = pd.concat(
        [
            gm_rows({"GM0001": [float(k) for k in range(14)]}, years),
            gm_rows({"GM0002": [float(k) for k in range(10)]}, years),  # stops in 2019
        ]
    )
    t = indicator_trends(obs, CATALOG, window=8)
    a, b = only(t, region_code="GM0001"), only(t, region_code="GM0002")
    assert (a["first_year"], a["last_year"], a["n_years"]) == (2016, 2023, 8)
    assert (b["first_year"], b["last_year"], b["n_years"]) == (2016, 2019, 4)  # the same window, fewer values
    sub = indicator_trends(obs, CATALOG, window=3, region_codes=["GM0002"])
    assert sub.empty  # no GM0002 value in 2021–2023
    assert list(sub.columns) == TREND_COLUMNS


def test_levels_use_the_right_rows():
    harmonised = gm_rows({"GM0001": [1.0, 2.0, 3.0]}, [2021, 2022, 2023])
    older = harmonised.assign(boundary_year=BOUNDARY - 1, value=[9.0, 5.0, 1.0])  # another target indeling
    published_gm = harmonised.assign(flags="", value=[3.0, 2.0, 1.0])
    corop = harmonised.assign(region_code="CR01", level="CR", flags="", value=[1.0, 1.5, 2.1])
    corop_restated = corop.assign(flags="harmonised", value=[0.0, 0.0, 0.0])
    obs = pd.concat([harmonised, older, published_gm, corop, corop_restated], ignore_index=True)
    gm = indicator_trends(obs, CATALOG)
    assert gm["region_code"].tolist() == ["GM0001"] and only(gm, region_code="GM0001")["slope_per_year"] == pytest.approx(1.0)
    cr = indicator_trends(obs, CATALOG, level="CR")
    assert only(cr, region_code="CR01")["slope_per_year"] == pytest.approx(0.55)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": "XX"}, "'level' must be one of"),
        ({"window": 1}, "'window' must be"),
        ({"window": 8.0}, "'window' must be"),
        ({"indicators": ["nope"]}, "unknown indicator"),
        ({"region_codes": ["GM9999"]}, "GM9999"),
    ],
)
def test_bad_arguments_name_the_problem(kwargs, message):
    with pytest.raises(ValueError, match=message):
        indicator_trends(gm_rows({"GM0001": [1.0, 2.0]}, [2022, 2023]), CATALOG, **kwargs)


# --------------------------------------------------------------------------- decomposition: synthetic

CODES = ["GM0001", "GM0002", "GM0003", "GM0004", "GM0005"]
# two themes of two indicators and one of one: arbeid (2), materiële welvaart (1), veiligheid (1) + gezondheid (1)
INDICATORS = ("wrk_unemployment", "wrk_net_labour_participation", "mat_median_income", "saf_recorded_crimes", "hea_overweight")
REGIONS = pd.DataFrame({"code": CODES, "name": [f"Gemeente {k}" for k in range(1, 6)], "level": "GM", "year": BOUNDARY})


def panel(values: dict[int, np.ndarray], indicators=INDICATORS) -> pd.DataFrame:
    """Harmonised rows from {year: (region × indicator) values}; NaN rows are left out."""
    frames = []
    for year, matrix in values.items():
        for j, ind in enumerate(indicators):
            frames.append(
                pd.DataFrame(
                    {
                        "indicator_id": ind,
                        "region_code": CODES,
                        "level": "GM",
                        "year": year,
                        "value": matrix[:, j],
                        "lower": np.nan,
                        "upper": np.nan,
                        "source_table": "x",
                        "boundary_year": BOUNDARY,
                        "flags": "harmonised",
                    }
                )
            )
    obs = pd.concat(frames, ignore_index=True)
    return obs[obs["value"].notna()]


V2022 = np.array(
    [
        [3.0, 70.0, 30.0, 50.0, 45.0],
        [4.0, 68.0, 28.0, 60.0, 50.0],
        [5.0, 66.0, 26.0, 70.0, 40.0],
        [6.0, 64.0, 32.0, 40.0, 55.0],
        [7.0, 62.0, 27.0, 80.0, 48.0],
    ]
)
V2023 = np.array(
    [
        [3.5, 71.0, 31.0, 45.0, 44.0],
        [3.0, 69.0, 28.5, 65.0, 52.0],
        [5.5, 65.0, 27.0, 60.0, 41.0],
        [5.0, 66.0, 33.0, 42.0, 50.0],
        [6.0, 61.0, 27.5, 85.0, 49.0],
    ]
)


def check_sums(d: pd.DataFrame, atol: float = 1e-12) -> pd.Series:
    parts = d[d["kind"] != "total"].groupby("region_code")["contribution"].sum(min_count=1)
    total = d[d["kind"] == "total"].set_index("region_code")
    np.testing.assert_allclose(total["contribution"], total["composite_to"] - total["composite_from"], atol=0)
    scored = total["contribution"].notna()
    np.testing.assert_allclose(parts[scored[scored].index], total.loc[scored, "contribution"], rtol=0, atol=atol)
    return total["contribution"]


@pytest.mark.parametrize("normalisation", ["zscore", "percentile", "minmax"])
def test_decomposition_sums_exactly_on_five_regions(normalisation):
    obs = panel({2022: V2022, 2023: V2023})
    config = ScoringConfig(indicators=INDICATORS, normalisation=normalisation, theme_weights=(("arbeid_vrije_tijd", 2.0), ("gezondheid", 1.0), ("materiele_welvaart", 1.0), ("veiligheid", 1.0)))
    d = decompose_change(obs, REGIONS, CATALOG, config, 2022, 2023)
    assert list(d.columns) == DECOMPOSITION_COLUMNS
    assert set(d["kind"]) == {"indicator", "total"}  # same indicators in both years: no set change
    assert (d["kind"] == "total").sum() == 5 and (d["kind"] == "indicator").sum() == 25
    total = check_sums(d)
    # the composites are the ranking's own, year by year
    for year, column in ((2022, "composite_from"), (2023, "composite_to")):
        ranking = score(obs, REGIONS, CATALOG, replace(config, year=year)).regions.set_index("region_code")["pressure_score"]
        np.testing.assert_allclose(d[d["kind"] == "total"].set_index("region_code")[column], ranking.loc[total.index], atol=1e-14)
    # effective weight = theme weight / number of the theme's indicators: arbeid 2/5 over 2 indicators
    ind = d[d["kind"] == "indicator"]
    assert np.allclose(ind.loc[ind["indicator_id"] == "wrk_unemployment", "weight"], 0.2)
    assert np.allclose(ind.loc[ind["indicator_id"] == "mat_median_income", "weight"], 0.2)
    np.testing.assert_allclose(ind["contribution"], ind["weight"] * (ind["pressure_to"] - ind["pressure_from"]))


def test_contribution_is_a_change_of_relative_position():
    # GM0001's income rises (31 → 32) but everyone else's rises more: its income pressure goes up
    v22, v23 = V2022.copy(), V2022.copy()
    v23[:, 2] = [32.0, 33.0, 31.0, 37.0, 32.0]
    v22[:, 2] = [31.0, 28.0, 26.0, 32.0, 27.0]
    d = decompose_change(panel({2022: v22, 2023: v23}), REGIONS, CATALOG, ScoringConfig(indicators=INDICATORS), 2022, 2023)
    row = only(d, region_code="GM0001", indicator_id="mat_median_income")
    assert row["value_to"] > row["value_from"]
    assert row["contribution"] > 0
    assert "relative position" in d.attrs["note"]


def test_indicator_in_one_year_only_goes_to_the_set_change_row():
    v22, v23 = V2022.copy(), V2023.copy()
    v23[:, 4] = np.nan  # the health monitor is not published in 2023
    v22[1, 3] = np.nan  # GM0002 has no crime figure in 2022
    config = ScoringConfig(indicators=INDICATORS, min_coverage=0.5)
    d = decompose_change(panel({2022: v22, 2023: v23}), REGIONS, CATALOG, config, 2022, 2023)
    check_sums(d)
    sets = d[d["kind"] == "set change"]
    assert len(sets) == 5 and sets["contribution"].notna().all()
    health = d[d["indicator_id"] == "hea_overweight"]
    assert health["contribution"].isna().all() and health["note"].str.contains("only in 2022").all()
    crime = only(d, region_code="GM0002", indicator_id="saf_recorded_crimes")
    assert np.isnan(crime["contribution"]) and "only in 2023" in crime["note"]
    # like-for-like weights on the common set: GM0002 keeps 2 themes (arbeid, materieel) = 1/2 each
    assert only(d, region_code="GM0002", indicator_id="mat_median_income")["weight"] == pytest.approx(0.5)


def test_count_aggregation_sums_in_whole_indicators():
    v23 = V2023.copy()
    v23[2, 4] = np.nan
    config = ScoringConfig(indicators=INDICATORS, aggregation="count", min_coverage=0.5)
    d = decompose_change(panel({2022: V2022, 2023: v23}), REGIONS, CATALOG, config, 2022, 2023)
    check_sums(d, atol=0)
    ind = d[d["kind"] == "indicator"]
    assert set(ind["contribution"].dropna()) <= {-1.0, 0.0, 1.0}


def test_region_below_coverage_has_no_contributions():
    v23 = V2023.copy()
    v23[0, 1:] = np.nan  # GM0001 keeps only unemployment in 2023
    d = decompose_change(panel({2022: V2022, 2023: v23}), REGIONS, CATALOG, ScoringConfig(indicators=INDICATORS), 2022, 2023)
    mine = d[d["region_code"] == "GM0001"]
    assert mine["contribution"].isna().all()
    assert "no composite in 2023" in only(mine, kind="total")["note"]
    check_sums(d)


def test_region_filter_keeps_normalisation_over_all_regions():
    obs = panel({2022: V2022, 2023: V2023})
    config = ScoringConfig(indicators=INDICATORS)
    full = decompose_change(obs, REGIONS, CATALOG, config, 2022, 2023)
    one = decompose_change(obs, REGIONS, CATALOG, config, 2022, 2023, region_codes=["GM0003"])
    pd.testing.assert_frame_equal(one, full[full["region_code"] == "GM0003"].reset_index(drop=True))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"config": ScoringConfig(indicators=INDICATORS, aggregation="geometric")}, "not additive"),
        ({"region_codes": ["GM9999"]}, "GM9999"),
        ({"year_from": "2022"}, "'year_from' must be a year"),
    ],
)
def test_decomposition_bad_arguments(kwargs, message):
    args = {"config": ScoringConfig(indicators=INDICATORS), "year_from": 2022, "year_to": 2023} | kwargs
    obs = panel({2022: V2022, 2023: V2023})
    with pytest.raises(ValueError, match=message):
        decompose_change(obs, REGIONS, CATALOG, args.pop("config"), args.pop("year_from"), args.pop("year_to"), **args)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    missing=st.floats(0.0, 0.4),
    normalisation=st.sampled_from(["zscore", "percentile", "minmax"]),
)
def test_decomposition_always_adds_up(seed, missing, normalisation):
    rng = np.random.default_rng(seed)
    v22, v23 = (rng.normal(50, 10, (5, 5)) for _ in range(2))
    v22[rng.random((5, 5)) < missing] = np.nan
    v23[rng.random((5, 5)) < missing] = np.nan
    config = ScoringConfig(indicators=INDICATORS, normalisation=normalisation, min_coverage=0.3)
    d = decompose_change(panel({2022: v22, 2023: v23}), REGIONS, CATALOG, config, 2022, 2023)
    check_sums(d)


def test_effective_weights_reproduce_the_composite():
    from welfare.scoring import composite, theme_matrix

    rng = np.random.default_rng(7)
    press = rng.normal(size=(6, 5))
    press[rng.random((6, 5)) < 0.3] = np.nan
    membership = theme_matrix(("a", "a", "b", "c", "c"), ("a", "b", "c"))
    weights = np.array([0.5, 0.2, 0.3])
    comp, _ = composite(press, membership, weights, "arithmetic", 1e-9)
    a = effective_weights(~np.isnan(press), membership, weights)
    np.testing.assert_allclose(np.nansum(a * np.nan_to_num(press), axis=1), comp)
    np.testing.assert_allclose(a.sum(axis=1)[~np.isnan(comp)], 1.0)


# --------------------------------------------------------------------------- the real warehouse

@pytest.fixture(scope="module")
def warehouse(built) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The session's warehouse, built from the real CSV folder (never skipped)."""
    out, _ = built
    return read_observations(out), read_regions(out)


def test_real_trends_are_fast_and_sane(warehouse):
    obs, _ = warehouse
    start = time.perf_counter()
    t = indicator_trends(obs, CATALOG)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"{elapsed:.2f} s for all gemeenten × indicators"
    assert t["region_code"].nunique() == 342 and t["indicator_id"].nunique() >= 25
    assert not t.duplicated(["region_code", "indicator_id"]).any()
    assert set(t["assessment"]) <= set(ASSESSMENTS)
    # the safety monitor has two editions with CBS bounds: the difference test
    vict = t[t["indicator_id"] == "saf_victimisation"]
    assert (vict["method"] == "bounds_diff").sum() >= 50
    for level in ("CR", "PV"):
        other = indicator_trends(obs, CATALOG, level=level)
        assert other["region_code"].str.startswith(level).all()


def test_real_decomposition_2022_to_2023_adds_up(warehouse):
    obs, regions = warehouse
    # The default gemeente indicators that have values in both 2022 and 2023 (health: 2022 only,
    # public green and sports fields: 2017 only), so the like-for-like set is the whole set.
    default = ScoringConfig().resolved(CATALOG).indicators
    rows = obs[obs["flags"].str.contains("harmonised") & obs["value"].notna() & obs["indicator_id"].isin(default)]
    years = rows.groupby("indicator_id")["year"].agg(set)
    both = tuple(i for i in default if {2022, 2023} <= years.get(i, set()))
    assert len(both) >= 10
    config = ScoringConfig(indicators=both)
    start = time.perf_counter()
    d = decompose_change(obs, regions, CATALOG, config, 2022, 2023)
    assert time.perf_counter() - start < 10
    total = check_sums(d)
    assert total.notna().sum() >= 300
    # A few small gemeenten miss a value in one year (2022/2023: Vlieland, Schiermonnikoog,
    # Rozendaal); everywhere else the indicator rows alone add up to the change.
    gaps = set(d.loc[d["kind"] == "set change", "region_code"])
    assert len(gaps) <= 5
    like = d[~d["region_code"].isin(gaps)]
    assert like[like["kind"] == "indicator"]["contribution"].notna().sum() >= 300 * len(both)
    for year, column in ((2022, "composite_from"), (2023, "composite_to")):
        ranking = score(obs, regions, CATALOG, replace(config, year=year)).regions.set_index("region_code")["pressure_score"]
        mine = d[d["kind"] == "total"].set_index("region_code")[column]
        np.testing.assert_allclose(mine, ranking.loc[mine.index], atol=1e-14)


def test_real_decomposition_with_a_changing_indicator_set_adds_up(warehouse):
    obs, regions = warehouse
    # default indicators, 2021 → 2022: the health monitor (2020, 2022) enters in 2022
    d = decompose_change(obs, regions, CATALOG, ScoringConfig(min_coverage=0.5), 2021, 2022)
    total = check_sums(d)
    assert total.notna().sum() >= 300
    assert (d["kind"] == "set change").sum() >= 300
