"""Region profiles, comparisons and ranking tables: the numbers behind three pages.

The *ranglijst*, *regioprofiel* and *vergelijken* pages draw; this module
computes, from plain frames and without Streamlit:

- **values per level** (:func:`level_values`, :func:`area_values`): one long
  frame ``indicator_id, region_code, year, value, lower, upper, source_table,
  flags, method, reason`` for every gemeente (the harmonised rows on the newest
  indeling), COROP, province or NL (:func:`welfare.aggregate.aggregate_level`),
  or for any sets of gemeenten such as deal areas
  (:func:`welfare.aggregate.aggregate_areas`);
- **positions** (:func:`position_class`, :func:`position_rank`): the CBS-style
  best quarter / middle / worst quarter of a value among the regions of its
  level, with the same cut-offs as :func:`welfare.charts.quarter_classes`;
- **trends** (:func:`series_trends`, :func:`trend_symbol`): the arrow of
  :func:`welfare.trends.indicator_trends` for any series, also of an area
  that is not in the warehouse (a deal area, an aggregated COROP value);
- **the profile** (:func:`region_profile`): all indicators of one region with
  value, bounds, NL value, position, trend, history, source table and year;
- **similar regions** (:func:`similar_regions`): nearest regions by their
  standardised indicator profile and population;
- **theme pressure** (:func:`theme_pressure`): regions of any level measured
  on one ruler per theme (for side-by-side bars);
- **the ranking table** (:func:`ranking_table`, :func:`filter_ranking`,
  :func:`moved_text`): ranks, rank bands, labels, counts and how far each
  region moved against the default recipe, with the page's filters;
- **page parameters** (:func:`parse_regions`, :func:`parse_choice`,
  :func:`parse_population`): the ranking page's own filters (``provincie``,
  ``regiodeal``, ``inwoners``, ``sortering``), parsed without raising, each
  bad value returned as a :class:`ParamProblem`. The shared view (``niveau``,
  ``jaar``, ``indicator``, ``regio``, ``gewichten``, ...) is
  :mod:`welfare.state`'s.

Missing values stay missing (NaN, ``None``); they are never 0.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from welfare.catalog import Catalog
from welfare.scoring import pressure_against

ProfileLevel = Literal["GM", "CR", "PV"]
PROFILE_LEVELS: tuple[str, ...] = get_args(ProfileLevel)
DEAL_KIND = "deal"  # the kind of a deal area (its code is the deal id)
NL_CODE = "NL01"

VALUE_COLUMNS = ["indicator_id", "region_code", "year", "value", "lower", "upper", "source_table", "flags", "method", "reason"]
PROFILE_COLUMNS = [
    "indicator_id",
    "theme",
    "direction",
    "year",
    "value",
    "lower",
    "upper",
    "nl_value",
    "position",
    "position_rank",
    "n_ranked",
    "trend",
    "assessment",
    "trend_first_year",
    "trend_last_year",
    "history",
    "source_table",
    "flags",
    "method",
    "reason",
]
RANKING_COLUMNS = [
    "region_code",
    "region_name",
    "rank",
    "rank_p05",
    "rank_p95",
    "rank_median",
    "label",
    "p_top_n",
    "pressure_score",
    "worst_quarter_count",
    "themes_under_pressure",
    "themes_under_pressure_list",
    "coverage",
    "default_rank",
    "moved",
    "provincie",
    "population",
    "in_deal",
]
TREND_SYMBOLS: dict[str | None, str] = {"up": "↑", "down": "↓", "flat": "→", None: "·"}
# ranks of a larger level are looked at in a shorter list: "top N" per level
TOP_N: dict[str, int] = {"GM": 50, "CR": 10, "PV": 3}
POPULATION_STEPS: tuple[int, ...] = (0, 10_000, 20_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 100_000_000)


# =========================================================================== values per level


def _harmonised(observations: pd.DataFrame) -> pd.DataFrame:
    flags = observations["flags"].fillna("").astype(str)
    rows = observations[flags.str.contains("harmonised", regex=False)]
    if rows.empty:
        raise ValueError("the warehouse has no harmonised gemeente rows: rebuild it with `python -m welfare build`")
    return rows


def boundary_year(observations: pd.DataFrame) -> int:
    """The newest indeling of the harmonised gemeente rows (the one every page uses)."""
    return int(_harmonised(observations)["boundary_year"].max())


def _source_tables(observations: pd.DataFrame) -> pd.DataFrame:
    """(indicator_id, year) → the source table CBS published it in (the first, alphabetically)."""
    rows = observations[["indicator_id", "year", "source_table"]].dropna()
    return rows.sort_values("source_table").drop_duplicates(["indicator_id", "year"])


def _from_aggregate(agg: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    out = agg.rename(columns={"area_code": "region_code"})
    out = out.merge(_source_tables(observations), on=["indicator_id", "year"], how="left")
    out["flags"] = out["flags"].fillna("").astype(str)
    out["reason"] = out["reason"].fillna("").astype(str)
    return out[VALUE_COLUMNS].reset_index(drop=True)


def level_values(
    observations: pd.DataFrame, regions: pd.DataFrame, catalog: Catalog, level: str, *, lang: str = "nl"
) -> pd.DataFrame:
    """Every indicator × region × year of one level, in one long frame.

    Parameters
    ----------
    observations, regions : pandas.DataFrame
        Warehouse frames.
    catalog : Catalog
    level : {"GM", "CR", "PV", "NL"}
        Gemeenten: the ``harmonised`` rows on the newest indeling (one set of
        gemeenten across years, as :mod:`welfare.scoring` and
        :mod:`welfare.trends` use them). Other levels: CBS's own value where it
        publishes one, else aggregated from the gemeenten
        (:func:`welfare.aggregate.aggregate_level`).
    lang : {"nl", "en"}
        Language of ``reason``.

    Returns
    -------
    pandas.DataFrame
        :data:`VALUE_COLUMNS`; ``method`` is empty for gemeente rows.
    """
    if level == "GM":
        rows = _harmonised(observations)
        rows = rows[(rows["boundary_year"] == rows["boundary_year"].max()) & (rows["level"] == "GM")]
        out = rows.assign(method="", reason="", flags=rows["flags"].fillna("").astype(str))
        return out[VALUE_COLUMNS].reset_index(drop=True)
    if level not in ("CR", "PV", "NL"):
        raise ValueError(f"'level' must be one of ['GM', 'CR', 'PV', 'NL'], got {level!r}")
    from welfare.aggregate import aggregate_level

    agg = aggregate_level(observations, regions, level, catalog, lang=lang)
    return _from_aggregate(agg, observations)


def area_values(
    observations: pd.DataFrame,
    regions: pd.DataFrame,
    catalog: Catalog,
    areas: Mapping[str, Sequence[str]],
    *,
    lang: str = "nl",
) -> pd.DataFrame:
    """Every indicator × year of sets of gemeenten (deal areas), on the newest indeling.

    The members must be gemeenten of the newest indeling of the harmonised rows
    (:func:`boundary_year`; :func:`welfare.deals.members` gives them for a
    deal). A set that equals a COROP or province gets CBS's published value
    (see :func:`welfare.aggregate.aggregate_areas`). Empty sets are left out.

    Returns
    -------
    pandas.DataFrame
        :data:`VALUE_COLUMNS`, ``region_code`` = the area's key.
    """
    from welfare.aggregate import aggregate_areas

    filled = {code: list(dict.fromkeys(m)) for code, m in areas.items() if len(m)}
    if not filled:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in VALUE_COLUMNS})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # one indeling for all years: nothing is mixed
        agg = aggregate_areas(
            observations, regions, filled, catalog, boundary_year=boundary_year(observations), harmonised=True, lang=lang
        )
    return _from_aggregate(agg, observations)


def latest_years(values: pd.DataFrame, indicators: Iterable[str] | None = None) -> dict[str, int]:
    """Per indicator the latest year in which any region of ``values`` has a value.

    >>> v = pd.DataFrame({"indicator_id": ["a", "a", "b"], "region_code": "GM1", "year": [2022, 2023, 2020],
    ...                   "value": [1.0, float("nan"), 2.0]})
    >>> latest_years(v)
    {'a': 2022, 'b': 2020}
    """
    have = values[values["value"].notna()]
    if indicators is not None:
        have = have[have["indicator_id"].isin(list(indicators))]
    return {str(k): int(v) for k, v in have.groupby("indicator_id")["year"].max().items()}


def wide_values(values: pd.DataFrame, years: Mapping[str, int], codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Regions × indicators, each indicator in its year of ``years``; NaN where missing.

    >>> v = pd.DataFrame({"indicator_id": ["a", "a", "b"], "region_code": ["GM1", "GM2", "GM1"],
    ...                   "year": [2023, 2023, 2020], "value": [1.0, 3.0, 2.0]})
    >>> wide_values(v, {"a": 2023, "b": 2020})  # doctest: +NORMALIZE_WHITESPACE
                   a    b
    region_code
    GM1          1.0  2.0
    GM2          3.0  NaN
    """
    wanted = pd.DataFrame({"indicator_id": list(years), "year": [int(y) for y in years.values()]})
    rows = values.astype({"year": "int64"}).merge(wanted, on=["indicator_id", "year"])
    rows = rows.drop_duplicates(["region_code", "indicator_id"])
    wide = rows.pivot(index="region_code", columns="indicator_id", values="value")
    index = sorted(set(values["region_code"])) if codes is None else list(codes)
    out = wide.reindex(index=index, columns=list(years)).astype(float)
    out.index.name = "region_code"
    out.columns.name = None
    return out


