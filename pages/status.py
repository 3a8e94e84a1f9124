"""Status page: where the warehouse came from, how recent it is, what it covers.

Thin: reads the context that ``app.py`` put in ``st.session_state``, asks
``welfare.status`` for the frames and texts, and draws them.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st

from welfare import status
from welfare.errors import WelfareError
from welfare.i18n import md_escape, t
from welfare.warehouse import DEFAULT_DIR, read_manifest, read_observations

if not st.session_state.pop("_frame_ran", False):
    # Streamlit ran this file without app.py. With a folder named "pages" beside app.py, a
    # fresh server process (and every AppTest run) starts in legacy multipage mode until
    # st.navigation has run once, so a first request for /status lands here directly. Run
    # the frame in this same script run (it draws the sidebar, checks the warehouse and runs
    # this page again through st.navigation), then stop. Renaming the folder removes this.
    runpy.run_path(str(Path(__file__).resolve().parent.parent / "app.py"), run_name="__main__")
    st.stop()

lang = st.session_state.get("lang") or "nl"
out_dir = Path(st.session_state.get("warehouse_dir") or DEFAULT_DIR)

st.title(t("status.title", lang))
st.markdown(t("status.intro", lang))

try:
    manifest = read_manifest(out_dir)
except WelfareError as exc:
    st.error(
        t("status.unreadable", lang, path=md_escape(out_dir), error=md_escape(exc)) + "\n\n" + t("build.hint", lang),
        icon=":material/error:",
    )
    st.stop()

catalog, catalog_problem = status.load_catalog_safely()
records = status.coverage_records(manifest)
if "coverage" not in manifest:  # older or partial manifest: count from the observations
    try:
        records = status.coverage_from_observations(read_observations(out_dir))
    except (WelfareError, OSError, KeyError):
        records = []
coverage = status.coverage_frame(manifest, lang, catalog, records)
tables = status.tables_frame(manifest)
source_line = status.source_line(manifest, lang)

stale_banner = status.stale_banner(manifest, lang)
if stale_banner:  # a refresh kept the previous data of these tables
    st.warning(stale_banner, icon=":material/history:")

built, source, indicators, n_tables = st.columns(4)
built.metric(t("status.metric_built", lang), status.format_built_at(manifest.get("built_at"), lang, date_only=True))
source.metric(t("status.metric_source", lang), status.source_kind_label(manifest, lang, short=True))
indicators.metric(
    t("status.metric_indicators", lang),
    t("status.metric_indicators_value", lang, n=status.indicators_with_data(coverage), total=len(coverage)),
)
n_tables.metric(t("status.metric_tables", lang), len(tables))

st.subheader(t("status.section_coverage", lang))
st.caption(t("status.coverage_intro", lang))
if catalog_problem:
    st.warning(t("status.catalog_problem", lang, error=md_escape(catalog_problem)), icon=":material/warning:")
if coverage.empty:
    st.info(t("status.coverage_empty", lang))
else:
    st.dataframe(
        coverage,
        hide_index=True,
        height="content",
        placeholder=status.MISSING,
        alt=t("status.coverage_alt", lang),
        # "regions" names each level with its count, so "levels" is not shown twice; the id goes last.
        column_order=["label", "theme", "years", "last_year", "gemeenten", "regions", "source_tables", "indicator_id"],
        column_config={
            "label": st.column_config.TextColumn(t("col.label", lang), width=300),
            "theme": st.column_config.TextColumn(t("col.theme", lang), width=140),
            "years": st.column_config.TextColumn(t("col.years", lang), width=90),
            "last_year": st.column_config.NumberColumn(t("col.last_year", lang), format="%d", width=100),
            "gemeenten": st.column_config.NumberColumn(
                t("col.gemeenten", lang), format="%d", width=95, help=t("col.gemeenten_help", lang)
            ),
            "regions": st.column_config.TextColumn(t("col.regions", lang), width=290, help=t("col.regions_help", lang)),
            "source_tables": st.column_config.TextColumn(t("col.source_tables", lang), width=130),
            "indicator_id": st.column_config.TextColumn(t("col.indicator_id", lang), width=210),
        },
    )
st.caption(t("status.levels_legend", lang) + "  \n" + md_escape(source_line))

build_col, tables_col = st.columns(2, gap="large")
with build_col:
    st.subheader(t("status.section_build", lang))
    summary = status.source_summary(manifest, lang, catalog)
    st.table([[label, value] for label, value in summary], hide_header=True, hide_index=True)
with tables_col:
    st.subheader(t("status.section_tables", lang))
    if tables.empty:
        st.info(t("status.tables_empty", lang))
    else:
        st.dataframe(
            tables,
            hide_index=True,
            placeholder=status.MISSING,
            alt=t("status.tables_alt", lang),
            column_config={
                "table_id": t("col.table_id", lang),
                "version": t("col.version", lang),
                "rows": st.column_config.NumberColumn(t("col.rows", lang), format="%d"),
                "n_warnings": st.column_config.NumberColumn(t("col.n_warnings", lang), format="%d"),
                "api": st.column_config.TextColumn(t("col.api", lang), help=t("status.col_api_help", lang)),
                "stale": st.column_config.CheckboxColumn(t("col.stale", lang), help=t("status.col_stale_help", lang)),
            },
        )
    st.caption(t("status.source_line_none", lang))

warnings = status.build_warnings(manifest)
with st.expander(t("status.warnings", lang, n=len(warnings)), icon=":material/warning:"):
    if warnings:
        st.markdown("\n".join(f"- {md_escape(w)}" for w in warnings))
    else:
        st.caption(t("status.no_warnings", lang))
