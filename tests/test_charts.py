"""welfare.charts: assertions on the figure JSON, plus one real PNG through Kaleido.

Small hand-made frames and box-shaped gemeenten; one test draws the session's
real warehouse (tests/conftest.py ``built``).
"""

from __future__ import annotations

import json
import shutil
import struct
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import shapely
import shapely.geometry

from welfare import charts

# ----------------------------------------------------------------------------- fixtures

CODES = ["GM0001", "GM0002", "GM0003", "GM0004", "GM0005", "GM0006", "GM0007", "GM0008"]
NAMES = ["Aa", "Bee", "Cee", "Dee", "Ee", "Ef", "Gee", "Haa"]


def box_geojson(codes=CODES, names=NAMES) -> dict:
    """Gemeenten as 0.3° boxes in a row across the Netherlands, keyed like web_geojson."""
    feats = []
    for i, (code, name) in enumerate(zip(codes, names)):
        x, y = 4.0 + 0.35 * (i % 4), 51.5 + 0.35 * (i // 4)
        feats.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"statcode": code, "statnaam": name, "jaar": 2025},
                "geometry": shapely.geometry.mapping(shapely.box(x, y, x + 0.3, y + 0.3)),
            }
        )
    return {"type": "FeatureCollection", "features": feats}


@pytest.fixture
def gj() -> dict:
    return box_geojson()


@pytest.fixture
def frame() -> pd.DataFrame:
    """Seven of eight gemeenten in the frame, one with NaN (suppressed): two missing."""
    return pd.DataFrame(
        {
            "region_code": CODES[:7],
            "name": NAMES[:7],
            "value": [4.2, 6.1, np.nan, 3.0, 5.5, 2.4, 1234.5],
            "rank": [4, 2, pd.NA, 5, 3, 6, 1],
            "coverage": [1.0, 0.9, np.nan, 0.75, 1.0, 1.0, 1.0],
            "flags": ["", "", "suppressed", "", "", "", ""],
        }
    )


def map_traces(fig: go.Figure) -> list:
    return [t for t in fig.data if t.type == "choroplethmap"]


def by_role(fig: go.Figure, role: str) -> list:
    return [t for t in fig.data if (t.meta or {}).get("role") == role]


def feature_codes(trace) -> list[str]:
    return [f["properties"]["statcode"] for f in trace.geojson["features"]]


def deal_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "name": ["Deal Noord", "Deal Oost", "Deal Zuid", "Deal Stad"],
            "tranche": [1, 2, 2, 3],
            "rijksbijdrage_meur": [7.5, 20.0, np.nan, 12.0],
            "status": ["afgerond", "in uitvoering", "in uitvoering", "looptijd onbekend"],
            "partial": [False, False, False, True],
        },
        geometry=[
            shapely.box(6.0, 52.8, 6.8, 53.3),
            shapely.box(6.2, 52.0, 6.9, 52.5),
            shapely.box(5.0, 51.2, 5.8, 51.6),
            shapely.box(4.3, 51.85, 4.6, 52.0),
        ],
        crs=4326,
    )


# ----------------------------------------------------------------------------- template and words


def test_template_is_registered_with_font_and_palettes():
    tpl = pio.templates["regiowelvaart"]
    assert tpl.layout.font.family.startswith("DejaVu Sans")
    assert tpl.layout.paper_bgcolor.upper() == "#FFFFFF"
    assert list(tpl.layout.colorway) == list(charts.QUALITATIVE)
    assert tpl.layout.map.style == "white-bg"
    # no-data grey appears in none of the value palettes
    palette = {c.upper() for _, c in charts.SEQUENTIAL + charts.DIVERGING + charts.DIVERGING_NEUTRAL}
    palette |= {c.upper() for c in charts.QUARTER_COLORS.values()}
    assert charts.NO_DATA_FILL.upper() not in palette


def test_every_label_has_dutch_and_english():
    for key, entry in charts.LABELS.items():
        assert set(entry) == {"nl", "en"}, key


