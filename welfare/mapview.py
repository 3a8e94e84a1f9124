"""The landing map's numbers and figure, without Streamlit.

What ``pages/kaart.py`` shows and what ``python -m welfare export`` renders
come from here, so a figure exported in a script is the figure on screen:
the same values, title, subtitle, colours, legend and source line.

Where the numbers come from: gemeenten use the series restated on the newest
indeling (one map layer for every year); COROP areas and provinces use
``welfare.aggregate.aggregate_level`` (the CBS value where published, else made
from gemeenten); scores come from ``welfare.scoring`` with, per indicator, the
newest year up to the chosen one.

The page caches these functions (``st.cache_resource``); here they are plain,
so the results are shared and must not be mutated by callers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from welfare import charts
from welfare.boundaries import boundaries_path, web_geojson
from welfare.catalog import Catalog, load_catalog
from welfare.errors import WelfareError
from welfare.i18n import t
from welfare.scoring import ScoringConfig, default_indicators, score
from welfare.state import COUNT, PRESSURE, THEME_PREFIX, View, aggregation, scoring_themes, theme_weights

LEVELS = ("GM", "CR", "PV")
LAYER = {"GM": "gemeente", "CR": "coropgebied", "PV": "provincie"}
MAP_HEIGHT = 680
COLORBAR_ROOM = 150  # px right of the map for the colour bar and its title
BOUNDARY_YEARS = range(2018, 2027)


class WarehouseLike(Protocol):
    """What the map needs of a warehouse (``pages._common.WarehouseData`` or :class:`Warehouse`)."""

    observations: pd.DataFrame
    regions: pd.DataFrame
    manifest: dict[str, Any]
    catalog: Catalog


@dataclass(frozen=True)
class Warehouse:
    """A warehouse read from its folder, for use outside the app (the CLI)."""

    observations: pd.DataFrame
    regions: pd.DataFrame
    manifest: dict[str, Any]
    catalog: Catalog

    @classmethod
    def read(cls, folder: str | Path) -> Warehouse:
        from welfare.warehouse import read_manifest, read_observations, read_regions

        path = Path(folder)
        return cls(read_observations(path), read_regions(path), read_manifest(path), load_catalog())


@dataclass(frozen=True)
class LevelData:
    """Every indicator's values at one level, all years (shared: do not mutate)."""

    values: pd.DataFrame  # region_code, indicator_id, year, value, flags, method, coverage
    tables: dict[tuple[str, int], tuple[str, ...]]  # (indicator, year) -> source tables
    names: dict[str, str]  # region code -> name
    boundary_year: int | None  # the map layer's year


def level_data(data: WarehouseLike, folder: str, level: str) -> LevelData:
    """The values of every indicator at ``level`` and the layer year to draw them on."""
    obs, regions = data.observations, data.regions
    newest = int(regions["year"].max())
    harmonised = obs[obs["flags"].str.contains("harmonised", regex=False)]
    if level == "GM":
        boundary = int(harmonised["boundary_year"].max()) if len(harmonised) else None
        rows = harmonised[harmonised["boundary_year"] == boundary] if boundary else harmonised
        values = rows.assign(method="harmonised", coverage=np.nan)[
            ["region_code", "indicator_id", "year", "value", "flags", "method", "coverage"]
        ]
        names_year = min(boundary or newest, newest)
    else:
        from welfare.aggregate import aggregate_level

        agg = aggregate_level(obs, regions, level, data.catalog, lang="nl")
        values = agg.rename(columns={"area_code": "region_code"})[
            ["region_code", "indicator_id", "year", "value", "flags", "method", "coverage"]
        ]
        boundary, names_year = newest, newest
    source = obs[obs["level"].isin(["GM", level])].dropna(subset=["value"])
    tables = {
        (str(i), int(y)): tuple(sorted(set(g.astype(str))))
        for (i, y), g in source.groupby(["indicator_id", "year"], sort=False)["source_table"]
    }
    named = regions[(regions["level"] == level) & (regions["year"] == names_year)]
    values = values.reset_index(drop=True)
    values["flags"] = values["flags"].fillna("").astype(str)
    return LevelData(values=values, tables=tables, names=dict(zip(named["code"], named["name"])), boundary_year=layer_year(folder, level, boundary))


