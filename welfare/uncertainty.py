"""How firm is a pressure ranking? Monte Carlo rank bands and attainable ranks.

A ranking is one recipe out of many defensible ones (``method.md``, step 8), so
a statement such as "region X is among the 50 with most pressure" is only as
firm as it is across the admissible recipes. Two answers:

1. :func:`rank_uncertainty`: a seeded Monte Carlo over the uncertain choices,
   each draw being the chosen :class:`~welfare.scoring.ScoringConfig` with

   - theme weights drawn from a Dirichlet around the chosen weights
     (α = concentration × weight; ``inf`` = no weight noise),
   - a normalisation drawn uniformly from ``spec.normalisations``,
   - one indicator left out, drawn uniformly from "none" and each indicator
     (so the full set is one of the I + 1 equally likely indicator sets),
   - each value with a published CBS 95 % interval redrawn from a (split) normal
     distribution that has the interval bounds as its 2.5 % and 97.5 % points.

   Per region: the point rank, the median rank with a 5–95 % band, the share of
   draws in the top N, and a label ("robuust hoog", "grensgeval", "robuust laag").
   The draws are vectorised (chunks of draws × regions × indicators, so memory
   stays bounded at buurt scale) and each draw is exactly what
   :func:`welfare.scoring.score_input` gives for that draw's recipe (a test
   replays draws one by one through ``score_input``).

2. :func:`attainable_ranks`: the best and worst rank a region can get under any
   theme weighting that gives every theme at least ``floor`` × its equal share
   ("could this region qualify under any defensible weighting?"). Exact by
   mixed-integer linear programming (HiGHS via SciPy) where the composite is
   linear in the weights, seeded by a vectorised search; see the function's
   notes for what is proven and what is only attained.

"Hoog" means high *pressure*: rank 1 is the region most under pressure.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace
from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from welfare.scoring import (
    NORMALISATIONS,
    QUARTER,
    ScoringConfig,
    ScoringInput,
    composite,
    pressure,
    rank_shared,
    score_input,
    theme_matrix,
    theme_scores,
    worst_quarter,
)

LABEL_HIGH = "robuust hoog"
LABEL_BORDERLINE = "grensgeval"
LABEL_LOW = "robuust laag"
LABEL_NONE = "geen score"
LABELS: tuple[str, ...] = (LABEL_HIGH, LABEL_BORDERLINE, LABEL_LOW, LABEL_NONE)

UNCERTAINTY_COLUMNS = ["region_code", "rank", "rank_median", "rank_p05", "rank_p95", "p_top_n", "label", "p_ranked"]
ATTAINABLE_COLUMNS = [
    "region_code",
    "rank",
    "best_rank",
    "worst_rank",
    "best_rank_bound",
    "worst_rank_bound",
    "method",
    "best_weights",
    "worst_weights",
]

# z for the 97.5 % point of the normal: a CBS 95 % interval is value ± Z95 × standard error
Z95 = 1.959963984540054
# the working set of one chunk of draws; 64 MiB keeps 14 000 units × 17 indicators at ~8 draws a chunk
CHUNK_BYTES = 64 * 2**20
# composite() keeps a region when coverage ≥ min_coverage − 1e-12; the same slack here
COVERAGE_SLACK = 1e-12
# attainable ranks: score differences below TIE × the score scale are ties (floating-point noise of
# exact ties); "strictly above" in the worst-rank MILP needs MARGIN on a row scaled to max |coefficient| 1
TIE = 1e-9
MARGIN = 1e-6

AttainableMethod = Literal["exact", "bounded", "time limit", "search", "geen score"]
ATTAINABLE_METHODS: tuple[str, ...] = ("exact", "bounded", "time limit", "search", "geen score")


# =========================================================================== Monte Carlo


@dataclass(frozen=True)
class UncertaintySpec:
    """Which choices of a ranking vary in the Monte Carlo, and how.

    Parameters
    ----------
    draws : int
        Number of Monte Carlo draws.
    seed : int
        Seed of the draws: the same spec on the same input gives the same frame.
    weight_concentration : float
        Dirichlet concentration c: the weights of a draw follow Dirichlet(c × w)
        around the chosen weights w (mean w; the larger c, the closer to w;
        c = 50 gives an equal weight of 1/6 a standard deviation of about 0.05).
        ``float("inf")``: no weight noise.
    normalisations : tuple of str
        Drawn uniformly per draw; one method means no normalisation noise. Put
        the config's own method in to centre the draws on the chosen recipe.
    leave_one_out : bool
        Leave out one indicator per draw, uniformly from "none" and each indicator.
    use_bounds : bool
        Redraw values that have a CBS 95 % interval, from the split normal with
        the interval bounds as its 2.5 % and 97.5 % points (see notes).
    top_n : int
        N of "in the top N most under pressure".
    robust_threshold : float
        A region is "robuust hoog" when it is in the top N in at least this share
        of the draws and "robuust laag" when in at most 1 − this share.

    Notes
    -----
    Normal, not uniform: a CBS interval is a sampling-error interval (survey
    estimates such as the Gezondheidsmonitor), so the value is the most likely
    and about 5 % of the truth lies outside. A uniform draw would put no mass
    outside the interval and too much at its edges. CBS rounds the bounds, so
    they are not always symmetric; each side gets its own standard deviation.

    >>> UncertaintySpec(draws=200).top_n
    50
    >>> UncertaintySpec(normalisations=("rank",))
    Traceback (most recent call last):
    ...
    ValueError: 'normalisations' must be a non-empty selection of ['zscore', 'percentile', 'minmax'] without repeats, got ('rank',)
    """

    draws: int = 1000
    seed: int = 20251127
    weight_concentration: float = 50.0
    normalisations: tuple[str, ...] = ("zscore", "percentile", "minmax")
    leave_one_out: bool = True
    use_bounds: bool = True
    top_n: int = 50
    robust_threshold: float = 0.9

    def __post_init__(self) -> None:
        if not (isinstance(self.draws, int | np.integer) and self.draws >= 1):
            raise ValueError(f"'draws' must be an integer ≥ 1, got {self.draws!r}")
        if not (isinstance(self.seed, int | np.integer) and self.seed >= 0):
            raise ValueError(f"'seed' must be an integer ≥ 0, got {self.seed!r}")
        if not (self.weight_concentration > 0):  # also rejects NaN
            raise ValueError(f"'weight_concentration' must be > 0 (inf: no weight noise), got {self.weight_concentration!r}")
        norms = tuple(self.normalisations)
        if not norms or len(set(norms)) != len(norms) or any(n not in NORMALISATIONS for n in norms):
            raise ValueError(
                f"'normalisations' must be a non-empty selection of {list(NORMALISATIONS)} without repeats, got {self.normalisations!r}"
            )
        object.__setattr__(self, "normalisations", norms)
        if not (isinstance(self.top_n, int | np.integer) and self.top_n >= 1):
            raise ValueError(f"'top_n' must be an integer ≥ 1, got {self.top_n!r}")
        if not 0.5 < self.robust_threshold <= 1.0:
            # at or below 0.5 a region could be "robuust hoog" and "robuust laag" at once
            raise ValueError(f"'robust_threshold' must be in (0.5, 1], got {self.robust_threshold!r}")

    @property
    def weight_noise(self) -> bool:
        return bool(np.isfinite(self.weight_concentration))


@dataclass(frozen=True)
class RankDraws:
    """The ranks of every Monte Carlo draw and the recipe each draw used.

    Kept whole (not just summarised) so that a page can show a region's rank
    distribution and rank variance can later be attributed to the choices.
    """

    region_codes: np.ndarray  # (R,)
    themes: tuple[str, ...]  # (Θ,) theme order of ``weights``
    ranks: np.ndarray  # (D, R) float32; NaN: no composite in that draw (coverage)
    normalisation: np.ndarray  # (D,) the normalisation of each draw
    dropped: np.ndarray  # (D,) the indicator left out, "" for none
    weights: np.ndarray  # (D, Θ) the theme weights of each draw (before a dropped theme is re-weighted away)


@dataclass(frozen=True)
class _Plan:
    """The random choices of all draws (small: no per-value arrays)."""

    norm_index: np.ndarray  # (D,) into spec.normalisations
    drop: np.ndarray  # (D,) indicator index, -1 = none
    weights: np.ndarray  # (D, Θ)
    noise_seeds: list[np.random.SeedSequence] | None  # one per draw, for the bound noise


def _plan(spec: UncertaintySpec, n_indicators: int, weights: np.ndarray, bounded: bool) -> _Plan:
    rng = np.random.default_rng(spec.seed)
    d = spec.draws
    norm_index = rng.integers(len(spec.normalisations), size=d) if len(spec.normalisations) > 1 else np.zeros(d, dtype=np.int64)
    # -1 … I−1: "none" and each indicator equally likely
    drop = rng.integers(-1, n_indicators, size=d) if spec.leave_one_out and n_indicators > 1 else np.full(d, -1)
    w = np.tile(weights, (d, 1))
    positive = weights > 0
    if spec.weight_noise and positive.sum() > 1:
        # a theme the user gave weight 0 stays at 0 (Dirichlet needs α > 0)
        w[:, positive] = rng.dirichlet(spec.weight_concentration * weights[positive], size=d)
        w[:, ~positive] = 0.0
    # one child seed per draw, so a draw's noise does not depend on how the draws are chunked
    seeds = np.random.SeedSequence(spec.seed).spawn(d) if bounded else None
    return _Plan(norm_index=norm_index, drop=drop, weights=w, noise_seeds=seeds)


@dataclass(frozen=True)
class _Bounds:
    """Where values get redrawn within their CBS interval, and how wide."""

    columns: np.ndarray  # (B,) indicator indices with at least one interval
    rows: np.ndarray  # (n,) region index of each redrawn value
    cols: np.ndarray  # (n,) position in ``columns`` of each redrawn value
    sd_low: np.ndarray  # (n,) standard deviation below the value
    sd_high: np.ndarray  # (n,) above


def _bounds(inp: ScoringInput) -> _Bounds:
    v, lo, hi = inp.values, inp.lower, inp.upper
    ok = np.isfinite(v) & np.isfinite(lo) & np.isfinite(hi)
    columns = np.flatnonzero(ok.any(axis=0))
    rows, cols = np.nonzero(ok[:, columns])
    val = v[rows, columns[cols]]
    # a bound on the wrong side of the value (never seen in CBS data) counts as zero width
    sd_low = np.maximum(val - lo[rows, columns[cols]], 0.0) / Z95
    sd_high = np.maximum(hi[rows, columns[cols]] - val, 0.0) / Z95
    return _Bounds(columns=columns, rows=rows, cols=cols, sd_low=sd_low, sd_high=sd_high)


def _perturbed(inp: ScoringInput, bounds: _Bounds, plan: _Plan, draws: np.ndarray) -> np.ndarray:
    """(len(draws), R, B): the bounded columns of ``draws`` with their values redrawn."""
    assert plan.noise_seeds is not None
    base = inp.values[:, bounds.columns]
    out = np.repeat(base[None], len(draws), axis=0)
    for k, d in enumerate(draws):
        z = np.random.default_rng(plan.noise_seeds[d]).standard_normal(len(bounds.rows))
        out[k, bounds.rows, bounds.cols] += z * np.where(z > 0, bounds.sd_high, bounds.sd_low)
    return out


# --------------------------------------------------------------------------- batched scoring
# The functions below are welfare.scoring's steps with a leading axis of draws.
# They repeat its formulas operation for operation, so a draw without noise
# gives the very numbers composite() gives.


def _normalise_batched(x: np.ndarray, method: str) -> np.ndarray:
    """(D, R, K) → (D, R, K): normalise each column over the regions (axis 1), as NORMALISERS does."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: NaN out, as in scoring
        if method == "zscore":  # scoring._zscore's own sums, so the same bits come out
            have = ~np.isnan(x)
            n = have.sum(axis=1, keepdims=True)
            safe_n = np.where(n > 0, n, 1)
            mean = np.where(have, x, 0.0).sum(axis=1, keepdims=True) / safe_n
            std = np.sqrt(np.where(have, (x - mean) ** 2, 0.0).sum(axis=1, keepdims=True) / safe_n)
            return np.where(std > 0, (x - mean) / np.where(std > 0, std, 1.0), 0.0) * np.where(have, 1.0, np.nan)
        if method == "minmax":
            lo = np.min(np.where(np.isnan(x), np.inf, x), axis=1, keepdims=True)
            hi = np.max(np.where(np.isnan(x), -np.inf, x), axis=1, keepdims=True)
            span = hi - lo
            return np.where(span > 0, (x - lo) / np.where(span > 0, span, 1.0), 0.5) * np.where(np.isnan(x), np.nan, 1.0)
    return _midrank_batched(x)


