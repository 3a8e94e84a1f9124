"""Welfare in a deal area at the deal's start and now, beside NL and comparable regions.

What the deal card shows. This is a *description*: where the area stood the
year before the deal and where it stands in the newest data. It is not an
effect estimate: many things besides the deal move these indicators, and the
comparison regions are a context, not a control group.

- The deal area is its member gemeenten on the newest indeling of the
  warehouse (:func:`welfare.deals.members`), so the baseline and the latest
  figures cover the same territory.
- Baseline: per indicator the latest value known in the deal's baseline year
  (the year before signing, :func:`welfare.deals.baseline_year`); indicators
  CBS started later are missing there, never filled in.
- Pressure is this dashboard's measure (:mod:`welfare.scoring`): the area is
  placed among all gemeenten by :func:`welfare.scoring.score_areas`.
- Comparable regions: gemeenten of the deal's provinces that are in no deal
  at all, nearest to the area's baseline pressure (``k`` of them); their
  figures are those of the group as one area.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from welfare.aggregate import aggregate_areas
from welfare.catalog import Catalog
from welfare.deals import Deal, Registry, baseline_year, members
from welfare.scoring import ScoringConfig, prepare, score, score_areas

DEAL = "deal"
NL = "NL"
COMPARABLE = "comparable"
AREAS = (DEAL, NL, COMPARABLE)

PRESSURE_COLUMNS = [
    "area",
    "when",
    "year",
    "pressure_score",
    "percentile",
    "rank_among",
    "n_ranked",
    "worst_quarter_count",
    "themes_under_pressure",
    "themes_under_pressure_list",
    "coverage",
    "reason",
]
INDICATOR_COLUMNS = [
    "indicator_id",
    "theme",
    "label",
    "unit",
    "direction",
    "year_baseline",
    "year_latest",
    *(f"{area}_{when}" for area in AREAS for when in ("baseline", "latest")),
    "source_table",
]


@dataclass(frozen=True)
class DealWelfare:
    """The numbers of one deal card."""

    deal_id: str
    baseline_year: int
    boundary_year: int
    member_codes: tuple[str, ...]
    pressure: pd.DataFrame  # PRESSURE_COLUMNS: area × when (baseline / latest)
    indicators: pd.DataFrame  # INDICATOR_COLUMNS
    comparables: pd.DataFrame  # code, name, provincie, pressure_baseline, pressure_latest
    config_hash: str

    @property
    def has_area(self) -> bool:
        return bool(self.member_codes)


def boundary_year_of(observations: pd.DataFrame) -> int:
    """The indeling the harmonised gemeente rows are on (the newest)."""
    harmonised = observations[observations["flags"].str.contains("harmonised", regex=False)]
    if harmonised.empty:
        raise ValueError("the warehouse has no harmonised gemeente rows: rebuild it with `python -m welfare build`")
    return int(harmonised["boundary_year"].max())


def deal_members_on(registry: Registry, boundary_year: int) -> pd.DataFrame:
    """Members of every deal on ``boundary_year`` (clipped to the indeling years the registry knows)."""
    return members(registry, boundary_year)


def deal_welfare(
    observations: pd.DataFrame,
    regions: pd.DataFrame,
    catalog: Catalog,
    registry: Registry,
    deal_id: str,
    *,
    config: ScoringConfig | None = None,
    k: int = 5,
    lang: str = "nl",
    all_members: pd.DataFrame | None = None,
) -> DealWelfare:
    """The deal card's figures for ``deal_id`` (see the module docstring).

    Parameters
    ----------
    observations, regions : pandas.DataFrame
        Warehouse observations and regions.
    catalog : Catalog
    registry : Registry
    deal_id : str
    config : ScoringConfig, optional
        The pressure recipe (level GM); its ``year``/``up_to_year`` are replaced
        by the baseline and the latest data.
    k : int, default 5
        Number of comparable gemeenten.
    lang : {"nl", "en"}
        Language of indicator labels and units.
    all_members : pandas.DataFrame, optional
        ``members(registry, boundary_year)``, when the caller has it (it takes
        a second or two to compute).

    Raises
    ------
    KeyError
        ``deal_id`` is not in the registry.
    """
    deal = registry.get(deal_id)
    if deal is None:
        raise KeyError(f"no deal with id {deal_id!r} in {registry.source or 'the registry'}")
    base = replace(config or ScoringConfig(), year=None, up_to_year=None, level="GM").resolved(catalog)
    boundary = boundary_year_of(observations)
    start = baseline_year(deal)
    if all_members is None:
        all_members = deal_members_on(registry, boundary)
    codes = tuple(sorted(all_members.loc[all_members["deal_id"] == deal_id, "gemeente_code"].unique()))
    configs = {"baseline": replace(base, up_to_year=start), "latest": base}
    if not codes:
        return DealWelfare(
            deal_id, start, boundary, (), pd.DataFrame(columns=PRESSURE_COLUMNS), pd.DataFrame(columns=INDICATOR_COLUMNS),
            pd.DataFrame(columns=["code", "name", "provincie", "pressure_baseline", "pressure_latest"]), base.hash(catalog),
        )

    gemeenten = _gemeenten(regions, boundary)
    in_any_deal = set(all_members["gemeente_code"])
    rankings = {when: score(observations, regions, catalog, cfg).regions.set_index("region_code") for when, cfg in configs.items()}
    deal_base = score_areas(observations, regions, catalog, {DEAL: list(codes)}, configs["baseline"]).iloc[0]
    comparables = _comparables(deal, codes, gemeenten, in_any_deal, rankings, deal_base["pressure_score"], k)
    areas = {DEAL: list(codes), NL: gemeenten["code"].tolist(), COMPARABLE: comparables["code"].tolist()}

    pressure_rows = []
    for when, cfg in configs.items():
        scored = score_areas(observations, regions, catalog, areas, cfg)
        scored.insert(1, "when", when)
        scored.insert(2, "year", start if when == "baseline" else _newest(observations, cfg, catalog))
        pressure_rows.append(scored.rename(columns={"area_code": "area"}))
    pressure = pd.concat(pressure_rows, ignore_index=True)
    pressure["year"] = pressure["year"].astype("Int64")
    indicators = _indicator_table(observations, regions, catalog, base, configs, areas, boundary, lang)
    return DealWelfare(
        deal_id=deal_id,
        baseline_year=start,
        boundary_year=boundary,
        member_codes=codes,
        pressure=pressure[PRESSURE_COLUMNS],
        indicators=indicators,
        comparables=comparables,
        config_hash=base.hash(catalog),
    )


def _newest(observations: pd.DataFrame, config: ScoringConfig, catalog: Catalog) -> int:
    rows = observations[(observations["level"] == "GM") & observations["indicator_id"].isin(config.indicators or ()) & observations["value"].notna()]
    return int(rows["year"].max())


def _gemeenten(regions: pd.DataFrame, boundary: int) -> pd.DataFrame:
    gm = regions[regions["level"] == "GM"]
    year = boundary if boundary in set(gm["year"]) else int(gm["year"].max())
    return gm[gm["year"] == year][["code", "name", "provincie"]].reset_index(drop=True)


def _comparables(
    deal: Deal,
    codes: Sequence[str],
    gemeenten: pd.DataFrame,
    in_any_deal: set[str],
    rankings: dict[str, pd.DataFrame],
    deal_pressure: float,
    k: int,
) -> pd.DataFrame:
    """Gemeenten of the deal's provinces in no deal, nearest to the area's baseline pressure."""
    provinces = set(gemeenten.loc[gemeenten["code"].isin(codes), "provincie"])
    pool = gemeenten[gemeenten["provincie"].isin(provinces) & ~gemeenten["code"].isin(in_any_deal)].copy()
    pool["pressure_baseline"] = pool["code"].map(rankings["baseline"]["pressure_score"])
    pool["pressure_latest"] = pool["code"].map(rankings["latest"]["pressure_score"])
    pool = pool.dropna(subset=["pressure_baseline"])
    if np.isnan(deal_pressure) or pool.empty:
        return pool.iloc[0:0][["code", "name", "provincie", "pressure_baseline", "pressure_latest"]]
    pool["distance"] = (pool["pressure_baseline"] - deal_pressure).abs()
    pool = pool.sort_values(["distance", "code"]).head(k)
    return pool[["code", "name", "provincie", "pressure_baseline", "pressure_latest"]].reset_index(drop=True)


def _indicator_table(
    observations: pd.DataFrame,
    regions: pd.DataFrame,
    catalog: Catalog,
    base: ScoringConfig,
    configs: dict[str, ScoringConfig],
    areas: dict[str, list[str]],
    boundary: int,
    lang: str,
) -> pd.DataFrame:
    indicators = list(base.indicators or ())
    years = {when: prepare(observations, regions, catalog, cfg).years for when, cfg in configs.items()}
    filled = {a: m for a, m in areas.items() if m}
    wanted = sorted({int(y) for ys in years.values() for y in ys if y > 0})
    agg = aggregate_areas(observations, regions, filled, catalog, boundary_year=boundary, years=wanted, indicators=indicators, harmonised=True)
    value = {(r.area_code, r.indicator_id, int(r.year)): r.value for r in agg.itertuples()}
    sources = observations[observations["indicator_id"].isin(indicators)].groupby("indicator_id")["source_table"].agg(
        lambda s: ", ".join(sorted({str(x) for x in s.dropna()}))
    )
    rows = []
    for j, ind_id in enumerate(indicators):
        ind = catalog.indicators[ind_id]
        row = {
            "indicator_id": ind_id,
            "theme": catalog.theme_label(ind.theme, lang),
            "label": ind.label(lang),
            "unit": ind.unit(lang),
            "direction": ind.direction,
            "year_baseline": int(years["baseline"][j]) if years["baseline"][j] > 0 else None,
            "year_latest": int(years["latest"][j]) if years["latest"][j] > 0 else None,
            "source_table": sources.get(ind_id, ""),
        }
        for area in AREAS:
            for when in ("baseline", "latest"):
                y = row[f"year_{when}"]
                row[f"{area}_{when}"] = value.get((area, ind_id, y), np.nan) if y is not None else np.nan
        rows.append(row)
    out = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    return out.astype({"year_baseline": "Int64", "year_latest": "Int64"})
