"""Plotly figures built from frames, with one template; no Streamlit here.

Every figure the app shows or exports is made by a function in this module, from
plain frames and a GeoJSON dict, and carries its source line (and the data
vintage) as an annotation under the plot, so a PNG cut out of a page or written
by ``welfare.export`` always says where its numbers come from.

Colours (all checked to stay apart for deuteranopia, protanopia and tritanopia,
and in greyscale where the meaning depends on order):

- **sequential** (values): viridis, reversed so that *more is darker*. It is
  perceptually uniform and its lightness rises monotonically, so it reads for
  all three colour-vision deficiencies and in a greyscale print; it contains no
  grey, so the grey of "geen gegevens" can never be taken for a value.
- **diverging** (around the NL value): ColorBrewer *BrBG* when the indicator has
  a direction (teal on the better side, brown on the worse side, matching the
  quarter colours below), *PuOr* when it has none. Both are marked colour-blind
  safe by ColorBrewer. Colours are assigned symmetrically around the reference
  (equal distances above and below NL get equally strong colours), so the
  neutral middle is exactly the NL value; the colour bar then shows only the
  part of the scale the data reach.
- **three classes** (CBS style best quarter / middle / worst quarter): CBS uses
  green / grey / red, which deuteranopes and protanopes cannot tell apart. We
  keep the meaning but take the Okabe–Ito *bluish green* ``#009E73`` and
  *vermilion* ``#D55E00``, which differ in lightness and along the blue–yellow
  axis that dichromats still see, with a mid grey ``#BDBDBD`` middle (darker
  than the no-data grey, which is also hatched). Pages add arrows or
  words, so colour is never the only cue.
- **no data**: a separate trace, light grey ``#E6E6E6`` with darker diagonal
  hatching and its own legend entry ("geen gegevens" / "no data"). Plotly draws
  no NaN region at all, so without this trace a missing gemeente would simply
  vanish from the map.
- **categories** (regions in a comparison, deal tranches): Okabe–Ito.

Numbers are formatted for the language: ``separators=",."`` in Dutch
(``1.234,5``), ``".,"`` in English, set per figure. Maps are MapLibre
``Choroplethmap`` traces on ``map_style="white-bg"`` (no tiles, no CDN), so
Kaleido exports them offline.
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from welfare.types import LANGS

# ----------------------------------------------------------------------------- options

MapMode = Literal["continuous", "quarters", "diverging"]
MAP_MODES: tuple[str, ...] = get_args(MapMode)
DealColorBy = Literal["tranche", "status"]
DEAL_COLOR_BY: tuple[str, ...] = get_args(DealColorBy)
QuarterClass = Literal["best", "middle", "worst"]
QUARTER_CLASSES: tuple[str, ...] = get_args(QuarterClass)

# ----------------------------------------------------------------------------- palette

FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
TEXT_COLOR = "#222222"
MUTED_COLOR = "#595959"  # 7:1 on white: footers and subtitles stay readable
GRID_COLOR = "#E5E5E5"

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermilion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
# Lines and bars for up to seven series (yellow is too light on white).
QUALITATIVE: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["vermilion"],
    OKABE_ITO["black"],
)
# Viridis (matplotlib, 9 samples), reversed: light yellow = low, dark purple = high.
SEQUENTIAL: list[list[Any]] = [
    [0.0, "#FDE725"],
    [0.125, "#ADDC30"],
    [0.25, "#5EC962"],
    [0.375, "#28AE80"],
    [0.5, "#21918C"],
    [0.625, "#2C728E"],
    [0.75, "#3B528B"],
    [0.875, "#472D7B"],
    [1.0, "#440154"],
]
# ColorBrewer BrBG (11 classes): brown (low) … teal (high).
_BRBG = ["#543005", "#8C510A", "#BF812D", "#DFC27D", "#F6E8C3", "#F5F5F5", "#C7EAE5", "#80CDC1", "#35978F", "#01665E", "#003C30"]
# ColorBrewer PuOr (11 classes): orange (low) … purple (high).
_PUOR = ["#7F3B08", "#B35806", "#E08214", "#FDB863", "#FEE0B6", "#F7F7F7", "#D8DAEB", "#B2ABD2", "#8073AC", "#542788", "#2D004B"]


def _scale(colors: Sequence[str]) -> list[list[Any]]:
    n = len(colors) - 1
    return [[round(i / n, 4), c] for i, c in enumerate(colors)]


def _color_at(scale: Sequence[Sequence[Any]], t: float) -> str:
    """The colour of a Plotly colour scale (hex stops) at position ``t`` in [0, 1], as ``#RRGGBB``."""
    t = min(max(t, 0.0), 1.0)
    for (t0, c0), (t1, c1) in zip(scale, scale[1:]):
        if t <= t1:
            f = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
            a = [int(c0[i : i + 2], 16) for i in (1, 3, 5)]
            b = [int(c1[i : i + 2], 16) for i in (1, 3, 5)]
            return "#" + "".join(f"{round(x + f * (y - x)):02X}" for x, y in zip(a, b))
    return str(scale[-1][1]).upper()


def _truncate(scale: Sequence[Sequence[Any]], lo: float, hi: float) -> list[list[Any]]:
    """The part [lo, hi] of a colour scale, stretched to [0, 1] (same colours, same places)."""
    if hi <= lo:
        c = _color_at(scale, lo)
        return [[0.0, c], [1.0, c]]
    inner = [[(float(t) - lo) / (hi - lo), str(c).upper()] for t, c in scale if lo < float(t) < hi]
    return [[0.0, _color_at(scale, lo)], *[[round(t, 6), c] for t, c in inner], [1.0, _color_at(scale, hi)]]


DIVERGING: list[list[Any]] = _scale(_BRBG)  # high = better when direction = +1
DIVERGING_NEUTRAL: list[list[Any]] = _scale(_PUOR)  # indicators without a direction

QUARTER_COLORS: dict[str, str] = {
    "best": OKABE_ITO["bluish_green"],
    "middle": "#BDBDBD",
    "worst": OKABE_ITO["vermilion"],
}
# Plotly's legend swatch of a map trace shows the fill only (no outline), so the
# no-data fill must be visible on white by itself; the hatching tells it apart on the map.
NO_DATA_FILL = "#E6E6E6"
NO_DATA_LINE = "#969696"
HATCH_COLOR = "#8C8C8C"
REGION_LINE = "#FFFFFF"
DIVERGING_BORDER = "#B3B3B3"
RANK_LABEL_COLORS: dict[str, str] = {
    "robuust hoog": OKABE_ITO["vermilion"],
    "grensgeval": "#7F7F7F",
    "robuust laag": OKABE_ITO["blue"],
    "geen score": "#BDBDBD",
}
RANK_LABEL_SYMBOLS: dict[str, str] = {
    "robuust hoog": "diamond",
    "grensgeval": "circle",
    "robuust laag": "square",
    "geen score": "x",
}
# Deal outlines are drawn over any fill: no bluish green or vermilion (the quarter
# colours); Paul Tol's wine replaces them as the sixth colour (six tranches).
DEAL_COLORS: tuple[str, ...] = (
    OKABE_ITO["black"],
    OKABE_ITO["blue"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
    "#882255",
    "#666666",
)

# The Netherlands (European part) in EPSG:4326, for the initial map view.
NL_CENTER = {"lat": 52.18, "lon": 5.29}
_NL_BOUNDS = {"west": 3.36, "east": 7.23, "south": 50.75, "north": 53.56}

# ----------------------------------------------------------------------------- words

# A few words only the figures need; the app's messages live in welfare.i18n.
LABELS: dict[str, dict[str, str]] = {
    "source": {"nl": "Bron", "en": "Source"},
    "processing": {"nl": "bewerking regiowelvaart", "en": "processing regiowelvaart"},
    "boundaries": {"nl": "grenzen CBS/PDOK", "en": "boundaries CBS/PDOK"},
    "herindeling": {
        "nl": "herindelingen VNG grenswijzigen (CC BY-NC-SA 4.0)",
        "en": "municipal mergers VNG grenswijzigen (CC BY-NC-SA 4.0)",
    },
    "more_tables": {"nl": "en {n} andere tabellen", "en": "and {n} other tables"},
    "vintage": {"nl": "Gegevens van {date}", "en": "Data as of {date}"},
    "no_data": {"nl": "geen gegevens", "en": "no data"},
    "suppressed": {"nl": "geen gegevens (niet gepubliceerd)", "en": "no data (not published)"},
    "best": {"nl": "beste kwart", "en": "best quarter"},
    "middle": {"nl": "middengroep", "en": "middle half"},
    "worst": {"nl": "slechtste kwart", "en": "worst quarter"},
    "rank": {"nl": "Rang", "en": "Rank"},
    "coverage": {"nl": "Dekking", "en": "Coverage"},
    "year": {"nl": "Jaar", "en": "Year"},
    "pressure_score": {"nl": "Drukscore", "en": "Pressure score"},
    "worst_quarter_count": {"nl": "Indicatoren in slechtste kwart", "en": "Indicators in worst quarter"},
    "themes_under_pressure": {"nl": "Thema's onder druk", "en": "Themes under pressure"},
    "reference_mid": {"nl": "midden = {ref}", "en": "middle = {ref}"},
    "netherlands": {"nl": "Nederland", "en": "Netherlands"},
    "highest": {"nl": "Hoogste", "en": "Highest"},
    "lowest": {"nl": "Laagste", "en": "Lowest"},
    "missing": {"nl": "Geen gegevens voor {n} van {total} regio's", "en": "No data for {n} of {total} regions"},
    "none_missing": {"nl": "Gegevens voor alle {total} regio's", "en": "Data for all {total} regions"},
    "rank_axis": {
        "nl": "Rang (1 = meeste druk); lijn: 5–95%-band van de rang",
        "en": "Rank (1 = most pressure); line: 5–95% band of the rank",
    },
    "rank_band": {"nl": "5–95%-band", "en": "5–95% band"},
    "robuust hoog": {"nl": "robuust hoog", "en": "robustly high"},
    "grensgeval": {"nl": "grensgeval", "en": "borderline"},
    "robuust laag": {"nl": "robuust laag", "en": "robustly low"},
    "geen score": {"nl": "geen score", "en": "no score"},
    "deals": {"nl": "Regio Deals", "en": "Region Deals"},
    "deals_partial": {"nl": "onderbroken lijn: deelgebied", "en": "dashed line: part of the area"},
    "tranche": {"nl": "Tranche {t}", "en": "Round {t}"},
    "tranche_word": {"nl": "Tranche", "en": "Round"},
    "status": {"nl": "Status", "en": "Status"},
    "budget": {"nl": "Rijksbijdrage", "en": "National contribution"},
    "meur": {"nl": "€ {x} mln", "en": "€{x}m"},
    "unknown": {"nl": "onbekend", "en": "unknown"},
    "partial_yes": {
        "nl": "deelgebied: de deal dekt een deel van de getekende gemeenten",
        "en": "part of the area: the deal covers part of the municipalities drawn",
    },
}
# Deal status as the registry writes it (Dutch) → English, in the order of a deal's life
# (legend order and colours follow it).
DEAL_STATUS_EN: dict[str, str] = {
    "convenant vastgesteld (start uitvoering)": "agreement signed (starting)",
    "in uitvoering": "in progress",
    "looptijd verstreken (afronding niet bevestigd)": "term ended (completion not confirmed)",
    "afgerond": "completed",
    "looptijd onbekend": "term unknown",
}


def label(key: str, lang: str = "nl", **fmt: Any) -> str:
    """A figure word in ``lang`` (Dutch for an unknown language), with ``fmt`` filled in.

    >>> label("no_data", "en"), label("tranche", "nl", t=3)
    ('no data', 'Tranche 3')
    """
    entry = LABELS.get(key)
    if entry is None:
        return key
    text = entry.get(lang, entry["nl"])
    return text.format(**fmt) if fmt else text


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"'lang' must be one of {LANGS}, got {lang!r}")