def sources_for(observations: pd.DataFrame, pairs: Iterable[tuple[str, int]]) -> tuple[list[str], list[int]]:
    """The CBS tables and report years behind (indicator, year) pairs, for a source line.

    >>> obs = pd.DataFrame({"indicator_id": ["a", "a", "b"], "year": [2022, 2023, 2023],
    ...                     "source_table": ["T1", "T2", "T3"]})
    >>> sources_for(obs, [("a", 2023), ("b", 2023), ("c", 2020)])
    (['T2', 'T3'], [2020, 2023])
    """
    wanted = pd.DataFrame([(str(i), int(y)) for i, y in pairs if y is not None and int(y) > 0], columns=["indicator_id", "year"])
    if wanted.empty:
        return [], []
    hit = wanted.merge(_source_tables(observations).astype({"year": "int64"}), on=["indicator_id", "year"], how="left")
    return sorted(set(hit["source_table"].dropna().astype(str))), sorted({int(y) for y in wanted["year"]})


# =========================================================================== positions


def _pressure_of(values: np.ndarray, direction: int) -> np.ndarray:
    return -float(direction) * np.asarray(values, dtype=float)


def position_class(value: float | None, reference: Sequence[float] | np.ndarray | pd.Series, direction: int) -> str | None:
    """CBS-style position of ``value`` among ``reference``: "best", "middle" or "worst" quarter.

    The rule of :func:`welfare.charts.quarter_classes`: in the worst (best)
    quarter when at least as bad (good) as the k-th worst (best) of the n
    reference values present, k = max(1, ⌊n/4⌋), ties sharing the better
    class. ``value`` need not be one of the reference values (a deal area
    placed among gemeenten). None for a missing value, an indicator without a
    direction, or an empty reference.

    Examples
    --------
    >>> ref = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    >>> [position_class(v, ref, direction=-1) for v in (1.0, 4.0, 7.5, None)]
    ['best', 'middle', 'worst', None]
    >>> position_class(7.5, ref, direction=1), position_class(3.0, ref, direction=0)
    ('best', None)
    """
    if value is None or direction not in (1, -1):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x):
        return None
    ref = _pressure_of(pd.to_numeric(pd.Series(list(reference), dtype="object"), errors="coerce").to_numpy(dtype=float), direction)
    ref = np.sort(ref[np.isfinite(ref)])
    n = len(ref)
    if n == 0:
        return None
    k = max(1, int(math.floor(0.25 * n)))
    p = -float(direction) * x
    if p >= ref[n - k]:
        return "worst"
    if p <= ref[k - 1]:
        return "best"
    return "middle"