@pytest.mark.parametrize(
    ("tables", "years", "lang", "kw", "expected"),
    [
        (["85560NED"], [2023], "nl", {}, "Bron: CBS, 85560NED, 2023; bewerking regiowelvaart"),
        (["85560NED"], [2023], "en", {}, "Source: CBS, 85560NED, 2023; processing regiowelvaart"),
        (["86088NED"], [2019, 2020, 2021, 2022, 2023], "nl", {"boundaries": True},
         "Bron: CBS, 86088NED, 2019–2023; grenzen CBS/PDOK; bewerking regiowelvaart"),
        (["B", "A", "B"], [2016, 2018, 2019], "en", {},
         "Source: CBS, A, B, 2016, 2018–2019; processing regiowelvaart"),
        ([], [], "nl", {"harmonised": True},
         "Bron: CBS; herindelingen VNG grenswijzigen (CC BY-NC-SA 4.0); bewerking regiowelvaart"),
        (["T1", "T2", "T3", "T4", "T5"], [2020], "en", {"max_tables": 2},
         "Source: CBS, T1, T2 and 3 other tables, 2020; processing regiowelvaart"),
    ],
)
def test_source_line(tables, years, lang, kw, expected):
    assert charts.source_line(tables, years, lang, **kw) == expected


def test_source_line_rejects_unknown_language():
    with pytest.raises(ValueError, match="'lang'"):
        charts.source_line(["X"], [2020], "fr")


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1234.56, "nl", 1, "1.234,6"),
        (1234.56, "en", 1, "1,234.6"),
        (0.5, "nl", 2, "0,50"),
        (-3.25, "nl", 1, "−3,2"),
        (-0.01, "nl", 1, "0,0"),
        (np.nan, "nl", 1, "–"),
        (None, "en", 1, "–"),
        (1_000_000, "nl", 0, "1.000.000"),
    ],
)
def test_format_number(value, lang, decimals, expected):
    assert charts.format_number(value, lang, decimals) == expected


# ----------------------------------------------------------------------------- the map


def test_missing_regions_are_drawn_in_the_no_data_trace_only(frame, gj):
    fig = charts.choropleth(frame, gj, unit="%", title="Werkloosheid", lang="nl", source="Bron: CBS")
    value, no_data = by_role(fig, "value"), by_role(fig, "no_data")
    assert len(value) == 1 and len(no_data) == 1
    missing = {"GM0003", "GM0008"}  # NaN value; not in the frame at all
    assert set(no_data[0].locations) == missing
    assert not missing & set(value[0].locations)
    # none dropped, none twice, and each trace carries exactly its own geometry
    drawn = list(value[0].locations) + list(no_data[0].locations)
    assert sorted(drawn) == sorted(CODES)
    for trace in map_traces(fig):
        assert feature_codes(trace) == list(trace.locations)
    assert no_data[0].showlegend and no_data[0].name == "geen gegevens (2)"
    assert fig.layout.meta["counts"] == {"value": 6, "no_data": 2}
    # the suppressed cell says so; the absent one just "geen gegevens"
    reasons = dict(zip(no_data[0].locations, (row[1] for row in no_data[0].customdata)))
    assert reasons == {"GM0003": "geen gegevens (niet gepubliceerd)", "GM0008": "geen gegevens"}
    # hatching over the missing regions, toggled with them
    hatch = by_role(fig, "hatch")
    assert len(hatch) == 1 and hatch[0].legendgroup == no_data[0].legendgroup
    lons = [x for x in hatch[0].lon if x is not None]
    assert lons and min(lons) >= 4.3 - 1e-6  # GM0003 starts at 4.7, GM0008 at 5.05


def test_complete_data_has_no_no_data_entry(gj):
    df = pd.DataFrame({"region_code": CODES, "name": NAMES, "value": np.arange(8.0)})
    fig = charts.choropleth(df, gj, lang="en")
    assert by_role(fig, "no_data") == [] and by_role(fig, "hatch") == []
    assert list(by_role(fig, "value")[0].locations) == CODES


def test_region_not_on_the_map_warns(gj):
    df = pd.DataFrame({"region_code": ["GM0001", "GM9999"], "value": [1.0, 2.0]})
    with pytest.warns(UserWarning, match="GM9999"):
        fig = charts.choropleth(df, gj)
    assert len(by_role(fig, "value")[0].locations) + len(by_role(fig, "no_data")[0].locations) == 8


def test_names_fall_back_to_the_geojson(gj):
    df = pd.DataFrame({"region_code": ["GM0002"], "value": [1.0]})
    fig = charts.choropleth(df, gj)
    assert by_role(fig, "value")[0].customdata[0][0] == "Bee"
    assert by_role(fig, "no_data")[0].customdata[0][0] == "Aa"


