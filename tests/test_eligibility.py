"""The eligibility check: each rule at and around its boundaries, the area builder, real-data orderings, exports, CLI."""

from __future__ import annotations

import io
import json
import math
import re

import pandas as pd
import pytest

from welfare import eligibility as el
from welfare.aggregate import example_frames
from welfare.catalog import load_catalog
from welfare.cli import main
from welfare.deals import Deal, Registry, load_registry, members
from welfare.eligibility import (
    ATTENTION,
    FAILS,
    MEETS,
    UNTESTABLE,
    AreaError,
    Criterion,
    Proposal,
    cofinancing_criterion,
    rijksbijdrage_criterion,
)
from welfare.i18n import MESSAGES
from welfare.uncertainty import UncertaintySpec
from welfare.warehouse import read_observations, read_regions

PARKSTAD = ("GM0917", "GM0928", "GM0899", "GM0882")  # Heerlen, Kerkrade, Brunssum, Landgraaf
BHZ = ("GM0377", "GM0397", "GM0473")  # Bloemendaal, Heemstede, Zandvoort
SPEC = UncertaintySpec(draws=300)


# =========================================================================== money rules (pure)


@pytest.mark.parametrize(
    ("rijk", "verdict", "case"),
    [
        (None, UNTESTABLE, "missing"),
        (0, FAILS, "low"),
        (4.99, FAILS, "low"),
        (5, MEETS, "ok"),
        (5.0 - 1e-12, MEETS, "ok"),  # floating-point noise at the boundary is inside
        (5.01, MEETS, "ok"),
        (20, MEETS, "ok"),
        (39.99, MEETS, "ok"),
        (40, MEETS, "ok"),
        (40.01, FAILS, "high"),
        (130, FAILS, "high"),
    ],
)
def test_rijksbijdrage_between_5_and_40_meur_both_ends_inside(rijk, verdict, case):
    c = rijksbijdrage_criterion(Proposal(rijksbijdrage_meur=rijk))
    assert (c.verdict, c.case, c.kind) == (verdict, case, "hard")
    assert c.numbers["min_meur"] == 5.0 and c.numbers["max_meur"] == 40.0


@pytest.mark.parametrize(
    ("rijk", "kwargs", "verdict", "share"),
    [
        (20, {"cofinancing_meur": 20}, MEETS, 0.5),  # exactly 50 %
        (20, {"cofinancing_meur": 20.01}, MEETS, 0.4999),
        (20, {"cofinancing_meur": 19.99}, ATTENTION, 0.5001),
        (20, {"cofinancing_meur": 5}, ATTENTION, 0.8),
        (20, {"cofinancing_meur": 0}, FAILS, 1.0),
        (20, {}, UNTESTABLE, None),  # missing co-financing
        (None, {"cofinancing_meur": 20}, UNTESTABLE, None),
        (20, {"cofinancing_public_meur": 12, "cofinancing_private_meur": 8}, MEETS, 0.5),
        (20, {"cofinancing_public_meur": 15}, ATTENTION, 0.5714),  # an empty part counts as none of that kind
        (0.3, {"cofinancing_public_meur": 0.1, "cofinancing_private_meur": 0.2}, MEETS, 0.5),  # 0.1 + 0.2 != 0.3
        (5, {"cofinancing_meur": 5}, MEETS, 0.5),
    ],
)
def test_cofinancing_at_least_the_rijksbijdrage(rijk, kwargs, verdict, share):
    c = cofinancing_criterion(Proposal(rijksbijdrage_meur=rijk, **kwargs))
    assert c.verdict == verdict and c.kind == "hard_exception"
    assert c.numbers["rijk_share"] == share


def test_missing_cofinancing_and_missing_rijksbijdrage_say_why():
    assert cofinancing_criterion(Proposal(rijksbijdrage_meur=20)).case == "missing"
    assert cofinancing_criterion(Proposal(cofinancing_meur=20)).case == "no_rijk"
    text = el.explain(cofinancing_criterion(Proposal(rijksbijdrage_meur=20)), "nl")
    assert "Geen regionale cofinanciering opgegeven" in text


