"""Gebieden in Nederland parsing, title → code resolution, and tidying region titles."""

from __future__ import annotations

import pandas as pd
import pytest

from welfare.catalog import load_catalog
from welfare.errors import DataError
from welfare.regions import GEBIEDEN_TABLES, RegionResolver, is_other_area, parse_gebieden
from welfare.sources.statline_csv import StatlineCsvFolder
from welfare.tidy import margin_kind, parse_year, tidy


@pytest.fixture(scope="module")
def resolver(cbs_folder) -> RegionResolver:
    src = StatlineCsvFolder(cbs_folder)
    frames = [parse_gebieden(src.fetch_text(GEBIEDEN_TABLES[y]), y, GEBIEDEN_TABLES[y]) for y in (2013, 2018, 2024, 2025)]
    return RegionResolver.from_gemeenten(pd.concat(frames))


@pytest.mark.parametrize("year,expected_pv_col", [(2013, "Code_30"), (2025, "Code_28")])
def test_code_columns_are_found_by_value_not_number(cbs_folder, year, expected_pv_col):
    text = StatlineCsvFolder(cbs_folder).fetch_text(GEBIEDEN_TABLES[year])
    assert text[expected_pv_col].str.startswith("PV").all()  # the columns really shift
    gm = parse_gebieden(text, year)
    row = gm.set_index("code").loc["GM0363"]
    assert (row["provincie"], row["corop"], row["landsdeel"]) == ("PV27", "CR23", "LD03")


@pytest.mark.parametrize(
    "title,year,code",
    [
        ("Amsterdam", 2025, "GM0363"),
        ("Groningen (gemeente)", 2025, "GM0014"),
        ("Groningen (PV)", 2025, "PV20"),
        ("Fryslân (PV)", 2013, "PV21"),
        ("Friesland (PV)", 2025, "PV21"),
        ("Amsterdam (GM)", 2024, "GM0363"),
        ("'s-Gravenhage (GM)", 2024, "GM0518"),
        ("Bergen (L.)", 2025, "GM0893"),
        ("Groot-Amsterdam (CR)", 2025, "CR23"),
        ("Noord-Nederland (LD)", 2018, "LD01"),
        ("Nederland", 2013, "NL01"),
        ("Haaren", 2018, "GM0788"),
        ("Amsterdam", 2009, "GM0363"),  # before 2013: the nearest year's table
    ],
)
def test_resolve_titles(resolver, title, year, code):
    assert resolver.resolve(title, year) == code


@pytest.mark.parametrize("title", ["GGD Drenthe", "Rijnmond (CP)", "Basisteam Amsterdam (BT)", "G4", "Gemeenten; niet in te delen"])
def test_other_kinds_of_area_are_skipped(resolver, title):
    assert is_other_area(title)
    assert resolver.resolve(title, 2024) is None


def test_unknown_title_raises_keyerror(resolver):
    with pytest.raises(KeyError):
        resolver.resolve("Atlantis", 2024)
    with pytest.raises(KeyError):
        resolver.resolve("Haaren", 2024)  # split up in 2021


def test_parse_year_and_margins():
    assert parse_year("2021JJ00", "2021") == 2021
    assert parse_year("2021KW01", None) is None
    assert parse_year(None, "2010 december") is None
    assert parse_year(None, "2024 eerste helft") is None
    assert margin_kind("Betrouwbaarheidsmarge") == "margin"
    assert margin_kind("Iets anders") == "other"


def test_unknown_region_with_values_names_table_line_and_title(tmp_path, cbs_folder, resolver):
    header = "ID;Persoonskenmerken;RegioS;Perioden;Werkloosheidspercentage_13"
    lines = [header, "0;Totaal personen;Assen;2024;3.1", "1;Totaal personen;Atlantis;2024;4.2"]
    (tmp_path / "86088NED.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    indicator = load_catalog().indicators["wrk_unemployment"]
    spec = indicator.sources[0]
    raw = StatlineCsvFolder(tmp_path).fetch(spec_request(spec))
    with pytest.raises(DataError, match=r"table 86088NED, line 3: unknown region 'Atlantis'") as err:
        tidy(raw, indicator, spec, resolver, [])
    assert err.value.row == 3 and err.value.field == "RegioS"


def test_empty_rows_of_former_gemeenten_are_not_errors(tmp_path, resolver):
    """StatLine tables hold every region × year; a former gemeente has empty rows later on."""
    header = "ID;Persoonskenmerken;RegioS;Perioden;Werkloosheidspercentage_13"
    lines = [header, "0;Totaal personen;Haaren;2018;3.0", "1;Totaal personen;Haaren;2024;", "2;Totaal personen;Assen;2024;3.1"]
    (tmp_path / "T.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    indicator = load_catalog().indicators["wrk_unemployment"]
    from dataclasses import replace

    spec = replace(indicator.sources[0], table="T", boundary=None)
    out = tidy(StatlineCsvFolder(tmp_path).fetch(spec_request(spec)), indicator, spec, resolver, [])
    assert sorted(zip(out["region_code"], out["year"].tolist())) == [("GM0106", 2024), ("GM0788", 2018)]


def spec_request(spec):
    from welfare.sources.base import TableRequest

    return TableRequest(spec.table, spec.measures, spec.filters)
