"""Boundaries: the GeoJSON folder, PDOK (through tests/pdok_server.py), validation,
the simplified web copy, and the GeoParquet files written for the warehouse.

Expected counts are spelled out here from CBS's published numbers, not taken
from the code under test. All levels and years are written once per module.
"""

from __future__ import annotations

import csv
import json
import re
import socket
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow.parquet as pq
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from tests.pdok_server import GEO_DIR, FakePdokServer, make_pdok_server_fixture, pdok_server
from welfare import boundaries as bd
from welfare.errors import DataError, SourceError, SourceUnreachable, WarehouseError
from welfare.sources.geo_files import GeoJsonFolder
from welfare.sources.pdok import PdokSource

__all__ = ["pdok_server"]  # the fixture, imported for pytest

pytestmark = pytest.mark.skipif(not GEO_DIR.is_dir(), reason=f"no boundary folder {GEO_DIR}")

YEARS = list(range(2018, 2027))
# CBS: gemeenten on 1 January (herindelingen), 40 COROP, 12 provinces, 4 landsdelen.
GEMEENTEN = {2018: 380, 2019: 355, 2020: 355, 2021: 352, 2022: 345} | {y: 342 for y in range(2023, 2027)}
COUNTS = {
    "gemeente": GEMEENTEN,
    "coropgebied": {y: 40 for y in YEARS},
    "provincie": {y: 12 for y in YEARS},
    "landsdeel": {y: 4 for y in YEARS},
}
PATTERN = {"gemeente": r"GM\d{4}", "coropgebied": r"CR\d{2}", "provincie": r"PV\d{2}", "landsdeel": r"LD\d{2}"}
LAYERS = [(level, year) for level in COUNTS for year in YEARS]
GEBIEDEN_2025 = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "cbs" / "statline-dump-2025-04" / "86059NED.csv"

fast_pdok = make_pdok_server_fixture(name="fast_pdok", scope="module")


@pytest.fixture(scope="module")
def folder() -> GeoJsonFolder:
    return GeoJsonFolder(GEO_DIR)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list[bd.BoundaryStep]]:
    """Every level and year written once from the folder: (warehouse dir, manifest, steps)."""
    warehouse = tmp_path_factory.mktemp("wh") / "warehouse"
    steps: list[bd.BoundaryStep] = []
    manifest = bd.write_boundaries(warehouse / "boundaries", GeoJsonFolder(GEO_DIR), progress=steps.append)
    return warehouse, manifest, steps


def rd_area(geoms: gpd.GeoSeries) -> np.ndarray:
    """Areas in km² in RD New (equal-area enough for the Netherlands)."""
    return geoms.to_crs(28992).area.to_numpy() / 1e6


# -- the written layers --------------------------------------------------------------


@pytest.mark.parametrize(("level", "year"), LAYERS)
def test_row_counts_per_year_match_cbs(written, level: str, year: int) -> None:
    warehouse, manifest, _ = written
    gdf = bd.read_boundaries(warehouse, level, year)
    assert len(gdf) == COUNTS[level][year]
    assert manifest["files"][f"{level}_{year}.parquet"]["rows"] == COUNTS[level][year]
    assert manifest["files"][f"{level}_{year}.geojson"]["rows"] == COUNTS[level][year]


@pytest.mark.parametrize(("level", "year"), LAYERS)
def test_every_layer_is_valid_wgs84_with_unique_codes(written, level: str, year: int) -> None:
    warehouse, _, _ = written
    gdf = bd.read_boundaries(warehouse, level, year)
    assert list(gdf.columns) == ["statcode", "statnaam", "jaar", "geometry"]
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all()
    assert not gdf.geometry.is_empty.any()
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    assert gdf["statcode"].is_unique
    assert gdf["statcode"].str.fullmatch(PATTERN[level]).all()
    assert (gdf["jaar"] == year).all()
    assert (gdf["statnaam"].str.len() > 0).all()
    bounds = gdf.total_bounds  # lon/lat of the Netherlands, not RD metres
    assert 3.2 < bounds[0] < bounds[2] < 7.3 and 50.7 < bounds[1] < bounds[3] < 53.6