def test_quarters_have_three_classes_with_the_right_regions(gj):
    # 8 values, lower is better: quarter = 2 regions
    df = pd.DataFrame({"region_code": CODES, "name": NAMES, "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]})
    fig = charts.choropleth(df, gj, mode="quarters", direction=-1, lang="nl", title="Werkloosheid")
    classes = {t.meta["class"]: list(t.locations) for t in by_role(fig, "class")}
    assert classes == {
        "best": ["GM0001", "GM0002"],
        "middle": ["GM0003", "GM0004", "GM0005", "GM0006"],
        "worst": ["GM0007", "GM0008"],
    }
    legend = [(t.name, t.showlegend) for t in by_role(fig, "class")]
    assert legend == [("beste kwart (2)", True), ("middengroep (4)", True), ("slechtste kwart (2)", True)]
    colours = {t.meta["class"]: t.colorscale[0][1] for t in by_role(fig, "class")}
    assert colours == charts.QUARTER_COLORS
    # higher is better: the classes swap
    flipped = charts.choropleth(df, gj, mode="quarters", direction=1)
    assert {t.meta["class"]: list(t.locations) for t in by_role(flipped, "class")}["best"] == ["GM0007", "GM0008"]


def test_quarters_from_a_class_column(gj):
    df = pd.DataFrame(
        {
            "region_code": CODES[:4],
            "value": [1.0, 2.0, 3.0, np.nan],
            "klasse": ["worst", "middle", "best", None],
        }
    )
    fig = charts.choropleth(df, gj, mode="quarters", class_col="klasse", lang="en")
    classes = {t.meta["class"]: list(t.locations) for t in by_role(fig, "class")}
    assert classes == {"best": ["GM0003"], "middle": ["GM0002"], "worst": ["GM0001"]}
    assert set(by_role(fig, "no_data")[0].locations) == {"GM0004", *CODES[4:]}
    assert "best quarter: " in by_role(fig, "class")[0].hovertemplate
    with pytest.raises(ValueError, match="class_col"):
        charts.choropleth(df.assign(klasse=["top", None, None, None]), gj, mode="quarters", class_col="klasse")


def test_quarters_need_a_direction(frame, gj):
    with pytest.raises(ValueError, match="'direction'"):
        charts.choropleth(frame, gj, mode="quarters")


def test_quarter_classes_match_scoring_counts():
    values = pd.Series([5.0, 1.0, 3.0, 3.0, 9.0, np.nan, 7.0, 2.0, 8.0], index=list("abcdefghi"))
    out = charts.quarter_classes(values, direction=1)
    assert out.index.tolist() == list("abcdefghi")
    assert out["f"] is None
    assert set(out[out == "best"].index) == {"e", "i"}  # 8 values: 2 per quarter, highest best
    assert set(out[out == "worst"].index) == {"b", "h"}


@pytest.mark.parametrize("direction", [1, -1, None])
def test_diverging_scale_is_centred_on_the_reference(gj, direction):
    df = pd.DataFrame({"region_code": CODES, "value": [2.0, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 9.0]})
    ref = 4.0
    fig = charts.choropleth(df, gj, mode="diverging", reference_value=ref, direction=direction, unit="%", lang="nl")
    trace = by_role(fig, "value")[0]
    assert trace.zmid == ref
    assert trace.zmin == 2.0 and trace.zmax == 9.0  # the colour bar spans the data, not more
    position = (ref - trace.zmin) / (trace.zmax - trace.zmin)
    base = charts.DIVERGING_NEUTRAL if direction is None else charts.DIVERGING
    neutral = base[len(base) // 2][1].upper()
    assert charts._color_at(trace.colorscale, position) == neutral
    # symmetric strength: 2.0 is as far below as 6.0 is above, so equally strong colours
    def at(v):
        return charts._color_at(trace.colorscale, (v - trace.zmin) / (trace.zmax - trace.zmin))

    rgb = lambda c: np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)])  # noqa: E731
    neutral_rgb = rgb(neutral)
    assert abs(np.abs(rgb(at(2.0)) - neutral_rgb).sum() - np.abs(rgb(at(6.0)) - neutral_rgb).sum()) < 60
    if direction is not None:
        # the better side is teal (BrBG high end), the worse side brown
        better, worse = (6.0, 2.0) if direction == 1 else (2.0, 6.0)
        assert rgb(at(better))[2] > rgb(at(better))[0]  # bluer than red: teal
        assert rgb(at(worse))[0] > rgb(at(worse))[2]  # redder than blue: brown
    assert "Nederland 4,0" in trace.colorbar.title.text
    # a region at the NL value is near-white: it gets a grey border, not a white one
    assert trace.marker.line.color == charts.DIVERGING_BORDER


