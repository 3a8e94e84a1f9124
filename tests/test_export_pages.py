"""The export menu under every chart and map of the ranking, compare, deals and toets pages (issue 8).

AppTest on the warehouse built from ../shared. ``export_menu`` is wrapped to
record what each page hands it (figure, title, permalink, recipe hash, data
callable), and the real menu still draws. For each chart: the download buttons
are there under their keys, the data callable gives exactly the regions and
indicators of the figure on screen (with unit and source, missing values
empty, never 0), and the permalink carries the view.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

import pages._export as export_page
from welfare import eligibility as el
from welfare.catalog import load_catalog
from welfare.deal_welfare import boundary_year_of
from welfare.deals import DEFAULT_REGISTRY, filter_deals, load_registry, members
from welfare.export import frame_to_csv
from welfare.scoring import ScoringConfig, score
from welfare.warehouse import read_observations, read_regions

APP = Path(__file__).resolve().parent.parent / "app.py"
FORMATS = ("png", "png1", "svg", "pdf", "pack")
CAT = load_catalog()


@dataclass
class Export:
    key: str
    figure: go.Figure
    kwargs: dict[str, Any]

    @property
    def data(self) -> pd.DataFrame:
        return self.kwargs["data"]()

    @property
    def link(self) -> str:
        return self.kwargs["permalink"]


@pytest.fixture
def exports(monkeypatch: pytest.MonkeyPatch) -> dict[str, Export]:
    """The export menus drawn in the last run, by key (the real menu still draws)."""
    seen: dict[str, Export] = {}
    real = export_page.export_menu

    def record(key: str, fig: go.Figure, **kwargs: Any) -> None:
        seen[key] = Export(key, fig, kwargs)
        real(key, fig, **kwargs)

    monkeypatch.setattr(export_page, "export_menu", record)
    return seen


def run(page: str, exports: dict[str, Export], **query: str | list[str]) -> AppTest:
    exports.clear()
    at = AppTest.from_file(str(APP), default_timeout=240)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def query_of(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query)


def assert_menu(at: AppTest, key: str) -> None:
    keys = {b.key for b in at.get("download_button")}
    missing = {f"export_{name}_{key}" for name in FORMATS} - keys
    assert not missing, f"no download buttons {sorted(missing)} (buttons: {sorted(keys)})"


def csv_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(frame_to_csv(frame))))


def assert_sourced(data: pd.DataFrame) -> None:
    assert {"unit", "source"} <= set(data.columns)
    assert data["unit"].astype(str).str.len().gt(0).all()
    assert data["source"].astype(str).str.startswith(("Bron: CBS", "Source: CBS")).all()


def map_codes(fig: go.Figure) -> list[str]:
    """Every region drawn on a choropleth: coloured or as "geen gegevens"."""
    return [str(c) for tr in fig.data if tr.type == "choroplethmap" for c in tr.locations]


# ----------------------------------------------------------------------------- ranglijst


def test_ranking_export_has_the_rows_of_the_chart(app_env, exports):
    at = run("ranglijst", exports, provincie="PV27", aantal="10")
    assert_menu(at, "rank")
    shown = exports["rank"]
    data = shown.data
    # the chart: the first 10 ranked rows of Noord-Holland, in rank order
    (table,) = [d.value for d in at.dataframe if "rank_p05" in d.value.columns]
    ranked = table[table["rank"].notna()]
    assert set(ranked["provincie"]) == {"PV27"}
    assert data["region_code"].tolist() == ranked["region_code"].head(10).tolist()
    names_in_figure = {y for tr in shown.figure.data for y in tr.y}
    assert set(data["region_name"]) == names_in_figure and len(data) == 10
    assert set(data["indicator"]) == {"pressure"} and set(data["level"]) == {"GM"}
    expected = score(read_observations(app_env), read_regions(app_env), CAT, ScoringConfig())
    by_code = expected.regions.set_index("region_code")
    assert data["value"].tolist() == pytest.approx(by_code.loc[data["region_code"], "pressure_score"].tolist())
    assert_sourced(data)
    assert shown.kwargs["config_hash"] == expected.hash == data["config_hash"].iloc[0]
    assert shown.kwargs["vintage"].startswith("Gegevens van")
    assert "gemeenten" in shown.kwargs["title"] and "10 van 44" in shown.kwargs["title"]
    rows = csv_rows(data)
    assert len(rows) == 10 and rows[0]["region_code"] == data["region_code"].iloc[0]
    # the permalink reopens the same chart
    q = query_of(shown.link)
    assert urlsplit(shown.link).path.endswith("/ranglijst")
    assert q == {"provincie": ["PV27"], "aantal": ["10"]}
    run("ranglijst", exports, **{k: v if len(v) > 1 else v[0] for k, v in q.items()})
    assert exports["rank"].data["region_code"].tolist() == data["region_code"].tolist()


def test_ranking_export_follows_level_and_weights(app_env, exports):
    at = run("ranglijst", exports, niveau="provincie", gewichten="gezondheid:3~wonen:0")
    assert_menu(at, "rank")
    shown = exports["rank"]
    data = shown.data
    assert len(data) == 12 and data["region_code"].str.startswith("PV").all()
    assert set(data["level"]) == {"PV"}
    assert query_of(shown.link) == {"niveau": ["provincie"], "gewichten": ["gezondheid:3~wonen:0"]}
    config = ScoringConfig(level="PV", theme_weights=None)
    assert shown.kwargs["config_hash"] != score(read_observations(app_env), read_regions(app_env), CAT, config).hash


# ----------------------------------------------------------------------------- vergelijken


def test_compare_exports_have_only_the_chosen_regions(app_env, exports):
    chosen = ["GM0363", "GM0599", "PV27"]
    at = run("vergelijken", exports, regio="~".join(chosen), indicator="wrk_unemployment")
    assert_menu(at, "compare_themes")
    assert_menu(at, "compare_trend")

    themes = exports["compare_themes"]
    data = themes.data
    assert sorted(set(data["region_code"])) == sorted(chosen)
    assert set(data["region_name"]) == {"Amsterdam", "Rotterdam", "Noord-Holland"}
    drawn = {(tr.name, y) for tr in themes.figure.data if tr.type == "bar" for y in tr.y}
    assert {(r.region_name, r.theme_label) for r in data.itertuples()} == drawn
    assert len(data) == len(drawn)  # one row per region × theme, none extra
    assert_sourced(data)
    assert themes.kwargs.get("config_hash") is None  # no scoring recipe behind these z-scores
    assert query_of(themes.link) == {"regio": ["GM0363~GM0599~PV27"], "indicator": ["wrk_unemployment"]}

    trend = exports["compare_trend"]
    series = trend.data
    assert set(series["region_code"]) == {*chosen, "NL01"}
    assert set(series["indicator"]) == {"wrk_unemployment"}
    assert_sourced(series)
    for tr in trend.figure.data:
        if tr.type == "scatter" and tr.name and tr.showlegend is not False:
            part = series[series["region_name"] == tr.name]
            assert part["year"].tolist() == [int(x) for x in tr.x], tr.name
            assert part["value"].tolist() == pytest.approx([float(y) for y in tr.y]), tr.name
    assert "Werkloosheid" in trend.kwargs["title"] and "Nederland" in trend.kwargs["title"]
    assert query_of(trend.link) == {"regio": ["GM0363~GM0599~PV27"], "indicator": ["wrk_unemployment"]}


def test_compare_export_of_two_other_regions(app_env, exports):
    run("vergelijken", exports, regio="GM0014~GM0080")
    assert set(exports["compare_themes"].data["region_code"]) == {"GM0014", "GM0080"}
    assert set(exports["compare_trend"].data["region_code"]) <= {"GM0014", "GM0080", "NL01"}
    assert {"GM0014", "GM0080"} <= set(exports["compare_trend"].data["region_code"])


# ----------------------------------------------------------------------------- deals


def test_deals_map_export_has_every_gemeente_drawn_and_the_deals_shown(app_env, exports):
    at = run("deals", exports, ronde="1")
    assert_menu(at, "deals_map")
    shown = exports["deals_map"]
    data = shown.data
    drawn = map_codes(shown.figure)
    assert sorted(data["region_code"]) == sorted(drawn) and len(data) == len(set(drawn))
    # missing scores stay empty, the colour classes are the map's
    meta = shown.figure.layout.meta
    assert int(data["value"].isna().sum()) == meta["counts"]["no_data"] > 0
    assert data["quarter"].value_counts().to_dict() == {k: meta["counts"][k] for k in ("best", "middle", "worst")}
    empty = [r for r in csv_rows(data) if r["value"] == ""]
    assert len(empty) == meta["counts"]["no_data"] and all(r["rank"] == "" for r in empty)
    # only the deals of round 1 that are drawn
    obs = read_observations(app_env)
    reg = load_registry(DEFAULT_REGISTRY)
    year = boundary_year_of(obs)
    with_members = set(members(reg, year)["deal_id"])
    expected = {d.id for d in filter_deals(reg, tranche=[1])} & with_members
    got = {i for v in data["deal_ids"].dropna() for i in v.split(";")}
    assert got == expected and got
    assert not got & ({d.id for d in reg} - {d.id for d in filter_deals(reg, tranche=[1])})
    expected_scores = score(obs, read_regions(app_env), CAT, ScoringConfig())
    assert shown.kwargs["config_hash"] == expected_scores.hash
    scored = expected_scores.regions.set_index("region_code")["pressure_score"]
    some = data.dropna(subset=["value"]).head(20)
    assert some["value"].tolist() == pytest.approx(scored.loc[some["region_code"]].tolist())
    assert_sourced(data)
    assert query_of(shown.link) == {"ronde": ["1"]}
    assert f"{len(expected)} Regio Deals" in shown.kwargs["title"]


# ----------------------------------------------------------------------------- toets


def test_toets_map_export_marks_the_proposed_area(app_env, exports):
    at = run("toets", exports, regio="CR39", rijk="12.5")
    assert_menu(at, "toets_map")
    shown = exports["toets_map"]
    data = shown.data
    drawn = map_codes(shown.figure)
    assert sorted(data["region_code"]) == sorted(drawn)
    obs, regions = read_observations(app_env), read_regions(app_env)
    year = el.area_year(obs, regions)
    area = el.resolve_area("CR39", regions, year, members(load_registry(DEFAULT_REGISTRY), year))
    assert set(data.loc[data["in_area"], "region_code"]) == set(area) and len(area) > 5
    assert data.loc[data["in_area"], "area"].nunique() == 1
    assert data.loc[~data["in_area"], "area"].isna().all()
    assert int(data["value"].isna().sum()) == shown.figure.layout.meta["counts"]["no_data"]
    assert_sourced(data)
    assert query_of(shown.link) == {"regio": ["CR39"], "rijk": ["12.5"]}
    assert shown.kwargs["config_hash"] == data["config_hash"].iloc[0]
