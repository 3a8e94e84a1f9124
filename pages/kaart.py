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

The numbers, texts and figure come from ``welfare.mapview`` (shared with the
CLI export); this page caches them and draws the controls. Gemeenten use the series restated on the newest
indeling (one map layer for every year); COROP areas and provinces use
``welfare.aggregate.aggregate_level`` (the CBS value where published, else made
from gemeenten); scores come from ``welfare.scoring`` with, per indicator, the
newest year up to the chosen one.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from pages._common import WarehouseData, context, frame_guard, map_level_data, registry, registry_path, warehouse
from pages._export import export_menu
from welfare import charts, mapview
from welfare.boundaries import boundaries_path
from welfare.errors import WelfareError
from welfare.i18n import md_escape, t
from welfare.mapview import LAYER, LEVELS
from welfare.state import (
    MODES,
    PARAMS,
    PRESETS,
    PRESSURE,
    View,
    parse_view,
    permalink,
    query_string,
    region_from_selection,
    theme_weights,
    view_to_query,
)

frame_guard()
ctx = context()
lang = ctx.lang
charts.use_template()

PROFILE_PAGE = "pages/regioprofiel.py"
STATE_KEY = "_map_state"  # (query we wrote, View, notices) of the last run
URL_PARAMS = tuple(p for p in PARAMS if p != "lang")  # lang belongs to the frame's switch


# ----------------------------------------------------------------------------- cached data


