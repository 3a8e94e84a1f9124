"""Scoring: hand-computed examples per normalisation and aggregation, properties, config and hash."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from welfare.catalog import load_catalog
from welfare.scoring import (
    PRESETS,
    ScoringConfig,
    ScoringInput,
    composite,
    prepare,
    pressure,
    score,
    score_input,
    score_areas,
    score_years,
    pressure_against,
    theme_matrix,
    quarters,
    worst_quarter,
    best_quarter,
)
from welfare.warehouse import read_observations, read_regions

CATALOG = load_catalog()


def make_input(values: np.ndarray, directions, themes) -> ScoringInput:
    values = np.asarray(values, dtype=float)
    r, i = values.shape
    return ScoringInput(
        region_codes=np.array([f"GM{9000 + k}" for k in range(r)]),
        indicator_ids=tuple(f"x{j}" for j in range(i)),
        themes=tuple(themes),
        directions=np.asarray(directions, dtype=float),
        values=values,
        lower=np.full(values.shape, np.nan),
        upper=np.full(values.shape, np.nan),
        years=np.full(i, 2024),
    )


def config_for(themes, weights=None, **kw) -> ScoringConfig:
    order = list(dict.fromkeys(themes))
    w = weights or [1.0] * len(order)
    total = sum(w)
    return ScoringConfig(indicators=tuple(f"x{j}" for j in range(len(themes))), theme_weights=tuple((t, x / total) for t, x in zip(order, w)), **kw)


# Three regions, two themes: a (unemployment-like, -1) and b (income-like, +1) in theme A, c (+1) in theme B.
VALUES = np.array([[2.0, 30.0, 10.0], [4.0, 20.0, 20.0], [6.0, 10.0, 30.0]])
DIRS = [-1, 1, 1]
THEMES = ["A", "A", "B"]


def test_zscore_arithmetic_by_hand():
    # each column is evenly spaced: z = ±(step / population sd) = ±sqrt(1.5); pressure = -direction × z
    z = math.sqrt(1.5)
    res = score_input(make_input(VALUES, DIRS, THEMES), config_for(THEMES))
    p = res.indicator_pressure.to_numpy()
    np.testing.assert_allclose(p[:, 0], [-z, 0, z])  # higher unemployment, more pressure
    np.testing.assert_allclose(p[:, 1], [-z, 0, z])  # lower income, more pressure
    np.testing.assert_allclose(p[:, 2], [z, 0, -z])
    theme_a = p[:, :2].mean(axis=1)
    expected = 0.5 * theme_a + 0.5 * p[:, 2]
    np.testing.assert_allclose(res.regions["pressure_score"], expected)
    # symmetric: all tie at 0; they share rank 1, and the strict rank orders them by code
    assert res.regions["rank_shared"].tolist() == [1, 1, 1]
    assert res.regions["rank"].tolist() == [1, 2, 3]


def test_percentile_and_minmax_by_hand():
    values = np.array([[1.0], [2.0], [4.0], [8.0]])
    assert pressure(values, np.array([-1]), "percentile").ravel().tolist() == [0.0, 1 / 3, 2 / 3, 1.0]
    np.testing.assert_allclose(pressure(values, np.array([-1]), "minmax").ravel(), [0, 1 / 7, 3 / 7, 1])
    np.testing.assert_allclose(pressure(values, np.array([1]), "minmax").ravel(), [1, 6 / 7, 4 / 7, 0])


def test_geometric_by_hand():
    press = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    membership = theme_matrix(("A", "B"), ("A", "B"))
    score_, _ = composite(press, membership, np.array([0.5, 0.5]), "geometric", 0.65)
    # each theme rescaled to (0.01, 1]: 0 → 0.01, 1 → 1, 0.5 → 0.505
    np.testing.assert_allclose(score_, [math.sqrt(0.01 * 1), math.sqrt(1 * 0.01), 0.505])


def test_count_is_the_number_of_indicators_in_the_worst_quarter():
    values = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [4.0, 10.0]])
    res = score_input(make_input(values, [-1, -1], ["A", "B"]), config_for(["A", "B"], aggregation="count"))
    assert res.regions["pressure_score"].tolist() == [0, 0, 0, 2]
    assert res.regions["worst_quarter_count"].tolist() == [0, 0, 0, 2]
    assert res.regions["best_quarter_count"].tolist() == [2, 0, 0, 0]
    assert res.regions["rank_shared"].tolist() == [2, 2, 2, 1]
    # the tie at 0 is broken by mean pressure: region 0 is best on every indicator, so ranks last
    assert res.regions["rank"].tolist() == [4, 3, 2, 1]


def test_missing_values_reweight_within_the_theme_and_coverage_rule():
    values = VALUES.copy()
    values[0, 1] = np.nan  # region 0 lacks b: theme A is its a alone
    res = score_input(make_input(values, DIRS, THEMES), config_for(THEMES))
    p = res.indicator_pressure.to_numpy()
    assert res.regions["pressure_score"].iloc[0] == pytest.approx(0.5 * p[0, 0] + 0.5 * p[0, 2])
    assert res.regions["coverage"].iloc[0] == pytest.approx(0.75)
    values[0, 2] = np.nan  # now only a: 25% of the weight
    res = score_input(make_input(values, DIRS, THEMES), config_for(THEMES))
    row = res.regions.iloc[0]
    assert pd.isna(row["pressure_score"]) and pd.isna(row["rank"]) and "25%" in row["reason"] and "low_coverage" in row["flags"]


# ---------------------------------------------------------------- properties

matrices = st.integers(4, 12).flatmap(
    lambda r: arrays(np.float64, (r, 4), elements=st.floats(-100, 100, allow_nan=False, allow_subnormal=False).map(lambda x: round(x, 3)))
)
THEMES4 = ["A", "A", "B", "C"]
DIRS4 = np.array([1.0, -1.0, 1.0, -1.0])


@settings(max_examples=60, deadline=None)
@given(matrices, st.sampled_from(["zscore", "percentile", "minmax"]), st.sampled_from(["arithmetic", "geometric"]))
def test_flipping_direction_and_negating_values_changes_nothing(values, normalisation, aggregation):
    cfg = config_for(THEMES4, normalisation=normalisation, aggregation=aggregation)
    a = score_input(make_input(values, DIRS4, THEMES4), cfg).regions
    flipped = values.copy()
    flipped[:, 0] *= -1
    dirs = DIRS4.copy()
    dirs[0] *= -1
    b = score_input(make_input(flipped, dirs, THEMES4), cfg).regions
    np.testing.assert_allclose(a["pressure_score"], b["pressure_score"], atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(matrices, st.integers(0, 3), st.floats(0.1, 50), st.sampled_from(["zscore", "percentile", "minmax"]))
def test_worsening_an_indicator_never_lowers_pressure(values, j, delta, normalisation):
    cfg = config_for(THEMES4, normalisation=normalisation)
    before = score_input(make_input(values, DIRS4, THEMES4), cfg).regions["pressure_score"].iloc[0]
    worse = values.copy()
    worse[0, j] -= DIRS4[j] * delta  # against the direction: worse
    after = score_input(make_input(worse, DIRS4, THEMES4), cfg).regions["pressure_score"].iloc[0]
    assert after >= before - 1e-9


@settings(max_examples=60, deadline=None)
@given(matrices, st.randoms(use_true_random=False))
def test_ranks_are_a_permutation_and_order_free(values, rnd):
    cfg = config_for(THEMES4)
    res = score_input(make_input(values, DIRS4, THEMES4), cfg).regions
    ranks = res["rank"].to_numpy(dtype=float)
    scores = res["pressure_score"].to_numpy()
    scored = ~np.isnan(scores)
    # a permutation of 1..n over the scored regions, unscored ones unranked
    assert sorted(ranks[scored].tolist()) == list(range(1, int(scored.sum()) + 1))
    assert np.isnan(ranks[~scored]).all()
    # ranks follow the scores: a higher score never ranks lower; the shared rank counts those strictly higher
    shared = res["rank_shared"].to_numpy(dtype=float)
    for a in np.flatnonzero(scored):
        higher = np.sum(scores[scored] > scores[a])
        assert shared[a] == 1 + higher
        assert 1 + higher <= ranks[a] <= np.sum(scores[scored] >= scores[a])
    order = list(range(len(values)))
    rnd.shuffle(order)
    shuffled = make_input(values[order], DIRS4, THEMES4)
    shuffled = replace(shuffled, region_codes=res["region_code"].to_numpy()[order])
    again = score_input(shuffled, cfg).regions.set_index("region_code").loc[res["region_code"]]
    np.testing.assert_allclose(again["pressure_score"], scores)
    np.testing.assert_array_equal(again["rank"].to_numpy(dtype=float), ranks)


@settings(max_examples=40, deadline=None)
@given(matrices, st.randoms(use_true_random=False))
def test_count_ranks_are_a_permutation_with_ties_broken_by_mean_pressure(values, rnd):
    """The CBS count ties often: the strict rank orders a tie by the arithmetic composite, then code."""
    cfg = config_for(THEMES4, aggregation="count")
    inp = make_input(values, DIRS4, THEMES4)
    res = score_input(inp, cfg).regions
    mean = score_input(inp, config_for(THEMES4)).regions["pressure_score"].to_numpy()
    ranks = res["rank"].to_numpy(dtype=float)
    counts = res["pressure_score"].to_numpy()
    scored = ~np.isnan(counts)
    assert sorted(ranks[scored].tolist()) == list(range(1, int(scored.sum()) + 1))
    for a in np.flatnonzero(scored):
        for b in np.flatnonzero(scored):
            if counts[a] > counts[b] or (counts[a] == counts[b] and mean[a] > mean[b]):
                assert ranks[a] < ranks[b], (a, b)
    order = list(range(len(values)))
    rnd.shuffle(order)
    shuffled = replace(make_input(values[order], DIRS4, THEMES4), region_codes=res["region_code"].to_numpy()[order])
    again = score_input(shuffled, cfg).regions.set_index("region_code").loc[res["region_code"]]
    np.testing.assert_array_equal(again["rank"].to_numpy(dtype=float), ranks)


def test_equal_weights_in_the_config_equal_the_default():
    default = ScoringConfig().resolved(CATALOG)
    themes = [t for t, _ in default.theme_weights]
    explicit = ScoringConfig(theme_weights=tuple((t, 3.0) for t in themes)).resolved(CATALOG)
    assert explicit.theme_weights == default.theme_weights
    assert explicit.hash(CATALOG) == ScoringConfig().hash(CATALOG)


def test_region_with_all_indicators_missing_gets_no_score():
    values = VALUES.copy()
    values[1, :] = np.nan
    res = score_input(make_input(values, DIRS, THEMES), config_for(THEMES)).regions
    assert pd.isna(res["pressure_score"].iloc[1]) and pd.isna(res["rank"].iloc[1])
    assert set(res["rank"].dropna().tolist()) <= {1, 2}
    assert res["worst_quarter_count"].iloc[1] == 0 and res["best_quarter_count"].iloc[1] == 0


# ---------------------------------------------------------------- config

def test_config_validation_names_the_field():
    with pytest.raises(ValueError, match="'normalisation' must be one of"):
        ScoringConfig(normalisation="rank")
    with pytest.raises(ValueError, match="theme weight of 'wonen' must be a number from 0"):
        ScoringConfig(theme_weights=(("wonen", -1.0),))
    with pytest.raises(ValueError, match="unknown theme"):
        ScoringConfig(theme_weights=(("weer", 1.0),)).resolved(CATALOG)
    with pytest.raises(ValueError, match="unknown indicator"):
        ScoringConfig(indicators=("nope",)).resolved(CATALOG)


def test_config_round_trips_and_hash_is_stable():
    cfg = ScoringConfig(level="PV", normalisation="percentile", theme_weights=(("wonen", 2.0), ("gezondheid", 1.0)))
    assert ScoringConfig.from_dict(cfg.to_dict()).hash(CATALOG) == cfg.hash(CATALOG)
    reordered = ScoringConfig(level="PV", normalisation="percentile", theme_weights=(("gezondheid", 1.0), ("wonen", 2.0)))
    assert reordered.hash(CATALOG) == cfg.hash(CATALOG)
    assert replace(cfg, normalisation="zscore").hash(CATALOG) != cfg.hash(CATALOG)
    assert len(cfg.hash(CATALOG)) == 8


def test_default_indicators_are_hier_en_nu_with_direction():
    ids = ScoringConfig().resolved(CATALOG).indicators
    assert len(ids) >= 15
    for i in ids:
        ind = CATALOG.indicators[i]
        assert CATALOG.themes[ind.theme]["dimension"] == "hier_en_nu" and ind.direction != 0 and ind.gemeente_coverage == "all"


def test_presets():
    assert set(PRESETS) == {"gelijk per thema", "CBS-telling"}
    assert PRESETS["CBS-telling"]["aggregation"] == "count"


# ---------------------------------------------------------------- on the warehouse

@pytest.fixture(scope="module")
def warehouse(built):
    out, _ = built
    return read_observations(out), read_regions(out)


def test_gemeente_ranking_on_the_real_warehouse(warehouse):
    obs, regions = warehouse
    res = score(obs, regions, CATALOG)
    frame = res.regions
    assert len(frame) == 342 and frame["pressure_score"].notna().sum() >= 330
    ranked = frame.dropna(subset=["rank"]).sort_values("rank")
    assert ranked["rank"].iloc[0] == 1 and ranked["rank"].is_monotonic_increasing
    assert len(res.hash) == 8
    # the CBS 2023 monitor names these among the relatively low: they should be under pressure here too
    top = set(ranked.head(60)["region_name"])
    assert {"Heerlen", "Rotterdam", "Pekela"} <= top


@pytest.mark.parametrize("level,n", [("PV", 12), ("CR", 40)])
def test_larger_levels(warehouse, level, n):
    obs, regions = warehouse
    res = score(obs, regions, CATALOG, ScoringConfig(level=level))
    assert len(res.regions) == n and res.regions["rank"].notna().all()
    assert res.regions.sort_values("rank")["region_code"].iloc[0] in {"PV20", "CR02", "CR01"}


@settings(max_examples=30, deadline=None)
@given(
    st.lists(matrices, min_size=1, max_size=4),
    st.sampled_from(["zscore", "percentile", "minmax"]),
    st.sampled_from(["arithmetic", "geometric", "count"]),
)
def test_score_years_equals_score_input_per_year(panel, normalisation, aggregation):
    """The one-frame path for a rank history gives each year's rows exactly as score_input does."""
    inputs = [make_input(values, DIRS4, THEMES4) for values in panel]
    configs = [replace(config_for(THEMES4, normalisation=normalisation, aggregation=aggregation), year=2010 + k) for k in range(len(panel))]
    names = {"GM9000": "Eerste"}
    out = score_years(inputs, configs, names)
    assert out["year"].tolist() == [2010 + k for k, v in enumerate(panel) for _ in range(len(v))]
    for k, (inp, cfg) in enumerate(zip(inputs, configs)):
        expected = score_input(inp, cfg, names).regions
        got = out[out["year"] == 2010 + k].drop(columns="year").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_score_years_of_the_warehouse(warehouse):
    obs, regions = warehouse
    latest = ScoringConfig().resolved(CATALOG)
    configs = [replace(latest, year=y) for y in (2021, 2022)]
    inputs = [prepare(obs, regions, CATALOG, c) for c in configs]
    out = score_years(inputs, configs)
    assert set(out["year"]) == {2021, 2022}
    for year, rows in out.groupby("year"):
        ranked = rows["rank"].dropna().astype(int)
        assert sorted(ranked) == list(range(1, len(ranked) + 1)), year


