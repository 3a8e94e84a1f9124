"""Restate gemeente series on one boundary year, across herindelingen.

Most CBS tables report each year on that year's gemeenten; gemeenten merge (and
now and then split) almost every 1 January. To compare years, every gemeente
row is restated on the gemeenten of one target year:

- The VNG "grenswijzigen" address matrices say, per pair of consecutive years,
  how many addresses moved from each old gemeente to each new one. Chained, they
  give a transition from any year since 2016 to any later (or earlier) year.
  Shares under 1% (address corrections at borders) are left out, as in the
  herindeling table of ``../shared/data/geo``.
- Counts (aggregation ``sum``) are divided over the targets by address share
  and added up. A target needs every part it is made of, else it is missing.
- Rates, means, medians and survey scores become the weighted mean of the
  parts, each part weighted by its population (or land area, or dwellings: the
  catalogue's ``harmonisation_weight``) times its share. A target needs parts
  covering at least ``min_coverage`` of that weight. Medians and survey scores
  cannot be recombined exactly: their restated values are flagged
  ``approximation``.

Restated rows keep their report ``year``, get ``boundary_year`` = the target
year and the flag ``harmonised``, and go into ``observations.parquet`` beside
the rows as CBS published them. A row already on the target's boundaries is
carried over unchanged (still flagged ``harmonised``), so "the series on the
2025 boundaries" is simply ``boundary_year == 2025 & 'harmonised' in flags``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from welfare.catalog import Catalog
from welfare.errors import DataError

MATRIX_FILE = "grenswijzigen_gemeente_adresmatrices_2016_2024.csv"
MIN_SHARE = 0.01  # smaller flows are border corrections, not herindelingen
FIRST_YEAR = 2016  # the address matrices start at 2016 → 2017
HARMONISED = "harmonised"

# Catalogue weight → the indicator whose values weigh the parts (population comes from regions).
WEIGHT_INDICATOR = {"area": "ctx_land_area", "dwellings": "ctx_housing_stock"}


@dataclass(frozen=True)
class Transitions:
    """Address flows between consecutive years: (from_year, from_code, to_code, addresses)."""

    flows: pd.DataFrame
    _steps: dict[tuple[int, bool], dict[str, dict[str, float]]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_folder(cls, geo_folder: Path) -> Transitions:
        """Read the VNG address matrices from the geo folder."""
        path = Path(geo_folder) / MATRIX_FILE
        if not path.is_file():
            raise DataError(f"herindelingen: {path} is missing (needed to restate series on one boundary year)")
        raw = pd.read_csv(path, dtype={"van_code": str, "naar_code": str})
        needed = {"van_jaar", "naar_jaar", "van_code", "naar_code", "adressen"}
        if not needed <= set(raw.columns):
            raise DataError(f"herindelingen: {path.name} lacks columns {sorted(needed - set(raw.columns))}")
        if not (raw["naar_jaar"] == raw["van_jaar"] + 1).all():
            raise DataError(f"herindelingen: {path.name} has a row that does not go to the next year")
        flows = raw.rename(columns={"van_jaar": "year", "van_code": "source", "naar_code": "target", "adressen": "addresses"})
        return cls(flows[["year", "source", "target", "addresses"]])

    def step(self, year: int, forward: bool) -> dict[str, dict[str, float]]:
        """Shares for one step: ``year → year+1`` (forward) or ``year+1 → year`` (backward).

        ``shares[a][b]`` is the part of ``a``'s addresses that ends up in ``b``;
        codes without flows map to themselves.
        """
        key = (year, forward)
        if key not in self._steps:
            flows = self.flows[self.flows["year"] == year]
            src, dst = ("source", "target") if forward else ("target", "source")
            totals: dict[str, dict[str, float]] = {}
            for a, b, n in zip(flows[src], flows[dst], flows["addresses"]):
                totals.setdefault(str(a), {}).setdefault(str(b), 0.0)
                totals[str(a)][str(b)] += float(n)
            shares: dict[str, dict[str, float]] = {}
            for a, parts in totals.items():
                whole = sum(parts.values())
                kept = {b: n / whole for b, n in parts.items() if whole and n / whole >= MIN_SHARE}
                norm = sum(kept.values())
                shares[a] = {b: v / norm for b, v in kept.items()}
            self._steps[key] = shares
        return self._steps[key]

    def chain(self, from_year: int, to_year: int) -> dict[str, dict[str, float]]:
        """Shares from the gemeenten of ``from_year`` to those of ``to_year`` (either direction).

        >>> flows = pd.DataFrame({"year": [2018, 2018, 2018], "source": ["A", "B", "C"],
        ...                       "target": ["A", "A", "C"], "addresses": [60, 40, 10]})
        >>> Transitions(flows).chain(2018, 2019)["B"]
        {'A': 1.0}
        >>> Transitions(flows).chain(2019, 2018)["A"]
        {'A': 0.6, 'B': 0.4}
        """
        if from_year < FIRST_YEAR or to_year < FIRST_YEAR:
            raise ValueError(f"herindelingen are known from {FIRST_YEAR} on, got {from_year} → {to_year}")
        forward = to_year >= from_year
        steps = range(from_year, to_year) if forward else range(from_year - 1, to_year - 1, -1)
        composed: dict[str, dict[str, float]] = {}  # codes not in here map to themselves
        for year in steps:
            step = self.step(year, forward)
            chained: dict[str, dict[str, float]] = {}
            for code, targets in composed.items():
                acc: dict[str, float] = {}
                for mid, share in targets.items():
                    for end, next_share in step.get(mid, {mid: 1.0}).items():
                        acc[end] = acc.get(end, 0.0) + share * next_share
                chained[code] = acc
            for code, targets in step.items():
                chained.setdefault(code, dict(targets))
            composed = chained
        return composed


def _pairs(transitions: Transitions, from_year: int, to_year: int, codes: pd.Index) -> pd.DataFrame:
    """(code, target, share) for the given codes of ``from_year``; identity for unchanged ones."""
    chain = transitions.chain(from_year, to_year) if from_year != to_year else {}
    rows = [(c, t, s) for c in codes for t, s in chain.get(c, {c: 1.0}).items()]
    return pd.DataFrame(rows, columns=["region_code", "target", "share"])


def harmonise(
    observations: pd.DataFrame,
    regions: pd.DataFrame,
    catalog: Catalog,
    transitions: Transitions,
    target_year: int,
    *,
    min_coverage: float = 0.65,
) -> pd.DataFrame:
    """Restate every gemeente row on the gemeenten of ``target_year``.

    Parameters
    ----------
    observations : DataFrame
        The warehouse's observations (all levels; only ``GM`` rows are used).
    regions : DataFrame
        regions.parquet: gemeente populations per indeling year (the default weight).
    catalog : Catalog
        Gives each indicator's aggregation rule and harmonisation weight.
    transitions : Transitions
        The address flows between consecutive years.
    target_year : int
        The boundary year to restate on (2016 or later).

    Returns
    -------
    DataFrame
        Rows in the observations schema with ``boundary_year == target_year``
        and ``harmonised`` among the flags.
    """
    gm = observations[(observations["level"] == "GM") & (observations["boundary_year"] >= FIRST_YEAR)]
    gm = gm[gm["indicator_id"].map(lambda i: catalog.indicators[i].aggregation != "none" if i in catalog.indicators else False)]
    weights = _weights(observations, regions)
    parts = []
    for boundary, rows in gm.groupby("boundary_year"):
        pairs = _pairs(transitions, int(boundary), target_year, pd.Index(rows["region_code"].unique()))
        parts.append(rows.merge(pairs, on="region_code"))
    if not parts:
        return observations.iloc[0:0].copy()
    rows = pd.concat(parts, ignore_index=True)
    rule = rows["indicator_id"].map({i: ind.aggregation for i, ind in catalog.indicators.items()})
    weight_kind = rows["indicator_id"].map({i: ind.harmonisation_weight for i, ind in catalog.indicators.items()})
    rows["w"] = _lookup_weight(rows, weight_kind, weights)
    rows["is_sum"] = rule == "sum"
    rows["approx"] = rule == "published_only"
    return _combine(rows, target_year, min_coverage)


def _weights(observations: pd.DataFrame, regions: pd.DataFrame) -> dict[str, dict[tuple[str, int], float]]:
    """Weights per (code, year): population from regions, land area and dwellings from indicators."""
    gm = regions[regions["level"] == "GM"]
    out = {"population": dict(zip(zip(gm["code"], gm["year"].astype(int)), gm["population"].astype(float)))}
    for kind, indicator_id in WEIGHT_INDICATOR.items():
        rows = observations[(observations["indicator_id"] == indicator_id) & (observations["level"] == "GM")]
        out[kind] = dict(zip(zip(rows["region_code"], rows["year"].astype(int)), rows["value"].astype(float)))
    return out


def _lookup_weight(rows: pd.DataFrame, kind: pd.Series, weights: dict[str, dict[tuple[str, int], float]]) -> np.ndarray:
    """Each part's weight: its population in its boundary year, or its land area or dwellings that year."""
    population = kind.isin(["population", "addresses", "none"]).to_numpy()
    year = np.where(population, rows["boundary_year"], rows["year"]).astype(int)
    name = np.where(population, "population", kind.to_numpy())
    return np.array(
        [weights[n].get((c, y), np.nan) for n, c, y in zip(name, rows["region_code"], year)], dtype=float
    )