def test_the_shared_data_needed_no_repairs(written) -> None:
    _, manifest, _ = written
    assert manifest["notes"] == []


def test_geoparquet_round_trip_keeps_crs_columns_and_geometry(written, folder) -> None:
    warehouse, _, _ = written
    path = warehouse / "boundaries" / "gemeente_2021.parquet"
    gdf = gpd.read_parquet(path)
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf.columns) == ["statcode", "statnaam", "jaar", "geometry"]
    assert str(gdf["jaar"].dtype) == "int16"
    meta = pq.read_schema(path).metadata
    geo = json.loads(meta[b"geo"])
    assert geo["primary_column"] == "geometry"
    ours = json.loads(meta[b"regiowelvaart"])
    assert ours["level"] == "gemeente" and ours["year"] == 2021 and "schema_version" in ours
    # Full detail: the geometry is exactly what the source delivered.
    src = folder.fetch("gemeente", 2021).set_index("statcode").loc[gdf["statcode"]]
    assert shapely.equals_exact(gdf.geometry.to_numpy(), src.geometry.to_numpy(), tolerance=0).all()


def test_codes_and_names_follow_the_source(written) -> None:
    warehouse, _, _ = written
    g2018 = bd.read_boundaries(warehouse, "gemeente", 2018).set_index("statcode")["statnaam"]
    g2023 = bd.read_boundaries(warehouse, "gemeente", 2023).set_index("statcode")["statnaam"]
    assert g2023["GM0363"] == "Amsterdam"
    assert "GM0053" in g2018.index and "GM0053" not in g2023.index  # Winsum, split in 2019
    assert "GM1966" in g2023.index and "GM1966" not in g2018.index  # Het Hogeland


def test_landsdelen_are_the_provinces_dissolved(written) -> None:
    warehouse, _, _ = written
    prov = bd.read_boundaries(warehouse, "provincie", 2023)
    ld = bd.read_boundaries(warehouse, "landsdeel", 2023)
    assert list(ld["statcode"]) == ["LD01", "LD02", "LD03", "LD04"]
    assert list(ld["statnaam"]) == ["Noord-Nederland", "Oost-Nederland", "West-Nederland", "Zuid-Nederland"]
    prov_area = dict(zip(prov["statcode"], rd_area(prov.geometry), strict=True))
    for code, area in zip(ld["statcode"], rd_area(ld.geometry), strict=True):
        members = [p for p, l in bd.LANDSDEEL_OF_PROVINCIE.items() if l == code]
        assert area == pytest.approx(sum(prov_area[p] for p in members), rel=1e-4)
    assert rd_area(ld.geometry).sum() == pytest.approx(35_134, rel=0.002)  # SOURCE.md: 35,134 km²


@pytest.mark.skipif(not GEBIEDEN_2025.is_file(), reason="no 86059NED in the dump")
def test_landsdeel_mapping_matches_cbs_gebieden_in_nederland() -> None:
    with GEBIEDEN_2025.open(encoding="utf-8-sig", newline="") as f:
        pairs = {(r["Code_28"].strip(), r["Code_26"].strip()) for r in csv.DictReader(f, delimiter=";")}
    assert dict(pairs) == bd.LANDSDEEL_OF_PROVINCIE