def test_diverging_needs_the_reference(frame, gj):
    with pytest.raises(ValueError, match="reference_value"):
        charts.choropleth(frame, gj, mode="diverging")


def test_dutch_and_english_number_formats_and_hover(frame, gj):
    nl = charts.choropleth(frame, gj, unit="% van beroepsbevolking", lang="nl")
    en = charts.choropleth(frame, gj, unit="% of labour force", lang="en")
    assert nl.layout.separators == ",." and en.layout.separators == ".,"
    nl_value, en_value = by_role(nl, "value")[0], by_role(en, "value")[0]
    assert nl_value.colorbar.tickformat == ","  # d3 grouping, rendered with the separators above
    row_nl = dict(zip(nl_value.locations, nl_value.customdata))
    row_en = dict(zip(en_value.locations, en_value.customdata))
    assert row_nl["GM0001"][1] == "4,2" and row_en["GM0001"][1] == "4.2"
    assert row_nl["GM0007"][1] == "1.234,5" and row_en["GM0007"][1] == "1,234.5"
    # hover: name, value + unit, rank and coverage
    assert "% van beroepsbevolking" in nl_value.hovertemplate
    assert "Rang: %{customdata[2]}" in nl_value.hovertemplate
    assert "Coverage: %{customdata[3]}" in en_value.hovertemplate
    assert row_nl["GM0004"][2:] == ["5", "75%"]


def test_hover_escapes_names_and_units(gj):
    df = pd.DataFrame({"region_code": ["GM0001"], "name": ["<b>A&B</b>"], "value": [1.0]})
    fig = charts.choropleth(df, gj, unit="<i>x</i>")
    trace = by_role(fig, "value")[0]
    assert trace.customdata[0][0] == "&lt;b&gt;A&amp;B&lt;/b&gt;"
    assert "&lt;i&gt;x&lt;/i&gt;" in trace.hovertemplate


def test_map_layout_centred_on_the_netherlands(frame, gj):
    fig = charts.choropleth(frame, gj, title="T", subtitle="S", height=700, uirevision="kaart")
    assert fig.layout.map.style == "white-bg"
    assert fig.layout.map.center.lat == pytest.approx(52.2, abs=0.1)
    assert fig.layout.map.center.lon == pytest.approx(5.3, abs=0.1)
    assert 5.5 < fig.layout.map.zoom < 7.0
    assert fig.layout.uirevision == "kaart" and fig.layout.map.uirevision == "kaart"
    assert all(t.featureidkey == "properties.statcode" for t in map_traces(fig))
    assert fig.layout.title.text == "T" and fig.layout.title.subtitle.text == "S"
    # a smaller map zooms out
    assert charts.choropleth(frame, gj, height=400).layout.map.zoom < fig.layout.map.zoom


def test_featureidkey_id_works(frame, gj):
    for f in gj["features"]:
        del f["properties"]["statcode"]
    fig = charts.choropleth(frame, gj, featureidkey="id")
    assert len(by_role(fig, "value")[0].locations) == 6
    with pytest.raises(ValueError, match="featureidkey"):
        charts.choropleth(frame, gj)


def test_bad_arguments_name_the_argument(frame, gj):
    with pytest.raises(ValueError, match="'mode'"):
        charts.choropleth(frame, gj, mode="bubbles")
    with pytest.raises(ValueError, match="'value_col'"):
        charts.choropleth(frame, gj, value_col="waarde")
    with pytest.raises(ValueError, match="more than one row"):
        charts.choropleth(pd.concat([frame, frame]), gj)
    with pytest.raises(ValueError, match="'lang'"):
        charts.choropleth(frame, gj, lang="de")