def test_a_lower_share_carries_the_draagkracht_context():
    context = [{"indicator_id": "mat_median_income", "label": "x", "unit": "1 000 euro", "year": 2023, "value": 29.8,
                "nl_value": 34.0, "percentile": 3.0}]
    c = cofinancing_criterion(Proposal(rijksbijdrage_meur=20, cofinancing_meur=10), context)
    assert c.verdict == ATTENTION and c.numbers["draagkracht"] == context
    text = el.explain(c, "nl")
    assert "motivering over de draagkracht" in text and "29,8" in text and "Nederland 34,0" in text
    assert "Mediaan gestandaardiseerd besteedbaar huishoudinkomen" in text  # label from the catalogue, in the language
    assert "Median standardised disposable household income" in el.explain(c, "en")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"rijksbijdrage_meur": -1}, "rijksbijdrage_meur"),
        ({"rijksbijdrage_meur": float("nan")}, "rijksbijdrage_meur"),
        ({"rijksbijdrage_meur": float("inf")}, "rijksbijdrage_meur"),
        ({"rijksbijdrage_meur": "20"}, "rijksbijdrage_meur"),
        ({"rijksbijdrage_meur": True}, "rijksbijdrage_meur"),
        ({"cofinancing_private_meur": -0.5}, "cofinancing_private_meur"),
        ({"framework": 2023}, "framework"),
        ({"cofinancing_meur": 20, "cofinancing_public_meur": 5}, "cofinancing_meur"),
    ],
)
def test_a_bad_proposal_names_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        Proposal(**kwargs)


def test_proposal_normalises_codes_and_accepts_parts_adding_up():
    p = Proposal(" gm0928 ~GM0917,GM0917", cofinancing_meur=20, cofinancing_public_meur=12, cofinancing_private_meur=8)
    assert p.gemeenten == ("GM0917", "GM0928") and p.cofinancing_total_meur == 20.0 and p.split_known
    assert Proposal(framework="2022").framework == 2022


def test_criterion_refuses_unknown_ids_and_verdicts():
    with pytest.raises(ValueError, match="verdict"):
        Criterion("rijksbijdrage", "ok", {}, "ok")
    with pytest.raises(ValueError, match="'id'"):
        Criterion("budget", MEETS, {}, "ok")


# =========================================================================== area rules (pure)


@pytest.mark.parametrize(
    ("label", "verdict"),
    [("robuust hoog", MEETS), ("grensgeval", ATTENTION), ("robuust laag", FAILS), ("geen score", UNTESTABLE)],
)
def test_pressure_verdict_follows_the_robust_label(label, verdict):
    assert el.pressure_criterion({"pressure_score": 0.2, "label": label}).verdict == verdict


@pytest.mark.parametrize(("n", "verdict"), [(0, FAILS), (1, ATTENTION), (2, MEETS), (5, MEETS)])
def test_multiple_challenges_need_two_themes(n, verdict):
    c = el.themes_criterion({"pressure_score": 0.0, "themes_under_pressure": n, "themes": ["wonen"] * n})
    assert c.verdict == verdict and c.numbers["min_themes"] == el.MIN_THEMES == 2


def test_no_score_and_empty_area_cannot_be_assessed():
    for make in (el.pressure_criterion, el.themes_criterion):
        assert make(None).verdict == UNTESTABLE and make(None).case == "empty"
        assert make({"pressure_score": None, "reason": "values for 40%"}).verdict == UNTESTABLE


def _tiny_registry(status: str) -> tuple[Registry, pd.DataFrame]:
    deal = Deal("t3-test", "Regio Deal Test", 3, 2020, status=status, rijksbijdrage_meur=10.0, provinces=("Overijssel",))
    table = pd.DataFrame(
        {"deal_id": ["t3-test"], "gemeente_code": ["GM0193"], "gemeente_name": ["Zwolle"], "year": [2024],
         "partial": [False], "named_as": ["Zwolle"], "partial_reason": [""]}
    )
    return Registry((deal,)), table


