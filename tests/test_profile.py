"""welfare.profile: positions, trends, the profile table, similar regions, theme pressure, the ranking table, page parameters.

Hand-made frames with numbers worked out by hand; one test on the session
warehouse checks the pieces fit the real frames.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from welfare import profile
from welfare.catalog import load_catalog
from welfare.charts import quarter_classes

CAT = load_catalog()


def long(rows: list[tuple[str, str, int, float]], **extra: object) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["indicator_id", "region_code", "year", "value"])
    for col in ("lower", "upper"):
        frame[col] = np.nan
    frame["source_table"] = extra.get("source_table", "86088NED")
    frame["flags"] = ""
    frame["method"] = ""
    frame["reason"] = ""
    return frame


# --------------------------------------------------------------------------- positions


@pytest.mark.parametrize(
    ("value", "direction", "expected"),
    [
        (1.0, -1, "best"),  # lowest unemployment: best
        (2.0, -1, "best"),  # n = 8, k = 2: the two lowest
        (3.0, -1, "middle"),
        (6.0, -1, "middle"),
        (7.0, -1, "worst"),
        (8.0, -1, "worst"),
        (8.0, 1, "best"),  # higher is better
        (1.0, 1, "worst"),
        (0.5, -1, "best"),  # a value outside the reference (a deal area) is placed too
        (99.0, -1, "worst"),
        (float("nan"), -1, None),
        (None, 1, None),
        (3.0, 0, None),  # no direction, no judgement
    ],
)
def test_position_class_by_hand(value: float | None, direction: int, expected: str | None) -> None:
    reference = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, float("nan")]
    assert profile.position_class(value, reference, direction) == expected


def test_position_class_agrees_with_quarter_classes_for_members() -> None:
    rng = np.random.default_rng(7)
    values = np.round(rng.normal(5, 2, 57), 1)  # rounded: ties occur
    values[[3, 11]] = np.nan
    for direction in (1, -1):
        expected = quarter_classes(values, direction).tolist()
        got = [profile.position_class(v, values, direction) for v in values]
        assert got == expected


def test_position_class_small_and_empty_references() -> None:
    assert profile.position_class(5.0, [], -1) is None
    assert profile.position_class(5.0, [float("nan")], -1) is None
    # n = 3: k = max(1, 0) = 1, so one region in each outer class
    assert [profile.position_class(v, [1.0, 2.0, 3.0], -1) for v in (1.0, 2.0, 3.0)] == ["best", "middle", "worst"]
    # ties share the better class: both highest values are worst
    assert [profile.position_class(v, [1.0, 2.0, 3.0, 3.0], -1) for v in (3.0,)] == ["worst"]


def test_position_rank_counts_strictly_worse() -> None:
    ref = [1.0, 2.0, 2.0, 4.0]
    assert profile.position_rank(4.0, ref, -1) == (1, 4)  # the highest unemployment: least favourable
    assert profile.position_rank(2.0, ref, -1) == (2, 4)  # ties share the rank
    assert profile.position_rank(1.0, ref, -1) == (4, 4)
    assert profile.position_rank(1.0, ref, 1) == (1, 4)
    assert profile.position_rank(3.0, ref, 0) == (None, 4)
    assert profile.position_rank(float("nan"), ref, -1) == (None, 4)


# --------------------------------------------------------------------------- trends


@pytest.mark.parametrize(
    ("direction", "expected"),
    [("up", "↑"), ("down", "↓"), ("flat", "→"), (None, "·"), (float("nan"), "·"), ("sideways", "·")],
)
def test_trend_symbol(direction: object, expected: str) -> None:
    assert profile.trend_symbol(direction) == expected


def test_series_trends_reads_direction_and_assessment() -> None:
    rows = long(
        [("wrk_unemployment", "A", y, v) for y, v in zip(range(2017, 2024), [8.0, 7.5, 7.0, 6.5, 6.0, 5.5, 5.0])]
        + [("wrk_net_labour_participation", "A", y, v) for y, v in zip(range(2017, 2024), [60.0, 61.0, 62.0, 63.0, 64.0, 65.0, 66.0])]
        + [("mat_median_income", "A", y, v) for y, v in zip(range(2017, 2024), [30.0, 29.0, 28.0, 27.0, 26.0, 25.0, 24.0])]
        + [("hea_overweight", "A", 2020, 50.0), ("hea_overweight", "A", 2022, 51.0)]
        + [("ctx_population", "A", y, 1000.0 + 10 * y) for y in range(2017, 2024)]
        + [("wrk_highly_educated", "A", y, v) for y, v in zip(range(2017, 2024), [30.0, 31.0, 29.0, 30.0, 31.0, 29.0, 30.0])]
    )
    out = profile.series_trends(rows, CAT).set_index("indicator_id")
    assert out.loc["wrk_unemployment", ["direction_of_change", "assessment"]].tolist() == ["down", "better"]
    assert out.loc["wrk_net_labour_participation", ["direction_of_change", "assessment"]].tolist() == ["up", "better"]
    assert out.loc["mat_median_income", ["direction_of_change", "assessment"]].tolist() == ["down", "worse"]
    assert out.loc["wrk_highly_educated", ["direction_of_change", "assessment"]].tolist() == ["flat", "no significant change"]
    assert out.loc["ctx_population", "assessment"] == "not assessed"
    # two values without CBS bounds: the change is known, its significance is not
    assert out.loc["hea_overweight", "assessment"] == "insufficient data"
    assert pd.isna(out.loc["hea_overweight", "direction_of_change"])


def test_series_trends_uses_bounds_for_two_values() -> None:
    rows = long([("hea_overweight", "A", 2020, 50.0), ("hea_overweight", "A", 2022, 56.0)])
    rows["lower"] = [49.0, 55.0]
    rows["upper"] = [51.0, 57.0]
    out = profile.series_trends(rows, CAT)
    assert out.loc[0, "method"] == "bounds_diff"
    assert (out.loc[0, "direction_of_change"], out.loc[0, "assessment"]) == ("up", "worse")


def test_series_trends_window_ends_at_latest_year() -> None:
    rows = long([("wrk_unemployment", "A", y, float(y - 2000)) for y in range(2005, 2024)])
    out = profile.series_trends(rows, CAT, window=8)
    assert (out.loc[0, "first_year"], out.loc[0, "last_year"], out.loc[0, "n_years"]) == (2016, 2023, 8)


# --------------------------------------------------------------------------- the profile


def test_region_profile_by_hand() -> None:
    gm = long(
        [("wrk_unemployment", c, 2023, v) for c, v in zip(["GM1", "GM2", "GM3", "GM4", "GM5", "GM6", "GM7", "GM8"], [8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0])]
        + [("wrk_unemployment", "GM1", y, v) for y, v in [(2020, 6.0), (2021, 7.0), (2022, 7.5)]]
        + [("mat_median_income", "GM1", 2022, 30.0), ("mat_median_income", "GM2", 2022, 40.0)]
        + [("mat_median_income", "GM1", 2023, float("nan"))]  # 2023 missing: the profile shows 2022
    )
    nl = long([("wrk_unemployment", "NL01", 2023, 3.6), ("mat_median_income", "NL01", 2022, 35.0)])
    p = profile.region_profile("GM1", gm, gm, nl, CAT, indicators=["mat_median_income", "wrk_unemployment", "hea_overweight"])
    p = p.set_index("indicator_id")
    assert list(p.index) == ["mat_median_income", "hea_overweight", "wrk_unemployment"]  # theme order of the catalogue
    u = p.loc["wrk_unemployment"]
    assert (u["year"], u["value"], u["nl_value"], u["position"], u["position_rank"], u["n_ranked"]) == (2023, 8.0, 3.6, "worst", 1, 8)
    assert (u["trend"], u["assessment"]) == ("up", "worse")
    assert u["history"] == ((2020, 6.0), (2021, 7.0), (2022, 7.5), (2023, 8.0))
    assert u["source_table"] == "86088NED"
    m = p.loc["mat_median_income"]
    assert (m["year"], m["value"], m["nl_value"]) == (2022, 30.0, 35.0)
    assert m["position"] == "worst" and m["n_ranked"] == 2
    assert pd.isna(m["trend"])  # one value: too few years
    o = p.loc["hea_overweight"]
    assert pd.isna(o["value"]) and pd.isna(o["year"]) and pd.isna(o["position"])  # missing, never 0
    assert o["history"] == ()


def test_region_profile_of_an_area_among_gemeenten_keeps_the_reason() -> None:
    gm = long([("wrk_unemployment", c, 2023, v) for c, v in zip(["GM1", "GM2", "GM3", "GM4"], [2.0, 4.0, 6.0, 8.0])])
    area = long([("wrk_unemployment", "deal-x", 2023, 1.5), ("hea_overweight", "deal-x", 2022, float("nan"))])
    area.loc[1, "reason"] = "geen van de 3 gemeenten heeft een waarde"
    p = profile.region_profile("deal-x", area, gm, gm.iloc[:0], CAT, indicators=["wrk_unemployment", "hea_overweight"])
    p = p.set_index("indicator_id")
    assert (p.loc["wrk_unemployment", "position"], p.loc["wrk_unemployment", "position_rank"]) == ("best", 5)
    assert pd.isna(p.loc["wrk_unemployment", "nl_value"])
    assert p.loc["hea_overweight", "reason"] == "geen van de 3 gemeenten heeft een waarde"


def test_region_profile_rejects_unknown_indicators() -> None:
    with pytest.raises(ValueError, match="unknown indicator"):
        profile.region_profile("GM1", long([]), long([]), long([]), CAT, indicators=["nope"])


# --------------------------------------------------------------------------- similar regions


def test_similar_regions_by_hand() -> None:
    # a: 0, 1, 2, 3, 10 -> z with mean 3.2 and sd 3.54; b constant -> carries no information
    m = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0, 10.0], "b": [5.0] * 5}, index=["GM1", "GM2", "GM3", "GM4", "GM5"])
    pop = dict.fromkeys(m.index, 1000.0)
    out = profile.similar_regions(m, pop, "GM1", k=3, size_weight=0.0)
    assert out["region_code"].tolist() == ["GM2", "GM3", "GM4"]
    sd = float(np.std([0, 1, 2, 3, 10]))
    assert out["distance"].tolist() == pytest.approx([1 / sd, 2 / sd, 3 / sd])
    assert out["n_common"].tolist() == [1, 1, 1]
    assert "GM1" not in out["region_code"].tolist()


def test_similar_regions_counts_size() -> None:
    m = pd.DataFrame({"a": [1.0, 1.0, 1.2, 5.0]}, index=["GM1", "GM2", "GM3", "GM4"])
    pop = {"GM1": 10_000, "GM2": 1_000_000, "GM3": 11_000, "GM4": 10_000}
    assert profile.similar_regions(m, pop, "GM1", k=1, size_weight=0.0)["region_code"].tolist() == ["GM2"]
    assert profile.similar_regions(m, pop, "GM1", k=1, size_weight=1.0)["region_code"].tolist() == ["GM3"]


def test_similar_regions_needs_common_indicators() -> None:
    m = pd.DataFrame(
        {"a": [1.0, 1.0, 3.0, 4.0], "b": [1.0, np.nan, 3.0, 2.0], "c": [2.0, np.nan, 1.0, 3.0]},
        index=["GM1", "GM2", "GM3", "GM4"],
    )
    pop = dict.fromkeys(m.index, 1.0)
    loose = profile.similar_regions(m, pop, "GM1", k=3, size_weight=0.0, min_common=0.0)
    assert loose["region_code"].iloc[0] == "GM2"  # identical on its one indicator
    strict = profile.similar_regions(m, pop, "GM1", k=3, size_weight=0.0, min_common=1.0)
    assert "GM2" not in strict["region_code"].tolist()
    with pytest.raises(ValueError, match="target"):
        profile.similar_regions(m, pop, "GM9", k=1)
    with pytest.raises(ValueError, match="'k'"):
        profile.similar_regions(m, pop, "GM1", k=0)


# --------------------------------------------------------------------------- theme pressure


def test_theme_pressure_is_the_scoring_theme_score_for_members() -> None:
    ref = pd.DataFrame(
        {"wrk_unemployment": [2.0, 4.0, 6.0], "wrk_net_labour_participation": [70.0, 60.0, 65.0], "hea_overweight": [40.0, np.nan, 60.0]},
        index=["GM1", "GM2", "GM3"],
    )
    out = profile.theme_pressure(ref, ref, CAT, themes=["arbeid_vrije_tijd", "gezondheid", "wonen"]).set_index(["region_code", "theme"])
    z = lambda x, xs: (x - np.mean(xs)) / np.std(xs)  # noqa: E731
    gm2 = np.mean([z(4.0, [2, 4, 6]), -z(60.0, [70, 60, 65])])
    assert out.loc[("GM2", "arbeid_vrije_tijd"), "pressure"] == pytest.approx(gm2)
    assert out.loc[("GM2", "arbeid_vrije_tijd"), "n_indicators"] == 2
    assert math.isnan(out.loc[("GM2", "gezondheid"), "pressure"])  # its value is missing: no score, not 0
    assert out.loc[("GM3", "gezondheid"), "pressure"] == pytest.approx(1.0)
    assert math.isnan(out.loc[("GM1", "wonen"), "pressure"]) and out.loc[("GM1", "wonen"), "n_indicators"] == 0


def test_theme_pressure_of_an_outside_area_uses_the_reference_scale() -> None:
    ref = pd.DataFrame({"wrk_unemployment": [2.0, 4.0, 6.0]}, index=["GM1", "GM2", "GM3"])
    area = pd.DataFrame({"wrk_unemployment": [4.0, 10.0]}, index=["deal-a", "deal-b"])
    out = profile.theme_pressure(area, ref, CAT, themes=["arbeid_vrije_tijd"])
    sd = float(np.std([2.0, 4.0, 6.0]))
    assert out["pressure"].tolist() == pytest.approx([0.0, 6.0 / sd])


# --------------------------------------------------------------------------- ranking table


def _scored(ranks: list[int | None]) -> pd.DataFrame:
    codes = [f"GM{i}" for i in range(1, len(ranks) + 1)]
    return pd.DataFrame(
        {
            "region_code": codes,
            "region_name": [f"R{i}" for i in range(1, len(ranks) + 1)],
            "pressure_score": [np.nan if r is None else 1.0 / r for r in ranks],
            "rank": pd.array(ranks, dtype="Int64"),
            "worst_quarter_count": [1] * len(ranks),
            "themes_under_pressure": [0] * len(ranks),
            "themes_under_pressure_list": [""] * len(ranks),
            "coverage": [1.0] * len(ranks),
        }
    )


def _regions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["GM1", "GM2", "GM3", "GM4", "CR01", "CR02", "GM1"],
            "level": ["GM", "GM", "GM", "GM", "CR", "CR", "GM"],
            "year": [2025, 2025, 2025, 2025, 2025, 2025, 2020],
            "corop": ["CR01", "CR01", "CR02", "CR02", None, None, "CR01"],
            "provincie": ["PV20", "PV20", "PV21", "PV21", "PV20", "PV21", "PV20"],
            "population": [10_000.0, 60_000.0, 5_000.0, 200_000.0, 70_000.0, 205_000.0, 1.0],
        }
    )


def test_ranking_table_moves_bands_and_deals() -> None:
    scored = _scored([2, 1, 3, None])
    default = _scored([1, 2, 3, None])
    unc = pd.DataFrame({"region_code": ["GM1", "GM2", "GM3", "GM4"], "rank_p05": [1.0, 1.0, 2.0, np.nan],
                        "rank_p95": [3.0, 2.0, 3.0, np.nan], "rank_median": [2.0, 1.0, 3.0, np.nan],
                        "label": ["grensgeval", "robuust hoog", "robuust laag", "geen score"], "p_top_n": [0.5, 1.0, 0.0, np.nan]})
    t = profile.ranking_table(scored, unc, default, _regions(), deal_gemeenten={"GM3"})
    assert list(t.columns) == profile.RANKING_COLUMNS
    assert t["region_code"].tolist() == ["GM2", "GM1", "GM3", "GM4"]  # by rank, unranked last
    assert t["moved"].tolist()[:3] == [1, -1, 0] and pd.isna(t["moved"].iloc[3])
    assert t.set_index("region_code").loc["GM1", "population"] == 10_000.0  # the newest year's population
    assert t.set_index("region_code").loc["GM2", "label"] == "robuust hoog"
    assert t["in_deal"].tolist() == [False, False, True, False]


def test_ranking_table_marks_parents_with_a_deal_member() -> None:
    scored = pd.DataFrame({"region_code": ["CR01", "CR02"], "region_name": ["a", "b"], "rank": [1, 2]})
    t = profile.ranking_table(scored, None, None, _regions(), deal_gemeenten={"GM3"})
    assert t.set_index("region_code")["in_deal"].to_dict() == {"CR01": False, "CR02": True}
    assert t["moved"].isna().all()


def test_filter_ranking() -> None:
    t = profile.ranking_table(_scored([1, 2, 3, 4]), None, None, _regions(), deal_gemeenten={"GM1", "GM4"})
    assert profile.filter_ranking(t, provinces=["PV21"])["region_code"].tolist() == ["GM3", "GM4"]
    assert profile.filter_ranking(t, deal="met")["region_code"].tolist() == ["GM1", "GM4"]
    assert profile.filter_ranking(t, deal="zonder", provinces=["PV20"])["region_code"].tolist() == ["GM2"]
    assert profile.filter_ranking(t, population=(10_000, 100_000))["region_code"].tolist() == ["GM1", "GM2"]
    assert profile.filter_ranking(t, population=(None, 10_000))["region_code"].tolist() == ["GM3"]
    with pytest.raises(ValueError, match="'deal'"):
        profile.filter_ranking(t, deal="ja")


@pytest.mark.parametrize(("moved", "text"), [(3, "▲ 3"), (-12, "▼ 12"), (0, "="), (None, "–"), (pd.NA, "–"), (float("nan"), "–")])
def test_moved_text(moved: object, text: str) -> None:
    assert profile.moved_text(moved) == text


# --------------------------------------------------------------------------- view parameters


@pytest.mark.parametrize(
    ("raw", "codes", "bad"),
    [
        (["GM0363", "GM0599"], ["GM0363", "GM0599"], []),
        ("GM0363,GM0599", ["GM0363", "GM0599"], []),
        ("GM0363~gm0599", ["GM0363", "GM0599"], []),
        (["GM0363", "GM0363"], ["GM0363"], []),
        ("t3-zuid-hollandse-delta", ["t3-zuid-hollandse-delta"], []),
        ("GM0363,<script>", ["GM0363"], [("script", "unknown")]),
        ("GM1,GM2,GM3,GM4,GM5,GM6,GM7", ["GM1", "GM2", "GM3", "GM4", "GM5", "GM6"], [("GM7", "too_many")]),
    ],
)
def test_parse_regions(raw: object, codes: list[str], bad: list[tuple[str, str]]) -> None:
    known = {"GM0363", "GM0599", "t3-zuid-hollandse-delta", *(f"GM{i}" for i in range(1, 8))}  # e.g. province codes
    got, problems = profile.parse_regions(raw, known, max_n=6)
    assert got == codes
    assert [(p.value, p.reason) for p in problems] == bad


@pytest.mark.parametrize(
    ("raw", "bounds", "bad"),
    [(None, (0, 100_000_000), False), ("20000..100000", (20_000, 100_000), False), ("..50000", (0, 50_000), False),
     ("50000..", (50_000, 100_000_000), False), ("100000..20000", (0, 100_000_000), True), ("x..y", (0, 100_000_000), True),
     ("20000", (0, 100_000_000), True)],
)
def test_parse_population(raw: object, bounds: tuple[int, int], bad: bool) -> None:
    got, problems = profile.parse_population(raw)
    assert got == bounds and bool(problems) == bad
    if not bad:
        assert profile.parse_population(profile.population_to_query(got))[0] == got


def test_parse_choice() -> None:
    assert profile.parse_choice("zonder", ["met", "zonder"], "regiodeal") == ("zonder", [])
    assert profile.parse_choice(["met", "ZONDER"], ["met", "zonder"], "regiodeal") == ("zonder", [])
    assert profile.parse_choice(None, ["met"], "regiodeal", "met") == ("met", [])
    assert [(p.name, p.reason) for p in profile.parse_choice("ja", ["met"], "regiodeal")[1]] == [("regiodeal", "unknown")]


def test_shown_is_safe_for_markdown_notices() -> None:
    assert profile.shown("<img src=x onerror=alert(1)>") == "img srcx onerroralert(1)"
    assert profile.shown("GM0363") == "GM0363"
    assert len(profile.shown("a" * 500)) == 40


# --------------------------------------------------------------------------- on the real warehouse


def test_profile_pieces_on_the_session_warehouse(built) -> None:
    from welfare.warehouse import read_observations, read_regions

    out, _ = built
    obs, regions = read_observations(out), read_regions(out)
    gm = profile.level_values(obs, regions, CAT, "GM")
    nl = profile.level_values(obs, regions, CAT, "NL")
    assert set(gm.columns) == set(profile.VALUE_COLUMNS) and gm["region_code"].str.startswith("GM").all()
    p = profile.region_profile("GM0363", gm, gm, nl, CAT).set_index("indicator_id")
    assert len(p) == len(CAT.indicators)
    u = p.loc["wrk_unemployment"]
    published = obs[(obs["indicator_id"] == "wrk_unemployment") & (obs["region_code"] == "GM0363") & (obs["year"] == u["year"])]
    assert u["value"] == pytest.approx(float(published["value"].iloc[0]))
    assert u["position"] in ("best", "middle", "worst") and u["n_ranked"] > 300
    assert u["source_table"] and isinstance(u["history"], tuple) and len(u["history"]) > 3
    # NL-only indicators have no gemeente value: missing, never 0
    assert pd.isna(p.loc["swb_life_satisfaction", "value"])
    years = profile.latest_years(gm, ["wrk_unemployment", "mat_median_income"])
    matrix = profile.wide_values(gm, years)
    pop = regions.sort_values("year").drop_duplicates("code", keep="last").set_index("code")["population"]
    near = profile.similar_regions(matrix, pop, "GM0363", k=5)
    assert len(near) == 5 and "GM0363" not in set(near["region_code"])
    assert near["distance"].is_monotonic_increasing