def _midrank_batched(x: np.ndarray) -> np.ndarray:
    """Percentile normalisation: (average rank − 1) / (n − 1) among the values present, ties averaged.

    >>> _midrank_batched(np.array([[[3.0], [1.0], [3.0], [np.nan]]])).ravel().tolist()
    [0.75, 0.0, 0.75, nan]
    """
    d, r, k = x.shape
    order = np.argsort(x, axis=1, kind="stable")  # NaN sorts last
    xs = np.take_along_axis(x, order, axis=1)
    pos = np.arange(r)[None, :, None]
    new = np.ones(xs.shape, dtype=bool)
    new[:, 1:] = xs[:, 1:] != xs[:, :-1]  # a tie group starts where the value changes (NaN ≠ NaN)
    last = np.ones(xs.shape, dtype=bool)
    last[:, :-1] = new[:, 1:]
    start = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
    end = np.flip(np.minimum.accumulate(np.flip(np.where(last, pos, r), axis=1), axis=1), axis=1)
    n = (~np.isnan(x)).sum(axis=1, keepdims=True)
    # 0-based average position = average 1-based rank − 1; exact in floating point, as pandas' average rank
    value = np.where(n > 1, ((start + end) / 2.0) / np.maximum(n - 1, 1), 0.5)
    out = np.empty_like(x)
    np.put_along_axis(out, order, value, axis=1)
    return np.where(np.isnan(x), np.nan, out)


def _pressure_batched(x: np.ndarray, directions: np.ndarray, method: str) -> np.ndarray:
    """:func:`welfare.scoring.pressure` over a leading axis of draws."""
    norm = _normalise_batched(x, method)
    d = np.asarray(directions, dtype=float)
    if method == "zscore":
        return -d * norm
    return np.where(d > 0, 1.0 - norm, norm)


def _worst_quarter_batched(press: np.ndarray) -> np.ndarray:
    """(D, R, K) bool: :func:`welfare.scoring.worst_quarter` per draw.

    Rank ``min`` descending ≤ k is the same as "value ≥ the k-th largest value",
    which a sort gives for all columns at once.
    """
    r = press.shape[1]
    n = (~np.isnan(press)).sum(axis=1, keepdims=True)
    k = np.maximum(1, np.floor(QUARTER * n)).astype(np.int64)
    ordered = np.sort(press, axis=1)  # ascending, NaN last: the k-th largest sits at n − k
    kth = np.take_along_axis(ordered, np.clip(n - k, 0, r - 1), axis=1)
    return (press >= kth) & ~np.isnan(press) & (n > 0)


