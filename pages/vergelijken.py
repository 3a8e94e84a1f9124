"""Vergelijken: 2–6 regions side by side per theme, per indicator and over time.

Thin: values, positions and theme pressure come from ``welfare.profile``, the
figures from ``welfare.charts``.

The view is in the URL as ``welfare.state`` reads and writes it: ``regio``
holds 2–6 codes joined by ``~`` (``?regio=GM0363~GM0599``; gemeente, COROP and
province codes and Regio Deal areas ``deal:<id>`` may be mixed; repeated or
comma-separated values are read too), and ``indicator`` the indicator of the
chart over time. Synced by hand, so the URL carries codes, not the names shown
in the widgets.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from pages._common import base_url, context, deal_table, deal_values, frame_guard, level_values, warehouse
from pages._export import export_menu
from welfare import charts, profile, state
from welfare.i18n import md_escape, t

frame_guard()
ctx = context()
lang = ctx.lang
wh = warehouse(ctx)
charts.use_template()
catalog = wh.catalog
BUILD = f"{wh.manifest.get('build_id', '')}:{wh.built_at}"
DEFAULT_REGIONS = ["GM0363", "GM0599"]
MAX_REGIONS = 6

# ----------------------------------------------------------------------------- URL <-> widgets

_SEEN = "_vergelijken_url"  # widget key -> the URL value it was last synced with


def seed(param: str, key: str) -> None:
    """Reset widget ``key`` to its default (the URL's value) when the URL's ``param`` changed since it was synced."""
    raw = tuple(st.query_params.get_all(param))
    seen = st.session_state.setdefault(_SEEN, {})
    if seen.get(key, (param, None)) != (param, raw) and key in st.session_state:
        del st.session_state[key]
    seen[key] = (param, raw)


def publish(param: str, value: str | list[str] | None) -> None:
    """Write ``param`` to the URL (None or [] removes it: the default leaves the URL)."""
    values = [] if value is None else [value] if isinstance(value, str) else list(value)
    if tuple(st.query_params.get_all(param)) != tuple(values):
        if values:
            st.query_params[param] = values if len(values) > 1 else values[0]
        else:
            del st.query_params[param]
    seen = st.session_state.setdefault(_SEEN, {})
    for key, (p, _) in list(seen.items()):
        if p == param:
            seen[key] = (param, tuple(values))


# ----------------------------------------------------------------------------- cached numbers


def values_of(kind: str) -> pd.DataFrame:
    return deal_values(BUILD, lang, ctx) if kind == profile.DEAL_KIND else level_values(BUILD, kind, lang, wh)


# ----------------------------------------------------------------------------- which regions

newest = wh.regions.sort_values("year").drop_duplicates("code", keep="last")
names: dict[str, str] = {}
kind_of: dict[str, str] = {}
for lv in profile.PROFILE_LEVELS:
    for c, n in newest.loc[newest["level"] == lv, ["code", "name"]].itertuples(index=False):
        names[c], kind_of[c] = n, lv
deal_names, deal_members = deal_table(BUILD, ctx)
for d, n in deal_names.items():
    names[d], kind_of[d] = n, profile.DEAL_KIND



def to_url(code: str) -> str:
    """A region as ``welfare.state`` writes it: deal areas as ``deal:<id>``."""
    return f"deal:{code}" if kind_of.get(code) == profile.DEAL_KIND else code


def from_url(code: str) -> str:
    return code[len("deal:"):] if code.startswith("deal:") else code


url = {k: st.query_params.get_all(k) for k in state.PARAMS if k in st.query_params}
view, notices = state.parse_view(url, catalog, page="vergelijken")
problems: list[profile.ParamProblem] = []
codes = []
for c in map(from_url, view.regions):
    if c in kind_of:
        codes.append(c)
    else:
        problems.append(profile.ParamProblem("regio", profile.shown(c), "unknown"))
if not view.regions and "regio" not in st.query_params:
    codes = [c for c in DEFAULT_REGIONS if c in kind_of]

st.title(t("compare.title", lang))
st.caption(t("compare.intro", lang))
order = sorted(kind_of, key=lambda c: (profile.PROFILE_LEVELS.index(kind_of[c]) if kind_of[c] in profile.PROFILE_LEVELS else 9, names[c]))
seed("regio", "compare_regio")
codes = st.multiselect(
    t("compare.regions", lang), options=order, default=codes, max_selections=MAX_REGIONS, key="compare_regio",
    format_func=lambda c: f"{names[c]} ({t(f'profile.kind_{kind_of[c]}', lang).lower()})",
    placeholder=t("compare.regions_placeholder", lang), help=t("compare.regions_help", lang),
)
publish("regio", None if codes == [c for c in DEFAULT_REGIONS if c in kind_of] else "~".join(map(to_url, codes)) or "")

label_of = {c: names[c] for c in codes}
if len(set(label_of.values())) < len(label_of):  # e.g. gemeente and province Groningen: keep them apart
    label_of = {c: f"{names[c]} ({t(f'profile.kind_{kind_of[c]}', lang).lower()})" for c in codes}

indicator_options = [i for i in catalog.indicators if catalog.indicators[i].direction != 0 or i.startswith("ctx_")]
indicator = view.indicator if view.indicator in catalog.indicators else None  # pressure, count, theme: none chosen here

for notice in notices:
    if notice.param in ("regio", "indicator"):  # lang: the frame's; the rest is not used here
        st.info(notice.markdown(lang), icon=":material/link_off:")
for problem in problems:
    st.info(t(f"rank.param_{problem.reason}", lang, name=problem.name, value=md_escape(problem.value)), icon=":material/link_off:")

if len(codes) < 2:
    st.info(t("compare.choose", lang), icon=":material/compare_arrows:")
    st.stop()

kinds = {kind_of[c] for c in codes}
ref_level = next(iter(kinds)) if len(kinds) == 1 and profile.DEAL_KIND not in kinds else "GM"
with st.spinner(t("compare.computing", lang)):
    reference = level_values(BUILD, ref_level, lang, wh)
    national = level_values(BUILD, "NL", lang, wh)
    long = pd.concat([values_of(kind)[lambda v, k=kind: v["region_code"].isin([c for c in codes if kind_of[c] == k])] for kind in sorted(kinds)],
                     ignore_index=True)
    vintage = charts.vintage_line(wh.built_at, lang)


def compare_link(chosen: str | None) -> str:
    """The link that reopens this comparison (the regions, and the indicator over time when one is chosen)."""
    view = state.View(page="vergelijken", regions=tuple(map(to_url, codes)), indicator=chosen or state.PRESSURE, lang=lang)
    return state.permalink(view, base_url("vergelijken"))


links = st.columns(len(codes))
for col, c in zip(links, codes):
    with col:
        st.page_link("pages/regioprofiel.py", label=label_of[c], icon=":material/location_city:",
                     query_params=state.view_to_query(state.View(page="regioprofiel", regions=(to_url(c),), lang=lang)))

# ----------------------------------------------------------------------------- per theme

st.subheader(t("compare.themes", lang))
inds = profile.comparable_indicators(catalog, ref_level)
years = profile.latest_years(reference, inds)
ref_matrix = profile.wide_values(reference, years)
area_matrix = profile.wide_values(long, years, codes)
press = profile.theme_pressure(area_matrix, ref_matrix, catalog)
press = press[press.groupby("theme")["pressure"].transform(lambda s: s.notna().any())]
press = press.assign(name=press["region_code"].map(label_of))
among = t(f"compare.among_{ref_level}", lang)
if press.empty:
    st.info(t("compare.no_themes", lang))
else:
    theme_order = list(dict.fromkeys(press["theme"]))
    used = [(i, y) for i, y in years.items() if catalog.indicators[i].theme in theme_order]
    tables_used, years_used = profile.sources_for(wh.observations, used)
    title = t("compare.themes_title", lang)
    fig = charts.theme_bars(
        press.rename(columns={"pressure": "value"}), region_col="name",
        category_labels={th: catalog.theme_label(th, lang) for th in theme_order}, category_order=theme_order,
        reference=0.0, reference_label=t(f"compare.average_{ref_level}", lang),
        unit=t("compare.themes_unit", lang), title=title, subtitle=t("compare.themes_subtitle", lang, among=among),
        source=charts.source_line(tables_used, years_used, lang, harmonised=True, max_tables=2), vintage=vintage, lang=lang, decimals=2,
    )
    st.plotly_chart(fig, theme=None, key="compare_themes", alt=title + ". " + t("compare.table_below", lang))
    theme_years = {i: y for i, y in used}
    export_menu(
        "compare_themes", fig, lang=lang, permalink=compare_link(indicator), vintage=vintage,
        title=t("compare.export_themes", lang, among=among, regions=", ".join(label_of.values()),
                years=profile.years_span(years_used)),
        data=partial(
            profile.theme_pressure_shown, press, catalog, names=label_of, lang=lang, unit=t("compare.themes_unit", lang),
            reference=t(f"compare.average_{ref_level}", lang), years=theme_years,
            source=charts.source_line(tables_used, years_used, lang, harmonised=True), vintage=vintage,
        ),
    )  # fmt: skip
    if len(kinds) > 1 or profile.DEAL_KIND in kinds:
        st.caption(t("compare.mixed_note", lang))

# ----------------------------------------------------------------------------- per indicator

st.subheader(t("compare.indicators", lang))
st.caption(t("compare.indicators_intro", lang))
profiles = {}
for c in codes:
    ref = level_values(BUILD, "GM", lang, wh) if kind_of[c] == profile.DEAL_KIND else level_values(BUILD, kind_of[c], lang, wh)
    profiles[c] = profile.region_profile(c, long, ref, national, catalog).set_index("indicator_id")
rows = []
for i, ind in catalog.indicators.items():
    if catalog.themes[ind.theme].get("dimension") == "context" and not i.startswith("ctx_population"):
        continue
    cells = {c: profiles[c].loc[i] for c in codes}
    values = [float(r["value"]) for r in cells.values() if pd.notna(r["value"])]
    if not values:
        continue
    d = charts.auto_decimals(values)
    row = {"theme": catalog.theme_label(ind.theme, lang), "indicator": ind.label(lang), "unit": ind.unit(lang)}
    for c, r in cells.items():
        if pd.isna(r["value"]):
            row[c] = t("profile.no_data", lang)
            continue
        text = charts.format_number(r["value"], lang, d)
        if isinstance(r["position"], str):
            text += " · " + charts.label(r["position"], lang)
        row[c] = text
    nl_years = {int(r["year"]) for r in cells.values() if pd.notna(r["year"])}
    nl = national[(national["indicator_id"] == i) & (national["year"] == max(nl_years))]["value"]
    row["nl"] = charts.format_number(nl.iloc[0], lang, d) if len(nl) and pd.notna(nl.iloc[0]) else "–"
    row["year"] = "/".join(str(y) for y in sorted(nl_years))
    row["_positions"] = {c: cells[c]["position"] if isinstance(cells[c]["position"], str) else None for c in codes}
    rows.append(row)
table = pd.DataFrame(rows)
BG = {"best": "rgba(0,158,115,0.22)", "middle": "rgba(189,189,189,0.30)", "worst": "rgba(213,94,0,0.22)"}


def colour(col: pd.Series) -> list[str]:
    return [f"background-color: {BG[p[col.name]]}" if p.get(col.name) in BG else "" for p in table["_positions"]]


styled = table.style.apply(colour, subset=list(codes))
st.dataframe(
    styled, hide_index=True, key="compare_table", alt=t("compare.table_alt", lang), height="content",
    column_order=["theme", "indicator", *codes, "nl", "unit", "year"],
    column_config={
        "theme": st.column_config.TextColumn(t("compare.col_theme", lang)),
        "indicator": st.column_config.TextColumn(t("compare.col_indicator", lang), width="medium"),
        **{c: st.column_config.TextColumn(label_of[c]) for c in codes},
        "nl": st.column_config.TextColumn(t("profile.col_nl", lang)),
        "unit": st.column_config.TextColumn(t("profile.col_unit", lang)),
        "year": st.column_config.TextColumn(t("profile.col_year", lang)),
    },
)
pairs = [(i, int(r["year"])) for c in codes for i, r in profiles[c].iterrows() if pd.notna(r["year"])]
tables_used, years_used = profile.sources_for(wh.observations, pairs)
st.caption(md_escape(charts.source_line(tables_used, years_used, lang, harmonised=True)) + "  \n" + md_escape(vintage))

# ----------------------------------------------------------------------------- over time

st.subheader(t("compare.over_time", lang))
with_data = [i for i in indicator_options if any(pd.notna(profiles[c].loc[i, "value"]) for c in codes)]
if indicator is not None and indicator not in with_data:
    st.info(t("compare.indicator_no_data", lang, label=md_escape(catalog.indicators[indicator].label(lang))), icon=":material/info:")
    indicator = None
default_indicator = next((i for i in ("wrk_unemployment", *with_data) if i in with_data), None)
if default_indicator is None:
    st.info(t("compare.no_series", lang))
    st.stop()
seed("indicator", "compare_indicator")
indicator = st.selectbox(
    t("compare.indicator", lang), options=with_data, index=with_data.index(indicator or default_indicator),
    key="compare_indicator", format_func=lambda i: f"{catalog.theme_label(catalog.indicators[i].theme, lang)}: {catalog.indicators[i].label(lang)}",
)
publish("indicator", None if indicator == default_indicator else indicator)
ind = catalog.indicators[indicator]
series = pd.concat([long[long["indicator_id"] == indicator], national[national["indicator_id"] == indicator]], ignore_index=True)
series = series.dropna(subset=["value"]).assign(name=lambda s: s["region_code"].map(label_of))
title = ind.label(lang)
fig = charts.trend_chart(
    series, regions=list(codes), unit=ind.unit(lang), title=title,
    subtitle=t("compare.trend_subtitle", lang, direction=t(f"compare.direction_{ind.direction}", lang)),
    source=charts.source_line_for(series, lang), vintage=vintage, lang=lang,
)
st.plotly_chart(fig, theme=None, key="compare_trend", alt=t("compare.trend_alt", lang, label=title))
export_menu(
    "compare_trend", fig, lang=lang, permalink=compare_link(indicator), vintage=vintage,
    title=t("compare.export_trend", lang, label=title, unit=ind.unit(lang), regions=", ".join(label_of.values()),
            years=profile.years_span(series["year"])),
    data=partial(
        profile.trend_shown, series, indicator=indicator, indicator_label=title, unit=ind.unit(lang),
        names={**label_of, profile.NL_CODE: charts.label("netherlands", lang)}, regions=list(codes),
        source=charts.source_line_for(series, lang), vintage=vintage,
    ),
)  # fmt: skip
missing = [label_of[c] for c in codes if c not in set(series["region_code"])]
if missing:
    st.caption(t("compare.trend_missing", lang, names=md_escape(", ".join(missing))))
st.caption(t("rank.own_measure", lang))
