"""Regioprofiel: every indicator of one region, its position among the regions of its level, trend and source.

Thin: values, positions, trends and similar regions come from
``welfare.profile``; the composite rank from ``welfare.scoring`` and
``welfare.uncertainty``.

The region is in the URL as ``welfare.state`` writes it: ``?regio=GM0363`` (a
gemeente, COROP ``CR..`` or province ``PV..`` code, or a Regio Deal area
``deal:t3-zuid-hollandse-delta``; of several, the first counts);
``gewichten`` as on the ranking page sets the recipe of the composite rank.
Synced by hand, so the URL carries the code, not the name in the selectbox.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from pages._common import context, deal_table, deal_values, frame_guard, level_values, warehouse
from welfare import charts, profile, state
from welfare.errors import WelfareError
from welfare.i18n import md_escape, t
from welfare.scoring import ScoreResult, ScoringConfig, default_indicators, score, score_areas
from welfare.uncertainty import UncertaintySpec, attainable_ranks, rank_uncertainty

frame_guard()
ctx = context()
lang = ctx.lang
wh = warehouse(ctx)
charts.use_template()
catalog = wh.catalog
BUILD = f"{wh.manifest.get('build_id', '')}:{wh.built_at}"
KINDS = (*profile.PROFILE_LEVELS, profile.DEAL_KIND)
DEFAULT_REGION = "GM0363"
FLOOR = 0.5  # attainable ranks: every theme keeps at least half its equal weight

# ----------------------------------------------------------------------------- URL <-> widgets

_SEEN = "_regioprofiel_url"  # widget key -> the URL value it was last synced with


def seed(param: str, key: str) -> None:
    """Reset widget ``key`` to its default (the URL's value) when the URL's ``param`` changed since it was synced."""
    raw = tuple(st.query_params.get_all(param))
    seen = st.session_state.setdefault(_SEEN, {})
    if seen.get(key, (param, None)) != (param, raw) and key in st.session_state:
        del st.session_state[key]
    seen[key] = (param, raw)


def publish(param: str, value: str | None) -> None:
    """Write ``param`` to the URL (None removes it)."""
    values = [] if value is None else [value]
    if tuple(st.query_params.get_all(param)) != tuple(values):
        if values:
            st.query_params[param] = values[0]
        else:
            del st.query_params[param]
    seen = st.session_state.setdefault(_SEEN, {})
    for key, (p, _) in list(seen.items()):
        if p == param:
            seen[key] = (param, tuple(values))


# ----------------------------------------------------------------------------- cached numbers


@st.cache_resource(show_spinner=False, max_entries=16)
def scored(build: str, key: str, _config: ScoringConfig) -> ScoreResult:
    return score(wh.observations, wh.regions, catalog, _config)


@st.cache_resource(show_spinner=False, max_entries=16)
def bands(build: str, config_hash: str, top_n: int, _result: ScoreResult) -> pd.DataFrame:
    return rank_uncertainty(_result.input, _result.config, UncertaintySpec(draws=1000, top_n=top_n))


@st.cache_resource(show_spinner=False, max_entries=16)
def attainable_search(build: str, config_hash: str, _result: ScoreResult) -> pd.DataFrame:
    """Best/worst rank of every region by searching 4 000 weightings (~1 s; attained, not proven)."""
    return attainable_ranks(_result.input, _result.config, FLOOR, solver="search", search_points=4000)


@st.cache_resource(show_spinner=False, max_entries=64)
def attainable_exact(build: str, config_hash: str, code: str, _result: ScoreResult) -> pd.DataFrame:
    """Best/worst rank of one region proven by the MILP (seconds; up to 2 × 20 s)."""
    return attainable_ranks(_result.input, _result.config, FLOOR, region_codes=[code], solver="milp")


@st.cache_resource(show_spinner=False, max_entries=64)
def deal_score(build: str, key: str, deal_id: str, _members: tuple[str, ...], _config: ScoringConfig) -> pd.DataFrame:
    return score_areas(wh.observations, wh.regions, catalog, {deal_id: list(_members)}, _config)


# The profile table, its source line and the similarity matrix depend only on the build, the region
# (kind) and the language: cached, so a second visit to a region (or any region, for the matrix) does
# not scan the observations again. Callers read these frames and never change them.
@st.cache_resource(show_spinner=False, max_entries=256)
def profile_table(build: str, kind: str, code: str, level: str, lang: str) -> pd.DataFrame:
    own = deal_values(build, lang, ctx) if kind == profile.DEAL_KIND else level_values(build, level, lang, wh)
    return profile.region_profile(code, own, level_values(build, level, lang, wh), level_values(build, "NL", lang, wh), catalog)


@st.cache_resource(show_spinner=False, max_entries=256)
def profile_sources(build: str, pairs: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return profile.sources_for(wh.observations, pairs)


@st.cache_resource(show_spinner=False, max_entries=8)
def similarity_matrix(build: str, kind: str, level: str, lang: str) -> tuple[dict[str, int], pd.DataFrame]:
    """The latest year per default indicator and the regions × indicators matrix, in the page's region order."""
    own = deal_values(build, lang, ctx) if kind == profile.DEAL_KIND else level_values(build, level, lang, wh)
    years = profile.latest_years(own, list(default_indicators(catalog, level)))
    matrix = profile.wide_values(own, years)
    order = deal_members if kind == profile.DEAL_KIND else names[kind]
    return years, matrix.reindex([c for c in order if c in matrix.index])


# ----------------------------------------------------------------------------- which region

newest = wh.regions.sort_values("year").drop_duplicates("code", keep="last")
names = {lv: dict(newest.loc[newest["level"] == lv, ["code", "name"]].itertuples(index=False)) for lv in profile.PROFILE_LEVELS}
deal_names, deal_members = deal_table(BUILD, ctx)
names[profile.DEAL_KIND] = deal_names
kind_of = {code: kind for kind, group in names.items() for code in group}



def to_url(code: str) -> str:
    """A region as ``welfare.state`` writes it: deal areas as ``deal:<id>``."""
    return f"deal:{code}" if kind_of.get(code) == profile.DEAL_KIND else code


def from_url(code: str) -> str:
    return code[len("deal:"):] if code.startswith("deal:") else code


url = {k: st.query_params.get_all(k) for k in state.PARAMS if k in st.query_params}
view, notices = state.parse_view(url, catalog, page="regioprofiel")
problems: list[profile.ParamProblem] = []
wanted = [from_url(c) for c in view.regions]
for c in wanted:
    if c not in kind_of:
        problems.append(profile.ParamProblem("regio", profile.shown(to_url(c) if c in deal_names else c), "unknown"))
known = [c for c in wanted if c in kind_of]
code = known[0] if known else (DEFAULT_REGION if DEFAULT_REGION in kind_of else next(iter(names["GM"])))
kind = kind_of[code]

st.title(t("profile.title", lang))
sel = st.columns([2.1, 1.9])
seed("regio", "profile_kind")
with sel[0]:
    kind = st.segmented_control(
        t("profile.kind", lang), options=list(KINDS), default=kind, required=True, key="profile_kind",
        format_func=lambda k: t(f"profile.kind_{k}", lang),
    ) or kind
options = sorted(names[kind], key=lambda c: names[kind][c])
key = f"profile_regio_{kind}"
seed("regio", key)
with sel[1]:
    code = st.selectbox(
        t("profile.region", lang), options=options, index=options.index(code) if code in options else 0, key=key,
        format_func=lambda c: f"{names[kind][c]} ({c})" if kind != profile.DEAL_KIND else names[kind][c],
    )
publish("regio", None if code == DEFAULT_REGION and not view.regions else to_url(code))

for notice in notices:
    if notice.param in ("regio", "gewichten"):  # lang: the frame's; the rest is not used here
        st.info(notice.markdown(lang), icon=":material/link_off:")
for problem in problems:
    st.info(t(f"rank.param_{problem.reason}", lang, name=problem.name, value=md_escape(problem.value)), icon=":material/link_off:")

name = names[kind][code]
level = "GM" if kind == profile.DEAL_KIND else kind

# ----------------------------------------------------------------------------- numbers

with st.spinner(t("profile.computing", lang)):
    table = profile_table(BUILD, kind, code, level, lang)
    themes = [th for th, _ in ScoringConfig(level=level).resolved(catalog).theme_weights or ()]
    config = ScoringConfig(level=level, theme_weights=state.theme_weights(view, themes), aggregation=state.aggregation(view))
    config_hash = config.hash(catalog)

st.header(name)
if kind == profile.DEAL_KIND:
    members = deal_members[code]
    population = float(newest.loc[newest["code"].isin(members), "population"].sum())
    st.caption(t("profile.deal_caption", lang, n=len(members), population=charts.format_number(population, lang, 0)))
else:
    row = newest[newest["code"] == code].iloc[0]
    province = names["PV"].get(str(row["provincie"]), "") if kind != "PV" else ""
    st.caption(
        t(f"profile.kind_{kind}", lang)
        + (f" · {t('profile.in_province', lang, province=province)}" if province else "")
        + " · " + t("profile.population", lang, population=charts.format_number(row["population"], lang, 0))
    )

# the composite: rank with its band and the attainable extremes, or a deal area among gemeenten
m = st.columns(5 if kind == profile.DEAL_KIND else 4)
try:
    if kind == profile.DEAL_KIND:
        area = deal_score(BUILD, config_hash, code, deal_members[code], config).iloc[0]
        ranked = pd.notna(area["pressure_score"])
        m[0].metric(t("profile.metric_rank_among", lang),
                    t("profile.rank_of", lang, rank=int(area["rank_among"]), n=int(area["n_ranked"])) if ranked else "–",
                    help=t("profile.metric_rank_among_help", lang))
        m[1].metric(t("profile.metric_percentile", lang), charts.format_number(area["percentile"], lang, 0) if ranked else "–",
                    help=t("profile.metric_percentile_help", lang))
        m[2].metric(t("profile.metric_worst", lang), int(area["worst_quarter_count"]), help=t("rank.col_worst_help", lang))
        m[3].metric(t("profile.metric_themes", lang), int(area["themes_under_pressure"]), help=t("rank.col_themes_help", lang))
        m[4].metric(t("rank.metric_hash", lang), config_hash, help=t("rank.metric_hash_help", lang))
        st.caption(t("profile.deal_rank_note", lang))
        if not ranked:
            st.caption(md_escape(area["reason"]))
    else:
        result = scored(BUILD, config_hash, config)
        default = scored(BUILD, ScoringConfig(level=level).hash(catalog), ScoringConfig(level=level))
        unc = bands(BUILD, result.hash, profile.TOP_N[level], result).set_index("region_code").loc[code]
        mine = result.regions.set_index("region_code").loc[code]
        n = int(result.regions["rank"].notna().sum())
        ranked = pd.notna(mine["rank"])
        lab = str(unc["label"])
        m[0].metric(t("profile.metric_rank", lang), t("profile.rank_of", lang, rank=int(mine["rank"]), n=n) if ranked else "–",
                    help=t("rank.col_rank_help", lang))
        m[1].metric(t("profile.metric_band", lang),
                    f"{unc['rank_p05']:.0f}–{unc['rank_p95']:.0f}" if ranked else "–", help=t("rank.col_band_help", lang))
        m[2].metric(t("profile.metric_worst", lang),
                    t("profile.worst_of", lang, n=int(mine["worst_quarter_count"]), total=int(mine["n_indicators"])),
                    help=t("rank.col_worst_help", lang))
        m[3].metric(t("rank.metric_hash", lang), result.hash, help=t("rank.metric_hash_help", lang))
        if ranked:
            symbol = {"robuust hoog": "◆", "grensgeval": "●", "robuust laag": "■"}.get(lab, "×")
            st.markdown(t("profile.verdict", lang, symbol=symbol, label=charts.label(lab, lang),
                          share=charts.format_percent(unc["p_top_n"], lang), top=profile.TOP_N[level]))
        if view.weights != state.DEFAULT_PRESET:
            moved = default.regions.set_index("region_code").loc[code, "rank"] - mine["rank"] if ranked else None
            st.caption(t("profile.moved", lang, moved=profile.moved_text(moved)))
        themes_hit = [catalog.theme_label(x, lang) for x in str(mine["themes_under_pressure_list"] or "").split("|") if x]
        st.caption(t("profile.themes_hit", lang, n=len(themes_hit), themes=", ".join(themes_hit) or "–"))

        # best and worst attainable rank: the search for every region at once, the MILP on request for this one
        att = attainable_search(BUILD, result.hash, result).set_index("region_code").loc[code]
        exact_key = f"_profile_exact:{result.hash}:{code}"
        proven = st.session_state.get(exact_key)
        a = st.columns([3, 1.3])
        with a[1]:
            if proven is None and ranked and st.button(t("profile.exact_button", lang), key="profile_exact",
                                                       help=t("profile.exact_help", lang), icon=":material/calculate:"):
                with st.spinner(t("profile.exact_running", lang)):
                    proven = attainable_exact(BUILD, result.hash, code, result).iloc[0].to_dict()
                st.session_state[exact_key] = proven
                st.rerun()  # draw the result without the button
        with a[0]:
            if not ranked or att["method"] == "geen score":
                st.markdown(t("profile.attainable_none", lang))
            elif proven is not None:
                st.markdown(t("profile.attainable_exact", lang, best=int(proven["best_rank"]), worst=int(proven["worst_rank"]),
                              best_bound=int(proven["best_rank_bound"]), worst_bound=int(proven["worst_rank_bound"]), n=n,
                              method=t(f"profile.method_{str(proven['method']).replace(' ', '_')}", lang)))
            else:
                st.markdown(t("profile.attainable_search", lang, best=int(att["best_rank"]), worst=int(att["worst_rank"]), n=n))
except (ValueError, WelfareError) as exc:
    st.warning(t("profile.score_failed", lang, error=md_escape(exc)), icon=":material/warning:")

# ----------------------------------------------------------------------------- the indicators, per theme

POSITION_BG = {"best": "rgba(0,158,115,0.22)", "middle": "rgba(189,189,189,0.30)", "worst": "rgba(213,94,0,0.22)"}
ASSESSMENT_BG = {"better": POSITION_BG["best"], "worse": POSITION_BG["worst"]}
METHOD_KEYS = {"published": "method_published", "sum": "method_sum", "weighted_mean": "method_weighted_mean",
               "approximation": "method_approximation"}


def _fmt(value: float, decimals: int) -> str:
    return t("profile.no_data", lang) if value is None or (isinstance(value, float) and math.isnan(value)) else charts.format_number(value, lang, decimals)


def rows_of(part: pd.DataFrame) -> pd.DataFrame:
    out = []
    part = part.astype(object).where(part.notna(), None)  # one missing marker: None
    for r in part.itertuples(index=False):
        ind = catalog.indicators[r.indicator_id]
        d = charts.auto_decimals([v for _, v in r.history] or [r.value])
        has = r.value is not None
        position = ""
        if has and r.position:
            position = charts.label(r.position, lang) + (f" ({r.position_rank}/{r.n_ranked})" if r.position_rank is not None else "")
        elif has and r.direction == 0:
            position = t("profile.no_direction", lang)
        trend = ""
        if r.assessment:
            arrow = profile.trend_symbol(r.trend)
            words = t(f"profile.trend_{r.trend or 'none'}", lang)
            if r.assessment in ("better", "worse"):
                words += ", " + t(f"profile.assessment_{r.assessment}", lang)
            span = f" ({r.trend_first_year}–{r.trend_last_year})" if r.trend_first_year is not None and r.trend_first_year != r.trend_last_year else ""
            trend = f"{arrow} {words}{span}"
        notes = []
        if r.method in METHOD_KEYS and kind != "GM":
            notes.append(t(f"profile.{METHOD_KEYS[r.method]}", lang))
        elif "approximation" in (r.flags or ""):
            notes.append(t("profile.method_approximation", lang))
        if not has:
            if r.reason:
                notes.append(r.reason)
            elif level not in ind.levels and not (level != "GM" and "GM" in ind.levels and ind.aggregation not in ("published_only", "none")):
                notes.append(t("profile.not_at_level", lang, levels=", ".join(ind.levels)))
        value = _fmt(r.value, d)
        if has and r.lower is not None and r.upper is not None:
            value += f" ({charts.format_number(r.lower, lang, d)}–{charts.format_number(r.upper, lang, d)})"
        out.append(
            {
                "indicator": f"{ind.label(lang)} ({ind.unit(lang)})",
                "value": value,
                "nl": charts.format_number(r.nl_value, lang, d) if r.nl_value is not None else "–",
                "position": position,
                "trend": trend,
                "history": [v for _, v in r.history] if len(r.history) > 1 else None,
                "source": f"{r.source_table or '–'} · {r.year}" if r.year is not None else "–",
                "notes": "; ".join(notes),
                "_position": r.position if has else None,
                "_assessment": r.assessment if has else None,
            }
        )
    return pd.DataFrame(out)


def style(frame: pd.DataFrame):
    def colour(col: pd.Series, key: str, palette: dict[str, str]) -> list[str]:
        return [f"background-color: {palette[k]}" if k in palette else "" for k in frame[key]]

    return (
        frame.style.apply(lambda c: colour(c, "_position", POSITION_BG), subset=["position"])
        .apply(lambda c: colour(c, "_assessment", ASSESSMENT_BG), subset=["trend"])
    )


# fixed widths, so the tables of all themes line up; the sparkline beside the value, visible without scrolling
COLUMNS = {
    "indicator": st.column_config.TextColumn(t("profile.col_indicator", lang), width=300),
    "value": st.column_config.TextColumn(t("profile.col_value", lang), width=140, help=t("profile.col_margin_help", lang)),
    "history": st.column_config.LineChartColumn(t("profile.col_history", lang), width=90, color=charts.MUTED_COLOR),
    "nl": st.column_config.TextColumn(t("profile.col_nl", lang), width=85, help=t("profile.col_nl_help", lang)),
    "position": st.column_config.TextColumn(t("profile.col_position", lang), width=175, help=t("profile.col_position_help", lang)),
    "trend": st.column_config.TextColumn(t("profile.col_trend", lang), width=255, help=t("profile.col_trend_help", lang)),
    "source": st.column_config.TextColumn(t("profile.col_source", lang), width=125, help=t("profile.col_source_help", lang)),
    "notes": st.column_config.TextColumn(t("profile.col_notes", lang), width=320),
}
ORDER = list(COLUMNS)

st.subheader(t("profile.indicators", lang))
where = t("profile.among_gemeenten", lang) if kind == profile.DEAL_KIND else t(f"profile.among_{level}", lang)
st.caption(t("profile.indicators_intro", lang, among=where))
dimension_of = {th: catalog.themes[th].get("dimension", "") for th in catalog.themes}
for dimension in ("hier_en_nu", "later", "context"):
    part = table[table["theme"].map(dimension_of) == dimension]
    if part.empty:
        continue
    box = st.container() if dimension == "hier_en_nu" else st.expander(t(f"profile.dimension_{dimension}", lang), expanded=dimension == "later")
    with box:
        if dimension == "hier_en_nu":
            st.markdown("**" + t("profile.dimension_hier_en_nu", lang) + "**")
        empty = []
        for theme, rows in part.groupby("theme", sort=False):
            if rows["value"].isna().all():  # nothing at this level: one line instead of a table of "geen gegevens"
                empty.append(theme)
                continue
            frame = rows_of(rows)
            st.markdown(f"**{md_escape(catalog.theme_label(theme, lang))}**")
            st.dataframe(
                style(frame), hide_index=True, column_order=ORDER, column_config=COLUMNS, key=f"profile_table_{theme}",
                alt=t("profile.table_alt", lang, theme=catalog.theme_label(theme, lang), name=name),
            )
        for theme in empty:
            rows = table[table["theme"] == theme]
            labels = ", ".join(catalog.indicators[i].label(lang) for i in rows["indicator_id"])
            st.markdown(f"**{md_escape(catalog.theme_label(theme, lang))}**: " + t("profile.theme_no_data", lang, indicators=md_escape(labels)))

shown_pairs = [(r.indicator_id, int(r.year)) for r in table.itertuples() if pd.notna(r.year)]
tables_used, years_used = profile_sources(BUILD, tuple(shown_pairs))
source = charts.source_line(tables_used, years_used, lang, harmonised=True)
st.caption(md_escape(source) + "  \n" + md_escape(charts.vintage_line(wh.built_at, lang)))

# ----------------------------------------------------------------------------- similar regions


def link(*codes: str, page: str = "regioprofiel") -> dict[str, str]:
    """Query parameters of a page link to these regions, with this page's weights."""
    return state.view_to_query(state.View(page=page, regions=tuple(to_url(c) for c in codes), weights=view.weights, lang=lang))

st.subheader(t("profile.similar", lang))
years, matrix = similarity_matrix(BUILD, kind, level, lang)
if kind == profile.DEAL_KIND:
    pop = {d: float(newest.loc[newest["code"].isin(m_), "population"].sum()) for d, m_ in deal_members.items()}
else:
    pop = dict(zip(newest["code"], newest["population"]))
if code in matrix.index:
    near = profile.similar_regions(matrix, pop, code, k=5)
    st.caption(t("profile.similar_intro", lang, n=len(years), kind=t(f"profile.kinds_{kind}", lang)))
    if near.empty:
        st.info(t("profile.similar_none", lang))
    else:
        cols = st.columns(len(near))
        for col, r in zip(cols, near.itertuples(index=False)):
            with col:
                st.page_link("pages/regioprofiel.py", label=names[kind].get(r.region_code, r.region_code),
                             query_params=link(r.region_code), icon=":material/location_city:")
                st.caption(t("profile.similar_item", lang, population=charts.format_number(r.population, lang, 0),
                             distance=charts.format_number(r.distance, lang, 2), n=r.n_common))
        st.page_link("pages/vergelijken.py", label=t("profile.compare_link", lang),
                     query_params=link(code, *near["region_code"].head(5), page="vergelijken"), icon=":material/compare_arrows:")
else:
    st.info(t("profile.similar_none", lang))

if kind == profile.DEAL_KIND:
    with st.expander(t("profile.members", lang, n=len(deal_members[code]))):
        for member in deal_members[code]:
            st.page_link("pages/regioprofiel.py", label=f"{names['GM'].get(member, member)} ({member})",
                         query_params=link(member))
st.caption(t("rank.own_measure", lang))
