"""The Regio Deals registry: facts, validation, members across herindelingen, areas, summaries, CLI."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SHARED
from welfare.boundaries import read_boundaries
from welfare.cli import main
from welfare.deals import (
    CARIBISCH_NEDERLAND,
    COLUMNS,
    DEFAULT_REGISTRY,
    OPENBAAR_LICHAAM_REASON,
    OPENBARE_LICHAMEN,
    PROVINCES,
    STATUSES,
    TRANCHES,
    Deal,
    Indeling,
    Registry,
    RegistryError,
    baseline_year,
    deal_areas,
    default_indeling,
    filter_deals,
    latest_year,
    load_registry,
    members,
    summarise,
    unresolved_names,
)
from welfare.errors import DataError
from welfare.harmonise import Transitions
from welfare.warehouse import read_deal_members, read_deals, read_observations

GEO = SHARED / "data" / "geo"
FACT_SHEET = SHARED / "reference" / "regio_deals.csv"
OFFICIAL_RIJK = {1: 345.0, 2: 215.0, 3: 180.0, 4: 284.2, 5: 384.6, 6: 244.3}
# Names of the fact sheet that the registry writes in CBS spelling.
CBS_SPELLING = {"Hengelo": "Hengelo (O.)", "Beek": "Beek (L.)", "Stein": "Stein (L.)"}
# Names in the registry that resolve to no gemeente code, and why (the only ones).
EXPECTED_UNRESOLVED = {
    ("t1-caribisch-nederland", "Bonaire"),
    ("t1-caribisch-nederland", "Sint Eustatius"),
    ("t1-caribisch-nederland", "Saba"),
    ("r5-sint-eustatius", "Sint Eustatius"),
    ("r5-saba", "Saba"),
    ("r6-bonaire", "Bonaire"),
}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def registry_rows() -> list[dict[str, str]]:
    """The registry read with the csv module, independently of welfare.deals."""
    with open(DEFAULT_REGISTRY, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def indeling_names() -> dict[int, dict[str, str]]:
    """year → gemeente name → code, read straight from the geo folder."""
    out: dict[int, dict[str, str]] = {}
    with open(GEO / "gemeente_indeling_2018_2026.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(int(row["jaar"]), {})[row["gemeentenaam"]] = row["gemeentecode"]
    return out


# --------------------------------------------------------------------------- the registry's facts


def test_all_82_deals_load_with_the_registry_columns(registry):
    assert len(registry) == 82 and not registry.problems
    assert len(set(registry.ids)) == 82
    with open(DEFAULT_REGISTRY, encoding="utf-8", newline="") as fh:
        assert tuple(next(csv.reader(fh))) == COLUMNS
    counts = pd.Series([d.tranche for d in registry]).value_counts().to_dict()
    assert counts == {t.number: t.n_deals for t in TRANCHES.values()}


@pytest.mark.parametrize("tranche", sorted(OFFICIAL_RIJK))
def test_rijksbijdrage_per_tranche_equals_the_official_sum(registry, tranche):
    loaded = sum(d.rijksbijdrage_meur for d in registry if d.tranche == tranche)
    raw = sum(float(r["rijksbijdrage_meur"]) for r in registry_rows() if r["tranche"] == str(tranche))
    assert loaded == pytest.approx(OFFICIAL_RIJK[tranche], abs=0.05)
    assert raw == pytest.approx(OFFICIAL_RIJK[tranche], abs=0.05)
    assert TRANCHES[tranche].rijksbijdrage_meur == OFFICIAL_RIJK[tranche]


def test_unknown_stays_empty_never_zero():
    rows = registry_rows()
    for column in ("rijksbijdrage_meur", "cofinancing_meur", "end_year"):
        assert all(r[column] == "" or float(r[column]) > 0 for r in rows), column
    # as regio-deals.md says: co-financing known for 33 deals, end year for 18, gemeenten blank for 14
    assert sum(1 for r in rows if r["cofinancing_meur"]) == 33
    assert sum(1 for r in rows if r["end_year"]) == 18
    assert sum(1 for r in rows if not r["gemeenten"]) == 14


def test_registry_carries_the_fact_sheet(registry):
    """Every fact of ../shared/reference/regio_deals.csv is in the registry, changed
    only where a '[register: …]' note says so (CBS spelling, a date's month or year)."""
    with open(FACT_SHEET, encoding="utf-8", newline="") as fh:
        sheet = {r["deal_id"]: r for r in csv.DictReader(fh)}
    ours = {r["id"]: r for r in registry_rows()}
    assert list(sheet) == list(ours)
    for deal_id, src in sheet.items():
        row = ours[deal_id]
        for theirs, mine in [
            ("name", "name"), ("tranche", "tranche"), ("year_selected", "year_selected"), ("end_year", "end_year"),
            ("rijksbijdrage_meur", "rijksbijdrage_meur"), ("regional_cofinancing_meur", "cofinancing_meur"),
            ("provinces", "provinces"), ("lead_ministry", "lead_ministry"), ("themes", "themes"),
            ("status", "status"), ("source_urls", "sources"),
        ]:
            assert row[mine] == src[theirs], (deal_id, mine)
        names = [CBS_SPELLING.get(n, n) for n in src["municipalities"].split(";") if n]
        assert row["gemeenten"].split(";") == names or (not names and not row["gemeenten"]), deal_id
        assert row["notes"].startswith(src["notes"].rstrip())
        if row["date_signed"] != src["date_signed"]:
            assert not src["date_signed"] and f"date_signed {row['date_signed']} (" in row["notes"], deal_id


def test_deelgebied_deals_are_flagged_partial(registry):
    partial = [d.id for d in registry if d.partial]
    assert len(partial) == 16
    assert partial == [d.id for d in registry if "DEELGEBIED" in d.notes]
    assert {"t1-rotterdam-zuid", "t3-oost-groningen", "r5-mra-west", "r6-vitale-wijken-ii"} <= set(partial)


def test_successors_come_from_the_notes_and_exist(registry):
    for deal in registry:
        found = re.findall(r"Opvolger: ([a-z0-9-]+)", deal.notes)
        assert deal.successor == (found[0] if found else None), deal.id
        if deal.successor:
            assert registry.get(deal.successor).tranche > deal.tranche
    assert sum(1 for d in registry if d.successor) == 12


def test_every_name_resolves_in_its_naming_year_and_in_2026(registry):
    """Checked against the geo folder's gemeente list directly, and through members()."""
    names = indeling_names()
    unresolved = set()
    for deal in registry:
        for name in deal.gemeenten:
            if name not in names[deal.naming_year]:
                unresolved.add((deal.id, name))
    assert unresolved == EXPECTED_UNRESOLVED  # all openbare lichamen of Caribisch Nederland
    report = unresolved_names(registry)
    assert set(zip(report["deal_id"], report["name"])) == EXPECTED_UNRESOLVED
    assert (report["reason"] == OPENBAAR_LICHAAM_REASON).all()
    in_2026 = members(registry, 2026)
    assert set(in_2026["deal_id"]) == {d.id for d in registry if set(d.gemeenten) - set(OPENBARE_LICHAMEN)}
    assert set(in_2026["gemeente_code"]) <= set(names[2026].values())
    at_signing = pd.concat([members([d], d.naming_year) for d in registry], ignore_index=True)
    for deal in registry:
        named = [n for n in deal.gemeenten if n not in OPENBARE_LICHAMEN]
        rows = at_signing[at_signing["deal_id"] == deal.id]
        assert sorted(rows["gemeente_name"]) == sorted(named), deal.id
        assert sorted(rows["gemeente_code"]) == sorted(names[deal.naming_year][n] for n in named)


def test_caribisch_nederland_is_kept_with_its_money_but_has_no_members(registry):
    caribbean = [d for d in registry if CARIBISCH_NEDERLAND in d.provinces]
    assert [d.id for d in caribbean] == ["t1-caribisch-nederland", "r5-sint-eustatius", "r5-saba", "r6-bonaire"]
    assert all(set(d.gemeenten) <= set(OPENBARE_LICHAMEN) for d in caribbean)
    assert not set(members(registry, 2025)["deal_id"]) & {d.id for d in caribbean}
    by_province = summarise(registry, "province").set_index("name")
    assert by_province.loc[CARIBISCH_NEDERLAND, "rijksbijdrage_meur"] == pytest.approx(78.0)
    assert pd.isna(by_province.loc[CARIBISCH_NEDERLAND, "code"])


def test_gemeenten_lie_in_the_deals_provinces(registry):
    ind = default_indeling()
    for deal in registry:
        codes = {PROVINCES[p] for p in deal.provinces if p in PROVINCES}
        for name in set(deal.gemeenten) - set(OPENBARE_LICHAMEN):
            assert ind.province_of[deal.naming_year][ind.resolve(name, deal.naming_year)] in codes, (deal.id, name)


def test_baseline_year_is_the_year_before_signing(registry):
    assert baseline_year(registry.get("t3-zuid-hollandse-delta")) == 2019  # signed 2020-07-17
    assert baseline_year(registry.get("t1-caribisch-nederland")) == 2017  # no date: year_selected 2018
    assert baseline_year(registry.get("r5-saba")) == 2023  # signed "2024" (year known only)
    frame = registry.frame()
    assert (frame["baseline_year"] == frame["signed_year"].fillna(frame["year_selected"]) - 1).all()


def test_latest_year_from_the_warehouse(built):
    out_dir, _ = built
    obs = read_observations(out_dir)
    year = latest_year(obs)
    assert year is not None and 2023 <= year <= 2025
    assert latest_year(obs, indicator_id="wrk_unemployment") <= year
    assert latest_year(obs, indicator_id="no_such_indicator") is None


# --------------------------------------------------------------------------- herindelingen


def test_brielle_maps_to_voorne_aan_zee(registry):
    before = members(registry, 2022)
    deal = before[before["deal_id"] == "t3-zuid-hollandse-delta"]
    assert {"GM0501", "GM0530", "GM0614"} <= set(deal["gemeente_code"])
    after = members(registry, 2023)
    voorne = after[(after["deal_id"] == "t3-zuid-hollandse-delta") & (after["gemeente_code"] == "GM1992")]
    assert len(voorne) == 1
    row = voorne.iloc[0]
    assert row["gemeente_name"] == "Voorne aan Zee" and not row["partial"]
    assert row["named_as"] == "Brielle;Hellevoetsluis;Westvoorne"
    assert "GM0501" not in set(after["gemeente_code"])
    # and backward: the 2024 deal naming Voorne aan Zee, on the 2019 boundaries
    back = members(registry, 2019)
    back = back[back["deal_id"] == "r5-zuid-hollandse-delta-ii"]
    assert {"GM0501", "GM0530", "GM0614"} <= set(back["gemeente_code"])
    assert not back["partial"].any()


def test_a_deal_naming_only_brielle_covers_part_of_voorne_aan_zee():
    deal = Deal("x-brielle", "Brielle alleen", 3, 2020, date_signed="2020-07", gemeenten=("Brielle",), provinces=("Zuid-Holland",))
    row = members([deal], 2026).iloc[0]
    assert (row["gemeente_code"], bool(row["partial"]), row["partial_reason"]) == ("GM1992", True, "herindeling")


def test_haaren_split_makes_oisterwijk_and_tilburg_partial_members(registry):
    m = members(registry, 2021)
    nob = m[m["deal_id"] == "t3-noordoost-brabant"].set_index("gemeente_name")
    assert set(nob.index[nob["partial"]]) == {"Oisterwijk", "Tilburg"}
    assert (nob.loc[["Oisterwijk", "Tilburg"], "partial_reason"] == "herindeling").all()
    assert not nob.loc[["Boxtel", "Vught"], "partial"].any()  # Haaren's other parts joined whole members
    m22 = members(registry, 2022)
    assert "Land van Cuijk" in set(m22[m22["deal_id"] == "t3-noordoost-brabant"]["gemeente_name"])


def test_deelgebied_members_are_partial_with_the_reason(registry):
    m = members(registry, 2025)
    rotterdam = m[m["deal_id"] == "t1-rotterdam-zuid"].iloc[0]
    assert rotterdam["gemeente_code"] == "GM0599" and rotterdam["partial"]
    assert rotterdam["partial_reason"] == "deelgebied"
    assert (m["partial"] == (m["partial_reason"] != "")).all()


def test_carry_to_2026_agrees_with_the_crosswalk():
    """Every (year, code) 2018–2025 carried to 2026 lands on the crosswalk's 2026 codes."""
    ind = default_indeling()
    crosswalk = pd.read_csv(GEO / "gemeente_crosswalk_naar_2026.csv", dtype={"van_code": str, "naar_code": str})
    expected = crosswalk.groupby(["van_jaar", "van_code"])["naar_code"].apply(set).to_dict()
    for (year, code), targets in expected.items():
        assert set(ind.carry({code: True}, int(year), 2026)) == targets, (year, code)


def test_carry_back_and_forth_returns_the_set():
    ind = default_indeling()
    start = {ind.resolve(n, 2018): True for n in ("Haren", "Ten Boer", "Groningen")}
    forward = ind.carry(start, 2018, 2025)
    assert forward == {"GM0014": True}
    assert ind.carry(forward, 2025, 2018) == start


def test_indeling_refuses_inconsistent_tables():
    gemeenten = pd.DataFrame(
        {"year": [2018, 2018, 2019], "code": ["GM0001", "GM0002", "GM0001"], "name": ["A", "B", "A"], "provincie": ["PV20"] * 3}
    )
    def flows(*rows):
        return Transitions(pd.DataFrame(rows, columns=["year", "source", "target", "addresses"]))

    with pytest.raises(DataError, match=r"\['GM0002'\] reached but no gemeente of 2019"):
        Indeling.from_frames(gemeenten, flows())
    with pytest.raises(DataError, match=r"\['GM0001'\] not reached"):  # the merger without GM0001's own flow
        Indeling.from_frames(gemeenten, flows((2018, "GM0002", "GM0001", 50)))
    merged = Indeling.from_frames(gemeenten, flows((2018, "GM0001", "GM0001", 100), (2018, "GM0002", "GM0001", 50)))
    assert merged.carry({"GM0002": True}, 2018, 2019) == {"GM0001": False}
    assert merged.carry({"GM0001": True}, 2019, 2018) == {"GM0001": True, "GM0002": True}
    with pytest.raises(DataError, match="is missing"):
        Indeling.from_geo_folder(Path("/nonexistent-geo-folder"))


def test_members_refuses_a_year_without_an_indeling(registry):
    with pytest.raises(ValueError, match="2018–2026, got 2015"):
        members(registry, 2015)


# --------------------------------------------------------------------------- validation


GOOD_IDS = ("t3-zuid-hollandse-delta", "r5-zuid-hollandse-delta-ii", "t1-rotterdam-zuid", "r4-rotterdam-zuid-ii")


def write_registry(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def good_rows() -> list[dict[str, str]]:
    rows = {r["id"]: r for r in registry_rows()}
    return [dict(rows[i]) for i in GOOD_IDS]


def with_bad(base: str, **changes: str):
    """A change of one good row (by id), as a function of the rows."""

    def apply(rows: list[dict[str, str]]) -> None:
        row = next(r for r in rows if r["id"] == base)
        row.update(changes)

    return apply


def duplicate_row(rows):
    rows.append(dict(rows[0]))


def short_row(rows):
    rows.append({"id": "r9-kort", "name": "Kort"})


BAD_ROWS = [
    # (case, change, line of the bad row, field, part of the message)
    ("unknown gemeente", with_bad(GOOD_IDS[0], gemeenten="Brile;Goeree-Overflakkee"), 2, "gemeenten", "'Brile' is not a gemeente in 2020 (did you mean 'Brielle'?)"),
    ("gemeente of a later year", with_bad(GOOD_IDS[0], gemeenten="Voorne aan Zee"), 2, "gemeenten", "it is one in 2023–2026"),
    ("name without CBS suffix", with_bad(GOOD_IDS[1], gemeenten="Bergen"), 3, "gemeenten", "did you mean"),
    ("gemeente outside the provinces", with_bad(GOOD_IDS[0], gemeenten="Utrecht"), 2, "gemeenten", "Utrecht lies in Utrecht, which provinces does not list"),
    ("openbaar lichaam without Caribisch Nederland", with_bad(GOOD_IDS[0], gemeenten="Saba"), 2, "gemeenten", "openbaar lichaam"),
    ("budget above 200M", with_bad(GOOD_IDS[2], rijksbijdrage_meur="250"), 4, "rijksbijdrage_meur", "250 is outside €0–200M"),
    ("budget of zero", with_bad(GOOD_IDS[2], rijksbijdrage_meur="0"), 4, "rijksbijdrage_meur", "leave it empty when unknown"),
    ("negative budget", with_bad(GOOD_IDS[2], rijksbijdrage_meur="-5"), 4, "rijksbijdrage_meur", "-5 is negative"),
    ("decimal comma", with_bad(GOOD_IDS[0], rijksbijdrage_meur="7,5"), 2, "rijksbijdrage_meur", "'7,5' is not a number in M€ (use a decimal point)"),
    ("non-numeric co-financing", with_bad(GOOD_IDS[0], cofinancing_meur="veel"), 2, "cofinancing_meur", "'veel' is not a number"),
    ("negative co-financing", with_bad(GOOD_IDS[0], cofinancing_meur="-1"), 2, "cofinancing_meur", "negative"),
    ("NaN amount", with_bad(GOOD_IDS[0], cofinancing_meur="nan"), 2, "cofinancing_meur", "not a number"),
    ("duplicate id", duplicate_row, 6, "id", "duplicate id 't3-zuid-hollandse-delta' (first on line 2)"),
    ("unknown status", with_bad(GOOD_IDS[1], status="in uitvoring"), 3, "status", "did you mean 'in uitvoering'?"),
    ("signed before selection", with_bad(GOOD_IDS[0], date_signed="2019-12-01"), 2, "date_signed", "before the selection year 2020"),
    ("not a date", with_bad(GOOD_IDS[0], date_signed="2020-13-01"), 2, "date_signed", "is not a date"),
    ("ends before signing", with_bad(GOOD_IDS[0], end_year="2019"), 2, "end_year", "2019 is before the signing year 2020"),
    ("ends before selection", with_bad(GOOD_IDS[2], date_signed="", end_year="2017"), 4, "end_year", "before the selection year 2018"),
    ("successor pointing nowhere", with_bad(GOOD_IDS[0], successor="r5-zuid-hollandse-delta-iii"), 2, "successor", "not the id of a deal in this file (did you mean 'r5-zuid-hollandse-delta-ii'?)"),
    ("successor of an earlier tranche", with_bad(GOOD_IDS[3], successor="t1-rotterdam-zuid"), 5, "successor", "tranche 1, not later than this deal's tranche 4"),
    ("successor is itself", with_bad(GOOD_IDS[0], successor=GOOD_IDS[0]), 2, "successor", "cannot succeed itself"),
    ("unknown tranche", with_bad(GOOD_IDS[0], tranche="7"), 2, "tranche", "unknown tranche '7' (tranches are 1–6)"),
    ("year does not match tranche", with_bad(GOOD_IDS[0], year_selected="2021", date_signed=""), 2, "year_selected", "2021 does not match tranche 3, selected in 2020"),
    ("bad partial flag", with_bad(GOOD_IDS[0], partial="ja"), 2, "partial", "'ja' is not a partial flag: write true or false"),
    ("empty partial flag", with_bad(GOOD_IDS[0], partial=""), 2, "partial", "is empty (required)"),
    ("unknown province", with_bad(GOOD_IDS[0], provinces="Zuid Holland"), 2, "provinces", "did you mean 'Zuid-Holland'?"),
    ("bad id", with_bad(GOOD_IDS[0], id="T3 Zuid"), 2, "id", "is not an id"),
    ("empty name", with_bad(GOOD_IDS[0], name=""), 2, "name", "is empty"),
    ("source not a URL", with_bad(GOOD_IDS[0], sources="www.example.nl"), 2, "sources", "is not a URL"),
    ("gemeente twice", with_bad(GOOD_IDS[0], gemeenten="Nissewaard;Nissewaard"), 2, "gemeenten", "'Nissewaard' occurs twice"),
    ("fields missing", short_row, 6, "row", "has 2 fields, the header has 17"),
]


@pytest.mark.parametrize("case, change, line, field, fragment", BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_a_bad_row_names_file_line_and_field(tmp_path, case, change, line, field, fragment):
    rows = good_rows()
    change(rows)
    path = tmp_path / "deals.csv"
    if change is short_row:
        write_registry(path, rows[:-1])
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("r9-kort,Kort\n")
    else:
        write_registry(path, rows)
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    error = info.value
    assert isinstance(error, DataError)
    assert (error.row, error.field, error.table_id) == (line, field, "deals.csv")
    message = str(error)
    assert message.startswith(f"deals.csv, line {line}, field {field}: "), message
    assert fragment in message, message
    # without strict, the other rows load and the problem is reported
    loose = load_registry(path, strict=False)
    assert [(p.row, p.field) for p in loose.problems] == [(line, field)]
    assert len(loose) == (len(GOOD_IDS) if change in (duplicate_row, short_row) else len(GOOD_IDS) - 1)


def test_line_numbers_count_multiline_fields(tmp_path):
    rows = good_rows()
    rows[0]["notes"] = "eerste regel\ntweede regel\nderde regel"
    rows[1]["status"] = "klaar"
    path = write_registry(tmp_path / "deals.csv", rows)
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    assert info.value.row == 5  # header, a row of three lines, then this one


def test_strict_false_returns_good_rows_and_every_problem(tmp_path):
    rows = good_rows()
    rows[0]["gemeenten"] = "Brile"
    rows[0]["status"] = "klaar"
    rows[2]["rijksbijdrage_meur"] = "999"
    path = write_registry(tmp_path / "deals.csv", rows)
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    assert len(info.value.problems) == 3
    assert str(info.value).splitlines()[0] == "deals.csv: 3 problems"
    loose = load_registry(path, strict=False)
    assert loose.ids == (GOOD_IDS[1], GOOD_IDS[3])
    assert [(p.row, p.field, p.deal_id) for p in loose.problems] == [
        (2, "gemeenten", GOOD_IDS[0]),
        (2, "status", GOOD_IDS[0]),
        (4, "rijksbijdrage_meur", GOOD_IDS[2]),
    ]
    assert "3 problems" in repr(loose)


@pytest.mark.parametrize("strict", [True, False])
def test_a_bad_header_fails_even_without_strict(tmp_path, strict):
    path = tmp_path / "deals.csv"
    path.write_text(DEFAULT_REGISTRY.read_text(encoding="utf-8").replace("cofinancing_meur", "regional_cofinancing_meur", 1), encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_registry(path, strict=strict)
    assert (info.value.row, info.value.field) == (1, "cofinancing_meur")
    assert "column missing" in str(info.value) and "unknown column" in str(info.value)


def test_a_missing_registry_file(tmp_path):
    with pytest.raises(RegistryError, match="does not exist"):
        load_registry(tmp_path / "none.csv")


def test_registry_round_trips_through_csv_and_frame(tmp_path, registry):
    buf = io.StringIO()
    registry.to_csv(buf)
    assert buf.getvalue() == DEFAULT_REGISTRY.read_text(encoding="utf-8")
    assert Registry.from_frame(registry.frame()).deals == registry.deals
    assert Registry.from_frame(registry.frame(join_lists=True)).deals == registry.deals


# --------------------------------------------------------------------------- areas


@pytest.fixture(scope="module")
def layer_2023(built):
    out_dir, _ = built
    return read_boundaries(out_dir, "gemeente", 2023)


def test_deal_areas_dissolve_member_gemeenten(registry, layer_2023):
    areas = deal_areas(registry, layer_2023, 2023)
    m = members(registry, 2023)
    assert list(areas["deal_id"]) == list(dict.fromkeys(m["deal_id"]))
    assert areas.crs.to_epsg() == 4326 and areas.geometry.is_valid.all()
    rd = layer_2023.to_crs(28992).set_index("statcode").area
    union_area = areas.to_crs(28992).set_index("deal_id").area
    for deal_id, group in m.groupby("deal_id"):
        assert union_area[deal_id] == pytest.approx(rd[group["gemeente_code"]].sum(), rel=1e-3), deal_id
    by_id = areas.set_index("deal_id")
    assert by_id.loc["t3-zuid-hollandse-delta", "n_gemeenten"] == 4 and not by_id.loc["t3-zuid-hollandse-delta", "partial"]
    assert by_id.loc["t1-rotterdam-zuid", "partial"] and by_id.loc["t1-rotterdam-zuid", "partial_reason"] == "deelgebied"
    assert by_id.loc["t1-brainport-eindhoven", "rijksbijdrage_meur"] == 130.0


def test_deal_areas_from_the_warehouse_members(built, registry, layer_2023):
    out_dir, _ = built
    stored = deal_areas(registry, layer_2023, 2023, member_table=read_deal_members(out_dir))
    computed = deal_areas(registry, layer_2023, 2023)
    pd.testing.assert_frame_equal(
        pd.DataFrame(stored.drop(columns="geometry")), pd.DataFrame(computed.drop(columns="geometry"))
    )
    assert stored.geom_equals(computed).all()
    few = deal_areas(filter_deals(registry, tranche=1), layer_2023, 2023, member_table=read_deal_members(out_dir))
    assert list(few["deal_id"]) == ["t1-brainport-eindhoven", "t1-rotterdam-zuid"]


def test_deal_areas_refuse_a_layer_of_another_year(registry, layer_2023):
    with pytest.raises(ValueError, match=r"are of \[2023\], not of year 2022"):
        deal_areas(registry, layer_2023, 2022)
    with pytest.raises(ValueError, match="lack the member gemeenten"):
        deal_areas(registry, layer_2023[layer_2023["statcode"] != "GM1992"], 2023)


# --------------------------------------------------------------------------- warehouse


def test_build_writes_deals_and_members_for_every_boundary_year(built, registry):
    out_dir, result = built
    deals = read_deals(out_dir)
    assert len(deals) == 82 and list(deals.columns[: len(COLUMNS)]) == list(COLUMNS)
    assert Registry.from_frame(deals).deals == registry.deals
    stored = read_deal_members(out_dir)
    assert sorted(stored["year"].unique()) == list(range(2018, 2027))
    pd.testing.assert_frame_equal(read_deal_members(out_dir, 2026), members(registry, 2026), check_dtype=False)
    info = result.manifest["deals"]
    assert info["deals"] == 82 and info["registry"] == "data/regio_deals.csv"
    assert {(u["deal_id"], u["name"]) for u in info["unresolved_names"]} == EXPECTED_UNRESOLVED
    assert "t1-zeeland" in info["without_members"] and "t3-zuid-hollandse-delta" not in info["without_members"]


# --------------------------------------------------------------------------- summaries and filters


def test_summaries_per_province_count_multi_province_deals_in_each(registry):
    total = summarise(registry, "total").iloc[0]
    assert total["n_deals"] == 82 and total["rijksbijdrage_meur"] == pytest.approx(1653.1)
    assert total["n_cofinancing_known"] == 33
    whole = summarise(registry, "province")
    equal = summarise(registry, "province", split="equal")
    assert whole["n_deals"].sum() > 82 and whole["n_deals"].tolist() == equal["n_deals"].tolist()
    assert equal["rijksbijdrage_meur"].sum() == pytest.approx(1653.1)
    assert whole["rijksbijdrage_meur"].sum() - whole["rijksbijdrage_multi_meur"].sum() == pytest.approx(
        sum(d.rijksbijdrage_meur for d in registry if len(d.provinces) == 1)
    )
    drenthe = whole.set_index("code").loc["PV22"]
    # Zuid- en Oost-Drenthe I and II span Overijssel; Regio Zwolle I and II four provinces; NIL Noord-Nederland three
    assert drenthe["n_multi"] == 5 and drenthe["rijksbijdrage_multi_meur"] == pytest.approx(10 + 20 + 30 + 22.5 + 30)
    lds = summarise(registry, "landsdeel")
    assert set(lds["code"].dropna()) == {"LD01", "LD02", "LD03", "LD04"}
    assert summarise(registry, "landsdeel", split="equal")["rijksbijdrage_meur"].sum() == pytest.approx(1653.1)


def test_cofinancing_ratio_only_over_known_amounts():
    deals = [
        Deal("a-1", "A", 3, 2020, rijksbijdrage_meur=10.0, cofinancing_meur=30.0, provinces=("Utrecht",)),
        Deal("b-1", "B", 3, 2020, rijksbijdrage_meur=20.0, cofinancing_meur=None, provinces=("Utrecht", "Gelderland")),
        Deal("c-1", "C", 4, 2023, rijksbijdrage_meur=None, provinces=("Gelderland",)),
    ]
    t3 = summarise(deals).set_index("code").loc[3]
    assert (t3["n_deals"], t3["rijksbijdrage_meur"], t3["cofinancing_ratio"]) == (2, 30.0, 3.0)
    assert t3["rijksbijdrage_cofinanced_meur"] == 10.0
    t4 = summarise(deals).set_index("code").loc[4]
    assert t4["n_rijksbijdrage_unknown"] == 1 and pd.isna(t4["rijksbijdrage_meur"]) and pd.isna(t4["cofinancing_meur"])
    t5 = summarise(deals).set_index("code").loc[5]
    assert t5["n_deals"] == 0 and t5["rijksbijdrage_meur"] == 0.0
    gld = summarise(deals, "province", split="equal").set_index("code").loc["PV25"]
    assert (gld["n_deals"], gld["n_multi"], gld["rijksbijdrage_meur"]) == (2, 1, 10.0)


def test_filters(registry):
    assert filter_deals(registry).ids == registry.ids
    assert len(filter_deals(registry, tranche=[5, 6])) == 38
    assert {d.status for d in filter_deals(registry, status="afgerond")} == {"afgerond"}
    assert filter_deals(registry, province="PV22").ids == filter_deals(registry, province="Drenthe").ids
    assert filter_deals(registry, province=CARIBISCH_NEDERLAND).ids[0] == "t1-caribisch-nederland"
    assert "t2-noordoost-fryslan-holwerd" in filter_deals(registry, theme="WADDENKUST").ids
    assert all(10 <= d.rijksbijdrage_meur <= 20 for d in filter_deals(registry, budget_range=(10, 20)))
    assert "t3-zuid-hollandse-delta" in filter_deals(registry, text="hellevoetsluis").ids
    for bad in ({"tranche": 7}, {"province": "Holland"}, {"budget_range": (20, 10)}):
        with pytest.raises(ValueError, match=list(bad)[0]):
            filter_deals(registry, **bad)


FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "tranche": st.sets(st.sampled_from(sorted(TRANCHES)), min_size=1),
        "status": st.sampled_from(STATUSES),
        "province": st.sampled_from([*PROVINCES, CARIBISCH_NEDERLAND]),
        "theme": st.sampled_from(["wonen", "gezondheid", "onderwijs", "innovatie", "x"]),
        "budget_range": st.tuples(st.none() | st.floats(0, 60), st.none() | st.floats(0, 60)).filter(
            lambda r: None in r or r[0] <= r[1]
        ),
        "text": st.sampled_from(["groningen", "Rotterdam", "deelgebied", "ii", "zzz"]),
    },
)


@settings(max_examples=60, deadline=None)
@given(first=FILTERS, second=FILTERS)
def test_filters_are_subsets_and_combine_as_intersection(registry, first, second):
    a, b = filter_deals(registry, **first), filter_deals(registry, **second)
    assert set(a.ids) <= set(registry.ids)
    order = [i for i in registry.ids if i in a.ids]
    assert list(a.ids) == order  # registry order kept
    if not set(first) & set(second):
        both = filter_deals(registry, **first, **second)
        assert set(both.ids) == set(a.ids) & set(b.ids)


@settings(max_examples=40, deadline=None)
@given(ids=st.sets(st.sampled_from(load_registry().ids)))
def test_totals_are_additive(registry, ids):
    subset = [d for d in registry if d.id in ids]
    total = summarise(subset, "total")
    expected = sum(d.rijksbijdrage_meur for d in subset)
    assert summarise(subset, "tranche")["rijksbijdrage_meur"].sum() == pytest.approx(expected)
    for by in ("province", "landsdeel"):
        assert summarise(subset, by, split="equal")["rijksbijdrage_meur"].sum() == pytest.approx(expected)
        assert summarise(subset, by)["rijksbijdrage_meur"].sum() >= expected - 1e-9
    if subset:
        assert total["n_deals"].iloc[0] == len(subset)


# --------------------------------------------------------------------------- CLI


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_table_lists_deals_with_a_summary_line():
    code, out, _ = run("deals", "--tranche", "3")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 15 and lines[0].startswith("t3-groningen-noord")
    assert "14 of 82 deals; Rijksbijdrage 180.0 M€" in lines[-1]
    zhd = next(x for x in lines if x.startswith("t3-zuid-hollandse-delta"))
    assert "2020-07-17" in zhd and "looptijd onbekend" in zhd
    drecht = next(x for x in lines if x.startswith("t3-drechtsteden-gorinchem"))
    assert " — " in drecht and "nan" not in drecht  # unknown date


def test_cli_csv_is_the_registry_schema_and_reloads(tmp_path):
    code, out, _ = run("deals", "--status", "afgerond", "--format", "csv")
    assert code == 0
    assert out.splitlines()[0] == ",".join(COLUMNS)
    path = tmp_path / "afgerond.csv"
    path.write_text(out, encoding="utf-8")
    loaded = load_registry(path)
    assert {d.status for d in loaded} == {"afgerond"} and len(loaded) == 5
    # the successors of tranche 3 are deals of later tranches, not in this subset
    code, out, _ = run("deals", "--tranche", "3", "--format", "csv")
    path.write_text(out, encoding="utf-8")
    loaded = load_registry(path, strict=False)
    assert len(loaded) == 14 - 6 and {p.field for p in loaded.problems} == {"successor"}


def test_cli_json_with_province_filter():
    code, out, _ = run("deals", "--province", "Drenthe", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 6 and all("Drenthe" in r["provinces"] for r in rows)
    zod = next(r for r in rows if r["id"] == "t2-zuid-en-oost-drenthe")
    assert zod["gemeenten"][0] == "Aa en Hunze" and zod["baseline_year"] == 2018 and zod["cofinancing_ratio"] == 1.0
    assert next(r for r in rows if r["id"] == "r6-noord-drenthe")["cofinancing_meur"] is None


def test_cli_text_filter_and_bad_registry(tmp_path):
    code, out, _ = run("deals", "--text", "voorne", "--format", "json")
    assert [r["id"] for r in json.loads(out)] == ["t3-zuid-hollandse-delta", "r5-zuid-hollandse-delta-ii"]
    bad = tmp_path / "bad.csv"
    bad.write_text(DEFAULT_REGISTRY.read_text(encoding="utf-8").replace("Brielle;Goeree", "Brile;Goeree"), encoding="utf-8")
    code, out, err = run("deals", "--registry", str(bad))
    assert code == 1 and out == ""
    assert err.startswith("bad.csv, line 28, field gemeenten: 'Brile'")
    with pytest.raises(SystemExit) as exc:
        run("deals", "--status", "klaar")
    assert exc.value.code == 2