def _composite_batched(
    filled: np.ndarray,
    have: np.ndarray,
    membership: np.ndarray,
    dropped: np.ndarray,
    weights: np.ndarray,
    aggregation: str,
    min_coverage: float,
    worst: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(D, R) composite per draw, NaN below the coverage; :func:`welfare.scoring.composite` per draw.

    Also returns the tie-break key (:func:`welfare.scoring.rank_desc`): the
    arithmetic composite for the count, else None.

    ``filled`` (D, R, I) is the pressure with 0 where a value is missing, and
    with the indicator a draw leaves out (``dropped`` (D,), −1 = none) set to 0
    in place here. Dropping an indicator empties its theme when it was the
    theme's only one; that theme then has no score anywhere and its weight is
    re-weighted away, just as a config without the indicator (and so without
    the theme) would do.
    """
    d, r, i = filled.shape
    out = np.flatnonzero(dropped >= 0)
    keep = np.ones((d, i))
    keep[out, dropped[out]] = 0.0
    filled[out[:, None], np.arange(r)[None, :], dropped[out][:, None]] = 0.0
    m = membership[None] * keep[:, :, None]  # (D, I, Θ)
    have_f = have.astype(float)
    # one 2-D product for all draws (BLAS), as composite()'s own (R, I) @ (I, Θ)
    total = (filled.reshape(d * r, i) @ membership).reshape(d, r, -1)
    # indicators present per theme: small integers, so taking the dropped one off is exact
    count = np.repeat((have_f @ membership)[None], d, axis=0)
    count[out] -= have_f[:, dropped[out]].T[:, :, None] * membership[dropped[out]][:, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        themes = np.where(count > 0, total / count, np.nan)
        size = m.sum(axis=1)  # (D, Θ)
        per_indicator = (m @ np.where(size > 0, weights / np.where(size > 0, size, 1.0), 0.0)[:, :, None])[..., 0]  # (D, I)
        coverage = (have_f @ per_indicator[:, :, None])[..., 0] / per_indicator.sum(axis=1, keepdims=True)
        has_theme = ~np.isnan(themes)
        wsum = np.where(has_theme, weights[:, None, :], 0.0).sum(axis=2)
        if aggregation == "arithmetic":
            score = (np.where(has_theme, themes, 0.0) @ weights[:, :, None])[..., 0] / wsum
        elif aggregation == "geometric":
            lo = np.fmin.reduce(themes, axis=1, keepdims=True)  # NaN-skipping min, silent on an emptied theme
            hi = np.fmax.reduce(themes, axis=1, keepdims=True)
            span = np.where(hi > lo, hi - lo, 1.0)
            positive = 0.01 + 0.99 * (themes - lo) / span
            score = np.exp((np.where(has_theme, np.log(positive), 0.0) @ weights[:, :, None])[..., 0] / wsum)
        else:
            assert worst is not None
            score = (worst & (keep[:, None, :] > 0)).sum(axis=2).astype(float)
            # the count ties often: break ties by the arithmetic composite, as score_input does
            tiebreak = (np.where(has_theme, themes, 0.0) @ weights[:, :, None])[..., 0] / wsum
    score = np.where(coverage >= min_coverage - COVERAGE_SLACK, score, np.nan)
    return score, (tiebreak if aggregation == "count" else None)


def _rank_desc_batched(scores: np.ndarray, tiebreak: np.ndarray | None, codes: np.ndarray) -> np.ndarray:
    """(D, R) → (D, R): :func:`welfare.scoring.rank_desc` per row (1 = most pressure, a strict order).

    >>> _rank_desc_batched(np.array([[0.5, 2.0, np.nan, 0.5]]), None, np.array(["b", "c", "d", "a"])).tolist()
    [[3.0, 1.0, nan, 2.0]]
    """
    d, r = scores.shape
    order = np.broadcast_to(np.argsort(codes, kind="stable"), (d, r))
    for key in ([] if tiebreak is None else [tiebreak]) + [scores]:  # least significant first
        k = np.take_along_axis(np.nan_to_num(-key, nan=np.inf), order, axis=1)
        order = np.take_along_axis(order, np.argsort(k, axis=1, kind="stable"), axis=1)
    out = np.empty(scores.shape)
    np.put_along_axis(out, order, np.broadcast_to(np.arange(1.0, r + 1.0), (d, r)), axis=1)
    out[np.isnan(scores)] = np.nan
    return out


def _rank_shared_batched(scores: np.ndarray) -> np.ndarray:
    """(D, R) → (D, R): :func:`welfare.scoring.rank_shared` per row (ties share the best rank).

    >>> _rank_shared_batched(np.array([[0.5, 2.0, np.nan, 0.5]])).tolist()
    [[2.0, 1.0, nan, 2.0]]
    """
    missing = np.isnan(scores)
    key = np.where(missing, np.inf, -scores)  # ascending on −score; unranked last
    order = np.argsort(key, axis=1, kind="stable")
    ks = np.take_along_axis(key, order, axis=1)
    pos = np.arange(scores.shape[1])[None, :]
    new = np.ones(ks.shape, dtype=bool)
    new[:, 1:] = ks[:, 1:] != ks[:, :-1]
    first = np.maximum.accumulate(np.where(new, pos, 0), axis=1)  # first position of the tie group
    out = np.empty(scores.shape)
    np.put_along_axis(out, order, first + 1.0, axis=1)
    out[missing] = np.nan
    return out


def _quantile_sorted(ordered: np.ndarray, n: np.ndarray, q: float) -> np.ndarray:
    """Quantile ``q`` of each column of ``ordered`` (ascending, NaN last, n values present).

    numpy's default ("linear", R's type 7, as COINr's ``stats::quantile``), without
    ``nanpercentile``'s per-column loop.
    """
    h = (np.maximum(n, 1) - 1) * q
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    cols = np.arange(ordered.shape[1])
    a = ordered[lo, cols].astype(float)
    b = ordered[hi, cols].astype(float)
    return np.where(n > 0, a + (h - lo) * (b - a), np.nan)


# --------------------------------------------------------------------------- public API


def _theme_setup(inp: ScoringInput, config: ScoringConfig) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    if config.theme_weights is None or config.indicators is None:
        raise ValueError("resolve the config first (config.resolved(catalog))")
    if tuple(config.indicators) != tuple(inp.indicator_ids):
        raise ValueError("the config's indicators differ from the input's columns: prepare the input with this config")
    theme_order = tuple(t for t, _ in config.theme_weights)
    weights = np.array([w for _, w in config.theme_weights], dtype=float)
    weights = weights / weights.sum()
    return theme_order, weights, theme_matrix(inp.themes, theme_order)


def rank_draws(inp: ScoringInput, config: ScoringConfig, spec: UncertaintySpec | None = None, *, chunk_bytes: int = CHUNK_BYTES) -> RankDraws:
    """The ranks of every Monte Carlo draw (see :func:`rank_uncertainty` for the summary).

    Parameters
    ----------
    inp : ScoringInput
        The prepared matrix (:func:`welfare.scoring.prepare`).
    config : ScoringConfig
        The resolved recipe; its aggregation and coverage rule hold in every draw.
    spec : UncertaintySpec, optional
        What varies; default :class:`UncertaintySpec()`.
    chunk_bytes : int
        Working-set target for one chunk of draws (memory stays bounded at any scale).

    Returns
    -------
    RankDraws
    """
    spec = spec or UncertaintySpec()
    theme_order, weights, membership = _theme_setup(inp, config)
    n_regions, n_ind = inp.values.shape
    bounds = _bounds(inp) if spec.use_bounds else None
    bounded = bounds is not None and len(bounds.rows) > 0
    plan = _plan(spec, n_ind, weights, bounded)
    have = ~np.isnan(inp.values)
    directions = np.asarray(inp.directions, dtype=float)

    # Pressure of the unperturbed matrix once per normalisation (0 where missing, as composite()
    # sums it): a draw only recomputes the columns whose values it redraws.
    base = np.stack([pressure(inp.values, directions, m) for m in spec.normalisations])  # (N, R, I)
    base_worst = np.stack([worst_quarter(p) for p in base]) if config.aggregation == "count" else None
    base = np.where(have, base, 0.0)

    ranks = np.empty((spec.draws, n_regions), dtype=np.float32)  # ranks ≤ 2**24 are exact in float32
    per_draw = max(1, n_regions * n_ind) * 8 * 4  # the chunk's pressure and its (D, R, I) temporaries
    chunk = int(max(1, min(spec.draws, chunk_bytes // per_draw)))
    regions = np.arange(n_regions)
    for start in range(0, spec.draws, chunk):
        draws = np.arange(start, min(start + chunk, spec.draws))
        norm_idx = plan.norm_index[draws]
        filled = base[norm_idx]  # (Dc, R, I), a copy
        worst = base_worst[norm_idx] if base_worst is not None else None
        if bounded:
            assert bounds is not None
            x = _perturbed(inp, bounds, plan, draws)
            cols = bounds.columns
            for n_i, method in enumerate(spec.normalisations):
                sel = np.flatnonzero(norm_idx == n_i)
                if not len(sel):
                    continue
                p = _pressure_batched(x[sel], directions[cols], method)
                where = np.ix_(sel, regions, cols)
                filled[where] = np.where(np.isnan(p), 0.0, p)
                if worst is not None:
                    worst[where] = _worst_quarter_batched(p)
        scores, tiebreak = _composite_batched(
            filled, have, membership, plan.drop[draws], plan.weights[draws], config.aggregation, config.min_coverage, worst
        )
        ranks[draws] = _rank_desc_batched(scores, tiebreak, np.asarray(inp.region_codes))
    names = np.array(list(inp.indicator_ids) + [""], dtype=object)
    return RankDraws(
        region_codes=np.asarray(inp.region_codes),
        themes=theme_order,
        ranks=ranks,
        normalisation=np.array(spec.normalisations, dtype=object)[plan.norm_index],
        dropped=names[plan.drop],  # -1 → ""
        weights=plan.weights,
    )


def draw_recipe(inp: ScoringInput, config: ScoringConfig, spec: UncertaintySpec, draw: int) -> tuple[ScoringInput, ScoringConfig]:
    """The input and config of one Monte Carlo draw, to replay it with :func:`welfare.scoring.score_input`.

    ``score_input(*draw_recipe(inp, config, spec, d)).regions["rank"]`` equals
    ``rank_draws(inp, config, spec).ranks[d]``: the vectorised draws are this
    recipe, run many at a time.

    Parameters
    ----------
    inp, config : ScoringInput, ScoringConfig
        As for :func:`rank_uncertainty` (config resolved).
    spec : UncertaintySpec
    draw : int
        0 ≤ draw < spec.draws.

    Returns
    -------
    (ScoringInput, ScoringConfig)
        The values with the draw's redrawn values, without the indicator it
        leaves out; the config with the draw's normalisation, indicators and
        weights (re-normalised over the themes that still have an indicator).
    """
    if not 0 <= draw < spec.draws:
        raise ValueError(f"'draw' must be in [0, {spec.draws}), got {draw!r}")
    theme_order, weights, _ = _theme_setup(inp, config)
    bounds = _bounds(inp) if spec.use_bounds else None
    bounded = bounds is not None and len(bounds.rows) > 0
    plan = _plan(spec, len(inp.indicator_ids), weights, bounded)
    values = inp.values.copy()
    if bounded:
        assert bounds is not None
        values[:, bounds.columns] = _perturbed(inp, bounds, plan, np.array([draw]))[0]
    keep = [i for i in range(len(inp.indicator_ids)) if i != plan.drop[draw]]
    ids = tuple(inp.indicator_ids[i] for i in keep)
    themes = tuple(inp.themes[i] for i in keep)
    draw_inp = ScoringInput(
        region_codes=inp.region_codes,
        indicator_ids=ids,
        themes=themes,
        directions=np.asarray(inp.directions)[keep],
        values=values[:, keep],
        lower=inp.lower[:, keep],
        upper=inp.upper[:, keep],
        years=np.asarray(inp.years)[keep],
        approximated=inp.approximated[:, keep],
    )
    present = [(t, float(w)) for t, w in zip(theme_order, plan.weights[draw]) if t in themes]
    total = sum(w for _, w in present)
    draw_config = replace(
        config,
        normalisation=spec.normalisations[plan.norm_index[draw]],
        indicators=ids,
        theme_weights=tuple((t, w / total if total > 0 else 0.0) for t, w in present),  # all zero: ScoringConfig says so
    )
    return draw_inp, draw_config


def rank_uncertainty(
    inp: ScoringInput, config: ScoringConfig, spec: UncertaintySpec | None = None, *, chunk_bytes: int = CHUNK_BYTES
) -> pd.DataFrame:
    """Rank bands and robustness labels from a seeded Monte Carlo over the recipe.

    Parameters
    ----------
    inp : ScoringInput
        The prepared matrix (:func:`welfare.scoring.prepare`).
    config : ScoringConfig
        The resolved recipe (``config.resolved(catalog)``); the point ranking is
        ``score_input(inp, config)`` and its aggregation is used in every draw.
    spec : UncertaintySpec, optional
        What varies and how; default :class:`UncertaintySpec()`.
    chunk_bytes : int
        Working-set target of one chunk of draws.

    Returns
    -------
    pandas.DataFrame
        One row per region, in the input's order: ``region_code``, ``rank``
        (the point rank, Int64), ``rank_median``, ``rank_p05``, ``rank_p95``
        (over the draws in which the region has a composite; numpy's "linear"
        quantile), ``p_top_n`` (share of *all* draws in which the region is
        ranked and has rank ≤ ``spec.top_n``), ``label`` and ``p_ranked`` (share
        of draws in which the region has a composite at all: leaving out an
        indicator or shifting weight can push a region below the coverage rule).
        A region without a point composite gets NaN and "geen score".

    Notes
    -----
    The band is a band of the admissible recipes, not a confidence interval
    around the point rank: the chosen recipe is one of them, but it need not
    lie inside the 5–95 % band (e.g. when two of three drawn normalisations
    rank a region differently from the chosen one). With no noise at all
    (infinite concentration, one normalisation equal to the config's, no
    leave-one-out, no bounds) every draw is the point ranking and the band
    collapses onto it.

    Examples
    --------
    >>> from welfare.scoring import ScoringConfig, ScoringInput
    >>> values = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 45.0]])
    >>> inp = ScoringInput(
    ...     region_codes=np.array(["GM1", "GM2", "GM3", "GM4"]), indicator_ids=("a", "b"),
    ...     themes=("t1", "t2"), directions=np.array([-1.0, -1.0]), values=values,
    ...     lower=np.full((4, 2), np.nan), upper=np.full((4, 2), np.nan), years=np.array([2024, 2024]))
    >>> config = ScoringConfig(indicators=("a", "b"), theme_weights=(("t1", 0.5), ("t2", 0.5)))
    >>> out = rank_uncertainty(inp, config, UncertaintySpec(draws=200, top_n=1))
    >>> print(out[["region_code", "rank", "p_top_n", "label"]].to_string(index=False))
    region_code  rank  p_top_n        label
            GM1     4      0.0 robuust laag
            GM2     3      0.0 robuust laag
            GM3     2      0.0 robuust laag
            GM4     1      1.0 robuust hoog
    """
    spec = spec or UncertaintySpec()
    point = score_input(inp, config).regions["rank"]
    draws = rank_draws(inp, config, spec, chunk_bytes=chunk_bytes)
    ranks = draws.ranks
    n = (~np.isnan(ranks)).sum(axis=0)
    ordered = np.sort(ranks, axis=0)  # NaN last
    scored = point.notna().to_numpy()
    p_top = (ranks <= spec.top_n).sum(axis=0) / spec.draws

    def only_scored(x: np.ndarray) -> np.ndarray:
        return np.where(scored, x, np.nan)

    p_top = only_scored(p_top)
    label = np.where(
        ~scored,
        LABEL_NONE,
        np.where(p_top >= spec.robust_threshold, LABEL_HIGH, np.where(p_top <= 1 - spec.robust_threshold, LABEL_LOW, LABEL_BORDERLINE)),
    )
    return pd.DataFrame(
        {
            "region_code": np.asarray(inp.region_codes),
            "rank": point.to_numpy(),
            "rank_median": only_scored(_quantile_sorted(ordered, n, 0.5)),
            "rank_p05": only_scored(_quantile_sorted(ordered, n, 0.05)),
            "rank_p95": only_scored(_quantile_sorted(ordered, n, 0.95)),
            "p_top_n": p_top,
            "label": label,
            "p_ranked": only_scored(n / spec.draws),
        }
    ).astype({"rank": "Int64"})


# =========================================================================== attainable ranks


@dataclass(frozen=True)
class _WeightProblem:
    """Every region's composite as a function of the theme weights.

    With w on the simplex, a region's composite (or, for ``geometric``, its log)
    is ``a·w / b·w`` and it exists when ``c·w ≥ min_coverage``:

    - arithmetic: a = theme scores (0 where missing), b = 1 for the themes present;
    - geometric: a = log of the rescaled theme scores, b as above (the rescaling
      uses the minimum and maximum over all regions, which do not depend on w);
    - count: a = the count (the same for every w), b = 1: weights only enter
      through the coverage rule.

    ``c`` is the share of each theme's indicators a region has a value for, so
    c·w is :func:`welfare.scoring.coverage_of`.
    """

    a: np.ndarray  # (R, Θ)
    b: np.ndarray  # (R, Θ)
    c: np.ndarray  # (R, Θ)
    min_coverage: float
    vertices: np.ndarray  # (Θ, Θ) rows: the vertices of the admissible weight set

    def weights(self, lam: np.ndarray) -> np.ndarray:
        """Barycentric coordinates over the vertices → theme weights."""
        return lam @ self.vertices

    def scores(self, lam: np.ndarray) -> np.ndarray:
        """(K, R) composite (log for geometric) at K weightings, NaN where a region has none."""
        w = self.weights(lam)
        with np.errstate(invalid="ignore", divide="ignore"):
            num, den = w @ self.a.T, w @ self.b.T
            s = num / den
        exists = (w @ self.c.T >= self.min_coverage - COVERAGE_SLACK) & (den > 0)
        return np.where(exists, s, np.nan)

    def above(self, lam: np.ndarray) -> np.ndarray:
        """(K, R): number of regions strictly above each region, NaN where it has no composite."""
        return _rank_shared_batched(self.scores(lam)) - 1.0


def _weight_problem(inp: ScoringInput, config: ScoringConfig, floor: float) -> tuple[_WeightProblem, tuple[str, ...]]:
    theme_order, _, membership = _theme_setup(inp, config)
    n_themes = len(theme_order)
    press = pressure(inp.values, inp.directions, config.normalisation)
    themes = theme_scores(press, membership)
    have = ~np.isnan(themes)
    present = (~np.isnan(press)).astype(float) @ membership  # indicators with a value per theme
    c = present / membership.sum(axis=0)
    if config.aggregation == "arithmetic":
        a, b = np.where(have, themes, 0.0), have.astype(float)
    elif config.aggregation == "geometric":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = np.nanmin(themes, axis=0), np.nanmax(themes, axis=0)
        span = np.where(hi > lo, hi - lo, 1.0)
        with np.errstate(invalid="ignore"):
            a = np.where(have, np.log(0.01 + 0.99 * (themes - lo) / span), 0.0)
        b = have.astype(float)
    else:
        count = worst_quarter(press).sum(axis=1).astype(float)
        a, b = np.repeat(count[:, None], n_themes, axis=1), np.ones((len(count), n_themes))
    # vertex k: theme k gets all the weight the floors leave free
    low = floor / n_themes
    vertices = low + (1.0 - floor) * np.eye(n_themes)
    return _WeightProblem(a=a, b=b, c=c, min_coverage=config.min_coverage, vertices=vertices), theme_order


def _search_points(n_themes: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """Barycentric weightings to try: every face's centre, then random points biased to the faces.

    Extreme ranks sit where weight piles up on few themes, so besides uniform
    points the search draws sparse ones (small Dirichlet α, random supports).
    """
    pts = []
    if n_themes <= 10:
        subsets = ((np.arange(1, 2**n_themes)[:, None] >> np.arange(n_themes)) & 1).astype(float)
        pts.append(subsets / subsets.sum(axis=1, keepdims=True))
    per = max(1, n // 4)
    pts.append(rng.dirichlet(np.ones(n_themes), size=per))
    pts.append(rng.dirichlet(np.full(n_themes, 0.2), size=per))
    support = np.argsort(rng.random((2 * per, n_themes)), axis=1) < rng.integers(1, n_themes + 1, size=(2 * per, 1))
    sparse = rng.dirichlet(np.ones(n_themes), size=2 * per) * support
    pts.append(sparse / sparse.sum(axis=1, keepdims=True))
    return np.vstack(pts)


def _milp_extreme(
    prob: _WeightProblem,
    r: int,
    sense: Literal["best", "worst"],
    incumbent: int,
    time_limit: float,
    u_range: tuple[float, float] | None = None,
) -> tuple[int, list[np.ndarray], bool]:
    """A proven bound on region r's extreme count of regions above it, and weightings to verify.

    ``best``: a lower bound on the minimum number of regions strictly above r;
    ``worst``: an upper bound on the maximum. ``incumbent`` is the count already
    attained; the MILP only looks for something better (a cutoff), so "no
    better solution" proves the incumbent.

    Regions whose score has the same denominator as r's (all themes present
    for both, the usual case, or the same themes missing) compare linearly:
    j above r ⟺ (a_j − a_r)·w > 0. The MILP has a binary z_j per such region
    whose side is not fixed over the whole weight set, with big-M equal to the
    largest value of (a_j − a_r)·w over the set (attained at a vertex, so the
    constraint is as tight as a big-M can be), and one more binary u_j where a
    region can also drop out through the coverage rule. Regions with another
    denominator (a whole theme missing on one side) compare by the sign of a
    quadratic; its two products of linear forms are variables held by their
    McCormick envelopes over the weight set (``u_range`` narrows r's missing
    weight to a slab, which tightens them), so the bound stays valid but may
    not be attained.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp  # lazy: only the exact path needs SciPy

    n_themes = prob.a.shape[1]
    v = prob.vertices
    k = _classify(prob, r)
    g, always_exist, cmin, cmax = k.g, k.always_exist, k.cmin, k.cmax
    other_fixed = k.other_always  # above r everywhere and always scored
    if sense == "best":
        variable = k.variable_best | (k.other_maybe & ~other_fixed)
    else:
        variable = k.variable_worst | (k.other_maybe & ~other_fixed)
    base = int(k.fixed.sum() + other_fixed.sum())

    idx = np.flatnonzero(variable)
    n_z = len(idx)
    target = incumbent - base - 1 if sense == "best" else incumbent - base + 1  # a count to beat the incumbent
    if n_z == 0 or (sense == "best" and target < 0) or (sense == "worst" and target > n_z):
        # nothing variable, or the incumbent already equals the trivial bound
        return (base if sense == "best" else base + n_z), [], False

    # Another denominator: with b = 1 − m (m: the themes a region misses) and Σw = 1,
    # N_j = (a_j·w)(b_r·w) − (a_r·w)(b_j·w) = (a_j − a_r)·w − (a_j·w)(m_r·w) + (a_r·w)(m_j·w),
    # whose sign is that of s_j − s_r. Each product σ·u of two linear forms gets a variable P
    # held by its McCormick envelope over the weight set: a relaxation, so the bound stays valid.
    mv = (1.0 - prob.b) @ v.T  # (R, Θ): m·w at each vertex
    av = prob.a @ v.T  # a·w at each vertex
    nonlinear = ~(prob.b[idx] == prob.b[r]).all(axis=1)
    products: list[tuple[int, int]] = []  # (region whose a·w is σ, region whose m·w is u)
    terms: list[list[tuple[int, float]]] = []  # per variable j: (product, sign) in N_j
    key_of: dict[tuple[object, ...], int] = {}
    for j, nl in zip(idx, nonlinear):
        t: list[tuple[int, float]] = []
        if nl:
            # −(a_j·w)(m_r·w), own to j; +(a_r·w)(m_j·w), shared by the regions missing the same themes
            for sigma, u, sign, key in (
                (int(j), r, -1.0, ("own", int(j))),
                (r, int(j), 1.0, ("pattern", prob.b[j].tobytes())),
            ):
                if mv[u].max() <= 0:  # u's region has every theme: no product
                    continue
                if key not in key_of:
                    key_of[key] = len(products)
                    products.append((sigma, u))
                t.append((key_of[key], sign))
        terms.append(t)
    n_p = len(products)
    box = []
    for sigma, u in products:
        sl, su, ul, uu = av[sigma].min(), av[sigma].max(), mv[u].min(), mv[u].max()
        if u == r and u_range is not None:  # a slab of r's missing weight: a tighter envelope
            ul, uu = u_range
        corners = (sl * ul, sl * uu, su * ul, su * uu)
        box.append((sl, su, ul, uu, min(corners), max(corners)))

    need_u = idx[~always_exist[idx]]  # regions that can also drop out through the coverage rule
    n_u = len(need_u) if sense == "best" else 0
    p0 = n_themes + n_z + n_u
    n_var = p0 + n_p
    cm = prob.min_coverage
    rows: list[np.ndarray] = []
    lo_b: list[float] = []
    hi_b: list[float] = []

    def add(row: np.ndarray, lo: float, hi: float) -> None:
        rows.append(row)
        lo_b.append(lo)
        hi_b.append(hi)

    eq = np.zeros(n_var)
    eq[:n_themes] = 1.0
    add(eq, 1.0, 1.0)
    cr = k.cr
    if cr.min() < cm - COVERAGE_SLACK:  # r itself must keep its composite
        row = np.zeros(n_var)
        row[:n_themes] = cr
        add(row, cm, np.inf)
    if u_range is not None:
        row = np.zeros(n_var)
        row[:n_themes] = mv[r]
        add(row, u_range[0], u_range[1])
    for q, (sigma, u) in enumerate(products):  # McCormick: P = σu on [sl, su] × [ul, uu]
        sl, su, ul, uu, _, _ = box[q]
        for s_c, u_c, lo, hi in ((sl, ul, True, False), (su, uu, True, False), (su, ul, False, True), (sl, uu, False, True)):
            row = np.zeros(n_var)
            row[p0 + q] = 1.0
            row[:n_themes] = -(s_c * mv[u] + u_c * av[sigma])
            rhs = -s_c * u_c
            add(row, rhs if lo else -np.inf, rhs if hi else np.inf)
    u_of = {j: n_themes + n_z + i for i, j in enumerate(need_u)}
    for i, j in enumerate(idx):
        z = n_themes + i
        lin = np.zeros(n_var)
        lin[:n_themes] = g[j]
        n_lo, n_hi = g[j].min(), g[j].max()
        for q, sign in terms[i]:
            lin[p0 + q] = sign
            pl, pu = box[q][4], box[q][5]
            n_lo += min(sign * pl, sign * pu)
            n_hi += max(sign * pl, sign * pu)
        scale = max(abs(n_lo), abs(n_hi), 1e-300)
        lin /= scale
        n_lo, n_hi = n_lo / scale, n_hi / scale
        if sense == "best":
            # z_j = 0 and u_j = 0 ⇒ N_j ≤ 0 (j not above r) ; u_j = 1 ⇒ j below the coverage rule
            row = lin.copy()
            row[z] = -n_hi
            if j in u_of:
                row[u_of[j]] = -n_hi
                big = cmax[j] - cm + 1.0
                crow = np.zeros(n_var)
                crow[:n_themes] = prob.c[j] @ v.T
                crow[u_of[j]] = big
                crow[z] = -big
                add(crow, -np.inf, cm + big)  # closed at cm: a valid relaxation; the polish adds the margin
            add(row, -np.inf, 0.0)
        else:
            # z_j = 1 ⇒ N_j ≥ MARGIN on the row scaled to max |N| 1 (strictly above, clear of
            # HiGHS' 1e-7 feasibility tolerance), and j keeps its composite
            row = lin.copy()
            row[z] = n_lo - MARGIN
            add(row, n_lo, np.inf)
            if not always_exist[j]:
                crow = np.zeros(n_var)
                crow[:n_themes] = prob.c[j] @ v.T
                crow[z] = -(cm - cmin[j])
                add(crow, cmin[j], np.inf)
    cut = np.zeros(n_var)
    cut[n_themes : n_themes + n_z] = 1.0
    if sense == "best":
        add(cut, -np.inf, float(target))
    else:
        add(cut, float(target), np.inf)
    objective = np.zeros(n_var)
    objective[n_themes : n_themes + n_z] = 1.0 if sense == "best" else -1.0
    integrality = np.r_[np.zeros(n_themes), np.ones(n_z + n_u), np.zeros(n_p)]
    lower = np.r_[np.zeros(p0), [b[4] for b in box]]
    upper = np.r_[np.ones(p0), [b[5] for b in box]]
    res = milp(
        objective,
        constraints=LinearConstraint(np.array(rows), np.array(lo_b), np.array(hi_b)),
        integrality=integrality,
        bounds=Bounds(lower, upper),
        options={"time_limit": float(time_limit), "mip_rel_gap": 0.0},
    )
    candidates: list[np.ndarray] = []
    timed_out = res.status == 1
    if res.status == 2:  # no better solution: the incumbent is optimal
        return incumbent, candidates, False
    if res.x is not None:
        x = res.x
        lam = np.clip(x[:n_themes], 0.0, None)
        lam = lam / lam.sum()
        candidates.append(lam)
        zs = np.round(x[n_themes : n_themes + n_z]).astype(bool)
        us = np.round(x[n_themes + n_z : p0]).astype(bool) if n_u else np.zeros(0, dtype=bool)
        linear = ~nonlinear  # the polish keeps the linear comparisons; the others are checked after
        polished = _polish(prob, r, sense, idx[linear], zs[linear], need_u, us, g, cr, always_exist)
        if polished is not None:
            candidates.append(polished)
    dual = getattr(res, "mip_dual_bound", None)
    if res.status == 0 and res.fun is not None:
        linear_opt = round(res.fun) if sense == "best" else -round(res.fun)
    elif dual is not None and np.isfinite(dual):
        linear_opt = math.ceil(dual - 1e-6) if sense == "best" else math.floor(-dual + 1e-6)
        # the cutoff may have made the true optimum infeasible: it is then beyond the target
        linear_opt = min(linear_opt, target + 1) if sense == "best" else max(linear_opt, target - 1)
    else:  # nothing proven within the time limit beyond the trivial bound
        linear_opt = 0 if sense == "best" else n_z
    bound = base + linear_opt
    return (min(bound, incumbent) if sense == "best" else max(bound, incumbent)), candidates, timed_out