@pytest.mark.parametrize(
    ("status", "framework", "verdict", "case"),
    [
        ("afgerond", 2024, ATTENTION, "overlap"),
        ("in uitvoering", 2024, ATTENTION, "overlap"),
        ("afgerond", 2022, MEETS, "ended"),
        ("in uitvoering", 2022, ATTENTION, "running"),
    ],
)
def test_earlier_deals_by_framework(status, framework, verdict, case):
    _, regions = example_frames()
    reg, table = _tiny_registry(status)
    area = el._area(("GM0166", "GM0193"), regions, 2024)
    c = el.deals_criterion(area, reg, table, regions, framework)
    assert (c.verdict, c.case) == (verdict, case)
    assert c.numbers["gemeenten_in_deal"] == ["GM0193"]
    assert c.numbers["population_share_in_deal"] == round(100_000 / 140_000, 4)
    outside = el.deals_criterion(el._area(("GM0166",), regions, 2024), reg, table, regions, framework)
    assert (outside.verdict, outside.numbers["deals"]) == (MEETS, [])


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("gm0917~CR39", ["GM0917", "CR39"]),
        ("GM0917, GM0928;GM0899 GM0882", ["GM0917", "GM0928", "GM0899", "GM0882"]),
        ("deal:T2-Parkstad-Limburg-I", ["deal:t2-parkstad-limburg-i"]),
        ("", []),
        (None, []),
    ],
)
def test_split_tokens(text, tokens):
    assert el.split_tokens(text) == tokens


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        ("GM9999", "unknown gemeente code 'GM9999'"),
        ("CR99", "unknown corop code 'CR99'"),
        ("AM99", "unknown arbeidsmarktregio code 'AM99'"),
        ("Zwolle", "'ZWOLLE' is not a gemeente code"),
        ("deal:t3-test", "need the deals' members"),
    ],
)
def test_resolve_area_names_what_it_does_not_know(tokens, message):
    _, regions = example_frames()
    with pytest.raises(AreaError, match=re.escape(message)):
        el.resolve_area(tokens, regions, 2024)


def test_resolve_area_unions_presets_and_deals():
    _, regions = example_frames()
    reg, table = _tiny_registry("afgerond")
    assert el.resolve_area("CR10", regions, 2024) == ("GM0166", "GM0180", "GM0193", "GM1896")
    assert el.resolve_area("deal:t3-test~GM1896", regions, 2024, table) == ("GM0193", "GM1896")
    with pytest.raises(AreaError, match="unknown deal 'nope'"):
        el.resolve_area("deal:nope", regions, 2024, table)
    p = el.presets(regions, 2024, reg, table)
    assert p[p["kind"] == "deal"]["token"].tolist() == ["deal:t3-test"]


def test_every_message_key_the_check_can_build_exists_in_both_languages():
    """Render every case of every criterion: no key may fall through to its name, no field stay empty."""
    numbers = {
        "rijksbijdrage_meur": 20.0, "min_meur": 5.0, "max_meur": 40.0, "cofinancing_meur": 10.0,
        "cofinancing_public_meur": 10.0, "cofinancing_private_meur": None, "split_known": True, "rijk_share": 0.6667,
        "draagkracht": [], "percentile": 90.0, "n_ranked": 340, "rank_among": 30, "rank_p05": 20.0, "rank_p95": 60.0,
        "label": "grensgeval", "p_top_quarter": 0.5, "draws": 300, "worst_quarter_count": 5, "n_indicators": 17,
        "reason": "x", "themes_under_pressure": 2, "themes": ["wonen", "gezondheid"], "min_themes": 2,
        "deals": [{"name": "D", "tranche": 3, "status": "afgerond", "gemeenten": ["GM0193"]}],
        "gemeenten_in_deal": ["GM0193"], "n_gemeenten": 2, "population_share_in_deal": 0.7,
        "possible": [{"name": "P", "provinces": ["Overijssel"]}],
        "landsdelen": [{"name": "Oost-Nederland", "n_deals": 3, "rijksbijdrage_meur": 40.0, "eur_per_inhabitant": 10.0}],
        "provinces": [{"name": "Overijssel", "n_deals": 2, "rijksbijdrage_meur": 20.0}], "nl_eur_per_inhabitant": 12.0,
        "population_year": 2025, "config_hash": "abcd1234",
        "data_source": {"tables": ["86088NED"], "years": [2023]},
    }
    cases = {
        "rijksbijdrage": ["missing", "ok", "low", "high"],
        "cofinanciering": ["no_rijk", "missing", "ok", "low_share", "none"],
        "brede_welvaart": ["empty", "no_score", "high", "borderline", "low"],
        "meervoudige_opgave": ["empty", "no_score", "many", "one", "none"],
        "eerdere_deals": ["empty", "none", "overlap", "running", "ended"],
        "spreiding": ["empty", "no_population", "below", "above"],
        "kwalitatief": ["questions"],
    }
    assert set(cases) == set(el.CRITERIA)
    for lang in ("nl", "en"):
        texts = [el.verdict_label(v, lang) for v in el.VERDICTS] + [el.kind_label(k, lang) for k in el.KINDS]
        texts += el.questions(lang)
        for cid, kinds in cases.items():
            for case in kinds:
                for framework in el.FRAMEWORKS:
                    c = Criterion(cid, UNTESTABLE, numbers, case, framework)
                    texts += [el.explain(c, lang), c.title(lang), c.source(lang)]
        for text in texts:
            assert "check." not in text and "{" not in text, text
    keys = [k for k in MESSAGES if k.startswith("check.")]
    assert len(keys) > 80


