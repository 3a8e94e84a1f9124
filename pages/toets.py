"""Toets: would a set of gemeenten qualify for a Regio Deal? The afwegingskader as a checklist.

Thin: the rules, numbers and texts are ``welfare.eligibility``; the map is
``welfare.charts``. Build the area from a preset (COROP, province,
arbeidsmarktregio, an existing deal area), a list or clicks on the map, enter
the amounts, and read the verdicts with their numbers and sources, the area on
the pressure map and a generated onderbouwing (Markdown and PDF download).

The view lives in the URL: ``?regio=`` holds the area as a preset token
(``CR39``, ``deal:<id>``) or gemeente codes joined by ``~`` (the convention of
``welfare.state``), ``rijk``, ``publiek``, ``privaat`` the amounts in M€,
``kader`` the framework (2022 or 2024) and ``naam`` the area's name. Round 6
(2025) was the last round, so the page says this is a what-if.
"""

from __future__ import annotations

import hashlib
import math
import re
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from pages._common import base_url, context, frame_guard, registry, registry_path, warehouse
from pages._export import export_menu
from welfare import charts, state
from welfare import eligibility as el
from welfare.boundaries import read_boundaries, web_geojson
from welfare.deals import Registry, members, pressure_map_shown
from welfare.errors import WelfareError
from welfare.i18n import md_escape, t
from welfare.profile import years_span
from welfare.scoring import ScoringConfig, score
from welfare.state import region_from_selection
from welfare.texts.deals import status_label

frame_guard()
ctx = context()
lang = ctx.lang
charts.use_template()

AREA_KEY = "toets_gm"  # the multiselect of gemeente codes: the area
TOKEN_KEY = "_toets_token"  # the preset the area came from, while it is unchanged
WRITTEN_KEY = "_toets_written"  # the ?regio= value this page wrote last
FOCUS_KEY = "_toets_focus"  # the area the map is zoomed to: changes with presets, links and the list, not with clicks
BY_CLICK_KEY = "_toets_by_click"
PRESET_KINDS = ("corop", "provincie", "arbeidsmarktregio", "deal")
VERDICT_STYLE = {
    el.MEETS: ("green", ":material/check_circle:"),
    el.ATTENTION: ("orange", ":material/warning:"),
    el.FAILS: ("red", ":material/cancel:"),
    el.UNTESTABLE: ("gray", ":material/help:"),
}
MAP_HEIGHT = 560