def _milp_slabs(
    prob: _WeightProblem,
    r: int,
    sense: Literal["best", "worst"],
    incumbent: int,
    time_limit: float,
    evaluate: Callable[[np.ndarray], float],
    max_slabs: int,
) -> tuple[int, list[np.ndarray], bool]:
    """:func:`_milp_extreme`, refined by splitting the weight r misses into slabs (spatial branch and bound).

    For a region missing themes every comparison carries the product of a
    linear form with u = m_r·w, the weight of its missing themes; the
    McCormick envelope of a product is exact at the ends of u's range, so
    narrowing the range closes the relaxation. Slabs whose bound cannot beat
    the incumbent are closed; the others are split where the MILP's weighting
    sat (or at the middle), up to ``max_slabs`` MILPs.
    """
    mv = (1.0 - prob.b[r]) @ prob.vertices.T
    if mv.max() <= 0 or max_slabs <= 1:
        return _milp_extreme(prob, r, sense, incumbent, time_limit)
    better = (lambda a, b: a < b) if sense == "best" else (lambda a, b: a > b)
    candidates: list[np.ndarray] = []
    timed_out = False
    open_slabs = [(float(mv.min()), float(mv.max()))]
    closed_bounds: list[int] = []
    solved = 0
    while open_slabs and solved < max_slabs:
        lo, hi = open_slabs.pop(0)
        bound, cands, t_out = _milp_extreme(prob, r, sense, incumbent, time_limit, (lo, hi))
        solved += 1
        timed_out |= t_out
        candidates += cands
        for lam in cands:
            val = evaluate(lam)
            if np.isfinite(val) and better(val, incumbent):
                incumbent = int(val)
        if not better(bound, incumbent) or hi - lo < 1e-9:
            closed_bounds.append(bound)
            continue
        split = float(mv @ cands[0]) if cands else (lo + hi) / 2
        if not lo + 1e-3 * (hi - lo) < split < hi - 1e-3 * (hi - lo):
            split = (lo + hi) / 2
        open_slabs += [(lo, split), (split, hi)]
    # slabs never solved keep the bound of the slab they came from: solve them whole once more
    if open_slabs:
        rest, cands, t_out = _milp_extreme(prob, r, sense, incumbent, time_limit, (min(a for a, _ in open_slabs), max(b for _, b in open_slabs)))
        candidates += cands
        timed_out |= t_out
        closed_bounds.append(rest)
    pick = min if sense == "best" else max
    return pick([incumbent, *closed_bounds]), candidates, timed_out