# =========================================================================== real data


@pytest.fixture(scope="module")
def data(built):
    out, _ = built
    observations, regions = read_observations(out), read_regions(out)
    registry = load_registry()
    year = el.area_year(observations, regions)
    return {
        "observations": observations,
        "regions": regions,
        "catalog": load_catalog(),
        "registry": registry,
        "members": members(registry, year),
        "year": year,
    }


def run_check(data, proposal: Proposal) -> el.EligibilityResult:
    return el.check(
        proposal, data["observations"], data["regions"], data["catalog"], data["registry"],
        member_table=data["members"], spec=SPEC, built_at="2026-01-01T00:00:00",
    )


@pytest.fixture(scope="module")
def parkstad(data):
    return run_check(data, Proposal(PARKSTAD, 20, 12, 8, name="Parkstad"))


@pytest.fixture(scope="module")
def bhz(data):
    return run_check(data, Proposal(BHZ, 20, 20, 0))


def test_parkstad_has_more_pressure_and_more_themes_than_bloemendaal_heemstede_zandvoort(parkstad, bhz):
    p, b = parkstad.criterion("brede_welvaart").numbers, bhz.criterion("brede_welvaart").numbers
    for name, n in (("Parkstad", p), ("Bloemendaal/Heemstede/Zandvoort", b)):
        print(
            f"{name}: score {n['pressure_score']:+.3f}, percentile {n['percentile']}, rank {n['rank_among']} of "
            f"{n['n_ranked']} (band {n['rank_p05']}–{n['rank_p95']}, {n['label']}, p_top_quarter {n['p_top_quarter']}), "
            f"worst quarter {n['worst_quarter_count']}/{n['n_indicators']}, themes {n['themes_under_pressure']} {n['themes']}"
        )
    assert parkstad.pressure_percentile > bhz.pressure_percentile
    assert parkstad.themes_under_pressure > bhz.themes_under_pressure
    assert p["worst_quarter_count"] > b["worst_quarter_count"]
    assert p["rank_among"] < b["rank_among"] and p["rank_p95"] < b["rank_p05"]  # the bands do not even touch
    assert parkstad.criterion("brede_welvaart").verdict == MEETS and p["label"] == "robuust hoog"
    assert bhz.criterion("brede_welvaart").verdict == FAILS and b["label"] == "robuust laag"
    assert parkstad.criterion("meervoudige_opgave").verdict == MEETS
    assert p["top_n"] == math.floor(0.25 * (p["n_ranked"] + 1)) and p["draws"] == SPEC.draws


def test_the_area_band_is_a_rank_among_the_gemeenten(parkstad):
    n = parkstad.criterion("brede_welvaart").numbers
    assert 1 <= n["rank_p05"] <= n["rank_median"] <= n["rank_p95"] <= n["n_ranked"] + 1
    assert 0 <= n["percentile"] <= 100 and n["n_ranked"] > 300


def test_parkstad_overlaps_the_parkstad_deals(parkstad):
    ids = [d["id"] for d in parkstad.existing_deals]
    assert "t2-parkstad-limburg-i" in ids
    first = next(d for d in parkstad.existing_deals if d["id"] == "t2-parkstad-limburg-i")
    assert first["name"] == "Regio Deal Parkstad Limburg" and set(first["gemeenten"]) == set(PARKSTAD)
    c = parkstad.criterion("eerdere_deals")
    assert c.verdict == ATTENTION and c.numbers["population_share_in_deal"] == 1.0
    assert c.numbers["running"]  # Parkstad II runs