def test_progress_and_manifest(written) -> None:
    warehouse, manifest, steps = written
    assert [s.step for s in steps] == list(range(1, 37))
    assert {s.total for s in steps} == {36}
    assert manifest["source"]["kind"] == "folder"
    assert manifest["key"] == "statcode" and manifest["crs"] == "EPSG:4326"
    folder = warehouse / "boundaries"
    # Exactly the 72 files, nothing half-written, nothing outside the folder.
    assert sorted(p.name for p in folder.iterdir()) == sorted(manifest["files"])
    assert sorted(p.name for p in warehouse.iterdir()) == ["boundaries"]
    for name, entry in manifest["files"].items():
        data = (folder / name).read_bytes()
        assert entry["bytes"] == len(data)
        assert len(entry["sha256"]) == 64
    assert manifest["files"]["landsdeel_2020.parquet"]["source"].startswith("dissolved from provincie 2020")


# -- the web copy --------------------------------------------------------------------


@pytest.mark.parametrize(("level", "year"), LAYERS)
def test_web_copy_is_small_valid_and_close_to_the_full_layer(written, level: str, year: int) -> None:
    warehouse, manifest, _ = written
    path = bd.boundaries_path(warehouse, level, year, web=True)
    text = path.read_text(encoding="utf-8")
    assert len(text.encode()) <= bd.WEB_MAX_BYTES[level]
    if level == "gemeente":
        assert path.stat().st_size <= 300_000
    # Coordinates rounded to at most 5 decimals.
    assert max(len(d) for d in re.findall(r"\.(\d+)", text)) <= 5

    full = bd.read_boundaries(warehouse, level, year)
    web = bd.read_boundaries(warehouse, level, year, web=True)
    assert list(web["statcode"]) == list(full["statcode"])
    assert web.geometry.is_valid.all() and not web.geometry.is_empty.any()
    # Shared borders stay shared: the simplified layer is still an edge-matched coverage.
    assert shapely.coverage_is_valid(web.geometry.to_numpy())
    ratio = rd_area(web.geometry) / rd_area(full.geometry)
    assert np.abs(ratio - 1).max() <= 0.02, dict(zip(full["statcode"], ratio, strict=True))
    assert manifest["files"][path.name]["max_area_error"] <= 0.02


def test_web_geojson_is_ready_for_choropleth_map(written) -> None:
    warehouse, _, _ = written
    doc = bd.web_geojson(warehouse, "gemeente", 2023)
    assert doc["type"] == "FeatureCollection"
    assert len(doc["features"]) == 342
    assert all(f["id"] == f["properties"]["statcode"] for f in doc["features"])
    names = {f["id"]: f["properties"]["statnaam"] for f in doc["features"]}
    assert names["GM1900"] == "Súdwest-Fryslân"  # UTF-8, not escaped away


def test_simplification_keeps_neighbours(written) -> None:
    """Regions that share a border in the full layer still share one in the web copy."""
    warehouse, _, _ = written
    full = bd.read_boundaries(warehouse, "gemeente", 2018)  # the one that needs simplifying
    web = bd.read_boundaries(warehouse, "gemeente", 2018, web=True)

    def neighbours(gdf: gpd.GeoDataFrame, min_len: float) -> set[tuple[str, str]]:
        geoms = gdf.geometry.to_numpy()
        left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
        keep = left < right
        shared = shapely.length(shapely.intersection(geoms[left[keep]], geoms[right[keep]]))
        codes = gdf["statcode"].to_numpy()
        return {(codes[a], codes[b]) for a, b, s in zip(left[keep], right[keep], shared) if s > min_len}

    # Borders longer than ~500 m must survive; the web copy may not invent new ones.
    assert neighbours(full, 0.005) <= neighbours(web, 0.0)
    assert neighbours(web, 0.0) <= neighbours(full, 0.0)


def test_simplify_for_web_meets_a_tighter_budget(folder) -> None:
    gdf = bd.load_boundaries(folder, "gemeente", 2023)
    web = bd.simplify_for_web(gdf, max_bytes=150_000)
    info = web.attrs["web"]
    assert info["bytes"] <= 150_000 and info["tolerance_deg"] > 0
    assert len(bd.web_geojson_bytes(web)) == info["bytes"]
    assert web.geometry.is_valid.all() and info["coverage_valid"]
    assert list(web["statcode"]) == list(gdf["statcode"])


