"""Kaart, the landing page: brede welvaart per region on a map.

Any indicator of the catalogue, a theme score, the composite pressure score or
the CBS-style count, for gemeenten, COROP areas or provinces, for any year with
figures; continuous colours, CBS-style quarters or diverging around the NL
value; the Regio Deals as an overlay. A click on a region opens its profile.

The view lives in the URL (``welfare.state``: ``?niveau=corop&jaar=2022&...``).
Streamlit's ``bind="query-params"`` would put the *shown label* of a select box
in the URL (a Dutch or English indicator name), so this page syncs the URL
itself: it parses the link once, seeds the controls from it and writes the
chosen view back after every change.

Where the numbers come from: gemeenten use the series restated on the newest
indeling (one map layer for every year); COROP areas and provinces use
``welfare.aggregate.aggregate_level`` (the CBS value where published, else made
from gemeenten); scores come from ``welfare.scoring`` with, per indicator, the
newest year up to the chosen one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from pages._common import WarehouseData, context, frame_guard, registry, registry_path, warehouse
from welfare import charts
from welfare.boundaries import boundaries_path, read_boundaries, web_geojson
from welfare.errors import WelfareError
from welfare.i18n import md_escape, t
from welfare.scoring import ScoringConfig, default_indicators, score
from welfare.state import (
    COUNT,
    MODES,
    PARAMS,
    PRESETS,
    PRESSURE,
    THEME_PREFIX,
    View,
    aggregation,
    parse_view,
    permalink,
    region_from_selection,
    scoring_themes,
    theme_weights,
    view_to_query,
)

frame_guard()
ctx = context()
lang = ctx.lang
charts.use_template()

LEVELS = ("GM", "CR", "PV")
LAYER = {"GM": "gemeente", "CR": "coropgebied", "PV": "provincie"}
MAP_HEIGHT = 680
COLORBAR_ROOM = 150  # px right of the map for the colour bar and its title
PROFILE_PAGE = "pages/regioprofiel.py"
STATE_KEY = "_map_state"  # (query we wrote, View, notices) of the last run
URL_PARAMS = tuple(p for p in PARAMS if p != "lang")  # lang belongs to the frame's switch


# ----------------------------------------------------------------------------- cached data


def _stamp(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


@dataclass(frozen=True)
class LevelData:
    """Every indicator's values at one level, all years (shared: do not mutate)."""

    values: pd.DataFrame  # region_code, indicator_id, year, value, flags, method, coverage
    tables: dict[tuple[str, int], tuple[str, ...]]  # (indicator, year) -> source tables
    names: dict[str, str]  # region code -> name
    boundary_year: int | None  # the map layer's year


@st.cache_resource(show_spinner=False, max_entries=6)
def _level_data(folder: str, stamp: float, level: str, _data: WarehouseData) -> LevelData:
    obs, regions = _data.observations, _data.regions
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

        agg = aggregate_level(obs, regions, level, _data.catalog, lang="nl")
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
    return LevelData(values=values, tables=tables, names=dict(zip(named["code"], named["name"])), boundary_year=_layer_year(folder, level, boundary))


def _layer_year(folder: str, level: str, wanted: int | None) -> int | None:
    """``wanted`` when its web layer exists, else the nearest year that has one."""
    years = [y for y in range(2018, 2027) if boundaries_path(folder, LAYER[level], y, web=True).is_file()]
    if not years:
        return None
    target = wanted if wanted is not None else max(years)
    return min(years, key=lambda y: (abs(y - target), -y))


@st.cache_resource(show_spinner=False, max_entries=6)
def _geojson(folder: str, layer: str, year: int, stamp: float) -> dict[str, Any]:
    return web_geojson(folder, layer, year)