def test_an_area_without_deals_has_no_overlap(data):
    m, regions, year = data["members"], data["regions"], data["year"]
    gm = regions[(regions["level"] == "GM") & (regions["year"] == year)]
    free = sorted(set(gm["code"]) - set(m["gemeente_code"]))
    assert len(free) > 20
    result = run_check(data, Proposal(tuple(free[:3]), 10, 10))
    c = result.criterion("eerdere_deals")
    assert result.existing_deals == [] and c.verdict == MEETS and c.case == "none"
    assert c.numbers["gemeenten_in_deal"] == []


def test_framework_2022_flags_only_running_deals(data):
    c = run_check(data, Proposal(PARKSTAD, 20, 20, framework=2022)).criterion("eerdere_deals")
    assert (c.verdict, c.case) == (ATTENTION, "running")
    assert "2022" in c.source("nl") and "ronde 6" in c.source("nl")


def test_the_draagkracht_context_is_income_and_wealth_beside_nl(parkstad, bhz):
    rows = {r["indicator_id"]: r for r in parkstad.criterion("cofinanciering").numbers["draagkracht"]}
    assert {"mat_median_income", "eco_median_wealth"} <= set(rows)
    income = rows["mat_median_income"]
    assert income["below_nl"] is True and income["nl_value"] > income["value"] and income["year"] >= 2022
    rich = {r["indicator_id"]: r for r in bhz.criterion("cofinanciering").numbers["draagkracht"]}
    assert rich["mat_median_income"]["percentile"] > income["percentile"]
    assert parkstad.criterion("cofinanciering").verdict == MEETS  # 12 + 8 = 20 against 20


def test_spread_money_per_inhabitant_adds_up_over_the_landsdelen(parkstad, data):
    n = parkstad.criterion("spreiding").numbers
    (zuid,) = n["landsdelen"]
    assert zuid["code"] == "LD04" and zuid["n_deals"] > 5
    assert [p["code"] for p in n["provinces"]] == ["PV31"]
    # the equal split adds up: the four landsdelen together are the national total
    from welfare.deals import summarise

    lds = summarise(data["registry"], "landsdeel", split="equal").dropna(subset=["code"])
    assert lds["rijksbijdrage_meur"].sum() == pytest.approx(n["nl_rijksbijdrage_meur"], abs=1e-3)
    verdict = MEETS if zuid["eur_per_inhabitant"] <= n["nl_eur_per_inhabitant"] else ATTENTION
    assert parkstad.criterion("spreiding").verdict == verdict


def test_an_empty_area_checks_the_money_and_nothing_else(data):
    result = run_check(data, Proposal((), 45, 10))
    v = result.verdicts
    assert v["rijksbijdrage"] == FAILS and v["cofinanciering"] == ATTENTION
    for cid in ("brede_welvaart", "meervoudige_opgave", "eerdere_deals", "spreiding", "kwalitatief"):
        assert v[cid] == UNTESTABLE, cid
    assert result.pressure_percentile is None and result.existing_deals == []
    assert "nog geen gebied gekozen" in " ".join(el.onderbouwing(result, "nl"))


def test_an_unknown_code_is_a_clear_error(data):
    with pytest.raises(AreaError, match="unknown gemeente code.*'GM9999'.*not a gemeente in the"):
        run_check(data, Proposal(("GM0917", "GM9999"), 20, 20))


def test_presets_resolve_on_the_newest_indeling(data):
    regions, year, m = data["regions"], data["year"], data["members"]
    corop = el.resolve_area("CR39", regions, year)  # Zuid-Limburg
    assert set(PARKSTAD) <= set(corop)
    deal = el.resolve_area("deal:t2-parkstad-limburg-i", regions, year, m)
    assert set(PARKSTAD) <= set(deal)
    p = el.presets(regions, year, data["registry"], m)
    assert set(p["kind"]) == {"corop", "provincie", "arbeidsmarktregio", "deal"}
    assert (p["kind"] == "corop").sum() == 40 and (p["kind"] == "provincie").sum() == 12


