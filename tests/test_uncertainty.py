"""Rank uncertainty (Monte Carlo) and attainable ranks (welfare.uncertainty).

1. The Monte Carlo: reproducible with a seed and independent of chunking; with
   no noise every draw is the point ranking and the band collapses onto it; a
   draw replayed through ``score_input`` gives the same ranks; on the real
   gemeenten the 5–95 % band holds the point rank for ≥ 95 % of the regions
   (it is a band of the admissible recipes, so not guaranteed per region);
   labels follow p_top_n; unscored regions get "geen score".
2. The batched steps equal welfare.scoring's, on random matrices with ties
   and gaps (hypothesis).
3. Attainable ranks: equal to a brute force over the weight simplex (fine grid,
   every vertex of the tie-line arrangement and points around each vertex) on
   small synthetic cases; the returned weights reproduce the ranks through
   ``score_input``; best ≤ point rank ≤ worst on the real gemeenten.
"""

from __future__ import annotations

import contextlib
import itertools
import warnings
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from welfare.catalog import load_catalog
from welfare.scoring import (
    NORMALISATIONS,
    SCORE_AGGREGATIONS,
    ScoringConfig,
    ScoringInput,
    composite,
    pressure,
    prepare,
    rank_desc,
    rank_shared,
    score_input,
    theme_matrix,
    theme_scores,
    worst_quarter,
)
from welfare.uncertainty import (
    ATTAINABLE_COLUMNS,
    ATTAINABLE_METHODS,
    LABEL_BORDERLINE,
    LABEL_HIGH,
    LABEL_LOW,
    LABEL_NONE,
    UNCERTAINTY_COLUMNS,
    UncertaintySpec,
    _bounds,
    _perturbed,
    _plan,
    _pressure_batched,
    _quantile_sorted,
    _rank_desc_batched,
    _rank_shared_batched,
    _worst_quarter_batched,
    attainable_ranks,
    draw_recipe,
    rank_draws,
    rank_uncertainty,
)
from welfare.warehouse import read_observations, read_regions

CATALOG = load_catalog()
NO_NOISE = {"weight_concentration": float("inf"), "leave_one_out": False, "use_bounds": False}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def gemeenten(built) -> tuple[ScoringInput, ScoringConfig]:
    """The real gemeenten of the session's warehouse, default recipe (latest year per indicator)."""
    out, _ = built
    obs, regions = read_observations(out), read_regions(out)
    config = ScoringConfig().resolved(CATALOG)
    return prepare(obs, regions, CATALOG, config), config


@pytest.fixture(scope="module")
def default_mc(gemeenten) -> pd.DataFrame:
    inp, config = gemeenten
    return rank_uncertainty(inp, config, UncertaintySpec())


def synthetic(
    n_regions: int,
    n_themes: int,
    seed: int,
    *,
    per_theme: int = 1,
    missing: float = 0.0,
    min_coverage: float = 0.65,
    normalisation: str = "zscore",
    aggregation: str = "arithmetic",
    bounds: bool = False,
) -> tuple[ScoringInput, ScoringConfig]:
    """A small random input: ``per_theme`` indicators per theme, a share ``missing`` of values left out."""
    rng = np.random.default_rng(seed)
    n_ind = n_themes * per_theme
    values = rng.normal(size=(n_regions, n_ind)) * rng.uniform(0.5, 3.0, size=n_ind) + rng.uniform(-5, 5, size=n_ind)
    values[rng.random(values.shape) < missing] = np.nan
    half = np.abs(rng.normal(0.5, 0.2, size=values.shape))
    lower = np.where(bounds, values - half, np.nan)
    upper = np.where(bounds, values + half, np.nan)
    ids = tuple(f"i{k}" for k in range(n_ind))
    themes = tuple(f"t{k // per_theme}" for k in range(n_ind))
    inp = ScoringInput(
        region_codes=np.array([f"GM{9000 + r}" for r in range(n_regions)]),
        indicator_ids=ids,
        themes=themes,
        directions=rng.choice([-1.0, 1.0], size=n_ind),
        values=values,
        lower=lower,
        upper=upper,
        years=np.full(n_ind, 2024),
    )
    order = tuple(dict.fromkeys(themes))
    config = ScoringConfig(
        indicators=ids,
        theme_weights=tuple((t, 1.0 / len(order)) for t in order),
        normalisation=normalisation,  # type: ignore[arg-type]
        aggregation=aggregation,  # type: ignore[arg-type]
        min_coverage=min_coverage,
    )
    return inp, config


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence numpy's all-NaN RuntimeWarnings (scoring's functions warn on empty columns)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def point_ranks(inp: ScoringInput, config: ScoringConfig, column: str = "rank") -> np.ndarray:
    return score_input(inp, config).regions[column].to_numpy(dtype=float, na_value=np.nan)


