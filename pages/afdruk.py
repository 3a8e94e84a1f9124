"""Afdrukken: a clean, print-ready page of a map view (no sidebar, no controls).

Opened from the map's export menu with the view's query string, or from the
sidebar for the last map view of the session. The map is the exported PNG
(``welfare.export``), not an interactive chart: Plotly charts do not resize
for the browser's print, an image does; so Ctrl+P, or headless chromium's
``page.pdf()`` / a screenshot at a fixed viewport, gives the same page as the
briefing export. Under it: what the map shows in words, the full source line,
the vintage, the scoring recipe and the link that reopens the view.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qsl

import streamlit as st

from pages._common import context, frame_guard, map_level_data, registry, warehouse
from welfare import charts, export, mapview
from welfare.errors import WelfareError
from welfare.i18n import md_escape, t
from welfare.state import PARAMS, View, parse_view, permalink, query_string

frame_guard()
ctx = context()
lang = ctx.lang
charts.use_template()

MAP_STATE_KEY = "_map_state"  # pages/kaart.py STATE_KEY: (query written, View, notices)
# The page is paper: no sidebar, header, toolbar or decoration; a fixed column width; print without margins of the app.
PRINT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 820px; padding-top: 1rem; }
@page { size: A4; margin: 12mm; }
@media print {
  .st-key-print_actions { display: none !important; }
  [data-testid="stMainBlockContainer"] { padding: 0; max-width: none; }
  /* the A4 export (16 × 22 cm) and the text under it on one sheet */
  [data-testid="stImage"] img { max-height: 18cm; width: auto !important; max-width: 100%; }
}
</style>
"""


@st.cache_data(show_spinner=False, max_entries=16)
def _png(folder: str, stamp: float, query: str, base: str, lang: str, _view: View, _data: mapview.WarehouseLike, _registry: object) -> tuple[bytes, str, str]:
    """The map of a view (``query`` is its key) as the A4 export PNG, its words and its source text."""
    shown = mapview.build_map(_view, _data, folder, lang, registry=_registry)
    if shown.figure is None:
        raise WelfareError("no boundary layer")
    png = export.render(shown.figure, "png", "a4-full", scale=2, permalink=permalink(_view, base), config_hash=shown.info.get("hash"), lang=lang)
    what = f"{shown.text.title}, {shown.text.subtitle.split(' · ')[0]}"
    summary = charts.map_summary(shown.frame, unit="" if _view.is_score else shown.text.unit, lang=lang, decimals=shown.text.decimals, what=what)
    lines = " · ".join(x for x in (shown.text.vintage, shown.text.recipe) if x)
    return png, summary, shown.text.source_full + "\n" + lines


data = warehouse(ctx)
folder = str(ctx.warehouse_dir)
try:
    stamp = (Path(folder) / "manifest.json").stat().st_mtime
except OSError:
    stamp = 0.0

st.markdown(PRINT_CSS, unsafe_allow_html=True)  # static CSS only; nothing from the URL goes into it

asked = {k: st.query_params.get_all(k) for k in PARAMS if k in st.query_params}
if asked:
    years = mapview.years_lookup(data.catalog, lambda level: map_level_data(folder, stamp, level, data))
    view, notices = parse_view(asked, data.catalog, years, page="kaart")
    view = replace(view, page="kaart", lang=lang)
    if notices:
        st.info("  \n".join(n.markdown(lang) for n in notices), icon=":material/link:")
else:
    last = st.session_state.get(MAP_STATE_KEY)
    view = replace(last[1], page="kaart", lang=lang) if last is not None else replace(mapview.View(), lang=lang)

query = query_string(replace(view, lang="nl"))  # the view's key in the cache; the language is a key of its own
base = (st.context.url or "").rstrip("/")
if base.endswith("/afdruk"):
    base = base[: -len("/afdruk")]
reg = None
if view.deals:
    reg = registry(ctx)
try:
    png, summary, source_text = _png(folder, stamp, query, base, lang, view, data, reg)
except (WelfareError, ValueError, OSError) as exc:
    st.warning(t("print.no_map", lang, hint=t("build.hint", lang)) + f" ({md_escape(exc)})", icon=":material/map:")
    st.stop()

with st.container(key="print_actions"):  # on screen only: the paper starts with the map's own title
    st.title(t("print.title", lang))
    st.page_link("pages/kaart.py", label=t("print.back", lang), icon=":material/arrow_back:", query_params=dict(parse_qsl(query.lstrip("?"))))
st.image(png, width="stretch", alt=summary)
st.markdown(md_escape(summary))
st.caption(md_escape(source_text).replace("\n", "  \n"))
st.markdown("**" + t("print.link", lang) + "**")
st.code(permalink(view, base), language=None, wrap_lines=True)
