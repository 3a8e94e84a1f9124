"""Methode: indicators, how the pressure score is made, how firm a ranking is, data and licences.

Thin: the indicator table is ``welfare.status.coverage_frame`` plus the
catalogue's direction and unit; every number in the texts (coverage rule,
Monte Carlo settings, weight floor, default recipe hash) is read from the
code's own defaults, so this page says what the dashboard computes.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from pages._common import context, frame_guard, warehouse
from welfare import status
from welfare.aggregate import AggregationSpec
from welfare.charts import format_percent
from welfare.harmonise import FIRST_YEAR
from welfare.i18n import md_escape, t
from welfare.scoring import NORMALISATIONS, ScoringConfig, default_indicators
from welfare.state import DEFAULT_WEIGHT
from welfare.uncertainty import UncertaintySpec, attainable_ranks

frame_guard()
ctx = context()
lang = ctx.lang
data = warehouse(ctx)
catalog, manifest = data.catalog, data.manifest

st.title(t("method.title", lang))
st.markdown(t("method.intro", lang))
st.warning(t("method.own_measure", lang), icon=":material/balance:")

# ----------------------------------------------------------------------------- indicators

st.header(t("method.section_indicators", lang))
st.caption(t("method.indicators_intro", lang))
records = status.coverage_records(manifest)
if "coverage" not in manifest:  # an older manifest: count from the observations
    records = status.coverage_from_observations(data.observations)
table = status.coverage_frame(manifest, lang, catalog, records)
in_score = set(default_indicators(catalog, "GM"))
direction_word = {1: t("method.direction_up", lang), -1: t("method.direction_down", lang), 0: t("method.direction_none", lang)}


def _catalog_field(iid: str, what: str) -> str | None:
    ind = catalog.indicators.get(iid)
    if ind is None:
        return None
    if what == "direction":
        return direction_word.get(ind.direction)
    if what == "unit":
        return ind.unit(lang)
    if what == "in_score":
        return t("method.yes" if iid in in_score else "method.no", lang)
    return ind.note or None


for column in ("direction", "unit", "in_score", "note"):
    table[column] = [_catalog_field(i, column) for i in table["indicator_id"]]
st.dataframe(
    table,
    hide_index=True,
    height="content",
    placeholder=status.MISSING,
    alt=t("method.indicators_alt", lang),
    column_order=["label", "theme", "direction", "unit", "in_score", "source_tables", "years", "gemeenten", "regions", "note", "indicator_id"],
    column_config={
        "label": st.column_config.TextColumn(t("col.label", lang), width=260),
        "theme": st.column_config.TextColumn(t("col.theme", lang), width=150),
        "direction": st.column_config.TextColumn(t("method.col_direction", lang), width=130),
        "unit": st.column_config.TextColumn(t("method.col_unit", lang), width=160),
        "in_score": st.column_config.TextColumn(t("method.col_in_score", lang), width=90),
        "source_tables": st.column_config.TextColumn(t("col.source_tables", lang), width=140),
        "years": st.column_config.TextColumn(t("col.years", lang), width=90),
        "gemeenten": st.column_config.NumberColumn(t("col.gemeenten", lang), format="%d", width=95, help=t("col.gemeenten_help", lang)),
        "regions": st.column_config.TextColumn(t("method.col_levels", lang), width=260, help=t("col.regions_help", lang)),
        "note": st.column_config.TextColumn(t("method.col_note", lang), width=300),
        "indicator_id": st.column_config.TextColumn(t("col.indicator_id", lang), width=220),
    },
)
st.caption(t("method.levels_legend", lang) + "  \n" + md_escape(status.source_line(manifest, lang)))

# ----------------------------------------------------------------------------- the score

config = ScoringConfig()
coverage = format_percent(config.min_coverage, lang)
area_coverage = format_percent(AggregationSpec().min_coverage, lang)
harmonisation = manifest.get("harmonisation") if isinstance(manifest.get("harmonisation"), Mapping) else {}
target = harmonisation.get("target_year") or status.MISSING
try:
    recipe_hash = config.hash(catalog)
except ValueError:
    recipe_hash = status.MISSING

st.header(t("method.section_score", lang))
st.markdown(t("method.normalisation", lang))
st.markdown(t("method.weights", lang, default=DEFAULT_WEIGHT))
st.markdown(t("method.aggregation", lang))
st.markdown(t("method.missing", lang, coverage=coverage))
st.markdown(t("method.areas", lang, coverage=area_coverage, harmonised_from=FIRST_YEAR, target=target))
st.markdown(t("method.recipe", lang, hash=recipe_hash))

# ----------------------------------------------------------------------------- uncertainty

spec = UncertaintySpec()
floor = inspect.signature(attainable_ranks).parameters["floor"].default
names = {"zscore": "z-score", "percentile": "percentiel" if lang == "nl" else "percentile", "minmax": "min-max"}
st.header(t("method.section_uncertainty", lang))
st.markdown(
    t(
        "method.monte_carlo",
        lang,
        draws=f"{spec.draws:,}".replace(",", "." if lang == "nl" else ","),
        concentration=f"{spec.weight_concentration:g}",
        normalisations=", ".join(names.get(n, n) for n in spec.normalisations if n in NORMALISATIONS),
        top_n=spec.top_n,
        threshold=format_percent(spec.robust_threshold, lang),
        low=format_percent(1 - spec.robust_threshold, lang),
    )
)
st.markdown(t("method.attainable", lang, floor=format_percent(floor, lang)))

# ----------------------------------------------------------------------------- data and licences

st.header(t("method.section_data", lang))
summary = dict(status.source_summary(manifest, lang, catalog))
st.markdown(
    t(
        "method.vintage",
        lang,
        built=status.format_built_at(manifest.get("built_at"), lang, date_only=True),
        source=status.source_kind_label(manifest, lang),
        vintage=md_escape(summary.get(t("summary.vintage", lang), status.MISSING)),
    )
)
boundaries = manifest.get("boundaries") if isinstance(manifest.get("boundaries"), Mapping) else {}
kind = (boundaries.get("source") or {}).get("kind") if isinstance(boundaries.get("source"), Mapping) else None
if kind in ("pdok", "folder"):
    st.markdown(t(f"method.boundaries_{kind}", lang))
licences = pd.DataFrame(
    [
        (t("method.lic_cbs", lang), t("method.lic_cbs_source", lang), "CC BY 4.0"),
        (t("method.lic_regions", lang), t("method.lic_regions_source", lang), "CC BY 4.0"),
        (t("method.lic_boundaries", lang), t("method.lic_boundaries_source", lang), "CC BY 4.0"),
        (t("method.lic_mergers", lang), t("method.lic_mergers_source", lang), t("method.lic_mergers_licence", lang)),
        (t("method.lic_processing", lang), t("method.lic_processing_source", lang), t("method.lic_processing_licence", lang)),
    ],
    columns=[t("method.col_what", lang), t("method.col_source", lang), t("method.col_licence", lang)],
)
st.table(licences, hide_index=True)
st.caption(t("method.licences_note", lang))
