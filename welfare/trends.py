"""Trend and change: does an indicator move beyond the noise, and what moved a score?

Two questions from ``method.md`` ("Trend: the direction and significance of
change, and what moved a region's score between two years"):

1. :func:`indicator_trends`: for each region × indicator, the change over the
   last ``window`` years (CBS judges ~8) and whether it is more than noise.

   ==================  ========================================================
   ``method``          when, and what is tested
   ==================  ========================================================
   ``ols``             ≥ 3 yearly values in the window: the least-squares slope
                       per year with its 95 % interval ``slope ± t(n−2) · se``;
                       *t* from a table (df 1–30) and a Cornish–Fisher expansion
                       beyond (error < 1e-4). Significant when the interval
                       excludes 0.
   ``bounds_diff``     exactly 2 values, both with CBS 95 % bounds (health and
                       safety monitor): a difference test with each value's
                       standard error taken as half the width of its bounds /
                       1.96; significant when ``|change| > 1.96 ·
                       √(se₁² + se₂²)``. This is the test CBS's bounds support;
                       "the two intervals do not overlap" is stricter than a
                       5 % test (Schenker & Gentleman 2001) and is not used.
   ``insufficient``    anything else (1 value, or 2 without bounds): the change
                       is reported, its significance is unknown (``<NA>``).
   ==================  ========================================================

   The window is per indicator: the ``window`` calendar years ending in the
   latest year the indicator has a value at the level, so all regions of an
   indicator are judged over the same years. Missing values are skipped, never
   zeros. ``direction_of_change`` is the arrow (``up``/``down`` only when the
   change is significant, else ``flat``); ``assessment`` is its colour, read
   with the catalogue's direction: falling unemployment (direction −1) is
   ``better``. Indicators without a direction (context) are ``not assessed``.

2. :func:`decompose_change`: the change of a region's composite pressure score
   between two years, split into one contribution per indicator.

   For the arithmetic aggregation the composite is
   ``Σ_i a_i · p_i`` with the effective weight
   ``a_i = w_theme / (n_theme · Σ w of the themes present)``, where
   ``n_theme`` counts the theme's indicators the region has a value for
   (:func:`welfare.scoring.composite`). On the set ``C`` of indicators the
   region has in *both* years, with weights ``aᶜ`` computed on ``C``::

       composite_to − composite_from = Σ_{i∈C} aᶜ_i · (p_i,to − p_i,from)   (indicators)
                                       + set change                         (one row)

   ``set change = (composite_to − Σ_C aᶜ p_to) − (composite_from − Σ_C aᶜ p_from)``
   is what indicators present in only one year (added or dropped, e.g. a
   health monitor that is not published every year) did to the score; it is
   0 and omitted when the region has the same indicators in both years. The
   split is exact. For the ``count`` aggregation a contribution is the change
   in worst-quarter membership (−1, 0 or +1), again with a set-change row.
   The geometric mean is not additive, so it is refused.

   **Contributions are changes of relative position.** Pressures are
   normalised per year over all regions of that year, so an indicator whose
   value improved can still add pressure when other regions improved more.
   The rows carry the raw values (``value_from``, ``value_to``) beside the
   pressures so the two can be told apart on screen.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal, get_args

import numpy as np
import pandas as pd

from welfare.catalog import Catalog
from welfare.scoring import ScoringConfig, ScoringInput, composite, prepare, pressure, theme_matrix, worst_quarter
from welfare.types import LEVELS

TrendMethod = Literal["ols", "bounds_diff", "insufficient"]
TREND_METHODS: tuple[str, ...] = get_args(TrendMethod)
ChangeDirection = Literal["up", "down", "flat"]
CHANGE_DIRECTIONS: tuple[str, ...] = get_args(ChangeDirection)
Assessment = Literal["better", "worse", "no significant change", "insufficient data", "not assessed"]
ASSESSMENTS: tuple[str, ...] = get_args(Assessment)
RowKind = Literal["indicator", "set change", "total"]
ROW_KINDS: tuple[str, ...] = get_args(RowKind)

Z975 = 1.959963984540054  # the 97.5 % normal quantile
DEFAULT_WINDOW = 8  # years, as CBS judges a trend

# Student t 97.5 % quantiles for df = 1..30 (standard tables); beyond: _t975 expands.
T975: dict[int, float] = {
    1: 12.706204736, 2: 4.302652730, 3: 3.182446305, 4: 2.776445105, 5: 2.570581836,
    6: 2.446911851, 7: 2.364624252, 8: 2.306004135, 9: 2.262157163, 10: 2.228138852,
    11: 2.200985160, 12: 2.178812830, 13: 2.160368656, 14: 2.144786688, 15: 2.131449546,
    16: 2.119905299, 17: 2.109815578, 18: 2.100922040, 19: 2.093024054, 20: 2.085963447,
    21: 2.079613845, 22: 2.073873068, 23: 2.068657610, 24: 2.063898562, 25: 2.059538553,
    26: 2.055529439, 27: 2.051830516, 28: 2.048407142, 29: 2.045229642, 30: 2.042272456,
}  # fmt: skip

TREND_COLUMNS = [
    "region_code",
    "indicator_id",
    "first_year",
    "last_year",
    "n_years",
    "first_value",
    "last_value",
    "change",
    "slope_per_year",
    "slope_low",
    "slope_high",
    "method",
    "significant",
    "direction_of_change",
    "assessment",
]

DECOMPOSITION_COLUMNS = [
    "region_code",
    "kind",
    "indicator_id",
    "theme",
    "value_from",
    "value_to",
    "pressure_from",
    "pressure_to",
    "weight",
    "contribution",
    "composite_from",
    "composite_to",
    "note",
]

RELATIVE_NOTE = (
    "Pressures are normalised per year over all regions, so a contribution is a change of the "
    "region's relative position, not of its own value."
)


def t975(df: int | np.ndarray) -> float | np.ndarray:
    """The two-sided 95 % Student t quantile for ``df`` degrees of freedom.

    Exact table values for df 1–30; above, the Cornish–Fisher expansion of t
    around the normal quantile (three terms, error below 1e-4). df < 1 gives NaN.

    >>> round(t975(3), 4), round(t975(1000), 4)
    (3.1824, 1.9623)
    """
    d = np.atleast_1d(np.asarray(df, dtype=float))
    z = Z975
    with np.errstate(invalid="ignore", divide="ignore"):
        expansion = (
            z
            + (z**3 + z) / (4 * d)
            + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * d**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * d**3)
        )
    table = np.array([T975.get(int(k), np.nan) if 1 <= k <= 30 else np.nan for k in d])
    out = np.where(d < 1, np.nan, np.where(d <= 30, table, expansion))
    return float(out[0]) if np.ndim(df) == 0 else out


# --------------------------------------------------------------------------- trends


def _series(observations: pd.DataFrame, level: str) -> pd.DataFrame:
    """One value per indicator × region × year at ``level``, on one indeling for GM."""
    cols = ["indicator_id", "region_code", "year", "value", "lower", "upper"]
    flags = observations["flags"].fillna("")
    harmonised = flags.str.contains("harmonised", regex=False)
    if level == "GM":
        rows = observations[harmonised & (observations["level"] == "GM")]
        if rows.empty:
            raise ValueError("the warehouse has no harmonised gemeente rows: rebuild it with `python -m welfare build`")
        rows = rows[rows["boundary_year"] == rows["boundary_year"].max()]
        return rows[cols]
    rows = observations[~harmonised & (observations["level"] == level)]
    # CBS publishes one value per region and year; if a table repeats one on another indeling, keep the newest.
    rows = rows.sort_values("boundary_year").drop_duplicates(["indicator_id", "region_code", "year"], keep="last")
    return rows[cols]


def indicator_trends(
    observations: pd.DataFrame,
    catalog: Catalog,
    *,
    level: str = "GM",
    region_codes: Sequence[str] | None = None,
    window: int = DEFAULT_WINDOW,
    indicators: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Change per region × indicator over the last ``window`` years, and whether it is beyond noise.

    Parameters
    ----------
    observations : pandas.DataFrame
        Warehouse observations (``welfare.warehouse.read_observations``).
        Gemeenten use the ``harmonised`` rows of the newest ``boundary_year``
        (one indeling across years); other levels the rows CBS published.
    catalog : Catalog
        Gives each indicator's direction (+1 higher is better, −1 worse, 0 none).
    level : {"GM", "CR", "PV", "LD", "AM", "NL"}
    region_codes : sequence of str, optional
        Only these regions (all of the level by default).
    window : int
        The number of calendar years, ending in the indicator's latest year
        with a value at the level (default 8, as CBS).
    indicators : sequence of str, optional
        Catalogue ids; by default every catalogue indicator with values at the level.

    Returns
    -------
    pandas.DataFrame
        One row per region × indicator with at least one value in the window,
        columns :data:`TREND_COLUMNS`. ``change = last_value − first_value``;
        ``slope_*`` are per year; ``significant`` is a nullable boolean
        (``<NA>`` when ``method`` is ``insufficient``); ``direction_of_change``
        is ``up``/``down`` when significant and ``flat`` otherwise (``<NA>``
        when insufficient); ``assessment`` is one of :data:`ASSESSMENTS`.

    Examples
    --------
    Unemployment falls by 0.5 point a year in one gemeente and wobbles in another:

    >>> from welfare.catalog import load_catalog
    >>> obs = pd.DataFrame({
    ...     "indicator_id": "wrk_unemployment", "level": "GM", "boundary_year": 2025,
    ...     "flags": "harmonised", "lower": np.nan, "upper": np.nan,
    ...     "region_code": ["GM0193"] * 4 + ["GM0166"] * 4, "year": [2020, 2021, 2022, 2023] * 2,
    ...     "value": [5.0, 4.5, 4.0, 3.5, 4.0, 4.4, 3.8, 4.1]})
    >>> t = indicator_trends(obs, load_catalog())
    >>> t[["region_code", "slope_per_year", "method", "direction_of_change", "assessment"]]
      region_code  slope_per_year method direction_of_change             assessment
    0      GM0166           -0.03    ols                flat  no significant change
    1      GM0193           -0.50    ols                down                 better
    """
    if level not in LEVELS:
        raise ValueError(f"'level' must be one of {list(LEVELS)}, got {level!r}")
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 2:
        raise ValueError(f"'window' must be a whole number of years ≥ 2, got {window!r}")
    rows = _series(observations, level)
    if indicators is not None:
        unknown = [i for i in indicators if i not in catalog.indicators]
        if unknown:
            raise ValueError(f"unknown indicator(s): {', '.join(unknown)}")
        rows = rows[rows["indicator_id"].isin(list(indicators))]
    else:
        rows = rows[rows["indicator_id"].isin(list(catalog.indicators))]
    rows = rows[rows["value"].notna()]  # missing values are skipped, never zeros
    if region_codes is not None:
        wanted = list(dict.fromkeys(region_codes))
        known = set(rows["region_code"])
        unknown = [c for c in wanted if c not in known]
        if unknown:
            where = "the newest indeling (harmonised rows)" if level == "GM" else f"level {level}"
            raise ValueError(f"no values for region(s) {', '.join(unknown)} at {where}")
    end = rows.groupby("indicator_id")["year"].transform("max")  # before the region filter: one window per indicator
    rows = rows[rows["year"] > end - window]
    if region_codes is not None:
        rows = rows[rows["region_code"].isin(wanted)]
    if rows.empty:
        return _empty_trends()
    return _trends(rows.sort_values(["region_code", "indicator_id", "year"], kind="stable"), catalog)


