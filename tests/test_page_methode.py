"""AppTest of the method page (pages/methode.py): every indicator, the recipe, the licences, NL and EN."""

from __future__ import annotations

from functools import partial

from apptest_pages import open_page, texts
from browser import write_synthetic_warehouse
from streamlit.testing.v1 import AppTest

from welfare.catalog import load_catalog
from welfare.scoring import ScoringConfig, default_indicators
from welfare.uncertainty import UncertaintySpec

run_method = partial(open_page, "pages/methode.py")
CATALOG = load_catalog()


def indicator_table(at: AppTest):
    (frame,) = [d.value for d in at.dataframe if "indicator_id" in d.value.columns]
    return frame.set_index("indicator_id")


def test_method_page_in_dutch(app_env):
    at = run_method()
    assert not at.exception and not at.error
    assert at.title[0].value == "Methode en bronnen"
    assert "eigen maat van dit dashboard, geen officiële selectieregel" in at.warning[0].value
    table = indicator_table(at)
    assert set(CATALOG.indicators) <= set(table.index)  # every catalogue indicator is documented
    assert table.loc["wrk_unemployment", "direction"] == "↓ lager is beter"
    assert table.loc["wrk_net_labour_participation", "direction"] == "↑ hoger is beter"
    assert table.loc["ctx_population", "direction"] == "– context"
    assert table.loc["wrk_unemployment", "unit"] == CATALOG.indicators["wrk_unemployment"].unit("nl")
    assert "86088NED" in table.loc["wrk_unemployment", "source_tables"]
    assert table.loc["wrk_unemployment", "years"] == "2013–2024"
    assert table.loc["wrk_unemployment", "gemeenten"] > 300
    in_score = set(default_indicators(CATALOG, "GM"))
    assert {i for i in table.index if table.loc[i, "in_score"] == "ja"} == in_score
    text = texts(at)
    for words in ("Normalisatie", "Gewichten", "Aggregatie", "Ontbrekende gegevens", "CBS-telling", "Monte Carlo", "Haalbare rangen"):
        assert words in text, words
    assert ScoringConfig().hash(CATALOG) in text  # the default recipe's hash
    assert "65%" in text  # the coverage rule, from ScoringConfig
    spec = UncertaintySpec()
    assert f"{spec.draws:,}".replace(",", ".") in text and f"de {spec.top_n} met de meeste druk" in text
    assert "herberekend op de indeling van 2025" in text
    licences = at.table[0].value
    licence_text = " ".join(str(v) for v in licences.to_numpy().ravel())
    assert "CC BY 4.0" in licence_text and "CC BY-NC-SA 4.0" in licence_text and "PDOK" in licence_text
    assert "offline GeoJSON" in text  # the test warehouse's boundaries come from ../shared, said plainly


def test_method_page_in_english(app_env):
    at = run_method(lang="en")
    assert not at.exception
    assert at.title[0].value == "Method and sources"
    assert "not an official selection rule" in at.warning[0].value
    table = indicator_table(at)
    assert table.loc["wrk_unemployment", "label"] == "Unemployment rate"
    assert table.loc["wrk_unemployment", "direction"] == "↓ lower is better"
    text = texts(at)
    assert "Missing data" in text and "Attainable ranks" in text and "Rank band" in text
    assert "1,000 times" in text
    assert "non-commercial" in " ".join(str(v) for v in at.table[0].value.to_numpy().ravel())


def test_method_page_on_a_small_warehouse_without_boundaries(tmp_path, monkeypatch):
    out = tmp_path / "warehouse"
    write_synthetic_warehouse(out)
    monkeypatch.setenv("REGIOWELVAART_WAREHOUSE", str(out))
    at = run_method()
    assert not at.exception
    table = indicator_table(at)
    assert set(CATALOG.indicators) <= set(table.index)
    assert "offline GeoJSON" not in texts(at)  # the manifest says nothing about boundaries