@settings(max_examples=60, deadline=None)
@given(matrices, st.integers(0, 2**32 - 1))
def test_quarters_from_one_sort_equal_the_separate_ones(values, seed):
    gaps = np.random.default_rng(seed).random(values.shape) < 0.3  # whole columns may go missing
    press = pressure(np.where(gaps, np.nan, values), DIRS4, "zscore")
    worst, best = quarters(press)
    np.testing.assert_array_equal(worst, worst_quarter(press))
    np.testing.assert_array_equal(best, best_quarter(press))


# ---------------------------------------------------------------- areas among gemeenten


@pytest.mark.parametrize("normalisation", ["zscore", "minmax"])
def test_a_one_gemeente_area_scores_as_that_gemeente(warehouse, normalisation):
    """Same values, same ruler: a single-member area gets its gemeente's score, shared rank and counts."""
    obs, regions = warehouse
    config = ScoringConfig(normalisation=normalisation)
    ranking = score(obs, regions, CATALOG, config).regions.set_index("region_code")
    picks = ["GM0363", "GM0014", "GM1680"]  # Amsterdam, Groningen, Aa en Hunze
    out = score_areas(obs, regions, CATALOG, {f"area-{c}": [c] for c in picks}, config).set_index("area_code")
    for code in picks:
        row, gm = out.loc[f"area-{code}"], ranking.loc[code]
        assert row["pressure_score"] == pytest.approx(gm["pressure_score"], abs=1e-9)
        assert row["rank_among"] == gm["rank_shared"]
        assert row["worst_quarter_count"] == gm["worst_quarter_count"]
        assert row["themes_under_pressure"] == gm["themes_under_pressure"]
        above = (ranking["pressure_score"] < gm["pressure_score"]).sum() + 0.5 * (ranking["pressure_score"] == gm["pressure_score"]).sum()
        assert row["percentile"] == pytest.approx(100 * above / ranking["pressure_score"].notna().sum())