def test_simplify_for_web_refuses_an_impossible_budget(folder) -> None:
    gdf = bd.load_boundaries(folder, "provincie", 2023)
    with pytest.raises(ValueError, match="under 500 bytes"):
        bd.simplify_for_web(gdf, max_bytes=500)


# -- validation ----------------------------------------------------------------------


def square(x: float, y: float, size: float = 0.1) -> shapely.Polygon:
    return shapely.box(x, y, x + size, y + size)


def frame(codes: list[str], geoms: list | None = None, crs: object = 4326) -> gpd.GeoDataFrame:
    geoms = geoms or [square(5 + i * 0.1, 52) for i in range(len(codes))]
    return gpd.GeoDataFrame({"statcode": codes, "statnaam": [f"R{c}" for c in codes]}, geometry=geoms, crs=crs)


@pytest.mark.parametrize(
    ("gdf", "level", "message"),
    [
        (frame(["GM0001", "GM0001"]), "gemeente", "statcode not unique: GM0001"),
        (frame(["GM0001", "CR01"]), "gemeente", r"not of the form GM\\d\{4\}: CR01"),
        (frame(["PV20 ", "PV2"]), "provincie", "not of the form .*: PV2$"),
        (frame(["GM0001"], crs=None), "gemeente", "no CRS"),
        (frame(["GM0001", "GM0002"], [square(5, 52), shapely.Polygon()]), "gemeente", "no geometry for GM0002"),
        (frame(["GM0001"], [shapely.LineString([(5, 52), (6, 53)])]), "gemeente", r"not a polygon: GM0001 \(LineString\)"),
        (frame([]), "gemeente", "no regions"),
    ],
)
def test_validate_refuses_bad_layers(gdf, level: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        bd.validate(gdf, level, 2023, check_count=False)


def test_validate_checks_the_cbs_count() -> None:
    with pytest.raises(DataError, match="gemeente 2021: 2 regions, but CBS has 352"):
        bd.validate(frame(["GM0001", "GM0002"]), "gemeente", 2021)


def test_validate_repairs_only_what_is_invalid_and_says_so() -> None:
    bowtie = shapely.Polygon([(5, 52), (5.1, 52.1), (5.1, 52), (5, 52.1)])
    gdf = frame(["GM0002", "GM0001"], [bowtie, square(6, 52)])
    out, notes = bd.validate(gdf, "gemeente", 2023, check_count=False)
    assert list(out["statcode"]) == ["GM0001", "GM0002"]  # sorted by code
    assert out.geometry.is_valid.all()
    assert out.geometry.iloc[0].equals(square(6, 52))  # the valid one is untouched
    assert len(notes) == 1 and "repaired 1 invalid geometry" in notes[0] and "GM0002" in notes[0]
    assert "Self-intersection" in notes[0]


def test_validate_reprojects_and_says_so() -> None:
    gdf = frame(["PV27"], crs=4326).to_crs(28992)
    out, notes = bd.validate(gdf, "provincie", 2023, check_count=False)
    assert out.crs.to_epsg() == 4326
    assert out.geometry.iloc[0].equals_exact(square(5, 52), tolerance=1e-7)
    assert notes == ["provincie 2023: reprojected from EPSG:28992 to EPSG:4326"]


@pytest.mark.parametrize(("level", "year"), [("wijk", 2023), ("gemeente", "2023")])
def test_load_boundaries_checks_its_arguments(folder, level, year) -> None:
    with pytest.raises(ValueError, match="'level' must be one of|'year' must be an int"):
        bd.load_boundaries(folder, level, year)


# -- the GeoJSON folder --------------------------------------------------------------


def write_geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def feature(code: str | None, name: str = "X") -> dict:
    props = {"statnaam": name} | ({"statcode": code} if code is not None else {})
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(square(5, 52))}