# =========================================================================== Monte Carlo


def test_spec_rejects_bad_values() -> None:
    for bad in (
        {"draws": 0},
        {"seed": -1},
        {"weight_concentration": 0.0},
        {"weight_concentration": float("nan")},
        {"normalisations": ()},
        {"normalisations": ("zscore", "zscore")},
        {"normalisations": ("rank",)},
        {"top_n": 0},
        {"robust_threshold": 0.5},
        {"robust_threshold": 1.1},
    ):
        with pytest.raises(ValueError):
            UncertaintySpec(**bad)


def test_frame_has_the_promised_columns(default_mc, gemeenten) -> None:
    inp, _ = gemeenten
    assert list(default_mc.columns) == UNCERTAINTY_COLUMNS
    assert default_mc["region_code"].tolist() == list(inp.region_codes)
    assert str(default_mc["rank"].dtype) == "Int64"


def test_reproducible_with_a_seed(gemeenten) -> None:
    inp, config = gemeenten
    spec = UncertaintySpec(draws=300)
    a = rank_uncertainty(inp, config, spec)
    pd.testing.assert_frame_equal(a, rank_uncertainty(inp, config, spec))
    b = rank_uncertainty(inp, config, replace(spec, seed=spec.seed + 1))
    assert not a.equals(b)
    assert (a["rank_median"] != b["rank_median"]).any() or (a["p_top_n"] != b["p_top_n"]).any()


def test_chunking_does_not_change_the_draws(gemeenten) -> None:
    """Each draw has its own child seed, so the chunk size (memory) never changes a result."""
    inp, config = gemeenten
    spec = UncertaintySpec(draws=40)
    whole = rank_draws(inp, config, spec)
    small = rank_draws(inp, config, spec, chunk_bytes=1)  # one draw per chunk
    np.testing.assert_array_equal(whole.ranks, small.ranks)


@pytest.mark.parametrize("aggregation", SCORE_AGGREGATIONS)
@pytest.mark.parametrize("normalisation", NORMALISATIONS)
def test_without_noise_every_draw_is_the_point_ranking(gemeenten, aggregation, normalisation) -> None:
    inp, config = gemeenten
    config = replace(config, aggregation=aggregation, normalisation=normalisation)
    spec = UncertaintySpec(draws=25, normalisations=(normalisation,), **NO_NOISE)
    point = point_ranks(inp, config)
    draws = rank_draws(inp, config, spec)
    np.testing.assert_array_equal(draws.ranks, np.tile(point, (spec.draws, 1)))
    out = rank_uncertainty(inp, config, spec)
    scored = out["rank"].notna()
    rank = out.loc[scored, "rank"].astype(float)
    for col in ("rank_median", "rank_p05", "rank_p95"):
        np.testing.assert_array_equal(out.loc[scored, col], rank)
    assert set(out.loc[scored, "p_top_n"]) <= {0.0, 1.0}
    assert ((out.loc[scored, "p_top_n"] == 1.0) == (rank <= spec.top_n)).all()


