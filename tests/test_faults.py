"""Fault injection for the live sources (issue 9, part 1): whole builds against misbehaving servers.

The local servers (tests/cbs_server.py: CBS OData v3 as ``cbsodata`` speaks
it; tests/pdok_server.py: PDOK OGC API Features) are told to fail one table or
collection in one way. For every fault the build

- retries where the fault may pass (timeouts, 429/5xx, dropped or cut-off
  answers) and gives up after its attempts, and does not retry where another
  try cannot help (a missing page, a renamed column, an empty table, a changed
  unit);
- fails with an error whose message names the source, the table and the fault;
- leaves the previous warehouse byte for byte as it was (SHA-256 of every file
  before and after), still passing ``verify_warehouse``;
- leaves no staging or temporary folder behind.

A transient fault that clears within the attempts lets the build succeed.
The builds use a small catalogue (three tables) so each takes a few seconds,
and a backoff of 10 ms so the retries do not wait; the retry logic itself is
the production code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import welfare.build
from tests.cbs_server import DUMP_DIR, FakeCbsServer
from tests.pdok_server import GEO_DIR, FakePdokServer, available
from welfare.build import build_warehouse
from welfare.catalog import load_catalog
from welfare.errors import DataError, SourceError, SourceUnreachable, WelfareError
from welfare.sources.cbs_odata import CbsODataSource
from welfare.sources.pdok import PdokSource
from welfare.warehouse import read_manifest, verify_warehouse

pytestmark = pytest.mark.faults

TABLE = "86088NED"  # arbeidsdeelname: 5 220 filtered rows, three pages of 2 000
MEASURE = "Werkloosheidspercentage_13"
COLLECTION = "gemeente_gegeneraliseerd"  # the first boundary layer a build fetches (2018, 380 features)
PAGE_SIZE = 2_000
PDOK_PAGE_SIZE = 100
ATTEMPTS = 3
CBS_LABEL = r"CBS OData v3 \(127\.0\.0\.1:\d+\)"
PDOK_LABEL = r"PDOK OGC API Features \(127\.0\.0\.1:\d+\)"
MINI = ("wrk_unemployment", "wrk_net_labour_participation", "hea_experienced_health")


def mini_catalog() -> Any:
    """Three indicators from two tables: the same code paths, a few seconds per build."""
    catalog = load_catalog()
    return dataclasses.replace(catalog, indicators={k: catalog.indicators[k] for k in MINI})


def checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (manifest included), by relative path."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers() -> list[str]:
    """Staging folders of this project in the system's temp folder (there should be none)."""
    return sorted(p.name for p in Path(tempfile.gettempdir()).glob(".wh-*"))


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def cbs() -> Iterator[FakeCbsServer]:
    if not DUMP_DIR.is_dir():
        pytest.skip(f"CBS CSV dump not found at {DUMP_DIR}")
    with FakeCbsServer(page_size=PAGE_SIZE) as server:
        yield server


@pytest.fixture(scope="module")
def pdok() -> Iterator[FakePdokServer]:
    if not available(GEO_DIR):
        pytest.skip(f"no boundary GeoJSON in {GEO_DIR}")
    with FakePdokServer() as server:
        yield server