def test_map_summary_names_highest_and_lowest(frame, gj):
    text = charts.map_summary(frame, unit="%", lang="nl", geojson=gj, what="Werkloosheid 2023")
    assert text.startswith("Werkloosheid 2023. Hoogste: Gee (1.234,5 %), Bee (6,1 %), Ee (5,5 %).")
    assert "Laagste: Ef (2,4 %), Dee (3,0 %), Aa (4,2 %)." in text
    assert text.endswith("Geen gegevens voor 2 van 8 regio's.")
    en = charts.map_summary(frame, lang="en", n=1)
    assert en == "Highest: Gee (1,234.5). Lowest: Ef (2.4). No data for 1 of 7 regions."


# ----------------------------------------------------------------------------- deal overlay


def test_deal_overlay_one_legend_entry_per_tranche_partial_styled_apart():
    traces = charts.deal_overlay_traces(deal_frame(), color_by="tranche", lang="nl")
    legend = [t.name for t in traces if t.showlegend]
    assert legend == ["Tranche 1", "Tranche 2", "Tranche 3"]
    outlines = [t for t in traces if t.meta["role"] == "deal_outline"]
    partial = [t for t in traces if t.meta["role"] == "deal_outline_partial"]
    assert [t.meta["deals"] for t in outlines] == [["Deal Noord"], ["Deal Oost", "Deal Zuid"]]
    assert [t.meta["deals"] for t in partial] == [["Deal Stad"]]
    # partial: thinner, and broken into dashes (many gaps in one ring)
    assert partial[0].line.width < outlines[0].line.width
    assert sum(x is None for x in partial[0].lon) > 5
    assert sum(x is None for x in outlines[1].lon) == 2  # two solid rings
    # outline, partial outline and hover markers of a tranche toggle together; colour stays with the tranche
    for cat in ("Tranche 1", "Tranche 2", "Tranche 3"):
        members = [t for t in traces if t.name == cat]
        assert len({t.legendgroup for t in members}) == 1
    assert outlines[0].line.color == charts.DEAL_COLORS[0]
    assert partial[0].line.color == charts.DEAL_COLORS[2]
    only_third = charts.deal_overlay_traces(deal_frame().iloc[[3]])
    assert [t.line.color for t in only_third if t.meta["role"] == "deal_outline_partial"] == [charts.DEAL_COLORS[2]]
    assert all(t.legend == "legend2" for t in traces)


def test_deal_overlay_hover_has_name_tranche_budget_status():
    traces = charts.deal_overlay_traces(deal_frame(), lang="nl")
    hovers = [h for t in traces if t.meta["role"] == "deal_hover" for h in t.hovertext]
    assert len(hovers) == 4
    noord = next(h for h in hovers if "Deal Noord" in h)
    assert "Tranche: 1" in noord and "Rijksbijdrage: € 7,5 mln" in noord and "Status: afgerond" in noord
    zuid = next(h for h in hovers if "Deal Zuid" in h)
    assert "Rijksbijdrage: onbekend" in zuid  # a missing budget is unknown, never zero
    stad = next(h for h in hovers if "Deal Stad" in h)
    assert "deelgebied" in stad
    en = charts.deal_overlay_traces(deal_frame(), lang="en", color_by="status")
    assert [t.name for t in en if t.showlegend] == ["in progress", "completed", "term unknown"]  # a deal's life order
    assert any("National contribution: €20m" in h for t in en if t.meta["role"] == "deal_hover" for h in t.hovertext)
    # outlines carry no hover (that is what the markers are for)
    assert all(t.hoverinfo == "skip" for t in traces if t.meta["role"] != "deal_hover")


def test_deal_overlay_accepts_geojson_and_other_crs():
    gdf = deal_frame()
    as_dict = json.loads(gdf.to_json())
    a = charts.deal_overlay_traces(gdf)
    b = charts.deal_overlay_traces(as_dict)
    c = charts.deal_overlay_traces(gdf.to_crs(28992))
    assert [t.name for t in a] == [t.name for t in b] == [t.name for t in c]
    lon_a = [x for x in a[1].lon if x is not None]
    lon_c = [x for x in c[1].lon if x is not None]
    assert min(lon_c) == pytest.approx(min(lon_a), abs=0.01)
    with pytest.raises(ValueError, match="'color_by'"):
        charts.deal_overlay_traces(gdf, color_by="budget")