@pytest.mark.parametrize("aggregation", SCORE_AGGREGATIONS)
def test_a_draw_replayed_through_score_input_gives_the_same_ranks(gemeenten, aggregation) -> None:
    """The vectorised draws are the recipe of draw_recipe, run many at a time (all noise on)."""
    inp, config = gemeenten
    config = replace(config, aggregation=aggregation)
    spec = UncertaintySpec(draws=60, seed=7)
    draws = rank_draws(inp, config, spec)
    # every normalisation, "no indicator left out", and a single-indicator theme left out
    sole = {i for i, t in enumerate(inp.themes) if inp.themes.count(t) == 1}
    picked = {int(np.flatnonzero(draws.normalisation == m)[0]) for m in spec.normalisations}
    picked |= {int(np.flatnonzero(draws.dropped == "")[0])}
    picked |= {int(d) for d in np.flatnonzero(np.isin(draws.dropped, [inp.indicator_ids[i] for i in sole]))[:1]}
    picked |= set(range(3))
    for d in sorted(picked):
        d_inp, d_config = draw_recipe(inp, config, spec, d)
        assert d_config.normalisation == draws.normalisation[d]
        np.testing.assert_array_equal(draws.ranks[d], point_ranks(d_inp, d_config), err_msg=f"draw {d}")


def test_band_holds_the_point_rank_for_nearly_all_gemeenten(default_mc) -> None:
    """Not a theorem (the chosen recipe need not be typical of the admissible ones), but ≥ 95 % here."""
    scored = default_mc[default_mc["rank"].notna()]
    rank = scored["rank"].astype(float)
    inside = (scored["rank_p05"] <= rank) & (rank <= scored["rank_p95"])
    print(f"point rank inside the 5-95 band: {inside.mean():.1%} of {len(scored)} gemeenten")
    assert inside.mean() >= 0.95
    assert (scored["rank_p05"] <= scored["rank_median"]).all() and (scored["rank_median"] <= scored["rank_p95"]).all()


def test_p_top_n_and_labels_are_consistent(default_mc) -> None:
    spec = UncertaintySpec()
    scored = default_mc[default_mc["rank"].notna()]
    assert scored["p_top_n"].between(0.0, 1.0).all() and scored["p_ranked"].between(0.0, 1.0).all()
    expected = np.where(
        scored["p_top_n"] >= spec.robust_threshold,
        LABEL_HIGH,
        np.where(scored["p_top_n"] <= 1 - spec.robust_threshold, LABEL_LOW, LABEL_BORDERLINE),
    )
    assert (scored["label"] == expected).all()
    assert {LABEL_HIGH, LABEL_LOW, LABEL_BORDERLINE} <= set(scored["label"])
    # "hoog" is high pressure: the robust-high regions sit at the top of the point ranking
    assert scored.loc[scored["label"] == LABEL_HIGH, "rank"].max() <= 3 * spec.top_n


def test_regions_without_a_composite_get_geen_score(default_mc, gemeenten) -> None:
    inp, config = gemeenten
    unscored = score_input(inp, config).regions["pressure_score"].isna().to_numpy()
    assert unscored.any(), "the real data has gemeenten below the coverage rule"
    rows = default_mc[unscored]
    assert (rows["label"] == LABEL_NONE).all()
    assert rows[["rank_median", "rank_p05", "rank_p95", "p_top_n", "p_ranked"]].isna().all().all()
    assert rows["rank"].isna().all()
    assert (default_mc.loc[~unscored, "label"] != LABEL_NONE).all()


def test_a_zero_weight_theme_stays_at_zero(gemeenten) -> None:
    inp, config = gemeenten
    themes = [t for t, _ in config.theme_weights]
    weights = tuple((t, 0.0 if t == themes[0] else 1.0 / (len(themes) - 1)) for t in themes)
    draws = rank_draws(inp, replace(config, theme_weights=weights), UncertaintySpec(draws=50))
    assert (draws.weights[:, 0] == 0).all()
    np.testing.assert_allclose(draws.weights.sum(axis=1), 1.0)
    assert draws.weights[:, 1:].std(axis=0).min() > 0.01  # the others do vary


def test_weights_centre_on_the_chosen_weights(gemeenten) -> None:
    inp, config = gemeenten
    chosen = np.array([w for _, w in config.theme_weights])
    draws = rank_draws(inp, config, UncertaintySpec(draws=2000, normalisations=("zscore",)))
    np.testing.assert_allclose(draws.weights.mean(axis=0), chosen, atol=0.01)
    # Dirichlet(c·w): sd of a weight = sqrt(w(1 − w) / (c + 1))
    np.testing.assert_allclose(draws.weights.std(axis=0), np.sqrt(chosen * (1 - chosen) / 51), rtol=0.1)
    # leave-one-out: "none" and each indicator equally likely
    counts = pd.Series(draws.dropped).value_counts()
    assert len(counts) == len(inp.indicator_ids) + 1 and counts.min() > 2000 / 18 * 0.5