def _stamp(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


@st.cache_resource(show_spinner=False, max_entries=6)
def _geojson(folder: str, level: str, year: int, stamp: float) -> dict[str, Any]:
    return mapview.geojson(folder, level, year)


@st.cache_data(show_spinner=False, max_entries=8)
def _indicator_years(folder: str, stamp: float, level: str, _data: WarehouseData) -> dict[str, list[int]]:
    return mapview.indicator_years(map_level_data(folder, stamp, level, _data))


@st.cache_data(show_spinner=False, max_entries=32)
def _scores(
    folder: str, stamp: float, level: str, year: int | None, weights: tuple[tuple[str, float], ...] | None, how: str, _data: WarehouseData
) -> tuple[pd.DataFrame, dict[str, Any]]:
    return mapview.scores(_data, level, year, weights, how)


# ----------------------------------------------------------------------------- the view


def _years_for(indicator: str, level: str) -> list[int]:
    if level not in LEVELS:
        return []
    return mapview.years_for(indicator, level, data.catalog, _indicator_years(folder, stamp, level, data))


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
    return mapview.label(indicator, data.catalog, lang)


def _option_label(indicator: str) -> str:
    if mapview.is_score(indicator):
        return _label(indicator)
    ind = data.catalog.indicators[indicator]
    return t("map.ind_indicator", lang, label=ind.label(lang), theme=data.catalog.theme_label(ind.theme, lang))


def _indicator_options(level: str) -> list[str]:
    """Scores first (when the level has years for them), then every indicator with figures at the level."""
    return mapview.indicator_options(data.catalog, _indicator_years(folder, stamp, level, data), level)


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
    wanted = st.session_state.get("map_year")  # the year of the map drawn last (None: the newest)
    slider = st.session_state.get("map_slider")
    if not seed and slider is not None and slider != st.session_state.get("_map_slider_shown"):
        wanted = slider  # the user moved the slider since the last run: that year wins over the last map's
    if years:
        if wanted is not None and wanted not in years:
            shown = max((y for y in years if y <= wanted), default=min(years))
            notes.append(t("map.year_moved", lang, year=wanted, shown=shown))
            wanted = shown
        if len(years) == 1:
            st.caption(t("map.year_only", lang, year=years[0]))
            st.session_state["map_year"] = None
            st.session_state["_map_slider_shown"] = None
        else:
            st.session_state["map_slider"] = wanted if wanted is not None else years[-1]
            picked = st.select_slider(t("map.year", lang), years, key="map_slider")
            st.session_state["_map_slider_shown"] = picked
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


@st.cache_resource(show_spinner=False, max_entries=8)
def _deal_traces(folder: str, stamp: float, reg_file: str, reg_stamp: float, year: int, lang: str, _reg: Any) -> list[Any]:
    return mapview.deal_traces(folder, _reg, year, lang)


@st.cache_resource(show_spinner=False, max_entries=24)
def _figure(key: tuple[Any, ...], _frame: pd.DataFrame, _gj: dict[str, Any], _kwargs: dict[str, Any]) -> Any:
    return mapview.figure(_frame, _gj, _kwargs)


def _open_profile(view: View, code: str, name: str) -> None:
    """Open the region's profile; while that page does not exist, say so instead."""
    target = Path(__file__).resolve().parent / "regioprofiel.py"
    if target.is_file():
        try:
            st.switch_page(PROFILE_PAGE, query_params=view_to_query(replace(view, page="regioprofiel", regions=(code,))))
        except StreamlitAPIException:
            pass  # the page file exists but is not in the navigation yet
    st.info(t("map.profile_missing", lang, name=md_escape(name), code=code), icon=":material/info:")


PACK_KEY = "_pack_views"  # the map views collected for one briefing pack: [(query string, title)]
MAX_PACK_VIEWS = 12


def _pack_basket(view: View, title: str, link: str, base: str) -> None:
    """Collect map views for one briefing pack; the ZIP is built only on the download click."""
    basket: list[tuple[str, str]] = st.session_state.setdefault(PACK_KEY, [])
    query = query_string(view)
    # a fixed label: Streamlit keeps an expander open across reruns only while its label stays the same
    with st.expander(t("export.basket", lang), icon=":material/collections_bookmark:"):
        st.caption(t("export.basket_count", lang, n=len(basket)))
        here = any(q == query for q, _ in basket)
        if st.button(t("export.basket_add", lang), key="pack_add", disabled=here or len(basket) >= MAX_PACK_VIEWS, icon=":material/add:"):
            basket.append((query, title))
            st.rerun()
        for q, name in basket:
            st.markdown(f"- {md_escape(name)}")
        if basket:

            def pack() -> bytes:
                from welfare import export

                items = []
                reg = registry(ctx) if any("deals=1" in q for q, _ in basket) else None
                for q, name in basket:
                    v, _ = mapview.view_from_link("?" + q.lstrip("?"), data, folder)
                    v = replace(v, lang=lang)
                    shown = mapview.build_map(v, data, folder, lang, registry=reg)
                    if shown.figure is not None:
                        items.append(export.ExportItem(name=f"kaart-{name}", title=name, figure=shown.figure, data=shown.data,
                                                       permalink=permalink(v, base), config_hash=shown.info.get("hash")))  # fmt: skip
                return export.briefing_pack(items, lang=lang, vintage=text.vintage)

            from pages._export import file_or_message

            c_down, c_clear = st.columns([3, 1])
            c_down.download_button(
                t("export.basket_download", lang, n=len(basket)), data=file_or_message(pack, lang), file_name="regiowelvaart-briefingpakket.zip",
                mime="application/zip", on_click="ignore", key="pack_download", icon=":material/folder_zip:", width="stretch",
            )  # fmt: skip
            if c_clear.button(t("export.basket_clear", lang), key="pack_clear", width="stretch"):
                st.session_state[PACK_KEY] = []
                st.rerun()


# ----------------------------------------------------------------------------- page

data = warehouse(ctx)
folder = str(ctx.warehouse_dir)
stamp = _stamp(ctx.warehouse_dir / "manifest.json")

st.title(t("map.title", lang))
st.caption(t("map.intro", lang))

start, notices, seed = _start_view()
view, notes = _controls(start, seed)
if view.is_score and not isinstance(view.weights, str) and theme_weights(view, mapview.level_themes(data.catalog, view.level)) is None:
    notes.append(t("map.weights_level", lang))
_sync_url(view)
st.session_state[STATE_KEY] = (_written(view_to_query(view)), view, notices if view == start else [])

level_data = map_level_data(folder, stamp, view.level, data)
try:
    frame, info = mapview.map_frame(
        view, level_data, data, lang, scores_fn=lambda lv, y, w, h: _scores(folder, stamp, lv, y, w, h, data)
    )
except (ValueError, WelfareError) as exc:
    st.error(t("map.score_failed", lang, error=md_escape(exc)), icon=":material/error:")
    st.stop()
text = mapview.map_text(view, level_data, frame, info, data.catalog, data.built_at, lang)
notes += text.notes

shown_notices = [n.markdown(lang) for n in notices] + notes
if shown_notices:
    st.info("  \n".join(shown_notices), icon=":material/link:")

level_word = t(f"map.level_{view.level.lower()}", lang)
title, decimals = text.title, text.decimals
summary_unit = "" if view.is_score else info["unit"]  # "(1,42 drukscore)" after every name says nothing
what = f"{title}, {text.subtitle.split(' · ')[0]}"
summary = charts.map_summary(frame, unit=summary_unit, lang=lang, decimals=decimals, what=what)

map_col, side_col = st.columns([0.7, 0.3], gap="medium")
gj = None
if level_data.boundary_year is not None:
    layer_path = boundaries_path(folder, LAYER[view.level], level_data.boundary_year, web=True)
    try:
        gj = _geojson(folder, view.level, level_data.boundary_year, _stamp(layer_path))
    except WelfareError:
        gj = None
base = (st.context.url or "").rstrip("/")
if base.endswith("/kaart"):  # the URL of the page itself; the permalink adds the path
    base = base[: -len("/kaart")]
link = permalink(view, base)
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
        map_frame = mapview.shown_regions(frame, gj)
        kwargs = mapview.figure_kwargs(text, info, view, lang, overlay)
        key = (
            folder, stamp, view.level, view.indicator, info["year"], text.mode, str(view.weights), lang, level_data.boundary_year,
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
        export_menu(
            "map", fig, lang=lang, title=f"{title} — {text.subtitle}", permalink=link, config_hash=info["hash"],
            data=lambda: mapview.data_shown(view, map_frame, info, text, lang), vintage=text.vintage,
            print_query=query_string(view),
        )  # fmt: skip
        _pack_basket(view, f"{title} — {text.subtitle}", link, base)
    st.caption(md_escape(text.source_full) + "  \n" + md_escape(" · ".join(x for x in (text.vintage, text.recipe) if x)))

with side_col:
    st.subheader(t("map.summary", lang))
    st.markdown(md_escape(summary))
    changes = mapview.changes(view, level_data, frame, info, decimals, lang)
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
    st.markdown("**" + t("map.link", lang) + "**", help=t("map.link_help", lang))
    st.code(link, language=None, wrap_lines=True)


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