def layer_year(folder: str, level: str, wanted: int | None) -> int | None:
    """``wanted`` when its web layer exists, else the nearest year that has one."""
    years = [y for y in BOUNDARY_YEARS if boundaries_path(folder, LAYER[level], y, web=True).is_file()]
    if not years:
        return None
    target = wanted if wanted is not None else max(years)
    return min(years, key=lambda y: (abs(y - target), -y))


def indicator_years(levels: LevelData) -> dict[str, list[int]]:
    """Per indicator the years with at least one value at the level."""
    values = levels.values.dropna(subset=["value"])
    return {str(i): sorted(int(y) for y in g.unique()) for i, g in values.groupby("indicator_id")["year"]}


def score_years(catalog: Catalog, have: dict[str, list[int]], level: str) -> list[int]:
    """Years for the scores: from the first year by which every theme of the level has an indicator with values."""
    ids = [i for i in default_indicators(catalog, level) if have.get(i)]
    if not ids:
        return []
    first: dict[str, int] = {}
    for i in ids:
        theme = catalog.indicators[i].theme
        first[theme] = min(first.get(theme, 9999), min(have[i]))
    start = max(first.values())
    return sorted({y for i in ids for y in have[i] if y >= start})


def level_themes(catalog: Catalog, level: str) -> list[str]:
    return list(dict.fromkeys(catalog.indicators[i].theme for i in default_indicators(catalog, level)))


def years_for(indicator: str, level: str, catalog: Catalog, have: dict[str, list[int]]) -> list[int]:
    """The years the map can show ``indicator`` at ``level`` (``have``: :func:`indicator_years`)."""
    if level not in LEVELS:
        return []
    if is_score(indicator):
        return score_years(catalog, have, level)
    return have.get(indicator, [])


def is_score(indicator: str) -> bool:
    return indicator == PRESSURE or indicator == COUNT or indicator.startswith(THEME_PREFIX)


def indicator_options(catalog: Catalog, have: dict[str, list[int]], level: str) -> list[str]:
    """Scores first (when the level has years for them), then every indicator with figures at the level."""
    options: list[str] = []
    if score_years(catalog, have, level):
        themes = [th for th in scoring_themes(catalog) if th in level_themes(catalog, level)]
        options = [PRESSURE, COUNT, *(THEME_PREFIX + th for th in themes)]
    return options + [i for i in catalog.indicators if have.get(i)]