def position_rank(value: float | None, reference: Sequence[float] | np.ndarray | pd.Series, direction: int) -> tuple[int | None, int]:
    """(rank, n): 1 + the reference values strictly worse than ``value`` (1 = least favourable), of n.

    Worse means higher pressure: higher when ``direction`` is −1, lower when
    +1. The rank is None when the value is missing or the indicator has no
    direction; n counts the reference values present.

    >>> position_rank(3.0, [1.0, 2.0, 3.0, 4.0], direction=-1)
    (2, 4)
    >>> position_rank(3.0, [1.0, 2.0, 3.0, 4.0], direction=1), position_rank(None, [1.0], -1)
    ((3, 4), (None, 1))
    """
    ref = _pressure_of(pd.to_numeric(pd.Series(list(reference), dtype="object"), errors="coerce").to_numpy(dtype=float), direction or 1)
    ref = ref[np.isfinite(ref)]
    n = int(len(ref))
    if value is None or direction not in (1, -1):
        return None, n
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None, n
    if not math.isfinite(x):
        return None, n
    return 1 + int((ref > -float(direction) * x).sum()), n


# =========================================================================== trends


def series_trends(series: pd.DataFrame, catalog: Catalog, *, window: int = 8) -> pd.DataFrame:
    """:func:`welfare.trends.indicator_trends` for any long series of one or more regions.

    The series (``indicator_id, region_code, year, value``; ``lower``/``upper``
    when known) need not be warehouse rows: a deal area's aggregated values or a
    COROP's computed ones are judged by the same tests (OLS slope, or the
    difference test on CBS bounds). The window of ``window`` years ends at each
    indicator's latest year in ``series``.

    Returns
    -------
    pandas.DataFrame
        :data:`welfare.trends.TREND_COLUMNS` (empty when nothing has a value).

    Examples
    --------
    >>> from welfare.catalog import load_catalog
    >>> s = pd.DataFrame({"indicator_id": "wrk_unemployment", "region_code": "deal-x",
    ...                   "year": [2020, 2021, 2022, 2023], "value": [5.0, 4.5, 4.0, 3.5]})
    >>> series_trends(s, load_catalog())[["region_code", "direction_of_change", "assessment"]]
      region_code direction_of_change assessment
    0      deal-x                down     better
    """
    from welfare.trends import indicator_trends

    frame = series.copy()
    for col in ("lower", "upper"):
        if col not in frame.columns:
            frame[col] = np.nan
    frame = frame[frame["indicator_id"].isin(list(catalog.indicators))]
    # indicator_trends reads published rows of a non-gemeente level as they are: present the series so
    fake = frame.assign(level="NL", flags="", boundary_year=0)[
        ["indicator_id", "region_code", "level", "year", "value", "lower", "upper", "flags", "boundary_year"]
    ]
    fake = fake.astype({"year": "int64", "value": float, "lower": float, "upper": float})
    return indicator_trends(fake, catalog, level="NL", window=window)


def trend_symbol(direction_of_change: str | None) -> str:
    """The arrow of a trend: ↑ up, ↓ down, → no significant change, · too few values.

    >>> [trend_symbol(d) for d in ("up", "down", "flat", None)]
    ['↑', '↓', '→', '·']
    """
    if direction_of_change is None or (isinstance(direction_of_change, float) and math.isnan(direction_of_change)):
        return TREND_SYMBOLS[None]
    return TREND_SYMBOLS.get(str(direction_of_change), TREND_SYMBOLS[None])


# =========================================================================== the profile


def region_profile(
    code: str,
    values: pd.DataFrame,
    reference: pd.DataFrame,
    national: pd.DataFrame,
    catalog: Catalog,
    *,
    indicators: Sequence[str] | None = None,
    window: int = 8,
) -> pd.DataFrame:
    """All indicators of one region: value, bounds, NL value, position, trend, history, source.

    Parameters
    ----------
    code : str
        The region's code in ``values`` (a deal id for a deal area).
    values : pandas.DataFrame
        Long rows (:data:`VALUE_COLUMNS`) holding at least the region's rows.
    reference : pandas.DataFrame
        Long rows of the regions the position is taken among: the region's
        own level (it is then one of them), or all gemeenten for a deal area.
    national : pandas.DataFrame
        Long rows of the Netherlands (``region_code`` NL01).
    catalog : Catalog
        Row order (by theme, then catalogue order), direction and theme.
    indicators : sequence of str, optional
        Only these (default: every catalogue indicator).
    window : int
        Years of the trend (see :func:`series_trends`).

    Returns
    -------
    pandas.DataFrame
        One row per indicator, :data:`PROFILE_COLUMNS`. ``year`` is the latest
        year the region has a value (<NA> when it has none: then ``value`` is
        NaN, never 0, and ``reason`` says why when the aggregation knows).
        ``nl_value`` is NL's value in the same year; ``position`` is "best",
        "middle" or "worst" among the reference regions of that year, and
        ``position_rank`` of ``n_ranked`` (1 = least favourable); ``trend`` is
        "up", "down", "flat" or None and ``assessment`` its reading
        (:func:`welfare.trends.indicator_trends`); ``history`` is a tuple of
        (year, value) pairs with values.

    Examples
    --------
    >>> from welfare.catalog import load_catalog
    >>> rows = pd.DataFrame({"indicator_id": "wrk_unemployment", "region_code": ["GM1"] * 3 + ["GM2", "GM3", "GM4"],
    ...                      "year": [2021, 2022, 2023, 2023, 2023, 2023], "value": [6.0, 5.0, 4.0, 3.0, 2.0, 1.0]})
    >>> nl = pd.DataFrame({"indicator_id": ["wrk_unemployment"], "region_code": ["NL01"], "year": [2023], "value": [3.6]})
    >>> p = region_profile("GM1", rows, rows, nl, load_catalog(), indicators=["wrk_unemployment"])
    >>> print(p.loc[0, ["year", "value", "nl_value", "position", "position_rank", "n_ranked", "trend", "assessment"]].to_string())  # doctest: +NORMALIZE_WHITESPACE
    year             2023
    value             4.0
    nl_value          3.6
    position        worst
    position_rank       1
    n_ranked            4
    trend            down
    assessment     better
    """
    ids = list(indicators) if indicators is not None else list(catalog.indicators)
    unknown = [i for i in ids if i not in catalog.indicators]
    if unknown:
        raise ValueError(f"unknown indicator(s): {', '.join(unknown)}")
    theme_order = {t: k for k, t in enumerate(catalog.themes)}
    ids.sort(key=lambda i: (theme_order.get(catalog.indicators[i].theme, 99), list(catalog.indicators).index(i)))

    own = values[(values["region_code"] == code) & values["indicator_id"].isin(ids)]
    with_value = own[own["value"].notna()].sort_values(["indicator_id", "year"])
    trends = series_trends(with_value, catalog, window=window) if len(with_value) else None
    trend_by = trends.set_index("indicator_id") if trends is not None and len(trends) else None
    latest = with_value.groupby("indicator_id").tail(1).set_index("indicator_id")
    # a region without any value still has rows in `own` when an aggregation said why
    reasons = own.sort_values("year").groupby("indicator_id").tail(1).set_index("indicator_id")
    nl = national[national["region_code"] == NL_CODE] if "region_code" in national.columns else national
    nl_by = nl.dropna(subset=["value"]).set_index(["indicator_id", "year"])["value"]
    nl_by = nl_by[~nl_by.index.duplicated()]
    ref = reference[reference["indicator_id"].isin(ids) & reference["value"].notna()]
    ref_groups = {key: g["value"].to_numpy(dtype=float) for key, g in ref.groupby(["indicator_id", "year"])}
    history = {i: tuple((int(y), float(v)) for y, v in zip(g["year"], g["value"])) for i, g in with_value.groupby("indicator_id")}

    rows = []
    for i in ids:
        ind = catalog.indicators[i]
        row: dict[str, Any] = {c: None for c in PROFILE_COLUMNS}
        row.update(indicator_id=i, theme=ind.theme, direction=ind.direction, value=np.nan, lower=np.nan, upper=np.nan,
                   nl_value=np.nan, n_ranked=0, history=history.get(i, ()), flags="", method="", reason="",
                   source_table="")
        if i in latest.index:
            r = latest.loc[i]
            year = int(r["year"])
            pool = ref_groups.get((i, year), np.array([]))
            rank, n = position_rank(r["value"], pool, ind.direction)
            row.update(
                year=year,
                value=float(r["value"]),
                lower=float(r["lower"]) if pd.notna(r.get("lower")) else np.nan,
                upper=float(r["upper"]) if pd.notna(r.get("upper")) else np.nan,
                nl_value=float(nl_by.get((i, year), np.nan)),
                position=position_class(r["value"], pool, ind.direction),
                position_rank=rank,
                n_ranked=n,
                source_table=str(r.get("source_table") or "") if pd.notna(r.get("source_table")) else "",
                flags=str(r.get("flags") or ""),
                method=str(r.get("method") or ""),
            )
        elif i in reasons.index:
            row.update(reason=str(reasons.loc[i].get("reason") or ""))
        if trend_by is not None and i in trend_by.index:
            tr = trend_by.loc[i]
            doc = tr["direction_of_change"]
            row.update(
                trend=None if doc is None or (isinstance(doc, float) and math.isnan(doc)) else str(doc),
                assessment=str(tr["assessment"]),
                trend_first_year=int(tr["first_year"]),
                trend_last_year=int(tr["last_year"]),
            )
        rows.append(row)
    out = pd.DataFrame(rows, columns=PROFILE_COLUMNS)
    for col in ("year", "position_rank", "trend_first_year", "trend_last_year"):
        out[col] = out[col].astype("Int64")
    out["n_ranked"] = out["n_ranked"].astype(int)
    return out