def test_bounds_are_redrawn_as_a_normal_with_the_bounds_as_95_percent_points() -> None:
    inp, _ = synthetic(20, 3, seed=3, bounds=True)
    spec = UncertaintySpec(draws=4000)
    bounds = _bounds(inp)
    plan = _plan(spec, len(inp.indicator_ids), np.full(3, 1 / 3), bounded=True)
    x = _perturbed(inp, bounds, plan, np.arange(spec.draws))  # (D, R, B)
    inside = (x >= inp.lower[None]) & (x <= inp.upper[None])
    assert 0.94 <= inside.mean() <= 0.96
    np.testing.assert_allclose(np.median(x, axis=0), inp.values, atol=0.05)
    # no interval, no noise
    no_bounds = replace(inp, lower=np.full(inp.values.shape, np.nan), upper=np.full(inp.values.shape, np.nan))
    assert len(_bounds(no_bounds).rows) == 0


def test_the_bounds_move_ranks_only_through_the_bounded_indicators(gemeenten) -> None:
    inp, config = gemeenten
    spec = UncertaintySpec(draws=30, normalisations=(config.normalisation,), weight_concentration=float("inf"), leave_one_out=False)
    draws = rank_draws(inp, config, spec)
    assert (~np.isnan(inp.lower)).any(), "the real data carries CBS intervals (Gezondheidsmonitor)"
    assert (draws.ranks != point_ranks(inp, config)).any()


# --------------------------------------------------------------------------- batched steps


matrices = st.integers(0, 2**31 - 1).map(
    lambda seed: (lambda rng: np.where(rng.random((3, 9, 4)) < 0.2, np.nan, rng.integers(0, 4, size=(3, 9, 4)).astype(float)))(
        np.random.default_rng(seed)
    )
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=matrices, method=st.sampled_from(NORMALISATIONS))
def test_batched_pressure_and_quarters_equal_scoring(x: np.ndarray, method: str) -> None:
    """Small integers: many ties; 20 % missing; some columns all-missing or constant."""
    directions = np.array([1.0, -1.0, 1.0, -1.0])
    batched = _pressure_batched(x, directions, method)
    quarters = _worst_quarter_batched(batched)
    for d in range(x.shape[0]):
        with quiet():
            expected = pressure(x[d], directions, method)
        np.testing.assert_array_equal(batched[d], expected)
        np.testing.assert_array_equal(quarters[d], worst_quarter(expected))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_batched_ranks_and_quantiles_equal_pandas_and_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores = np.where(rng.random((5, 12)) < 0.2, np.nan, rng.integers(0, 5, size=(5, 12)).astype(float))
    codes = np.array([f"GM{c:04d}" for c in rng.permutation(12)])
    tiebreak = rng.integers(0, 3, size=(5, 12)).astype(float)
    ranks = _rank_desc_batched(scores, None, codes)
    broken = _rank_desc_batched(scores, tiebreak, codes)
    shared = _rank_shared_batched(scores)
    for d in range(5):
        np.testing.assert_array_equal(ranks[d], rank_desc(scores[d], codes=codes))
        np.testing.assert_array_equal(broken[d], rank_desc(scores[d], tiebreak[d], codes))
        np.testing.assert_array_equal(shared[d], rank_shared(scores[d]))
    ordered = np.sort(scores, axis=0)
    n = (~np.isnan(scores)).sum(axis=0)
    for q in (0.05, 0.5, 0.95):
        with quiet():
            expected = np.nanpercentile(scores, 100 * q, axis=0)
        np.testing.assert_allclose(_quantile_sorted(ordered, n, q), expected, rtol=1e-12)


# =========================================================================== attainable ranks


