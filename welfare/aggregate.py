"""Gemeente values → COROP, province, landsdeel, AM, NL and any set of gemeenten.

A larger area is a set of gemeenten. Each indicator's catalogue field
``aggregation`` says how its value is made (``method.md``, "Aggregating to
larger areas"):

===============  ==================================================================
rule             area value (``method``)
===============  ==================================================================
sum              the sum of the members' values, only when *every* member has one
                 (``sum``). A sum over part of the members is not the area's total,
                 so it is missing with a reason; it is never scaled up.
ratio,           the weighted mean of the members' values over the members that
weighted_mean    have one (``weighted_mean``). The weight follows the catalogue's
                 ``harmonisation_weight``: population (regions.parquet), dwellings
                 (``ctx_housing_stock``: e.g. the average WOZ value) or land area
                 (``ctx_land_area``: shares of land). A dwelling-weighted mean
                 falls back to population weights when a dwelling count is
                 missing (flagged ``approximation``); a land-area share without
                 land areas is missing.
published_only   medians and survey outcomes: the value CBS publishes for the area
                 (``published``), otherwise the population-weighted mean, flagged
                 ``approximation`` (``approximation``).
none             national-only indicators: only a published value.
===============  ==================================================================

With ``prefer_published`` (the default) a value CBS publishes for the area
replaces the computed one for *every* rule (``method`` ``published``).

**Coverage.** ``coverage`` is the population share of the members that have a
value (at the rows' indeling). A mean needs ``min_coverage`` (default 0.65, the
JRC rule of thumb in ``method.md``); below it the value is NaN and ``reason``
says why in plain words, naming the missing gemeenten. Missing member values are
never zeros: means are re-weighted over the members that have one.

**Indelingen.** Population weights and membership come from ``regions.parquet``
at the rows' ``boundary_year``; when ``regions`` lacks that year the nearest
year is used and the row is flagged ``nearest_regions_year`` (before 2013 that
can miss territory that a gemeente absorbed later, so such values are less
exact). By default each indicator × year uses the newest indeling present,
i.e. the ``harmonised`` rows (the series restated on the newest gemeenten)
when the warehouse has them; ``harmonised=False`` uses the rows as CBS
published them. Member tags such as ``harmonised`` are carried into ``flags``.

The work is vectorised: one merge of (area × member) with (indicator × year)
and the values, then grouped sums (``numpy.bincount``) per area × indicator ×
year; there is no Python loop over areas, indicators or years.

>>> sorted(METHODS)
['approximation', 'published', 'sum', 'weighted_mean']
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from welfare.catalog import Catalog, Indicator
from welfare.harmonise import HARMONISED, WEIGHT_INDICATOR
from welfare.types import LANGS, Lang

# Levels gemeente values are aggregated to, and their parent column in regions.parquet.
AreaLevel = Literal["CR", "PV", "LD", "AM", "NL"]
AREA_LEVELS: tuple[str, ...] = get_args(AreaLevel)
PARENT_COLUMN: dict[str, str | None] = {
    "CR": "corop",
    "PV": "provincie",
    "LD": "landsdeel",
    "AM": "arbeidsmarktregio",
    "NL": None,
}
NL_CODE = "NL01"
CUSTOM_LEVEL = "custom"  # the `level` of rows made by aggregate_areas

Method = Literal["published", "sum", "weighted_mean", "approximation"]
METHODS: tuple[str, ...] = get_args(Method)

OUTPUT_COLUMNS: tuple[str, ...] = (
    "area_code",
    "level",
    "indicator_id",
    "year",
    "value",
    "lower",
    "upper",
    "method",
    "coverage",
    "n_members",
    "n_with_value",
    "flags",
    "reason",
    "boundary_year",  # the gemeente indeling the value is on
)

# Flags written here; member flags (e.g. "harmonised") are carried over.
FLAG_APPROXIMATION = "approximation"
FLAG_NEAREST_REGIONS = "nearest_regions_year"
FLAG_SAME_AS = "same_as_"  # + code: a custom area with exactly the members of e.g. PV29
FLAG_SUPPRESSED = "suppressed"  # a member's flag that says nothing about the area value
NAMES_SHOWN = 5  # missing gemeenten named in a reason before "and N more"

_OBS_REQUIRED = ("indicator_id", "region_code", "level", "year", "value", "boundary_year")
_REGIONS_REQUIRED = ("code", "name", "level", "year", "population")
_KEYS = ["indicator_id", "year", "boundary_year", "ry", "area_code"]
NearestYear = Callable[[int], int]

_REASONS: dict[str, dict[str, str]] = {
    "low_coverage": {
        "en": "only {pct}% of the population has a value, {min}% needed ({names} missing)",
        "nl": "slechts {pct}% van de inwoners heeft een waarde, {min}% nodig ({names} ontbreekt)",
    },
    "no_value": {
        "en": "none of the {n} gemeenten has a value",
        "nl": "geen van de {n} gemeenten heeft een waarde",
    },
    "incomplete_sum": {
        "en": "a total needs every gemeente, {k} of {n} have no value ({names} missing)",
        "nl": "een totaal vraagt alle gemeenten, {k} van {n} hebben geen waarde ({names} ontbreekt)",
    },
    "absent": {
        "en": "{names} is not a gemeente in the {year} indeling; use harmonised rows or choose boundary_year",
        "nl": "{names} is geen gemeente in de indeling van {year}; gebruik geharmoniseerde rijen of kies boundary_year",
    },
    "no_area_weight": {
        "en": "a share of land area is weighted by land area, which is missing for {names}",
        "nl": "een aandeel van het landoppervlak weegt met het landoppervlak, en dat ontbreekt voor {names}",
    },
    "unplaced": {
        "en": "regions has no {year} indeling and that of {ry} lacks gemeenten of these rows ({names}), "
        "so the members of the area are uncertain",
        "nl": "regions heeft geen indeling van {year} en die van {ry} mist gemeenten uit deze rijen ({names}), "
        "dus de leden van het gebied zijn onzeker",
    },
    "more": {"en": " and {k} more", "nl": " en {k} andere"},
}


@dataclass(frozen=True)
class AggregationSpec:
    """How gemeente values become area values (the options of every function here).

    Attributes
    ----------
    min_coverage : float
        Population share of the members that must have a value, in (0, 1];
        below it a mean is missing with a reason. Sums need every member.
    prefer_published : bool
        Use the value CBS publishes for the area when there is one.
    lang : {"en", "nl"}
        Language of ``reason``.

    >>> AggregationSpec(min_coverage=1.5)
    Traceback (most recent call last):
    ...
    ValueError: 'min_coverage' must be in (0, 1], got 1.5
    """

    min_coverage: float = 0.65
    prefer_published: bool = True
    lang: Lang = "en"

    def __post_init__(self) -> None:
        if isinstance(self.min_coverage, bool) or not 0.0 < float(self.min_coverage) <= 1.0:
            raise ValueError(f"'min_coverage' must be in (0, 1], got {self.min_coverage!r}")
        if self.lang not in LANGS:
            raise ValueError(f"'lang' must be one of {list(LANGS)}, got {self.lang!r}")


# --------------------------------------------------------------------------- public API


def aggregate_level(
    observations: pd.DataFrame,
    regions: pd.DataFrame,
    level: AreaLevel,
    catalog: Catalog,
    *,
    boundary_year: int | None = None,
    years: Sequence[int] | None = None,
    indicators: Sequence[str] | None = None,
    prefer_published: bool = True,
    min_coverage: float = 0.65,
    harmonised: bool | None = None,
    lang: Lang = "en",
) -> pd.DataFrame:
    """Aggregate gemeente values to every COROP, province, landsdeel, AM or to NL.

    The members of an area are the gemeenten ``regions`` puts in it in the
    indeling of the rows' ``boundary_year``.

    Parameters
    ----------
    observations : pandas.DataFrame
        Warehouse observations (``indicator_id, region_code, level, year, value,
        boundary_year``; ``lower, upper, flags`` when present).
    regions : pandas.DataFrame
        ``regions.parquet``: per indeling year every GM with its parents and
        ``population``.
    level : {"CR", "PV", "LD", "AM", "NL"}
        The level to aggregate to.
    catalog : Catalog
        The indicator catalogue (``aggregation`` and ``harmonisation_weight``).
    boundary_year : int, optional
        Use only gemeente rows on this indeling. Default: per indicator and year
        the newest indeling present.
    years, indicators : sequence, optional
        Restrict the output; default all.
    prefer_published : bool, default True
        Use the value CBS publishes for the area when there is one.
    min_coverage : float, default 0.65
        Population share of members with a value needed for a mean.
    harmonised : bool, optional
        ``True``: only harmonised rows; ``False``: only rows as CBS published
        them; default both (the newest indeling wins).
    lang : {"en", "nl"}, default "en"
        Language of ``reason``.

    Returns
    -------
    pandas.DataFrame
        One row per area × indicator × year with :data:`OUTPUT_COLUMNS`. For a
        ``published`` value, ``coverage`` and ``n_with_value`` still describe
        the gemeente values (NaN and 0 when there are none).

    Raises
    ------
    ValueError
        For an unknown level or indicator, or a bad ``min_coverage``.

    Examples
    --------
    The example regions put four gemeenten in COROP Noord-Overijssel; Kampen
    and Staphorst have no value, so the mean is taken over Zwolle and
    Zwartewaterland, which hold 67 % of the people (there is no published
    COROP value in the example):

    >>> from welfare.catalog import load_catalog
    >>> obs, reg = example_frames()
    >>> out = aggregate_level(obs, reg, "CR", load_catalog())
    >>> out[["area_code", "value", "method", "coverage", "n_members", "n_with_value"]]
      area_code  value         method  coverage  n_members  n_with_value
    0      CR10   3.55  weighted_mean  0.666667          4             2
    """
    level = _check_level(level)
    spec = AggregationSpec(min_coverage=min_coverage, prefer_published=prefer_published, lang=lang)
    obs, reg = _check_frames(observations, regions)
    indicator_ids = _check_indicators(indicators, catalog)
    year_list = _check_years(years)
    ry_of = _nearest_year_fn(reg)
    gm = reg[reg["level"] == "GM"]
    parent = PARENT_COLUMN[level]
    members = pd.DataFrame(
        {
            "ry": gm["year"].to_numpy(dtype="int64"),
            "area_code": NL_CODE if parent is None else gm[parent].to_numpy(dtype=object),
            "gm_code": gm["code"].to_numpy(dtype=object),
            "population": gm["population"].to_numpy(dtype="float64"),
            "name": gm["name"].to_numpy(dtype=object),
            "exists": True,
        }
    ).dropna(subset=["area_code"])
    members = members.sort_values(["ry", "area_code", "gm_code"], kind="stable", ignore_index=True)
    rows = _select_rows(obs, indicator_ids, year_list, boundary_year, harmonised, catalog)
    published = None
    if spec.prefer_published:
        published = _published_rows(obs, level, indicator_ids, year_list)
        published = published.assign(area_code=published["region_code"], same_as="")
    out = _aggregate(rows, members, published, catalog, spec, ry_of, _weight_rows(obs), gm)
    out["level"] = level
    return _finish(out)


def aggregate_areas(
    observations: pd.DataFrame,
    regions: pd.DataFrame,
    areas: Mapping[str, Sequence[str]],
    catalog: Catalog,
    *,
    boundary_year: int | None = None,
    years: Sequence[int] | None = None,
    indicators: Sequence[str] | None = None,
    prefer_published: bool = True,
    min_coverage: float = 0.65,
    harmonised: bool | None = None,
    lang: Lang = "en",
) -> pd.DataFrame:
    """Aggregate gemeente values to any sets of gemeenten (deal areas, selections).

    A set whose members are exactly those of a COROP, province, landsdeel, AM
    or NL in the rows' indeling gets that area's published value, flagged
    ``same_as_<code>``, when ``prefer_published``.

    Parameters
    ----------
    observations, regions : pandas.DataFrame
        Warehouse observations and regions (see :func:`aggregate_level`).
    areas : Mapping[str, Sequence[str]]
        Area code (a deal id, any label) → gemeente codes. Order and duplicates
        of the codes do not matter.
    catalog : Catalog
        The indicator catalogue.
    boundary_year : int, optional
        Use only rows on this indeling; every code must be a gemeente in it.
        Default: per indicator and year the newest indeling present; a code that
        is not a gemeente in a row's indeling makes that value missing, with a
        reason (and a ``UserWarning`` says when a series mixes indelingen that
        differ).
    years, indicators : sequence, optional
        Restrict the output; default all.
    prefer_published : bool, default True
        Use CBS's value when a set equals a published area.
    min_coverage : float, default 0.65
        Population share of members with a value needed for a mean.
    harmonised : bool, optional
        See :func:`aggregate_level`.
    lang : {"en", "nl"}, default "en"
        Language of ``reason``.

    Returns
    -------
    pandas.DataFrame
        One row per area × indicator × year with :data:`OUTPUT_COLUMNS`;
        ``level`` is ``"custom"``.

    Raises
    ------
    ValueError
        For an empty area, a gemeente code that is unknown (in ``boundary_year``
        when given, else in every indeling of ``regions``), an unknown indicator
        or a bad ``min_coverage``.

    Examples
    --------
    >>> from welfare.catalog import load_catalog
    >>> obs, reg = example_frames()
    >>> areas = {"deal": ["GM1896", "GM0193", "GM0193"], "thin": ["GM0166", "GM1896"]}
    >>> out = aggregate_areas(obs, reg, areas, load_catalog())
    >>> out[["area_code", "level", "value", "method", "coverage", "n_with_value"]]
      area_code   level  value         method  coverage  n_with_value
    0      deal  custom   3.55  weighted_mean  1.000000             2
    1      thin  custom    NaN  weighted_mean  0.333333             1
    >>> print(out.loc[1, "reason"])
    only 33% of the population has a value, 65% needed (Kampen missing)
    >>> aggregate_areas(obs, reg, {"x": ["GM0193", "GM9999"]}, load_catalog(), boundary_year=2024)
    Traceback (most recent call last):
    ...
    ValueError: area 'x': unknown gemeente code(s) 'GM9999': not a gemeente in the 2024 indeling
    """
    spec = AggregationSpec(min_coverage=min_coverage, prefer_published=prefer_published, lang=lang)
    obs, reg = _check_frames(observations, regions)
    indicator_ids = _check_indicators(indicators, catalog)
    year_list = _check_years(years)
    ry_of = _nearest_year_fn(reg)
    gm = reg[reg["level"] == "GM"]
    pairs = _check_areas(areas, gm, boundary_year, ry_of)
    rows = _select_rows(obs, indicator_ids, year_list, boundary_year, harmonised, catalog)
    published = _published_rows(obs, None, indicator_ids, year_list) if spec.prefer_published else None
    needed = {ry_of(int(b)) for b in rows["boundary_year"].unique()}
    if published is not None:
        needed |= {ry_of(int(b)) for b in published["boundary_year"].unique()}
    # Members per indeling year: every (area, code) × needed year, with that year's
    # population; a code that is no gemeente in that year keeps a NaN population.
    grid = pairs.merge(pd.DataFrame({"ry": np.array(sorted(needed), dtype="int64")}), how="cross")
    lookup = pd.DataFrame(
        {
            "ry": gm["year"].to_numpy(dtype="int64"),
            "gm_code": gm["code"].to_numpy(dtype=object),
            "population": gm["population"].to_numpy(dtype="float64"),
            "name": gm["name"].to_numpy(dtype=object),
            "exists": True,
        }
    )
    members = grid.merge(lookup, on=["ry", "gm_code"], how="left")
    members["exists"] = members["exists"].fillna(False).astype(bool)
    members["name"] = members["name"].where(members["exists"], members["gm_code"])
    members = members.sort_values(["ry", "area_code", "gm_code"], kind="stable", ignore_index=True)
    if published is not None:
        published = _same_as(published, members, gm, ry_of)
    out = _aggregate(rows, members, published, catalog, spec, ry_of, _weight_rows(obs), gm)
    out["level"] = CUSTOM_LEVEL
    out = _finish(out)
    if boundary_year is None:
        _warn_mixed_indelingen(out, gm, ry_of)
    return out


def area_profile(
    observations: pd.DataFrame,
    regions: pd.DataFrame,
    gemeenten: Sequence[str],
    catalog: Catalog,
    year: int | None = None,
    lang: Lang = "nl",
    *,
    boundary_year: int | None = None,
    min_coverage: float = 0.65,
) -> pd.DataFrame:
    """One row per catalogue indicator for one set of gemeenten (the CLI's table).

    ``python -m welfare aggregate --gemeenten GM..,GM.. [--year]`` prints this.

    Parameters
    ----------
    observations, regions : pandas.DataFrame
        Warehouse observations and regions.
    gemeenten : Sequence[str]
        The gemeente codes of the area.
    catalog : Catalog
        The indicator catalogue; its order is the row order.
    year : int, optional
        The report year; default per indicator the latest year with a value.
    lang : {"nl", "en"}, default "nl"
        Language of labels, units and reasons.
    boundary_year, min_coverage
        See :func:`aggregate_areas`.

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator_id, label, unit, year, value, method, coverage,
        n_members, n_with_value, flags, reason``; ``year`` is <NA> and ``method``
        empty when the indicator has no area row in any year.

    Examples
    --------
    >>> from welfare.catalog import load_catalog
    >>> obs, reg = example_frames()
    >>> prof = area_profile(obs, reg, ["GM0193", "GM1896"], load_catalog(), lang="en")
    >>> row = prof.set_index("indicator_id").loc["wrk_unemployment"]
    >>> print(row["label"], row["year"], row["value"], row["method"], row["coverage"])
    Unemployment rate 2024 3.55 weighted_mean 1.0
    >>> print(prof.set_index("indicator_id").loc["mat_gdp_per_capita", "reason"])
    CBS does not publish this indicator per gemeente (only CR/PV/LD/NL); an area cannot be built from it
    """
    if lang not in LANGS:
        raise ValueError(f"'lang' must be one of {list(LANGS)}, got {lang!r}")
    if isinstance(gemeenten, str):
        gemeenten = [c for c in gemeenten.split(",") if c.strip()]
    with warnings.catch_warnings():
        # each indicator shows a single year, so indelingen differing between years do not matter
        warnings.simplefilter("ignore", UserWarning)
        agg = aggregate_areas(
            observations,
            regions,
            {"area": [c.strip() for c in gemeenten]},
            catalog,
            boundary_year=boundary_year,
            years=None if year is None else [year],
            min_coverage=min_coverage,
            lang=lang,
        )
    agg = agg.assign(_has=agg["value"].notna()).sort_values(["indicator_id", "_has", "year"], kind="stable")
    best = agg.groupby("indicator_id", sort=False).tail(1).set_index("indicator_id")
    n_members = len(set(gemeenten))
    records = []
    for ind in catalog.indicators.values():
        record: dict[str, object] = {"indicator_id": ind.id, "label": ind.label(lang), "unit": ind.unit(lang)}
        if ind.id in best.index:
            row = best.loc[ind.id]
            record |= {
                "year": int(row["year"]),
                "value": float(row["value"]),
                "method": row["method"],
                "coverage": float(row["coverage"]),
                "n_members": int(row["n_members"]),
                "n_with_value": int(row["n_with_value"]),
                "flags": row["flags"],
                "reason": row["reason"],
            }
        else:
            record |= {
                "year": pd.NA,
                "value": np.nan,
                "method": "",
                "coverage": np.nan,
                "n_members": n_members,
                "n_with_value": 0,
                "flags": "",
                "reason": _unavailable_reason(ind, year, lang),
            }
        records.append(record)
    out = pd.DataFrame.from_records(records)
    out["year"] = out["year"].astype("Int64")
    return out


def example_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A tiny warehouse for examples and tests: four gemeenten of COROP Noord-Overijssel.

    Real codes and names, made-up figures: unemployment 2024 for Zwolle (4.0 %),
    Kampen (missing, ``suppressed``) and Zwartewaterland (1.3 %); Staphorst has
    no row. Populations 100 000, 40 000, 20 000 and 20 000.

    >>> obs, reg = example_frames()
    >>> obs[["region_code", "value"]].to_dict("list")
    {'region_code': ['GM0193', 'GM0166', 'GM1896'], 'value': [4.0, nan, 1.3]}
    """
    codes = ["GM0193", "GM0166", "GM1896", "GM0180"]
    regions = pd.DataFrame(
        {
            "code": codes,
            "name": ["Zwolle", "Kampen", "Zwartewaterland", "Staphorst"],
            "level": "GM",
            "year": 2024,
            "corop": "CR10",
            "provincie": "PV23",
            "landsdeel": "LD02",
            "arbeidsmarktregio": "AM36",
            "population": [100_000.0, 40_000.0, 20_000.0, 20_000.0],
        }
    )
    observations = pd.DataFrame(
        {
            "indicator_id": "wrk_unemployment",
            "region_code": codes[:3],
            "level": "GM",
            "year": 2024,
            "value": [4.0, np.nan, 1.3],
            "lower": np.nan,
            "upper": np.nan,
            "source_table": "86088NED",
            "boundary_year": 2024,
            "flags": ["", FLAG_SUPPRESSED, ""],
        }
    )
    return observations, regions


# --------------------------------------------------------------------------- validation


def _check_level(level: object) -> str:
    if level not in AREA_LEVELS:
        raise ValueError(f"'level' must be one of {list(AREA_LEVELS)}, got {level!r}")
    return str(level)


def _check_frames(observations: pd.DataFrame, regions: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    for what, frame, required in (
        ("observations", observations, _OBS_REQUIRED),
        ("regions", regions, _REGIONS_REQUIRED),
    ):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"'{what}' must be a pandas DataFrame, got {type(frame).__name__}")
        missing = [c for c in required if c not in frame.columns]
        if missing:
            raise ValueError(f"'{what}' lacks column(s) {missing}")
    if not regions["level"].eq("GM").any():
        raise ValueError("'regions' has no gemeente (level GM) rows")
    return observations, regions


def _check_indicators(indicators: Sequence[str] | None, catalog: Catalog) -> list[str]:
    if indicators is None:
        return list(catalog.indicators)
    if isinstance(indicators, str):
        indicators = [indicators]
    unknown = [i for i in indicators if i not in catalog.indicators]
    if unknown:
        raise ValueError(f"unknown indicator(s) {unknown}; see `python -m welfare indicators`")
    return list(dict.fromkeys(indicators))


def _check_years(years: Sequence[int] | int | None) -> list[int] | None:
    if years is None:
        return None
    if isinstance(years, (int, np.integer)):
        return [int(years)]
    return [int(y) for y in years]


def _check_areas(
    areas: Mapping[str, Sequence[str]], gm: pd.DataFrame, boundary_year: int | None, ry_of: NearestYear
) -> pd.DataFrame:
    """(area_code, gm_code) pairs, deduplicated and sorted; an unknown code raises."""
    if not isinstance(areas, Mapping) or not areas:
        raise ValueError(f"'areas' must be a non-empty mapping of area code → gemeente codes, got {areas!r}")
    if boundary_year is not None:
        ry = ry_of(int(boundary_year))
        known = set(gm.loc[gm["year"] == ry, "code"])
        where = f"the {boundary_year} indeling" + (f" (regions of {ry})" if ry != boundary_year else "")
    else:
        known = set(gm["code"])
        where = f"any indeling {int(gm['year'].min())}–{int(gm['year'].max())}"
    pairs: list[tuple[str, str]] = []
    for area, codes in areas.items():
        if isinstance(codes, str):
            raise ValueError(f"area {area!r}: give a sequence of gemeente codes, got the string {codes!r}")
        unique = sorted({str(c) for c in codes})
        if not unique:
            raise ValueError(f"area {area!r} has no gemeenten")
        bad = [c for c in unique if c not in known]
        if bad:
            shown = ", ".join(repr(c) for c in bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
            raise ValueError(f"area {area!r}: unknown gemeente code(s) {shown}: not a gemeente in {where}")
        pairs += [(str(area), c) for c in unique]
    return pd.DataFrame(pairs, columns=["area_code", "gm_code"])


# --------------------------------------------------------------------------- inputs


def _nearest_year_fn(regions: pd.DataFrame) -> NearestYear:
    """year → the regions year used for it: itself, else the nearest (the later on a tie)."""
    have = np.array(sorted(int(y) for y in regions.loc[regions["level"] == "GM", "year"].unique()))
    cache: dict[int, int] = {}

    def nearest(year: int) -> int:
        if year not in cache:
            cache[year] = int(have[np.lexsort((-have, np.abs(have - year)))[0]])
        return cache[year]

    return nearest


def _flag_codes(obs: pd.DataFrame, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the flags of rows ``pos`` into an array of distinct flag strings (factorised once)."""
    if "flags" not in obs:
        return np.zeros(len(pos), dtype="int64"), np.array([""], dtype=object)
    codes, uniques = pd.factorize(obs["flags"].fillna(""))
    return codes[pos], np.asarray(uniques, dtype=object)


def _flags_of(obs: pd.DataFrame, keep: pd.Series) -> pd.Series:
    if "flags" not in obs:
        return pd.Series("", index=obs.index[keep], dtype=object)
    return obs.loc[keep, "flags"].fillna("").astype(str)


def _select_rows(
    obs: pd.DataFrame,
    indicator_ids: list[str],
    years: list[int] | None,
    boundary_year: int | None,
    harmonised: bool | None,
    catalog: Catalog,
) -> pd.DataFrame:
    """The gemeente rows to aggregate: per indicator × year one indeling and one kind of row.

    Per indicator × year: the newest indeling present (or ``boundary_year``), and on it
    the rows as CBS published them before harmonised copies.
    """
    computable = [i for i in indicator_ids if catalog.indicators[i].aggregation != "none"]
    keep = obs["level"].eq("GM") & obs["indicator_id"].isin(computable)
    if years is not None:
        keep &= obs["year"].isin(years)
    if boundary_year is not None:
        keep &= obs["boundary_year"].eq(boundary_year)
    pos = np.flatnonzero(keep.to_numpy())
    rows = obs[["indicator_id", "region_code", "year", "boundary_year", "value"]].take(pos)
    rows = rows.rename(columns={"region_code": "gm_code"}).reset_index(drop=True)
    flag_codes, flag_values = _flag_codes(obs, pos)
    rows["flags"] = np.asarray(flag_values, dtype=object)[flag_codes] if len(rows) else ""
    rows["year"] = rows["year"].astype("int64")
    rows["boundary_year"] = rows["boundary_year"].astype("int64")
    for bound in ("lower", "upper"):
        rows[bound] = obs[bound].to_numpy(dtype="float64")[pos] if bound in obs else np.nan
    is_harm = np.array([HARMONISED in str(f).split("|") for f in flag_values], dtype=bool)[flag_codes]
    if harmonised is not None:
        rows, is_harm = rows[is_harm == harmonised], is_harm[is_harm == harmonised]
    if rows.empty:
        return rows.reset_index(drop=True)
    # Score per row: the newest indeling first, then published before harmonised; keep the
    # best-scoring rows of each indicator × year (one grouped max over integer keys).
    ind_code = pd.factorize(rows["indicator_id"])[0]
    score = rows["boundary_year"].to_numpy() * 2 + ~is_harm
    best = pd.Series(score).groupby([ind_code, rows["year"].to_numpy()]).transform("max").to_numpy()
    return rows[score == best].reset_index(drop=True)


def _published_rows(
    obs: pd.DataFrame, level: str | None, indicator_ids: list[str], years: list[int] | None
) -> pd.DataFrame:
    """CBS's own values at ``level`` (all non-GM levels when None), with a value; one per region × year."""
    keep = obs["indicator_id"].isin(indicator_ids) & obs["value"].notna()
    keep &= obs["level"].ne("GM") if level is None else obs["level"].eq(level)
    if years is not None:
        keep &= obs["year"].isin(years)
    pub = obs.loc[keep, ["indicator_id", "region_code", "year", "boundary_year", "value"]].copy()
    pub["flags"] = _flags_of(obs, keep).to_numpy(dtype=object)
    for bound in ("lower", "upper"):
        pub[bound] = obs.loc[keep, bound].to_numpy(dtype="float64") if bound in obs else np.nan
    pub["year"] = pub["year"].astype("int64")
    pub["boundary_year"] = pub["boundary_year"].astype("int64")
    pub = pub.sort_values("boundary_year", ascending=False, kind="stable")
    return pub.drop_duplicates(["indicator_id", "region_code", "year"]).reset_index(drop=True)


def _same_as(published: pd.DataFrame, members: pd.DataFrame, gm: pd.DataFrame, ry_of: NearestYear) -> pd.DataFrame:
    """Published values for custom areas whose members equal those of a published area in that indeling.

    Member sets are compared through a signature (size and a sum of random 64-bit
    numbers per code) and confirmed exactly for the few candidates.
    """
    empty = published.iloc[0:0].assign(area_code="", same_as="")
    levels = [lv for lv in AREA_LEVELS if published["region_code"].str.startswith(lv).any()]
    complete = members[members.groupby(["ry", "area_code"])["exists"].transform("all")]
    if not levels or complete.empty:
        return empty
    codes = pd.Index(sorted(gm["code"].unique()), dtype=object)
    salt = np.random.default_rng(0).integers(1, 2**62, size=len(codes), dtype=np.int64)
    parents = pd.concat(
        [
            pd.DataFrame(
                {
                    "ry": gm["year"].to_numpy(dtype="int64"),
                    "gm_code": gm["code"].to_numpy(dtype=object),
                    "_p": NL_CODE if PARENT_COLUMN[lv] is None else gm[PARENT_COLUMN[lv]].to_numpy(dtype=object),
                }
            )
            for lv in levels
        ],
        ignore_index=True,
    ).dropna(subset=["_p"])

    def signature(frame: pd.DataFrame, group: list[str]) -> pd.DataFrame:
        hashed = salt[codes.get_indexer(frame["gm_code"].to_numpy(dtype=object))]
        return frame[group].assign(_h=hashed, _n=1).groupby(group, sort=False)[["_h", "_n"]].sum().reset_index()

    candidates = signature(complete, ["ry", "area_code"]).merge(signature(parents, ["ry", "_p"]), on=["ry", "_h", "_n"])
    matches = []
    for ry, area, parent in candidates[["ry", "area_code", "_p"]].itertuples(index=False):  # a few candidates
        mine = complete.loc[(complete["ry"] == ry) & (complete["area_code"] == area), "gm_code"]
        theirs = parents.loc[(parents["ry"] == ry) & (parents["_p"] == parent), "gm_code"]
        if set(mine) == set(theirs):
            matches.append((int(ry), str(area), str(parent)))
    if not matches:
        return empty
    same = pd.DataFrame(matches, columns=["ry", "area_code", "region_code"]).drop_duplicates(["ry", "area_code"])
    pub = published[published["region_code"].isin(same["region_code"])].copy()
    pub["ry"] = np.array([ry_of(int(b)) for b in pub["boundary_year"]], dtype="int64")
    pub = pub.merge(same, on=["ry", "region_code"], how="inner").drop(columns="ry")
    pub["same_as"] = FLAG_SAME_AS + pub["region_code"].astype(str)
    return pub


def _weight_kind(ind: Indicator) -> str:
    """The weight of a mean: the catalogue's harmonisation weight when it has an indicator, else population."""
    return ind.harmonisation_weight if ind.harmonisation_weight in WEIGHT_INDICATOR else "population"


def _weight_rows(obs: pd.DataFrame) -> pd.DataFrame:
    """Land area and dwellings per gemeente × year × indeling: the weights of non-population means."""
    by_indicator = {v: k for k, v in WEIGHT_INDICATOR.items()}
    keep = obs["indicator_id"].isin(list(by_indicator)) & obs["level"].eq("GM") & obs["value"].notna()
    out = obs.loc[keep, ["indicator_id", "region_code", "year", "boundary_year", "value"]].copy()
    out["kind"] = out.pop("indicator_id").map(by_indicator)
    out = out.rename(columns={"region_code": "gm_code", "value": "alt_weight"})
    out["year"] = out["year"].astype("int64")
    out["boundary_year"] = out["boundary_year"].astype("int64")
    return out.drop_duplicates(["kind", "gm_code", "year", "boundary_year"])


# --------------------------------------------------------------------------- the engine


def _aggregate(
    rows: pd.DataFrame,
    members: pd.DataFrame,
    published: pd.DataFrame | None,
    catalog: Catalog,
    spec: AggregationSpec,
    ry_of: NearestYear,
    weights: pd.DataFrame,
    gm: pd.DataFrame,
) -> pd.DataFrame:
    """members × (indicator, year, indeling), one merge with the values, grouped sums."""
    lang = spec.lang
    indicators = catalog.indicators
    kind_of = {i: _weight_kind(ind) for i, ind in indicators.items()}
    rows = _with_weights(rows, weights, kind_of)
    tasks = rows[["indicator_id", "year", "boundary_year"]].drop_duplicates(ignore_index=True)
    tasks["ry"] = np.array([ry_of(int(b)) for b in tasks["boundary_year"]], dtype="int64")
    unplaced = _unplaced(rows, tasks, gm, lang)

    # Integer keys (sorted like the strings): merging and grouping int64 is several times
    # faster than strings. Decoded again at the end.
    ind_codes, ind_index = _sorted_codes(rows["indicator_id"])
    gm_index = pd.Index(sorted(set(members["gm_code"].unique()) | set(rows["gm_code"].unique())), dtype=object)
    area_codes, area_index = _sorted_codes(members["area_code"])
    flag_codes, flag_values = pd.factorize(rows["flags"])
    rows = rows.assign(indicator_id=ind_codes, gm_code=_codes_in(rows["gm_code"], gm_index), flags=flag_codes)
    tasks["indicator_id"] = ind_index.get_indexer(tasks["indicator_id"].to_numpy(dtype=object))
    tasks["_task"] = np.arange(len(tasks))
    member_names = members["name"].astype(str).to_numpy(dtype=object)
    members = pd.DataFrame(
        {
            "ry": members["ry"].to_numpy(dtype="int64"),
            "area_code": area_codes,
            "gm_code": _codes_in(members["gm_code"], gm_index),
            "population": members["population"].to_numpy(dtype="float64"),
            "exists": members["exists"].to_numpy(dtype=bool),
            "_mid": np.arange(len(members)),
        }
    )
    grid = tasks.merge(members, on="ry", how="inner")
    grid = grid.merge(rows, on=["indicator_id", "year", "boundary_year", "gm_code"], how="left", validate="many_to_one")
    grid["flags"] = grid["flags"].fillna(-1).astype("int64")

    # One group per task × area: sums with bincount over a dense group id.
    key = grid["_task"].to_numpy(dtype="int64") * len(area_index) + grid["area_code"].to_numpy(dtype="int64")
    keys, first, gid = np.unique(key, return_index=True, return_inverse=True)
    grid["_gid"] = gid
    n_groups = len(keys)
    exists = grid["exists"].to_numpy(dtype=bool)
    val = grid["value"].to_numpy(dtype="float64")
    has = ~np.isnan(val) & exists
    pop = np.nan_to_num(grid["population"].to_numpy(dtype="float64"))  # unknown population: no weight
    alt = grid["alt_weight"].to_numpy(dtype="float64")
    has_alt = has & ~np.isnan(alt)
    lower = grid["lower"].to_numpy(dtype="float64")
    upper = grid["upper"].to_numpy(dtype="float64")
    has_bounds = has & ~np.isnan(lower) & ~np.isnan(upper)

    def total(x: np.ndarray) -> np.ndarray:
        return np.bincount(gid, weights=x.astype("float64"), minlength=n_groups)

    vmin = np.full(n_groups, np.inf)
    vmax = np.full(n_groups, -np.inf)
    np.minimum.at(vmin, gid[has], val[has])
    np.maximum.at(vmax, gid[has], val[has])
    agg = grid.iloc[first][_KEYS].reset_index(drop=True)
    agg["n_members"] = np.bincount(gid, minlength=n_groups)
    n_members = agg["n_members"].to_numpy()
    n_with = total(has).astype("int64")
    absent = total(~exists) > 0
    pop_total = total(np.nan_to_num(pop))
    w_pop = total(np.where(has, pop, 0.0))
    w_alt = total(np.where(has_alt, alt, 0.0))
    no_alt = total(has & ~has_alt)
    no_bounds = total(has & ~has_bounds)

    rule = np.array([indicators[i].aggregation for i in ind_index], dtype=object)[agg["indicator_id"].to_numpy()]
    kind = np.array([kind_of[i] for i in ind_index], dtype=object)[agg["indicator_id"].to_numpy()]
    is_sum = rule == "sum"
    # Dwelling/land-area weights are used when every member with a value has one.
    alt_ok = (kind != "population") & (no_alt == 0) & (w_alt > 0)
    by_area_missing = (kind == "area") & ~alt_ok & ~is_sum & (n_with > 0)
    approx = (rule == "published_only") | ((kind == "dwellings") & ~alt_ok & ~is_sum)
    use_alt = alt_ok[gid]
    w_row = np.where(use_alt, np.where(has_alt, alt, 0.0), np.where(has, pop, 0.0))
    w = np.where(alt_ok, w_alt, w_pop)
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(absent, np.nan, w_pop / pop_total)
        mean = total(np.where(w_row > 0, val * w_row, 0.0)) / w
        low = total(np.where(has_bounds & (w_row > 0), lower * w_row, 0.0)) / w
        up = total(np.where(has_bounds & (w_row > 0), upper * w_row, 0.0)) / w
    # Clipping to the members' range removes rounding beyond it (one member returns its own value).
    mean = np.clip(mean, vmin, vmax)
    enough = coverage >= spec.min_coverage - 1e-12
    complete = (n_with == n_members) & ~absent
    # A task on an indeling that regions lacks, with gemeenten that the nearest regions year
    # does not know: the members of every area are uncertain, so no value.
    task_unplaced = np.full(len(tasks), None, dtype=object)
    if len(unplaced):
        where = tasks.merge(unplaced.assign(indicator_id=ind_index.get_indexer(unplaced["indicator_id"])))
        task_unplaced[where["_task"].to_numpy()] = where["_unplaced"].to_numpy(dtype=object)
    unplaced_names = task_unplaced[grid["_task"].to_numpy()[first]]
    uncertain = pd.notna(unplaced_names)
    mean_ok = enough & (n_with > 0) & ~by_area_missing & ~is_sum & ~uncertain
    value = np.where(is_sum, np.where(complete & ~uncertain, total(np.where(has, val, 0.0)), np.nan), np.where(mean_ok, mean, np.nan))
    # Bounds: the weighted mean of the members' bounds when all of them have bounds (as in
    # harmonise; conservative, it assumes the members' errors move together).
    bounds_ok = mean_ok & (no_bounds == 0)
    agg["value"] = value
    agg["lower"] = np.where(bounds_ok, low, np.nan)
    agg["upper"] = np.where(bounds_ok, up, np.nan)
    agg["coverage"] = coverage
    agg["n_with_value"] = n_with
    agg["method"] = np.where(is_sum, "sum", np.where(approx, "approximation", "weighted_mean"))

    # Reasons for missing values, in plain words, naming the missing gemeenten.
    agg["reason"] = ""
    missing = np.flatnonzero(np.isnan(value))
    if len(missing):
        lost = np.isin(gid, missing)
        grid_kind = np.array([kind_of[i] for i in ind_index], dtype=object)[grid["indicator_id"].to_numpy()]
        named = grid.assign(name=member_names[grid["_mid"].to_numpy()], code=gm_index.to_numpy()[grid["gm_code"].to_numpy()])
        sub = agg.iloc[missing].reset_index(drop=True)
        idx = sub.index
        cases = {
            "_names": _names(named[lost & ~has & exists], lang, n_groups)[missing],
            "_absent": _names(named[lost & ~exists], lang, n_groups, by="code")[missing],
            "_no_area": _names(named[lost & has & ~has_alt & (grid_kind == "area")], lang, n_groups)[missing],
        }
        text = {
            "low_coverage": _fill(
                _REASONS["low_coverage"][lang],
                idx,
                pct=pd.Series(np.floor(np.nan_to_num(coverage[missing]) * 100).astype(int), index=idx),
                min=int(round(spec.min_coverage * 100)),
                names=pd.Series(cases["_names"], index=idx),
            ),
            "no_value": _fill(_REASONS["no_value"][lang], idx, n=sub["n_members"]),
            "incomplete_sum": _fill(
                _REASONS["incomplete_sum"][lang],
                idx,
                k=pd.Series(n_members[missing] - n_with[missing], index=idx),
                n=sub["n_members"],
                names=pd.Series(cases["_names"], index=idx),
            ),
            "absent": _fill(_REASONS["absent"][lang], idx, names=pd.Series(cases["_absent"], index=idx), year=sub["boundary_year"]),
            "no_area_weight": _fill(_REASONS["no_area_weight"][lang], idx, names=pd.Series(cases["_no_area"], index=idx)),
            "unplaced": _fill(
                _REASONS["unplaced"][lang], idx, year=sub["boundary_year"], ry=sub["ry"], names=pd.Series(unplaced_names[missing], index=idx)
            ),
        }
        agg.loc[missing, "reason"] = np.select(
            [uncertain[missing], absent[missing], n_with[missing] == 0, is_sum[missing], by_area_missing[missing]],
            [text["unplaced"], text["absent"], text["no_value"], text["incomplete_sum"], text["no_area_weight"]],
            default=text["low_coverage"],
        )

    # Flags: the method, the regions year, then the tags of the members used (e.g. harmonised).
    flag_text = np.append(np.asarray(flag_values, dtype=object), "")  # code -1 (no row) → ""
    tags = _member_tags(grid["flags"].to_numpy(), flag_text, has, gid, n_groups)
    approx_flag = approx | tags.pop(FLAG_APPROXIMATION, np.zeros(n_groups, dtype=bool))
    agg["flags"] = _join_flags(
        [
            np.where(approx_flag, FLAG_APPROXIMATION, ""),
            np.where(agg["ry"].to_numpy() != agg["boundary_year"].to_numpy(), FLAG_NEAREST_REGIONS, ""),
            *(np.where(on, tag, "") for tag, on in tags.items()),
        ]
    )
    agg["indicator_id"] = ind_index.to_numpy()[agg["indicator_id"].to_numpy()]
    agg["area_code"] = area_index.to_numpy()[agg["area_code"].to_numpy()]
    if published is not None and len(published):
        counts = members.groupby(["ry", "area_code"]).size().rename("_n").reset_index()
        counts["area_code"] = area_index.to_numpy()[counts["area_code"].to_numpy()]
        agg = _apply_published(agg, published, counts, ry_of)
    return agg


def _sorted_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of ``values`` in the sorted order of its distinct values, and those values."""
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype("int64"), pd.Index(np.asarray(uniques, dtype=object), dtype=object)


def _codes_in(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Positions of ``values`` in ``index`` (factorize first: few distinct values, many rows)."""
    codes, uniques = pd.factorize(values)
    return index.get_indexer(np.asarray(uniques, dtype=object))[codes].astype("int64")


def _with_weights(rows: pd.DataFrame, weights: pd.DataFrame, kind_of: dict[str, str]) -> pd.DataFrame:
    """Add ``alt_weight``: land area or dwellings of the row's gemeente, year and indeling (else NaN)."""
    codes, uniques = pd.factorize(rows["indicator_id"])
    kind = np.array([kind_of[i] for i in uniques] + [""], dtype=object)[codes]
    other = kind != "population"
    alt = np.full(len(rows), np.nan)
    if other.any() and not weights.empty:
        part = rows.loc[other, ["gm_code", "year", "boundary_year"]].assign(kind=kind[other])
        # a left merge keeps the left order, so the weights line up with `other`
        alt[other] = part.merge(weights, on=["kind", "gm_code", "year", "boundary_year"], how="left")["alt_weight"].to_numpy()
    return rows.assign(alt_weight=alt)


def _unplaced(rows: pd.DataFrame, tasks: pd.DataFrame, gm: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per task on a nearest regions year: the gemeenten with a value that regions of that year lacks."""
    keys = ["indicator_id", "year", "boundary_year"]
    empty = pd.DataFrame(columns=[*keys, "_unplaced"])
    nearest = tasks[tasks["ry"] != tasks["boundary_year"]]
    if nearest.empty:
        return empty
    lost = []
    for ry, boundaries in nearest.groupby("ry")["boundary_year"]:  # at most a few regions years
        known = gm.loc[gm["year"] == ry, "code"]
        part = rows[rows["boundary_year"].isin(boundaries.unique()) & rows["value"].notna()]
        lost.append(part.loc[~part["gm_code"].isin(known), [*keys, "gm_code"]])
    lost_rows = pd.concat(lost, ignore_index=True)
    if lost_rows.empty:
        return empty
    task_id, uniques = pd.factorize(pd.MultiIndex.from_frame(lost_rows[keys]))
    names = _names(lost_rows.assign(_gid=task_id, name=lost_rows["gm_code"]), lang, len(uniques))
    return uniques.to_frame(index=False, name=keys).assign(_unplaced=names)


def _names(frame: pd.DataFrame, lang: str, n_groups: int, by: str = "name") -> np.ndarray:
    """Per group id (``frame["_gid"]``): names, largest population first, at most NAMES_SHOWN, then "and N more".

    Returns an array of ``n_groups`` strings ('' for groups without rows).
    """
    out = np.full(n_groups, "", dtype=object)
    if frame.empty:
        return out
    pop = frame["population"].to_numpy(dtype="float64") if "population" in frame else np.zeros(len(frame))
    tiebreak = frame["gm_code"].to_numpy()  # integer codes sorted like the strings, or the strings
    if tiebreak.dtype == object:
        tiebreak = pd.factorize(tiebreak, sort=True)[0]
    order = np.lexsort((tiebreak, -np.nan_to_num(pop), frame["_gid"].to_numpy()))
    gid = frame["_gid"].to_numpy()[order]
    text = frame[by].to_numpy(dtype=object)[order].astype(str)
    starts = np.r_[0, np.flatnonzero(np.diff(gid)) + 1]
    rank = np.arange(len(gid)) - np.repeat(starts, np.diff(np.r_[starts, len(gid)]))
    # a (group × rank) matrix of names joined column by column: no Python loop over groups
    matrix = np.full((n_groups, NAMES_SHOWN), "", dtype=object)
    shown = rank < NAMES_SHOWN
    matrix[gid[shown], rank[shown]] = text[shown]
    joined = matrix[:, 0]
    for r in range(1, NAMES_SHOWN):
        col = matrix[:, r]
        joined = np.where(col != "", joined + ", " + col, joined)
    more = np.clip(np.bincount(gid, minlength=n_groups) - NAMES_SHOWN, 0, None)
    if (more > 0).any():
        tail = _fill(_REASONS["more"][lang], pd.RangeIndex(n_groups), k=pd.Series(more)).to_numpy(dtype=object)
        joined = np.where(more > 0, joined + tail, joined)
    return joined


def _fill(template: str, index: pd.Index, **fields: object) -> pd.Series:
    """``template.format(**fields)`` for whole columns at once (fields are Series or scalars)."""
    parts = re.split(r"\{(\w+)\}", template)
    out = pd.Series(parts[0], index=index, dtype=object)
    for i in range(1, len(parts), 2):
        field = fields[parts[i]]
        text = field.astype(str).to_numpy(dtype=object) if isinstance(field, pd.Series) else str(field)
        out = out + text + parts[i + 1]
    return out


def _member_tags(
    codes: np.ndarray, flag_text: np.ndarray, has: np.ndarray, gid: np.ndarray, n_groups: int
) -> dict[str, np.ndarray]:
    """Tag → per group: does a member with a value carry it ('suppressed' left out), in tag order.

    ``codes`` index ``flag_text`` (one string per distinct flags value; -1 = no row).
    """
    vocabulary = sorted({t for f in flag_text for t in str(f).split("|")} - {"", FLAG_SUPPRESSED})
    out = {}
    for tag in vocabulary:  # a handful of tags, not a loop over rows or groups
        carries = np.array([tag in str(f).split("|") for f in flag_text])[codes] & has
        out[tag] = np.bincount(gid[carries], minlength=n_groups) > 0
    return out


def _join_flags(parts: list[np.ndarray]) -> np.ndarray:
    """Join tag columns with '|' in a fixed order, skipping empty parts (callers avoid repeats)."""
    out = np.asarray(parts[0], dtype=object)
    for part in parts[1:]:
        part = np.asarray(part, dtype=object)
        out = np.where(part == "", out, np.where(out == "", part, out + "|" + part))
    return np.asarray(out, dtype=object)


def _apply_published(agg: pd.DataFrame, published: pd.DataFrame, counts: pd.DataFrame, ry_of: NearestYear) -> pd.DataFrame:
    """CBS's value where it publishes one; areas CBS publishes but that cannot be computed are added."""
    pub = published.rename(
        columns={"value": "p_value", "lower": "p_lower", "upper": "p_upper", "flags": "p_flags", "boundary_year": "p_boundary"}
    )[["indicator_id", "year", "area_code", "p_value", "p_lower", "p_upper", "p_flags", "p_boundary", "same_as"]]
    out = agg.merge(pub, on=["indicator_id", "year", "area_code"], how="outer", indicator=True)
    got = out["p_value"].notna().to_numpy()
    only_pub = (out["_merge"] == "right_only").to_numpy()
    if only_pub.any():
        # e.g. GDP per COROP: no gemeente rows at all, so n_members comes from regions.
        fill = out.loc[only_pub, ["area_code", "p_boundary"]].copy()
        fill["ry"] = np.array([ry_of(int(b)) for b in fill["p_boundary"]], dtype="int64")
        fill = fill.merge(counts, on=["ry", "area_code"], how="left")
        out.loc[only_pub, "n_members"] = fill["_n"].fillna(0).to_numpy()
        out.loc[only_pub, "n_with_value"] = 0
        out.loc[only_pub, "coverage"] = np.nan
    raw = out.loc[got, "p_flags"].fillna("").astype(str).to_numpy(dtype=object)
    uniq, inverse = np.unique(raw, return_inverse=True)  # a few distinct flag strings
    clean = np.array(["|".join(t for t in u.split("|") if t and t != FLAG_SUPPRESSED) for u in uniq], dtype=object)
    p_flags = clean[inverse] if len(raw) else raw
    same_as = out.loc[got, "same_as"].fillna("").to_numpy(dtype=object)
    out.loc[got, "value"] = out.loc[got, "p_value"]
    out.loc[got, "lower"] = out.loc[got, "p_lower"]
    out.loc[got, "upper"] = out.loc[got, "p_upper"]
    out.loc[got, "boundary_year"] = out.loc[got, "p_boundary"]
    out.loc[got, "method"] = "published"
    out.loc[got, "reason"] = ""
    out.loc[got, "flags"] = _join_flags([same_as, p_flags])
    return out.drop(columns=["p_value", "p_lower", "p_upper", "p_flags", "p_boundary", "same_as", "_merge"])


def _finish(out: pd.DataFrame) -> pd.DataFrame:
    """The output contract: columns, dtypes and a stable order."""
    out = out.reindex(columns=list(OUTPUT_COLUMNS))
    for c in ("year", "n_members", "n_with_value", "boundary_year"):
        out[c] = out[c].fillna(0).astype("int64")
    for c in ("value", "lower", "upper", "coverage"):
        out[c] = out[c].astype("float64")
    for c in ("area_code", "level", "indicator_id", "method", "flags", "reason"):
        out[c] = out[c].fillna("").astype(str)
    return out.sort_values(["indicator_id", "area_code", "year"], kind="stable", ignore_index=True)


def _warn_mixed_indelingen(out: pd.DataFrame, gm: pd.DataFrame, ry_of: NearestYear) -> None:
    """Warn when a series of a custom area is on indelingen whose gemeenten differ."""
    if out["boundary_year"].nunique() <= 1:
        return
    used = out.loc[out["method"] != "published", ["indicator_id", "boundary_year"]].drop_duplicates()
    if used.empty:
        return
    code_sets = {int(y): frozenset(c) for y, c in gm.groupby("year")["code"]}
    used = used.assign(_set=[code_sets[ry_of(int(b))] for b in used["boundary_year"]])
    differ = used.groupby("indicator_id")["_set"].nunique()
    differ = differ[differ > 1]
    if len(differ):
        years = used.loc[used["indicator_id"].isin(differ.index), "boundary_year"]
        warnings.warn(
            f"{len(differ)} indicator series (e.g. {differ.index[0]}) of a set of gemeenten mix indelingen "
            f"{int(years.min())}–{int(years.max())} with different gemeenten, so a year can cover another "
            "territory than the next: pass boundary_year or use harmonised rows to compare years",
            UserWarning,
            stacklevel=3,
        )


def _unavailable_reason(ind: Indicator, year: int | None, lang: str) -> str:
    """Why an indicator has no row at all for a set of gemeenten."""
    if ind.aggregation == "none" or "GM" not in ind.levels:
        levels = "/".join(lv for lv in ind.levels if lv != "GM")
        if lang == "nl":
            return f"CBS publiceert deze indicator niet per gemeente (alleen {levels}); een gebied kan er niet uit worden opgebouwd"
        return f"CBS does not publish this indicator per gemeente (only {levels}); an area cannot be built from it"
    if year is not None:
        return f"geen gemeentecijfers voor {year}" if lang == "nl" else f"no gemeente values for {year}"
    return "geen gemeentecijfers" if lang == "nl" else "no gemeente values"