def _polish(
    prob: _WeightProblem,
    r: int,
    sense: str,
    idx: np.ndarray,
    zs: np.ndarray,
    need_u: np.ndarray,
    us: np.ndarray,
    g: np.ndarray,
    cr: np.ndarray,
    always_exist: np.ndarray,
) -> np.ndarray | None:
    """The weighting deepest inside the MILP's pattern (which region is above r, which drops out).

    A MILP optimum is a vertex, so it sits exactly on some "j ties r"
    hyperplanes, where floating point decides the comparison by a hair.
    An LP moves it to the point with the largest margin to every one of them.
    """
    from scipy.optimize import linprog

    n_themes = prob.vertices.shape[0]
    cm = prob.min_coverage
    ge_rows: list[np.ndarray] = []  # row·λ − margin ≥ rhs, rows scaled to max |coefficient| 1
    ge_rhs: list[float] = []

    def ge(coef: np.ndarray, rhs: float) -> None:
        scale = float(np.max(np.abs(coef))) or 1.0
        ge_rows.append(coef / scale)
        ge_rhs.append(rhs / scale)

    if cr.min() < cm - COVERAGE_SLACK:
        ge(cr, cm)
    u_set = {int(j): bool(u) for j, u in zip(need_u, us)}
    for j, z in zip(idx, zs):
        cj = prob.c[j] @ prob.vertices.T
        if sense == "best":
            if z:
                continue
            if u_set.get(int(j), False):
                ge(-cj, -cm)
            else:
                ge(-g[j], 0.0)
        else:
            if not z:
                continue
            ge(g[j], 0.0)
            if not always_exist[j]:
                ge(cj, cm)
    if not ge_rows:
        return None
    a = np.array(ge_rows)
    # variables (λ, t): maximise t subject to a·λ − t ≥ rhs, Σλ = 1, λ ≥ 0, 0 ≤ t ≤ 1
    res = linprog(
        c=np.r_[np.zeros(n_themes), -1.0],
        A_ub=np.c_[-a, np.ones(len(a))],
        b_ub=-np.array(ge_rhs),
        A_eq=np.r_[np.ones(n_themes), 0.0][None],
        b_eq=[1.0],
        bounds=[(0.0, 1.0)] * n_themes + [(0.0, 1.0)],
        method="highs",
    )
    if res.status != 0 or res.x is None:
        return None
    lam = np.clip(res.x[:n_themes], 0.0, None)
    return lam / lam.sum()