def brute_force(
    inp: ScoringInput, config: ScoringConfig, floor: float, grid: int = 60, tie: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """(best, worst) count of regions strictly above each region, over the admissible weights.

    Independent of welfare.uncertainty: composite() at every point of a
    barycentric grid, at every vertex of the arrangement of tie lines (two
    regions equal, and the simplex edges), and at 24 points around each vertex.
    Three themes only (the weight set is a triangle). For regions with every
    theme the tie sets are lines, the count is constant on the cells they cut
    out, every cell has a vertex, and so every attainable count is met.
    ``tie`` > 0: a region counts as above only by more than ``tie`` × the
    score scale, so exact ties that floating point breaks by ±1e-16 stay ties.
    """
    order = tuple(t for t, _ in config.theme_weights)
    assert len(order) == 3
    membership = theme_matrix(inp.themes, order)
    press = pressure(inp.values, inp.directions, config.normalisation)
    vertices = floor / 3 + (1 - floor) * np.eye(3)
    # theme score rows: ties of two complete regions are lines (a_i − a_j)·w = 0 in w, so h·λ = 0 in λ
    themes = theme_scores(press, membership)
    if config.aggregation == "geometric":  # ties of log-composites: composite()'s rescaling, then log
        lo, hi = np.nanmin(themes, axis=0), np.nanmax(themes, axis=0)
        themes = np.log(0.01 + 0.99 * (themes - lo) / np.where(hi > lo, hi - lo, 1.0))
    a = np.nan_to_num(themes)
    lines = [(a[i] - a[j]) @ vertices.T for i, j in itertools.combinations(range(len(a)), 2)]
    lines = [h for h in lines if np.abs(h).max() > 1e-12] + list(np.eye(3))  # + the edges λ_k = 0
    # + where a region crosses the coverage rule: share of its indicators present per theme, weighted
    share = (~np.isnan(inp.values)).astype(float) @ membership / membership.sum(axis=0)
    lines += [row @ vertices.T - config.min_coverage for row in share if np.ptp(row) > 0]
    points = [np.array(c) / grid for c in itertools.product(range(grid + 1), repeat=3) if sum(c) == grid]
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    e1, e2 = np.array([1.0, -1.0, 0.0]) / np.sqrt(2), np.array([1.0, 1.0, -2.0]) / np.sqrt(6)
    for h1, h2 in itertools.combinations(lines, 2):
        m = np.array([h1, h2, np.ones(3)])
        if abs(np.linalg.det(m)) < 1e-12:
            continue
        lam = np.linalg.solve(m, np.array([0.0, 0.0, 1.0]))
        if (lam < -1e-12).any():
            continue
        points.append(np.clip(lam, 0, None) / np.clip(lam, 0, None).sum())
        for t in angles:
            p = lam + 1e-7 * (np.cos(t) * e1 + np.sin(t) * e2)
            if (p >= 0).all():
                points.append(p)
    best = np.full(len(a), np.inf)
    worst = np.full(len(a), -np.inf)
    for lam in points:
        w = lam @ vertices
        scores, _ = composite(press, membership, w, config.aggregation, config.min_coverage)
        if config.aggregation == "geometric":
            scores = np.log(scores)
        if tie > 0:
            eps = tie * np.nanmax(np.abs(scores))
            above = ((scores[None, :] > scores[:, None] + eps) & ~np.isnan(scores)[None, :]).sum(axis=1).astype(float)
            above[np.isnan(scores)] = np.nan
        else:
            above = rank_shared(scores) - 1
        best = np.fmin(best, above)
        worst = np.fmax(worst, above)
    return best, worst


def check_attained(inp: ScoringInput, config: ScoringConfig, out: pd.DataFrame) -> None:
    """The returned weights give exactly the returned ranks through score_input."""
    for row in out.itertuples():
        if row.method == LABEL_NONE:
            continue
        for weights, rank in ((row.best_weights, row.best_rank), (row.worst_weights, row.worst_rank)):
            cfg = replace(config, theme_weights=tuple(weights.items()))
            ranks = score_input(inp, cfg).regions.set_index("region_code")["rank_shared"]
            assert ranks[row.region_code] == rank, (row.region_code, weights)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31 - 1),
    normalisation=st.sampled_from(("zscore", "minmax")),
    aggregation=st.sampled_from(("arithmetic", "geometric")),
    floor=st.sampled_from((0.0, 0.3, 0.5, 0.8)),
)
def test_attainable_ranks_equal_brute_force(seed: int, normalisation: str, aggregation: str, floor: float) -> None:
    """8 regions × 3 themes, complete data: exact, and equal to the brute force."""
    inp, config = synthetic(8, 3, seed, normalisation=normalisation, aggregation=aggregation)
    out = attainable_ranks(inp, config, floor=floor, search_points=300)
    best, worst = brute_force(inp, config, floor)
    assert (out["method"] == "exact").all()
    np.testing.assert_array_equal(out["best_rank"].to_numpy(dtype=float), best + 1)
    np.testing.assert_array_equal(out["worst_rank"].to_numpy(dtype=float), worst + 1)
    assert (out["best_rank_bound"] == out["best_rank"]).all() and (out["worst_rank_bound"] == out["worst_rank"]).all()
    check_attained(inp, config, out)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), floor=st.sampled_from((0.3, 0.5)))
