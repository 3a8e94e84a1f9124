"""Rank regions by pressure on brede welvaart: a transparent, tunable composite.

There is no official formula (CBS publishes no index and no threshold), so the
recipe is explicit: a frozen :class:`ScoringConfig` goes into pure functions and
the result keeps the config and its short hash, so every figure can say how it
was made.

The steps, on a matrix of regions × indicators:

1. **Pressure per indicator**: normalise each indicator over the regions
   (``zscore``, ``percentile`` or ``minmax``) and orient it so that higher
   means more pressure (direction +1 "higher is better" is flipped).
2. **Theme score**: the mean pressure of the theme's indicators that the
   region has a value for (missing values are never zeros: the theme
   re-weights over the indicators present).
3. **Composite**: the weighted mean of the theme scores present
   (``arithmetic``), a weighted geometric mean of theme scores rescaled to
   (0, 1] (``geometric``, partly compensatory), or the CBS-style count of
   indicators in the worst quarter (``count``). A region whose indicators
   with a value carry less than ``min_coverage`` of the total weight gets no
   composite, with the reason.
4. **Counts** as CBS reports them: indicators in the worst and in the best
   quarter of all regions of the level, and themes whose score is in the worst
   quarter ("meervoudige opgave").
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import asdict, dataclass, field, replace
from collections.abc import Sequence
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from welfare.catalog import Catalog

Normalisation = Literal["zscore", "percentile", "minmax"]
NORMALISATIONS: tuple[str, ...] = get_args(Normalisation)
ScoreAggregation = Literal["arithmetic", "geometric", "count"]
SCORE_AGGREGATIONS: tuple[str, ...] = get_args(ScoreAggregation)
ScoreLevel = Literal["GM", "CR", "PV"]
SCORE_LEVELS: tuple[str, ...] = get_args(ScoreLevel)

PRESETS: dict[str, dict[str, Any]] = {
    # name → ScoringConfig fields; user weights (0–5 per theme, as the OECD Better Life Index) are the third kind
    "gelijk per thema": {"theme_weights": None, "aggregation": "arithmetic"},
    "CBS-telling": {"theme_weights": None, "aggregation": "count"},
}
QUARTER = 0.25


MAX_WEIGHT = 1e6  # weights are relative (0–5 in the UI); a cap keeps their sum finite


@dataclass(frozen=True)
class ScoringConfig:
    """The recipe of a pressure ranking.

    Parameters
    ----------
    year : int or None
        The report year; None takes per indicator the latest year with values.
    up_to_year : int or None
        With ``year`` None: per indicator the latest year with values up to
        this year ("as known then", e.g. a deal's baseline). Not with ``year``.
    level : {"GM", "CR", "PV"}
        Gemeenten (on the newest indeling), COROP areas or provinces.
    indicators : tuple of str or None
        None: every "hier en nu" indicator with a direction, available at the level.
    normalisation : {"zscore", "percentile", "minmax"}
    theme_weights : tuple of (theme, weight) or None
        None: equal per theme. Weights need not sum to 1 (0–5 scores are fine).
    aggregation : {"arithmetic", "geometric", "count"}
    min_coverage : float
        The share of the indicator weight a region needs values for.
    """

    year: int | None = None
    level: ScoreLevel = "GM"
    indicators: tuple[str, ...] | None = None
    normalisation: Normalisation = "zscore"
    theme_weights: tuple[tuple[str, float], ...] | None = None
    aggregation: ScoreAggregation = "arithmetic"
    min_coverage: float = 0.65
    up_to_year: int | None = None

    def __post_init__(self) -> None:
        for name in ("year", "up_to_year"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | np.integer)):
                raise ValueError(f"'{name}' must be a whole year such as 2023 or None, got {value!r}")
        if self.indicators is not None and not (
            isinstance(self.indicators, tuple) and all(isinstance(i, str) for i in self.indicators)
        ):
            raise ValueError(f"'indicators' must be a tuple of indicator ids, got {self.indicators!r}")
        if self.year is not None and self.up_to_year is not None:
            raise ValueError("give 'year' (one report year) or 'up_to_year' (the latest per indicator up to it), not both")
        if self.level not in SCORE_LEVELS:
            raise ValueError(f"'level' must be one of {list(SCORE_LEVELS)}, got {self.level!r}")
        if self.normalisation not in NORMALISATIONS:
            raise ValueError(f"'normalisation' must be one of {list(NORMALISATIONS)}, got {self.normalisation!r}")
        if self.aggregation not in SCORE_AGGREGATIONS:
            raise ValueError(f"'aggregation' must be one of {list(SCORE_AGGREGATIONS)}, got {self.aggregation!r}")
        if not isinstance(self.min_coverage, int | float) or isinstance(self.min_coverage, bool) or not 0.0 < self.min_coverage <= 1.0:
            raise ValueError(f"'min_coverage' must be in (0, 1], got {self.min_coverage!r}")
        if self.theme_weights is not None:
            for pair in self.theme_weights:
                if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
                    raise ValueError(f"'theme_weights' must be (theme, weight) pairs with a theme name, got {pair!r}")
                theme, weight = pair
                if not (isinstance(weight, int | float) and not isinstance(weight, bool) and np.isfinite(weight) and 0 <= weight <= MAX_WEIGHT):
                    raise ValueError(f"theme weight of {theme!r} must be a number from 0 to {MAX_WEIGHT:g}, got {weight!r}")
            if sum(w for _, w in self.theme_weights) <= 0:
                raise ValueError("theme weights are all zero")

    def resolved(self, catalog: Catalog) -> ScoringConfig:
        """The same config with the defaults filled in (indicator set, equal weights)."""
        indicators = self.indicators or default_indicators(catalog, self.level)
        unknown = [i for i in indicators if i not in catalog.indicators]
        if unknown:
            raise ValueError(f"unknown indicator(s): {', '.join(unknown)}")
        themes = list(dict.fromkeys(catalog.indicators[i].theme for i in indicators))
        given = dict(self.theme_weights or ())
        bad = sorted(set(given) - set(catalog.themes))
        if bad:
            raise ValueError(f"unknown theme(s) in weights: {', '.join(bad)} (themes: {', '.join(themes)})")
        absent = [t for t in given if t not in themes and given[t] > 0]
        if absent:
            raise ValueError(
                f"theme(s) {', '.join(absent)} have no indicators at level {self.level} "
                f"(themes here: {', '.join(themes)})"
            )
        weights = tuple((t, float(given.get(t, 1.0 if not given else 0.0))) for t in themes)
        total = sum(w for _, w in weights)
        if total <= 0:
            raise ValueError("the weights give every theme of the chosen indicators zero weight")
        weights = tuple((t, w / total) for t, w in weights)
        return replace(self, indicators=tuple(indicators), theme_weights=weights)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (round-trips through :meth:`from_dict`)."""
        out = asdict(self)
        out["indicators"] = list(self.indicators) if self.indicators else None
        out["theme_weights"] = {t: w for t, w in self.theme_weights} if self.theme_weights else None
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScoringConfig:
        """Inverse of :meth:`to_dict`. Untrusted input (a link, a file) gets a ValueError naming the field.

        >>> ScoringConfig.from_dict({"theme_weights": [1, 2]})
        Traceback (most recent call last):
        ...
        ValueError: 'theme_weights' must be an object of theme → weight, got [1, 2]
        """
        if not isinstance(data, dict):
            raise ValueError(f"a scoring config must be an object (of year, level, indicators, theme_weights, ...), got {type(data).__name__}")
        weights = data.get("theme_weights")
        if weights is not None and not isinstance(weights, dict):
            raise ValueError(f"'theme_weights' must be an object of theme → weight, got {weights!r}")
        indicators = data.get("indicators")
        if indicators is not None and not isinstance(indicators, list | tuple):
            raise ValueError(f"'indicators' must be a list of indicator ids, got {indicators!r}")
        coverage = data.get("min_coverage", 0.65)
        if isinstance(coverage, bool) or not isinstance(coverage, int | float):
            raise ValueError(f"'min_coverage' must be a number in (0, 1], got {coverage!r}")
        if weights and not all(isinstance(k, str) for k in weights):
            raise ValueError(f"'theme_weights' keys must be theme names, got {list(weights)!r}")
        return cls(
            year=data.get("year"),
            level=data.get("level", "GM"),
            indicators=tuple(indicators) if indicators else None,
            normalisation=data.get("normalisation", "zscore"),
            theme_weights=tuple(sorted(weights.items())) if weights else None,
            aggregation=data.get("aggregation", "arithmetic"),
            min_coverage=float(coverage),
            up_to_year=data.get("up_to_year"),
        )

    def hash(self, catalog: Catalog) -> str:
        """A short stable hash of the resolved recipe (and the catalogue it used).

        Equal recipes give equal hashes, whatever the order of the weights.
        """
        resolved = self.resolved(catalog).to_dict()
        resolved["theme_weights"] = {t: round(w, 10) for t, w in sorted(resolved["theme_weights"].items())}
        resolved["indicators"] = sorted(resolved["indicators"])
        resolved["catalog"] = catalog.hash
        if resolved.get("up_to_year") is None:  # added later: recipes without it keep their hash
            resolved.pop("up_to_year", None)
        text = json.dumps(resolved, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:8]


def default_indicators(catalog: Catalog, level: str) -> tuple[str, ...]:
    """Every "hier en nu" indicator with a direction that exists at ``level``.

    For gemeenten only indicators CBS publishes for (nearly) all gemeenten;
    the ones for the ~50 largest would leave most gemeenten without them.
    """
    out = []
    for ind in catalog.indicators.values():
        if catalog.themes[ind.theme].get("dimension") != "hier_en_nu" or ind.direction == 0:
            continue
        if level == "GM" and ind.gemeente_coverage != "all":
            continue
        if level != "GM" and level not in ind.levels and ind.aggregation in ("published_only", "none"):
            continue
        if level not in ind.levels and "GM" not in ind.levels:
            continue
        out.append(ind.id)
    return tuple(out)


@dataclass(frozen=True)
class ScoringInput:
    """The matrix a ranking is computed from: regions × indicators."""

    region_codes: np.ndarray  # (R,)
    indicator_ids: tuple[str, ...]  # (I,)
    themes: tuple[str, ...]  # (I,) theme of each indicator
    directions: np.ndarray  # (I,) +1 higher is better, -1 higher is worse
    values: np.ndarray  # (R, I), NaN = missing
    lower: np.ndarray  # (R, I), NaN where CBS publishes no bounds
    upper: np.ndarray  # (R, I)
    years: np.ndarray  # (I,) the report year used per indicator
    approximated: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))  # (R, I)

    def __post_init__(self) -> None:
        shape = (len(self.region_codes), len(self.indicator_ids))
        for name in ("values", "lower", "upper"):
            if getattr(self, name).shape != shape:
                raise ValueError(f"'{name}' must have shape {shape}, got {getattr(self, name).shape}")
        if self.approximated.shape != shape:
            object.__setattr__(self, "approximated", np.zeros(shape, dtype=bool))