def attainable_ranks(
    inp: ScoringInput,
    config: ScoringConfig,
    floor: float = 0.5,
    *,
    region_codes: list[str] | tuple[str, ...] | np.ndarray | None = None,
    solver: Literal["milp", "search"] = "milp",
    search_points: int = 20_000,
    time_limit: float = 20.0,
    slabs: int = 1,
    seed: int = 0,
) -> pd.DataFrame:
    """Best and worst rank each region can get under any admissible theme weighting.

    Admissible: weights on the simplex with every theme at least ``floor`` ×
    its equal share 1/Θ (the default, half of equal weight, lets one theme
    rise to 7/12 ≈ 58 % with six themes). The normalisation, indicator set,
    aggregation and coverage rule are the config's. Best rank = 1 + the fewest
    regions that must score strictly above the region; worst = 1 + the most
    that can.

    Parameters
    ----------
    inp, config : ScoringInput, ScoringConfig
        The prepared matrix and the resolved recipe.
    floor : float
        In [0, 1]: 0 allows any weighting, 1 only equal weights.
    region_codes : sequence of str, optional
        Only these regions (the search still uses all regions; it is cheap).
    solver : {"milp", "search"}
        "milp" proves the extremes (needs SciPy); "search" only tries weightings.
    search_points : int
        Number of weightings the search tries (all regions at once).
    time_limit : float
        Seconds per MILP (two per region); beyond it the result is bounded, not exact.
    slabs : int
        MILPs per extreme for a region that misses a whole theme: > 1 splits
        the weight of its missing themes into slabs, which tightens its bounds
        at a price (the three such gemeenten of 2024 at 12 slabs: ~4 minutes).
    seed : int
        Seed of the search.

    Returns
    -------
    pandas.DataFrame
        ``region_code``, ``rank`` (the point rank), ``best_rank`` and
        ``worst_rank`` (attained: a weighting exists that gives exactly this
        rank, ``best_weights`` / ``worst_weights``, checked with the composite's
        formula), ``best_rank_bound`` and ``worst_rank_bound`` (proven: no
        admissible weighting does better / worse), ``method``:

        - "exact": proven, bound = attained for both extremes (by the MILP, or
          already by the trivial bounds);
        - "bounded": the MILPs closed but a gap remains because some regions
          miss a whole theme (their comparisons are not linear, see notes);
        - "time limit": a MILP hit ``time_limit``; the bound is HiGHS' dual bound;
        - "search": ``solver="search"`` and the trivial bounds (regions above r
          at every / at some vertex-checked weighting) leave a gap;
        - "geen score": the region has no composite under any admissible weighting.

    Notes
    -----
    Why a MILP. With w on the simplex, a region's arithmetic composite is
    linear in w when it has a score on every theme (then Σ w over its themes is 1);
    the geometric composite is exp of a linear function (rank by its log);
    the count does not depend on w at all (only the coverage rule does). So
    "j above r" is a half-space of weightings, and the best rank is the
    fewest half-spaces a point of the admissible polytope can lie in: a
    maximum-feasible-subsystem problem (the weight-restricted Tukey depth of
    region r), NP-hard in general and with no known polynomial algorithm at
    Θ − 1 = 5 dimensions beyond enumerating the O(R⁵) cells of the
    arrangement. Enumerating the polytope's vertices is *not* enough: the
    count is constant on the cells cut out by the "j ties r" hyperplanes, and
    the extreme cell need not touch a vertex. The MILP is exact (HiGHS,
    relative gap 0), and a cheap vectorised search over ``search_points``
    weightings supplies the incumbent, so the MILP only has to rule out
    something better.

    What is exact. Pairs of regions with the same set of themes present
    compare linearly and are exact. A region missing a whole theme has a
    composite re-weighted over its other themes, a ratio of two linear
    functions, so its comparison with a complete region is quadratic in w:
    N = (a_j − a_r)·w − (a_j·w)(m_r·w) + (a_r·w)(m_j·w) with m the missing
    themes. Each product gets a variable held by its McCormick envelope (a
    relaxation: the bound stays valid), and the attained rank is checked at
    its true value. On the 342 gemeenten of the default recipe (three of them
    miss "wonen"), 318 came out exact, 13 "bounded" (the three themselves
    and some near them; mean gap 0.3 ranks best, 1.1 worst) and 11 hit the
    20 s time limit. ``slabs`` narrows the gap of a region missing a theme. "Strictly above" is decided in floating point at the
    found weighting, after an LP moved it as deep into its cell as possible;
    the MILP works to HiGHS' feasibility tolerance (1e-7), so a region only
    counts as possibly above in the worst-rank MILP by a margin of 1e-6 of its
    score-difference scale, and score differences below 1e-9 of the score
    scale are ties (exact ties, e.g. of percentile scores, that floating point
    breaks by ±1e-16). Weightings exist for every attained rank:
    ``best_weights`` / ``worst_weights``, checked through ``composite()``.

    Ranks. All ranks here, ``rank`` included, are shared ranks (1 + the number
    of regions strictly above, ``rank_shared`` of :func:`welfare.scoring.score_input`):
    a tie at some weighting counts in the region's favour, so "best" is what
    the region can claim and "worst" never charges it for a tie-break.

    Cost. A MILP per extreme per region, 0.01–20 s each (``time_limit``); all
    342 gemeenten took about 20 minutes on two cores, the search alone about
    a second. Cache per (year, normalisation, aggregation,
    floor): the chosen weights do not enter.

    Examples
    --------
    >>> from welfare.scoring import ScoringConfig, ScoringInput
    >>> values = np.array([[0.0, 3.0], [3.0, 0.0], [1.0, 1.0]])
    >>> inp = ScoringInput(
    ...     region_codes=np.array(["GM1", "GM2", "GM3"]), indicator_ids=("a", "b"), themes=("t1", "t2"),
    ...     directions=np.array([-1.0, -1.0]), values=values,
    ...     lower=np.full((3, 2), np.nan), upper=np.full((3, 2), np.nan), years=np.array([2024, 2024]))
    >>> config = ScoringConfig(indicators=("a", "b"), theme_weights=(("t1", 0.5), ("t2", 0.5)),
    ...                        normalisation="minmax")
    >>> out = attainable_ranks(inp, config, floor=0.5)
    >>> print(out[["region_code", "rank", "best_rank", "worst_rank", "method"]].to_string(index=False))
    region_code  rank  best_rank  worst_rank method
            GM1     1          1           3  exact
            GM2     1          1           3  exact
            GM3     3          2           3  exact
    >>> out.loc[2, "best_weights"]  # GM3 scores 1/3 under any weights; GM1 scores w(t2), 1/4 here
    {'t1': 0.75, 't2': 0.25}
    """
    if not 0.0 <= floor <= 1.0:
        raise ValueError(f"'floor' must be in [0, 1], got {floor!r}")
    if solver not in ("milp", "search"):
        raise ValueError(f"'solver' must be 'milp' or 'search', got {solver!r}")
    prob, theme_order = _weight_problem(inp, config, floor)
    n_reg, n_themes = prob.a.shape
    codes = np.asarray(inp.region_codes)
    if region_codes is None:
        targets = np.arange(n_reg)
    else:
        where = {c: i for i, c in enumerate(codes)}
        unknown = [c for c in region_codes if c not in where]
        if unknown:
            raise ValueError(f"unknown region code(s): {', '.join(map(str, unknown))}")
        targets = np.array([where[c] for c in region_codes], dtype=np.int64)
    # ranks here are shared ranks (1 + the regions strictly above), the quantity the extremes bound
    point = score_input(inp, config).regions["rank_shared"].to_numpy(dtype=float, na_value=np.nan)

    # 1. search: the count above every region at each weighting, in chunks
    rng = np.random.default_rng(seed)
    pts = _search_points(n_themes, search_points, rng)
    best = np.full(n_reg, np.inf)
    worst = np.full(n_reg, -np.inf)
    best_at = np.zeros(n_reg, dtype=np.int64)
    worst_at = np.zeros(n_reg, dtype=np.int64)
    step = max(1, 2**22 // max(n_reg, 1))
    for s in range(0, len(pts), step):
        above = prob.above(pts[s : s + step])
        lo = np.where(np.isnan(above), np.inf, above)
        hi = np.where(np.isnan(above), -np.inf, above)
        i_lo, i_hi = lo.argmin(axis=0), hi.argmax(axis=0)
        v_lo, v_hi = lo[i_lo, np.arange(n_reg)], hi[i_hi, np.arange(n_reg)]
        better, worse = v_lo < best, v_hi > worst
        best = np.where(better, v_lo, best)
        worst = np.where(worse, v_hi, worst)
        best_at = np.where(better, s + i_lo, best_at)
        worst_at = np.where(worse, s + i_hi, worst_at)
    best_lam = pts[best_at].copy()
    worst_lam = pts[worst_at].copy()

    # 2. proof per region; every rank reported as attained is checked with composite() itself, the
    # function score_input uses, so the weights it comes with reproduce it on screen
    press = pressure(inp.values, inp.directions, config.normalisation)
    membership = theme_matrix(inp.themes, theme_order)
    checked: dict[bytes, np.ndarray] = {}

    def verified(lam: np.ndarray) -> np.ndarray:
        key = lam.tobytes()
        if key not in checked:
            scores, _ = composite(press, membership, prob.weights(lam), config.aggregation, config.min_coverage)
            checked[key] = rank_shared(scores) - 1.0
        return checked[key]

    def pick(cands: list[np.ndarray], r: int, lowest: bool) -> tuple[float, np.ndarray | None]:
        vals = [(verified(lam)[r], lam) for lam in cands]
        vals = [(v, lam) for v, lam in vals if np.isfinite(v)]
        if not vals:
            return np.nan, None
        return min(vals, key=lambda x: x[0]) if lowest else max(vals, key=lambda x: x[0])

    cmax = (prob.c @ prob.vertices.T).max(axis=1)
    can_exist = cmax >= prob.min_coverage - COVERAGE_SLACK
    none_row = (np.nan, np.nan, np.nan, np.nan, LABEL_NONE, None, None)
    rows = []
    for r in targets:
        if not can_exist[r]:
            rows.append((codes[r], point[r], *none_row))
            continue
        if not np.isfinite(best[r]):
            # the search never hit the (thin) set of weightings where r keeps its composite: ask an LP
            lam = _feasible_point(prob, r)
            if lam is None:
                rows.append((codes[r], point[r], *none_row))
                continue
            val = prob.above(lam[None])[0, r]
            best[r], worst[r], best_lam[r], worst_lam[r] = val, val, lam, lam
        best_cands, worst_cands = [best_lam[r]], [worst_lam[r]]
        timed_out = False
        if solver == "milp":
            # the search's counts are the incumbents the MILPs must beat
            def check(lam: np.ndarray, r: int = r) -> float:
                return float(verified(lam)[r])

            b_bound, cands, b_timeout = _milp_slabs(prob, r, "best", int(best[r]), time_limit, check, slabs)
            best_cands += cands
            w_bound, cands, w_timeout = _milp_slabs(prob, r, "worst", int(worst[r]), time_limit, check, slabs)
            worst_cands += cands
            timed_out = b_timeout or w_timeout
        else:
            b_bound, w_bound = _trivial_extremes(prob, r)
        b_att, b_lam = pick(best_cands, r, lowest=True)
        w_att, w_lam = pick(worst_cands, r, lowest=False)
        if b_lam is None or w_lam is None:  # only floating-point edge cases of the coverage rule get here
            rows.append((codes[r], point[r], *none_row))
            continue
        # a bound never claims less than a weighting shows on screen (ties broken by rounding included)
        b_bound, w_bound = min(b_bound, int(b_att)), max(w_bound, int(w_att))
        if b_bound == b_att and w_bound == w_att:
            method = "exact"
        else:
            method = "search" if solver == "search" else ("time limit" if timed_out else "bounded")
        rows.append(
            (
                codes[r],
                point[r],
                b_att + 1,
                w_att + 1,
                b_bound + 1,
                w_bound + 1,
                method,
                dict(zip(theme_order, prob.weights(b_lam).tolist())),
                dict(zip(theme_order, prob.weights(w_lam).tolist())),
            )
        )
    out = pd.DataFrame(rows, columns=ATTAINABLE_COLUMNS)
    ints = ["rank", "best_rank", "worst_rank", "best_rank_bound", "worst_rank_bound"]
    return out.astype({c: float for c in ints}).astype({c: "Int64" for c in ints})


@dataclass(frozen=True)
class _Sides:
    """Which regions can be above region r, from the values at the vertices of the weight set.

    A linear function on a polytope takes its extremes at the vertices, and so
    does a ratio of linear functions with a positive denominator: the vertex
    values settle every region that is above r everywhere or nowhere.
    Differences within TIE × the score scale count as ties (exact ties, e.g.
    of percentile scores, come out of floating point as ±1e-16).
    """

    g: np.ndarray  # (R, Θ) (a_j − a_r)·w at each vertex
    gmin: np.ndarray
    gmax: np.ndarray
    cmin: np.ndarray  # (R,) coverage range over the weight set
    cmax: np.ndarray
    cr: np.ndarray  # (Θ,) r's coverage at each vertex
    always_exist: np.ndarray  # (R,) bool
    fixed: np.ndarray  # same denominator as r, above r for every admissible w
    variable_best: np.ndarray  # same denominator, can be above r, and can be kept from it
    variable_worst: np.ndarray  # same denominator, can be above r by MARGIN
    other_always: np.ndarray  # another denominator, above r everywhere
    other_maybe: np.ndarray  # another denominator, possibly above r somewhere


def _classify(prob: _WeightProblem, r: int) -> _Sides:
    n_reg = len(prob.a)
    v = prob.vertices
    cv = prob.c @ v.T
    cmin, cmax = cv.min(axis=1), cv.max(axis=1)
    can_exist = cmax >= prob.min_coverage - COVERAGE_SLACK
    always_exist = cmin >= prob.min_coverage - COVERAGE_SLACK
    others = np.arange(n_reg) != r
    same = (prob.b == prob.b[r]).all(axis=1)
    tie = TIE * max(float(np.abs(prob.a).max()), 1e-300)
    g = (prob.a - prob.a[r]) @ v.T
    gmin, gmax = g.min(axis=1), g.max(axis=1)
    linear = others & can_exist & same
    fixed = linear & (gmin > tie) & always_exist
    variable_best = linear & (gmax > tie) & ~fixed
    variable_worst = linear & (gmax > tie) & (gmax >= MARGIN * np.abs(g).max(axis=1)) & ~fixed
    with np.errstate(invalid="ignore", divide="ignore"):
        sv = (prob.a @ v.T) / (prob.b @ v.T)
    bad = ~np.isfinite(sv).all(axis=1)  # a vertex where the region has no themes with weight
    smin = np.where(bad, -np.inf, np.where(np.isfinite(sv), sv, np.inf).min(axis=1))
    smax = np.where(bad, np.inf, np.where(np.isfinite(sv), sv, -np.inf).max(axis=1))
    other = others & can_exist & ~same
    always_above = smin > smax[r] + tie  # loose: the two ranges may peak at different vertices
    maybe_above = smax > smin[r] + tie
    complete = (prob.b > 0).all(axis=1)
    pairwise = other & (complete | complete[r])
    if pairwise.any():
        # exact for a pair where one of the two has every theme: see _edge_extremes
        lo, hi = _edge_extremes(prob, r, np.flatnonzero(pairwise))
        always_above[pairwise] = lo > tie
        maybe_above[pairwise] = hi > tie
    return _Sides(
        g=g,
        gmin=gmin,
        gmax=gmax,
        cmin=cmin,
        cmax=cmax,
        cr=cv[r],
        always_exist=always_exist,
        fixed=fixed,
        variable_best=variable_best,
        variable_worst=variable_worst,
        other_always=other & always_exist & always_above,
        other_maybe=other & maybe_above,
    )


def _edge_extremes(prob: _WeightProblem, r: int, js: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Min and max over the weight set of N_j(w) = (a_j·w)(b_r·w) − (a_r·w)(b_j·w), whose sign is that of s_j − s_r.

    When r has every theme (b_r·w = 1), N_j = d·w + (a_r·w)(m_j·w) with m_j
    the themes j misses. Fix u = m_j·w: N_j is linear on the slice {m_j·w = u}
    of the simplex, so it peaks at a vertex of the slice, and every vertex of a
    hyperplane's slice of a simplex lies on an edge. Hence the extremes over
    the whole set lie on its edges, where N_j is a quadratic in one variable:
    ends and stationary point. The same holds with the roles swapped when j
    has every theme.
    """
    v = prob.vertices
    av, bv = prob.a @ v.T, prob.b @ v.T  # (R, Θ) at each vertex
    k, l = np.triu_indices(v.shape[0], 1)
    if len(k) == 0:  # one theme: the weight set is a point
        val = av[js, 0] * bv[r, 0] - av[r, 0] * bv[js, 0]
        return val, val
    p0, p1 = av[js][:, k], av[js][:, l] - av[js][:, k]  # a_j·w along each edge: p0 + p1 t
    s0, s1 = bv[js][:, k], bv[js][:, l] - bv[js][:, k]  # b_j·w
    q0, q1 = bv[r, k], bv[r, l] - bv[r, k]  # b_r·w
    r0, r1 = av[r, k], av[r, l] - av[r, k]  # a_r·w
    c0 = p0 * q0 - r0 * s0
    c1 = p0 * q1 + p1 * q0 - r0 * s1 - r1 * s0
    c2 = p1 * q1 - r1 * s1
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.where(c2 != 0, -c1 / (2 * c2), 0.0), 0.0, 1.0)
    vals = np.stack([c0, c0 + c1 + c2, c0 + c1 * t + c2 * t * t])  # (3, J, edges)
    return vals.min(axis=(0, 2)), vals.max(axis=(0, 2))


def _trivial_extremes(prob: _WeightProblem, r: int) -> tuple[int, int]:
    """Bounds without a solver: regions above r at every / at some admissible weighting."""
    k = _classify(prob, r)
    return int(k.fixed.sum() + k.other_always.sum()), int(k.fixed.sum() + k.variable_worst.sum() + k.other_maybe.sum())


def _feasible_point(prob: _WeightProblem, r: int) -> np.ndarray | None:
    """A weighting under which r keeps its composite (deepest inside the coverage rule), or None."""
    from scipy.optimize import linprog

    n_themes = prob.vertices.shape[0]
    cr = prob.c[r] @ prob.vertices.T
    res = linprog(
        c=-cr,
        A_eq=np.ones((1, n_themes)),
        b_eq=[1.0],
        bounds=[(0.0, 1.0)] * n_themes,
        method="highs",
    )
    if res.status != 0 or res.x is None or cr @ res.x < prob.min_coverage - COVERAGE_SLACK:
        return None
    lam = np.clip(res.x, 0.0, None)
    return lam / lam.sum()