def test_percentile_ties_never_make_a_wrong_claim(seed: int, floor: float) -> None:
    """Percentile scores of 8 regions are sevenths: exact ties abound, and floating point breaks them.

    The bounds hold against a brute force that keeps ties as ties, the
    attained ranks are what score_input shows for the returned weights, and
    "exact" is only claimed where both agree.
    """
    inp, config = synthetic(8, 3, seed, normalisation="percentile")
    out = attainable_ranks(inp, config, floor=floor, search_points=300)
    best, worst = brute_force(inp, config, floor, tie=1e-9)
    assert (out["best_rank_bound"].to_numpy(dtype=float) <= best + 1).all()
    assert (out["worst_rank_bound"].to_numpy(dtype=float) >= worst + 1).all()
    check_attained(inp, config, out)
    exact = out["method"] == "exact"
    assert (out.loc[exact, "best_rank"] == out.loc[exact, "best_rank_bound"]).all()
    assert (out.loc[exact, "worst_rank"] == out.loc[exact, "worst_rank_bound"]).all()


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1))
def test_attainable_ranks_with_the_coverage_rule_equal_brute_force(seed: int) -> None:
    """Two indicators per theme, some missing, coverage 0.75: regions drop out under some weightings."""
    inp, config = synthetic(8, 3, seed, per_theme=2, missing=0.15, min_coverage=0.75)
    themes_complete = ~np.isnan(
        theme_matrix(inp.themes, ("t0", "t1", "t2")).T @ np.where(np.isnan(inp.values), np.nan, 1.0).T
    ).T.any(axis=1)
    out = attainable_ranks(inp, config, floor=0.3, search_points=300)
    best, worst = brute_force(inp, config, 0.3)
    check_attained(inp, config, out)
    if themes_complete.all():
        assert (out["method"] == "exact").all()
    got_best = out["best_rank"].to_numpy(dtype=float, na_value=np.nan) - 1
    got_worst = out["worst_rank"].to_numpy(dtype=float, na_value=np.nan) - 1
    exact = (out["method"] == "exact").to_numpy()
    np.testing.assert_array_equal(got_best[exact], best[exact])
    np.testing.assert_array_equal(got_worst[exact], worst[exact])
    # wherever something is proven, the brute force respects it
    scored = out["method"] != LABEL_NONE
    assert (out.loc[scored, "best_rank_bound"].to_numpy(dtype=float) <= best[scored] + 1).all()
    assert (out.loc[scored, "worst_rank_bound"].to_numpy(dtype=float) >= worst[scored] + 1).all()


