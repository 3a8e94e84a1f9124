"""The warehouse built from the real CSV exports: content, values, province check, atomicity."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import read_csv_rows, table_file
from welfare.build import build_warehouse
from welfare.catalog import load_catalog
from welfare.errors import DataError, WelfareError
from welfare.regions import GEBIEDEN_TABLES
from welfare.warehouse import published_rows, read_manifest, read_observations, read_regions


def test_warehouse_has_enough_indicators_and_themes(built):
    out, _ = built
    obs = published_rows(read_observations(out)).dropna(subset=["value"])
    catalog = load_catalog()
    ids = set(obs["indicator_id"])
    themes = {catalog.indicators[i].theme for i in ids} - {"context"}
    assert len(ids) >= 25
    assert len(themes) >= 7


def test_newest_year_covers_330_gemeenten(built):
    out, _ = built
    obs = published_rows(read_observations(out)).dropna(subset=["value"])
    gm = obs[obs["level"] == "GM"]
    catalog = load_catalog()
    full = [i.id for i in catalog.indicators.values() if "GM" in i.levels and i.gemeente_coverage == "all"]
    assert len(full) >= 20
    for indicator_id in full:
        rows = gm[gm["indicator_id"] == indicator_id]
        newest = rows["year"].max()
        n = rows.loc[rows["year"] == newest, "region_code"].nunique()
        assert n >= 330, f"{indicator_id} {newest}: only {n} gemeenten"


def test_missing_values_are_never_zero(built, cbs_folder):
    """Empty CSV cells (e.g. Schiermonnikoog's suppressed health values) stay missing."""
    out, _ = built
    obs = published_rows(read_observations(out))
    row = obs[(obs["indicator_id"] == "hea_overweight") & (obs["region_code"] == "GM0088") & (obs["year"] == 2022)]
    assert len(row) == 1 and pd.isna(row["value"].iloc[0]) and row["flags"].iloc[0] == "suppressed"


def _code_of_title(cbs_folder: Path, year: int) -> dict[str, str]:
    rows = read_csv_rows(table_file(cbs_folder, GEBIEDEN_TABLES[year]))
    return {r["RegioS"].strip(): r["Code_1"].strip() for r in rows}


# (indicator, table, column key, filters, year of the boundaries, period or None, margins?)
SAMPLES = [
    ("wrk_unemployment", "86088NED", "Werkloosheidspercentage_13", {"Persoonskenmerken": "Totaal personen"}, 2024, None),
    ("mat_median_income", "86004NED", "MediaanGestandaardiseerdInkomen_4", {"KenmerkenVanHuishoudens": "Particuliere huishoudens"}, 2024, None),
    ("liv_distance_cafe", "80305ned", "AfstandTotCafeED_32", {}, "period", None),
    ("saf_recorded_crimes", "83648NED", "GeregistreerdeMisdrijvenPer1000Inw_3", {"SoortMisdrijf": "Misdrijven, totaal"}, "period", None),
    ("hea_overweight", "85563NED", "Overgewicht_7", {"Leeftijd": "Totaal", "Marges": "Waarde"}, 2022, 2022),
    ("ctx_population", "85644NED", "Bevolking_1", {"Nationaliteit": "Totaal"}, "period", None),
    ("wrk_highly_educated", "85525NED", "k_3HboWo_4", {"Leeftijd": "15 tot 75 jaar"}, "period", None),
]


@pytest.mark.parametrize("indicator_id,table_id,column,filters,boundary,fixed_year", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_values_equal_the_source_csv(built, cbs_folder, indicator_id, table_id, column, filters, boundary, fixed_year):
    out, _ = built
    obs = published_rows(read_observations(out)).set_index(["indicator_id", "region_code", "year"])
    rows = [r for r in read_csv_rows(table_file(cbs_folder, table_id)) if all(r[k].strip() == v for k, v in filters.items())]
    rng = random.Random(42)
    checked = 0
    for row in rng.sample(rows, min(len(rows), 400)):
        period = row.get("Perioden", "").strip()
        year = fixed_year or (int(period) if period.isdigit() else None)
        if year is None or year < 2013 or not row[column].strip():
            continue
        codes = _code_of_title(cbs_folder, boundary if isinstance(boundary, int) else year)
        code = codes.get(row["RegioS"].strip())
        if code is None:
            continue  # not a gemeente (NL, provinces, ... are checked elsewhere)
        assert obs.loc[(indicator_id, code, year), "value"] == pytest.approx(float(row[column])), (row["RegioS"], year)
        checked += 1
    assert checked >= 20


def test_confidence_bounds_go_to_lower_and_upper(built, cbs_folder):
    out, _ = built
    obs = published_rows(read_observations(out))
    rows = [r for r in read_csv_rows(table_file(cbs_folder, "85563NED")) if r["RegioS"] == "Amsterdam" and r["Leeftijd"] == "Totaal"]
    by_margin = {r["Marges"]: float(r["Overgewicht_7"]) for r in rows}
    got = obs[(obs["indicator_id"] == "hea_overweight") & (obs["region_code"] == "GM0363") & (obs["year"] == 2022)].iloc[0]
    assert got["value"] == by_margin["Waarde"]
    assert got["lower"] == by_margin["Ondergrens 95%-interval"]
    assert got["upper"] == by_margin["Bovengrens 95%-interval"]
    assert got["lower"] < got["value"] < got["upper"]


def test_ratio_indicator_is_recomputed_from_hectares(built, cbs_folder):
    out, _ = built
    obs = published_rows(read_observations(out))
    row = next(r for r in read_csv_rows(table_file(cbs_folder, "70262ned")) if r["RegioS"] == "Texel" and r["Perioden"] == "2017")
    land = float(row["TotaleOppervlakte_1"]) - float(row["TotaalBinnenwater_32"] or 0) - float(row["TotaalBuitenwater_42"] or 0)
    expected = 100 * float(row["TotaalBosEnOpenNatuurlijkTerrein_28"]) / land
    got = obs[(obs["indicator_id"] == "env_nature_forest_share") & (obs["region_code"] == "GM0448") & (obs["year"] == 2017)]
    assert got["value"].iloc[0] == pytest.approx(expected)


def test_province_values_match_cbs_rmbw(built, rmbw_folder):
    """Where the catalogue says our indicator is the RMBW's, the province values agree.

    The RMBW workbooks round to one decimal (some to whole numbers), and a few
    values come from an older vintage, so: most within rounding, all within 1.
    """
    out, _ = built
    obs = published_rows(read_observations(out))
    catalog = load_catalog()
    exact = [i for i in catalog.indicators.values() if i.rmbw_match == "exact"]
    assert len(exact) >= 15
    compared = close = 0
    for path in sorted(rmbw_folder.glob("PV*.xlsx")):
        code = path.name[:4]
        rmbw = pd.read_excel(path)
        for indicator in exact:
            ref = rmbw[rmbw["Label"] == indicator.rmbw_label].drop_duplicates("jaar")
            ours = obs[(obs["indicator_id"] == indicator.id) & (obs["region_code"] == code)]
            both = ref.merge(ours, left_on="jaar", right_on="year")
            if both.empty:
                continue
            diff = (both["waarde"] - both["value"]).abs()
            assert diff.max() <= 1.0, f"{indicator.id} {code}: differs from RMBW by {diff.max()}"
            compared += len(both)
            close += int((diff <= 0.051).sum())
    assert compared >= 1000
    assert close / compared >= 0.97


def test_regions_parquet_has_hierarchy_and_population(built):
    out, _ = built
    regions = read_regions(out)
    gm2025 = regions[(regions["level"] == "GM") & (regions["year"] == 2025)]
    assert len(gm2025) == 342
    ams = gm2025.set_index("code").loc["GM0363"]
    assert (ams["name"], ams["corop"], ams["provincie"], ams["landsdeel"]) == ("Amsterdam", "CR23", "PV27", "LD03")
    assert ams["population"] == 935793
    pv = regions[(regions["level"] == "PV") & (regions["year"] == 2025)]
    assert len(pv) == 12 and pv["population"].sum() == gm2025["population"].sum()


def test_manifest_records_source_catalogue_and_coverage(built):
    out, result = built
    manifest = read_manifest(out)
    assert manifest["source"]["kind"] == "folder"
    assert len(manifest["source"]["checksum"]) == 16
    assert manifest["catalog_hash"] == load_catalog().hash
    assert "86088NED" in manifest["tables"] and manifest["tables"]["86088NED"]["rows"] == 5220
    assert any(c["indicator_id"] == "wrk_unemployment" and c["level"] == "GM" and c["regions_last_year"] == 342 for c in manifest["coverage"])
    assert any("80305ned" in w and "cut off" in w for w in manifest["warnings"])
    assert any("indicators ×" in line for line in result.summary)


def _checksums(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failed_build_keeps_previous_warehouse(built, tmp_path, cbs_folder):
    out, _ = built
    before = _checksums(out)
    broken = tmp_path / "broken"
    broken.mkdir()
    for p in cbs_folder.glob("*.csv"):
        data = p.read_bytes()
        if p.stem.lower() == "86088ned":  # a renamed column
            data = data.replace(b"Werkloosheidspercentage_13", b"Werkloosheid_13", 1)
        (broken / p.name).write_bytes(data)
    with pytest.raises(DataError, match="86088NED.*Werkloosheidspercentage"):
        build_warehouse(source=str(broken), out_dir=out, boundaries=None)
    assert _checksums(out) == before
    assert [p.name for p in out.parent.iterdir()] == [out.name], "temporary files were left behind"


def test_auto_falls_back_to_folder_when_cbs_unreachable(tmp_path, monkeypatch, cbs_folder):
    monkeypatch.setenv("REGIOWELVAART_CBS_URL", "127.0.0.1:9")  # discard port: connection refused
    monkeypatch.setenv("REGIOWELVAART_CBS_HTTPS", "0")
    monkeypatch.setenv("REGIOWELVAART_CBS_FOLDER", str(cbs_folder))
    result = build_warehouse(source="auto", out_dir=tmp_path / "wh", boundaries=None)
    assert result.manifest["source"]["kind"] == "folder"
    assert any("CBS could not be reached" in line for line in result.summary)
    assert any("CBS could not be reached" in w for w in result.warnings)


def test_build_from_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(WelfareError, match="does not exist"):
        build_warehouse(source=str(tmp_path / "nope"), out_dir=tmp_path / "wh")
    assert not (tmp_path / "wh").exists()


def _folder_with(tmp_path: Path, cbs_folder: Path, table_id: str, edit) -> Path:
    """The real folder, linked file by file, with one table edited."""
    folder = tmp_path / "csv"
    folder.mkdir()
    for p in cbs_folder.glob("*.csv"):
        if p.stem.lower() == table_id.lower():
            (folder / p.name).write_bytes(edit(p.read_bytes()))
        else:
            (folder / p.name).symlink_to(p)
    return folder


def _cut_mid_row(data: bytes) -> bytes:
    return data[: data.rindex(b"\n", 0, len(data) - 1) + 15]  # the last row stops after a few bytes


BAD_INPUT = [
    ("truncated", "85563NED", _cut_mid_row, r"table 85563NED \(85563NED.csv\): malformed CSV"),
    ("unknown region", "86088NED", lambda d: d.replace(b";Assen;", b";Atlantis;", 1), r"table 86088NED, line \d+: unknown region 'Atlantis'"),
    ("renamed column", "81064ned", lambda d: d.replace(b"PersMetBetalingsachterstandRelatief_2", b"Relatief_2", 1), r"table 81064ned: no column 'PersMetBetalingsachterstandRelatief_<n>'"),
    ("non-numeric", "85036NED", lambda d: d.replace(b";Totaal;2019;", b";Totaal;2019;abc", 1), r"table 85036NED, line \d+, column GemiddeldeWOZWaardeVanWoningen_1: 'abc\S*' is not a number"),
    ("cut filter", "86088NED", lambda d: d.replace(b"Totaal personen", b"Totaal mensen"), r"table 86088NED: no rows with Persoonskenmerken = 'Totaal personen'"),
]


@pytest.mark.parametrize("case,table_id,edit,message", BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_names_the_table_and_keeps_the_warehouse(built, tmp_path, cbs_folder, case, table_id, edit, message):
    out, _ = built
    before = _checksums(out)
    folder = _folder_with(tmp_path, cbs_folder, table_id, edit)
    with pytest.raises(WelfareError, match=message):
        build_warehouse(source=str(folder), out_dir=out, boundaries=None)
    assert _checksums(out) == before
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_dot_value_is_missing_with_a_warning(tmp_path, cbs_folder):
    """CBS writes '.' for 'not available': it becomes a missing value, never 0, and is reported."""
    def dot(data: bytes) -> bytes:
        head, rest = data.split(b"\n", 1)
        lines = rest.split(b"\n")
        i = next(n for n, line in enumerate(lines) if b";Totaal personen;Assen;2024;" in line)
        cells = lines[i].split(b";")
        cells[-1] = b"."  # NettoArbeidsparticipatie_16
        lines[i] = b";".join(cells)
        return head + b"\n" + b"\n".join(lines)

    folder = _folder_with(tmp_path, cbs_folder, "86088NED", dot)
    result = build_warehouse(source=str(folder), out_dir=tmp_path / "wh", boundaries=None)
    assert any("86088NED" in w and "NettoArbeidsparticipatie_16" in w and "'.'" in w for w in result.warnings)
    obs = published_rows(read_observations(tmp_path / "wh"))
    assen = obs[(obs["indicator_id"] == "wrk_net_labour_participation") & (obs["region_code"] == "GM0106") & (obs["year"] == 2024)]
    assert pd.isna(assen["value"].iloc[0]) and assen["flags"].iloc[0] == "suppressed"


def test_boundaries_are_part_of_the_warehouse(built):
    from welfare.boundaries import read_boundaries, web_geojson

    out, result = built
    fragment = read_manifest(out)["boundaries"]
    assert fragment and fragment["source"]
    for year, n in ((2018, 380), (2019, 355), (2021, 352), (2022, 345), (2025, 342), (2026, 342)):
        gdf = read_boundaries(out, "gemeente", year)
        assert len(gdf) == n and gdf.crs.to_epsg() == 4326 and gdf.geometry.is_valid.all()
    assert (out / "boundaries" / "gemeente_2025.geojson").stat().st_size <= 300_000
    web = web_geojson(out, "gemeente", 2025)
    assert {f["id"] for f in web["features"]} == set(read_regions(out).query("level == 'GM' and year == 2025")["code"])