def test_choropleth_with_deal_overlay_gets_a_second_legend(frame, gj):
    overlay = charts.deal_overlay_traces(deal_frame(), lang="nl")
    fig = charts.choropleth(frame, gj, deal_overlay=overlay, lang="nl")
    assert fig.layout.legend2.title.text.startswith("Regio Deals")
    roles = [(t.meta or {}).get("role") for t in fig.data]
    assert roles.index("deal_halo") > roles.index("no_data")  # drawn on top of the regions


# ----------------------------------------------------------------------------- other charts


def rank_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_name": ["Aa", "Bee", "Cee", "Dee"],
            "rank": [2, 1, 3, pd.NA],
            "rank_p05": [1, 1, 2, np.nan],
            "rank_p95": [4, 2, 3, np.nan],
            "label": ["grensgeval", "robuust hoog", "robuust laag", "geen score"],
        }
    )


def test_rank_band_chart_sorted_with_bands():
    fig = charts.rank_band_chart(rank_frame(), lang="nl", source="Bron: CBS", title="Druk")
    assert list(fig.layout.yaxis.categoryarray) == ["Bee", "Aa", "Cee"]  # Dee has no rank
    assert fig.layout.yaxis.autorange == "reversed"
    aa = next(t for t in fig.data if "Aa" in t.y)
    assert list(aa.error_x.arrayminus) == [1] and list(aa.error_x.array) == [2]
    symbols = {t.name: t.marker.symbol for t in fig.data}
    assert len(set(symbols.values())) == 3  # colour is not the only cue
    assert charts.rank_band_chart(rank_frame(), lang="en").data[0].name == "robustly high"


def test_trend_chart_has_nl_reference():
    df = pd.DataFrame(
        {
            "region_code": ["GM1"] * 3 + ["NL01"] * 3,
            "name": ["Aa"] * 3 + ["Nederland"] * 3,
            "year": [2021, 2022, 2023] * 2,
            "value": [4.0, 4.5, 5.0, 3.5, 3.6, 3.7],
            "lower": [3.5, 4.0, 4.4, np.nan, np.nan, np.nan],
            "upper": [4.5, 5.0, 5.6, np.nan, np.nan, np.nan],
        }
    )
    fig = charts.trend_chart(df, unit="%", lang="nl", source="Bron: CBS")
    names = [t.name for t in fig.data]
    assert names == ["Aa 95%", "Aa", "Nederland"]
    assert fig.data[-1].line.dash == "dash"
    assert fig.data[0].fill == "toself"
    assert "%{y:,.1f} %" in fig.data[1].hovertemplate
    assert fig.layout.xaxis.tickformat == "d"  # no "2.023" on the year axis
    with pytest.raises(ValueError, match="'regions'"):
        charts.trend_chart(df, regions=[f"GM{i}" for i in range(8)])


def test_theme_bars_groups_regions_per_theme():
    df = pd.DataFrame(
        {
            "name": ["Aa", "Aa", "Bee", "Bee", "Cee"],
            "theme": ["wonen", "gezondheid", "wonen", "gezondheid", "wonen"],
            "value": [0.5, -0.2, 1.1, 0.3, 0.0],
        }
    )
    fig = charts.theme_bars(df, category_labels={"wonen": "Wonen", "gezondheid": "Gezondheid"}, reference=0.0,
                            lang="nl", source="Bron: CBS")
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars] == ["Aa", "Bee", "Cee"]
    assert [float(x) if x == x else None for x in bars[2].x] == [0.0, None]  # Cee has no gezondheid: a gap, not 0
    assert fig.layout.barmode == "group"
    assert fig.data[-1].name == "Nederland"
    too_many = pd.DataFrame({"name": list("ABCDEFG"), "theme": "wonen", "value": 1.0})
    with pytest.raises(ValueError, match="1 to 6"):
        charts.theme_bars(too_many)


def test_sparkline_is_small_and_keeps_its_source():
    fig = charts.sparkline([2019, 2020, 2021, 2022], [4.0, None, 5.0, 4.5], lang="nl", reference=4.2,
                           source="Bron: CBS, 86088NED, 2019–2022; bewerking regiowelvaart")
    assert fig.layout.width <= 200 and fig.layout.height <= 60
    assert list(fig.data[0].x) == [2019, 2021, 2022]
    assert fig.layout.xaxis.visible is False
    assert charts.footer_text(fig).startswith("Bron: CBS, 86088NED")