def test_folder_reports_a_missing_file_with_what_is_there(folder) -> None:
    with pytest.raises(SourceError, match=r"no file gemeente_2017.geojson .*gemeente is there for 2018–2026"):
        folder.fetch("gemeente", 2017)
    with pytest.raises(SourceError, match="levels present: coropgebied, gemeente, provincie"):
        folder.fetch("wijk", 2023)


def test_folder_reports_invalid_json_with_file_and_position(tmp_path: Path) -> None:
    (tmp_path / "gemeente_2023.geojson").write_text('{"type": "FeatureCollection",\n "features": [}')
    with pytest.raises(SourceError, match=r"gemeente_2023.geojson is not valid JSON \(.* line 2, column 15\)"):
        GeoJsonFolder(tmp_path).fetch("gemeente", 2023)


def test_folder_reports_a_feature_without_statcode(tmp_path: Path) -> None:
    write_geojson(tmp_path / "provincie_2023.geojson", [feature("PV20"), feature(None, "Zonder")])
    with pytest.raises(DataError, match="provincie_2023.geojson: feature 2 .* has no statcode") as info:
        GeoJsonFolder(tmp_path).fetch("provincie", 2023)
    assert info.value.row == 2 and info.value.field == "statcode"


def test_folder_refuses_other_crs_and_missing_folder(tmp_path: Path) -> None:
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}, "features": []}
    (tmp_path / "gemeente_2023.geojson").write_text(json.dumps(doc))
    with pytest.raises(SourceError, match="EPSG::28992; expected WGS84"):
        GeoJsonFolder(tmp_path).fetch("gemeente", 2023)
    with pytest.raises(SourceError, match="does not exist"):
        GeoJsonFolder(tmp_path / "nope")


def test_folder_frame_shape(folder) -> None:
    gdf = folder.fetch("coropgebied", 2019)
    assert list(gdf.columns) == ["statcode", "statnaam", "jaar", "geometry"]
    assert gdf.crs.to_epsg() == 4326 and len(gdf) == 40
    assert gdf.attrs["input"]["file"] == "coropgebied_2019.geojson"
    assert folder.describe()["files"]["coropgebied_2019.geojson"] == gdf.attrs["input"]["sha256"][:16]


# -- PDOK through the fake server ----------------------------------------------------


def pdok(server: FakePdokServer, **kwargs: object) -> PdokSource:
    settings: dict[str, object] = {"timeout_s": 5.0, "attempts": 3, "backoff_s": 0.0, "page_size": 100}
    settings.update(kwargs)
    return PdokSource(server.base_url, **settings)  # type: ignore[arg-type]


@pytest.mark.parametrize(("level", "year"), [("gemeente", 2018), ("gemeente", 2023), ("coropgebied", 2021), ("provincie", 2026)])
def test_pdok_gives_what_the_folder_gives(fast_pdok: FakePdokServer, folder, level: str, year: int) -> None:
    via_pdok = bd.load_boundaries(pdok(fast_pdok), level, year)
    via_folder = bd.load_boundaries(folder, level, year)
    assert list(via_pdok["statcode"]) == list(via_folder["statcode"])
    assert_geodataframe_equal(via_pdok, via_folder, check_less_precise=True)


def test_pdok_really_pages(pdok_server: FakePdokServer) -> None:
    src = pdok(pdok_server, page_size=100)
    gdf = src.fetch("gemeente", 2018)
    assert len(gdf) == 380
    log = pdok_server.requests_for("gemeente_gegeneraliseerd")
    assert [r.page for r in log] == [1, 2, 3, 4]
    assert [r.returned for r in log] == [100, 100, 100, 80]
    assert [r.query.get("offset", "0") for r in log] == ["0", "100", "200", "300"]
    # Every page asked for JSON, one year, and the page size: the JSON next link was followed.
    assert all(r.query["f"] == "json" and r.query["jaarcode"] == "2018" and r.query["limit"] == "100" for r in log)
    assert gdf.attrs["input"]["pages"] == 4 and gdf.attrs["input"]["timeStamp"]


