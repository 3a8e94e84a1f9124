"""The CSV-folder source on small hand-made exports: parsing, filters, cut-off files, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from welfare.errors import DataError, SourceError
from welfare.sources.base import MARGIN, PERIOD_TITLE, REGION_TITLE, MeasureRef, TableRequest
from welfare.sources.statline_csv import StatlineCsvFolder

HEADER = "ID;Persoonskenmerken;RegioS;Perioden;Werkloosheidspercentage_13;NettoArbeidsparticipatie_16"


def write(folder: Path, name: str, lines: list[str], bom: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = "\n".join(lines) + "\n"
    (folder / f"{name}.csv").write_bytes(("\ufeff" if bom else "").encode() + text.encode())


def rows(persons: list[str], regions: list[str], periods: list[str], value: str = "3.5") -> list[str]:
    out, n = [], 0
    for p in persons:
        for r in regions:
            for y in periods:
                out.append(f"{n};{p};{r};{y};{value};70.1")
                n += 1
    return out


REQ = TableRequest("T1", (MeasureRef("Werkloosheidspercentage"),), {"Persoonskenmerken": "Totaal personen"})


def test_reads_filtered_rows_with_titles_stripped(tmp_path):
    write(tmp_path, "T1", [HEADER, *rows(["Totaal personen", "Geslacht: mannen"], ["Assen", "Nederland"], ["2021 ", "2022"])])
    raw = StatlineCsvFolder(tmp_path).fetch(REQ)
    assert len(raw.frame) == 4
    assert set(raw.frame[PERIOD_TITLE]) == {"2021", "2022"}
    assert set(raw.frame[REGION_TITLE]) == {"Assen", "Nederland"}
    assert raw.measure_keys[MeasureRef("Werkloosheidspercentage")] == "Werkloosheidspercentage_13"
    assert raw.frame["Werkloosheidspercentage_13"].tolist() == [3.5] * 4
    assert raw.frame[MARGIN].isna().all()


def test_bom_or_not_gives_the_same_table(tmp_path):
    lines = [HEADER, *rows(["Totaal personen"], ["Assen"], ["2022"])]
    write(tmp_path / "a", "T1", lines, bom=True)
    write(tmp_path / "b", "T1", lines, bom=False)
    a = StatlineCsvFolder(tmp_path / "a").fetch(REQ).frame
    b = StatlineCsvFolder(tmp_path / "b").fetch(REQ).frame
    assert a.equals(b)


def test_file_names_match_case_insensitively(tmp_path):
    write(tmp_path, "t1", [HEADER, *rows(["Totaal personen"], ["Assen"], ["2022"])])
    assert len(StatlineCsvFolder(tmp_path).fetch(REQ).frame) == 1


def test_empty_and_dot_cells_are_missing_not_zero(tmp_path):
    lines = [HEADER, "0;Totaal personen;Assen;2021;;70.1", "1;Totaal personen;Assen;2022;.;70.1"]
    write(tmp_path, "T1", lines)
    raw = StatlineCsvFolder(tmp_path).fetch(REQ)
    assert np.isnan(raw.frame["Werkloosheidspercentage_13"]).all()
    assert any("'.'" in w and "line 3" in w and "Werkloosheidspercentage_13" in w for w in raw.warnings)


def test_non_numeric_value_names_table_line_and_column(tmp_path):
    write(tmp_path, "T1", [HEADER, "0;Totaal personen;Assen;2021;3.5;70.1", "1;Totaal personen;Assen;2022;drie;70.1"])
    with pytest.raises(DataError, match=r"table T1, line 3, column Werkloosheidspercentage_13: 'drie' is not a number") as err:
        StatlineCsvFolder(tmp_path).fetch(REQ)
    assert (err.value.table_id, err.value.row, err.value.field) == ("T1", 3, "Werkloosheidspercentage_13")


def test_renamed_column_names_table_and_stem(tmp_path):
    write(tmp_path, "T1", [HEADER.replace("Werkloosheidspercentage_13", "Werkloosheid_13"), *rows(["Totaal personen"], ["Assen"], ["2022"])])
    with pytest.raises(DataError, match=r"table T1: no column 'Werkloosheidspercentage_<n>'.*renamed.*Werkloosheid"):
        StatlineCsvFolder(tmp_path).fetch(REQ)


def test_column_suffix_may_change_between_editions(tmp_path):
    write(tmp_path, "T1", [HEADER.replace("_13", "_99"), *rows(["Totaal personen"], ["Assen"], ["2022"])])
    raw = StatlineCsvFolder(tmp_path).fetch(REQ)
    assert "Werkloosheidspercentage_99" in raw.frame


def test_unknown_filter_value_lists_what_is_there(tmp_path):
    write(tmp_path, "T1", [HEADER, *rows(["Geslacht: mannen"], ["Assen"], ["2022"])])
    with pytest.raises(DataError, match=r"table T1: no rows with Persoonskenmerken = 'Totaal personen'.*Geslacht: mannen"):
        StatlineCsvFolder(tmp_path).fetch(REQ)


def test_unknown_filter_dimension(tmp_path):
    write(tmp_path, "T1", [HEADER, *rows(["Totaal personen"], ["Assen"], ["2022"])])
    bad = TableRequest("T1", REQ.measures, {"Leeftijd": "Totaal"})
    with pytest.raises(DataError, match="unknown dimension 'Leeftijd'"):
        StatlineCsvFolder(tmp_path).fetch(bad)


def test_row_cut_mid_line_is_a_malformed_csv(tmp_path):
    lines = [HEADER, *rows(["Totaal personen"], ["Assen", "Emmen"], ["2021", "2022"])]
    lines[-1] = lines[-1][:12]  # the download stopped in the middle of a row
    write(tmp_path, "T1", lines)
    with pytest.raises(DataError, match=r"table T1 \(T1.csv\): malformed CSV"):
        StatlineCsvFolder(tmp_path).fetch(REQ)


def test_wrong_separator_is_named(tmp_path):
    write(tmp_path, "T1", [HEADER.replace(";", ","), "0,Totaal personen,Assen,2022,3.5,70.1"])
    with pytest.raises(DataError, match="separator ';'"):
        StatlineCsvFolder(tmp_path).fetch(REQ)


def test_missing_table_file(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    with pytest.raises(SourceError, match=r"table T1: no file T1.csv"):
        StatlineCsvFolder(tmp_path).fetch(REQ)


# Cut-off exports: the rows come in dimension order; the limit is made small here.
CUT = rows(["Totaal personen", "Geslacht: mannen"], ["Assen", "Emmen", "Zwolle"], ["2021", "2022"])  # 12 rows


def test_cut_off_file_serves_a_complete_block(tmp_path):
    write(tmp_path, "T1", [HEADER, *CUT[:9]])  # 'Totaal personen' complete (6 rows), 'mannen' cut
    raw = StatlineCsvFolder(tmp_path, row_limit=9).fetch(REQ)
    assert len(raw.frame) == 6 and raw.warnings == []


def test_cut_off_file_refuses_the_cut_block(tmp_path):
    write(tmp_path, "T1", [HEADER, *CUT[:9]])
    req = TableRequest("T1", REQ.measures, {"Persoonskenmerken": "Geslacht: mannen"})
    with pytest.raises(DataError, match=r"table T1 was cut off at 9 rows inside the rows needed \(Persoonskenmerken = 'Geslacht: mannen'\)"):
        StatlineCsvFolder(tmp_path, row_limit=9).fetch(req)


def test_cut_off_file_refuses_a_block_that_was_cut_away(tmp_path):
    write(tmp_path, "T1", [HEADER, *CUT[:5]])  # stops inside 'Totaal personen', at Zwolle
    raw = StatlineCsvFolder(tmp_path, row_limit=5).fetch(REQ)  # every region present: kept, with a warning
    assert len(raw.frame) == 5 and "'Zwolle'" in raw.warnings[0]
    req = TableRequest("T1", REQ.measures, {"Persoonskenmerken": "Geslacht: mannen"})
    with pytest.raises(DataError, match="no rows with Persoonskenmerken = 'Geslacht: mannen' — the export was cut off"):
        StatlineCsvFolder(tmp_path, row_limit=5).fetch(req)


def test_cut_off_inside_the_region_dimension_keeps_rows_with_a_warning(tmp_path):
    header = "ID;RegioS;Perioden;AfstandTotCafeED_32"
    lines = [f"{i};{r};{y};1.{i}" for i, (r, y) in enumerate((r, y) for r in ["Assen", "Emmen", "Zwolle"] for y in ["2021", "2022"])]
    write(tmp_path, "T2", [header, *lines[:5]])  # Zwolle 2022 cut
    raw = StatlineCsvFolder(tmp_path, row_limit=5).fetch(TableRequest("T2", (MeasureRef("AfstandTotCafeED"),)))
    assert len(raw.frame) == 5
    assert raw.warnings and "'Zwolle'" in raw.warnings[0]


def test_folder_checksum_changes_with_content(tmp_path):
    write(tmp_path, "T1", [HEADER, *rows(["Totaal personen"], ["Assen"], ["2022"])])
    src = StatlineCsvFolder(tmp_path)
    src.fetch(REQ)
    before = src.describe()["checksum"]
    write(tmp_path, "T1", [HEADER, *rows(["Totaal personen"], ["Assen"], ["2022"], value="4.0")])
    src2 = StatlineCsvFolder(tmp_path)
    src2.fetch(REQ)
    assert src2.describe()["checksum"] != before
