"""AppTest of the ranking page (pages/ranglijst.py) on the warehouse built from ../shared."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from apptest_pages import figures, metrics, open_page, texts
from streamlit.testing.v1 import AppTest

from welfare.catalog import load_catalog
from welfare.scoring import ScoringConfig, score
from welfare.warehouse import read_observations, read_regions

run_page = partial(open_page, "pages/ranglijst.py")
CAT = load_catalog()


def table(at: AppTest) -> pd.DataFrame:
    (frame,) = [d.value for d in at.dataframe if "rank_p05" in d.value.columns]
    return frame


def footer(fig: dict) -> str:
    return " ".join(a.get("text", "") for a in fig["layout"].get("annotations", []))


def test_default_ranking_with_bands_hash_and_sources(app_env: Path) -> None:
    at = run_page()
    assert not at.exception and not at.error
    assert at.title[0].value == "Ranglijst: brede welvaart onder druk"
    expected = score(read_observations(app_env), read_regions(app_env), CAT, ScoringConfig())
    assert metrics(at)["Recept-hash"] == expected.hash
    assert metrics(at)["Getoond"] == "342 van 342"
    assert metrics(at)["Verschoven t.o.v. standaard"] == "0"
    rows = table(at)
    assert len(rows) == 342
    ranked = rows[rows["rank"].notna()]
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    # the same ranking as welfare.scoring, band and label from the Monte Carlo
    first = expected.regions.sort_values("rank").iloc[0]
    assert rows.iloc[0]["region_code"] == first["region_code"]
    assert (ranked["rank_p05"] <= ranked["rank_p95"]).all()
    assert set(ranked["label"]) <= {"robuust hoog", "grensgeval", "robuust laag"}
    assert rows.iloc[0]["label_text"].endswith(rows.iloc[0]["label"])  # symbol + word
    assert rows.iloc[0]["profile_url"] == f"regioprofiel?regio={first['region_code']}"
    (fig,) = figures(at)
    assert fig["layout"]["title"]["text"].startswith("Rang en band: 40 van ")
    assert {d["name"] for d in fig["data"]} <= {"robuust hoog", "grensgeval", "robuust laag"}
    assert fig["data"][0]["error_x"]["type"] == "data"  # the band
    assert fig["layout"]["separators"] == ",."
    assert "Bron: CBS" in footer(fig) and "bewerking regiowelvaart" in footer(fig) and f"recept {expected.hash}" in footer(fig)
    assert "geen officiële selectieregel" in texts(at) and "Gegevens van" in texts(at)


def test_level_weights_and_english_from_the_url(app_env: Path) -> None:
    at = run_page(niveau="corop", gewichten="arbeid_vrije_tijd:5~wonen:0", lang="en")
    assert not at.exception
    assert at.title[0].value == "Ranking: broad welfare under pressure"
    themes = [th for th, _ in ScoringConfig(level="CR").resolved(CAT).theme_weights]
    weights = tuple((th, {"arbeid_vrije_tijd": 5.0, "wonen": 0.0}.get(th, 1.0)) for th in themes)  # others weigh 1
    expected = score(read_observations(app_env), read_regions(app_env), CAT, ScoringConfig(level="CR", theme_weights=weights))
    assert metrics(at)["Recipe hash"] == expected.hash
    rows = table(at)
    assert len(rows) == 40 and rows["region_code"].str.startswith("CR").all()
    assert rows["moved"].abs().sum() > 0  # the weights moved regions against the default
    assert int(metrics(at)["Moved against default"]) == int((rows["moved"] != 0).sum())
    assert at.segmented_control(key="rank_recept").value == "eigen"
    assert at.slider(key="rank_w_arbeid_vrije_tijd").value == 5 and at.slider(key="rank_w_wonen").value == 0
    assert at.query_params["niveau"] == "corop" and at.query_params["gewichten"] == "arbeid_vrije_tijd:5~wonen:0"
    (fig,) = figures(at)
    assert fig["layout"]["title"]["text"] == "Rank and band: 40 of 40 COROP regions"
    assert "Source: CBS" in footer(fig) and fig["layout"]["separators"] == ".,"


def test_moving_a_weight_reranks_and_writes_the_url(app_env: Path) -> None:
    at = run_page()
    hash_before = metrics(at)["Recept-hash"]
    at.segmented_control(key="rank_recept").set_value("eigen").run()
    assert not at.exception
    assert metrics(at)["Recept-hash"] == hash_before  # all weights at 1: the default recipe
    at.slider(key="rank_w_gezondheid").set_value(5).run()
    assert not at.exception
    assert at.query_params["gewichten"] == "gezondheid:5"
    assert metrics(at)["Recept-hash"] != hash_before
    assert int(metrics(at)["Verschoven t.o.v. standaard"]) > 0
    at.segmented_control(key="rank_recept").set_value("cbs-telling").run()
    assert at.query_params["gewichten"] == "cbs-telling"
    rows = table(at)
    ranked = rows[rows["rank"].notna()]
    # the CBS count: ordered by the number of indicators in the worst quarter
    assert ranked["worst_quarter_count"].is_monotonic_decreasing


def test_filters_keep_national_ranks(app_env: Path) -> None:
    at = run_page(provincie=["PV20", "Fryslân"], regiodeal="met", inwoners="20000..100000")
    assert not at.exception and not at.info
    rows = table(at)
    assert len(rows) > 0
    assert set(rows["provincie"]) <= {"PV20", "PV21"}
    assert rows["in_deal"].all()
    assert rows["population"].between(20_000, 100_000, inclusive="left").all()
    assert rows["rank"].max() > len(rows)  # ranks stay national
    assert at.multiselect(key="rank_provincie").value == ["PV20", "PV21"]
    assert at.query_params["provincie"] == ["PV20", "PV21"]  # names in the link become codes
    assert metrics(at)["Getoond"] == f"{len(rows)} van 342"
    at = run_page(regiodeal="zonder")
    assert not table(at)["in_deal"].any()


def test_year_and_sort_from_the_url(app_env: Path) -> None:
    at = run_page(jaar="2020", sortering="telling", aantal="20")
    assert not at.exception and not at.info
    assert "stand t/m 2020" in texts(at)
    rows = table(at)
    assert rows["worst_quarter_count"].is_monotonic_decreasing
    (fig,) = figures(at)
    assert fig["layout"]["title"]["text"].startswith("Rang en band: 20 van ")
    expected = score(read_observations(app_env), read_regions(app_env), CAT, ScoringConfig(up_to_year=2020))
    assert metrics(at)["Recept-hash"] == expected.hash


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ({"niveau": "wijk"}, "niveau"),
        ({"jaar": "1850"}, "jaar"),
        ({"gewichten": "geluk:3"}, "gewichten"),
        ({"provincie": "PV99"}, "provincie"),
        ({"regiodeal": "misschien"}, "regiodeal"),
        ({"inwoners": "3..4"}, "inwoners"),
        ({"sortering": "<script>"}, "sortering"),
        ({"aantal": "5000"}, "aantal"),
    ],
)
def test_invalid_parameters_give_a_notice_not_an_exception(app_env: Path, query: dict[str, str], needle: str) -> None:
    at = run_page(**query)
    assert not at.exception and not at.error
    assert any(needle in i.value for i in at.info)
    assert metrics(at)["Getoond"] == "342 van 342"  # the default view
    assert "<script>" not in texts(at)