def test_pdok_follows_next_links_when_the_server_lowers_the_limit() -> None:
    with FakePdokServer(max_limit=150, number_matched=False) as server:
        gdf = pdok(server, page_size=1000).fetch("gemeente", 2023)
        assert len(gdf) == 342
        assert [r.returned for r in server.request_log] == [150, 150, 42]


def test_pdok_drops_other_years_if_the_server_ignores_jaarcode() -> None:
    with FakePdokServer(ignore_year_filter=True) as server:
        gdf = pdok(server, page_size=1000).fetch("provincie", 2022)
        assert len(gdf) == 12 and (gdf["jaar"] == 2022).all()
        assert server.request_log[0].returned == 12 * 9  # every year came over the wire


def test_pdok_retries_5xx_then_succeeds(pdok_server: FakePdokServer) -> None:
    waits: list[float] = []
    pdok_server.set_fault("provincie_gegeneraliseerd", status=503, times=2)
    gdf = pdok(pdok_server, backoff_s=0.01, sleep=waits.append).fetch("provincie", 2023)
    assert len(gdf) == 12
    assert [r.status for r in pdok_server.request_log] == [503, 503, 200]
    assert waits == [0.01, 0.02]


def test_pdok_retries_429(pdok_server: FakePdokServer) -> None:
    pdok_server.set_fault(status=429, times=1)
    assert len(pdok(pdok_server).fetch("coropgebied", 2023)) == 40


def test_pdok_gives_up_on_5xx_naming_collection_year_and_fault(pdok_server: FakePdokServer) -> None:
    pdok_server.set_fault("gemeente_gegeneraliseerd", status=500)
    with pytest.raises(SourceError) as info:
        pdok(pdok_server).fetch("gemeente", 2021)
    err = info.value
    assert not isinstance(err, SourceUnreachable)  # PDOK answered, it was just broken
    assert "collection gemeente_gegeneraliseerd, jaarcode 2021, page 1: HTTP 500" in str(err)
    assert "after 3 attempts" in str(err) and "PDOK OGC API Features (127.0.0.1:" in str(err)
    assert err.table_id == "gemeente_gegeneraliseerd/2021"
    assert len(pdok_server.request_log) == 3


def test_pdok_timeout_is_unreachable_after_retries(pdok_server: FakePdokServer) -> None:
    pdok_server.set_fault(delay_s=2.0)
    with pytest.raises(SourceUnreachable, match=r"provincie_gegeneraliseerd, jaarcode 2019, page 1: no answer within 0.3 s \(timeout\) \(after 2 attempts\)"):
        pdok(pdok_server, timeout_s=0.3, attempts=2).fetch("provincie", 2019)


def test_pdok_invalid_json_on_a_later_page(pdok_server: FakePdokServer) -> None:
    pdok_server.set_fault("gemeente_gegeneraliseerd", invalid_json=True, page=2, times=1)
    assert len(pdok(pdok_server).fetch("gemeente", 2023)) == 342
    assert [r.page for r in pdok_server.request_log] == [1, 2, 2, 3, 4]

    pdok_server.set_fault("gemeente_gegeneraliseerd", invalid_json=True, page=3)
    with pytest.raises(SourceError, match=r"jaarcode 2023, page 3: invalid JSON in the response .*after 3 attempts"):
        pdok(pdok_server).fetch("gemeente", 2023)


def test_pdok_connection_reset(pdok_server: FakePdokServer) -> None:
    pdok_server.set_fault("gemeente_gegeneraliseerd", reset=True, page=2, times=1)
    assert len(pdok(pdok_server).fetch("gemeente", 2020)) == 355

    pdok_server.set_fault("gemeente_gegeneraliseerd", reset=True, page=2)
    with pytest.raises(SourceError, match=r"jaarcode 2020, page 2: the connection broke off|jaarcode 2020, page 2: the server closed"):
        pdok(pdok_server, attempts=2).fetch("gemeente", 2020)