def _empty_trends() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in TREND_COLUMNS})
    out["significant"] = out["significant"].astype("boolean")
    return out


def _trends(rows: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Grouped OLS and bounds tests on rows sorted by region, indicator, year (no Python loop over groups)."""
    region = rows["region_code"].to_numpy()
    indicator = rows["indicator_id"].to_numpy()
    x = rows["year"].to_numpy(dtype=float)
    y = rows["value"].to_numpy(dtype=float)
    lo = rows["lower"].to_numpy(dtype=float)
    hi = rows["upper"].to_numpy(dtype=float)
    new = np.ones(len(rows), dtype=bool)
    new[1:] = (region[1:] != region[:-1]) | (indicator[1:] != indicator[:-1])
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], len(rows)) - 1
    n = (ends - starts + 1).astype(float)

    def gsum(v: np.ndarray) -> np.ndarray:
        return np.add.reduceat(v, starts)

    # centred sums: numerically stable for years around 2000
    dx = x - np.repeat(gsum(x) / n, n.astype(int))
    dy = y - np.repeat(gsum(y) / n, n.astype(int))
    sxx, sxy, syy = gsum(dx * dx), gsum(dx * dy), gsum(dy * dy)
    scale = gsum(y * y)
    with np.errstate(invalid="ignore", divide="ignore"):
        ols_slope = sxy / sxx
        ssr = np.maximum(syy - ols_slope * sxy, 0.0)
        ssr = np.where(syy <= 1e-24 * np.maximum(scale, 1e-300), 0.0, ssr)  # a constant series has no noise
        se = np.sqrt(ssr / (n - 2) / sxx)
        half = t975(n - 2) * se

    first_year, last_year = x[starts], x[ends]
    first_value, last_value = y[starts], y[ends]
    change = last_value - first_value
    span = last_year - first_year
    # a value's standard error from its CBS 95 % bounds; NaN where none are published
    se_point = (hi - lo) / (2 * Z975)
    se_diff = np.sqrt(se_point[starts] ** 2 + se_point[ends] ** 2)

    is_ols = n >= 3
    is_diff = (n == 2) & np.isfinite(se_diff)
    method = np.select([is_ols, is_diff], ["ols", "bounds_diff"], "insufficient")
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(is_ols, ols_slope, np.where(span > 0, change / span, np.nan))
        half = np.where(is_ols, half, np.where(is_diff, Z975 * se_diff / span, np.nan))
    slope_low, slope_high = slope - half, slope + half
    decided = is_ols | is_diff
    significant_np = decided & ((slope_low > 0) | (slope_high < 0))
    significant = pd.array(significant_np, dtype="boolean")
    significant[~decided] = pd.NA

    up = significant_np & (slope > 0)
    down = significant_np & (slope < 0)
    arrow = np.select([~decided, up, down], [None, "up", "down"], "flat").astype(object)

    ids = indicator[starts]
    directions = np.array([catalog.indicators[i].direction for i in ids], dtype=float)
    good = (up & (directions > 0)) | (down & (directions < 0))
    bad = (up & (directions < 0)) | (down & (directions > 0))
    assessment = np.select(
        [directions == 0, ~decided, good, bad],
        ["not assessed", "insufficient data", "better", "worse"],
        "no significant change",
    )
    return pd.DataFrame(
        {
            "region_code": region[starts],
            "indicator_id": ids,
            "first_year": first_year.astype(int),
            "last_year": last_year.astype(int),
            "n_years": n.astype(int),
            "first_value": first_value,
            "last_value": last_value,
            "change": change,
            "slope_per_year": slope,
            "slope_low": slope_low,
            "slope_high": slope_high,
            "method": method,
            "significant": significant,
            "direction_of_change": arrow,
            "assessment": assessment,
        }
    )


# --------------------------------------------------------------------------- decomposition


def effective_weights(present: np.ndarray, membership: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(R, I): each indicator's weight in the arithmetic composite, given which values are present.

    ``a_i = w_theme / (n_theme · Σ w of the themes present)``; 0 where absent.
    ``Σ_i a_i · p_i`` is the arithmetic composite of :func:`welfare.scoring.composite`.

    >>> effective_weights(np.array([[True, True, True], [True, False, True]]),
    ...                   np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), np.array([0.5, 0.5])).tolist()
    [[0.25, 0.25, 0.5], [0.5, 0.0, 0.5]]
    """
    have = present.astype(float)
    count = have @ membership  # (R, Θ) indicators present per theme
    theme_present = count > 0
    wsum = np.where(theme_present, weights, 0.0).sum(axis=1, keepdims=True)  # (R, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_theme = np.where(theme_present, weights / np.where(count > 0, count, 1.0), 0.0) / np.where(wsum > 0, wsum, 1.0)
    return have * (per_theme @ membership.T)


def decompose_change(
    observations: pd.DataFrame,
    regions: pd.DataFrame,
    catalog: Catalog,
    config: ScoringConfig,
    year_from: int,
    year_to: int,
    *,
    region_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Split each region's composite change between two years into indicator contributions.

    Each year is scored with ``welfare.scoring.prepare`` on
    ``dataclasses.replace(config, year=...)`` of the resolved config, so both
    composites are the ones the ranking shows for that year. The rule is in the
    module docstring: contributions on the indicators present in both years
    with the common-set weights, plus one ``set change`` row for indicators
    present in one year only. Contributions of ``indicator`` and ``set change``
    rows add up to the ``total`` row, ``composite_to − composite_from``.

    Parameters
    ----------
    observations, regions : pandas.DataFrame
        The warehouse frames.
    catalog : Catalog
    config : ScoringConfig
        ``aggregation`` must be ``arithmetic`` (contributions in score units)
        or ``count`` (changes in worst-quarter membership); its ``year`` is
        ignored.
    year_from, year_to : int
    region_codes : sequence of str, optional
        Only these regions in the result; normalisation still uses all regions.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DECOMPOSITION_COLUMNS`. ``kind`` is ``indicator``,
        ``set change`` or ``total`` (one ``total`` per region, ``indicator_id``
        missing on the last two). ``weight`` is the effective weight on the
        common set (1 for ``count``). A region without a composite in either
        year (below ``min_coverage``) has NaN contributions and a ``note``.
        ``frame.attrs`` holds the years, the config hash and the
        relative-position note.

    Examples
    --------
    Three gemeenten, two indicators in one theme, min-max normalised:

    >>> from welfare.catalog import load_catalog
    >>> codes = ["GM0193", "GM0166", "GM1896"]
    >>> regions = pd.DataFrame({"code": codes, "name": ["Zwolle", "Kampen", "Zwartewaterland"],
    ...                         "level": "GM", "year": 2024})
    >>> obs = pd.DataFrame({
    ...     "indicator_id": ["wrk_unemployment"] * 6 + ["wrk_net_labour_participation"] * 6,
    ...     "region_code": codes * 4, "year": ([2022] * 3 + [2023] * 3) * 2,
    ...     "value": [4.0, 3.0, 2.0, 3.0, 3.5, 2.0, 70.0, 72.0, 74.0, 71.0, 72.0, 74.0],
    ...     "lower": np.nan, "upper": np.nan, "level": "GM", "boundary_year": 2024, "flags": "harmonised"})
    >>> config = ScoringConfig(indicators=("wrk_unemployment", "wrk_net_labour_participation"),
    ...                        normalisation="minmax")
    >>> d = decompose_change(obs, regions, load_catalog(), config, 2022, 2023, region_codes=["GM0166"])
    >>> print(d[["kind", "indicator_id", "pressure_from", "pressure_to", "contribution"]].round(3).to_string())
            kind                  indicator_id  pressure_from  pressure_to  contribution
    0  indicator              wrk_unemployment            0.5        1.000         0.250
    1  indicator  wrk_net_labour_participation            0.5        0.667         0.083
    2      total                          <NA>            NaN          NaN         0.333

    Kampen's unemployment rose while the others' did not (+0.25), and its
    participation fell behind (+0.083): pressure up by 1/3.
    """
    for name, year in (("year_from", year_from), ("year_to", year_to)):
        if isinstance(year, bool) or not isinstance(year, int | np.integer):
            raise ValueError(f"'{name}' must be a year, got {year!r}")
    cfg = config.resolved(catalog)
    if cfg.aggregation not in ("arithmetic", "count"):
        raise ValueError(
            f"'aggregation' must be 'arithmetic' or 'count' to split a change into indicator contributions, "
            f"got {cfg.aggregation!r} (a geometric mean is not additive)"
        )
    assert cfg.theme_weights is not None
    inp_f = prepare(observations, regions, catalog, replace(cfg, year=int(year_from)))
    inp_t = prepare(observations, regions, catalog, replace(cfg, year=int(year_to)))
    codes = inp_f.region_codes
    if not np.array_equal(codes, inp_t.region_codes):  # prepare takes the regions of one indeling; be safe
        codes = np.array(sorted(set(codes) | set(inp_t.region_codes)))

    def aligned(inp: ScoringInput, matrix: np.ndarray) -> np.ndarray:
        return pd.DataFrame(matrix, index=inp.region_codes).reindex(codes).to_numpy(dtype=float)

    val_f, val_t = aligned(inp_f, inp_f.values), aligned(inp_t, inp_t.values)
    theme_order = tuple(t for t, _ in cfg.theme_weights)
    weights = np.array([w for _, w in cfg.theme_weights])
    membership = theme_matrix(inp_f.themes, theme_order)
    with warnings.catch_warnings():
        # an indicator without values in one of the years is an all-NaN column: NaN pressure is the answer
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        warnings.filterwarnings("ignore", "Degrees of freedom <= 0", RuntimeWarning)
        p_f = pressure(val_f, inp_f.directions, cfg.normalisation)
        p_t = pressure(val_t, inp_t.directions, cfg.normalisation)
        comp_f, cov_f = composite(p_f, membership, weights, cfg.aggregation, cfg.min_coverage)
        comp_t, cov_t = composite(p_t, membership, weights, cfg.aggregation, cfg.min_coverage)
    have_f, have_t = ~np.isnan(p_f), ~np.isnan(p_t)
    common = have_f & have_t

    if cfg.aggregation == "arithmetic":
        weight = effective_weights(common, membership, weights)
        with np.errstate(invalid="ignore"):
            contrib = np.where(common, weight * (p_t - p_f), np.nan)
        like_f = np.where(common, weight * p_f, 0.0).sum(axis=1)
        like_t = np.where(common, weight * p_t, 0.0).sum(axis=1)
        set_change = (comp_t - like_t) - (comp_f - like_f)
    else:  # count: a contribution is the change in worst-quarter membership
        w_f, w_t = worst_quarter(p_f).astype(float), worst_quarter(p_t).astype(float)
        weight = common.astype(float)
        contrib = np.where(common, w_t - w_f, np.nan)
        set_change = np.where(have_t & ~have_f, w_t, 0.0).sum(axis=1) - np.where(have_f & ~have_t, w_f, 0.0).sum(axis=1)

    total = comp_t - comp_f
    same_set = (have_f == have_t).all(axis=1)
    scored = ~np.isnan(total)
    contrib = np.where(scored[:, None], contrib, np.nan)
    set_change = np.where(scored, set_change, np.nan)

    notes = np.full(len(codes), "", dtype=object)
    for y, comp, cov in ((year_from, comp_f, cov_f), (year_to, comp_t, cov_t)):
        missing = np.isnan(comp)
        notes[missing] = [
            _join(n, f"no composite in {y}: values for {c:.0%} of the indicator weight, {cfg.min_coverage:.0%} needed")
            for n, c in zip(notes[missing], cov[missing])
        ]

    # ---- long frame: indicator rows, then set change and total per region
    ids = np.array(cfg.indicators, dtype=object)
    themes = np.array(inp_f.themes, dtype=object)
    r_idx, i_idx = np.nonzero(have_f | have_t)
    only = np.where(have_f & ~have_t, f"only in {year_from}: in the set change", "")
    only = np.where(have_t & ~have_f, f"only in {year_to}: in the set change", only)
    ind_rows = pd.DataFrame(
        {
            "region_code": codes[r_idx],
            "kind": "indicator",
            "indicator_id": ids[i_idx],
            "theme": themes[i_idx],
            "value_from": val_f[r_idx, i_idx],
            "value_to": val_t[r_idx, i_idx],
            "pressure_from": p_f[r_idx, i_idx],
            "pressure_to": p_t[r_idx, i_idx],
            "weight": np.where(common[r_idx, i_idx], weight[r_idx, i_idx], np.nan),
            "contribution": contrib[r_idx, i_idx],
            "_r": r_idx,
            "_order": i_idx,
            "note": only[r_idx, i_idx],
        }
    )
    r_all = np.arange(len(codes))
    show_set = ~same_set
    summary = pd.DataFrame(
        {
            "region_code": np.concatenate([codes[show_set], codes]),
            "kind": ["set change"] * int(show_set.sum()) + ["total"] * len(codes),
            "contribution": np.concatenate([set_change[show_set], total]),
            "_r": np.concatenate([r_all[show_set], r_all]),
            "_order": np.concatenate([np.full(int(show_set.sum()), len(ids)), np.full(len(codes), len(ids) + 1)]),
            "note": np.concatenate([np.full(int(show_set.sum()), ""), notes]),
        }
    )
    out = pd.concat([ind_rows, summary], ignore_index=True)
    out["composite_from"] = comp_f[out["_r"].to_numpy()]
    out["composite_to"] = comp_t[out["_r"].to_numpy()]
    out["note"] = [_join(n, notes[r]) if k == "indicator" else n for n, r, k in zip(out["note"], out["_r"], out["kind"])]
    if region_codes is not None:
        wanted = list(dict.fromkeys(region_codes))
        unknown = [c for c in wanted if c not in set(codes)]
        if unknown:
            raise ValueError(f"unknown region code(s) at level {cfg.level}: {', '.join(unknown)}")
        out = out[out["region_code"].isin(wanted)]
    out = out.sort_values(["_r", "_order"], kind="stable").reset_index(drop=True)
    out["indicator_id"] = out["indicator_id"].astype("string")
    out["theme"] = out["theme"].astype("string")
    out = out[DECOMPOSITION_COLUMNS]
    out.attrs.update(
        {
            "year_from": int(year_from),
            "year_to": int(year_to),
            "config_hash": cfg.hash(catalog),
            "aggregation": cfg.aggregation,
            "note": RELATIVE_NOTE,
        }
    )
    return out


def _join(a: str, b: str) -> str:
    return "; ".join(s for s in (a, b) if s)