@pytest.fixture(scope="module")
def template(cbs: FakeCbsServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean live build (mini catalogue): the 'previous warehouse' of every test.

    It also warms the server's table cache, so later requests answer well
    within the short timeouts of the timeout faults.
    """
    out = tmp_path_factory.mktemp("template") / "wh"
    mp = pytest.MonkeyPatch()
    mp.setattr(welfare.build, "cbs_source", _cbs_factory(cbs))
    try:
        build_warehouse(source="cbs", out_dir=out, boundaries=None, catalog=mini_catalog())
    finally:
        mp.undo()
    return out


def _cbs_factory(server: FakeCbsServer) -> Callable[..., CbsODataSource]:
    def make(timeout_s: float = 30.0, attempts: int = ATTEMPTS) -> CbsODataSource:
        return CbsODataSource(server.catalog_url, use_https=False, timeout_s=timeout_s, attempts=attempts, backoff_s=0.01)

    return make


@pytest.fixture
def live(cbs: FakeCbsServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCbsServer]:
    """The CBS server with no faults and an empty request log, with the build pointed at it."""
    cbs.clear_faults()
    with cbs._lock:
        cbs.request_log.clear()
    monkeypatch.setattr(welfare.build, "cbs_source", _cbs_factory(cbs))
    monkeypatch.setenv("REGIOWELVAART_CBS_URL", cbs.catalog_url)
    monkeypatch.setenv("REGIOWELVAART_CBS_HTTPS", "0")
    yield cbs
    cbs.clear_faults()


@pytest.fixture
def boundaries(pdok: FakePdokServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePdokServer]:
    """The PDOK server with no faults and an empty request log; ``boundaries="pdok"`` builds use it."""
    pdok.clear_faults()
    with pdok._lock:
        pdok.request_log.clear()
    real = welfare.build.source_for

    def source_for(spec: str) -> Any:
        if spec == "pdok":
            return PdokSource(pdok.base_url, timeout_s=_PDOK_TIMEOUT["s"], attempts=ATTEMPTS, backoff_s=0.01, page_size=PDOK_PAGE_SIZE)
        return real(spec)

    monkeypatch.setattr(welfare.build, "source_for", source_for)
    yield pdok
    pdok.clear_faults()


_PDOK_TIMEOUT = {"s": 10.0}  # set per test; read by the fixture's factory at each build


@pytest.fixture
def previous(template: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the template warehouse, alone in its folder, and its checksums."""
    out = tmp_path / "site" / "wh"
    shutil.copytree(template, out)
    return out, checksums(out)


def assert_untouched(previous: tuple[Path, dict[str, str]], before_tmp: list[str]) -> None:
    out, before = previous
    assert checksums(out) == before, "the previous warehouse changed"
    assert verify_warehouse(out) == []
    assert sorted(os.listdir(out.parent)) == ["wh"], "a staging folder was left behind"
    assert leftovers() == before_tmp


# ----------------------------------------------------------------- CBS faults


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    arrange: Callable[[Any], None]
    error: type[WelfareError]
    message: str  # regex; the source label is prepended
    requests: Callable[[Any], Any] | None = None  # what the server saw → compared with `expected`
    expected: Any = None
    timeout_s: float = 10.0


def _firsts(server: FakeCbsServer) -> list[str]:
    """The faults of the first-page TypedDataSet requests of TABLE (one per attempt)."""
    return [r.fault or str(r.status) for r in server.requests_for(TABLE, "TypedDataSet") if r.page == 1]


def _page(n: int) -> Callable[[FakeCbsServer], list[int]]:
    return lambda server: [r.status for r in server.requests_for(TABLE, "TypedDataSet") if r.page == n]


CBS_CASES = [
    Case("timeout", lambda s: s.set_fault(TABLE, delay_s=5), SourceUnreachable,
         rf"table {TABLE}, TypedDataSet: no answer within 1 s \(timeout\) after 3 attempts", _firsts, ["delay"] * 3, 1.0),
    Case("timeout mid-body", lambda s: s.set_fault(TABLE, stall_s=5), SourceUnreachable,
         rf"table {TABLE}, TypedDataSet: the answer stopped in the middle: no data for 1 s \(read timeout\) after 3 attempts",
         _firsts, ["stall"] * 3, 1.0),
    Case("HTTP 429", lambda s: s.set_fault(TABLE, status=429), SourceError,
         rf"table {TABLE}, TypedDataSet: HTTP 429 Too Many Requests after 3 attempts", _firsts, ["status"] * 3),
    Case("HTTP 500", lambda s: s.set_fault(TABLE, status=500), SourceError,
         rf"table {TABLE}, TypedDataSet: HTTP 500 Internal Server Error after 3 attempts", _firsts, ["status"] * 3),
    Case("HTTP 503", lambda s: s.set_fault(TABLE, status=503), SourceError,
         rf"table {TABLE}, TypedDataSet: HTTP 503 Service Unavailable after 3 attempts", _firsts, ["status"] * 3),
    Case("connection reset mid-body", lambda s: s.set_fault(TABLE, reset=True), SourceError,
         rf"table {TABLE}, TypedDataSet: the connection broke off in the middle of the response after 3 attempts",
         _firsts, ["reset"] * 3),
    Case("truncated JSON", lambda s: s.set_fault(TABLE, invalid_json=True, page=2), SourceError,
         rf"table {TABLE}, TypedDataSet \(follow-up page\): invalid JSON in the response \(.*\) after 3 attempts",
         _page(2), [200] * 3),
    Case("invalid JSON (an HTML page)", lambda s: s.set_fault(TABLE, body=b"<html><body>Onderhoud</body></html>"), SourceError,
         rf"table {TABLE}, TypedDataSet: invalid JSON in the response \(Expecting value; character 0\) after 3 attempts",
         _firsts, ["body"] * 3),
    Case("odata.nextLink page missing (404)", lambda s: s.set_fault(TABLE, status=404, page=2), SourceError,
         rf"table {TABLE}, TypedDataSet \(follow-up page\): HTTP 404 Not Found$", _page(2), [404]),
    Case("odata.nextLink left out", lambda s: s.set_fault(TABLE, no_next_link=True, page=2), SourceError,
         rf"table {TABLE}, TypedDataSet: 4000 rows arrived but the server counts 5220 .*odata\.nextLink\) is missing",
         _page(3), []),
    Case("renamed column", lambda s: s.rename_measure(TABLE, MEASURE, "Werkloosheid_13"), DataError,
         rf"table {TABLE}: no column 'Werkloosheidspercentage_<n>' — was it renamed\?", _firsts, []),
    Case("empty table", lambda s: s.make_empty(TABLE), DataError,
         rf"table {TABLE}, TypedDataSet: no rows returned \(filters: Persoonskenmerken='Totaal personen'\)", _firsts, ["200"]),
    Case("changed unit", lambda s: s.change_unit(TABLE, MEASURE, "per 1 000 inwoners"), DataError,
         rf"table {TABLE}, measure Werkloosheidspercentage: the unit changed from '%' to 'per 1 000 inwoners' since the "
         r"previous warehouse \(build \w+\); .*wrk_unemployment.*REGIOWELVAART_ACCEPT_UNIT_CHANGES=1", _firsts, ["200"]),
]  # fmt: skip


@pytest.mark.parametrize("case", CBS_CASES, ids=[c.name for c in CBS_CASES])
def test_cbs_fault_fails_the_build_and_keeps_the_warehouse(live: FakeCbsServer, previous, case: Case) -> None:
    before_tmp = leftovers()
    case.arrange(live)
    with pytest.raises(case.error) as info:
        build_warehouse(source="cbs", out_dir=previous[0], boundaries=None, catalog=mini_catalog(), timeout_s=case.timeout_s)
    message = str(info.value)
    assert re.search(rf"^{CBS_LABEL}: {case.message}", message), message
    assert getattr(info.value, "table_id", "").upper() == TABLE
    if case.requests is not None:
        assert case.requests(live) == case.expected
    assert_untouched(previous, before_tmp)


TRANSIENT = {
    "timeout": (dict(delay_s=5, times=1), 1.0, ["delay", "200"]),
    "timeout mid-body": (dict(stall_s=5, times=1), 1.0, ["stall", "200"]),
    "HTTP 429": (dict(status=429, times=2), 10.0, ["status", "status", "200"]),
    "HTTP 500": (dict(status=500, times=1), 10.0, ["status", "200"]),
    "HTTP 503": (dict(status=503, times=2), 10.0, ["status", "status", "200"]),
    "connection reset mid-body": (dict(reset=True, times=1), 10.0, ["reset", "200"]),
    "truncated JSON": (dict(invalid_json=True, times=1), 10.0, ["invalid_json", "200"]),
    "invalid JSON (an HTML page)": (dict(body=b"<html>Bezig</html>", times=1), 10.0, ["body", "200"]),
}


@pytest.mark.parametrize("name", list(TRANSIENT))
def test_cbs_transient_fault_is_retried_and_the_build_succeeds(live: FakeCbsServer, previous, name: str) -> None:
    fault, timeout_s, expected = TRANSIENT[name]
    live.set_fault(TABLE, **fault)
    result = build_warehouse(source="cbs", out_dir=previous[0], boundaries=None, catalog=mini_catalog(), timeout_s=timeout_s)
    assert _firsts(live) == expected
    assert read_manifest(previous[0])["build_id"] == result.manifest["build_id"]
    assert verify_warehouse(previous[0]) == []
    # Same data as before the fault: the retried table arrived whole.
    out, before = previous
    assert checksums(out)["observations.parquet"] == before["observations.parquet"]


def test_auto_falls_back_to_the_folder_when_cbs_stalls(live: FakeCbsServer, previous, cbs_folder: Path, monkeypatch) -> None:
    monkeypatch.setenv("REGIOWELVAART_CBS_FOLDER", str(cbs_folder))
    live.set_fault("*", "*", delay_s=5)  # every request of every table hangs
    result = build_warehouse(source="auto", out_dir=previous[0], boundaries=None, catalog=mini_catalog(), timeout_s=1.0)
    assert result.manifest["source"]["kind"] == "folder"
    assert any(re.search(rf"CBS could not be reached \({CBS_LABEL}: table \w+, .*timeout", w) for w in result.warnings)


# ------------------------------------------------------------ units ledger


def test_units_are_recorded_and_survive_a_folder_build(live: FakeCbsServer, previous, cbs_folder: Path) -> None:
    out, _ = previous
    ledger = read_manifest(out)["units"]
    assert ledger[TABLE] == {"Werkloosheidspercentage": "%", "NettoArbeidsparticipatie": "%"}
    assert read_manifest(out)["tables"][TABLE]["units"] == ledger[TABLE]
    # CSV exports carry no units: the ledger is carried over, and still guards the next live build.
    build_warehouse(source=str(cbs_folder), out_dir=out, boundaries=None, catalog=mini_catalog())
    assert read_manifest(out)["units"][TABLE] == ledger[TABLE]
    assert "units" not in read_manifest(out)["tables"][TABLE]
    live.change_unit(TABLE, MEASURE, "‰")
    with pytest.raises(DataError, match=r"unit changed from '%' to '‰'"):
        build_warehouse(source="cbs", out_dir=out, boundaries=None, catalog=mini_catalog())


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_a_unit_change_can_be_accepted(live: FakeCbsServer, previous, monkeypatch, how: str) -> None:
    out, _ = previous
    live.change_unit(TABLE, MEASURE, "per 1 000 inwoners")
    if how == "environment":
        monkeypatch.setenv("REGIOWELVAART_ACCEPT_UNIT_CHANGES", "1")
        result = build_warehouse(source="cbs", out_dir=out, boundaries=None, catalog=mini_catalog())
    else:
        result = build_warehouse(source="cbs", out_dir=out, boundaries=None, catalog=mini_catalog(), accept_unit_changes=True)
    assert any("unit changed from '%' to 'per 1 000 inwoners' (accepted" in w for w in result.warnings)
    assert read_manifest(out)["units"][TABLE]["Werkloosheidspercentage"] == "per 1 000 inwoners"
    # The new unit is now the reference: the next build with it passes without accepting.
    monkeypatch.delenv("REGIOWELVAART_ACCEPT_UNIT_CHANGES", raising=False)
    build_warehouse(source="cbs", out_dir=out, boundaries=None, catalog=mini_catalog())


# ---------------------------------------------------------------- PDOK faults


def _pdok_firsts(server: FakePdokServer) -> list[str]:
    return [r.fault or str(r.status) for r in server.requests_for(COLLECTION) if r.page == 1 and r.query.get("jaarcode") == "2018"]


def _pdok_page(n: int) -> Callable[[FakePdokServer], list[int]]:
    return lambda server: [r.status for r in server.requests_for(COLLECTION) if r.page == n and r.query.get("jaarcode") == "2018"]


WHERE = rf"collection {COLLECTION}, jaarcode 2018"
PDOK_CASES = [
    Case("timeout", lambda s: s.set_fault(COLLECTION, delay_s=5), SourceUnreachable,
         rf"{WHERE}, page 1: no answer within 1 s \(timeout\) \(after 3 attempts\)", _pdok_firsts, ["delay"] * 3, 1.0),
    Case("timeout mid-body", lambda s: s.set_fault(COLLECTION, stall_s=5), SourceUnreachable,
         rf"{WHERE}, page 1: the answer stopped in the middle: no data for 1 s \(read timeout\) \(after 3 attempts\)",
         _pdok_firsts, ["stall"] * 3, 1.0),
    Case("HTTP 429", lambda s: s.set_fault(COLLECTION, status=429), SourceError,
         rf"{WHERE}, page 1: HTTP 429 Too Many Requests: .* \(after 3 attempts\)", _pdok_firsts, ["status"] * 3),
    Case("HTTP 500", lambda s: s.set_fault(COLLECTION, status=500), SourceError,
         rf"{WHERE}, page 1: HTTP 500 Internal Server Error \(after 3 attempts\)", _pdok_firsts, ["status"] * 3),
    Case("HTTP 503", lambda s: s.set_fault(COLLECTION, status=503), SourceError,
         rf"{WHERE}, page 1: HTTP 503 Service Unavailable \(after 3 attempts\)", _pdok_firsts, ["status"] * 3),
    Case("connection reset mid-body", lambda s: s.set_fault(COLLECTION, reset=True), SourceError,
         rf"{WHERE}, page 1: (the connection broke off in the middle of the response|the server closed the connection "
         r"without a complete answer) \(after 3 attempts\)", _pdok_firsts, ["reset"] * 3),
    Case("truncated JSON", lambda s: s.set_fault(COLLECTION, invalid_json=True, page=2), SourceError,
         rf"{WHERE}, page 2: invalid JSON in the response \(.*\) \(after 3 attempts\)", _pdok_page(2), [200] * 3),
    Case("invalid JSON (an HTML page)", lambda s: s.set_fault(COLLECTION, body=b"<html>Onderhoud</html>"), SourceError,
         rf"{WHERE}, page 1: invalid JSON in the response \(Expecting value; character 0\) \(after 3 attempts\)",
         _pdok_firsts, ["body"] * 3),
    Case("next page missing (404)", lambda s: s.set_fault(COLLECTION, status=404, page=2), SourceError,
         rf"{WHERE}, page 2: HTTP 404 Not Found", _pdok_page(2), [404]),
    Case("next link left out", lambda s: s.set_fault(COLLECTION, no_next_link=True, page=1), SourceError,
         rf"{WHERE}: numberMatched is 380 but 100 features arrived over 1 pages", _pdok_page(2), []),
    Case("renamed property", lambda s: s.rename_property("statcode", "code"), DataError,
         rf"{WHERE}: feature 1 \(id \d+\) has no statcode", _pdok_firsts, ["200"]),
    Case("empty collection", lambda s: s.make_empty(COLLECTION), DataError,
         r"gemeente 2018: no regions at all", _pdok_firsts, ["200"]),
    Case("changed unit (RD metres)", lambda s: s.serve_rd_coordinates(COLLECTION), SourceError,
         rf"{WHERE}: coordinates span x .*, outside the Netherlands in WGS84 lon/lat; did the coordinate unit",
         _pdok_firsts, ["200"]),
]  # fmt: skip


@pytest.mark.parametrize("case", PDOK_CASES, ids=[c.name for c in PDOK_CASES])
def test_pdok_fault_fails_the_build_and_keeps_the_warehouse(
    boundaries: FakePdokServer, previous, cbs_folder: Path, case: Case, monkeypatch
) -> None:
    monkeypatch.setitem(_PDOK_TIMEOUT, "s", case.timeout_s)
    before_tmp = leftovers()
    case.arrange(boundaries)
    with pytest.raises(case.error) as info:
        build_warehouse(source=str(cbs_folder), out_dir=previous[0], boundaries="pdok", catalog=mini_catalog())
    message = str(info.value)
    assert re.search(rf"^{PDOK_LABEL}: {case.message}", message), message
    assert case.requests(boundaries) == case.expected
    assert_untouched(previous, before_tmp)


def test_pdok_transient_fault_is_retried_and_the_build_succeeds(boundaries: FakePdokServer, previous, cbs_folder: Path) -> None:
    boundaries.set_fault(COLLECTION, status=503, times=2)
    result = build_warehouse(source=str(cbs_folder), out_dir=previous[0], boundaries="pdok", catalog=mini_catalog())
    assert _pdok_firsts(boundaries) == ["status", "status", "200"]
    files = result.manifest["boundaries"]["files"]
    assert files["gemeente_2018.parquet"]["rows"] == 380
    assert verify_warehouse(previous[0]) == []
