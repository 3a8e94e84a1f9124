"""Regio Deals page: every deal on the pressure map, a filterable table, KPIs and a deal card.

Thin: the registry and its checks are ``welfare.deals``, the card's numbers
``welfare.deal_welfare``, the figures ``welfare.charts``. The filters and the
open deal live in the URL (``?ronde=3&provincie=Zeeland&deal=<id>``), so a
view can be shared.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from pages._common import base_url, context, frame_guard, registry, registry_path, warehouse
from pages._export import export_menu
from welfare import charts, state
from welfare.boundaries import read_boundaries, web_geojson
from welfare.deal_welfare import COMPARABLE, DEAL, NL, boundary_year_of, deal_welfare
from welfare.deals import PROVINCES, STATUSES, TRANCHES, Registry, deal_areas, filter_deals, members, summarise
from welfare.deals import deal_map_shown, pressure_map_shown
from welfare.errors import WelfareError
from welfare.i18n import md_escape, t
from welfare.texts.deals import status_label
from welfare.scoring import ScoringConfig, score

frame_guard()
ctx = context()
lang = ctx.lang
charts.use_template()

BUDGET_MAX = 140.0  # M€; the largest deals are 130 (Brainport Eindhoven, Rotterdam-Zuid)


# ----------------------------------------------------------------------------- cached data


@st.cache_resource(show_spinner=False, max_entries=4)
def _members(registry_file: str, stamp: float, _reg: Registry, year: int) -> pd.DataFrame:
    return members(_reg, year)


@st.cache_resource(show_spinner=False, max_entries=4)
def _areas(registry_file: str, stamp: float, warehouse_dir: str, wh_stamp: float, _reg: Registry, year: int):
    gm = read_boundaries(warehouse_dir, "gemeente", year, web=True)
    return deal_areas(_reg, gm, year, member_table=_members(registry_file, stamp, _reg, year))


@st.cache_resource(show_spinner=False, max_entries=2)
def _geojson(warehouse_dir: str, wh_stamp: float, year: int) -> dict:
    return web_geojson(warehouse_dir, "gemeente", year)


@st.cache_resource(show_spinner=False, max_entries=2)
def _pressure(warehouse_dir: str, wh_stamp: float, _wh) -> pd.DataFrame:
    result = score(_wh.observations, _wh.regions, _wh.catalog, ScoringConfig())
    frame = result.regions.rename(columns={"region_name": "name"})
    frame.attrs["hash"] = result.hash
    frame.attrs["years"] = sorted({int(y) for y in result.input.years if y > 0})
    frame.attrs["indicators"] = tuple(result.input.indicator_ids)
    return frame


@st.cache_resource(show_spinner=False, max_entries=16)
def _map_figure(key: tuple[Any, ...], _build: Callable[[], Any]) -> Any:
    """The deals map for ``key`` (warehouse, registry, deals shown, colouring, language), built once.

    Building it deep-copies the gemeente boundaries into every trace (~0.3 s); the figure is only read
    afterwards (``st.plotly_chart`` and the exports copy it).
    """
    return _build()


@st.cache_data(show_spinner=False, max_entries=64)
def _card(registry_file: str, stamp: float, warehouse_dir: str, wh_stamp: float, deal_id: str, lang: str, _reg, _wh):
    boundary = boundary_year_of(_wh.observations)
    return deal_welfare(
        _wh.observations, _wh.regions, _wh.catalog, _reg, deal_id, lang=lang,
        all_members=_members(registry_file, stamp, _reg, boundary),
    )


def _stamp(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _meur(value: float | None, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("deals.unknown", lang)
    return t("deals.meur", lang, value=charts.format_number(value, lang, decimals=1))


# ----------------------------------------------------------------------------- page

wh = warehouse(ctx)
reg = registry(ctx)
reg_file, reg_stamp = str(registry_path()), _stamp(registry_path())
wh_stamp = _stamp(ctx.warehouse_dir / "manifest.json")

st.title(t("deals.title", lang))
st.markdown(t("deals.intro", lang, n=len(reg)))
st.info(t("deals.not_effect", lang), icon=":material/info:")

# --- filters (bound to the URL) --------------------------------------------------------
TRANCHE_OPTIONS = [str(n) for n in range(1, 7)]
PROVINCE_OPTIONS = [*PROVINCES, "Caribisch Nederland"]


def _clean_query() -> None:
    """Drop URL values a widget would reject, with a notice naming the parameter."""
    checks = {"ronde": TRANCHE_OPTIONS, "status": list(STATUSES), "provincie": PROVINCE_OPTIONS}
    for name, allowed in checks.items():
        values = st.query_params.get_all(name)
        bad = [v for v in values if v not in allowed]
        if bad:
            st.query_params[name] = [v for v in values if v in allowed]
            st.toast(t("deals.bad_param", lang, name=name, value=md_escape(bad[0][:40])), icon=":material/link_off:")
    deal = st.query_params.get("deal")
    if deal is not None and reg.get(deal) is None:
        del st.query_params["deal"]
        st.toast(t("deals.bad_param", lang, name="deal", value=md_escape(deal[:40])), icon=":material/link_off:")


_clean_query()

with st.expander(t("deals.filters", lang), expanded=True, icon=":material/filter_list:"):
    c1, c2, c3 = st.columns([1, 2, 2])
    tranches = c1.multiselect(t("deals.f_tranche", lang), TRANCHE_OPTIONS, key="ronde", bind="query-params", placeholder=t("deals.f_any", lang))
    statuses = c2.multiselect(t("deals.f_status", lang), list(STATUSES), key="status", bind="query-params", placeholder=t("deals.f_any", lang))
    provinces = c3.multiselect(t("deals.f_province", lang), PROVINCE_OPTIONS, key="provincie", bind="query-params", placeholder=t("deals.f_any", lang))
    c4, c5, c6 = st.columns([2, 2, 2])
    budget = c4.slider(
        t("deals.f_budget", lang), 0.0, BUDGET_MAX, (0.0, BUDGET_MAX), step=1.0, key="budget", bind="query-params"
    )
    theme = c5.text_input(t("deals.f_theme", lang), key="thema", bind="query-params", max_chars=60)
    text = c6.text_input(t("deals.f_text", lang), key="zoek", bind="query-params", max_chars=80)

budget_filter = None if tuple(budget) == (0.0, BUDGET_MAX) else (budget[0], budget[1] if budget[1] < BUDGET_MAX else None)
shown = filter_deals(
    reg,
    tranche=[int(x) for x in tranches] or None,
    status=statuses or None,
    province=provinces or None,
    theme=theme.strip() or None,
    budget_range=budget_filter,
    text=text.strip() or None,
)
st.caption(t("deals.filtered", lang, n=len(shown), total=len(reg)))
if not len(shown):
    st.info(t("deals.none_match", lang), icon=":material/filter_alt_off:")
    st.stop()

# --- KPIs --------------------------------------------------------------------------------
total = summarise(shown, "total").iloc[0]
k1, k2, k3, k4 = st.columns(4)
k1.metric(t("deals.kpi_deals", lang), len(shown))
k2.metric(t("deals.kpi_rijk", lang), _meur(float(total["rijksbijdrage_meur"]), lang))
k3.metric(t("deals.kpi_cofin", lang), t("deals.kpi_cofin_value", lang, n=int(total["n_cofinancing_known"]), total=len(shown)))
ratios = [d.cofinancing_ratio for d in shown if d.cofinancing_ratio is not None]
k4.metric(
    t("deals.kpi_ratio", lang),
    charts.format_number(float(pd.Series(ratios).median()), lang, decimals=2) if ratios else t("deals.unknown", lang),
    help=t("deals.kpi_ratio_help", lang),
)

# --- map -----------------------------------------------------------------------------------
boundary = boundary_year_of(wh.observations)
color_by = st.segmented_control(
    t("deals.color_by", lang),
    options=["tranche", "status"],
    format_func=lambda v: t(f"deals.by_{v}", lang),
    default="tranche",
    required=True,
    key="kleur",
    bind="query-params",
) or "tranche"
try:
    areas = _areas(reg_file, reg_stamp, str(ctx.warehouse_dir), wh_stamp, reg, boundary)
    charts_geo = _geojson(str(ctx.warehouse_dir), wh_stamp, boundary)
except WelfareError:  # a warehouse built without boundaries
    areas, charts_geo = None, None

if charts_geo is None or areas is None:
    st.warning(t("deals.no_boundaries", lang), icon=":material/map:")
else:
    pressure = _pressure(str(ctx.warehouse_dir), wh_stamp, wh)
    years = pressure.attrs.get("years") or []
    year_text = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
    visible = areas[areas["deal_id"].isin(shown.ids)]
    tables = sorted({tb for i in pressure.attrs.get("indicators", ()) for tb in wh.catalog.indicators[i].tables})
    source = charts.source_line(tables, years, lang, boundaries=True)
    fig = _map_figure((wh_stamp, reg_file, reg_stamp, boundary, tuple(shown.ids), color_by, lang), lambda: charts.choropleth(
        pressure,
        charts_geo,
        value_col="pressure_score",
        unit=t("deals.pressure_unit", lang),
        title=t("deals.map_title", lang),
        subtitle=t("deals.map_subtitle", lang, year=year_text, by=t(f"deals.by_{color_by}", lang)),
        source=source + f" · {t('deals.config_hash', lang, hash=pressure.attrs.get('hash', ''))}",
        vintage=charts.vintage_line(wh.built_at, lang) if wh.built_at else None,
        note=t("deals.map_note", lang),
        lang=lang,
        mode="quarters",
        direction=-1,
        hover_data={"rank": "rank", "coverage": "coverage"},
        deal_overlay=charts.deal_overlay_traces(visible, color_by=color_by, lang=lang, simplify=0.01) if len(visible) else [],
        height=720,
    ))
    summary = charts.map_summary(pressure, value_col="pressure_score", lang=lang, what=t("deals.pressure_label", lang))
    st.plotly_chart(
        fig,
        theme=None,
        width="stretch",
        alt=t("deals.map_alt", lang, n=len(visible), summary=summary),
        config={"displaylogo": False, "scrollZoom": True},
    )
    link = state.permalink(
        state.View(page="deals", lang=lang), base_url("deals"),
        {"ronde": tranches, "status": statuses, "provincie": provinces,
         "budget": None if budget_filter is None else [f"{v:g}" for v in budget], "thema": theme.strip(), "zoek": text.strip(),
         "kleur": None if color_by == "tranche" else color_by, "deal": st.query_params.get("deal")},
    )  # fmt: skip
    map_hash = str(pressure.attrs.get("hash", ""))
    map_vintage = charts.vintage_line(wh.built_at, lang) if wh.built_at else None
    map_rows = partial(
        pressure_map_shown, pressure, charts_geo, indicator_label=t("deals.pressure_label", lang), unit=t("deals.pressure_unit", lang),
        years=year_text, source=source, vintage=map_vintage, config_hash=map_hash,
    )  # fmt: skip
    export_menu(
        "deals_map", fig, lang=lang, permalink=link, config_hash=map_hash, vintage=map_vintage,
        title=t("deals.export_title", lang, n=len(visible), year=year_text, by=t(f"deals.by_{color_by}", lang)),
        data=lambda rows=map_rows, drawn=visible: deal_map_shown(rows(), drawn),
    )  # fmt: skip
    missing = [d.name for d in shown if d.id not in set(visible["deal_id"])]
    if missing:
        st.caption(t("deals.not_drawn", lang, n=len(missing), names=md_escape("; ".join(missing))))

# --- table -----------------------------------------------------------------------------------
st.subheader(t("deals.table", lang))
st.caption(t("deals.table_help", lang))
table = shown.frame(join_lists=True)
if areas is not None:
    counts = areas.set_index("deal_id")["n_gemeenten"]
    table["n_gemeenten"] = table["id"].map(counts).astype("Int64")
else:
    table["n_gemeenten"] = pd.array([None] * len(table), dtype="Int64")
table["signed"] = table["date_signed"].fillna("")
table["status"] = [status_label(v, lang) for v in table["status"]]
columns = ["name", "tranche", "signed", "end_year", "rijksbijdrage_meur", "cofinancing_meur", "provinces", "n_gemeenten", "status", "partial", "themes"]


def _on_pick() -> None:
    rows = st.session_state.get("deal_table", {}).get("selection", {}).get("rows", [])
    if rows:
        st.session_state["deal_pick"] = shown.ids[rows[0]]


st.dataframe(
    table[columns],
    hide_index=True,
    on_select=_on_pick,
    selection_mode="single-row",
    key="deal_table",
    placeholder="—",
    alt=t("deals.table", lang),
    column_config={
        "name": st.column_config.TextColumn(t("deals.col_name", lang), width=260),
        "tranche": st.column_config.NumberColumn(t("deals.col_tranche", lang), format="%d", width=60),
        "signed": st.column_config.TextColumn(t("deals.col_signed", lang), width=95),
        "end_year": st.column_config.NumberColumn(t("deals.col_end", lang), format="%d", width=60),
        "rijksbijdrage_meur": st.column_config.NumberColumn(t("deals.col_rijk", lang), format="%.1f", width=90),
        "cofinancing_meur": st.column_config.NumberColumn(t("deals.col_cofin", lang), format="%.1f", width=95),
        "provinces": st.column_config.TextColumn(t("deals.col_provinces", lang), width=140),
        "n_gemeenten": st.column_config.NumberColumn(t("deals.col_n_gemeenten", lang), format="%d", width=80),
        "status": st.column_config.TextColumn(t("deals.col_status", lang), width=200),
        "partial": st.column_config.CheckboxColumn(t("deals.col_partial", lang), width=80),
        "themes": st.column_config.TextColumn(t("deals.col_themes", lang), width=300),
    },
)

# --- summaries -------------------------------------------------------------------------------
tabs = st.tabs([t("deals.per_tranche", lang), t("deals.per_province", lang), t("deals.per_landsdeel", lang)])
for tab, by in zip(tabs, ("tranche", "province", "landsdeel")):
    with tab:
        s = summarise(shown, by)
        s = s[s["n_deals"] > 0].copy()
        if by == "tranche":
            s["name"] = [t("deals.card_round", lang, tranche=int(c), year=TRANCHES[int(c)].year_selected) for c in s["code"]]
        st.dataframe(
            s[["name", "n_deals", "rijksbijdrage_meur", "cofinancing_meur", "cofinancing_ratio"]],
            hide_index=True,
            column_config={
                "name": t("deals.col_group", lang),
                "n_deals": st.column_config.NumberColumn(t("deals.col_n", lang), format="%d"),
                "rijksbijdrage_meur": st.column_config.ProgressColumn(
                    t("deals.col_rijk_total", lang), format="%.1f", min_value=0.0,
                    max_value=float(max(s["rijksbijdrage_meur"].max(), 1.0)) if len(s) else 1.0,
                ),
                "cofinancing_meur": st.column_config.NumberColumn(t("deals.col_cofin_total", lang), format="%.1f"),
                "cofinancing_ratio": st.column_config.NumberColumn(t("deals.col_ratio", lang), format="%.2f"),
            },
        )
        if by != "tranche":
            st.caption(t("deals.money_note", lang))

# --- deal card -------------------------------------------------------------------------------
st.subheader(t("deals.card", lang))
ids = list(reg.ids)
names = {d.id: d.name for d in reg}
# Synced with ?deal=<id> by hand: a bound selectbox would put the deal's name in the URL.
if st.session_state.get("deal_pick") is None and st.query_params.get("deal") in names:
    st.session_state["deal_pick"] = st.query_params["deal"]
deal_id = st.selectbox(
    t("deals.pick", lang),
    ids,
    index=None,
    format_func=lambda i: names.get(i, i),
    placeholder=t("deals.pick_none", lang),
    key="deal_pick",
)
if deal_id:
    st.query_params["deal"] = deal_id
elif "deal" in st.query_params:
    del st.query_params["deal"]
deal = reg.get(deal_id) if deal_id else None
if deal is not None:
    st.markdown(f"### {md_escape(deal.name)}")
    st.caption(
        t("deals.card_round", lang, tranche=deal.tranche, year=deal.year_selected)
        + " · " + md_escape(status_label(deal.status, lang))
        + (" · " + t("deals.card_successor", lang, name=md_escape(names.get(deal.successor, deal.successor))) if deal.successor else "")
    )
    a, b, c = st.columns(3)
    cofin = t("deals.card_cofin_value", lang, value=charts.format_number(deal.cofinancing_meur, lang, 1)) if deal.cofinancing_meur is not None else t("deals.unknown", lang)
    a.markdown(f"**{t('deals.card_money', lang)}**  \n" + t("deals.card_rijk", lang, rijk=charts.format_number(deal.rijksbijdrage_meur, lang, 1) if deal.rijksbijdrage_meur is not None else "?", cofin=cofin))
    b.markdown(
        f"**{t('deals.card_period', lang)}**  \n"
        + t("deals.card_period_value", lang, signed=deal.date_signed or t("deals.unknown", lang), end=deal.end_year or t("deals.unknown", lang))
    )
    c.markdown(f"**{t('deals.card_ministry', lang)}**  \n{md_escape(deal.lead_ministry or t('deals.unknown', lang))}")
    st.markdown(f"**{t('deals.card_members', lang)}**  \n" + (md_escape(", ".join(deal.gemeenten)) if deal.gemeenten else t("deals.card_members_none", lang)))
    if deal.partial:
        st.warning(t("deals.card_partial", lang), icon=":material/crop:")
    if deal.themes:
        st.markdown(f"**{t('deals.card_themes', lang)}**  \n" + md_escape("; ".join(deal.themes)))
    if deal.sources:
        with st.expander(t("deals.card_sources", lang), icon=":material/link:"):
            st.markdown("\n".join(f"- [{md_escape(u)}]({u})" for u in deal.sources if u.startswith(("http://", "https://"))))

    st.markdown(f"#### {t('deals.welfare', lang)}")
    with st.spinner():
        card = _card(reg_file, reg_stamp, str(ctx.warehouse_dir), wh_stamp, deal.id, lang, reg, wh)
    if not card.has_area:
        st.info(t("deals.welfare_none", lang))
    else:
        comp_names = ", ".join(card.comparables["name"]) or t("deals.comparables_none", lang)
        st.caption(t("deals.welfare_intro", lang, baseline=card.baseline_year, names=md_escape(comp_names)) + "  \n" + t("deals.not_effect", lang))
        area_label = {DEAL: t("deals.area_deal", lang), NL: t("deals.area_nl", lang), COMPARABLE: t("deals.area_comparable", lang)}
        p = card.pressure.copy()
        p["area"] = p["area"].map(area_label)
        p["when"] = [t(f"deals.when_{w}", lang, year=y) for w, y in zip(p["when"], p["year"])]
        p["themes_under_pressure_list"] = [
            ", ".join(wh.catalog.theme_label(x, lang) for x in str(v).split("|") if x) for v in p["themes_under_pressure_list"]
        ]
        st.dataframe(
            p[["area", "when", "pressure_score", "percentile", "worst_quarter_count", "themes_under_pressure_list"]],
            hide_index=True,
            placeholder="—",
            column_config={
                "area": t("deals.col_area", lang),
                "when": t("deals.col_when", lang),
                "pressure_score": st.column_config.NumberColumn(t("deals.col_pressure", lang), format="%.2f"),
                "percentile": st.column_config.NumberColumn(t("deals.col_percentile", lang), format="%.0f", help=t("deals.col_percentile_help", lang)),
                "worst_quarter_count": st.column_config.NumberColumn(t("deals.col_worst", lang), format="%d"),
                "themes_under_pressure_list": t("deals.col_themes_pressure", lang),
            },
        )
        ind = card.indicators
        value_cols = {}
        for area in (DEAL, NL, COMPARABLE):
            for when in ("baseline", "latest"):
                value_cols[f"{area}_{when}"] = st.column_config.NumberColumn(
                    t("deals.col_value", lang, area=area_label[area], when=t(f"deals.{'start' if when == 'baseline' else 'now'}", lang)),
                    format="%.1f",
                )
        st.dataframe(
            ind[["theme", "label", "unit", "year_baseline", "year_latest", *value_cols, "source_table"]],
            hide_index=True,
            placeholder="—",
            column_config={
                "theme": t("deals.col_theme", lang),
                "label": st.column_config.TextColumn(t("deals.col_indicator", lang), width=260),
                "unit": t("deals.col_unit", lang),
                "year_baseline": st.column_config.NumberColumn(t("deals.col_year_baseline", lang), format="%d"),
                "year_latest": st.column_config.NumberColumn(t("deals.col_year_latest", lang), format="%d"),
                **value_cols,
                "source_table": t("deals.col_source", lang),
            },
        )
        years_used = sorted({int(y) for y in pd.concat([ind["year_baseline"], ind["year_latest"]]).dropna()})
        tables = sorted({x.strip() for s in ind["source_table"] for x in str(s).split(",") if x.strip()})
        st.caption(md_escape(charts.source_line(tables, years_used, lang)) + " · " + t("deals.config_hash", lang, hash=card.config_hash))