# --------------------------------------------------------------------------- normalisation


def _zscore(x: np.ndarray) -> np.ndarray:
    # nan-aware mean and population sd without numpy's "empty slice" warnings for empty columns
    have = ~np.isnan(x)
    n = have.sum(axis=0)
    safe_n = np.where(n > 0, n, 1)
    mean = np.where(have, x, 0.0).sum(axis=0) / safe_n
    std = np.sqrt(np.where(have, (x - mean) ** 2, 0.0).sum(axis=0) / safe_n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(std > 0, (x - mean) / np.where(std > 0, std, 1.0), 0.0) * np.where(have, 1.0, np.nan)


def _percentile(x: np.ndarray) -> np.ndarray:
    """Mid-rank of each value among the regions with a value, in [0, 1]."""
    out = np.full(x.shape, np.nan)
    for j in range(x.shape[1]):
        col = x[:, j]
        ok = ~np.isnan(col)
        n = int(ok.sum())
        if n == 0:
            continue
        ranks = pd.Series(col[ok]).rank(method="average").to_numpy()
        out[ok, j] = (ranks - 1) / (n - 1) if n > 1 else 0.5
    return out


def _minmax(x: np.ndarray) -> np.ndarray:
    lo, hi = np.nanmin(np.where(np.isnan(x), np.inf, x), axis=0), np.nanmax(np.where(np.isnan(x), -np.inf, x), axis=0)
    span = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(span > 0, (x - lo) / np.where(span > 0, span, 1.0), 0.5) * np.where(np.isnan(x), np.nan, 1.0)


NORMALISERS = {"zscore": _zscore, "percentile": _percentile, "minmax": _minmax}
TIE_TOLERANCE = 1e-9  # scores closer than this are the same score when an area is placed among gemeenten


def pressure(values: np.ndarray, directions: np.ndarray, normalisation: str) -> np.ndarray:
    """Normalised pressure per region × indicator: higher = more pressure; NaN stays NaN.

    >>> pressure(np.array([[1.0], [2.0], [3.0]]), np.array([1]), "minmax").ravel().tolist()
    [1.0, 0.5, 0.0]
    """
    norm = NORMALISERS[normalisation](np.asarray(values, dtype=float))
    d = np.asarray(directions, dtype=float)
    if normalisation == "zscore":
        return -d * norm
    return np.where(d > 0, 1.0 - norm, norm)  # [0, 1] scales: flip "higher is better"


# --------------------------------------------------------------------------- composite


def theme_matrix(themes: tuple[str, ...], theme_order: tuple[str, ...]) -> np.ndarray:
    """(I, Θ) membership of each indicator in each theme."""
    return np.array([[1.0 if t == theme else 0.0 for theme in theme_order] for t in themes])


def theme_scores(press: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """(R, Θ): mean pressure over each theme's indicators that have a value."""
    have = ~np.isnan(press)
    total = np.where(have, press, 0.0) @ membership
    count = have.astype(float) @ membership
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def coverage_of(press: np.ndarray, membership: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(R,): share of the indicator weight (theme weight / theme size) a region has values for."""
    per_indicator = membership @ (weights / membership.sum(axis=0))  # (I,)
    return (~np.isnan(press)).astype(float) @ per_indicator / per_indicator.sum()


def worst_quarter(press: np.ndarray) -> np.ndarray:
    """(R, I) bool: in the worst quarter (highest pressure) of the regions with a value."""
    return _quarter(press, worst=True)


def best_quarter(press: np.ndarray) -> np.ndarray:
    return _quarter(press, worst=False)


def quarters(press: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(worst, best): :func:`worst_quarter` and :func:`best_quarter` from one sort per column."""
    have = ~np.isnan(press)
    n = have.sum(axis=0)
    if not len(press):
        return have.copy(), have.copy()
    high, low = _thresholds(press)
    return have & (press >= high) & (n > 0), have & (press <= low) & (n > 0)


def _quarter(press: np.ndarray, worst: bool) -> np.ndarray:
    """In the worst (or best) quarter: rank ≤ max(1, ⌊n/4⌋) among the n regions with a value.

    Ranks as CBS does with ties sharing the better rank, so a value is in when it
    is at least as extreme as the k-th most extreme value of its column.
    """
    have = ~np.isnan(press)
    n = have.sum(axis=0)
    k = np.maximum(1, np.floor(QUARTER * n).astype(int))
    signed = press if worst else -press
    ordered = -np.sort(-np.where(have, signed, -np.inf), axis=0)  # descending, missing last
    threshold = ordered[np.minimum(k, max(len(press), 1)) - 1, np.arange(press.shape[1])] if len(press) else k * 0.0
    return have & (signed >= threshold) & (n > 0)


def composite(
    press: np.ndarray,
    membership: np.ndarray,
    weights: np.ndarray,
    aggregation: str,
    min_coverage: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, coverage): the composite per region, NaN below ``min_coverage``."""
    themes = theme_scores(press, membership)
    coverage = coverage_of(press, membership, weights)
    have = ~np.isnan(themes)
    w = np.where(have, weights, 0.0)
    wsum = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if aggregation == "arithmetic":
            score = np.where(have, themes, 0.0) @ weights / wsum
        elif aggregation == "geometric":
            with warnings.catch_warnings():
                # a theme no region has a value for (a year before its first figures) stays NaN, unused
                warnings.simplefilter("ignore", RuntimeWarning)
                lo, hi = np.nanmin(themes, axis=0), np.nanmax(themes, axis=0)
            span = np.where(hi > lo, hi - lo, 1.0)
            positive = 0.01 + 0.99 * (themes - lo) / span  # (0.01, 1]: the geometric mean needs > 0
            score = np.exp(np.where(have, np.log(positive), 0.0) @ weights / wsum)
        else:  # count: the CBS way, number of indicators in the worst quarter
            score = worst_quarter(press).sum(axis=1).astype(float)
    score = np.where(coverage >= min_coverage - 1e-12, score, np.nan)
    return score, coverage


def rank_desc(scores: np.ndarray, tiebreak: np.ndarray | None = None, codes: np.ndarray | None = None) -> np.ndarray:
    """Rank 1 = most pressure, a strict order (a permutation of 1..n); NaN stays unranked.

    Equal scores are ordered by ``tiebreak`` (higher = more pressure first),
    then by region code, so the order never depends on the input's row order.
    The CBS count ties often; :func:`score_input` breaks those by the
    arithmetic composite. :func:`rank_shared` gives the shared rank.

    >>> rank_desc(np.array([0.5, 2.0, np.nan, 0.5]), codes=np.array(["b", "c", "d", "a"])).tolist()
    [3.0, 1.0, nan, 2.0]
    >>> rank_desc(np.array([0.5, 2.0, np.nan, 0.5]), tiebreak=np.array([9.0, 0, 0, 1.0])).tolist()
    [2.0, 1.0, nan, 3.0]
    """
    s = np.asarray(scores, dtype=float)
    n = len(s)
    order = np.argsort(codes, kind="stable") if codes is not None else np.arange(n)
    if tiebreak is not None:
        key = np.nan_to_num(-np.asarray(tiebreak, dtype=float)[order], nan=np.inf)
        order = order[np.argsort(key, kind="stable")]
    order = order[np.argsort(np.where(np.isnan(s[order]), np.inf, -s[order]), kind="stable")]
    out = np.empty(n)
    out[order] = np.arange(1.0, n + 1.0)
    out[np.isnan(s)] = np.nan
    return out


def rank_shared(scores: np.ndarray) -> np.ndarray:
    """Competition rank: 1 + the number of regions scoring strictly higher; NaN unranked.

    >>> rank_shared(np.array([0.5, 2.0, np.nan, 0.5])).tolist()
    [2.0, 1.0, nan, 2.0]
    """
    s = np.asarray(scores, dtype=float)
    ordered = np.sort(s[~np.isnan(s)])
    out = 1.0 + len(ordered) - np.searchsorted(ordered, s, side="right")
    return np.where(np.isnan(s), np.nan, out)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ScoreResult:
    """A ranking and everything behind it."""

    config: ScoringConfig  # resolved
    hash: str
    regions: pd.DataFrame  # one row per region (see REGION_COLUMNS)
    indicator_pressure: pd.DataFrame  # regions × indicators
    theme_scores: pd.DataFrame  # regions × themes
    input: ScoringInput


REGION_COLUMNS = [
    "region_code",
    "region_name",
    "pressure_score",
    "rank",
    "rank_shared",
    "worst_quarter_count",
    "best_quarter_count",
    "themes_under_pressure",
    "themes_under_pressure_list",
    "n_indicators",
    "coverage",
    "flags",
    "reason",
]


def _region_arrays(inp: ScoringInput, config: ScoringConfig) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The per-region result columns as arrays (no names), the pressure and the theme scores."""
    assert config.theme_weights is not None and config.indicators is not None, "resolve the config first"
    theme_order = tuple(t for t, _ in config.theme_weights)
    weights = np.array([w for _, w in config.theme_weights])
    membership = theme_matrix(inp.themes, theme_order)
    press = pressure(inp.values, inp.directions, config.normalisation)
    scores, coverage = composite(press, membership, weights, config.aggregation, config.min_coverage)
    tiebreak = composite(press, membership, weights, "arithmetic", 0.0)[0] if config.aggregation == "count" else None
    themes = theme_scores(press, membership)
    theme_worst = _quarter(themes, worst=True)
    worst, best = quarters(press)
    # flags and theme lists from small lookup tables: a string per row would dominate the cost
    short = np.where(coverage < 1.0, np.where(coverage < config.min_coverage, 2, 1), 0)
    flag_code = inp.approximated.any(axis=1) * 3 + short
    flag_text = np.array(["", "incomplete", "low_coverage", "approximated", "approximated|incomplete", "approximated|low_coverage"])
    bits = theme_worst.astype(np.int64) @ (1 << np.arange(len(theme_order), dtype=np.int64))
    combos, where = np.unique(bits, return_inverse=True)
    combo_text = np.array(["|".join(t for k, t in enumerate(theme_order) if c >> k & 1) for c in combos], dtype=object)
    # reason per unscored region, one string per distinct whole percentage
    percent = np.where(np.isnan(scores), np.round(coverage * 100.0), -1.0)
    levels, at = np.unique(percent, return_inverse=True)
    texts = np.array(
        ["" if p < 0 else f"values for {p:.0f}% of the indicator weight, {config.min_coverage:.0%} needed" for p in levels],
        dtype=object,
    )
    reasons = texts[at.ravel()]
    columns = {
        "pressure_score": scores,
        "rank": rank_desc(scores, tiebreak, inp.region_codes),
        "rank_shared": rank_shared(scores),
        "worst_quarter_count": worst.sum(axis=1),
        "best_quarter_count": best.sum(axis=1),
        "themes_under_pressure": theme_worst.sum(axis=1),
        "themes_under_pressure_list": combo_text[where.ravel()],
        "n_indicators": (~np.isnan(press)).sum(axis=1),
        "coverage": coverage,
        "flags": flag_text[flag_code],
        "reason": reasons,
    }
    return columns, press, themes


def _region_frame(codes: np.ndarray, columns: dict[str, np.ndarray], names: dict[str, str] | None, lead: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    code_series = pd.Series(codes, dtype=object)
    frame = pd.DataFrame(
        {
            **(lead or {}),
            "region_code": codes,
            "region_name": code_series.map(names).fillna(code_series).to_numpy() if names else codes,
            **columns,
        }
    )
    return frame.astype({"rank": "Int64", "rank_shared": "Int64"})


def score_input(inp: ScoringInput, config: ScoringConfig, names: dict[str, str] | None = None) -> ScoreResult:
    """Score a prepared matrix with a resolved config (pure arrays; no warehouse)."""
    columns, press, themes = _region_arrays(inp, config)
    theme_order = [t for t, _ in config.theme_weights or ()]
    return ScoreResult(
        config=config,
        hash="",
        regions=_region_frame(inp.region_codes, columns, names),
        indicator_pressure=pd.DataFrame(press, index=inp.region_codes, columns=list(inp.indicator_ids)),
        theme_scores=pd.DataFrame(themes, index=inp.region_codes, columns=theme_order),
        input=inp,
    )


def score_years(
    inputs: Sequence[ScoringInput], configs: Sequence[ScoringConfig], names: dict[str, str] | None = None
) -> pd.DataFrame:
    """Score several prepared matrices (one per year) into one frame with a ``year`` column.

    Each year is ranked on its own, exactly as :func:`score_input` ranks it
    (the rows equal ``score_input(inp, config).regions``); one frame is built
    for all years, which is what makes a rank history cheap. ``year`` is the
    config's year, or the newest indicator year of the input when the config
    takes the latest per indicator.
    """
    if len(inputs) != len(configs):
        raise ValueError(f"{len(inputs)} inputs but {len(configs)} configs")
    parts = [_region_arrays(inp, config)[0] for inp, config in zip(inputs, configs)]
    if not parts:
        return pd.DataFrame(columns=["year", *REGION_COLUMNS])
    columns = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    years = [config.year if config.year is not None else int(np.max(inp.years)) for inp, config in zip(inputs, configs)]
    lead = {"year": np.repeat(np.array(years, dtype=np.int64), [len(inp.region_codes) for inp in inputs])}
    codes = np.concatenate([np.asarray(inp.region_codes, dtype=object) for inp in inputs])
    return _region_frame(codes, columns, names, lead)


def prepare(observations: pd.DataFrame, regions: pd.DataFrame, catalog: Catalog, config: ScoringConfig) -> ScoringInput:
    """Build the regions × indicators matrix from the warehouse for a resolved config.

    Gemeenten: the rows restated on the newest indeling (``harmonised``), so all
    indicators share one set of gemeenten. COROP and provinces: CBS's own values
    where published, else aggregated from gemeenten (``welfare.aggregate``).
    """
    assert config.indicators is not None, "resolve the config first"
    indicators = list(config.indicators)
    if config.level == "GM":
        harmonised = observations[observations["flags"].str.contains("harmonised", regex=False)]
        if harmonised.empty:
            raise ValueError("the warehouse has no harmonised gemeente rows: rebuild it with `python -m welfare build`")
        boundary = int(harmonised["boundary_year"].max())
        rows = harmonised[(harmonised["boundary_year"] == boundary) & harmonised["indicator_id"].isin(indicators)]
        codes = regions[(regions["level"] == "GM") & (regions["year"] == min(boundary, int(regions["year"].max())))]["code"]
        long = rows.rename(columns={"region_code": "code"})[["indicator_id", "code", "year", "value", "lower", "upper", "flags"]]
    else:
        from welfare.aggregate import aggregate_level

        agg = aggregate_level(observations, regions, config.level, catalog, indicators=indicators)
        long = agg.rename(columns={"area_code": "code"})[["indicator_id", "code", "year", "value", "lower", "upper", "flags"]]
        long = long.assign(flags=np.where(agg["method"] == "approximation", "approximation", long["flags"].fillna("")))
        codes = regions[(regions["level"] == config.level) & (regions["year"] == int(regions["year"].max()))]["code"]
    codes = np.array(sorted(set(codes)))
    with_value = long.dropna(subset=["value"])
    years = []
    for ind in indicators:
        have = with_value[with_value["indicator_id"] == ind]
        if config.up_to_year is not None:
            have = have[have["year"] <= config.up_to_year]
        if config.year is None:
            years.append(int(have["year"].max()) if len(have) else -1)
        else:
            years.append(config.year)
    pick = long.merge(pd.DataFrame({"indicator_id": indicators, "year": years}), on=["indicator_id", "year"])
    pick = pick.drop_duplicates(["indicator_id", "code"])

    def matrix(column: str) -> np.ndarray:
        wide = pick.pivot(index="code", columns="indicator_id", values=column)
        return wide.reindex(index=codes, columns=indicators).to_numpy(dtype=float)

    approx = pick.assign(a=pick["flags"].fillna("").str.contains("approximation", regex=False).astype(float))
    approximated = approx.pivot(index="code", columns="indicator_id", values="a").reindex(index=codes, columns=indicators).fillna(0).to_numpy() > 0
    return ScoringInput(
        region_codes=codes,
        indicator_ids=tuple(indicators),
        themes=tuple(catalog.indicators[i].theme for i in indicators),
        directions=np.array([catalog.indicators[i].direction for i in indicators], dtype=float),
        values=matrix("value"),
        lower=matrix("lower"),
        upper=matrix("upper"),
        years=np.array(years),
        approximated=approximated,
    )


def score(observations: pd.DataFrame, regions: pd.DataFrame, catalog: Catalog, config: ScoringConfig | None = None) -> ScoreResult:
    """Rank the regions of ``config.level`` by pressure on brede welvaart.

    The result carries the resolved config and its hash.
    """
    config = (config or ScoringConfig()).resolved(catalog)
    inp = prepare(observations, regions, catalog, config)
    latest = regions[regions["year"] == regions["year"].max()]
    names = dict(zip(latest["code"], latest["name"]))
    result = score_input(inp, config, names)
    return replace(result, hash=config.hash(catalog))


# --------------------------------------------------------------------------- areas among gemeenten

AREA_COLUMNS = [
    "area_code",
    "pressure_score",
    "percentile",
    "rank_among",
    "n_ranked",
    "worst_quarter_count",
    "best_quarter_count",
    "themes_under_pressure",
    "themes_under_pressure_list",
    "n_indicators",
    "coverage",
    "reason",
]


def pressure_against(values: np.ndarray, reference: np.ndarray, directions: np.ndarray, normalisation: str) -> np.ndarray:
    """Pressure of ``values`` (A, I) on the scale the ``reference`` regions (R, I) set.

    The area rows do not move the scale: a z-score uses the reference mean and
    sd, min-max the reference range (not clipped), a percentile the share of
    reference values below (ties count half) — so a deal area is measured with
    the same ruler as the gemeenten, whatever its size.

    >>> ref = np.array([[1.0], [2.0], [3.0]])
    >>> pressure_against(np.array([[2.0]]), ref, np.array([1.0]), "minmax").tolist()
    [[0.5]]
    """
    x = np.asarray(values, dtype=float)
    ref = np.asarray(reference, dtype=float)
    d = np.asarray(directions, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing reference columns
        if normalisation == "zscore":
            mean, std = np.nanmean(ref, axis=0), np.nanstd(ref, axis=0)
            norm = np.where(std > 0, (x - mean) / np.where(std > 0, std, 1.0), 0.0)
            return np.where(np.isnan(x), np.nan, -d * norm)
        if normalisation == "minmax":
            lo, hi = np.nanmin(ref, axis=0), np.nanmax(ref, axis=0)
            norm = np.where(hi > lo, (x - lo) / np.where(hi > lo, hi - lo, 1.0), 0.5)
        else:
            have = ~np.isnan(ref)
            n = have.sum(axis=0)
            below = (np.where(have[None], ref[None] < x[:, None], False)).sum(axis=1)
            equal = (np.where(have[None], ref[None] == x[:, None], False)).sum(axis=1)
            norm = np.where(n > 0, (below + 0.5 * equal) / np.maximum(n, 1), np.nan)
    norm = np.where(np.isnan(x), np.nan, norm)
    return np.where(d > 0, 1.0 - norm, norm)


def score_areas(
    observations: pd.DataFrame,
    regions: pd.DataFrame,
    catalog: Catalog,
    areas: dict[str, Sequence[str]],
    config: ScoringConfig | None = None,
) -> pd.DataFrame:
    """Pressure of sets of gemeenten (deal areas, a proposed area) measured among all gemeenten.

    Each area's indicator values are aggregated from its members
    (:func:`welfare.aggregate.aggregate_areas`, on the newest indeling, the
    year per indicator the config's), put on the gemeenten's scale
    (:func:`pressure_against`) and combined as :func:`composite` combines a
    gemeente's. The area is then placed among the gemeenten: ``percentile``
    (0–100, 100 = more pressure than every gemeente), ``rank_among`` (1 + the
    gemeenten scoring higher, of ``n_ranked``), the CBS-style counts against
    the gemeenten's quarter thresholds, and the themes whose score is in the
    gemeenten's worst quarter. The gemeenten ranking itself is unchanged.

    Parameters
    ----------
    observations, regions : pandas.DataFrame
        Warehouse observations and regions.
    catalog : Catalog
    areas : dict of str → sequence of str
        Area code → gemeente codes on the newest indeling (see
        :func:`welfare.deals.members` to map older names and codes).
    config : ScoringConfig, optional
        Level must be "GM" (the areas are measured among gemeenten).

    Returns
    -------
    pandas.DataFrame
        One row per area with :data:`AREA_COLUMNS`.
    """
    from welfare.aggregate import aggregate_areas

    config = (config or ScoringConfig()).resolved(catalog)
    if config.level != "GM":
        raise ValueError(f"areas are measured among gemeenten: 'level' must be 'GM', got {config.level!r}")
    assert config.theme_weights is not None and config.indicators is not None
    inp = prepare(observations, regions, catalog, config)
    reference, _, themes_ref = _region_arrays(inp, config)
    harmonised = observations[observations["flags"].str.contains("harmonised", regex=False)]
    boundary = int(harmonised["boundary_year"].max())
    indicators = list(config.indicators)
    values = np.full((len(areas), len(indicators)), np.nan)
    codes = list(areas)
    filled = {code: list(members) for code, members in areas.items() if len(members)}
    if filled:
        agg = aggregate_areas(
            observations,
            regions,
            filled,
            catalog,
            boundary_year=boundary,
            years=sorted({int(y) for y in inp.years if y > 0}),
            indicators=indicators,
            harmonised=True,
        )
        wanted = pd.DataFrame({"indicator_id": indicators, "year": np.asarray(inp.years, dtype="int64")})
        agg = agg.astype({"year": "int64"}).merge(wanted, on=["indicator_id", "year"])
        wide = agg.pivot_table(index="area_code", columns="indicator_id", values="value", aggfunc="first", dropna=False)
        values = wide.reindex(index=codes, columns=indicators).to_numpy(dtype=float)

    theme_order = tuple(t for t, _ in config.theme_weights)
    weights = np.array([w for _, w in config.theme_weights])
    membership = theme_matrix(inp.themes, theme_order)
    ref_press = pressure(inp.values, inp.directions, config.normalisation)
    press = pressure_against(values, inp.values, inp.directions, config.normalisation)
    # composite of the areas with the gemeenten beside them (the geometric mean rescales per theme over all rows)
    both = np.vstack([ref_press, press])
    scores_all, coverage_all = composite(both, membership, weights, config.aggregation, config.min_coverage)
    scores, coverage = scores_all[len(ref_press):], coverage_all[len(ref_press):]
    if config.aggregation == "count":
        thresholds = _thresholds(ref_press)
        scores = np.where(np.isnan(scores), np.nan, ((press >= thresholds[0]) & ~np.isnan(press)).sum(axis=1).astype(float))
    ref_scores = reference["pressure_score"]
    ranked = ref_scores[~np.isnan(ref_scores)]
    worst_t, best_t = _thresholds(ref_press)
    area_themes = theme_scores(press, membership)
    theme_worst_t = _thresholds(themes_ref)[0]
    theme_hit = (area_themes >= theme_worst_t) & ~np.isnan(area_themes)
    rows = []
    for a, code in enumerate(codes):
        s = scores[a]
        # Scores equal up to rounding are ties: an area of one gemeente is scored in another order of
        # additions than the gemeente itself and may differ in the last bits.
        tie = np.abs(ranked - s) <= TIE_TOLERANCE if not np.isnan(s) else np.zeros(len(ranked), dtype=bool)
        higher = int(((ranked > s) & ~tie).sum()) if not np.isnan(s) else None
        rows.append(
            {
                "area_code": code,
                "pressure_score": s,
                "percentile": 100.0 * float(((ranked < s) & ~tie).sum() + 0.5 * tie.sum()) / len(ranked)
                if not np.isnan(s) and len(ranked)
                else np.nan,
                "rank_among": None if higher is None else higher + 1,
                "n_ranked": len(ranked),
                "worst_quarter_count": int(((press[a] >= worst_t) & ~np.isnan(press[a])).sum()),
                "best_quarter_count": int(((press[a] <= best_t) & ~np.isnan(press[a])).sum()),
                "themes_under_pressure": int(theme_hit[a].sum()),
                "themes_under_pressure_list": "|".join(t for t, hit in zip(theme_order, theme_hit[a]) if hit),
                "n_indicators": int((~np.isnan(press[a])).sum()),
                "coverage": coverage[a],
                "reason": ""
                if not np.isnan(s)
                else "no member gemeenten known"
                if code not in filled
                else f"values for {coverage[a]:.0%} of the indicator weight, {config.min_coverage:.0%} needed",
            }
        )
    out = pd.DataFrame(rows, columns=AREA_COLUMNS)
    return out.astype({"rank_among": "Int64"})


def _thresholds(press: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column the pressure at or above which a value is in the worst quarter, and at or below which in the best.

    The same cut-offs as :func:`quarters` (CBS ranks with shared ties); NaN for an empty column.
    """
    have = ~np.isnan(press)
    n = have.sum(axis=0)
    k = np.maximum(1, np.floor(QUARTER * n).astype(int))
    if not len(press):
        return np.full(press.shape[1], np.nan), np.full(press.shape[1], np.nan)
    ordered = np.sort(press, axis=0)
    cols = np.arange(press.shape[1])
    high = ordered[np.clip(n - k, 0, len(press) - 1), cols]
    low = ordered[np.minimum(k, len(press)) - 1, cols]
    return np.where(n > 0, high, np.nan), np.where(n > 0, low, np.nan)