@st.cache_data(show_spinner=False, max_entries=8)
def _indicator_years(folder: str, stamp: float, level: str, _data: WarehouseData) -> dict[str, list[int]]:
    """Per indicator the years with at least one value at the level."""
    values = _level_data(folder, stamp, level, _data).values.dropna(subset=["value"])
    return {str(i): sorted(int(y) for y in g.unique()) for i, g in values.groupby("indicator_id")["year"]}


@st.cache_data(show_spinner=False, max_entries=8)
def _score_years(folder: str, stamp: float, level: str, _data: WarehouseData) -> list[int]:
    """Years for the scores: from the first year by which every theme of the level has an indicator with values."""
    catalog = _data.catalog
    have = _indicator_years(folder, stamp, level, _data)
    ids = [i for i in default_indicators(catalog, level) if have.get(i)]
    if not ids:
        return []
    first: dict[str, int] = {}
    for i in ids:
        theme = catalog.indicators[i].theme
        first[theme] = min(first.get(theme, 9999), min(have[i]))
    start = max(first.values())
    return sorted({y for i in ids for y in have[i] if y >= start})


@st.cache_data(show_spinner=False, max_entries=32)
def _scores(
    folder: str, stamp: float, level: str, year: int | None, weights: tuple[tuple[str, float], ...] | None, how: str, _data: WarehouseData
) -> tuple[pd.DataFrame, dict[str, Any]]:
    config = ScoringConfig(level=level, up_to_year=year, theme_weights=weights, aggregation=how)
    result = score(_data.observations, _data.regions, _data.catalog, config)
    frame = result.regions[["region_code", "pressure_score", "rank", "worst_quarter_count", "themes_under_pressure", "coverage"]].copy()
    for theme in result.theme_scores.columns:
        frame[THEME_PREFIX + theme] = result.theme_scores[theme].to_numpy()
    used = [(i, int(y)) for i, y in zip(result.input.indicator_ids, result.input.years) if y > 0]
    meta = {"hash": result.hash, "used": used}
    return frame, meta


def _level_themes(level: str) -> list[str]:
    catalog = data.catalog
    return list(dict.fromkeys(catalog.indicators[i].theme for i in default_indicators(catalog, level)))


# ----------------------------------------------------------------------------- the view


def _years_for(indicator: str, level: str) -> list[int]:
    if level not in LEVELS:
        return []
    if indicator == PRESSURE or indicator == COUNT or indicator.startswith(THEME_PREFIX):
        return _score_years(folder, stamp, level, data)
    return _indicator_years(folder, stamp, level, data).get(indicator, [])


def _current_query() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in PARAMS if k in st.query_params}