# ----------------------------------------------------------------------------- template

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT_FAMILY, "size": 13, "color": TEXT_COLOR},
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        colorway=list(QUALITATIVE),
        colorscale={"sequential": SEQUENTIAL, "diverging": DIVERGING},
        title={"x": 0.0, "xanchor": "left", "xref": "paper", "font": {"size": 18, "color": TEXT_COLOR}},
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 13}, "bgcolor": "#FFFFFF", "bordercolor": "#BDBDBD"},
        legend={
            "bgcolor": "rgba(255,255,255,0.85)",
            "bordercolor": "#D9D9D9",
            "borderwidth": 1,
            "font": {"size": 12},
        },
        xaxis={
            "title": {"font": {"size": 13, "color": MUTED_COLOR}},
            "showgrid": True,
            "gridcolor": GRID_COLOR,
            "zeroline": False,
            "linecolor": "#BDBDBD",
            "ticks": "outside",
            "tickcolor": "#BDBDBD",
            "automargin": True,
        },
        yaxis={
            "title": {"font": {"size": 13, "color": MUTED_COLOR}},
            "showgrid": True,
            "gridcolor": GRID_COLOR,
            "zeroline": False,
            "linecolor": "#BDBDBD",
            "automargin": True,
        },
        coloraxis={"colorbar": {"thickness": 14, "outlinewidth": 0, "ticks": "outside"}},
        map={"style": "white-bg"},
        margin={"l": 16, "r": 16, "t": 84, "b": 64},
    ),
    data={
        "choroplethmap": [go.Choroplethmap(marker={"line": {"color": REGION_LINE, "width": 0.4}})],
        "bar": [go.Bar(marker={"line": {"width": 0}})],
    },
)
pio.templates["regiowelvaart"] = TEMPLATE


def use_template() -> None:
    """Make ``"regiowelvaart"`` Plotly's default template (the app calls this once).

    The figures here set it themselves; this is for charts drawn elsewhere.
    Render with ``st.plotly_chart(fig, theme=None)`` so Streamlit keeps it.
    """
    pio.templates.default = "regiowelvaart"


def separators(lang: str) -> str:
    """Plotly's ``layout.separators`` (decimal, then thousands) for ``lang``.

    >>> separators("nl"), separators("en")
    (',.', '.,')
    """
    return ",." if lang == "nl" else ".,"


# ----------------------------------------------------------------------------- numbers


def format_number(value: Any, lang: str = "nl", decimals: int = 1) -> str:
    """A number as people in ``lang`` write it; missing values as an en dash.

    >>> format_number(1234.56, "nl"), format_number(1234.56, "en"), format_number(float("nan"))
    ('1.234,6', '1,234.6', '–')
    >>> format_number(-0.5, "nl", 2)
    '−0,50'
    """
    if value is None or value is pd.NA:
        return "–"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(x):
        return "–"
    text = f"{abs(x):,.{decimals}f}"
    if lang == "nl":
        text = text.translate(str.maketrans(",.", ".,"))
    if x < 0 and float(text.replace(",", "").replace(".", "") or 0) != 0:
        text = "−" + text
    return text


def format_percent(share: Any, lang: str = "nl", decimals: int = 0) -> str:
    """A share in [0, 1] as a percentage: ``0.873 → '87%'``.

    >>> format_percent(0.873, "nl"), format_percent(0.8735, "en", 1)
    ('87%', '87.4%')
    """
    text = format_number(None if share is None else float(share) * 100, lang, decimals)
    return text if text == "–" else text + "%"


def auto_decimals(values: Iterable[Any]) -> int:
    """Decimals that suit a set of values: 0 from 100 up, 1 from 1, else 2.

    >>> auto_decimals([35400, 41200]), auto_decimals([4.1, 6.3]), auto_decimals([0.12, 0.3])
    (0, 1, 2)
    """
    arr = np.asarray(pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce"), dtype=float)
    arr = np.abs(arr[np.isfinite(arr)])
    if arr.size == 0:
        return 1
    typical = float(np.median(arr))
    return 0 if typical >= 100 else 1 if typical >= 1 else 2


# ----------------------------------------------------------------------------- source line


def _years_text(years: Iterable[int]) -> str:
    ys = sorted({int(y) for y in years if y is not None and not (isinstance(y, float) and math.isnan(y))})
    runs: list[tuple[int, int]] = []
    for y in ys:
        if runs and y == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], y)
        else:
            runs.append((y, y))
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def source_line(
    tables: Iterable[str],
    years: Iterable[int],
    lang: str = "nl",
    boundaries: bool = False,
    harmonised: bool = False,
    max_tables: int = 4,
) -> str:
    """The attribution line under a figure: CBS tables, years, boundaries, our processing.

    Parameters
    ----------
    tables : iterable of str
        CBS table ids (``source_table`` of the rows shown); duplicates are dropped.
    years : iterable of int
        Report years shown; consecutive years are written as a range.
    lang : {"nl", "en"}
    boundaries : bool
        The figure is a map: credit CBS/PDOK for the boundaries.
    harmonised : bool
        Values were restated across herindelingen: credit VNG grenswijzigen (CC BY-NC-SA).
    max_tables : int
        More tables than this are summarised as "en N andere tabellen".

    Returns
    -------
    str

    Examples
    --------
    >>> source_line(["85560NED"], [2023], "nl")
    'Bron: CBS, 85560NED, 2023; bewerking regiowelvaart'
    >>> source_line(["86088NED", "85560NED", "86088NED"], [2019, 2020, 2021, 2023], "en", boundaries=True)
    'Source: CBS, 85560NED, 86088NED, 2019–2021, 2023; boundaries CBS/PDOK; processing regiowelvaart'
    >>> source_line([f"8{i}000NED" for i in range(6)], [2022], "nl")
    'Bron: CBS, 80000NED, 81000NED, 82000NED, 83000NED en 2 andere tabellen, 2022; bewerking regiowelvaart'
    """
    _check_lang(lang)
    ids = sorted({str(t).strip() for t in tables if t is not None and str(t).strip() and str(t) != "nan"})
    parts = ["CBS"]
    if ids:
        shown = ", ".join(ids[:max_tables])
        if len(ids) > max_tables:
            shown += " " + label("more_tables", lang, n=len(ids) - max_tables)
        parts.append(shown)
    years_text = _years_text(years)
    if years_text:
        parts.append(years_text)
    line = f"{label('source', lang)}: " + ", ".join(parts)
    if boundaries:
        line += "; " + label("boundaries", lang)
    if harmonised:
        line += "; " + label("herindeling", lang)
    return line + "; " + label("processing", lang)


