"""AppTest of the Regio Deals page on the warehouse built from ../shared (with boundaries)."""

from __future__ import annotations

import csv
from functools import partial
from pathlib import Path

from apptest_pages import figures, metrics, open_page, texts

from welfare.deals import DEFAULT_REGISTRY, STATUSES
from welfare.texts.deals import STATUS_EN

run_deals = partial(open_page, "pages/deals.py")


def test_the_page_shows_all_deals_their_money_and_the_map(app_env):
    at = run_deals()
    assert not at.exception
    assert at.title[0].value == "Regio Deals"
    m = metrics(at)
    assert m["Deals"] == "82"
    assert m["Rijksbijdrage"] == "€ 1.653,1 mln"  # the six official tranche totals, Dutch number format
    assert "description" not in texts(at) and "geen effectmeting" in texts(at)
    assert len(at.dataframe[0].value) == 82
    (fig,) = figures(at)
    names = [d.get("name", "") for d in fig["data"]]
    assert any(n.startswith("slechtste kwart") for n in names) and any(n.startswith("geen gegevens") for n in names)
    assert {f"Tranche {n}" for n in range(1, 7)} <= set(names)  # the overlay, a legend entry per tranche
    footer = " ".join(a.get("text", "") for a in fig["layout"].get("annotations", []))
    assert "Bron: CBS" in footer and "bewerking regiowelvaart" in footer and "Gegevens van" in footer
    per_tranche = at.dataframe[1].value
    assert per_tranche["rijksbijdrage_meur"].round(1).tolist() == [345.0, 215.0, 180.0, 284.2, 384.6, 244.3]


def test_filters_from_the_url(app_env):
    at = run_deals(ronde="3")
    assert not at.exception
    assert metrics(at)["Deals"] == "14" and len(at.dataframe[0].value) == 14
    assert set(at.dataframe[0].value["tranche"]) == {3}
    at = run_deals(ronde=["4", "5"], provincie="Zeeland")
    assert len(at.dataframe[0].value) > 0
    assert set(at.dataframe[0].value["tranche"]) <= {4, 5}
    assert all("Zeeland" in p for p in at.dataframe[0].value["provinces"])
    at = run_deals(zoek="Brainport")
    assert at.dataframe[0].value["name"].tolist() == [
        "Regio Deal Brainport Eindhoven",
        "Regio Deal Metropoolregio Eindhoven: Thuis in Brainport",
    ]


def test_the_deal_card_shows_members_money_and_welfare_at_start_and_now(app_env):
    at = run_deals(deal="t3-zuid-hollandse-delta")
    assert not at.exception
    body = texts(at)
    assert "### Regio Deal Zuid-Hollandse Delta" in body
    assert "Brielle" in body and "€ 7,5 mln" in body
    assert "2019" in body  # the baseline year: signed in 2020
    pressure = next(df.value for df in at.dataframe if "percentile" in df.value.columns)
    assert len(pressure) == 6 and pressure["percentile"].between(0, 100).all()
    indicators = next(df.value for df in at.dataframe if "deal_baseline" in df.value.columns)
    assert len(indicators) > 10 and indicators["deal_latest"].notna().all()
    assert at.query_params["deal"] in ("t3-zuid-hollandse-delta", ["t3-zuid-hollandse-delta"])


def test_a_deal_without_gemeenten_says_so(app_env):
    at = run_deals(deal="t1-zeeland")
    assert not at.exception
    assert "Geen gemeentelijst bekend" in texts(at)


def test_bad_parameters_are_dropped_with_a_notice(app_env):
    at = run_deals(ronde="9", deal="<script>alert(1)</script>", provincie="Atlantis")
    assert not at.exception
    notices = [x.value for x in at.toast]
    assert any("ronde" in n for n in notices) and any("deal" in n for n in notices) and any("provincie" in n for n in notices)
    assert all("<script>" not in n for n in notices)  # shown escaped
    assert metrics(at)["Deals"] == "82"


def test_english(app_env):
    at = run_deals(lang="en", deal="t3-zuid-hollandse-delta")
    assert not at.exception
    assert metrics(at)["Rijk's contribution"] == "€1,653.1M"
    assert "not an effect estimate" in texts(at)
    assert set(at.dataframe[0].value["status"]) <= set(STATUS_EN.values())


def test_every_status_has_an_english_label():
    assert set(STATUS_EN) == set(STATUSES)


def broken_registry(tmp_path: Path) -> Path:
    """The real registry with line 4's Rijksbijdrage set out of range."""
    rows = list(csv.reader(DEFAULT_REGISTRY.open(encoding="utf-8")))
    header = rows[0]
    rows[3][header.index("rijksbijdrage_meur")] = "500"
    path = tmp_path / "regio_deals.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


def test_a_broken_registry_is_shown_row_by_row_and_loaded_in_part_only_on_request(app_env, tmp_path, monkeypatch):
    monkeypatch.setenv("REGIOWELVAART_DEALS", str(broken_registry(tmp_path)))
    at = run_deals()
    assert not at.exception
    assert at.error and "regio\\_deals.csv" in at.error[0].value  # markdown-escaped path
    problems = at.dataframe[0].value
    assert problems.iloc[0].tolist()[:2] == [4, "rijksbijdrage_meur"]
    assert not at.metric  # nothing of the registry is used yet
    button = next(b for b in at.button if "goede rijen" in b.label)
    at = button.click().run()
    assert not at.exception
    assert metrics(at)["Deals"] == "81"
    assert any("weggelaten" in e.label for e in at.expander)


def test_filters_that_match_nothing_say_so(app_env):
    at = run_deals(zoek="geen-enkele-deal-heet-zo")
    assert not at.exception
    assert any("Geen deal voldoet" in i.value for i in at.info)
    assert not at.metric


def overlay_groups(at) -> set[str]:
    """The deal outlines' legend groups on the page's map (one per tranche or status drawn)."""
    return {str(d.get("legendgroup")) for d in figures(at)[0]["data"] if str(d.get("legendgroup") or "").startswith("deal:")}


def test_the_map_follows_the_colouring_and_the_filters(app_env):
    # the map is cached per view: each of these must still get its own figure
    by_tranche = overlay_groups(run_deals())
    assert {f"deal:Tranche {n}" for n in range(1, 7)} == by_tranche
    by_status = overlay_groups(run_deals(kleur="status"))
    assert by_status and not by_status & by_tranche
    assert overlay_groups(run_deals(ronde="1")) == {"deal:Tranche 1"}
    assert overlay_groups(run_deals()) == by_tranche  # and back