def test_every_figure_carries_the_source_line_and_vintage(frame, gj):
    src = charts.source_line(["86088NED"], [2023], "nl", boundaries=True)
    vint = charts.vintage_line("2026-11-20", "nl")
    common = {"source": src, "vintage": vint, "lang": "nl"}
    trend = pd.DataFrame({"region_code": ["GM1", "NL01"], "name": ["Aa", "NL"], "year": [2023, 2023], "value": [1.0, 2.0]})
    bars = pd.DataFrame({"name": ["Aa"], "theme": ["wonen"], "value": [1.0]})
    figures = {
        "continuous": charts.choropleth(frame, gj, **common),
        "quarters": charts.choropleth(frame, gj, mode="quarters", direction=1, **common),
        "diverging": charts.choropleth(frame, gj, mode="diverging", reference_value=4.0, **common),
        "rank": charts.rank_band_chart(rank_frame(), note="scoring 1a2b3c", **common),
        "trend": charts.trend_chart(trend, **common),
        "bars": charts.theme_bars(bars, **common),
    }
    for name, fig in figures.items():
        footer = charts.footer_text(fig)
        assert footer.startswith("Bron: CBS, 86088NED, 2023; grenzen CBS/PDOK"), name
        assert "Gegevens van 2026-11-20" in footer, name
        assert fig.layout.meta["source"] == src, name
        assert fig.layout.separators == ",.", name
        # the template is applied (font), so screen and export look the same
        assert fig.layout.template.layout.font.family == charts.FONT_FAMILY, name
        # plain JSON, no external resources
        payload = fig.to_json()
        assert "http://" not in payload and "https://" not in payload, name
    assert "scoring 1a2b3c" in charts.footer_text(figures["rank"])


def test_vintage_line_accepts_dates_and_manifest_times():
    from datetime import date, datetime, timezone

    assert charts.vintage_line(datetime(2026, 11, 28, 0, 39, tzinfo=timezone.utc), "en") == "Data as of 2026-11-28"
    assert charts.vintage_line(date(2026, 1, 2), "nl") == "Gegevens van 2026-01-02"


# ----------------------------------------------------------------------------- real data and a real PNG


def test_real_gemeente_map_draws_every_gemeente_once(built):
    from welfare.boundaries import web_geojson

    out, _ = built
    obs = pd.read_parquet(out / "observations.parquet")
    gj_real = web_geojson(out, "gemeente", 2025)
    rows = obs[
        (obs["indicator_id"] == "mat_median_income")
        & (obs["level"] == "GM")
        & (obs["year"] == 2023)
        & (obs["boundary_year"] == 2025)
    ]
    fig = charts.choropleth(
        rows, gj_real, mode="quarters", direction=1, lang="nl",
        source=charts.source_line_for(rows, "nl", boundaries=True),
    )
    counts = fig.layout.meta["counts"]
    assert sum(counts.values()) == len(gj_real["features"]) == 342
    assert counts["no_data"] == 342 - int(rows["value"].notna().sum())
    assert "herindelingen VNG" in charts.footer_text(fig)  # the rows are restated (harmonised)
    assert len(fig.to_json()) < 400_000  # the page budget for the gemeente map


def _kaleido_running() -> bool:
    try:
        from kaleido._sync_server import GlobalKaleidoServer

        return bool(GlobalKaleidoServer().is_running())
    except Exception:  # noqa: BLE001 - private API; assume not running
        return False


@pytest.fixture(scope="module")
def kaleido_server():
    """One warm Kaleido browser for this module; stopped here only if this module started it."""
    if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
        pytest.skip("no chromium on PATH for Kaleido")
    import kaleido

    started = False
    if hasattr(kaleido, "start_sync_server") and not _kaleido_running():
        kaleido.start_sync_server(silence_warnings=True)
        started = True
    yield kaleido
    if started:
        kaleido.stop_sync_server(silence_warnings=True)


def test_map_renders_to_png(kaleido_server, frame, gj):
    overlay = charts.deal_overlay_traces(deal_frame(), lang="nl")
    fig = charts.choropleth(frame, gj, mode="diverging", reference_value=4.0, direction=-1, unit="%",
                            title="Werkloosheid", subtitle="test", source="Bron: CBS", deal_overlay=overlay,
                            width=480, height=360)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "kopts ignored when using a server"
        png = fig.to_image(format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (480, 360)
    assert len(png) > 5_000  # something was drawn
