"""``build --refresh``: only tables whose modification date moved are downloaded.

Against the local OData4 portal (tests/odata4_server.py) and a v3 feed whose
``TableInfos.Modified`` is set per table: the requests per table are counted on
the servers, the files of the untouched tables are compared by SHA-256, and a
table that fails keeps its previous data, flagged stale in the manifest and on
the status page.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import welfare.build
from tests.cbs_server import DUMP_DIR, FakeCbsServer
from tests.odata4_server import FakeOData4Server
from welfare import status
from welfare.build import build_warehouse
from welfare.catalog import load_catalog
from welfare.cli import main
from welfare.errors import SourceUnreachable
from welfare.regions import GEBIEDEN_TABLES
from welfare.warehouse import published_rows, read_manifest, read_observations, snapshot_name, verify_warehouse

pytestmark = pytest.mark.odata4

MINI = ("wrk_unemployment", "saf_recorded_crimes", "ctx_woz_value")
CHANGED = "86088NED"
OTHERS = ("83648NED", "85036NED")
OLD = "2025-04-01T02:00:00+02:00"
NEW = "2025-07-01T02:00:00+02:00"


def mini_catalog() -> Any:
    catalog = load_catalog()
    return dataclasses.replace(catalog, indicators={k: catalog.indicators[k] for k in MINI})


def checksums(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DatedCbsServer(FakeCbsServer):
    """The fake v3 feed with a ``TableInfos.Modified`` per table (``dates``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dates: dict[str, str] = {}

    def _entity_value(self, table_id: str, entity: str) -> Any:
        value = super()._entity_value(table_id, entity)
        if entity == "TableInfos" and table_id.upper() in self.dates:
            value = [dict(value[0], Modified=self.dates[table_id.upper()])]
        return value


@pytest.fixture(scope="module")
def v4_server() -> Iterator[FakeOData4Server]:
    if not DUMP_DIR.is_dir():
        pytest.skip(f"CBS CSV dump not found at {DUMP_DIR}")
    with FakeOData4Server(page_size=4_000) as server:
        yield server


@pytest.fixture(scope="module")
def v3_server() -> Iterator[DatedCbsServer]:
    if not DUMP_DIR.is_dir():
        pytest.skip(f"CBS CSV dump not found at {DUMP_DIR}")
    with DatedCbsServer(page_size=4_000) as server:
        yield server


def point_at(mp: pytest.MonkeyPatch, v4: FakeOData4Server | None, v3: FakeCbsServer | None) -> None:
    mp.setenv("REGIOWELVAART_CBS4_URL", v4.host if v4 else "off")
    mp.setenv("REGIOWELVAART_CBS4_HTTPS", "0")
    mp.setenv("REGIOWELVAART_CBS_URL", v3.catalog_url if v3 else "off")
    mp.setenv("REGIOWELVAART_CBS_HTTPS", "0")


def build(out: Path, refresh: bool = True) -> Any:
    return build_warehouse(source="cbs", out_dir=out, boundaries=None, catalog=mini_catalog(), timeout_s=2.0, refresh=refresh)


@pytest.fixture(scope="module")
def template_v4(tmp_path_factory: pytest.TempPathFactory, v4_server: FakeOData4Server) -> Path:
    """A first live build (v4 only), the previous warehouse of every v4 refresh test."""
    out = tmp_path_factory.mktemp("v4") / "wh"
    with pytest.MonkeyPatch.context() as mp:
        point_at(mp, v4_server, None)
        build(out, refresh=False)
    return out


@pytest.fixture(scope="module")
def template_v3(tmp_path_factory: pytest.TempPathFactory, v3_server: DatedCbsServer) -> Path:
    out = tmp_path_factory.mktemp("v3") / "wh"
    with pytest.MonkeyPatch.context() as mp:
        point_at(mp, None, v3_server)
        build(out, refresh=False)
    return out


@pytest.fixture
def v4(v4_server: FakeOData4Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOData4Server]:
    v4_server.clear_faults()
    point_at(monkeypatch, v4_server, None)
    yield v4_server
    v4_server.clear_faults()


@pytest.fixture
def previous(template_v4: Path, tmp_path: Path) -> Path:
    out = tmp_path / "wh"
    shutil.copytree(template_v4, out)
    return out


def requests_per_table(server: FakeOData4Server | FakeCbsServer, since: int) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for r in server.request_log[since:]:
        seen.setdefault(r.table_id.upper(), []).append(r.entity)
    return seen


def rows_from(out: Path, tables: tuple[str, ...]) -> pd.DataFrame:
    obs = published_rows(read_observations(out))
    obs = obs[obs["source_table"].isin(tables)]
    return obs.sort_values(["indicator_id", "region_code", "year"]).reset_index(drop=True)


ALL = sorted([CHANGED, *OTHERS, *GEBIEDEN_TABLES.values()])


# ------------------------------------------------------------------ refresh


def test_first_build_keeps_snapshots_and_api_per_table(template_v4: Path) -> None:
    manifest = read_manifest(template_v4)
    assert manifest["source"]["api"] == "odata-v4"
    assert sorted(manifest["tables"]) == ALL
    for table_id, entry in manifest["tables"].items():
        assert entry["api"] == "odata-v4" and entry["version"] == OLD, table_id
        assert entry["snapshots"] and all(s in manifest["files"] for s in entry["snapshots"]), table_id
    codes = manifest["tables"][CHANGED]["measure_codes"]
    assert set(codes) == {"Werkloosheidspercentage"} and codes["Werkloosheidspercentage"].startswith("M")
    assert verify_warehouse(template_v4) == []


def test_refresh_downloads_only_the_changed_table(v4: FakeOData4Server, previous: Path) -> None:
    before = checksums(previous)
    previous_build = read_manifest(previous)["build_id"]
    old_rows = rows_from(previous, OTHERS)
    old_unemployment = rows_from(previous, (CHANGED,))
    v4.set_modified(CHANGED, NEW)
    # the new edition: 2024 now published as missing, so the download shows in the data
    v4.set_attribute(CHANGED, "Werkloosheidspercentage_13", "Missing", lambda r: r["Perioden"] == "2024JJ00", value=None)
    mark = len(v4.request_log)

    result = build(previous)

    seen = requests_per_table(v4, mark)
    assert "Observations" in seen[CHANGED] and "MeasureCodes" in seen[CHANGED]
    for table_id in ALL:
        if table_id != CHANGED:
            assert seen[table_id] == ["Properties"], table_id  # checked, not downloaded
    manifest = result.manifest
    assert manifest["refresh"] == {
        "previous_build": previous_build,
        "changed": [CHANGED],
        "unchanged": [t for t in ALL if t != CHANGED],
        "failed": [],
        "new": [],
    }
    assert manifest["tables"][CHANGED]["version"] == NEW and manifest["tables"][CHANGED]["refresh"] == "changed"
    assert manifest["tables"]["83648NED"]["refresh"] == "unchanged"
    after = checksums(previous)
    changed_snapshot = snapshot_name(CHANGED, {"Persoonskenmerken": "Totaal personen"})
    assert after[changed_snapshot] != before[changed_snapshot]
    for name, digest in before.items():
        if name.startswith("raw/") and name != changed_snapshot:
            assert after[name] == digest, name  # the other tables' data untouched
    pd.testing.assert_frame_equal(rows_from(previous, OTHERS), old_rows)
    new_unemployment = rows_from(previous, (CHANGED,))
    in_2024 = new_unemployment["year"] == 2024
    assert in_2024.sum() > 300 and new_unemployment.loc[in_2024, "value"].isna().all()
    assert old_unemployment.loc[old_unemployment["year"] == 2024, "value"].notna().sum() > 300
    pd.testing.assert_frame_equal(new_unemployment[~in_2024].reset_index(drop=True), old_unemployment[old_unemployment["year"] != 2024].reset_index(drop=True))
    line = next(x for x in result.summary if x.startswith("refresh against build"))
    assert f"1 changed ({CHANGED} ({OLD} → {NEW}))" in line and f"{len(ALL) - 1} unchanged (not downloaded)" in line
    assert "0 failed" in line
    assert verify_warehouse(previous) == []


def test_nothing_changed_downloads_nothing_and_gives_the_same_warehouse(v4: FakeOData4Server, previous: Path) -> None:
    before = checksums(previous)
    build_id = read_manifest(previous)["build_id"]
    mark = len(v4.request_log)
    result = build(previous)
    assert all(entities == ["Properties"] for entities in requests_per_table(v4, mark).values())
    assert len(requests_per_table(v4, mark)) == len(ALL)
    assert result.manifest["build_id"] == build_id and result.manifest["refresh"]["previous_build"] == build_id
    after = checksums(previous)
    assert {k: v for k, v in after.items() if k != "manifest.json"} == {k: v for k, v in before.items() if k != "manifest.json"}


def test_failing_table_keeps_its_previous_data_flagged_stale(v4: FakeOData4Server, previous: Path) -> None:
    before = checksums(previous)
    old_rows = rows_from(previous, (CHANGED,))
    v4.set_modified(CHANGED, NEW)
    v4.set_fault(CHANGED, "Observations", status=500)

    result = build(previous)

    manifest = result.manifest
    entry = manifest["tables"][CHANGED]
    assert entry["refresh"] == "failed" and entry["version"] == OLD  # the version of the data kept
    assert entry["stale"]["cbs_version"] == NEW and entry["stale"]["since"] == manifest["built_at"]
    assert "HTTP 500" in entry["stale"]["reason"] and CHANGED in entry["stale"]["reason"]
    assert manifest["refresh"]["failed"] == [CHANGED]
    snapshot = snapshot_name(CHANGED, {"Persoonskenmerken": "Totaal personen"})
    assert checksums(previous)[snapshot] == before[snapshot]
    pd.testing.assert_frame_equal(rows_from(previous, (CHANGED,)), old_rows)
    assert any(w.startswith(f"table {CHANGED}: refresh failed, kept the previous data (version {OLD}), flagged stale") for w in result.warnings)
    assert any("1 failed" in line for line in result.summary)
    assert verify_warehouse(previous) == []

    # the status page
    on_disk = read_manifest(previous)
    tables = status.tables_frame(on_disk).set_index("table_id")
    assert tables.loc[CHANGED, "stale"] and not tables.loc["83648NED", "stale"]
    assert tables.loc[CHANGED, "api"] == "odata-v4"
    rows = dict(status.source_summary(on_disk, "nl"))
    assert rows["Verouderde tabellen"].startswith(f"{CHANGED}: vernieuwen mislukt op ")
    assert f"(versie {OLD})" in rows["Verouderde tabellen"]
    assert any(CHANGED in w and "stale" in w for w in status.build_warnings(on_disk))

    # still failing: still stale, since the first failure
    since = entry["stale"]["since"]
    again = build(previous)
    assert again.manifest["tables"][CHANGED]["stale"]["since"] == since

    # CBS answers again: downloaded, no longer stale
    v4.clear_faults()
    v4.set_modified(CHANGED, NEW)
    healed = build(previous)
    assert healed.manifest["tables"][CHANGED]["refresh"] == "changed"
    assert "stale" not in healed.manifest["tables"][CHANGED]
    assert healed.manifest["tables"][CHANGED]["version"] == NEW
    assert not status.tables_frame(read_manifest(previous))["stale"].any()


def test_a_table_that_cannot_be_checked_is_stale_without_a_download(v4: FakeOData4Server, previous: Path) -> None:
    v4.set_fault(CHANGED, "Properties", status=503)
    mark = len(v4.request_log)
    result = build(previous)
    seen = requests_per_table(v4, mark)
    assert set(seen[CHANGED]) == {"Properties"}  # retried, then given up: no Observations
    entry = result.manifest["tables"][CHANGED]
    assert entry["refresh"] == "failed" and "HTTP 503" in entry["stale"]["reason"]
    assert entry["stale"]["cbs_version"] is None


def test_cbs_unreachable_fails_the_refresh_and_keeps_the_warehouse(previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = checksums(previous)
    monkeypatch.setenv("REGIOWELVAART_CBS4_URL", f"127.0.0.1:{closed_port()}")
    monkeypatch.setenv("REGIOWELVAART_CBS4_HTTPS", "0")
    monkeypatch.setenv("REGIOWELVAART_CBS_URL", "off")
    with pytest.raises(SourceUnreachable, match=r"refresh: CBS could not be reached for any table .*connection refused.*unchanged"):
        build(previous)
    assert checksums(previous) == before


def test_refresh_without_a_previous_warehouse_is_a_full_build(v4: FakeOData4Server, tmp_path: Path) -> None:
    result = build(tmp_path / "wh")
    assert "refresh: no previous warehouse; every table was downloaded" in result.warnings
    assert "refresh" not in result.manifest


def test_v3_refresh_compares_tableinfos_modified(
    v3_server: DatedCbsServer, template_v3: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "wh"
    shutil.copytree(template_v3, out)
    point_at(monkeypatch, None, v3_server)
    before = checksums(out)
    assert read_manifest(out)["tables"][CHANGED]["api"] == "odata-v3"
    v3_server.dates[CHANGED] = "2025-07-01T02:00:00"
    mark = len(v3_server.request_log)
    try:
        result = build(out)
    finally:
        v3_server.dates.clear()
    seen = requests_per_table(v3_server, mark)
    assert "TypedDataSet" in seen[CHANGED]
    for table_id in ALL:
        if table_id != CHANGED:
            assert seen[table_id] == ["TableInfos"], table_id
    assert result.manifest["refresh"]["changed"] == [CHANGED]
    assert result.manifest["tables"][CHANGED]["version"] == "2025-07-01T02:00:00"
    after = checksums(out)
    for name in before:
        if name.startswith("raw/") and not name.startswith(f"raw/{CHANGED}"):
            assert after[name] == before[name], name


def test_cli_refresh_prints_what_changed(v4: FakeOData4Server, previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(welfare.build, "load_catalog", mini_catalog)
    v4.set_modified("83648NED", NEW)
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", "--source", "cbs", "--refresh", "--boundaries", "none", "--quiet", "--out", str(previous)], out=out, err=err)
    assert code == 0, err.getvalue()
    text = out.getvalue()
    assert "tables: 16 from CBS OData v4" in text
    assert "refresh against build" in text and "1 changed (83648NED" in text and "15 unchanged" in text


def test_status_page_shows_the_stale_table_in_dutch_and_english(
    v4: FakeOData4Server, previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's status page on the warehouse a failed refresh left: a warning naming the table, and the flag."""
    from streamlit.testing.v1 import AppTest

    from tests.browser import WAREHOUSE_ENV
    from welfare.i18n import md_escape

    v4.set_modified(CHANGED, NEW)
    v4.set_fault(CHANGED, "Observations", status=500)
    build(previous)
    monkeypatch.setenv(WAREHOUSE_ENV, str(previous))
    app = Path(__file__).resolve().parent.parent / "app.py"

    def status_page(lang: str) -> AppTest:
        at = AppTest.from_file(str(app), default_timeout=60)
        at.query_params["lang"] = lang
        at.switch_page("pages/status.py")
        return at.run()

    at = status_page("nl")
    assert not at.exception and not at.error
    banner = [w.value for w in at.warning if "Verouderde gegevens" in w.value]
    assert len(banner) == 1, [w.value for w in at.warning]
    # Markdown: the "+" of the time zone is escaped
    assert f"{CHANGED}: versie {md_escape(OLD)} behouden (bij het CBS staat versie {md_escape(NEW)})" in banner[0]
    assert "HTTP 500" in banner[0]
    tables = next(df.value for df in at.dataframe if "table_id" in df.value.columns).set_index("table_id")
    assert bool(tables.loc[CHANGED, "stale"]) and not tables.drop(index=CHANGED)["stale"].any()
    assert set(tables["api"]) == {"odata-v4"}
    summary = dict(zip(*(at.table[0].value[c] for c in at.table[0].value.columns)))
    assert summary["Verouderde tabellen"].startswith(f"{CHANGED}: vernieuwen mislukt op ")

    at = status_page("en")
    assert not at.exception
    banner = [w.value for w in at.warning if "Stale data" in w.value]
    assert len(banner) == 1 and f"{CHANGED}: version {md_escape(OLD)} kept (CBS has version {md_escape(NEW)})" in banner[0]


# ------------------------------------------------------------------ refresh with both APIs


@pytest.fixture
def both(v4: FakeOData4Server, v3_server: DatedCbsServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeOData4Server, DatedCbsServer]]:
    """v4 first, v3 behind it; v3 dates and faults cleared before and after."""
    v3_server.clear_faults()
    v3_server.dates.clear()
    point_at(monkeypatch, v4, v3_server)
    yield v4, v3_server
    v3_server.clear_faults()
    v3_server.dates.clear()


@pytest.mark.parametrize(
    "fault, expected",
    [({"status": 500}, "HTTP 500"), ({"delay_s": 2.5}, "timeout"), ({"invalid_json": True}, "invalid JSON")],
    ids=["http-500", "timeout", "broken-page"],
)
def test_refresh_takes_a_changed_table_from_v3_when_v4_fails(
    both: tuple[FakeOData4Server, DatedCbsServer], previous: Path, fault: dict, expected: str
) -> None:
    v4, v3 = both
    before = checksums(previous)
    v4.set_modified(CHANGED, NEW)
    v3.dates[CHANGED] = "2025-07-01T02:00:00"  # v3 gives the same moment without the zone
    v4.set_fault(CHANGED, "Observations", **fault)
    mark3 = len(v3.request_log)

    result = build(previous)

    entry = result.manifest["tables"][CHANGED]
    assert entry["refresh"] == "changed" and "stale" not in entry
    assert entry["api"] == "odata-v3" and expected in entry["fallback"] and CHANGED in entry["fallback"]
    assert entry["version"] == "2025-07-01T02:00:00"
    assert "TypedDataSet" in requests_per_table(v3, mark3)[CHANGED]
    assert set(requests_per_table(v3, mark3)) == {CHANGED}  # v3 asked for that table only
    assert result.manifest["refresh"]["changed"] == [CHANGED]
    assert result.manifest["refresh"]["unchanged"] == [t for t in ALL if t != CHANGED]
    assert {t: e["api"] for t, e in result.manifest["tables"].items() if t != CHANGED} == {t: "odata-v4" for t in ALL if t != CHANGED}
    assert any(line.startswith(f"  {CHANGED} from CBS OData v3: ") for line in result.summary)
    after = checksums(previous)
    for name, digest in before.items():
        if name.startswith("raw/") and not name.startswith(f"raw/{CHANGED}"):
            assert after[name] == digest, name
    assert verify_warehouse(previous) == []

    # the next refresh: v4 (NEW, with zone) and the v3 version kept (without) are the same moment
    v4.clear_faults()
    v4.set_modified(CHANGED, NEW)
    mark4 = len(v4.request_log)
    again = build(previous)
    assert all(entities == ["Properties"] for entities in requests_per_table(v4, mark4).values())
    assert again.manifest["refresh"]["changed"] == []


def test_refresh_with_both_apis_failing_keeps_the_table_and_names_both(
    both: tuple[FakeOData4Server, DatedCbsServer], previous: Path
) -> None:
    v4, v3 = both
    before = checksums(previous)
    old_rows = rows_from(previous, (CHANGED,))
    v4.set_modified(CHANGED, NEW)
    v4.set_fault(CHANGED, "Observations", status=500)
    v3.set_fault(CHANGED, "TypedDataSet", status=503)

    result = build(previous)

    entry = result.manifest["tables"][CHANGED]
    assert entry["refresh"] == "failed" and entry["version"] == OLD and entry["api"] == "odata-v4"
    reason = entry["stale"]["reason"]
    assert f"table {CHANGED}: both CBS APIs failed" in reason
    assert "CBS OData v4" in reason and "HTTP 500" in reason
    assert "CBS OData v3" in reason and "HTTP 503" in reason
    warning = next(w for w in result.warnings if w.startswith(f"table {CHANGED}: refresh failed"))
    assert "HTTP 500" in warning and "HTTP 503" in warning
    line = next(x for x in result.summary if x.startswith(f"  table {CHANGED}: refresh failed"))
    assert "HTTP 500" in line and "HTTP 503" in line
    snapshot = snapshot_name(CHANGED, {"Persoonskenmerken": "Totaal personen"})
    after = checksums(previous)
    assert {k: v for k, v in after.items() if k.startswith("raw/")} == {k: v for k, v in before.items() if k.startswith("raw/")}
    assert after[snapshot] == before[snapshot]
    pd.testing.assert_frame_equal(rows_from(previous, (CHANGED,)), old_rows)
    assert verify_warehouse(previous) == []


def test_cli_build_with_both_apis_failing_names_both_and_keeps_the_warehouse(
    both: tuple[FakeOData4Server, DatedCbsServer], previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full build (no --refresh) cannot keep a table's old data: it fails, and the warehouse stays as it was."""
    import io

    v4, v3 = both
    monkeypatch.setattr(welfare.build, "load_catalog", mini_catalog)
    v4.set_fault(CHANGED, "Observations", status=500)
    v3.set_fault(CHANGED, "TypedDataSet", status=503)
    before = checksums(previous)
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", "--source", "cbs", "--boundaries", "none", "--quiet", "--out", str(previous)], out=out, err=err)
    assert code != 0
    message = err.getvalue()
    assert f"table {CHANGED}: both CBS APIs failed" in message
    assert "CBS OData v4" in message and "HTTP 500" in message and "CBS OData v3" in message and "HTTP 503" in message
    assert "is unchanged" in message
    assert checksums(previous) == before