# =========================================================================== similar regions


def similar_regions(
    matrix: pd.DataFrame,
    population: pd.Series | Mapping[str, float],
    target: str,
    *,
    k: int = 5,
    size_weight: float = 1.0,
    min_common: float = 0.5,
) -> pd.DataFrame:
    """The ``k`` regions nearest to ``target`` by standardised indicator profile and size.

    Each indicator column is standardised over the candidate regions (z-score),
    and so is log10(population). The distance between two regions is the
    root mean square of their differences over the indicators both have, with
    the population counted as ``size_weight`` indicators:
    ``√((Σ_common Δz² + size_weight · Δz_pop²) / (n_common + size_weight))``.
    Regions sharing fewer than ``min_common`` of the target's indicators are
    left out (a distance over a few indicators says little).

    Parameters
    ----------
    matrix : pandas.DataFrame
        Regions × indicators (e.g. :func:`wide_values`), the target among them.
    population : Series or mapping
        Region code → population (NaN or missing: the size term is skipped).
    target : str
    k : int
    size_weight : float
        ≥ 0; 0 compares the indicators only.
    min_common : float
        In [0, 1]: the share of the target's indicators a candidate must have.

    Returns
    -------
    pandas.DataFrame
        ``region_code, distance, n_common, population``, nearest first (ties
        by code); at most ``k`` rows, the target not among them.

    Examples
    --------
    >>> m = pd.DataFrame({"a": [1.0, 1.1, 5.0, 1.0], "b": [2.0, 2.1, 9.0, float("nan")]},
    ...                  index=["GM1", "GM2", "GM3", "GM4"])
    >>> pop = {"GM1": 10_000, "GM2": 12_000, "GM3": 11_000, "GM4": 900_000}
    >>> similar_regions(m, pop, "GM1", k=2)["region_code"].tolist()  # GM4: same on "a", far bigger
    ['GM2', 'GM4']
    >>> similar_regions(m, pop, "GM1", k=2, min_common=1.0)["region_code"].tolist()  # GM4 lacks "b"
    ['GM2', 'GM3']
    >>> similar_regions(m, pop, "GM1", k=2, size_weight=0)["region_code"].tolist()  # size ignored
    ['GM4', 'GM2']
    """
    if target not in matrix.index:
        raise ValueError(f"'target' {target!r} is not a row of the matrix")
    if k < 1:
        raise ValueError(f"'k' must be ≥ 1, got {k!r}")
    if not size_weight >= 0:
        raise ValueError(f"'size_weight' must be ≥ 0, got {size_weight!r}")
    if not 0.0 <= min_common <= 1.0:
        raise ValueError(f"'min_common' must be in [0, 1], got {min_common!r}")
    x = matrix.astype(float)
    mean, std = x.mean(axis=0, skipna=True), x.std(axis=0, ddof=0, skipna=True)
    z = (x - mean) / std.where(std > 0)
    z = z.where(x.notna())  # a constant column becomes NaN: it tells regions apart in nothing
    z = z.loc[:, z.notna().any(axis=0) | x.notna().any(axis=0)]
    pop = pd.Series(population, dtype=float).reindex(x.index)
    logpop = np.log10(pop.where(pop > 0))
    pop_std = float(logpop.std(ddof=0)) if logpop.notna().sum() > 1 else 0.0
    zpop = (logpop - logpop.mean()) / pop_std if pop_std > 0 else logpop * np.nan

    t = z.loc[target].to_numpy(dtype=float)
    have_t = np.isfinite(t)
    n_target = int((x.loc[target].notna()).sum())
    diffs = z.to_numpy(dtype=float) - t
    common = np.isfinite(diffs)
    n_common = common.sum(axis=1)
    sq = np.where(common, diffs**2, 0.0).sum(axis=1)
    dpop = (zpop - zpop.get(target, np.nan)).to_numpy(dtype=float)
    use_pop = np.isfinite(dpop) & (size_weight > 0)
    total = sq + np.where(use_pop, size_weight * dpop**2, 0.0)
    count = n_common + np.where(use_pop, size_weight, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        dist = np.sqrt(total / count)
    # columns constant among the candidates are NaN in z: count the target's columns that carry information
    n_info = int(have_t.sum())
    enough = n_common >= max(1, math.ceil(min_common * n_info)) if n_info else np.zeros(len(z), dtype=bool)
    out = pd.DataFrame(
        {
            "region_code": x.index.astype(str),
            "distance": dist,
            "n_common": n_common.astype(int),
            "population": pop.to_numpy(dtype=float),
        }
    )
    keep = enough & (out["region_code"] != target).to_numpy() & np.isfinite(dist)
    out = out[keep].sort_values(["distance", "region_code"], kind="stable").head(k).reset_index(drop=True)
    out.attrs["n_target_indicators"] = n_target
    return out


# =========================================================================== theme pressure


def comparable_indicators(catalog: Catalog, level: str) -> tuple[str, ...]:
    """Indicators to compare regions on: :func:`welfare.scoring.default_indicators` for "hier en nu",
    and the same rule for the "later" capitals.

    Every indicator has a direction and exists for (nearly) every region of
    ``level``: for gemeenten only those CBS publishes for all gemeenten. So a
    gemeente's theme pressure equals its theme score in the default ranking.

    >>> from welfare.catalog import load_catalog
    >>> ids = comparable_indicators(load_catalog(), "GM")
    >>> "wrk_unemployment" in ids, "eco_median_wealth" in ids, "liv_satisfaction_housing" in ids, "ctx_population" in ids
    (True, True, False, False)
    """
    from welfare.scoring import default_indicators

    hier = set(default_indicators(catalog, level))
    out = []
    for ind in catalog.indicators.values():
        dimension = catalog.themes[ind.theme].get("dimension")
        if dimension == "hier_en_nu":
            if ind.id in hier:
                out.append(ind.id)
            continue
        if dimension != "later" or ind.direction == 0:
            continue
        if level == "GM" and ind.gemeente_coverage != "all":
            continue
        if level != "GM" and level not in ind.levels and ind.aggregation in ("published_only", "none"):
            continue
        if level not in ind.levels and "GM" not in ind.levels:
            continue
        out.append(ind.id)
    return tuple(out)



def theme_pressure(
    areas: pd.DataFrame,
    reference: pd.DataFrame,
    catalog: Catalog,
    *,
    normalisation: str = "zscore",
    themes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Mean pressure per theme of some regions, measured on the ``reference`` regions' scale.

    Each indicator with a direction is put on the reference's scale
    (:func:`welfare.scoring.pressure_against`: a z-score against the reference
    mean and standard deviation by default; higher = more pressure), then
    averaged over the theme's indicators the region has a value for. For a
    region that is one of the reference regions this is the theme score of
    :func:`welfare.scoring.score` with the same indicators.

    Parameters
    ----------
    areas : pandas.DataFrame
        Regions × indicators: the regions to compare (any level, deal areas).
    reference : pandas.DataFrame
        Regions × indicators: the ruler (e.g. all gemeenten), same indicator years.
    catalog : Catalog
    normalisation : {"zscore", "percentile", "minmax"}
    themes : sequence of str, optional
        Theme order (default: the catalogue's, without "context").

    Returns
    -------
    pandas.DataFrame
        Long ``region_code, theme, pressure, n_indicators``: every region ×
        theme, ``pressure`` NaN when the region has no indicator of the theme.

    Examples
    --------
    >>> from welfare.catalog import load_catalog
    >>> ref = pd.DataFrame({"wrk_unemployment": [2.0, 4.0, 6.0]}, index=["GM1", "GM2", "GM3"])
    >>> out = theme_pressure(ref.loc[["GM3"]], ref, load_catalog(), themes=["arbeid_vrije_tijd"])
    >>> out.round(3).to_dict("records")
    [{'region_code': 'GM3', 'theme': 'arbeid_vrije_tijd', 'pressure': 1.225, 'n_indicators': 1}]
    """
    cols = [c for c in areas.columns if c in catalog.indicators and catalog.indicators[c].direction != 0]
    order = list(themes) if themes is not None else [t for t in catalog.themes if t != "context"]
    directions = np.array([catalog.indicators[c].direction for c in cols], dtype=float)
    ref = reference.reindex(columns=cols).to_numpy(dtype=float)
    press = pressure_against(areas[cols].to_numpy(dtype=float), ref, directions, normalisation) if cols else np.zeros((len(areas), 0))
    col_theme = np.array([catalog.indicators[c].theme for c in cols], dtype=object)
    rows = []
    for r, code in enumerate(areas.index.astype(str)):
        for theme in order:
            sel = col_theme == theme
            vals = press[r, sel] if sel.any() else np.array([])
            vals = vals[np.isfinite(vals)]
            rows.append(
                {"region_code": code, "theme": theme, "pressure": float(vals.mean()) if len(vals) else np.nan, "n_indicators": int(len(vals))}
            )
    return pd.DataFrame(rows, columns=["region_code", "theme", "pressure", "n_indicators"])


# =========================================================================== the ranking table


def ranking_table(
    scored: pd.DataFrame,
    uncertainty: pd.DataFrame | None,
    default: pd.DataFrame | None,
    regions: pd.DataFrame,
    deal_gemeenten: Collection[str] = (),
) -> pd.DataFrame:
    """One row per region: rank, 5–95 % band, label, counts, move against the default recipe.

    Parameters
    ----------
    scored : pandas.DataFrame
        ``ScoreResult.regions`` of the chosen recipe.
    uncertainty : pandas.DataFrame, optional
        :func:`welfare.uncertainty.rank_uncertainty` of the same recipe.
    default : pandas.DataFrame, optional
        ``ScoreResult.regions`` of the default recipe (equal weights per theme).
    regions : pandas.DataFrame
        ``regions.parquet``: population and province (newest year of each code),
        and for gemeenten their parents (for ``in_deal`` of a COROP or province).
    deal_gemeenten : collection of str
        Gemeente codes in any Regio Deal; a COROP or province is ``in_deal``
        when one of its gemeenten is.

    Returns
    -------
    pandas.DataFrame
        :data:`RANKING_COLUMNS`, sorted by rank (unranked regions last).
        ``moved`` = default rank − rank: positive = more pressure (higher up)
        than under the default recipe.

    Examples
    --------
    >>> scored = pd.DataFrame({"region_code": ["GM1", "GM2"], "region_name": ["Aa", "Bee"], "rank": [2, 1],
    ...                        "pressure_score": [0.1, 0.5], "worst_quarter_count": [1, 3],
    ...                        "themes_under_pressure": [0, 2], "themes_under_pressure_list": ["", "wonen|milieu"],
    ...                        "coverage": [1.0, 1.0]})
    >>> default = scored.assign(rank=[1, 2])
    >>> regs = pd.DataFrame({"code": ["GM1", "GM2"], "level": "GM", "year": 2025, "provincie": ["PV20", "PV21"],
    ...                      "corop": None, "population": [1000.0, 2000.0]})
    >>> t = ranking_table(scored, None, default, regs, deal_gemeenten={"GM2"})
    >>> t[["region_code", "rank", "default_rank", "moved", "in_deal"]].to_dict("records")
    [{'region_code': 'GM2', 'rank': 1, 'default_rank': 2, 'moved': 1, 'in_deal': True}, {'region_code': 'GM1', 'rank': 2, 'default_rank': 1, 'moved': -1, 'in_deal': False}]
    """
    out = scored.copy()
    for col in RANKING_COLUMNS:
        if col not in out.columns:
            out[col] = np.nan
    if uncertainty is not None:
        extra = uncertainty.set_index("region_code")
        for col in ("rank_p05", "rank_p95", "rank_median", "label", "p_top_n"):
            out[col] = out["region_code"].map(extra[col])
    if default is not None:
        out["default_rank"] = out["region_code"].map(default.set_index("region_code")["rank"])
    rank = pd.to_numeric(out["rank"], errors="coerce")
    out["rank"] = rank.astype("Int64")
    out["default_rank"] = pd.to_numeric(out["default_rank"], errors="coerce").astype("Int64")
    out["moved"] = (out["default_rank"] - out["rank"]).astype("Int64")
    newest = regions.sort_values("year").drop_duplicates("code", keep="last").set_index("code")
    out["population"] = out["region_code"].map(newest["population"]).astype(float)
    out["provincie"] = out["region_code"].map(newest["provincie"])
    deal_set = set(deal_gemeenten)
    gm = newest[newest["level"] == "GM"]
    parents: dict[str, bool] = {}
    for col in ("corop", "provincie"):
        if col in gm.columns:
            for parent, members in gm.groupby(col).groups.items():
                parents[str(parent)] = parents.get(str(parent), False) or any(c in deal_set for c in members)
    out["in_deal"] = [code in deal_set or parents.get(code, False) for code in out["region_code"]]
    out = out.assign(_unranked=rank.isna()).sort_values(["_unranked", "rank", "region_code"], kind="stable")
    return out[RANKING_COLUMNS].reset_index(drop=True)


def filter_ranking(
    table: pd.DataFrame,
    *,
    provinces: Collection[str] = (),
    deal: str | None = None,
    population: tuple[float | None, float | None] = (None, None),
) -> pd.DataFrame:
    """The rows of :func:`ranking_table` that pass the page's filters (ranks stay national).

    Parameters
    ----------
    provinces : collection of str
        Province codes (PV..); empty = all.
    deal : {"met", "zonder"} or None
        Only regions in a Regio Deal ("met"), only those in none ("zonder"), or all.
    population : (low, high)
        Inclusive low, exclusive high; None = open.

    >>> t = pd.DataFrame({"region_code": ["GM1", "GM2", "GM3"], "provincie": ["PV20", "PV21", "PV20"],
    ...                   "in_deal": [True, False, False], "population": [5_000.0, 50_000.0, 500_000.0]})
    >>> filter_ranking(t, provinces=["PV20"], deal="zonder")["region_code"].tolist()
    ['GM3']
    >>> filter_ranking(t, population=(10_000, 100_000))["region_code"].tolist()
    ['GM2']
    """
    keep = pd.Series(True, index=table.index)
    if provinces:
        keep &= table["provincie"].isin(list(provinces))
    if deal == "met":
        keep &= table["in_deal"].astype(bool)
    elif deal == "zonder":
        keep &= ~table["in_deal"].astype(bool)
    elif deal is not None:
        raise ValueError(f"'deal' must be 'met', 'zonder' or None, got {deal!r}")
    low, high = population
    pop = pd.to_numeric(table["population"], errors="coerce")
    if low is not None:
        keep &= pop >= low
    if high is not None:
        keep &= pop < high
    return table[keep]


def ranking_shown(
    rows: pd.DataFrame,
    *,
    level: str,
    indicator_label: str,
    unit: str,
    year: str,
    source: str,
    vintage: str,
    config_hash: str,
) -> pd.DataFrame:
    """The rank chart's data for a CSV: one row per region drawn, in the chart's order.

    ``rows`` are the :func:`ranking_table` rows in the chart. The value is the
    pressure score; rank, band (``rank_p05``, ``rank_p95``), label and
    ``p_top_n`` come with it. ``year`` says which years the score uses (e.g.
    "nieuwste per indicator"). Missing values stay empty, never 0.

    >>> t = pd.DataFrame({"region_code": ["GM2", "GM1"], "region_name": ["Bee", "Aa"], "rank": [1.0, 2.0],
    ...                   "rank_p05": [1.0, 1.0], "rank_p95": [2.0, 2.0], "label": ["grensgeval", "grensgeval"],
    ...                   "p_top_n": [0.6, float("nan")], "pressure_score": [0.5, 0.1],
    ...                   "worst_quarter_count": [3, 1], "themes_under_pressure": [2, 0]})
    >>> out = ranking_shown(t, level="GM", indicator_label="Drukscore", unit="z", year="2023", source="Bron: CBS",
    ...                     vintage="v", config_hash="abc")
    >>> out[["region_code", "rank", "value", "p_top_n"]].to_dict("records")
    [{'region_code': 'GM2', 'rank': 1, 'value': 0.5, 'p_top_n': 0.6}, {'region_code': 'GM1', 'rank': 2, 'value': 0.1, 'p_top_n': nan}]
    """
    def col(name: str) -> pd.Series:
        return pd.to_numeric(rows[name], errors="coerce") if name in rows else pd.Series(np.nan, index=rows.index)

    out = pd.DataFrame(
        {
            "region_code": rows["region_code"].astype(str),
            "region_name": rows["region_name"].astype(str),
            "level": level,
            "indicator": "pressure",
            "indicator_label": indicator_label,
            "year": year,
            "rank": col("rank").astype("Int64"),
            "rank_p05": col("rank_p05"),
            "rank_p95": col("rank_p95"),
            "label": rows["label"] if "label" in rows else None,
            "p_top_n": col("p_top_n"),
            "value": col("pressure_score"),
            "unit": unit,
            "worst_quarter_count": col("worst_quarter_count").astype("Int64"),
            "themes_under_pressure": col("themes_under_pressure").astype("Int64"),
            "source": source,
            "vintage": vintage,
            "config_hash": config_hash,
        }
    )
    return out.reset_index(drop=True)


def theme_pressure_shown(
    press: pd.DataFrame,
    catalog: Catalog,
    *,
    names: Mapping[str, str],
    lang: str,
    unit: str,
    reference: str,
    years: Mapping[str, int],
    source: str,
    vintage: str,
) -> pd.DataFrame:
    """The theme bars' data for a CSV: one row per region × theme drawn (:func:`theme_pressure` rows).

    ``years`` are the indicator years used (indicator id → year): each row
    says the years of its theme's indicators. A region without an indicator
    of a theme keeps an empty value, never 0.

    >>> from welfare.catalog import load_catalog
    >>> press = pd.DataFrame({"region_code": ["GM1", "GM1"], "theme": ["wonen", "milieu"],
    ...                       "pressure": [0.4, float("nan")], "n_indicators": [2, 0]})
    >>> out = theme_pressure_shown(press, load_catalog(), names={"GM1": "Aa"}, lang="nl", unit="z",
    ...                            reference="alle gemeenten", years={"liv_distance_gp": 2023}, source="Bron: CBS", vintage="v")
    >>> out[["region_name", "theme", "value", "n_indicators", "year"]].to_dict("records")
    [{'region_name': 'Aa', 'theme': 'wonen', 'value': 0.4, 'n_indicators': 2, 'year': '2023'}, {'region_name': 'Aa', 'theme': 'milieu', 'value': nan, 'n_indicators': 0, 'year': ''}]
    """
    theme_years: dict[str, list[int]] = {}
    for ind, y in years.items():
        if ind in catalog.indicators:
            theme_years.setdefault(catalog.indicators[ind].theme, []).append(y)
    codes = press["region_code"].astype(str)
    out = pd.DataFrame(
        {
            "region_code": codes,
            "region_name": codes.map(lambda c: names.get(c, c)),
            "theme": press["theme"].astype(str),
            "theme_label": press["theme"].map(lambda th: catalog.theme_label(th, lang)),
            "value": pd.to_numeric(press["pressure"], errors="coerce"),
            "unit": unit,
            "n_indicators": pd.to_numeric(press["n_indicators"], errors="coerce").astype("Int64")
            if "n_indicators" in press
            else pd.array([pd.NA] * len(press), dtype="Int64"),
            "reference": reference,
            "year": press["theme"].map(lambda th: years_span(theme_years.get(th, ()))),
            "source": source,
            "vintage": vintage,
        }
    )
    return out.reset_index(drop=True)


def trend_shown(
    series: pd.DataFrame,
    *,
    indicator: str,
    indicator_label: str,
    unit: str,
    names: Mapping[str, str],
    regions: Sequence[str],
    source: str,
    vintage: str,
    reference_code: str = NL_CODE,
) -> pd.DataFrame:
    """The trend chart's data for a CSV: the years of ``regions`` and the NL line, as drawn.

    ``series`` is the frame given to :func:`welfare.charts.trend_chart`
    (``region_code, year, value``, and ``lower``/``upper``, ``source_table``
    where present). Rows of other regions or indicators are left out; missing
    bounds stay empty.

    >>> s = pd.DataFrame({"indicator_id": "x", "region_code": ["NL01", "GM1", "GM9"], "year": [2023, 2023, 2023],
    ...                   "value": [3.0, 4.0, 5.0], "source_table": "85000NED"})
    >>> out = trend_shown(s, indicator="x", indicator_label="X", unit="%", names={"GM1": "Aa"}, regions=["GM1"],
    ...                   source="Bron: CBS", vintage="v")
    >>> out[["region_code", "region_name", "value"]].to_dict("records")
    [{'region_code': 'GM1', 'region_name': 'Aa', 'value': 4.0}, {'region_code': 'NL01', 'region_name': 'Nederland', 'value': 3.0}]
    """
    order = [*regions, reference_code]
    part = series[series["region_code"].astype(str).isin(order)]
    if "indicator_id" in part:
        part = part[part["indicator_id"] == indicator]
    part = part.assign(_o=part["region_code"].astype(str).map(order.index)).sort_values(["_o", "year"], kind="stable")
    nan = pd.Series(np.nan, index=part.index)
    codes = part["region_code"].astype(str)
    out = pd.DataFrame(
        {
            "region_code": codes,
            "region_name": codes.map(lambda c: names.get(c, "Nederland" if c == reference_code else c)),
            "indicator": indicator,
            "indicator_label": indicator_label,
            "year": pd.to_numeric(part["year"], errors="coerce").astype("Int64"),
            "value": pd.to_numeric(part["value"], errors="coerce"),
            "lower": pd.to_numeric(part["lower"], errors="coerce") if "lower" in part else nan,
            "upper": pd.to_numeric(part["upper"], errors="coerce") if "upper" in part else nan,
            "unit": unit,
            "source_table": part["source_table"] if "source_table" in part else None,
            "source": source,
            "vintage": vintage,
        }
    )
    return out.reset_index(drop=True)


def years_span(years: Iterable[Any]) -> str:
    """'2023' or '2019–2023' for the years given (missing ones ignored); '' for none.

    >>> years_span([2021, 2019, float('nan')]), years_span([2023]), years_span([])
    ('2019–2021', '2023', '')
    """
    ys = sorted({int(y) for y in years if y is not None and not (isinstance(y, float) and math.isnan(y))})
    if not ys:
        return ""
    return str(ys[0]) if ys[0] == ys[-1] else f"{ys[0]}–{ys[-1]}"


def moved_text(moved: Any) -> str:
    """How far a region moved against the default recipe: '▲ 3' (up, more pressure), '▼ 2', '='.

    >>> [moved_text(m) for m in (3, -2, 0, None)]
    ['▲ 3', '▼ 2', '=', '–']
    """
    if moved is None or moved is pd.NA or (isinstance(moved, float) and math.isnan(moved)):
        return "–"
    m = int(moved)
    return "=" if m == 0 else f"▲ {m}" if m > 0 else f"▼ {-m}"


# =========================================================================== page parameters


@dataclass(frozen=True)
class ParamProblem:
    """A query-string value that was ignored, and why (``reason`` is a message key suffix)."""

    name: str
    value: str
    reason: str  # "unknown", "too_many", "too_few", "format", "range"


_SAFE = re.compile(r"[^A-Za-z0-9 _.,:~\-()'’À-ɏ]")


def shown(value: object, limit: int = 40) -> str:
    """A short, display-safe copy of a raw URL value for a notice.

    >>> shown("<b>GM0363</b>"), shown("x" * 50)[-1]
    ('bGM0363b', '…')
    """
    text = _SAFE.sub("", str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_values(raw: object) -> list[str]:
    """A query value (None, a string or a list of strings) → its non-empty parts; commas and ~ split.

    >>> split_values(["GM1,GM2", " GM3~GM4 "]), split_values(None)
    (['GM1', 'GM2', 'GM3', 'GM4'], [])
    """
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)  # type: ignore[arg-type]
    out: list[str] = []
    for item in items:
        out.extend(p.strip() for p in re.split(r"[,~]", str(item)) if p.strip())
    return out


def parse_regions(
    raw: object, known: Collection[str], *, max_n: int | None = None, name="regio"
) -> tuple[list[str], list[ParamProblem]]:
    """A list of known codes (e.g. ``provincie``), repeated (``?provincie=PV20&provincie=PV21``) or ``,``/``~``-separated.

    Unknown codes are dropped with a problem; duplicates are dropped; more than
    ``max_n`` are cut with a problem. Codes are matched case-insensitively
    (``gm0363`` → ``GM0363``).

    >>> known = {"GM0363", "GM0599", "t3-zuid-hollandse-delta"}
    >>> parse_regions(["GM0363", "gm0599,GM0363"], known)
    (['GM0363', 'GM0599'], [])
    >>> codes, problems = parse_regions("GM0363,GM9999", known)
    >>> codes, [(p.value, p.reason) for p in problems]
    (['GM0363'], [('GM9999', 'unknown')])
    >>> parse_regions("GM0363,GM0599", known, max_n=1)[1][0].reason
    'too_many'
    """
    by_lower = {str(k).lower(): str(k) for k in known}
    codes: list[str] = []
    problems: list[ParamProblem] = []
    for part in split_values(raw):
        code = by_lower.get(part.lower())
        if code is None:
            problems.append(ParamProblem(name, shown(part), "unknown"))
        elif code not in codes:
            codes.append(code)
    if max_n is not None and len(codes) > max_n:
        problems.append(ParamProblem(name, shown(",".join(codes[max_n:])), "too_many"))
        codes = codes[:max_n]
    return codes, problems


def parse_choice(raw: object, choices: Sequence[str], name: str, default: str | None = None) -> tuple[str | None, list[ParamProblem]]:
    """A value that must be one of ``choices`` (case-insensitive), e.g. ``regiodeal=met``.

    >>> parse_choice("MET", ["met", "zonder"], "regiodeal"), parse_choice("x", ["met"], "regiodeal")[1][0].reason
    (('met', []), 'unknown')
    """
    parts = split_values(raw)
    if not parts:
        return default, []
    by_lower = {c.lower(): c for c in choices}
    value = by_lower.get(parts[-1].lower())
    if value is None:
        return default, [ParamProblem(name, shown(parts[-1]), "unknown")]
    return value, []


def parse_population(raw: object, steps: Sequence[int] = POPULATION_STEPS) -> tuple[tuple[int, int], list[ParamProblem]]:
    """``inwoners``: a range ``low..high`` of :data:`POPULATION_STEPS` (open ends allowed: ``50000..``).

    >>> parse_population("20000..100000"), parse_population("50000..")
    (((20000, 100000), []), ((50000, 100000000), []))
    >>> parse_population("7..9")[1][0].reason
    'range'
    """
    lo_default, hi_default = steps[0], steps[-1]
    parts = split_values(raw)
    if not parts:
        return (lo_default, hi_default), []
    text = parts[-1]
    low, sep, high = text.partition("..")
    try:
        lo = int(low) if low.strip() else lo_default
        hi = int(high) if high.strip() else hi_default
    except ValueError:
        return (lo_default, hi_default), [ParamProblem("inwoners", shown(text), "format")]
    if not sep or lo not in steps or hi not in steps or lo >= hi:
        return (lo_default, hi_default), [ParamProblem("inwoners", shown(text), "range")]
    return (lo, hi), []


def population_to_query(bounds: tuple[int, int], steps: Sequence[int] = POPULATION_STEPS) -> str | None:
    """The ``inwoners`` value of a range; None for the whole range.

    >>> population_to_query((20000, 100000)), population_to_query((50000, 100000000)), population_to_query((0, 100000000))
    ('20000..100000', '50000..', None)
    """
    lo, hi = bounds
    if lo == steps[0] and hi == steps[-1]:
        return None
    return f"{lo if lo != steps[0] else ''}..{hi if hi != steps[-1] else ''}"


__all__ = [
    "DEAL_KIND",
    "PROFILE_COLUMNS",
    "PROFILE_LEVELS",
    "RANKING_COLUMNS",
    "TOP_N",
    "VALUE_COLUMNS",
    "ParamProblem",
    "area_values",
    "comparable_indicators",
    "boundary_year",
    "filter_ranking",
    "latest_years",
    "level_values",
    "moved_text",
    "parse_choice",
    "parse_population",
    "parse_regions",
    "population_to_query",
    "position_class",
    "position_rank",
    "ranking_table",
    "region_profile",
    "series_trends",
    "shown",
    "similar_regions",
    "split_values",
    "sources_for",
    "theme_pressure",
    "trend_symbol",
    "wide_values",
]