def source_line_for(frame: pd.DataFrame, lang: str = "nl", boundaries: bool = False) -> str:
    """:func:`source_line` from warehouse rows (``source_table``, ``year`` and ``flags``).

    Rows flagged ``harmonised`` add the herindeling credit.

    >>> rows = pd.DataFrame({"source_table": ["86088NED", "86088NED"], "year": [2022, 2023],
    ...                      "flags": ["", "harmonised"]})
    >>> source_line_for(rows, "nl", boundaries=True)
    'Bron: CBS, 86088NED, 2022–2023; grenzen CBS/PDOK; herindelingen VNG grenswijzigen (CC BY-NC-SA 4.0); bewerking regiowelvaart'
    """
    tables = frame["source_table"].dropna().astype(str) if "source_table" in frame else []
    years = frame["year"].dropna() if "year" in frame else []
    harmonised = bool("flags" in frame and frame["flags"].fillna("").astype(str).str.contains("harmonised").any())
    return source_line(tables, years, lang, boundaries=boundaries, harmonised=harmonised)


def vintage_line(when: date | datetime | str, lang: str = "nl") -> str:
    """The data vintage under a figure, e.g. from the manifest's ``built_at``.

    >>> vintage_line("2026-11-20T08:15:00+00:00", "nl"), vintage_line(date(2026, 11, 20), "en")
    ('Gegevens van 2026-11-20', 'Data as of 2026-11-20')
    """
    _check_lang(lang)
    if isinstance(when, datetime):
        day = when.date().isoformat()
    elif isinstance(when, date):
        day = when.isoformat()
    else:
        day = str(when)[:10]
    return label("vintage", lang, date=day)


# ----------------------------------------------------------------------------- layout pieces


def _esc(text: Any) -> str:
    """Names and units go into Plotly's pseudo-HTML: escape <, > and &."""
    return html.escape(str(text), quote=False)


def _footer_lines(source: str | None, vintage: str | None, note: str | None) -> list[str]:
    return [_esc(x) for x in (source, " · ".join(y for y in (vintage, note) if y)) if x]


def _decorate(
    fig: go.Figure,
    *,
    title: str | None,
    subtitle: str | None,
    source: str | None,
    vintage: str | None,
    note: str | None,
    lang: str,
    height: int | None,
    width: int | None,
    axis_room: int = 0,
    legend_room: int = 0,
) -> go.Figure:
    """Template, separators, title + subtitle, and the footer (source · vintage · note).

    The footer sits at the bottom of the bottom margin, below ``axis_room`` px
    kept free for an x axis with its title; ``legend_room`` px between the
    subtitle and the plot hold a horizontal legend (see :func:`_legend_on_top`).
    """
    lines = _footer_lines(source, vintage, note)
    top = (84 if subtitle else 60 if title else 24) + legend_room
    bottom = 14 + axis_room + 15 * len(lines)
    fig.update_layout(
        template=TEMPLATE,
        separators=separators(lang),
        height=height,
        width=width,
        margin={"t": top, "b": bottom, "l": 16, "r": 16},
        meta={"source": source or "", "vintage": vintage or "", "note": note or "", "lang": lang},
    )
    if title or subtitle:
        fig.update_layout(
            title={
                "text": _esc(title or ""),
                "subtitle": {"text": _esc(subtitle or ""), "font": {"size": 13, "color": MUTED_COLOR}},
                "x": 0.0,
                "xanchor": "left",
                "xref": "paper",
                "y": 1.0,
                "yref": "container",
                "yanchor": "top",
                "pad": {"t": 14, "l": 0},
            }
        )
    if lines:
        fig.add_annotation(
            text="<br>".join(lines),
            name="source",
            showarrow=False,
            align="left",
            xref="paper",
            x=0.0,
            xanchor="left",
            yref="paper",
            y=0.0,
            yanchor="bottom",
            yshift=-(bottom - 6),
            font={"size": 10, "color": MUTED_COLOR},
        )
    return fig


def _legend_on_top(**extra: Any) -> dict[str, Any]:
    """A horizontal legend just above the plot area, under the subtitle."""
    return {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom", "yref": "paper",
            "bgcolor": "rgba(0,0,0,0)", "borderwidth": 0, **extra}


def footer_text(fig: go.Figure) -> str:
    """The footer (source line, vintage, note) a figure of this module carries; '' when none.

    >>> footer_text(sparkline([2022, 2023], [1.0, 2.0], source="Bron: CBS, 86088NED, 2023; bewerking regiowelvaart"))
    'Bron: CBS, 86088NED, 2023; bewerking regiowelvaart'
    """
    for ann in fig.layout.annotations or ():
        if ann.name == "source":
            return html.unescape(str(ann.text).replace("<br>", "\n"))
    meta = fig.layout.meta
    return str(meta.get("source", "")) if isinstance(meta, dict) else ""


# ----------------------------------------------------------------------------- geometry helpers


def _feature_key(feature: Mapping[str, Any], featureidkey: str) -> str | None:
    node: Any = feature
    for part in featureidkey.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return None if node is None else str(node)


def _feature_name(feature: Mapping[str, Any]) -> str | None:
    props = feature.get("properties") or {}
    for key in ("statnaam", "name", "naam"):
        if props.get(key):
            return str(props[key])
    return None