def _stamp(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


# ----------------------------------------------------------------------------- cached data


@st.cache_resource(show_spinner=False, max_entries=4)
def _members(registry_file: str, stamp: float, _reg: Registry, year: int) -> pd.DataFrame:
    return members(_reg, year)


@st.cache_resource(show_spinner=False, max_entries=4)
def _presets(folder: str, wh_stamp: float, registry_file: str, stamp: float, year: int, _wh, _reg, _members) -> pd.DataFrame:
    return el.presets(_wh.regions, year, _reg, _members)


@st.cache_resource(show_spinner=False, max_entries=2)
def _geojson(folder: str, wh_stamp: float, year: int) -> dict:
    return web_geojson(folder, "gemeente", year)


@st.cache_resource(show_spinner=False, max_entries=2)
def _layer(folder: str, wh_stamp: float, year: int):
    return read_boundaries(folder, "gemeente", year, web=True)


@st.cache_resource(show_spinner=False, max_entries=2)
def _pressure(folder: str, wh_stamp: float, _wh) -> pd.DataFrame:
    result = score(_wh.observations, _wh.regions, _wh.catalog, ScoringConfig())
    frame = result.regions.rename(columns={"region_name": "name"})
    frame.attrs["hash"] = result.hash
    frame.attrs["years"] = sorted({int(y) for y in result.input.years if y > 0})
    frame.attrs["indicators"] = tuple(result.input.indicator_ids)
    return frame


@st.cache_resource(show_spinner=False, max_entries=32)
def _check(
    folder: str, wh_stamp: float, registry_file: str, stamp: float,
    codes: tuple[str, ...], rijk: float | None, public: float | None, private: float | None, framework: int, name: str,
    _wh, _reg, _members,
) -> el.EligibilityResult:
    proposal = el.Proposal(codes, rijk, public, private, framework=framework, name=name)
    return el.check(
        proposal, _wh.observations, _wh.regions, _wh.catalog, _reg,
        member_table=_members, built_at=_wh.built_at,
    )


# ----------------------------------------------------------------------------- the page

wh = warehouse(ctx)
reg = registry(ctx)
folder, wh_stamp = str(ctx.warehouse_dir), _stamp(ctx.warehouse_dir / "manifest.json")
reg_file, reg_stamp = str(registry_path()), _stamp(registry_path())
try:
    year = el.area_year(wh.observations, wh.regions)
except ValueError as exc:  # a warehouse without harmonised rows
    st.error(md_escape(exc) + "\n\n" + t("build.hint", lang), icon=":material/error:")
    st.stop()
member_table = _members(reg_file, reg_stamp, reg, year)
preset_table = _presets(folder, wh_stamp, reg_file, reg_stamp, year, wh, reg, member_table)
gm = wh.regions[(wh.regions["level"] == "GM") & (wh.regions["year"] == year)].drop_duplicates("code")
gm_names = dict(zip(gm["code"], gm["name"]))
gm_options = sorted(gm_names, key=lambda c: (str(gm_names[c]).casefold(), c))
preset_members = dict(zip(preset_table["token"], preset_table["gemeenten"]))
preset_names = dict(zip(preset_table["token"], preset_table["name"]))

st.title(t("check.page.title", lang))
st.markdown(t("check.page.intro", lang))
st.warning(t("check.whatif", lang), icon=":material/history_toggle_off:")


def _seed_area() -> None:
    """Read ``?regio=`` into the area when the link is new to this session (not the one this page wrote)."""
    raw = st.query_params.get("regio") or ""
    if AREA_KEY in st.session_state and raw == (st.session_state.get(WRITTEN_KEY) or ""):
        return
    st.session_state[WRITTEN_KEY] = raw
    if not raw.strip():
        st.session_state.setdefault(AREA_KEY, [])
        return
    try:
        codes = el.resolve_area(raw[:3000], wh.regions, year, member_table)
    except el.AreaError as exc:
        st.session_state[AREA_KEY] = []
        st.session_state[TOKEN_KEY] = None
        st.warning(t("check.page.bad_regio", lang, error=md_escape(str(exc)[:200])), icon=":material/link_off:")
        return
    st.session_state[AREA_KEY] = list(codes)
    tokens = el.split_tokens(raw)
    st.session_state[TOKEN_KEY] = tokens[0] if len(tokens) == 1 and tokens[0] in preset_members else None


def _apply_preset() -> None:
    token = st.session_state.get("toets_preset")
    if token in preset_members:
        st.session_state[AREA_KEY] = list(preset_members[token])
        st.session_state[TOKEN_KEY] = token


def _toggle_from_map() -> None:
    """A click adds a gemeente or takes it out. A second click on the same one deselects it in
    Plotly (an empty selection): that too takes out the gemeente clicked last."""
    code = region_from_selection(st.session_state.get("toets_map"))
    if code is None:
        code, st.session_state["_toets_last_click"] = st.session_state.get("_toets_last_click"), None
    else:
        st.session_state["_toets_last_click"] = code
    if code and code.startswith("GM") and code in gm_names:
        chosen = list(st.session_state.get(AREA_KEY) or [])
        chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
        st.session_state[AREA_KEY] = chosen
        st.session_state[TOKEN_KEY] = None
        st.session_state[BY_CLICK_KEY] = True  # keep the map where it is: the user is building on it


_seed_area()

# --- the area ------------------------------------------------------------------------------
st.subheader(t("check.page.area", lang))
c_kind, c_preset = st.columns([1, 1], vertical_alignment="bottom")
kind = c_kind.segmented_control(
    t("check.page.preset_kind", lang),
    options=list(PRESET_KINDS),
    format_func=lambda k: t(f"check.page.kind_{k}", lang),
    default="corop",
    required=True,
    key="toets_kind",
) or "corop"
choices = preset_table[preset_table["kind"] == kind]
c_preset.selectbox(
    t("check.page.preset", lang),
    options=list(choices["token"]),
    index=None,
    format_func=dict(zip(choices["token"], choices["name"])).get,
    placeholder=t("check.page.preset_placeholder", lang),
    key="toets_preset",
    on_change=_apply_preset,
)
codes = st.multiselect(
    t("check.page.gemeenten", lang),
    options=gm_options,
    format_func=lambda c: str(gm_names.get(c, c)),
    key=AREA_KEY,
    placeholder=t("check.page.gemeenten_placeholder", lang),
    help=t("check.page.gemeenten_help", lang),
)
codes = tuple(sorted(c for c in codes if c in gm_names))
token = st.session_state.get(TOKEN_KEY)
if token and tuple(preset_members.get(token, ())) != codes:
    token = st.session_state[TOKEN_KEY] = None
url_value = token or "~".join(codes)
if url_value != (st.query_params.get("regio") or ""):
    if url_value:
        st.query_params["regio"] = url_value
    elif "regio" in st.query_params:
        del st.query_params["regio"]
st.session_state[WRITTEN_KEY] = url_value
name = st.text_input(
    t("check.page.name", lang), key="naam", bind="query-params", max_chars=80, placeholder=t("check.page.name_placeholder", lang)
)

# --- the amounts ---------------------------------------------------------------------------
st.subheader(t("check.page.money", lang))
m1, m2, m3, m4 = st.columns(4, vertical_alignment="bottom")
money = {"min_value": 0.0, "max_value": 1000.0, "step": 0.5, "format": "%.1f", "value": None, "bind": "query-params"}
rijk = m1.number_input(t("check.page.rijk", lang), key="rijk", placeholder="M€", help=t("check.page.rijk_help", lang), **money)
public = m2.number_input(t("check.page.public", lang), key="publiek", placeholder="M€", help=t("check.page.cofin_help", lang), **money)
private = m3.number_input(t("check.page.private", lang), key="privaat", placeholder="M€", help=t("check.page.cofin_help", lang), **money)
framework = m4.segmented_control(
    t("check.page.framework", lang),
    options=["2024", "2022"],
    default="2024",
    required=True,
    key="kader",
    bind="query-params",
    help=t("check.page.framework_help", lang),
) or "2024"

try:
    with st.spinner(t("check.page.computing", lang)):
        result = _check(
            folder, wh_stamp, reg_file, reg_stamp, codes,
            None if rijk is None else float(rijk), None if public is None else float(public),
            None if private is None else float(private), int(framework),
            (name or "").strip() or preset_names.get(token or "", ""),  # a preset names the area unless the user did
            wh, reg, member_table,
        )
except (ValueError, WelfareError) as exc:
    st.error(t("check.page.failed", lang, error=md_escape(exc)), icon=":material/error:")
    st.stop()

# --- the checklist -------------------------------------------------------------------------
st.subheader(t("check.page.checklist", lang))
if not codes:
    st.info(t("check.page.no_area", lang), icon=":material/touch_app:")
by_id = {c.id: c for c in result.criteria}
bw = by_id["brede_welvaart"].numbers
cof = by_id["cofinanciering"].numbers
k1, k2, k3, k4 = st.columns(4)
k1.metric(
    t("check.page.kpi_percentile", lang),
    charts.format_number(result.pressure_percentile, lang, 1) if result.pressure_percentile is not None else "–",
    help=t("check.page.kpi_percentile_help", lang),
)
k2.metric(t("check.page.kpi_themes", lang), result.themes_under_pressure if result.themes_under_pressure is not None else "–")
k3.metric(t("check.page.kpi_deals", lang), len(result.existing_deals) if codes else "–")
k4.metric(t("check.page.kpi_share", lang), charts.format_percent(cof.get("rijk_share"), lang, 1) if cof.get("rijk_share") is not None else "–")


def _details(c: el.Criterion) -> None:
    """The tables behind a verdict."""
    n = c.numbers
    if c.id == "cofinanciering" and n.get("draagkracht"):
        rows = pd.DataFrame(n["draagkracht"])
        rows["label"] = [wh.catalog.indicators[i].label(lang) for i in rows["indicator_id"]]
        rows["unit"] = [wh.catalog.indicators[i].unit(lang) for i in rows["indicator_id"]]
        st.caption(t("check.page.draagkracht", lang))
        st.dataframe(
            rows[["label", "value", "unit", "year", "nl_value", "percentile"]],
            hide_index=True,
            column_config={
                "label": st.column_config.TextColumn(t("check.page.col_indicator", lang), width=230),
                "value": st.column_config.NumberColumn(t("check.page.col_area", lang), format="%.1f", width=70),
                "unit": st.column_config.TextColumn(t("check.page.col_unit", lang), width=130),
                "year": st.column_config.NumberColumn(t("check.page.col_year", lang), format="%d", width=55),
                "nl_value": st.column_config.NumberColumn(t("check.page.col_nl", lang), format="%.1f", width=80),
                "percentile": st.column_config.NumberColumn(
                    t("check.page.col_percentile", lang), format="%.0f", help=t("check.page.col_percentile_help", lang), width=80
                ),
            },
        )
    elif c.id == "eerdere_deals" and (n.get("deals") or n.get("possible")):
        if n.get("deals"):
            rows = pd.DataFrame(n["deals"])
            rows["status"] = [status_label(s, lang) for s in rows["status"]]
            rows["gemeente_names"] = [", ".join(x) for x in rows["gemeente_names"]]
            st.dataframe(
                rows[["name", "tranche", "status", "rijksbijdrage_meur", "gemeente_names", "partial"]],
                hide_index=True,
                column_config={
                    "name": st.column_config.TextColumn(t("check.page.col_deal", lang), width=200),
                    "tranche": st.column_config.NumberColumn(t("check.page.col_tranche", lang), format="%d", width=60),
                    "status": st.column_config.TextColumn(t("check.page.col_status", lang), width=150),
                    "rijksbijdrage_meur": st.column_config.NumberColumn(t("check.page.col_rijk", lang), format="%.1f", width=90),
                    "gemeente_names": st.column_config.TextColumn(t("check.page.col_members", lang), width=180),
                    "partial": st.column_config.CheckboxColumn(t("check.page.col_partial", lang), width=70),
                },
            )
        if n.get("possible"):
            st.caption(
                t("check.page.possible", lang, deals=md_escape("; ".join(d["name"] for d in n["possible"])))
            )
    elif c.id == "spreiding" and n.get("landsdelen"):
        rows = pd.DataFrame([*n["landsdelen"], *n["provinces"]])
        st.dataframe(
            rows[["name", "n_deals", "rijksbijdrage_meur", "eur_per_inhabitant"]],
            hide_index=True,
            column_config={
                "name": t("check.page.col_group", lang),
                "n_deals": st.column_config.NumberColumn(t("check.page.col_n_deals", lang), format="%d"),
                "rijksbijdrage_meur": st.column_config.NumberColumn(t("check.page.col_rijk", lang), format="%.1f"),
                "eur_per_inhabitant": st.column_config.NumberColumn(
                    t("check.page.col_per_inhabitant", lang, nl=charts.format_number(n["nl_eur_per_inhabitant"], lang, 2)),
                    format="%.2f",
                ),
            },
        )
    elif c.id == "kwalitatief":
        st.markdown("\n".join(f"- {md_escape(q)}" for q in el.questions(lang)))


for c in result.criteria:
    color, icon = VERDICT_STYLE[c.verdict]
    with st.container(border=True, key=f"crit_{c.id}"):
        left, right = st.columns([1, 4])
        with left:
            st.badge(el.verdict_label(c.verdict, lang), icon=icon, color=color)
            st.caption(el.kind_label(c.kind, lang))
        with right:
            st.markdown(f"**{md_escape(c.title(lang))}**  \n{md_escape(el.explain(c, lang))}")
            _details(c)
            st.caption(md_escape(c.source(lang)))

# --- the map -------------------------------------------------------------------------------
if not st.session_state.pop(BY_CLICK_KEY, False):
    st.session_state[FOCUS_KEY] = codes
focus = tuple(c for c in st.session_state.get(FOCUS_KEY, codes) if c in gm_names)
revision = hashlib.sha1("~".join(focus).encode()).hexdigest()[:10]
st.subheader(t("check.page.map", lang))
try:
    geo = _geojson(folder, wh_stamp, year)
    layer = _layer(folder, wh_stamp, year)
except WelfareError:  # a warehouse built without boundaries
    geo, layer = None, None
if geo is None:
    st.warning(t("check.page.no_boundaries", lang), icon=":material/map:")
else:
    pressure = _pressure(folder, wh_stamp, wh)
    overlay = []
    bounds = None
    if codes:
        shapes = layer[layer["statcode"].isin(codes)]
        if len(shapes):
            import geopandas as gpd

            area = gpd.GeoDataFrame(
                {
                    "name": [el.area_title(result, lang)],
                    "tranche": [t("check.page.proposal", lang)],
                    "status": [t("check.page.area_legend", lang)],
                    "rijksbijdrage_meur": [result.proposal.rijksbijdrage_meur],
                    "partial": [False],
                },
                geometry=[shapes.geometry.union_all()],
                crs=shapes.crs,
            ).to_crs(4326)
            overlay = charts.deal_overlay_traces(area, color_by="status", lang=lang, simplify=0.002, width=3.0)
    if focus:
        zoom_to = layer[layer["statcode"].isin(focus)]
        bounds = zoom_to.to_crs(4326).total_bounds if len(zoom_to) else None
    years = pressure.attrs.get("years") or []
    tables = sorted({tb for i in pressure.attrs.get("indicators", ()) for tb in wh.catalog.indicators[i].tables})
    map_source = charts.source_line(tables, years, lang, boundaries=True)
    map_hash = str(pressure.attrs.get("hash", ""))
    map_vintage = charts.vintage_line(wh.built_at, lang) if wh.built_at else None
    fig = charts.choropleth(
        pressure,
        geo,
        value_col="pressure_score",
        unit=t("check.page.pressure_unit", lang),
        title=t("check.page.map_title", lang),
        subtitle=t("check.page.map_subtitle", lang, n=len(codes)),
        source=map_source + " · " + t("check.page.recipe", lang, hash=map_hash),
        vintage=map_vintage,
        lang=lang,
        mode="quarters",
        direction=-1,
        hover_data={"rank": "rank", "coverage": "coverage"},
        deal_overlay=overlay,
        height=MAP_HEIGHT,
        uirevision=f"toets-{revision}",
    )
    if overlay:
        fig.update_layout(legend2={"title": {"text": t("check.page.legend_title", lang)}})
    if bounds is not None:
        west, south, east, north = (float(x) for x in bounds)
        span = max(east - west, (north - south) * 1.6, 0.05)
        fig.update_layout(map={"center": {"lon": (west + east) / 2, "lat": (south + north) / 2}, "zoom": max(5.0, min(10.0, math.log2(360 / span) - 1.3))})
    st.plotly_chart(
        fig,
        theme=None,
        width="stretch",
        key="toets_map",
        on_select=_toggle_from_map,
        selection_mode="points",
        alt=t("check.page.map_alt", lang, area=el.area_title(result, lang), n=len(codes)),
        config={"displaylogo": False, "scrollZoom": True},
    )
    st.caption(t("check.page.map_help", lang))
    link = state.permalink(
        state.View(page="toets", lang=lang), base_url("toets"),
        {"regio": url_value, "naam": (name or "").strip(), "kader": None if framework == "2024" else framework,
         **{k: None if v is None else f"{float(v):g}" for k, v in (("rijk", rijk), ("publiek", public), ("privaat", private))}},
    )  # fmt: skip
    map_rows = partial(
        pressure_map_shown, pressure, geo, indicator_label=t("check.page.map_title", lang), unit=t("check.page.pressure_unit", lang),
        years=years_span(years), source=map_source, vintage=map_vintage, config_hash=map_hash,
    )  # fmt: skip
    export_menu(
        "toets_map", fig, lang=lang, permalink=link, config_hash=map_hash, vintage=map_vintage,
        title=t("check.page.export_title", lang, year=years_span(years), area=el.area_title(result, lang)),
        data=lambda rows=map_rows, area=codes, area_name=el.area_title(result, lang): el.map_shown(rows(), area, area_name),
    )  # fmt: skip

# --- the onderbouwing ----------------------------------------------------------------------
st.subheader(t("check.page.onderbouwing", lang))
for paragraph in el.onderbouwing(result, lang):
    st.markdown(md_escape(paragraph))
slug = "-".join(filter(None, ["toets", re.sub(r"[^a-z0-9]+", "-", result.proposal.name.lower()).strip("-")[:40], revision]))
d1, d2 = st.columns(2)
d1.download_button(
    t("check.page.download_pdf", lang),
    data=lambda: el.to_pdf(result, lang),
    file_name=f"{slug}.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/picture_as_pdf:",
    key="toets_pdf",
)
d2.download_button(
    t("check.page.download_md", lang),
    data=lambda: el.to_markdown(result, lang),
    file_name=f"{slug}.md",
    mime="text/markdown",
    on_click="ignore",
    icon=":material/description:",
    key="toets_md",
)
st.caption(md_escape(t("check.disclaimer", lang)))