def test_json_contract(parkstad):
    d = json.loads(json.dumps(parkstad.to_dict("nl"), allow_nan=False))
    assert [c["id"] for c in d["criteria"]] == list(el.CRITERIA)
    for c in d["criteria"]:
        assert {"id", "verdict", "numbers", "source"} <= set(c) and c["verdict"] in el.VERDICTS and c["source"]
    assert isinstance(d["pressure_percentile"], float) and isinstance(d["themes_under_pressure"], int)
    assert any(x["id"] == "t2-parkstad-limburg-i" for x in d["existing_deals"])


def test_onderbouwing_cites_figures_years_and_sources(parkstad):
    nl = "\n".join(el.onderbouwing(parkstad, "nl"))
    n = parkstad.criterion("brede_welvaart").numbers
    assert "Parkstad" in nl and "€ 20,0 mln" in nl and f"percentiel {str(n['percentile']).replace('.', ',')}" in nl
    assert "Regio Deal Parkstad Limburg" in nl and "wat-als" in nl
    assert "CBS" in nl and "bewerking regiowelvaart" in nl and str(max(n["data_source"]["years"])) in nl
    assert parkstad.config_hash in nl
    en = "\n".join(el.onderbouwing(parkstad, "en"))
    assert "€20.0m" in en and "what-if" in en and "percentile" in en


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_pdf_opens_and_holds_the_verdict_table_and_the_source_lines(parkstad):
    pdf = el.to_pdf(parkstad, "nl")
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf)
    for word in ("Criterium", "Soort", "Oordeel", "Toelichting"):
        assert word in text
    for c in parkstad.criteria:
        assert c.title("nl") in text, c.id
        assert el.verdict_label(c.verdict, "nl") in text
    for line in el.source_lines(parkstad, "nl"):
        assert re.sub(r"\s+", " ", line) in text, line
    assert "Bron: CBS" in text and "Afwegingskader Regio Deals" in text
    english = _pdf_text(el.to_pdf(parkstad, "en"))
    assert "Criterion" in english and "meets" in english and "Source: CBS" in english


def test_markdown_has_the_table_and_the_sources(parkstad):
    md = el.to_markdown(parkstad, "nl")
    assert "| Criterium | Soort | Oordeel | Toelichting |" in md
    rows = [line for line in md.splitlines() if line.startswith("| ") and "Criterium" not in line]
    assert len(rows) == len(el.CRITERIA)
    assert "## Bronnen" in md and "Bron: CBS" in md and "## Vragen voor de beoordelaar" in md


# =========================================================================== CLI


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_check_json(built):
    out_dir, _ = built
    code, out, err = cli(
        "check", "--gemeenten", ",".join(PARKSTAD), "--rijksbijdrage", "20", "--cofinanciering", "20",
        "--format", "json", "--draws", "200", "--warehouse", str(out_dir),
    )
    assert code == 0, err
    d = json.loads(out)
    assert set(d) >= {"criteria", "pressure_percentile", "themes_under_pressure", "existing_deals"}
    by_id = {c["id"]: c for c in d["criteria"]}
    assert by_id["rijksbijdrage"]["verdict"] == "voldoet" and by_id["cofinanciering"]["verdict"] == "voldoet"
    assert by_id["cofinanciering"]["numbers"]["rijk_share"] == 0.5
    assert all(set(c) >= {"id", "verdict", "numbers", "source"} for c in d["criteria"])
    assert isinstance(d["themes_under_pressure"], int) and d["pressure_percentile"] > 90
    assert "t2-parkstad-limburg-i" in [x["id"] for x in d["existing_deals"]]


def test_cli_check_text_presets_and_errors(built):
    out_dir, _ = built
    code, out, err = cli("check", "--gemeenten", "deal:t2-parkstad-limburg-i", "--rijksbijdrage", "41",
                         "--draws", "50", "--warehouse", str(out_dir), "--lang", "en")
    assert code == 0, err
    assert "[does not meet" in out and "is more than the maximum of €40.0m" in out and "Sources:" in out
    code, _, err = cli("check", "--gemeenten", "GM0917,GM9999", "--rijksbijdrage", "20", "--warehouse", str(out_dir))
    assert code == 2 and "GM9999" in err
    code, _, err = cli("check", "--gemeenten", "GM0917", "--rijksbijdrage", "-3", "--warehouse", str(out_dir))
    assert code == 2 and "rijksbijdrage_meur" in err