def _combine(rows: pd.DataFrame, target_year: int, min_coverage: float) -> pd.DataFrame:
    """Combine the parts of each (indicator, target, year): sums for counts, weighted means for the rest."""
    has_value = rows["value"].notna()
    weight = rows["w"] * rows["share"]
    # counts: value × share; a target needs all its parts
    rows["sum_part"] = np.where(has_value, rows["value"] * rows["share"], 0.0)
    rows["sum_missing"] = (~has_value).astype(int)
    # means: weighted by weight × share, over parts with a value and a weight
    usable = has_value & weight.notna() & (weight > 0)
    rows["wv"] = np.where(usable, rows["value"] * weight, 0.0)
    rows["wl"] = np.where(usable & rows["lower"].notna(), rows["lower"] * weight, 0.0)
    rows["wu"] = np.where(usable & rows["upper"].notna(), rows["upper"] * weight, 0.0)
    rows["w_used"] = np.where(usable, weight, 0.0)
    rows["w_all"] = np.where(weight.notna(), weight, 0.0)
    rows["w_bounds"] = np.where(usable & rows["lower"].notna() & rows["upper"].notna(), weight, 0.0)
    rows["n_parts"] = 1
    rows["changed"] = (rows["region_code"] != rows["target"]) | (rows["share"] < 1.0)
    keys = ["indicator_id", "target", "year"]
    g = rows.groupby(keys, sort=False).agg(
        sum_part=("sum_part", "sum"),
        sum_missing=("sum_missing", "sum"),
        wv=("wv", "sum"),
        wl=("wl", "sum"),
        wu=("wu", "sum"),
        w_used=("w_used", "sum"),
        w_all=("w_all", "sum"),
        w_bounds=("w_bounds", "sum"),
        n_parts=("n_parts", "sum"),
        changed=("changed", "any"),
        is_sum=("is_sum", "first"),
        approx=("approx", "first"),
        source_table=("source_table", "first"),
        single_value=("value", "first"),
        single_lower=("lower", "first"),
        single_upper=("upper", "first"),
    ).reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = g["wv"] / g["w_used"]
        coverage = g["w_used"] / g["w_all"]
        lower = np.where(g["w_bounds"] == g["w_used"], g["wl"] / g["w_used"], np.nan)
        upper = np.where(g["w_bounds"] == g["w_used"], g["wu"] / g["w_used"], np.nan)
    # An unchanged gemeente keeps its value exactly (no weight needed).
    unchanged = ~g["changed"]
    value = np.where(g["is_sum"], np.where(g["sum_missing"] == 0, g["sum_part"], np.nan), np.where(coverage >= min_coverage, mean, np.nan))
    value = np.where(unchanged, g["single_value"], value)
    lower = np.where(unchanged, g["single_lower"], np.where(g["is_sum"], np.nan, lower))
    upper = np.where(unchanged, g["single_upper"], np.where(g["is_sum"], np.nan, upper))
    flags = np.where(unchanged, HARMONISED, np.where(g["approx"], f"{HARMONISED}|approximation", HARMONISED))
    flags = np.where(pd.isna(value), np.char.add(flags.astype(str), "|suppressed"), flags)
    out = pd.DataFrame(
        {
            "indicator_id": g["indicator_id"],
            "region_code": g["target"],
            "level": "GM",
            "year": g["year"].astype("int16"),
            "value": value.astype(float),
            "lower": lower.astype(float),
            "upper": upper.astype(float),
            "source_table": g["source_table"],
            "boundary_year": np.int16(target_year),
            "flags": flags,
        }
    )
    return out.reset_index(drop=True)