def test_area_scores_leave_the_gemeente_ranking_alone_and_explain_a_gap(warehouse):
    obs, regions = warehouse
    before = score(obs, regions, CATALOG).regions
    out = score_areas(obs, regions, CATALOG, {"noord": ["GM0014", "GM1680", "GM0080"], "leeg": []})
    assert out["area_code"].tolist() == ["noord", "leeg"]
    assert 0 <= out.loc[0, "percentile"] <= 100 and out.loc[0, "n_ranked"] == before["rank"].notna().sum()
    assert pd.isna(out.loc[1, "pressure_score"]) and out.loc[1, "reason"] == "no member gemeenten known"
    thin = score_areas(obs, regions, CATALOG, {"dun": ["GM0014"]}, ScoringConfig(min_coverage=1.0, year=2013))
    assert pd.isna(thin.loc[0, "pressure_score"]) and "needed" in thin.loc[0, "reason"]
    pd.testing.assert_frame_equal(score(obs, regions, CATALOG).regions, before)


def test_pressure_against_a_reference_does_not_move_the_scale():
    ref = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, np.nan], [4.0, 40.0]])
    dirs = np.array([1.0, -1.0])
    for method in ("zscore", "minmax"):
        np.testing.assert_allclose(pressure_against(ref, ref, dirs, method), pressure(ref, dirs, method))
    far = pressure_against(np.array([[100.0, np.nan]]), ref, dirs, "percentile")
    assert far[0, 0] == 0.0 and np.isnan(far[0, 1])  # higher than every reference value, "higher is better": no pressure


def test_up_to_year_takes_the_latest_value_known_then(warehouse):
    obs, regions = warehouse
    config = ScoringConfig(up_to_year=2019).resolved(CATALOG)
    inp = prepare(obs, regions, CATALOG, config)
    assert (inp.years <= 2019).all() and (inp.years > 0).any()
    latest = prepare(obs, regions, CATALOG, ScoringConfig().resolved(CATALOG))
    assert (inp.years <= latest.years).all() and (inp.years < latest.years).any()
    with pytest.raises(ValueError, match="not both"):
        ScoringConfig(year=2019, up_to_year=2019)
    assert ScoringConfig().hash(CATALOG) != ScoringConfig(up_to_year=2019).hash(CATALOG)
    assert ScoringConfig.from_dict(ScoringConfig(up_to_year=2019).to_dict()) == ScoringConfig(up_to_year=2019)
