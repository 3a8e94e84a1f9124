"""Ranglijst: regions ranked by pressure on brede welvaart, with rank bands and live re-weighting.

Thin: the ranking is ``welfare.scoring``, the bands ``welfare.uncertainty``,
the table and filters ``welfare.profile``, the chart ``welfare.charts``.

The view lives in the URL (codes, never names). The shared parameters are
``welfare.state``'s: ``niveau`` (gemeente, corop, provincie), ``jaar`` (here:
per indicator the newest year up to it) and ``gewichten`` (``gelijk``,
``cbs-telling`` or ``theme:weight`` pairs 0–5 joined by ``~``). The page's own
filters: ``provincie`` (PV codes, repeated), ``regiodeal`` (``met`` /
``zonder``), ``inwoners`` (``low..high``), ``sortering`` and ``aantal`` (rows in
the chart), parsed by ``welfare.profile``. Widgets are synced with the URL by
hand: a widget bound with ``bind="query-params"`` writes its display label, not
the code, into the URL.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from pages._common import base_url, context, frame_guard, registry, warehouse
from pages._export import export_menu
from welfare import charts, profile, state
from welfare.errors import WelfareError
from welfare.i18n import md_escape, t
from welfare.scoring import ScoreResult, ScoringConfig, score
from welfare.uncertainty import UncertaintySpec, rank_uncertainty
from welfare.warehouse import read_deal_members

frame_guard()
ctx = context()
lang = ctx.lang
wh = warehouse(ctx)
charts.use_template()
catalog = wh.catalog
BUILD = f"{wh.manifest.get('build_id', '')}:{wh.built_at}"
SORTS = ("rang", "telling", "verschuiving")
RECIPES = (*state.PRESETS, "eigen")  # gelijk, cbs-telling, own weights
DRAWS = 1000


# ----------------------------------------------------------------------------- URL <-> widgets

_SEEN = "_ranglijst_url"  # widget key -> the URL value it was last synced with


def seed(param: str, key: str) -> None:
    """Reset widget ``key`` to its default (the URL's value) when the URL's ``param`` changed since it was synced.

    The URL changes from outside on a first visit, a shared link or a page
    link with query parameters; the widget's own changes are written back by
    :func:`publish`, so they do not count as a change.
    """
    raw = tuple(st.query_params.get_all(param))
    seen = st.session_state.setdefault(_SEEN, {})
    if seen.get(key, (param, None)) != (param, raw) and key in st.session_state:
        del st.session_state[key]
    seen[key] = (param, raw)


def publish(param: str, value: str | list[str] | None) -> None:
    """Write ``param`` to the URL (None or [] removes it: the default leaves the URL)."""
    values = [] if value is None else [value] if isinstance(value, str) else list(value)
    if tuple(st.query_params.get_all(param)) != tuple(values):
        if not values:
            del st.query_params[param]
        else:
            st.query_params[param] = values if len(values) > 1 else values[0]
    seen = st.session_state.setdefault(_SEEN, {})
    for key, (p, _) in list(seen.items()):
        if p == param:
            seen[key] = (param, tuple(values))


# ----------------------------------------------------------------------------- cached numbers


@st.cache_resource(show_spinner=False, max_entries=32)
def scored(build: str, key: str, _config: ScoringConfig) -> ScoreResult:
    return score(wh.observations, wh.regions, catalog, _config)


@st.cache_resource(show_spinner=False, max_entries=32)
def bands(build: str, config_hash: str, top_n: int, _result: ScoreResult) -> pd.DataFrame:
    """Monte Carlo rank bands, once per recipe (its hash) and data build: ~1 s for 1 000 draws."""
    return rank_uncertainty(_result.input, _result.config, UncertaintySpec(draws=DRAWS, top_n=top_n))


@st.cache_resource(show_spinner=False, max_entries=2)
def deal_gemeenten(build: str) -> frozenset[str]:
    """Gemeenten in any Regio Deal, on the indeling the rankings use."""
    year = profile.boundary_year(wh.observations)
    try:
        table = read_deal_members(ctx.warehouse_dir, year=year)
    except (WelfareError, OSError):
        from welfare.deals import members

        table = members(registry(ctx), year)
    return frozenset(table["gemeente_code"].astype(str))


def config_of(level: str, year: int | None, view: state.View, themes: list[str]) -> ScoringConfig:
    return ScoringConfig(level=level, up_to_year=year, theme_weights=state.theme_weights(view, themes),
                         aggregation=state.aggregation(view))


def run(config: ScoringConfig) -> ScoreResult:
    return scored(BUILD, f"{config.hash(catalog)}", config)


# ----------------------------------------------------------------------------- the view from the URL

problems: list[profile.ParamProblem] = []
years = sorted({int(y) for y in wh.observations["year"].dropna().unique() if int(y) >= 2016})
url = {k: st.query_params.get_all(k) for k in state.PARAMS if k in st.query_params}
view, notices = state.parse_view(url, catalog, years, page="ranglijst")
level, year = view.level, view.year

st.title(t("rank.title", lang))
st.caption(t("rank.intro", lang))

top = st.columns([1.55, 1.05, 1.75])
seed("niveau", "rank_niveau")
with top[0]:
    level = st.segmented_control(
        t("rank.level", lang), options=list(profile.PROFILE_LEVELS), default=level, required=True, key="rank_niveau",
        format_func=lambda lv: t(f"rank.level_{lv}", lang),
    ) or "GM"
seed("jaar", "rank_jaar")
year_options = [0, *reversed(years)]
with top[1]:
    year = st.selectbox(
        t("rank.year", lang), options=year_options, index=year_options.index(year or 0), key="rank_jaar",
        format_func=lambda y: t("rank.year_latest", lang) if not y else t("rank.year_upto", lang, year=y),
        help=t("rank.year_help", lang),
    ) or None

# themes of the level's indicator set, for the weight controls
themes = [th for th, _ in ScoringConfig(level=level).resolved(catalog).theme_weights or ()]
given = {} if isinstance(view.weights, str) else dict(view.weights)
seed("gewichten", "rank_recept")
with top[2]:
    recipe = st.segmented_control(
        t("rank.recipe", lang), options=list(RECIPES), default=view.weights if isinstance(view.weights, str) else "eigen",
        required=True, key="rank_recept",
        format_func=lambda p: t(f"rank.recipe_{RECIPES.index(p)}", lang), help=t("rank.recipe_help", lang),
    ) or state.DEFAULT_PRESET
weights: state.Weights = recipe
if recipe == "eigen":
    with st.expander(t("rank.weights", lang), expanded=True):
        st.caption(t("rank.weights_help", lang, default=state.DEFAULT_WEIGHT))
        cols = st.columns(min(len(themes), 4))
        for k, theme in enumerate(themes):
            seed("gewichten", f"rank_w_{theme}")
            with cols[k % len(cols)]:
                given[theme] = st.slider(
                    catalog.theme_label(theme, lang), 0, state.MAX_WEIGHT,
                    value=int(given.get(theme, state.DEFAULT_WEIGHT)), step=1, key=f"rank_w_{theme}",
                )
    if all(given.get(th, state.DEFAULT_WEIGHT) == 0 for th in themes):
        st.warning(t("rank.weights_zero", lang), icon=":material/warning:")
    # themes of another level (e.g. gezondheid, which COROP areas lack) keep their weight in the link
    order = [th for th in state.scoring_themes(catalog) if th in given]
    weights = tuple((th, given[th]) for th in order if given[th] != state.DEFAULT_WEIGHT) or state.DEFAULT_PRESET
view = state.View(page="ranglijst", level=level, year=year, weights=weights)
query = state.view_to_query(view)
for param in ("niveau", "jaar", "gewichten"):
    publish(param, query.get(param))

# filters
provinces = wh.regions[wh.regions["level"] == "PV"].sort_values("year").drop_duplicates("code", keep="last")
province_names = dict(zip(provinces["code"], provinces["name"]))
prov_raw = st.query_params.get_all("provincie") or None
by_name = {n.lower(): c for c, n in province_names.items()}
prov_codes, bad = profile.parse_regions(
    [by_name.get(v.lower(), v) for v in profile.split_values(prov_raw)] or None, province_names, name="provincie"
)
problems += bad
deal_filter, bad = profile.parse_choice(st.query_params.get_all("regiodeal") or None, ["met", "zonder"], "regiodeal")
problems += bad
pop_range, bad = profile.parse_population(st.query_params.get_all("inwoners") or None)
problems += bad
sort, bad = profile.parse_choice(st.query_params.get_all("sortering") or None, SORTS, "sortering", "rang")
problems += bad
n_chart_raw = (st.query_params.get_all("aantal") or [""])[-1]
n_chart = 40
if n_chart_raw:
    if n_chart_raw.isdigit() and 10 <= int(n_chart_raw) <= 120:
        n_chart = int(n_chart_raw)
    else:
        problems.append(profile.ParamProblem("aantal", profile.shown(n_chart_raw), "range"))

with st.container(border=True):
    st.markdown("**" + t("rank.filters", lang) + "**")
    f = st.columns([1.6, 1.55, 1.75])
    seed("provincie", "rank_provincie")
    with f[0]:
        prov_codes = st.multiselect(
            t("rank.province", lang), options=sorted(province_names, key=lambda c: province_names[c]), default=prov_codes,
            format_func=lambda c: province_names.get(c, c), key="rank_provincie", placeholder=t("rank.province_all", lang),
        )
    publish("provincie", list(prov_codes))
    seed("regiodeal", "rank_deals")
    with f[1]:
        deal_filter = st.segmented_control(
            t("rank.deals", lang), options=["alle", "met", "zonder"], default=deal_filter or "alle", required=True,
            key="rank_deals",
            format_func=lambda d: t(f"rank.deals_{d}", lang), help=t("rank.deals_help", lang),
        )
    deal_filter = None if deal_filter in (None, "alle") else deal_filter
    publish("regiodeal", deal_filter)
    seed("inwoners", "rank_inwoners")
    with f[2]:
        pop_range = st.select_slider(
            t("rank.population", lang), options=list(profile.POPULATION_STEPS), value=pop_range, key="rank_inwoners",
            format_func=lambda v: "∞" if v == profile.POPULATION_STEPS[-1] else charts.format_number(v, lang, 0),
        )
    publish("inwoners", profile.population_to_query(tuple(pop_range)))

for notice in notices:
    if notice.param not in ("niveau", "jaar", "gewichten"):  # lang: the frame's; the rest is not used here
        continue
    text = t("rank.param_range", lang, name="jaar", value=md_escape(notice.value)) if notice.key == "state.year_unavailable" else notice.markdown(lang)
    st.info(text, icon=":material/link_off:")
for problem in problems:
    st.info(t(f"rank.param_{problem.reason}", lang, name=problem.name, value=md_escape(problem.value)), icon=":material/link_off:")

# ----------------------------------------------------------------------------- numbers

config = config_of(level, year, view, themes)
try:
    with st.spinner(t("rank.computing", lang)):
        result = run(config)
        default = run(config_of(level, year, state.View(), themes))
        top_n = profile.TOP_N[level]
        unc = bands(BUILD, result.hash, top_n, result)
except (ValueError, WelfareError) as exc:
    st.error(t("rank.failed", lang, error=md_escape(exc)), icon=":material/error:")
    st.stop()

table = profile.ranking_table(result.regions, unc, default.regions, wh.regions, deal_gemeenten(BUILD))
shown_rows = profile.filter_ranking(table, provinces=prov_codes, deal=deal_filter, population=tuple(pop_range))
if sort == "telling":
    shown_rows = shown_rows.sort_values(["worst_quarter_count", "rank"], ascending=[False, True], kind="stable")
elif sort == "verschuiving":
    shown_rows = shown_rows.assign(_abs=shown_rows["moved"].abs()).sort_values(["_abs", "rank"], ascending=[False, True], kind="stable")

n_ranked = int(table["rank"].notna().sum())
moved = table["moved"].dropna()
m = st.columns(4)
m[0].metric(t("rank.metric_shown", lang), t("rank.metric_shown_value", lang, n=len(shown_rows), total=len(table)))
m[1].metric(t("rank.metric_moved", lang), int((moved != 0).sum()), help=t("rank.metric_moved_help", lang))
m[2].metric(t("rank.metric_max_moved", lang), int(moved.abs().max()) if len(moved) else 0)
m[3].metric(t("rank.metric_hash", lang), result.hash, help=t("rank.metric_hash_help", lang))

themes_used = [th for th, _ in result.config.theme_weights or ()]
weights_text = ", ".join(
    f"{catalog.theme_label(th, lang)} {charts.format_percent(w, lang)}" for th, w in (result.config.theme_weights or ())
)
recipe = t(
    "rank.recipe_line", lang,
    level=t(f"rank.levels_{level}", lang),
    year=t("rank.year_latest", lang) if year is None else t("rank.year_upto", lang, year=year),
    aggregation=t(f"rank.aggregation_{result.config.aggregation}", lang),
    weights=weights_text, n=len(result.config.indicators or ()), hash=result.hash,
)
st.caption(recipe)
st.caption(t("rank.band_explained", lang, draws=charts.format_number(DRAWS, lang, 0), top=top_n))

tables, used_years = profile.sources_for(wh.observations, zip(result.input.indicator_ids, result.input.years))
source = charts.source_line(tables, used_years, lang, harmonised=level == "GM")
vintage = charts.vintage_line(wh.built_at, lang)

# ----------------------------------------------------------------------------- chart and table

seed("sortering", "rank_sort")
seed("aantal", "rank_aantal")
c = st.columns([1.5, 2])
with c[0]:
    sort = st.selectbox(t("rank.sort", lang), options=list(SORTS), index=SORTS.index(sort), key="rank_sort",
                        format_func=lambda s: t(f"rank.sort_{s}", lang))
with c[1]:
    n_chart = st.slider(t("rank.n_chart", lang), 10, 120, value=n_chart, step=5, key="rank_aantal")
publish("sortering", None if sort == "rang" else sort)
publish("aantal", None if n_chart == 40 else str(n_chart))

ranked = shown_rows[shown_rows["rank"].notna()]
if ranked.empty:
    st.info(t("rank.none_shown", lang), icon=":material/filter_alt_off:")
else:
    part = ranked.head(n_chart)
    title = t("rank.chart_title", lang, n=len(part), total=len(ranked), level=t(f"rank.levels_{level}", lang))
    fig = charts.rank_band_chart(
        part.astype({"rank": float}), title=title, subtitle=t("rank.chart_subtitle", lang, n=n_ranked, top=top_n),
        source=source, vintage=vintage, note=t("rank.note_hash", lang, hash=result.hash), lang=lang,
    )
    st.plotly_chart(fig, theme=None, key="rank_chart", alt=title + ". " + t("rank.chart_alt", lang))
    year_word = t("rank.year_latest", lang) if year is None else t("rank.year_upto", lang, year=year)
    link = state.permalink(
        state.View(page="ranglijst", level=level, year=year, weights=view.weights, lang=lang), base_url("ranglijst"),
        {"provincie": list(prov_codes), "regiodeal": deal_filter, "inwoners": profile.population_to_query(tuple(pop_range)),
         "sortering": None if sort == "rang" else sort, "aantal": None if n_chart == 40 else str(n_chart)},
    )  # fmt: skip
    export_menu(
        "rank", fig, lang=lang, permalink=link, config_hash=result.hash, vintage=vintage,
        title=t("rank.export_title", lang, level=t(f"rank.levels_{level}", lang), year=year_word, n=len(part), total=len(ranked)),
        data=partial(
            profile.ranking_shown, part, level=level, indicator_label=t("rank.col_score", lang), unit=t("map.unit_pressure", lang), year=year_word,
            source=source, vintage=vintage, config_hash=result.hash,
        ),
    )  # fmt: skip

label_text = {k: f"{s} {charts.label(k, lang)}" for k, s in (("robuust hoog", "◆"), ("grensgeval", "●"), ("robuust laag", "■"), ("geen score", "×"))}
view = shown_rows.assign(
    label_text=shown_rows["label"].map(label_text).fillna(label_text["geen score"]),
    province_name=shown_rows["provincie"].map(province_names),
    theme_names=shown_rows["themes_under_pressure_list"].fillna("").map(
        lambda s: ", ".join(catalog.theme_label(x, lang) for x in s.split("|") if x)
    ),
    deal_text=shown_rows["in_deal"].map({True: t("rank.yes", lang), False: t("rank.no", lang)}),
    p_top=shown_rows["p_top_n"] * 100,
    profile_url=[
        "regioprofiel" + state.query_string(state.View(page="regioprofiel", regions=(c,), weights=view.weights))
        for c in shown_rows["region_code"]
    ],
)
st.dataframe(
    view,
    hide_index=True,
    key="rank_table",
    height=min(36 + 35 * max(len(view), 1), 640),
    alt=t("rank.table_alt", lang),
    placeholder="–",
    column_order=["rank", "region_name", "rank_p05", "rank_p95", "label_text", "p_top", "worst_quarter_count",
                  "themes_under_pressure", "theme_names", "moved", "pressure_score", "province_name", "population",
                  "deal_text", "profile_url"],
    column_config={
        "rank": st.column_config.NumberColumn(t("rank.col_rank", lang), format="%d", help=t("rank.col_rank_help", lang)),
        "region_name": st.column_config.TextColumn(t("rank.col_region", lang)),
        "rank_p05": st.column_config.NumberColumn(t("rank.col_p05", lang), format="%.0f", help=t("rank.col_band_help", lang)),
        "rank_p95": st.column_config.NumberColumn(t("rank.col_p95", lang), format="%.0f", help=t("rank.col_band_help", lang)),
        "label_text": st.column_config.TextColumn(t("rank.col_label", lang), help=t("rank.col_label_help", lang, top=top_n)),
        "p_top": st.column_config.NumberColumn(t("rank.col_p_top", lang, top=top_n), format="%.0f%%"),
        "worst_quarter_count": st.column_config.NumberColumn(t("rank.col_worst", lang), format="%d", help=t("rank.col_worst_help", lang)),
        "themes_under_pressure": st.column_config.NumberColumn(t("rank.col_themes", lang), format="%d", help=t("rank.col_themes_help", lang)),
        "theme_names": st.column_config.TextColumn(t("rank.col_theme_names", lang)),
        "moved": st.column_config.NumberColumn(t("rank.col_moved", lang), format="%+d", help=t("rank.col_moved_help", lang)),
        "pressure_score": st.column_config.NumberColumn(t("rank.col_score", lang), format="%.2f"),
        "province_name": st.column_config.TextColumn(t("rank.col_province", lang)),
        "population": st.column_config.NumberColumn(t("rank.col_population", lang), format="localized"),
        "deal_text": st.column_config.TextColumn(t("rank.col_deal", lang)),
        "profile_url": st.column_config.LinkColumn(t("rank.col_profile", lang), display_text=t("rank.profile_link", lang)),
    },
)
unscored = table[table["rank"].isna()]
if len(unscored):
    st.caption(t("rank.unscored", lang, n=len(unscored), names=md_escape(", ".join(unscored["region_name"].astype(str).head(8)))))
st.caption(md_escape(source) + "  \n" + md_escape(vintage) + " · " + t("rank.note_hash", lang, hash=result.hash))
st.caption(t("rank.own_measure", lang))