def _written(query: dict[str, str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((k, (v,) if isinstance(v, str) else tuple(v)) for k, v in query.items() if k in URL_PARAMS))


def _seed(view: View) -> None:
    st.session_state["map_level"] = view.level
    st.session_state["map_indicator"] = view.indicator
    st.session_state["map_mode"] = view.mode
    st.session_state["map_deals"] = view.deals
    st.session_state["map_year"] = view.year
    st.session_state["map_weights"] = view.weights if isinstance(view.weights, str) else "custom"
    st.session_state["_map_custom_weights"] = view.weights if not isinstance(view.weights, str) else None


def _start_view() -> tuple[View, list[Any], bool]:
    """The view this run starts from, its notices, and whether the controls must be seeded from it."""
    url = _current_query()
    last = st.session_state.get(STATE_KEY)
    if last is not None and last[0] == _written(url):
        return last[1], last[2], False  # the URL is the one this page wrote: the controls hold the view
    if last is not None and not _written(url):
        return replace(last[1], lang=lang), [], True  # back on the map without a link: the last map
    view, notices = parse_view(url, data.catalog, _years_for, page="kaart")
    return replace(view, lang=lang), [n for n in notices if n.param != "lang"], True


def _label(indicator: str) -> str:
    catalog = data.catalog
    if indicator == PRESSURE:
        return t("map.ind_pressure", lang)
    if indicator == COUNT:
        return t("map.ind_count", lang)
    if indicator.startswith(THEME_PREFIX):
        return t("map.ind_theme", lang, theme=catalog.theme_label(indicator[len(THEME_PREFIX):], lang))
    ind = catalog.indicators[indicator]
    return ind.label(lang)


def _option_label(indicator: str) -> str:
    if indicator == PRESSURE or indicator == COUNT or indicator.startswith(THEME_PREFIX):
        return _label(indicator)
    ind = data.catalog.indicators[indicator]
    return t("map.ind_indicator", lang, label=ind.label(lang), theme=data.catalog.theme_label(ind.theme, lang))


def _indicator_options(level: str) -> list[str]:
    """Scores first (when the level has years for them), then every indicator with figures at the level."""
    have = _indicator_years(folder, stamp, level, data)
    options: list[str] = []
    if _score_years(folder, stamp, level, data):
        themes = [th for th in scoring_themes(data.catalog) if th in _level_themes(level)]
        options = [PRESSURE, COUNT, *(THEME_PREFIX + th for th in themes)]
    return options + [i for i in data.catalog.indicators if have.get(i)]


def _safe_label(indicator: object) -> str:
    try:
        return _label(str(indicator))
    except KeyError:
        return str(indicator)


def _controls(start: View, seed: bool) -> tuple[View, list[str]]:
    """Draw the controls (seeded from ``start`` when asked) and return the chosen view and page notes."""
    notes: list[str] = []
    if seed:
        _seed(start)
    c_ind, c_level = st.columns([3, 2], vertical_alignment="bottom")
    with c_level:
        if st.session_state.get("map_level") not in LEVELS:
            st.session_state["map_level"] = "GM"
        level = st.segmented_control(
            t("map.level", lang), LEVELS, key="map_level", required=True, format_func=lambda lv: t(f"map.level_{lv.lower()}", lang)
        ) or "GM"
    options = _indicator_options(level)
    with c_ind:
        chosen = st.session_state.get("map_indicator")
        if not options:
            st.info(t("map.no_data", lang), icon=":material/map:")
            st.stop()
        if chosen not in options:
            if chosen is not None and chosen != PRESSURE or options[0] != PRESSURE:
                notes.append(
                    t("map.indicator_not_at_level", lang, label=md_escape(_safe_label(chosen)),
                      level=t(f"map.level_{level.lower()}", lang), shown=md_escape(_safe_label(options[0])))
                )  # fmt: skip
            st.session_state["map_indicator"] = options[0]
        indicator = st.selectbox(
            t("map.indicator", lang), options, key="map_indicator", format_func=_option_label, help=t("map.indicator_help", lang)
        )
    c_mode, c_weights, c_deals = st.columns([2, 3, 1.5], vertical_alignment="bottom")
    with c_mode:
        if st.session_state.get("map_mode") not in MODES:
            st.session_state["map_mode"] = "continuous"
        mode = st.segmented_control(
            t("map.mode", lang), MODES, key="map_mode", required=True, format_func=lambda m: t(f"map.mode_{m}", lang), help=t("map.mode_help", lang)
        ) or "continuous"
    with c_deals:
        deals = st.toggle(t("map.deals", lang), key="map_deals", help=t("map.deals_help", lang))

    weights = start.weights
    if indicator == PRESSURE:
        custom = st.session_state.get("_map_custom_weights")
        w_options = [*PRESETS, *(["custom"] if custom else [])]
        if st.session_state.get("map_weights") not in w_options:
            st.session_state["map_weights"] = "gelijk"
        with c_weights:
            pick = st.segmented_control(
                t("map.weights", lang), w_options, key="map_weights", required=True, help=t("map.weights_help", lang),
                format_func=lambda w: t("map.weights_custom", lang) if w == "custom" else t(f"map.weights_{w.replace('-', '_')}", lang),
            ) or "gelijk"  # fmt: skip
        weights = custom if pick == "custom" and custom else pick

    years = _years_for(indicator, level)
    year: int | None = None
    wanted = st.session_state.get("map_year")
    if years:
        if wanted is not None and wanted not in years:
            shown = max((y for y in years if y <= wanted), default=min(years))
            notes.append(t("map.year_moved", lang, year=wanted, shown=shown))
            wanted = shown
        if len(years) == 1:
            st.caption(t("map.year_only", lang, year=years[0]))
            st.session_state["map_year"] = None
        else:
            st.session_state["map_slider"] = wanted if wanted is not None else years[-1]
            picked = st.select_slider(t("map.year", lang), years, key="map_slider")
            # the newest year stays "newest" (no jaar= in the link) unless a year was chosen before
            year = None if picked == years[-1] and wanted is None else int(picked)
        st.session_state["map_year"] = year
    view = replace(start, level=level, indicator=indicator, mode=mode, deals=bool(deals), year=year, weights=weights, lang=lang)
    return view, notes


def _sync_url(view: View) -> None:
    """Write the view's parameters to the URL (lang stays with the frame's switch)."""
    query = view_to_query(view)
    for key in URL_PARAMS:
        if key in query:
            if st.query_params.get_all(key) != [query[key]]:
                st.query_params[key] = query[key]
        elif key in st.query_params:
            del st.query_params[key]


# ----------------------------------------------------------------------------- the map frame


def _ranks(out: pd.DataFrame, ranks: pd.Series | None = None, *, high_first: bool = True) -> None:
    """Add ``rank`` (1 = least favourable; ties share the better rank unless ``ranks`` are given) and
    ``rank_text`` ('12 van 342') to ``out``."""
    values = out["value"]
    if ranks is None:
        ranks = values.rank(ascending=not high_first, method="min")
    n = int(values.notna().sum())
    out["rank"] = pd.array([int(r) if pd.notna(r) else None for r in ranks], dtype="Int64")
    out["rank_text"] = [t("map.rank_of", lang, rank=int(r), n=n) if pd.notna(r) else None for r in out["rank"]]


def _map_frame(view: View, level_data: LevelData) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One row per region with ``value`` and hover columns, and what the figure needs to know."""
    catalog = data.catalog
    year = view.year
    names = level_data.names
    if view.is_score:
        weights = theme_weights(view, _level_themes(view.level))
        how = aggregation(view)
        frame, meta = _scores(folder, stamp, view.level, year, weights, how, data)
        column = "pressure_score" if view.indicator == PRESSURE else ("worst_quarter_count" if view.indicator == COUNT else view.indicator)
        out = pd.DataFrame({"region_code": frame["region_code"], "value": frame[column].astype(float)})
        # the composite keeps the ranking's own strict rank, as on the ranglijst and the profile
        _ranks(out, frame["rank"].reset_index(drop=True) if view.indicator == PRESSURE else None)
        hover = {"rank_text": t("map.hover_rank_pressure", lang)}
        if view.indicator == PRESSURE:
            out["count"] = frame["worst_quarter_count"].astype("Int64").astype(object).where(out["value"].notna(), None)
            hover["count"] = t("map.hover_count", lang)
        out["coverage"] = frame["coverage"].to_numpy()
        hover["coverage"] = t("map.hover_coverage_score", lang)
        tables = sorted({tb for i, y in meta["used"] for tb in level_data.tables.get((i, y), catalog.indicators[i].tables)})
        years_used = sorted({y for _, y in meta["used"]})
        shown_year = max(years_used) if years_used else None
        unit = t("map.unit_count", lang) if view.indicator == COUNT else t("map.unit_pressure", lang)
        info = {
            "unit": unit, "direction": -1, "tables": tables, "years": years_used, "year": year or shown_year,
            "reference": float(np.nanmean(out["value"])) if out["value"].notna().any() else None,
            "reference_label": t("map.reference_mean", lang), "hash": meta["hash"], "hover": hover,
            "harmonised": view.level == "GM", "decimals": 0 if view.indicator == COUNT else 2,
        }  # fmt: skip
    else:
        ind = catalog.indicators[view.indicator]
        rows = level_data.values[level_data.values["indicator_id"] == view.indicator]
        years = sorted(int(y) for y in rows.dropna(subset=["value"])["year"].unique())
        year = year if year in years else (years[-1] if years else None)
        rows = rows[rows["year"] == year]
        out = rows[["region_code", "value", "flags", "method", "coverage"]].reset_index(drop=True)
        direction = ind.direction
        _ranks(out, high_first=direction != 1)
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
            "unit": ind.unit(lang), "direction": direction, "tables": list(level_data.tables.get((view.indicator, year or -1), ind.tables)),
            "years": [year] if year else [], "year": year, "reference": reference, "reference_label": None, "hash": None,
            "hover": hover, "harmonised": bool(out["flags"].str.contains("harmonised", regex=False).any()), "decimals": None,
            "previous": max((y for y in years if year and y < year), default=None),
        }  # fmt: skip
        if reference is None and out["value"].notna().any():
            info["reference"] = float(out["value"].median())
            info["reference_label"] = t("map.reference_median", lang)
    out["name"] = out["region_code"].map(names).fillna(out["region_code"])
    return out, info


def _changes(view: View, level_data: LevelData, frame: pd.DataFrame, info: dict[str, Any], decimals: int) -> str | None:
    """'Grootste stijging sinds 2022: A (+1,2), B (+0,9). Grootste daling: ...' for an indicator."""
    prev = info.get("previous")
    if view.is_score or prev is None:
        return None
    rows = level_data.values
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


@st.cache_resource(show_spinner=False, max_entries=8)
def _deal_traces(folder: str, stamp: float, reg_file: str, reg_stamp: float, year: int, lang: str, _reg: Any) -> list[Any]:
    from welfare.deals import deal_areas
    from welfare.warehouse import read_deal_members

    try:
        member_table = read_deal_members(Path(folder), year)
    except (WelfareError, OSError):
        member_table = None  # an older warehouse without deal tables: resolve the members here
    gm = read_boundaries(folder, "gemeente", year, web=True)
    areas = deal_areas(_reg, gm, year, member_table=member_table)
    # outlines at national scale: 0.02° (≈ 2 px at the initial zoom) keeps the gemeente map with deals under 400 KB
    return charts.deal_overlay_traces(areas, lang=lang, halo=False, simplify=0.02)


@st.cache_resource(show_spinner=False, max_entries=24)
def _figure(key: tuple[Any, ...], _frame: pd.DataFrame, _gj: dict[str, Any], _kwargs: dict[str, Any]) -> Any:
    fig = charts.choropleth(_frame, _gj, **_kwargs)
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


def _open_profile(view: View, code: str, name: str) -> None:
    """Open the region's profile; while that page does not exist, say so instead."""
    target = Path(__file__).resolve().parent / "regioprofiel.py"
    if target.is_file():
        try:
            st.switch_page(PROFILE_PAGE, query_params=view_to_query(replace(view, page="regioprofiel", regions=(code,))))
        except StreamlitAPIException:
            pass  # the page file exists but is not in the navigation yet
    st.info(t("map.profile_missing", lang, name=md_escape(name), code=code), icon=":material/info:")


# ----------------------------------------------------------------------------- page

data = warehouse(ctx)
folder = str(ctx.warehouse_dir)
stamp = _stamp(ctx.warehouse_dir / "manifest.json")

st.title(t("map.title", lang))
st.caption(t("map.intro", lang))

start, notices, seed = _start_view()
view, notes = _controls(start, seed)
if view.is_score and not isinstance(view.weights, str) and theme_weights(view, _level_themes(view.level)) is None:
    notes.append(t("map.weights_level", lang))
_sync_url(view)
st.session_state[STATE_KEY] = (_written(view_to_query(view)), view, notices if view == start else [])

level_data = _level_data(folder, stamp, view.level, data)
try:
    frame, info = _map_frame(view, level_data)
except (ValueError, WelfareError) as exc:
    st.error(t("map.score_failed", lang, error=md_escape(exc)), icon=":material/error:")
    st.stop()
if view.mode == "quarters" and not info["direction"]:
    notes.append(t("map.no_quarters", lang, label=md_escape(_label(view.indicator))))
mode = "continuous" if view.mode == "quarters" and not info["direction"] else view.mode
if mode == "diverging" and info["reference_label"] and not view.is_score:
    notes.append(t("map.no_reference", lang, year=info["year"], ref=info["reference_label"]))
if mode == "diverging" and info["reference"] is None:
    mode = "continuous"

shown_notices = [n.markdown(lang) for n in notices] + notes
if shown_notices:
    st.info("  \n".join(shown_notices), icon=":material/link:")

level_word = t(f"map.level_{view.level.lower()}", lang)
year_text = str(info["year"]) if info["year"] else "–"
if view.is_score:
    subtitle = t("map.subtitle_score", lang, level=level_word, year=year_text)
elif view.level == "GM" and level_data.boundary_year:
    subtitle = t("map.subtitle_gm", lang, level=level_word, year=year_text, boundary=level_data.boundary_year)
else:
    subtitle = t("map.subtitle", lang, level=level_word, year=year_text)
# Under the figure the line must fit its width: a few tables, and the herindeling credit on the second
# line; the caption under it names every table.
source = charts.source_line(info["tables"], info["years"], lang, boundaries=True, max_tables=3)
source_full = charts.source_line(info["tables"], info["years"], lang, boundaries=True, harmonised=info["harmonised"], max_tables=99)
vintage = charts.vintage_line(data.built_at, lang) if data.built_at else ""
herindeling = charts.label("herindeling", lang) if info["harmonised"] else ""
recipe = t("map.score_note", lang, hash=info["hash"]) if info["hash"] else ""
note = " · ".join(x for x in (herindeling, recipe) if x) or None
title = _label(view.indicator)
decimals = info["decimals"] if info["decimals"] is not None else charts.auto_decimals(frame["value"].dropna())
summary_unit = "" if view.is_score else info["unit"]  # "(1,42 drukscore)" after every name says nothing
what = f"{title}, {subtitle.split(' · ')[0]}"
summary = charts.map_summary(frame, unit=summary_unit, lang=lang, decimals=decimals, what=what)

map_col, side_col = st.columns([0.7, 0.3], gap="medium")
gj = None
if level_data.boundary_year is not None:
    layer_path = boundaries_path(folder, LAYER[view.level], level_data.boundary_year, web=True)
    try:
        gj = _geojson(folder, LAYER[view.level], level_data.boundary_year, _stamp(layer_path))
    except WelfareError:
        gj = None
with map_col:
    if gj is None:
        st.warning(t("map.no_boundaries", lang, level=level_word, hint=t("build.hint", lang)), icon=":material/map:")
    else:
        summary = charts.map_summary(frame, unit=summary_unit, lang=lang, decimals=decimals, geojson=gj, what=what)
        overlay = None
        if view.deals and level_data.boundary_year is not None:
            try:
                reg = registry(ctx)
                overlay = _deal_traces(
                    folder, stamp, str(registry_path()), _stamp(registry_path()), int(level_data.boundary_year), lang, reg
                )
            except (WelfareError, ValueError, OSError) as exc:
                st.warning(t("map.deals_failed", lang, error=md_escape(exc)), icon=":material/warning:")
        map_frame = frame[frame["region_code"].isin({f.get("id") or f["properties"]["statcode"] for f in gj["features"]})]
        kwargs = dict(
            unit=info["unit"], title=title, subtitle=subtitle, source=source, vintage=vintage, note=note, lang=lang,
            mode=mode, direction=info["direction"] or None, reference_value=info["reference"],
            reference_label=info["reference_label"], hover_data=info["hover"], decimals=decimals,
            deal_overlay=overlay, height=MAP_HEIGHT, uirevision=f"map-{view.level}",
        )  # fmt: skip
        key = (
            folder, stamp, view.level, view.indicator, info["year"], mode, str(view.weights), lang, level_data.boundary_year,
            (str(registry_path()), _stamp(registry_path()), overlay is not None) if view.deals else None,
        )  # fmt: skip
        fig = _figure(key, map_frame, gj, kwargs)
        event = st.plotly_chart(
            fig, theme=None, key="map_click", on_select="rerun", selection_mode="points", alt=summary,
            config={"displaylogo": False, "scrollZoom": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
        )  # fmt: skip
        code = region_from_selection(event)
        if code:
            _open_profile(view, code, level_data.names.get(code, code))
        st.caption(t("map.click_hint", lang))
    st.caption(md_escape(source_full) + "  \n" + md_escape(" · ".join(x for x in (vintage, recipe) if x)))

with side_col:
    st.subheader(t("map.summary", lang))
    st.markdown(md_escape(summary))
    changes = _changes(view, level_data, frame, info, decimals)
    if changes:
        st.markdown(md_escape(changes))
    if view.regions:
        st.markdown("**" + t("map.selected", lang) + "**")
        rows = frame.set_index("region_code")
        lines = []
        for code in view.regions:
            name = level_data.names.get(code, code)
            if code in rows.index and pd.notna(rows.at[code, "value"]):
                value = charts.format_number(rows.at[code, "value"], lang, decimals) + (f" {info['unit']}" if info["unit"] else "")
                lines.append(t("map.selected_row", lang, name=name, value=value, rank=rows.at[code, "rank_text"]))
            else:
                lines.append(t("map.selected_none", lang, name=name))
        st.markdown("\n".join(f"- {md_escape(line)}" for line in lines))
    base = (st.context.url or "").rstrip("/")
    if base.endswith("/kaart"):  # the URL of the page itself; the permalink adds the path
        base = base[: -len("/kaart")]
    st.markdown("**" + t("map.link", lang) + "**", help=t("map.link_help", lang))
    st.code(permalink(view, base), language=None, wrap_lines=True)


@st.fragment
def _table(frame: pd.DataFrame, unit: str, decimals: int, hover_rank: str) -> None:
    """All values as a table; searching it reruns only this fragment, not the map."""
    with st.expander(t("map.table", lang), icon=":material/table:"):
        needle = st.text_input(t("map.table_filter", lang), key="map_table_filter", max_chars=60)
        shown = frame[["region_code", "name", "value", "rank", *(["coverage"] if "coverage" in frame else [])]]
        if needle.strip():
            shown = shown[shown["name"].str.contains(needle.strip(), case=False, regex=False)]
        shown = shown.sort_values(["rank", "name"], na_position="last")
        # the value as text in the page's language (1.234,5); the rank column sorts
        shown = shown.assign(value=[charts.format_number(v, lang, decimals) if pd.notna(v) else None for v in shown["value"]])
        st.dataframe(
            shown,
            hide_index=True,
            placeholder="–",
            column_config={
                "region_code": st.column_config.TextColumn(t("map.col_code", lang), width=80),
                "name": st.column_config.TextColumn(t("map.col_name", lang)),
                "value": st.column_config.TextColumn(t("map.col_value", lang) + (f" ({unit})" if unit else "")),
                "rank": st.column_config.NumberColumn(t("map.col_rank", lang), format="%d", help=hover_rank),
                "coverage": st.column_config.ProgressColumn(t("map.col_coverage", lang), min_value=0.0, max_value=1.0, format="percent"),
            },
        )


_table(frame, info["unit"], decimals, info["hover"]["rank_text"])