def scores(
    data: WarehouseLike, level: str, year: int | None, weights: tuple[tuple[str, float], ...] | None, how: str
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Composite, count and theme scores per region, with the recipe hash and the (indicator, year) pairs used."""
    config = ScoringConfig(level=level, up_to_year=year, theme_weights=weights, aggregation=how)
    result = score(data.observations, data.regions, data.catalog, config)
    frame = result.regions[["region_code", "pressure_score", "rank", "worst_quarter_count", "themes_under_pressure", "coverage"]].copy()
    for theme in result.theme_scores.columns:
        frame[THEME_PREFIX + theme] = result.theme_scores[theme].to_numpy()
    used = [(i, int(y)) for i, y in zip(result.input.indicator_ids, result.input.years) if y > 0]
    return frame, {"hash": result.hash, "used": used}


def label(indicator: str, catalog: Catalog, lang: str) -> str:
    """The indicator's name as the map's title."""
    if indicator == PRESSURE:
        return t("map.ind_pressure", lang)
    if indicator == COUNT:
        return t("map.ind_count", lang)
    if indicator.startswith(THEME_PREFIX):
        return t("map.ind_theme", lang, theme=catalog.theme_label(indicator[len(THEME_PREFIX):], lang))
    return catalog.indicators[indicator].label(lang)


def _ranks(out: pd.DataFrame, lang: str, ranks: pd.Series | None = None, *, high_first: bool = True) -> None:
    """Add ``rank`` (1 = least favourable; ties share the better rank unless ``ranks`` are given) and
    ``rank_text`` ('12 van 342') to ``out``."""
    values = out["value"]
    if ranks is None:
        ranks = values.rank(ascending=not high_first, method="min")
    n = int(values.notna().sum())
    out["rank"] = pd.array([int(r) if pd.notna(r) else None for r in ranks], dtype="Int64")
    out["rank_text"] = [t("map.rank_of", lang, rank=int(r), n=n) if pd.notna(r) else None for r in out["rank"]]


ScoresFn = Any  # (level, year, weights, how) -> (frame, meta); the page passes a cached one


def map_frame(view: View, levels: LevelData, data: WarehouseLike, lang: str, scores_fn: ScoresFn = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One row per region with ``value`` and hover columns, and what the figure needs to know."""
    catalog = data.catalog
    year = view.year
    names = levels.names
    if view.is_score:
        weights = theme_weights(view, level_themes(catalog, view.level))
        how = aggregation(view)
        frame, meta = (scores_fn or (lambda lv, y, w, h: scores(data, lv, y, w, h)))(view.level, year, weights, how)
        column = "pressure_score" if view.indicator == PRESSURE else ("worst_quarter_count" if view.indicator == COUNT else view.indicator)
        out = pd.DataFrame({"region_code": frame["region_code"], "value": frame[column].astype(float)})
        # the composite keeps the ranking's own strict rank, as on the ranglijst and the profile
        _ranks(out, lang, frame["rank"].reset_index(drop=True) if view.indicator == PRESSURE else None)
        hover = {"rank_text": t("map.hover_rank_pressure", lang)}
        if view.indicator == PRESSURE:
            out["count"] = frame["worst_quarter_count"].astype("Int64").astype(object).where(out["value"].notna(), None)
            hover["count"] = t("map.hover_count", lang)
        out["coverage"] = frame["coverage"].to_numpy()
        hover["coverage"] = t("map.hover_coverage_score", lang)
        tables = sorted({tb for i, y in meta["used"] for tb in levels.tables.get((i, y), catalog.indicators[i].tables)})
        years_used = sorted({y for _, y in meta["used"]})
        shown_year = max(years_used) if years_used else None
        unit = t("map.unit_count", lang) if view.indicator == COUNT else t("map.unit_pressure", lang)
        info = {
            "unit": unit, "direction": -1, "tables": tables, "years": years_used, "year": year or shown_year,
            "reference": float(np.nanmean(out["value"])) if out["value"].notna().any() else None,
            "reference_label": t("map.reference_mean", lang), "hash": meta["hash"], "hover": hover,
            "harmonised": view.level == "GM", "decimals": 0 if view.indicator == COUNT else 2,
            "used": meta["used"],
        }  # fmt: skip
    else:
        ind = catalog.indicators[view.indicator]
        rows = levels.values[levels.values["indicator_id"] == view.indicator]
        years = sorted(int(y) for y in rows.dropna(subset=["value"])["year"].unique())
        year = year if year in years else (years[-1] if years else None)
        rows = rows[rows["year"] == year]
        out = rows[["region_code", "value", "flags", "method", "coverage"]].reset_index(drop=True)
        direction = ind.direction
        _ranks(out, lang, high_first=direction != 1)
        hover = {"rank_text": t("map.hover_rank" if direction else "map.hover_rank_high", lang)}
        if view.level != "GM":
            hover["coverage"] = t("map.hover_coverage", lang)
        basis = out["method"].map(lambda m: t(f"map.basis_{m}", lang) if isinstance(m, str) and m else None)
        approx = out["flags"].str.contains("approximation", regex=False)
        basis = basis.where(~approx | (out["method"] != "harmonised"), t("map.basis_approximation", lang))
        if view.level != "GM" or approx.any():
            out["basis"] = basis
            hover["basis"] = t("map.hover_basis", lang)
        nl = data.observations
        nl = nl[(nl["level"] == "NL") & (nl["indicator_id"] == view.indicator) & (nl["year"] == (year or -1))]["value"].dropna()
        reference = float(nl.iloc[0]) if len(nl) else None
        info = {
            "unit": ind.unit(lang), "direction": direction, "tables": list(levels.tables.get((view.indicator, year or -1), ind.tables)),
            "years": [year] if year else [], "year": year, "reference": reference, "reference_label": None, "hash": None,
            "hover": hover, "harmonised": bool(out["flags"].str.contains("harmonised", regex=False).any()), "decimals": None,
            "previous": max((y for y in years if year and y < year), default=None),
            "used": [(view.indicator, year)] if year else [],
        }  # fmt: skip
        if reference is None and out["value"].notna().any():
            info["reference"] = float(out["value"].median())
            info["reference_label"] = t("map.reference_median", lang)
    out["name"] = out["region_code"].map(names).fillna(out["region_code"])
    return out, info


def changes(view: View, levels: LevelData, frame: pd.DataFrame, info: dict[str, Any], decimals: int, lang: str) -> str | None:
    """'Grootste stijging sinds 2022: A (+1,2), B (+0,9). Grootste daling: ...' for an indicator."""
    prev = info.get("previous")
    if view.is_score or prev is None:
        return None
    rows = levels.values
    before = rows[(rows["indicator_id"] == view.indicator) & (rows["year"] == prev)].set_index("region_code")["value"]
    now = frame.set_index("region_code")["value"]
    delta = (now - before.reindex(now.index)).dropna()
    if delta.empty:
        return None
    names = frame.set_index("region_code")["name"]

    def listing(part: pd.Series) -> str:
        return ", ".join(f"{names[c]} ({'+' if d > 0 else ''}{charts.format_number(d, lang, decimals)})" for c, d in part.items())

    up = delta[delta > 0].sort_values(ascending=False).head(3)
    down = delta[delta < 0].sort_values().head(3)
    return t("map.changes", lang, prev=prev, up=listing(up) or "–", down=listing(down) or "–")


def geojson(folder: str, level: str, year: int) -> dict[str, Any]:
    return web_geojson(folder, LAYER[level], year)


def deal_traces(folder: str, registry: Any, year: int, lang: str) -> list[Any]:
    """The Regio Deal outlines over the map (members resolved at the layer's year)."""
    from welfare.boundaries import read_boundaries
    from welfare.deals import deal_areas
    from welfare.warehouse import read_deal_members

    try:
        member_table = read_deal_members(Path(folder), year)
    except (WelfareError, OSError):
        member_table = None  # an older warehouse without deal tables: resolve the members here
    gm = read_boundaries(folder, "gemeente", year, web=True)
    areas = deal_areas(registry, gm, year, member_table=member_table)
    # outlines at national scale: 0.02° (≈ 2 px at the initial zoom) keeps the gemeente map with deals under 400 KB
    return charts.deal_overlay_traces(areas, lang=lang, halo=False, simplify=0.02)


def figure(frame: pd.DataFrame, gj: dict[str, Any], kwargs: dict[str, Any]) -> go.Figure:
    """The choropleth with its colour bar beside the map."""
    fig = charts.choropleth(frame, gj, **kwargs)
    fig.update_layout(hoverlabel_font_color=charts.TEXT_COLOR)  # Plotly's default hover text is a pale grey here
    bars = [trace for trace in fig.data if getattr(trace, "showscale", None)]
    if bars:
        # the colour bar beside the map instead of over its right edge: a long title ("% van
        # beroepsbevolking", "midden = Nederland 50,3") widens the bar's box leftwards, over Groningen
        for trace in bars:
            trace.colorbar.update(x=1.0, xanchor="left", y=0.98, yanchor="top", len=0.45)
        fig.update_layout(margin={"r": COLORBAR_ROOM})
        if any(getattr(trace, "legend", None) == "legend2" for trace in fig.data):
            fig.update_layout(legend2={"x": 1.0, "xanchor": "left"})  # the deals legend under the bar, off Zeeland
    return fig


@dataclass
class MapText:
    """Everything written on and under the map for one view."""

    title: str
    subtitle: str
    source: str  # under the figure: a few tables
    source_full: str  # the caption: every table
    vintage: str
    recipe: str
    note: str | None
    mode: str  # the colour mode drawn (quarters fall back to continuous without a direction)
    decimals: int
    unit: str
    notes: list[str] = field(default_factory=list)  # why the drawn view differs from the asked one


def map_text(view: View, levels: LevelData, frame: pd.DataFrame, info: dict[str, Any], catalog: Catalog, built_at: str, lang: str) -> MapText:
    """Title, subtitle, source lines and colour mode for the figure of ``frame``."""
    from welfare.i18n import md_escape

    notes: list[str] = []
    if view.mode == "quarters" and not info["direction"]:
        notes.append(t("map.no_quarters", lang, label=md_escape(label(view.indicator, catalog, lang))))
    mode = "continuous" if view.mode == "quarters" and not info["direction"] else view.mode
    if mode == "diverging" and info["reference_label"] and not view.is_score:
        notes.append(t("map.no_reference", lang, year=info["year"], ref=info["reference_label"]))
    if mode == "diverging" and info["reference"] is None:
        mode = "continuous"
    level_word = t(f"map.level_{view.level.lower()}", lang)
    year_text = str(info["year"]) if info["year"] else "–"
    if view.is_score:
        subtitle = t("map.subtitle_score", lang, level=level_word, year=year_text)
    elif view.level == "GM" and levels.boundary_year:
        subtitle = t("map.subtitle_gm", lang, level=level_word, year=year_text, boundary=levels.boundary_year)
    else:
        subtitle = t("map.subtitle", lang, level=level_word, year=year_text)
    # Under the figure the line must fit its width: a few tables, and the herindeling credit on the second
    # line; the caption under it names every table.
    source = charts.source_line(info["tables"], info["years"], lang, boundaries=True, max_tables=3)
    source_full = charts.source_line(info["tables"], info["years"], lang, boundaries=True, harmonised=info["harmonised"], max_tables=99)
    vintage = charts.vintage_line(built_at, lang) if built_at else ""
    herindeling = charts.label("herindeling", lang) if info["harmonised"] else ""
    recipe = t("map.score_note", lang, hash=info["hash"]) if info["hash"] else ""
    note = " · ".join(x for x in (herindeling, recipe) if x) or None
    decimals = info["decimals"] if info["decimals"] is not None else charts.auto_decimals(frame["value"].dropna())
    return MapText(
        title=label(view.indicator, catalog, lang), subtitle=subtitle, source=source, source_full=source_full, vintage=vintage,
        recipe=recipe, note=note, mode=mode, decimals=decimals, unit=str(info["unit"]), notes=notes,
    )  # fmt: skip


def figure_kwargs(text: MapText, info: dict[str, Any], view: View, lang: str, overlay: list[Any] | None) -> dict[str, Any]:
    """The keyword arguments of :func:`welfare.charts.choropleth` for the map of a view."""
    return dict(
        unit=info["unit"], title=text.title, subtitle=text.subtitle, source=text.source, vintage=text.vintage, note=text.note,
        lang=lang, mode=text.mode, direction=info["direction"] or None, reference_value=info["reference"],
        reference_label=info["reference_label"], hover_data=info["hover"], decimals=text.decimals,
        deal_overlay=overlay, height=MAP_HEIGHT, uirevision=f"map-{view.level}",
    )  # fmt: skip


def shown_regions(frame: pd.DataFrame, gj: dict[str, Any] | None) -> pd.DataFrame:
    """The rows of regions drawn on the layer (all rows when there is no layer)."""
    if gj is None:
        return frame
    return frame[frame["region_code"].isin({f.get("id") or f["properties"]["statcode"] for f in gj["features"]})]


def data_shown(view: View, frame: pd.DataFrame, info: dict[str, Any], text: MapText, lang: str) -> pd.DataFrame:
    """The map's data for a CSV: one row per region drawn, with indicator, year, unit and source.

    Only the view's indicator (or score) and the regions on the map; missing
    values stay empty, never 0.
    """
    out = pd.DataFrame(
        {
            "region_code": frame["region_code"].astype(str),
            "region_name": frame["name"].astype(str),
            "level": view.level,
            "indicator": view.indicator,
            "indicator_label": text.title,
            "year": info["year"],
            "value": frame["value"].astype(float),
            "unit": text.unit,
            "rank": frame["rank"],
            "source": text.source_full,
            "vintage": text.vintage,
        }
    )
    if info.get("hash"):
        out["config_hash"] = info["hash"]
    return out.sort_values(["rank", "region_name"], na_position="last").reset_index(drop=True)


@dataclass
class MapView:
    """The map of one view: its figure, data and texts."""

    view: View
    figure: go.Figure | None  # None when the warehouse has no boundary layer for the level
    frame: pd.DataFrame
    info: dict[str, Any]
    text: MapText
    levels: LevelData
    data: pd.DataFrame  # :func:`data_shown`


def build_map(view: View, data: WarehouseLike, folder: str, lang: str, registry: Any = None) -> MapView:
    """The map of ``view`` from a warehouse folder, without Streamlit (the CLI's export).

    ``registry`` (a :class:`welfare.deals.Registry`) is needed only when the
    view shows the deals.
    """
    levels = level_data(data, folder, view.level)
    frame, info = map_frame(view, levels, data, lang)
    text = map_text(view, levels, frame, info, data.catalog, str(data.manifest.get("built_at") or ""), lang)
    fig = None
    drawn = frame
    if levels.boundary_year is not None:
        gj = geojson(folder, view.level, levels.boundary_year)
        overlay = deal_traces(folder, registry, int(levels.boundary_year), lang) if view.deals and registry is not None else None
        drawn = shown_regions(frame, gj)
        fig = figure(drawn, gj, figure_kwargs(text, info, view, lang, overlay))
    return MapView(view=view, figure=fig, frame=frame, info=info, text=text, levels=levels, data=data_shown(view, drawn, info, text, lang))


def split_view_link(link: str) -> tuple[str, dict[str, list[str]]]:
    """The page and query parameters of a permalink, a path with a query, or a bare query string.

    >>> split_view_link("https://welvaart.example.nl/?niveau=corop&jaar=2022")
    ('kaart', {'niveau': ['corop'], 'jaar': ['2022']})
    >>> split_view_link("ranglijst?jaar=2022")
    ('ranglijst', {'jaar': ['2022']})
    >>> split_view_link("")
    ('kaart', {})
    """
    from urllib.parse import parse_qs, urlsplit

    text = link.strip()
    if "://" in text:
        parts = urlsplit(text)
        path, query = parts.path, parts.query
    elif "?" in text:
        path, query = text.split("?", 1)
    elif "=" in text or not text:
        path, query = "", text  # a bare query string: values may hold '/' (a hostile one, too)
    else:
        path, query = text, ""
    page = path.strip("/").rsplit("/", 1)[-1] or "kaart"
    return page, {k: v for k, v in parse_qs(query.lstrip("?"), keep_blank_values=True).items()}


LevelsFn = Callable[[str], LevelData]  # level -> its values (the page passes a cached one)


def _per_call_levels(data: WarehouseLike, folder: str) -> LevelsFn:
    cache: dict[str, LevelData] = {}

    def levels(level: str) -> LevelData:
        if level not in cache:
            cache[level] = level_data(data, folder, level)
        return cache[level]

    return levels


def years_lookup(catalog: Catalog, levels: LevelsFn) -> Callable[[str, str], list[int]]:
    """``years_available`` for :func:`welfare.state.parse_view`: the years the map has for an indicator at a level."""

    def years(indicator: str, level: str) -> list[int]:
        if level not in LEVELS:
            return []
        return years_for(indicator, level, catalog, indicator_years(levels(level)))

    return years


def view_from_link(link: str, data: WarehouseLike, folder: str, levels: LevelsFn | None = None) -> tuple[View, list[str]]:
    """The map view of a link, and the problems with it (unknown keys, values out of range), in English.

    Raises
    ------
    ValueError
        The link names another page than the map.
    """
    from dataclasses import replace

    from welfare.state import parse_view

    page, query = split_view_link(link)
    if page != "kaart":
        raise ValueError(f"the link opens the page {page!r}; export from the command line takes views of the map (kaart)")
    levels = levels or _per_call_levels(data, folder)
    view, notices = parse_view(query, data.catalog, years_lookup(data.catalog, levels), page="kaart")
    problems = [n.text("en") for n in notices]
    if view.level in LEVELS:
        if view.indicator not in indicator_options(data.catalog, indicator_years(levels(view.level)), view.level):
            problems.append(f"The map has no '{view.indicator}' for level {view.level} (indicator, niveau).")
    return replace(view, page="kaart"), problems