def test_pdok_unknown_collection_is_not_retried(pdok_server: FakePdokServer) -> None:
    with pytest.raises(SourceError, match="collection wijk_gegeneraliseerd does not exist at PDOK"):
        pdok(pdok_server).fetch("wijk", 2023)
    assert len(pdok_server.request_log) == 1


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_pdok_connection_refused_is_unreachable() -> None:
    src = PdokSource(f"http://127.0.0.1:{closed_port()}/ogc/v1", timeout_s=1, attempts=2, backoff_s=0)
    with pytest.raises(SourceUnreachable, match="collection gemeente_gegeneraliseerd, jaarcode 2023, page 1: connection refused"):
        src.fetch("gemeente", 2023)


# -- source_for and the auto fallback ------------------------------------------------


def test_source_for_pdok_uses_the_env_url(pdok_server: FakePdokServer, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(bd.PDOK_URL_ENV, pdok_server.base_url)
    manifest = bd.write_boundaries(tmp_path / "b", bd.source_for("pdok"), years=[2023], levels=["provincie", "landsdeel"])
    assert manifest["source"]["kind"] == "pdok"
    assert manifest["files"]["landsdeel_2023.parquet"]["rows"] == 4
    # Landsdelen reuse the provinces: PDOK was asked once.
    assert len(pdok_server.requests_for("provincie_gegeneraliseerd")) == 1


def test_auto_uses_pdok_when_it_answers(pdok_server: FakePdokServer, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(bd.PDOK_URL_ENV, pdok_server.base_url)
    src = bd.source_for("auto")
    manifest = bd.write_boundaries(tmp_path / "b", src, years=[2022], levels=["coropgebied"])
    assert manifest["source"]["kind"] == "pdok" and manifest["notes"] == []


def test_auto_falls_back_to_the_folder(monkeypatch, tmp_path: Path, written) -> None:
    monkeypatch.setenv(bd.PDOK_URL_ENV, f"http://127.0.0.1:{closed_port()}/ogc/v1")
    monkeypatch.setenv(bd.GEO_FOLDER_ENV, str(GEO_DIR))
    manifest = bd.write_boundaries(tmp_path / "b", bd.source_for("auto"), years=[2023], levels=["gemeente"])
    assert manifest["source"]["kind"] == "folder"
    assert "connection refused" in manifest["source"]["fallback_reason"]
    assert manifest["notes"][0].startswith("PDOK could not be reached")
    # Same bytes as the folder build: the fallback is the folder, nothing mixed.
    _, full, _ = written
    assert manifest["files"]["gemeente_2023.geojson"]["sha256"] == full["files"]["gemeente_2023.geojson"]["sha256"]


def test_source_for_a_folder_path() -> None:
    src = bd.source_for(str(GEO_DIR))
    assert isinstance(src, GeoJsonFolder) and src.kind == "folder"


# -- reading errors ------------------------------------------------------------------


def test_read_boundaries_missing_layer(written) -> None:
    warehouse, _, _ = written
    with pytest.raises(WarehouseError, match=r"no gemeente boundaries for 2017 .*run `python -m welfare build`"):
        bd.read_boundaries(warehouse, "gemeente", 2017)
    with pytest.raises(WarehouseError, match="no provincie boundaries for 2030"):
        bd.web_geojson(warehouse, "provincie", 2030)


def test_read_boundaries_refuses_another_schema(tmp_path: Path, folder) -> None:
    path = bd.boundaries_path(tmp_path, "provincie", 2023)
    path.parent.mkdir(parents=True)
    folder.fetch("provincie", 2023).to_parquet(path)  # no regiowelvaart metadata
    with pytest.raises(WarehouseError, match="warehouse schema None"):
        bd.read_boundaries(tmp_path, "provincie", 2023)