def _subset(features: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def fit_zoom(map_height: float, map_width: float | None = None, pad: float = 0.04) -> float:
    """The MapLibre zoom that fits the European Netherlands into a map area of this size (px).

    >>> round(fit_zoom(560), 1), round(fit_zoom(560, 400), 1)
    (6.3, 6.1)
    """
    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span_y = (merc(_NL_BOUNDS["north"]) - merc(_NL_BOUNDS["south"])) / (2 * math.pi)
    span_x = (_NL_BOUNDS["east"] - _NL_BOUNDS["west"]) / 360
    usable = 1 - 2 * pad
    zoom = math.log2(map_height * usable / (512 * span_y))
    if map_width:
        zoom = min(zoom, math.log2(map_width * usable / (512 * span_x)))
    return zoom


def _hatch_lines(geometries: Sequence[Any], spacing: float, decimals: int = 4) -> tuple[list[float | None], list[float | None]]:
    """Diagonal lines (45° on the map) clipped to each of ``geometries``.

    Works in a locally equal-area frame (longitude × cos 52°) so the angle and
    spacing look the same in both directions on a Mercator map at Dutch latitudes.
    All polygons share one grid of lines ``x − y = i·spacing``, so the hatching
    runs on unbroken across neighbouring regions; clipping per polygon (not
    against their union) keeps this fast for hundreds of regions.
    """
    import shapely

    if not geometries:
        return [], []
    k = math.cos(math.radians(NL_CENTER["lat"]))
    polys = np.array(
        [shapely.make_valid(shapely.transform(g, lambda xy: xy * np.array([k, 1.0]))) for g in geometries], dtype=object
    )
    bounds = shapely.bounds(polys)
    lines: list[Any] = []
    owner: list[int] = []
    steps: list[int] = []
    for i, (xmin, ymin, xmax, ymax) in enumerate(bounds):
        if not np.all(np.isfinite([xmin, ymin, xmax, ymax])):
            continue
        for step in range(math.floor((xmin - ymax) / spacing), math.ceil((xmax - ymin) / spacing) + 1):
            c = step * spacing
            lines.append(shapely.LineString([(ymin - 0.01 + c, ymin - 0.01), (ymax + 0.01 + c, ymax + 0.01)]))
            owner.append(i)
            steps.append(step)
    if not lines:
        return [], []
    clipped = shapely.intersection(np.array(lines, dtype=object), polys[np.array(owner)])
    # every piece lies on its grid line x = y + step·spacing: keep it as a y-interval and
    # join the intervals that touch (a line crossing a shared border), two points per run
    intervals: list[tuple[int, float, float]] = []
    for step, geom in zip(steps, clipped):
        for part in getattr(geom, "geoms", [geom]):
            if part.is_empty or part.geom_type != "LineString":
                continue
            ys = shapely.get_coordinates(part)[:, 1]
            intervals.append((step, float(ys.min()), float(ys.max())))
    intervals.sort()
    runs: list[list[float]] = []
    for step, y0, y1 in intervals:
        if runs and runs[-1][0] == step and y0 <= runs[-1][2] + 1e-9:
            runs[-1][2] = max(runs[-1][2], y1)
        else:
            runs.append([step, y0, y1])
    lon: list[float | None] = []
    lat: list[float | None] = []
    for step, y0, y1 in runs:
        c = step * spacing
        lon += [round((y0 + c) / k, decimals), round((y1 + c) / k, decimals), None]
        lat += [round(y0, decimals), round(y1, decimals), None]
    return lon, lat


def _shapes(features: Sequence[Mapping[str, Any]]) -> list[Any]:
    import shapely.geometry

    out = []
    for f in features:
        if f.get("geometry"):
            out.append(shapely.geometry.shape(f["geometry"]))
    return out


# ----------------------------------------------------------------------------- classes


def quarter_classes(values: Sequence[float] | pd.Series, direction: int) -> pd.Series:
    """CBS-style position of each value: best quarter, middle or worst quarter.

    The same rule as :func:`welfare.scoring.worst_quarter`: rank ≤ max(1, ⌊n/4⌋)
    among the n values present, ties sharing the better rank. Missing values
    get no class (``None``).

    Parameters
    ----------
    values : sequence of float
    direction : {1, -1}
        +1 when a higher value is better, −1 when lower is better.

    Examples
    --------
    >>> quarter_classes([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, float("nan")], direction=-1).tolist()
    ['best', 'best', 'middle', 'middle', 'middle', 'middle', 'worst', 'worst', None]
    """
    from welfare.scoring import best_quarter, worst_quarter

    if direction not in (1, -1):
        raise ValueError(f"'direction' must be 1 or -1 for quarters, got {direction!r}")
    index = values.index if isinstance(values, pd.Series) else None
    arr = np.asarray(pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce"), dtype=float)
    press = (-direction * arr).reshape(-1, 1)
    worst = worst_quarter(press)[:, 0]
    best = best_quarter(press)[:, 0]
    out = np.where(np.isnan(arr), None, np.where(worst, "worst", np.where(best, "best", "middle")))
    return pd.Series(out, index=index, dtype="object")


# ----------------------------------------------------------------------------- the map

_HOVER_DEFAULTS = ("rank", "coverage")
# A short blank line under a colour bar's title, so a tick label at the top end never touches it.
_COLORBAR_GAP = "<br><span style='font-size:6px'>&nbsp;</span>"


def _hover_value(col: str, value: Any, lang: str, decimals: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    if col == "coverage":
        return format_percent(value, lang)
    if isinstance(value, (int, np.integer)) or (isinstance(value, float) and float(value).is_integer() and col in ("rank", "year")):
        return format_number(value, lang, 0)
    if isinstance(value, (float, np.floating)):
        return format_number(value, lang, decimals)
    return _esc(value)


def choropleth(
    frame: pd.DataFrame,
    geojson: Mapping[str, Any],
    *,
    value_col: str = "value",
    code_col: str = "region_code",
    name_col: str = "name",
    unit: str = "",
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
    note: str | None = None,
    lang: str = "nl",
    mode: MapMode = "continuous",
    direction: int | None = None,
    class_col: str | None = None,
    reference_value: float | None = None,
    reference_label: str | None = None,
    hover_data: Mapping[str, str] | None = None,
    decimals: int | None = None,
    deal_overlay: Sequence[Any] | None = None,
    featureidkey: str = "properties.statcode",
    uirevision: str = "regiowelvaart-map",
    height: int = 700,
    width: int | None = None,
    hatch: bool = True,
) -> go.Figure:
    """A choropleth map of one value per region, with an explicit "geen gegevens" layer.

    Every feature of ``geojson`` is drawn exactly once: in the value trace(s)
    when ``frame`` has a finite value (or a class) for it, else in the grey,
    hatched no-data trace, which has its own legend entry. Each trace carries
    only its own features, so the figure holds the geometry once.

    Parameters
    ----------
    frame : DataFrame
        One row per region: ``code_col``, ``value_col`` and optionally
        ``name_col``, ``class_col``, ``flags`` (``suppressed`` rows say "not
        published" on hover) and the ``hover_data`` columns.
    geojson : dict
        A FeatureCollection, e.g. :func:`welfare.boundaries.web_geojson`.
    value_col, code_col, name_col : str
        Column names. Names fall back to the feature's ``statnaam``.
    unit : str
        Shown after the value on hover and as the colour bar title.
    title, subtitle : str, optional
        What is shown (indicator, level, year).
    source, vintage, note : str, optional
        Footer lines: :func:`source_line`, :func:`vintage_line`, and e.g. the
        scoring hash or the permalink.
    lang : {"nl", "en"}
    mode : {"continuous", "quarters", "diverging"}
        ``continuous``: sequential colours; ``quarters``: three classes (best
        quarter / middle / worst quarter) from ``class_col`` or from the values
        and ``direction``; ``diverging``: colours around ``reference_value``.
    direction : {1, -1, 0}, optional
        +1 higher is better, −1 lower is better. Needed for ``quarters`` without
        ``class_col``; in ``diverging`` it puts the better side in teal.
    class_col : str, optional
        Column with ``"best"``, ``"middle"``, ``"worst"`` (or empty).
    reference_value : float, optional
        The NL value: the middle of the diverging scale.
    reference_label : str, optional
        How to call the reference (default "Nederland"/"Netherlands").
    hover_data : dict, optional
        Extra columns for the hover, column → label. Default: ``rank`` and
        ``coverage`` when the frame has them.
    decimals : int, optional
        Decimals of the value on hover; default from :func:`auto_decimals`.
    deal_overlay : list of traces, optional
        From :func:`deal_overlay_traces`, drawn on top.
    featureidkey : str
        Where the region code sits in a feature (``"id"`` works too for web_geojson).
    uirevision : str
        Keeps the user's zoom and pan across Streamlit reruns.
    height, width : int
        Pixels; the initial zoom fits the Netherlands into the map area.
    hatch : bool
        Draw diagonal hatching over no-data regions.

    Returns
    -------
    plotly.graph_objects.Figure
        ``layout.meta`` holds the source line, the counts and the codes per trace.

    Examples
    --------
    >>> import shapely, json
    >>> gj = {"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "id": c, "properties": {"statcode": c, "statnaam": n},
    ...      "geometry": shapely.geometry.mapping(shapely.box(4 + i, 52, 4.9 + i, 52.5))}
    ...     for i, (c, n) in enumerate([("GM0001", "Aa"), ("GM0002", "Bee"), ("GM0003", "Cee")])]}
    >>> df = pd.DataFrame({"region_code": ["GM0001", "GM0002"], "name": ["Aa", "Bee"], "value": [4.2, 6.0]})
    >>> fig = choropleth(df, gj, unit="%", title="Werkloosheid", lang="nl", source="Bron: CBS")
    >>> [(t.name, list(t.locations)) for t in fig.data if t.type == "choroplethmap"]
    [('Werkloosheid', ['GM0001', 'GM0002']), ('geen gegevens (1)', ['GM0003'])]
    >>> fig.data[0].customdata[0][1], fig.layout.separators
    ('4,2', ',.')
    """
    _check_lang(lang)
    if mode not in MAP_MODES:
        raise ValueError(f"'mode' must be one of {MAP_MODES}, got {mode!r}")
    for arg, col in (("code_col", code_col), ("value_col", value_col)):
        if col not in frame.columns and not (arg == "value_col" and mode == "quarters" and class_col):
            raise ValueError(f"'{arg}' column {col!r} is not in the frame (columns: {list(frame.columns)})")
    if class_col is not None and class_col not in frame.columns:
        raise ValueError(f"'class_col' column {class_col!r} is not in the frame")
    features = list(geojson.get("features") or [])
    if not features:
        raise ValueError("'geojson' has no features")
    codes = [_feature_key(f, featureidkey) for f in features]
    if any(c is None for c in codes):
        raise ValueError(f"a feature has no {featureidkey!r}: pass the 'featureidkey' where the region code is")
    dup = frame[code_col][frame[code_col].duplicated()]
    if len(dup):
        raise ValueError(
            f"'frame' has more than one row for {sorted(set(dup))[:5]}: filter it to one year and indeling first"
        )
    rows = frame.set_index(code_col, drop=False)
    unknown = sorted(set(rows.index) - set(codes))
    if unknown:
        warnings.warn(
            f"{len(unknown)} region(s) of the frame are not in the map layer and are not drawn: {unknown[:5]}",
            UserWarning,
            stacklevel=2,
        )
    values = pd.to_numeric(rows[value_col], errors="coerce") if value_col in rows else pd.Series(np.nan, index=rows.index)
    if decimals is None:
        decimals = auto_decimals(values)
    if hover_data is None:
        hover_data = {c: label(c, lang) for c in _HOVER_DEFAULTS if c in frame.columns}
    ref_name = reference_label or label("netherlands", lang)

    # classes for quarters
    classes: pd.Series | None = None
    if mode == "quarters":
        if class_col is not None:
            classes = rows[class_col].astype("object").where(rows[class_col].notna(), None)
            bad = sorted({c for c in classes.dropna() if c not in QUARTER_CLASSES})
            if bad:
                raise ValueError(f"'class_col' values must be {QUARTER_CLASSES}, got {bad}")
        else:
            if direction not in (1, -1):
                raise ValueError(f"'direction' must be 1 or -1 for mode='quarters' without class_col, got {direction!r}")
            classes = quarter_classes(values, direction)
    if mode == "diverging":
        if reference_value is None or not math.isfinite(float(reference_value)):
            raise ValueError(f"'reference_value' is needed for mode='diverging', got {reference_value!r}")

    # who has data
    by_code = dict(zip(codes, features))
    has: list[str] = []
    missing: list[str] = []
    for code in codes:
        if code in rows.index:
            ok = classes[code] is not None if classes is not None else bool(np.isfinite(values[code]))
            if ok:
                has.append(code)
                continue
        missing.append(code)

    def name_of(code: str) -> str:
        if code in rows.index and name_col in rows and pd.notna(rows.at[code, name_col]):
            return str(rows.at[code, name_col])
        return _feature_name(by_code[code]) or code

    unit_text = f" {_esc(unit)}" if unit else ""
    extra_cols = [c for c in hover_data if c in rows.columns]

    def custom(code_list: list[str]) -> list[list[str]]:
        out = []
        for code in code_list:
            row = [_esc(name_of(code)), format_number(values.get(code), lang, decimals)]
            row += [_hover_value(c, rows.at[code, c], lang, decimals) for c in extra_cols]
            out.append(row)
        return out

    def template(extra_first: str = "") -> str:
        lines = ["<b>%{customdata[0]}</b>", extra_first + f"%{{customdata[1]}}{unit_text}"]
        for i, c in enumerate(extra_cols):
            lines.append(f"{_esc(hover_data[c])}: %{{customdata[{i + 2}]}}")
        return "<br>".join(lines) + "<extra></extra>"

    fig = go.Figure()
    trace_codes: dict[str, list[str]] = {}
    # white borders, except around the near-white middle of a diverging scale (a region at the
    # NL value would melt into the white background)
    border = {"color": DIVERGING_BORDER, "width": 0.5} if mode == "diverging" else {"color": REGION_LINE, "width": 0.4}
    common = {"featureidkey": featureidkey, "marker": {"line": border}}
    colorbar = {
        "title": {"text": _esc(unit) + _COLORBAR_GAP, "side": "top", "font": {"size": 12}},
        "thickness": 14,
        "len": 0.55,
        "x": 0.99,
        "xanchor": "right",
        "y": 0.5,
        "yanchor": "middle",
        "outlinewidth": 0,
        "ticks": "outside",
        "tickformat": ",",
        "bgcolor": "rgba(255,255,255,0.85)",
    }
    name = title or unit or value_col
    if mode in ("continuous", "diverging"):
        z = [float(values[c]) for c in has]
        trace_kw: dict[str, Any] = {"colorscale": SEQUENTIAL}
        if mode == "diverging":
            ref = float(reference_value)  # type: ignore[arg-type]
            lo_v, hi_v = (min(z), max(z)) if z else (ref, ref)
            half = max(abs(lo_v - ref), abs(hi_v - ref)) or max(abs(ref) * 0.01, 1e-9)
            base = DIVERGING_NEUTRAL if not direction else DIVERGING
            if direction == -1:  # lower is better: the better (teal) side below NL
                base = [[round(1 - float(t), 6), c] for t, c in reversed(base)]
            # colour by distance from NL on a symmetric domain, show only the part the data reach
            zmin, zmax = min(lo_v, ref), max(hi_v, ref)
            scale = _truncate(base, (zmin - (ref - half)) / (2 * half), (zmax - (ref - half)) / (2 * half))
            trace_kw = {"colorscale": scale, "zmin": zmin, "zmax": zmax, "zmid": ref}
            mid = label("reference_mid", lang, ref=f"{ref_name} {format_number(ref, lang, decimals)}")
            colorbar = {
                **colorbar,
                "title": {
                    **colorbar["title"],
                    "text": f"{_esc(unit)}<br><span style='font-size:11px'>{_esc(mid)}</span>{_COLORBAR_GAP}",
                },
            }
        fig.add_trace(
            go.Choroplethmap(
                geojson=_subset([by_code[c] for c in has]),
                locations=has,
                z=z,
                customdata=custom(has),
                hovertemplate=template(),
                name=_esc(name),
                colorbar=colorbar,
                showscale=bool(has),
                showlegend=False,
                meta={"role": "value"},
                **common,
                **trace_kw,
            )
        )
        trace_codes["value"] = has
    else:
        assert classes is not None
        for rank_, cls in enumerate(("best", "middle", "worst")):
            members = [c for c in has if classes[c] == cls]
            color = QUARTER_COLORS[cls]
            cls_label = label(cls, lang)
            fig.add_trace(
                go.Choroplethmap(
                    geojson=_subset([by_code[c] for c in members]),
                    locations=members,
                    z=[0.0] * len(members),
                    colorscale=[[0, color], [1, color]],
                    showscale=False,
                    showlegend=True,
                    legendrank=10 + rank_,
                    name=f"{cls_label} ({len(members)})",
                    legendgroup=cls,
                    customdata=custom(members),
                    hovertemplate=template(extra_first=f"{_esc(cls_label)}: "),
                    meta={"role": "class", "class": cls},
                    **common,
                )
            )
            trace_codes[cls] = members

    if missing:
        suppressed = set()
        if "flags" in rows.columns:
            suppressed = {c for c in missing if c in rows.index and "suppressed" in str(rows.at[c, "flags"] or "")}
        fig.add_trace(
            go.Choroplethmap(
                geojson=_subset([by_code[c] for c in missing]),
                locations=missing,
                z=[0.0] * len(missing),
                colorscale=[[0, NO_DATA_FILL], [1, NO_DATA_FILL]],
                showscale=False,
                showlegend=True,
                legendrank=900,
                legendgroup="no_data",
                name=label("no_data", lang) + f" ({len(missing)})",
                customdata=[
                    [_esc(name_of(c)), label("suppressed" if c in suppressed else "no_data", lang)] for c in missing
                ],
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
                featureidkey=featureidkey,
                marker={"line": {"color": NO_DATA_LINE, "width": 0.6}},
                meta={"role": "no_data"},
            )
        )
        trace_codes["no_data"] = missing
    zoom = fit_zoom(height - 84 - 56, (width - 32) if width else None)
    if hatch and missing:
        spacing = 7 / (512 * 2**zoom / 360)  # ≈ 7 px apart at the initial zoom
        lon, lat = _hatch_lines(_shapes([by_code[c] for c in missing]), spacing)
        if lon:
            fig.add_trace(
                go.Scattermap(
                    lon=lon,
                    lat=lat,
                    mode="lines",
                    line={"color": HATCH_COLOR, "width": 0.8},
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup="no_data",
                    name=label("no_data", lang),
                    meta={"role": "hatch"},
                )
            )
    for trace in deal_overlay or ():
        fig.add_trace(trace)

    _decorate(fig, title=title, subtitle=subtitle, source=source, vintage=vintage, note=note, lang=lang, height=height, width=width)
    fig.update_layout(
        map={"style": "white-bg", "center": dict(NL_CENTER), "zoom": round(zoom, 2), "uirevision": uirevision},
        uirevision=uirevision,
        legend={"x": 0.01, "xanchor": "left", "y": 0.99, "yanchor": "top", "itemclick": "toggle", "traceorder": "normal"},
        meta={
            **fig.layout.meta,
            "mode": mode,
            "counts": {k: len(v) for k, v in trace_codes.items()},
            "reference_value": None if reference_value is None else float(reference_value),
        },
    )
    if any(getattr(t, "legend", None) == "legend2" for t in fig.data):
        fig.update_layout(
            legend2={
                "x": 0.01,
                "xanchor": "left",
                "y": 0.01,
                "yanchor": "bottom",
                "title": {"text": f"{label('deals', lang)}<br><sup>{label('deals_partial', lang)}</sup>", "font": {"size": 12}},
                "bgcolor": "rgba(255,255,255,0.85)",
                "bordercolor": "#D9D9D9",
                "borderwidth": 1,
                "font": {"size": 11},
            }
        )
    return fig


def map_summary(
    frame: pd.DataFrame,
    *,
    value_col: str = "value",
    code_col: str = "region_code",
    name_col: str = "name",
    unit: str = "",
    lang: str = "nl",
    n: int = 3,
    decimals: int | None = None,
    geojson: Mapping[str, Any] | None = None,
    featureidkey: str = "properties.statcode",
    what: str | None = None,
) -> str:
    """A short plain-text summary of a map, usable as its alternative text.

    Names the ``n`` highest and lowest regions and how many have no value (out of
    the map's regions when ``geojson`` is given, else out of the frame's rows).

    Examples
    --------
    >>> df = pd.DataFrame({"region_code": ["GM1", "GM2", "GM3", "GM4"], "name": ["Aa", "Bee", "Cee", "Dee"],
    ...                    "value": [4.2, 6.1, float("nan"), 3.0]})
    >>> print(map_summary(df, unit="%", lang="nl", n=2, what="Werkloosheid 2023"))
    Werkloosheid 2023. Hoogste: Bee (6,1 %), Aa (4,2 %). Laagste: Dee (3,0 %), Aa (4,2 %). Geen gegevens voor 1 van 4 regio's.
    """
    _check_lang(lang)
    values = pd.to_numeric(frame[value_col], errors="coerce")
    names = frame[name_col] if name_col in frame else frame[code_col]
    present = pd.DataFrame({"code": frame[code_col].values, "name": names.values, "value": values.values}).dropna(
        subset=["value"]
    )
    if decimals is None:
        decimals = auto_decimals(present["value"])
    if geojson is not None:
        map_codes = {_feature_key(f, featureidkey) for f in geojson.get("features") or []}
        total = len(map_codes)
        n_missing = len(map_codes - set(present["code"]))
    else:
        total = len(frame)
        n_missing = total - len(present)
    unit_text = f" {unit}" if unit else ""

    def listing(part: pd.DataFrame) -> str:
        return ", ".join(f"{r.name} ({format_number(r.value, lang, decimals)}{unit_text})" for r in part.itertuples())

    high = present.sort_values(["value", "name"], ascending=[False, True], kind="stable")
    low = present.sort_values(["value", "name"], ascending=[True, True], kind="stable")
    parts = [what] if what else []
    if len(present):
        parts.append(f"{label('highest', lang)}: {listing(high.head(n))}")
        parts.append(f"{label('lowest', lang)}: {listing(low.head(n))}")
    parts.append(label("missing", lang, n=n_missing, total=total) if n_missing else label("none_missing", lang, total=total))
    return ". ".join(parts) + "."


# ----------------------------------------------------------------------------- deal overlay


def _dash_ring(coords: np.ndarray, dash: float, gap: float, k: float) -> list[np.ndarray]:
    """Cut a ring (lon, lat) into dashes of ``dash`` followed by gaps of ``gap`` (degrees of latitude)."""
    xy = coords * np.array([k, 1.0])
    seg = np.hypot(*np.diff(xy, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    total = cum[-1]
    if total <= dash + gap:
        return [coords]
    pieces = []
    start = 0.0
    while start < total:
        end = min(start + dash, total)
        inside = (cum > start) & (cum < end)
        pts = [np.interp(start, cum, coords[:, 0]), np.interp(start, cum, coords[:, 1])]
        mid = coords[inside]
        last = [np.interp(end, cum, coords[:, 0]), np.interp(end, cum, coords[:, 1])]
        pieces.append(np.vstack([pts, mid, last]) if len(mid) else np.array([pts, last]))
        start = end + gap
    return pieces


def _deal_records(deal_areas: Any) -> list[tuple[dict[str, Any], Any]]:
    """(properties, shapely geometry in EPSG:4326) per deal, from a GeoDataFrame or a GeoJSON dict."""
    import shapely.geometry

    if isinstance(deal_areas, Mapping):
        out = []
        for f in deal_areas.get("features") or []:
            if f.get("geometry"):
                out.append((dict(f.get("properties") or {}), shapely.geometry.shape(f["geometry"])))
        return out
    gdf = deal_areas
    if getattr(gdf, "crs", None) is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    props = gdf.drop(columns=gdf.geometry.name)
    return [
        (dict(zip(props.columns, row)), geom)
        for row, geom in zip(props.itertuples(index=False, name=None), gdf.geometry.values)
        if geom is not None and not geom.is_empty
    ]


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "ja", "yes", "waar")
    try:
        return bool(value) and not (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):
        return False


def _deal_color(raw: Any, color_by: str, position: int) -> str:
    """A colour that stays with its category whatever else is shown: tranche n → the n-th colour."""
    try:
        if color_by == "tranche":
            return DEAL_COLORS[(int(float(raw)) - 1) % len(DEAL_COLORS)]
        if str(raw) in DEAL_STATUS_EN:
            return DEAL_COLORS[list(DEAL_STATUS_EN).index(str(raw))]
    except (TypeError, ValueError):
        pass
    return DEAL_COLORS[-1] if raw is None or str(raw) in ("", "nan") else DEAL_COLORS[position % len(DEAL_COLORS)]


def deal_overlay_traces(
    deal_areas: Any,
    *,
    color_by: DealColorBy = "tranche",
    lang: str = "nl",
    simplify: float = 0.005,
    decimals: int = 3,
    dash: float = 0.02,
    gap: float = 0.012,
    width: float = 2.2,
    halo: bool = True,
) -> list[go.Scattermap]:
    """Regio Deal areas as outlines over a map: one legend entry per tranche (or status).

    Parameters
    ----------
    deal_areas : GeoDataFrame or GeoJSON dict
        One row/feature per deal with ``name``, ``tranche``, ``rijksbijdrage_meur``,
        ``status``, ``partial`` and a (Multi)Polygon in EPSG:4326 (other CRSs are
        reprojected), e.g. ``welfare.deals.deal_areas(...)``.
    color_by : {"tranche", "status"}
    lang : {"nl", "en"}
    simplify : float
        Tolerance in degrees for the web (0.005 ≈ 350–550 m: outlines at national
        scale). All deals of the registry add about 130 KB to a figure with the
        halo, 75 KB without.
    decimals : int
        Coordinate decimals (3 ≈ 100 m).
    dash, gap : float
        Dash and gap length (degrees of latitude; about 4 and 2.5 px at the national
        zoom) for ``partial`` deals (``DEELGEBIED``: the deal covers only part of
        the gemeenten drawn). Those get their own trace in the category's legend
        group, thinner and broken, so the legend has one entry per category.
    width : float
        Line width in px.
    halo : bool
        Draw a white line 2.5 px wider under the outlines, so they read on any fill
        (doubles the overlay's size).

    Returns
    -------
    list of plotly.graph_objects.Scattermap
        White halos under everything (``meta.role == "deal_halo"``), then per
        category: an outline trace (``deal_outline``, the legend entry, in
        ``legend2``), a thinner broken one for partial deals
        (``deal_outline_partial``) and a marker trace at a point inside each area
        that carries the hover (``deal_hover``: name, tranche, budget, status).
        They share a ``legendgroup``, so one click hides the whole category.

    Examples
    --------
    >>> import shapely, geopandas as gpd
    >>> deals = gpd.GeoDataFrame({"name": ["Deal A", "Deal B"], "tranche": [1, 2],
    ...     "rijksbijdrage_meur": [7.5, None], "status": ["afgerond", "in uitvoering"], "partial": [False, True]},
    ...     geometry=[shapely.box(5, 52, 5.5, 52.4), shapely.box(6, 52, 6.4, 52.3)], crs=4326)
    >>> [(t.name, t.meta["role"], t.showlegend) for t in deal_overlay_traces(deals, lang="en") if t.name != "halo"]
    [('Round 1', 'deal_outline', True), ('Round 1', 'deal_hover', False), ('Round 2', 'deal_outline_partial', True), ('Round 2', 'deal_hover', False)]
    """
    import shapely

    _check_lang(lang)
    if color_by not in DEAL_COLOR_BY:
        raise ValueError(f"'color_by' must be one of {DEAL_COLOR_BY}, got {color_by!r}")
    records = _deal_records(deal_areas)
    k = math.cos(math.radians(NL_CENTER["lat"]))

    def category(props: dict[str, Any]) -> str:
        raw = props.get(color_by)
        if raw is None or (isinstance(raw, float) and math.isnan(raw)) or str(raw).strip() == "":
            return label("unknown", lang)
        if color_by == "tranche":
            try:
                return label("tranche", lang, t=int(float(raw)))
            except (TypeError, ValueError):
                return label("tranche", lang, t=raw)
        return DEAL_STATUS_EN.get(str(raw), str(raw)) if lang == "en" else str(raw)

    def sort_key(props: dict[str, Any]) -> tuple[Any, ...]:
        raw = props.get(color_by)
        if color_by == "status" and str(raw) in DEAL_STATUS_EN:
            return (0, float(list(DEAL_STATUS_EN).index(str(raw))), "")
        try:
            return (0, float(raw), "")
        except (TypeError, ValueError):
            return (1, 0.0, str(raw))

    order: dict[str, tuple[Any, ...]] = {}
    grouped: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    for props, geom in records:
        cat = category(props)
        grouped.setdefault(cat, []).append((props, geom))
        order[cat] = min(order.get(cat, sort_key(props)), sort_key(props))
    cats = sorted(grouped, key=lambda c: order[c])

    def lines_of(props: dict[str, Any], geom: Any) -> list[np.ndarray]:
        geom = shapely.simplify(shapely.make_valid(geom), simplify, preserve_topology=True)
        rings: list[np.ndarray] = []
        for poly in getattr(geom, "geoms", [geom]):
            if poly.geom_type != "Polygon":
                continue
            for ring in [poly.exterior, *poly.interiors]:
                rings.append(np.asarray(ring.coords)[:, :2])
        if _truthy(props.get("partial")):
            return [p for r in rings for p in _dash_ring(r, dash, gap, k)]
        return rings

    def flatten(pieces: list[np.ndarray]) -> tuple[list[float | None], list[float | None]]:
        lon: list[float | None] = []
        lat: list[float | None] = []
        for p in pieces:
            lon += [round(float(x), decimals) for x in p[:, 0]] + [None]
            lat += [round(float(y), decimals) for y in p[:, 1]] + [None]
        return lon, lat

    def hover(props: dict[str, Any]) -> str:
        tranche = props.get("tranche")
        budget = props.get("rijksbijdrage_meur")
        budget_text = (
            label("meur", lang, x=format_number(budget, lang, 1 if float(budget) % 1 else 0))
            if budget is not None and not (isinstance(budget, float) and math.isnan(budget))
            else label("unknown", lang)
        )
        status = props.get("status")
        status_text = (DEAL_STATUS_EN.get(str(status), str(status)) if lang == "en" else str(status)) if status else label("unknown", lang)
        lines = [
            f"<b>{_esc(props.get('name', ''))}</b>",
            f"{label('tranche_word', lang)}: {_esc(tranche if tranche is not None else label('unknown', lang))}",
            f"{label('budget', lang)}: {budget_text}",
            f"{label('status', lang)}: {_esc(status_text)}",
        ]
        if _truthy(props.get("partial")):
            lines.append(f"<i>{label('partial_yes', lang)}</i>")
        return "<br>".join(lines)

    partial_width = max(width * 0.6, 1.0)
    per_cat: list[tuple[str, list[np.ndarray], list[np.ndarray], list[tuple[dict[str, Any], Any]]]] = []
    for cat in cats:
        full = [p for props, geom in grouped[cat] if not _truthy(props.get("partial")) for p in lines_of(props, geom)]
        part = [p for props, geom in grouped[cat] if _truthy(props.get("partial")) for p in lines_of(props, geom)]
        per_cat.append((cat, full, part, grouped[cat]))
    traces: list[go.Scattermap] = []
    if halo:
        for kind, line_width in (("full", width), ("partial", partial_width)):
            pieces = [p for _, full, part, _ in per_cat for p in (full if kind == "full" else part)]
            if not pieces:
                continue
            lon, lat = flatten(pieces)
            traces.append(
                go.Scattermap(
                    lon=lon,
                    lat=lat,
                    mode="lines",
                    line={"color": "rgba(255,255,255,0.9)", "width": line_width + 2.5},
                    hoverinfo="skip",
                    showlegend=False,
                    name="halo",
                    legend="legend2",
                    meta={"role": "deal_halo", "partial": kind == "partial"},
                )
            )
    for i, (cat, full, part, members) in enumerate(per_cat):
        color = _deal_color(members[0][0].get(color_by), color_by, i)
        group = f"deal:{cat}"
        names = [str(p.get("name", "")) for p, _ in members]
        partial_names = [str(p.get("name", "")) for p, _ in members if _truthy(p.get("partial"))]
        # the legend entry belongs to the full outlines; a category with only partial deals gets it on those
        for kind, pieces in (("full", full), ("partial", part)):
            if not pieces:
                continue
            lon, lat = flatten(pieces)
            traces.append(
                go.Scattermap(
                    lon=lon,
                    lat=lat,
                    mode="lines",
                    line={"color": color, "width": width if kind == "full" else partial_width},
                    hoverinfo="skip",
                    name=cat,
                    legend="legend2",
                    legendgroup=group,
                    showlegend=kind == "full" or not full,
                    meta={
                        "role": "deal_outline" if kind == "full" else "deal_outline_partial",
                        "category": cat,
                        "deals": names if kind == "full" else partial_names,
                        "partial": kind == "partial",
                    },
                )
            )
        points = [shapely.point_on_surface(g) for _, g in members]
        traces.append(
            go.Scattermap(
                lon=[round(p.x, 4) for p in points],
                lat=[round(p.y, 4) for p in points],
                mode="markers",
                marker={"size": 7, "color": color, "opacity": 0.9},
                hovertext=[hover(p) for p, _ in members],
                hovertemplate="%{hovertext}<extra></extra>",
                name=cat,
                legend="legend2",
                legendgroup=group,
                showlegend=False,
                meta={"role": "deal_hover", "category": cat, "deals": names},
            )
        )
    return traces


# ----------------------------------------------------------------------------- other charts


def rank_band_chart(
    frame: pd.DataFrame,
    *,
    name_col: str = "region_name",
    rank_col: str = "rank",
    low_col: str = "rank_p05",
    high_col: str = "rank_p95",
    label_col: str | None = "label",
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
    note: str | None = None,
    lang: str = "nl",
    highlight: Iterable[str] = (),
    row_height: int = 22,
    width: int | None = None,
) -> go.Figure:
    """Ranks with their 5–95% band: one row per region, rank 1 (most pressure) on top.

    Point = rank under the chosen recipe, line = the band of ranks over the
    Monte Carlo draws (``welfare.uncertainty``). Colour *and* marker shape show
    the label (robuust hoog / grensgeval / robuust laag), so colour is never the
    only cue. Regions without a rank are left out.

    Examples
    --------
    >>> df = pd.DataFrame({"region_name": ["Aa", "Bee", "Cee"], "rank": [2, 1, 3], "rank_p05": [1, 1, 2],
    ...                    "rank_p95": [3, 2, 3], "label": ["grensgeval", "robuust hoog", "robuust laag"]})
    >>> fig = rank_band_chart(df, lang="en", source="Source: CBS")
    >>> [(t.name, list(t.y)) for t in fig.data]
    [('robustly high', ['Bee']), ('borderline', ['Aa']), ('robustly low', ['Cee'])]
    """
    _check_lang(lang)
    for arg, col in (("name_col", name_col), ("rank_col", rank_col), ("low_col", low_col), ("high_col", high_col)):
        if col not in frame.columns:
            raise ValueError(f"'{arg}' column {col!r} is not in the frame")
    data = frame.copy()
    data["_rank"] = pd.to_numeric(data[rank_col], errors="coerce")
    data = data.dropna(subset=["_rank"]).sort_values(["_rank", name_col])
    if label_col is None or label_col not in data.columns:
        data["_label"] = "grensgeval"
    else:
        data["_label"] = data[label_col].fillna("geen score").astype(str)
    order = list(data[name_col].astype(str))
    marked = set(highlight)
    fig = go.Figure()
    for key in [k for k in RANK_LABEL_COLORS if k in set(data["_label"])] + sorted(
        set(data["_label"]) - set(RANK_LABEL_COLORS)
    ):
        part = data[data["_label"] == key]
        rank = part["_rank"].astype(float)
        low = pd.to_numeric(part[low_col], errors="coerce").fillna(rank)
        high = pd.to_numeric(part[high_col], errors="coerce").fillna(rank)
        color = RANK_LABEL_COLORS.get(key, "#7F7F7F")
        fig.add_trace(
            go.Scatter(
                x=rank,
                y=part[name_col].astype(str),
                mode="markers",
                name=label(key, lang),
                marker={
                    "color": color,
                    "symbol": RANK_LABEL_SYMBOLS.get(key, "circle"),
                    "size": [12 if n in marked else 9 for n in part[name_col].astype(str)],
                    "line": {"color": ["#000000" if n in marked else "#FFFFFF" for n in part[name_col].astype(str)], "width": 1},
                },
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (high - rank).clip(lower=0),
                    "arrayminus": (rank - low).clip(lower=0),
                    "color": color,
                    "thickness": 2,
                    "width": 0,
                },
                customdata=np.column_stack([low.astype(int), high.astype(int)]),
                hovertemplate=(
                    f"<b>%{{y}}</b><br>{label('rank', lang)}: %{{x}}<br>{label('rank_band', lang)}: "
                    "%{customdata[0]}–%{customdata[1]}<extra>" + _esc(label(key, lang)) + "</extra>"
                ),
            )
        )
    n = max(len(order), 1)
    _decorate(fig, title=title, subtitle=subtitle, source=source, vintage=vintage, note=note, lang=lang,
              height=None, width=width, axis_room=48, legend_room=28)
    margin = fig.layout.margin
    top_rank = float(pd.to_numeric(data[high_col], errors="coerce").max(skipna=True) or 0)
    fig.update_layout(
        height=margin.t + margin.b + row_height * n + 20,
        showlegend=True,
        xaxis={"title": {"text": label("rank_axis", lang)}, "tickformat": "d", "side": "bottom",
               "range": [0.5, max(top_rank, float(data["_rank"].max())) + 0.5]},
        yaxis={"categoryorder": "array", "categoryarray": order, "autorange": "reversed", "showgrid": False,
               "ticks": ""},
        legend=_legend_on_top(),
        hovermode="closest",
    )
    return fig


def sparkline(
    years: Sequence[int],
    values: Sequence[float],
    *,
    lang: str = "nl",
    color: str = TEXT_COLOR,
    reference: float | None = None,
    decimals: int | None = None,
    unit: str = "",
    source: str | None = None,
    width: int = 140,
    height: int = 36,
) -> go.Figure:
    """A word-sized trend line without axes, for a table row (region profile).

    The last point is marked; ``reference`` (e.g. the NL value) is a thin dotted
    line. A sparkline is too small for a readable footer: its ``source`` goes
    into ``layout.meta`` and the table row shows table and year beside it.

    Examples
    --------
    >>> fig = sparkline([2019, 2020, 2021], [4.0, 5.5, float("nan")], lang="nl", unit="%")
    >>> list(fig.data[0].x), fig.layout.separators
    ([2019, 2020], ',.')
    """
    _check_lang(lang)
    s = pd.Series(pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce").to_numpy(dtype=float),
                  index=list(years)).dropna().sort_index()
    d = auto_decimals(s) if decimals is None else decimals
    fmt = f",.{d}f"
    unit_text = f" {_esc(unit)}" if unit else ""
    fig = go.Figure(
        go.Scatter(
            x=[int(y) for y in s.index],
            y=s.to_list(),
            mode="lines",
            line={"color": color, "width": 1.5},
            hovertemplate=f"%{{x}}: %{{y:{fmt}}}{unit_text}<extra></extra>",
            showlegend=False,
        )
    )
    if len(s):
        fig.add_trace(
            go.Scatter(
                x=[int(s.index[-1])], y=[float(s.iloc[-1])], mode="markers", marker={"color": color, "size": 5},
                hovertemplate=f"%{{x}}: %{{y:{fmt}}}{unit_text}<extra></extra>", showlegend=False,
            )
        )
    if reference is not None and math.isfinite(float(reference)) and len(s):
        fig.add_hline(y=float(reference), line={"color": "#9E9E9E", "width": 1, "dash": "dot"})
    fig.update_layout(
        template=TEMPLATE,
        separators=separators(lang),
        width=width,
        height=height,
        margin={"l": 2, "r": 4, "t": 2, "b": 2},
        xaxis={"visible": False, "showgrid": False},
        yaxis={"visible": False, "showgrid": False},
        showlegend=False,
        meta={"source": source or "", "lang": lang},
    )
    return fig


def trend_chart(
    frame: pd.DataFrame,
    *,
    regions: Sequence[str] | None = None,
    code_col: str = "region_code",
    name_col: str = "name",
    year_col: str = "year",
    value_col: str = "value",
    lower_col: str = "lower",
    upper_col: str = "upper",
    reference_code: str | None = "NL01",
    unit: str = "",
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
    note: str | None = None,
    lang: str = "nl",
    decimals: int | None = None,
    height: int = 420,
    width: int | None = None,
) -> go.Figure:
    """One indicator over the years for a few regions, with the NL line as reference.

    Parameters
    ----------
    frame : DataFrame
        Long rows ``code_col, name_col, year_col, value_col`` (and ``lower``/``upper``
        for a 95% band where CBS publishes it). The row with ``reference_code``
        is drawn as a dashed dark line.
    regions : sequence of str, optional
        Region codes to draw, in this order (default: all but the reference).

    Examples
    --------
    >>> df = pd.DataFrame({"region_code": ["GM1", "GM1", "NL01", "NL01"], "name": ["Aa", "Aa", "Nederland", "Nederland"],
    ...                    "year": [2022, 2023, 2022, 2023], "value": [4.0, 4.5, 3.5, 3.6]})
    >>> fig = trend_chart(df, unit="%", lang="en", source="Source: CBS")
    >>> [t.name for t in fig.data], fig.data[-1].line.dash
    (['Aa', 'Netherlands'], 'dash')
    """
    _check_lang(lang)
    for arg, col in (("code_col", code_col), ("year_col", year_col), ("value_col", value_col)):
        if col not in frame.columns:
            raise ValueError(f"'{arg}' column {col!r} is not in the frame")
    data = frame.copy()
    data[value_col] = pd.to_numeric(data[value_col], errors="coerce")
    if regions is None:
        regions = [c for c in dict.fromkeys(data[code_col]) if c != reference_code]
    regions = list(regions)
    if len(regions) > len(QUALITATIVE):
        raise ValueError(f"'regions' can hold at most {len(QUALITATIVE)} regions, got {len(regions)}")
    d = auto_decimals(data[value_col]) if decimals is None else decimals
    fmt = f",.{d}f"
    unit_text = f" {_esc(unit)}" if unit else ""
    symbols = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross")
    fig = go.Figure()

    def series(code: str) -> pd.DataFrame:
        return data[data[code_col] == code].sort_values(year_col)

    def name_of(part: pd.DataFrame, code: str) -> str:
        if name_col in part and part[name_col].notna().any():
            return str(part[name_col].dropna().iloc[0])
        return code

    for i, code in enumerate(regions):
        part = series(code)
        if part.empty:
            continue
        color = QUALITATIVE[i]
        name = name_of(part, code)
        if lower_col in part and upper_col in part and part[[lower_col, upper_col]].notna().all(axis=1).any():
            band = part.dropna(subset=[lower_col, upper_col])
            fig.add_trace(
                go.Scatter(
                    x=list(band[year_col]) + list(band[year_col])[::-1],
                    y=list(band[upper_col]) + list(band[lower_col])[::-1],
                    fill="toself",
                    fillcolor=_rgba(color, 0.15),
                    line={"width": 0},
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=code,
                    name=f"{name} 95%",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=part[year_col].astype(int),
                y=part[value_col],
                mode="lines+markers",
                name=_esc(name),
                legendgroup=code,
                line={"color": color, "width": 2.2},
                marker={"symbol": symbols[i % len(symbols)], "size": 7},
                hovertemplate=f"<b>{_esc(name)}</b><br>%{{x}}: %{{y:{fmt}}}{unit_text}<extra></extra>",
                connectgaps=False,
            )
        )
    if reference_code is not None:
        part = series(reference_code)
        if not part.empty:
            name = label("netherlands", lang) if reference_code.startswith("NL") else name_of(part, reference_code)
            fig.add_trace(
                go.Scatter(
                    x=part[year_col].astype(int),
                    y=part[value_col],
                    mode="lines",
                    name=_esc(name),
                    line={"color": "#404040", "width": 1.6, "dash": "dash"},
                    hovertemplate=f"<b>{_esc(name)}</b><br>%{{x}}: %{{y:{fmt}}}{unit_text}<extra></extra>",
                )
            )
    years = sorted({int(y) for y in data[year_col].dropna()})
    _decorate(fig, title=title, subtitle=subtitle, source=source, vintage=vintage, note=note, lang=lang,
              height=height, width=width, axis_room=36, legend_room=28)
    fig.update_layout(
        showlegend=True,
        xaxis={"tickformat": "d", "dtick": 1 if len(years) <= 12 else 2, "showgrid": False},
        yaxis={"title": {"text": _esc(unit)}, "tickformat": ","},
        legend=_legend_on_top(),
        hovermode="x unified",
    )
    return fig


def theme_bars(
    frame: pd.DataFrame,
    *,
    region_col: str = "name",
    category_col: str = "theme",
    value_col: str = "value",
    category_labels: Mapping[str, str] | None = None,
    category_order: Sequence[str] | None = None,
    reference: float | Mapping[str, float] | None = None,
    reference_label: str | None = None,
    unit: str = "",
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
    note: str | None = None,
    lang: str = "nl",
    decimals: int | None = None,
    width: int | None = None,
) -> go.Figure:
    """Grouped horizontal bars: 1–6 regions side by side per theme (or per indicator).

    Parameters
    ----------
    frame : DataFrame
        Long rows ``region_col, category_col, value_col`` (e.g. theme scores).
    category_labels : dict, optional
        Category id → label shown (e.g. ``catalog.theme_label``).
    category_order : sequence, optional
        Category ids top to bottom (default: first appearance).
    reference : float or dict, optional
        The NL value (one number, e.g. 0 for z-scores, or one per category),
        drawn as a black tick per category.

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["Aa", "Aa", "Bee", "Bee"], "theme": ["wonen", "gezondheid"] * 2,
    ...                    "value": [0.5, -0.2, 1.1, 0.3]})
    >>> fig = theme_bars(df, category_labels={"wonen": "Wonen", "gezondheid": "Gezondheid"}, source="Bron: CBS")
    >>> [(t.name, list(t.y)) for t in fig.data]
    [('Aa', ['Wonen', 'Gezondheid']), ('Bee', ['Wonen', 'Gezondheid'])]
    """
    _check_lang(lang)
    for arg, col in (("region_col", region_col), ("category_col", category_col), ("value_col", value_col)):
        if col not in frame.columns:
            raise ValueError(f"'{arg}' column {col!r} is not in the frame")
    regions = list(dict.fromkeys(frame[region_col].astype(str)))
    if not 1 <= len(regions) <= 6:
        raise ValueError(f"theme_bars compares 1 to 6 regions, got {len(regions)}")
    cats = list(category_order) if category_order is not None else list(dict.fromkeys(frame[category_col]))
    labels_ = {c: (category_labels or {}).get(c, str(c)) for c in cats}
    values = pd.to_numeric(frame[value_col], errors="coerce")
    d = auto_decimals(values) if decimals is None else decimals
    fmt = f",.{d}f"
    unit_text = f" {_esc(unit)}" if unit else ""
    fig = go.Figure()
    for i, region in enumerate(regions):
        part = frame[frame[region_col].astype(str) == region].set_index(category_col)
        xs = [float(pd.to_numeric(part[value_col], errors="coerce").get(c, np.nan)) if c in part.index else np.nan for c in cats]
        fig.add_trace(
            go.Bar(
                x=xs,
                y=[labels_[c] for c in cats],
                orientation="h",
                name=_esc(region),
                marker={"color": QUALITATIVE[i]},
                hovertemplate=f"<b>{_esc(region)}</b><br>%{{y}}: %{{x:{fmt}}}{unit_text}<extra></extra>",
            )
        )
    if reference is not None:
        refs = {c: (reference.get(c) if isinstance(reference, Mapping) else reference) for c in cats}
        ref_name = reference_label or label("netherlands", lang)
        pts = [(labels_[c], float(v)) for c, v in refs.items() if v is not None and math.isfinite(float(v))]
        if pts:
            fig.add_trace(
                go.Scatter(
                    x=[v for _, v in pts],
                    y=[c for c, _ in pts],
                    mode="markers",
                    name=_esc(ref_name),
                    marker={"symbol": "line-ns", "size": 26, "line": {"width": 2.5, "color": "#000000"}, "color": "#000000"},
                    hovertemplate=f"<b>{_esc(ref_name)}</b><br>%{{y}}: %{{x:{fmt}}}{unit_text}<extra></extra>",
                )
            )
    n_bars = len(cats) * len(regions)
    _decorate(fig, title=title, subtitle=subtitle, source=source, vintage=vintage, note=note, lang=lang,
              height=None, width=width, axis_room=48, legend_room=28)
    margin = fig.layout.margin
    fig.update_layout(
        height=int(margin.t + margin.b + 40 + max(n_bars * 12, len(cats) * 40)),
        showlegend=True,
        barmode="group",
        bargap=0.25,
        bargroupgap=0.05,
        xaxis={"title": {"text": _esc(unit)}, "tickformat": ",", "zeroline": True, "zerolinecolor": "#9E9E9E"},
        yaxis={"categoryorder": "array", "categoryarray": [labels_[c] for c in cats], "autorange": "reversed",
               "showgrid": False},
        legend=_legend_on_top(traceorder="normal"),
    )
    return fig


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


__all__ = [
    "DEAL_COLOR_BY",
    "DIVERGING",
    "DIVERGING_NEUTRAL",
    "FONT_FAMILY",
    "LABELS",
    "MAP_MODES",
    "NO_DATA_FILL",
    "OKABE_ITO",
    "QUALITATIVE",
    "QUARTER_COLORS",
    "SEQUENTIAL",
    "TEMPLATE",
    "DealColorBy",
    "MapMode",
    "auto_decimals",
    "choropleth",
    "deal_overlay_traces",
    "fit_zoom",
    "footer_text",
    "format_number",
    "format_percent",
    "label",
    "map_summary",
    "quarter_classes",
    "rank_band_chart",
    "separators",
    "source_line",
    "source_line_for",
    "sparkline",
    "theme_bars",
    "trend_chart",
    "use_template",
    "vintage_line",
]