def test_regions_missing_a_theme_are_bounded_and_the_bounds_hold() -> None:
    """A composite re-weighted over fewer themes is a ratio in w: proven bounds, attained ranks."""
    inp, config = synthetic(8, 3, seed=11, min_coverage=0.5)
    values = inp.values.copy()
    values[[1, 5], 2] = np.nan  # two regions without theme t2
    inp = replace(inp, values=values)
    best, worst = brute_force(inp, config, 0.5, grid=150)
    for slabs in (1, 6):
        out = attainable_ranks(inp, config, floor=0.5, search_points=2000, slabs=slabs)
        check_attained(inp, config, out)
        assert (out["best_rank_bound"] <= out["best_rank"]).all() and (out["worst_rank"] <= out["worst_rank_bound"]).all()
        assert (out["best_rank_bound"].to_numpy(dtype=float) <= best + 1).all()
        assert (out["worst_rank_bound"].to_numpy(dtype=float) >= worst + 1).all()
        assert set(out["method"]) <= {"exact", "bounded"}
        # a complete region's gap comes only from the two regions missing t2 (McCormick relaxes them)
        complete = ~np.isin(np.arange(8), [1, 5])
        gap = (out["best_rank"] - out["best_rank_bound"]) + (out["worst_rank_bound"] - out["worst_rank"])
        assert (gap[complete] <= 2).all()
        assert (out.loc[complete, "method"] == "exact").mean() >= 0.5


def test_count_ranks_move_only_through_the_coverage_rule() -> None:
    inp, config = synthetic(10, 3, seed=5, aggregation="count")
    out = attainable_ranks(inp, config)
    assert (out["method"] == "exact").all()
    assert (out["best_rank"] == out["rank"]).all() and (out["worst_rank"] == out["rank"]).all()


def test_floor_one_leaves_only_equal_weights() -> None:
    inp, config = synthetic(8, 3, seed=2)
    config = replace(config, theme_weights=(("t0", 0.6), ("t1", 0.2), ("t2", 0.2)))
    out = attainable_ranks(inp, config, floor=1.0)
    equal = point_ranks(inp, replace(config, theme_weights=(("t0", 1 / 3), ("t1", 1 / 3), ("t2", 1 / 3))), "rank_shared")
    np.testing.assert_array_equal(out["best_rank"].to_numpy(dtype=float), equal)
    np.testing.assert_array_equal(out["worst_rank"].to_numpy(dtype=float), equal)
    with pytest.raises(ValueError, match="floor"):
        attainable_ranks(inp, config, floor=1.5)


def test_a_region_without_enough_data_has_no_attainable_rank() -> None:
    inp, config = synthetic(8, 3, seed=4, min_coverage=0.7)
    values = inp.values.copy()
    values[0, :2] = np.nan  # one theme of three left: its weight is at most 1 − 2 × 1/6 = 2/3 < 0.7 at floor 0.5
    values[1, :1] = np.nan  # two left: at least 2/3 + ... ≥ 1 − 2/3 = 1/3; up to 5/6 ≥ 0.7: sometimes scored
    out = attainable_ranks(replace(inp, values=values), config)
    assert out.loc[0, "method"] == LABEL_NONE and pd.isna(out.loc[0, "best_rank"])
    assert out.loc[1, "method"] != LABEL_NONE
    assert list(out.columns) == ATTAINABLE_COLUMNS and set(out["method"]) <= set(ATTAINABLE_METHODS)


def test_real_gemeenten_best_rank_le_point_rank_le_worst(gemeenten) -> None:
    inp, config = gemeenten
    search = attainable_ranks(inp, config, solver="search")
    scored = search[search["rank"].notna()]
    assert (scored["best_rank_bound"] <= scored["best_rank"]).all()
    assert (scored["best_rank"] <= scored["rank"]).all() and (scored["rank"] <= scored["worst_rank"]).all()
    assert (scored["worst_rank"] <= scored["worst_rank_bound"]).all()
    # the MILP on a few gemeenten: its proven bounds bracket what the search attained
    top = scored.sort_values("rank")["region_code"].iloc[[0, 5, 40]].tolist()
    milp = attainable_ranks(inp, config, region_codes=top, time_limit=10).set_index("region_code")
    s = scored.set_index("region_code").loc[top]
    assert (milp["best_rank_bound"] <= milp["best_rank"]).all() and (milp["best_rank"] <= s["best_rank"]).all()
    assert (milp["worst_rank"] >= s["worst_rank"]).all() and (milp["worst_rank_bound"] >= milp["worst_rank"]).all()
    assert (milp["best_rank"] <= milp["rank"]).all() and (milp["rank"] <= milp["worst_rank"]).all()
    check_attained(inp, config, milp.reset_index())
