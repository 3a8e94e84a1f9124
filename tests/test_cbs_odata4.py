"""CbsOData4Source against the fake OData4 portal (tests/odata4_server.py), its parity
with the v3 adapter, and the per-table choice v4 → v3 (CbsLiveSource, the build).

Expected values are read from the shared StatLine CSV dump with the ``csv``
module, independently of both servers' loading code.
"""

from __future__ import annotations

import csv
import math
import re
import socket
from pathlib import Path

import pandas as pd
import pytest

from tests.cbs_server import DUMP_DIR, FakeCbsServer, make_cbs_server_fixture
from tests.odata4_server import FakeOData4Server, make_odata4_server_fixture, parse_filter
from welfare.catalog import CATALOG_PATH, load_catalog, parse_catalog
from welfare.errors import CatalogError, DataError, SourceError, SourceUnreachable
from welfare.regions import GEBIEDEN_TABLES, RegionResolver, parse_gebieden
from welfare.sources.base import MARGIN, PERIOD_KEY, PERIOD_TITLE, REGION_KEY, REGION_TITLE, ROW, MeasureRef, TableRequest
from welfare.sources.cbs_odata import CbsODataSource
from welfare.sources.cbs_odata4 import (
    CbsLiveSource,
    CbsOData4Source,
    MeasureHint,
    live_source_from_env,
    same_version,
)
from welfare.sources.statline_csv import StatlineCsvFolder
from welfare.tidy import tidy_table

pytestmark = pytest.mark.odata4

PAGE_SIZE = 700
odata4_server = make_odata4_server_fixture(page_size=PAGE_SIZE, scope="module")
cbs_server = make_cbs_server_fixture(page_size=2_000, scope="module")
LABOUR = TableRequest(
    "86088NED",
    (MeasureRef("NettoArbeidsparticipatie"), MeasureRef("Werkloosheidspercentage")),
    {"Persoonskenmerken": "Totaal personen"},
)
HEALTH = TableRequest(
    "85563NED",
    (MeasureRef("ErvarenGezondheidGoedZeerGoed"), MeasureRef("UrenMantelzorgPerWeek")),
    {"Leeftijd": "Totaal"},
)


@pytest.fixture
def v4(odata4_server: FakeOData4Server) -> FakeOData4Server:
    """The module's portal, with no faults or changes left over from another test."""
    odata4_server.clear_faults()
    yield odata4_server
    odata4_server.clear_faults()


@pytest.fixture
def v3(cbs_server: FakeCbsServer) -> FakeCbsServer:
    cbs_server.clear_faults()
    yield cbs_server
    cbs_server.clear_faults()


def source4(server: FakeOData4Server, **kwargs: object) -> CbsOData4Source:
    settings: dict[str, object] = {"timeout_s": 5.0, "attempts": 3, "backoff_s": 0.01}
    settings.update(kwargs)
    return CbsOData4Source(server.base_url, **settings)  # type: ignore[arg-type]


def source3(server: FakeCbsServer, **kwargs: object) -> CbsODataSource:
    settings: dict[str, object] = {"timeout_s": 5.0, "attempts": 2, "backoff_s": 0.01}
    settings.update(kwargs)
    return CbsODataSource(server.catalog_url, use_https=False, **settings)  # type: ignore[arg-type]


def csv_rows(table_id: str) -> list[dict[str, str]]:
    with (DUMP_DIR / f"{table_id}.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def observations_of(server: FakeOData4Server, table_id: str) -> list:
    return server.requests_for(table_id, "Observations")


@pytest.fixture(scope="module")
def resolver(cbs_folder: Path) -> RegionResolver:
    src = StatlineCsvFolder(cbs_folder)
    frames = [parse_gebieden(src.fetch_text(t), y, t) for y, t in sorted(GEBIEDEN_TABLES.items())]
    return RegionResolver.from_gemeenten(pd.concat(frames))


def tidied(raw, resolver: RegionResolver) -> pd.DataFrame:
    catalog = load_catalog()
    entries = [
        (ind, spec)
        for ind in catalog.indicators.values()
        for spec in ind.sources
        if spec.table == raw.table_id and all(m in raw.measure_keys for m in spec.measures)
    ]
    parts = tidy_table(raw, entries, resolver, [])
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values(["indicator_id", "region_code", "year", "boundary_year"]).reset_index(drop=True)


# -- values, paging, filters ----------------------------------------------------------


def test_values_equal_the_csv_over_several_pages(v4: FakeOData4Server) -> None:
    raw = source4(v4).fetch(LABOUR)
    frame = raw.frame
    expected = [r for r in csv_rows("86088NED") if r["Persoonskenmerken"] == "Totaal personen"]
    assert len(frame) == len(expected) == 5220
    codes = raw.measure_keys
    net, unemployed = codes[MeasureRef("NettoArbeidsparticipatie")], codes[MeasureRef("Werkloosheidspercentage")]
    assert net == v4.measure_code("86088NED", "NettoArbeidsparticipatie_16")  # the v4 code is kept
    got = {(t, p): (a, b) for t, p, a, b in zip(frame[REGION_TITLE], frame[PERIOD_TITLE], frame[net], frame[unemployed], strict=True)}
    for r in expected:
        a, b = got[(r["RegioS"], r["Perioden"].strip())]
        for value, text in ((a, r["NettoArbeidsparticipatie_16"]), (b, r["Werkloosheidspercentage_13"])):
            assert math.isnan(value) if text == "" else value == float(text)
    assert set(frame[PERIOD_KEY]) >= {"2013JJ00", "2024JJ00"}
    assert frame.loc[frame[REGION_TITLE] == "Amsterdam", REGION_KEY].iloc[0] == "GM0363"
    assert raw.units == {net: "%", unemployed: "%"}
    assert raw.version == "2025-04-01T02:00:00+02:00"
    assert frame[ROW].min() >= 1 and frame[ROW].is_unique
    # 5220 rows × 2 measures in pages of 700, followed through @odata.nextLink
    pages = observations_of(v4, "86088NED")
    assert [r.page for r in pages] == list(range(1, math.ceil(2 * 5220 / PAGE_SIZE) + 1))
    assert all("$skip" in r.query for r in pages[1:])


def test_filters_pushed_to_the_server_and_only_those_measures_served(v4: FakeOData4Server) -> None:
    before = len(v4.request_log)
    raw = source4(v4).fetch(LABOUR)
    table = v4.table("86088NED")
    wanted = set(raw.measure_keys.values())
    assert len(table.measures) > 10  # the table has many more measures than the two asked for
    pages = [r for r in v4.request_log[before:] if r.entity == "Observations"]
    first = pages[0].query["$filter"]
    clauses = dict(parse_filter(first))
    totaal = next(c["Identifier"] for c in table.codes["Persoonskenmerken"] if c["Title"] == "Totaal personen")
    assert clauses == {"Measure": wanted, "Persoonskenmerken": {totaal}}
    assert pages[0].query["$count"] == "true"
    assert set().union(*(r.measures for r in pages)) == wanted
    assert sum(r.rows for r in pages) == 2 * 5220  # nothing more travelled
    # the metadata requests: Properties, Dimensions, MeasureCodes and each dimension's codes
    entities = [r.entity for r in v4.request_log[before:] if r.page == 1]
    assert entities[:3] == ["Properties", "Dimensions", "MeasureCodes"]
    assert {"PersoonskenmerkenCodes", "RegioSCodes", "PeriodenCodes"} <= set(entities)


def test_margins_and_missing_cells_like_v3(v4: FakeOData4Server, v3: FakeCbsServer) -> None:
    raw4 = source4(v4).fetch(HEALTH)
    raw3 = source3(v3).fetch(HEALTH)
    frame = raw4.frame
    assert set(frame[MARGIN]) == {"Waarde", "Ondergrens 95%-interval", "Bovengrens 95%-interval"}
    assert frame[PERIOD_TITLE].isna().all() and raw4.extra_dims == []
    code = raw4.measure_keys[MeasureRef("UrenMantelzorgPerWeek")]
    expected = [r for r in csv_rows("85563NED") if r["Leeftijd"] == "Totaal"]
    got = {(t, m): v for t, m, v in zip(frame[REGION_TITLE], frame[MARGIN], frame[code], strict=True)}
    assert sum(r["UrenMantelzorgPerWeek_14"] == "" for r in expected) > 100
    for r in expected:
        value = got[(r["RegioS"], r["Marges"])]
        assert math.isnan(value) if r["UrenMantelzorgPerWeek_14"] == "" else value == float(r["UrenMantelzorgPerWeek_14"])
    # the same frame as v3's, measure columns aside
    renamed4 = frame.rename(columns={v: str(k) for k, v in raw4.measure_keys.items()})
    renamed3 = raw3.frame.rename(columns={v: str(k) for k, v in raw3.measure_keys.items()})
    pd.testing.assert_frame_equal(renamed4.drop(columns=[ROW]), renamed3.drop(columns=[ROW]))


def test_margins_become_lower_and_upper(v4: FakeOData4Server, resolver: RegionResolver) -> None:
    obs = tidied(source4(v4).fetch(HEALTH), resolver)
    health = obs[(obs["indicator_id"] == "hea_experienced_health") & (obs["region_code"] == "NL01")].iloc[0]
    rows = {r["Marges"]: float(r["ErvarenGezondheidGoedZeerGoed_1"]) for r in csv_rows("85563NED") if r["RegioS"] == "Nederland" and r["Leeftijd"] == "Totaal"}
    assert (health["lower"], health["value"], health["upper"]) == (
        rows["Ondergrens 95%-interval"],
        rows["Waarde"],
        rows["Bovengrens 95%-interval"],
    )


def test_value_attributes_mean_missing_never_zero(v4: FakeOData4Server, resolver: RegionResolver) -> None:
    key = "NettoArbeidsparticipatie_16"
    amsterdam = v4.table("86088NED").source.dimension("RegioS").key_of_title["Amsterdam"]
    utrecht = v4.table("86088NED").source.dimension("RegioS").key_of_title["Utrecht (gemeente)"]
    groningen = v4.table("86088NED").source.dimension("RegioS").key_of_title["Groningen (gemeente)"]
    v4.set_attribute("86088NED", key, "Confidential", lambda r: r["RegioS"] == amsterdam, value=None)
    v4.set_attribute("86088NED", key, "Impossible", lambda r: r["RegioS"] == utrecht)  # value published anyway
    v4.set_attribute("86088NED", key, "Missing", lambda r: r["RegioS"] == groningen, value=".")
    raw = source4(v4).fetch(LABOUR)
    code = raw.measure_keys[MeasureRef("NettoArbeidsparticipatie")]
    frame = raw.frame
    for title in ("Amsterdam", "Utrecht (gemeente)", "Groningen (gemeente)"):
        assert frame.loc[frame[REGION_TITLE] == title, code].isna().all(), title
    other = frame.loc[frame[REGION_TITLE] == "Rotterdam", code]
    assert other.notna().sum() >= 10
    obs = tidied(raw, resolver)
    cells = obs[(obs["indicator_id"] == "wrk_net_labour_participation") & obs["region_code"].isin(["GM0363", "GM0344", "GM0014"])]
    assert len(cells) >= 30 and cells["value"].isna().all()
    assert (cells["flags"] == "suppressed").all()


def test_unknown_attribute_with_a_value_is_kept_and_reported(v4: FakeOData4Server) -> None:
    v4.set_attribute("86088NED", "Werkloosheidspercentage_13", "Estimate", lambda r: r["Perioden"] == "2024JJ00")
    raw = source4(v4).fetch(LABOUR)
    code = raw.measure_keys[MeasureRef("Werkloosheidspercentage")]
    assert raw.frame.loc[raw.frame[PERIOD_KEY] == "2024JJ00", code].notna().sum() > 300
    assert any("ValueAttribute Estimate" in w for w in raw.warnings)


def test_text_value_is_a_data_error_naming_table_and_measure(v4: FakeOData4Server) -> None:
    v4.set_attribute("86088NED", "Werkloosheidspercentage_13", "None", lambda r: r["Perioden"] == "2024JJ00", value="n.v.t.")
    with pytest.raises(DataError, match=r"table 86088NED, observation Id \d+, measure M\d{6}: 'n.v.t.' is not a number"):
        source4(v4).fetch(LABOUR)


def test_table_without_region_dimension_is_nederland(v4: FakeOData4Server) -> None:
    raw = source4(v4).fetch(TableRequest("85542NED", (MeasureRef("ScoreGeluk"),), {"Kenmerken": "Totaal", "Marges": "Waarde"}))
    assert set(raw.frame[REGION_KEY]) == {"NL01"} and set(raw.frame[REGION_TITLE]) == {"Nederland"}
    assert len(raw.frame) == sum(1 for r in csv_rows("85542NED") if r["Kenmerken"] == "Totaal" and r["Marges"] == "Waarde")


# -- measure mapping ----------------------------------------------------------------


def test_measure_found_by_catalogue_code_when_the_title_changed(v4: FakeOData4Server) -> None:
    v4.retitle("86088NED", "NettoArbeidsparticipatie_16", title="Arbeidsparticipatie, netto")
    with pytest.raises(DataError, match=r"table 86088NED: no measure for 'NettoArbeidsparticipatie'.*\[odata4\.86088NED\]"):
        source4(v4).fetch(LABOUR)
    code = v4.measure_code("86088NED", "NettoArbeidsparticipatie_16")
    raw = source4(v4, hints={"86088NED": {"NettoArbeidsparticipatie": MeasureHint(code=code)}}).fetch(LABOUR)
    assert raw.measure_keys[MeasureRef("NettoArbeidsparticipatie")] == code
    by_title = source4(v4, hints={"86088NED": {"NettoArbeidsparticipatie": MeasureHint(title="Arbeidsparticipatie, netto", unit="%")}})
    assert by_title.fetch(LABOUR).measure_keys[MeasureRef("NettoArbeidsparticipatie")] == code


def test_unit_narrows_and_checks_the_match(v4: FakeOData4Server) -> None:
    hint = {"86088NED": {"NettoArbeidsparticipatie": MeasureHint(unit="‰")}}
    with pytest.raises(DataError, match=r"86088NED: measure 'NettoArbeidsparticipatie' titled .* has unit '%', the catalogue expects '‰'"):
        source4(v4, hints=hint).fetch(LABOUR)
    code = v4.measure_code("86088NED", "NettoArbeidsparticipatie_16")
    with pytest.raises(DataError, match=rf"'NettoArbeidsparticipatie' \(code {code}\) has unit '%'"):
        source4(v4, hints={"86088NED": {"NettoArbeidsparticipatie": MeasureHint(code=code, unit="euro")}}).fetch(LABOUR)


def test_repeated_title_picked_by_occurrence(v4: FakeOData4Server, v3: FakeCbsServer) -> None:
    request = TableRequest("80305ned", (MeasureRef("AfstandTotSchool", 2),))
    raw4, raw3 = source4(v4).fetch(request), source3(v3).fetch(request)
    key3 = raw3.measure_keys[MeasureRef("AfstandTotSchool", 2)]
    assert raw4.measure_keys[MeasureRef("AfstandTotSchool", 2)] == v4.measure_code("80305ned", key3)
    pd.testing.assert_series_equal(raw4.frame.iloc[:, 6], raw3.frame[key3], check_names=False)


def test_catalogue_odata4_section_is_parsed_and_checked() -> None:
    text = CATALOG_PATH.read_text(encoding="utf-8")
    extra = '\n[odata4.86088NED]\nNettoArbeidsparticipatie = "M001234"\nWerkloosheidspercentage = { title = "Werkloosheid", unit = "%" }\n'
    catalog = parse_catalog(text.replace("\n[odata4]\n", "\n") + extra)
    assert catalog.odata4["86088NED"]["NettoArbeidsparticipatie"] == MeasureHint(code="M001234")
    assert catalog.odata4["86088NED"]["Werkloosheidspercentage"] == MeasureHint(title="Werkloosheid", unit="%")
    for bad, message in (
        ('[odata4.99999NED]\nX = "M1"\n', "no indicator uses table 99999NED"),
        ('[odata4.86088NED]\nBruto = "M1"\n', "not a catalogue measure of table 86088NED"),
        ('[odata4.86088NED]\nNettoArbeidsparticipatie = { code = "M1", kleur = "rood" }\n', "unknown field"),
        ('[odata4.86088NED]\nNettoArbeidsparticipatie = { unit = "" }\n', "must be non-empty text"),
    ):
        with pytest.raises(CatalogError, match=message):
            parse_catalog(text.replace("\n[odata4]\n", "\n") + "\n" + bad)


# -- faults ---------------------------------------------------------------------------


def test_transient_500_retried_until_it_passes(v4: FakeOData4Server) -> None:
    v4.set_fault("86088NED", "Observations", status=503, page=2, times=2)
    raw = source4(v4).fetch(LABOUR)
    assert len(raw.frame) == 5220
    assert [r.status for r in observations_of(v4, "86088NED") if r.page == 2][-3:] == [503, 503, 200]


def test_http_500_names_table_entity_and_measures(v4: FakeOData4Server) -> None:
    v4.set_fault("86088NED", "Observations", status=500)
    with pytest.raises(SourceError, match=r"CBS OData v4 \(127\.0\.0\.1:\d+\): table 86088NED, Observations, measures NettoArbeidsparticipatie=M\d+, Werkloosheidspercentage=M\d+: HTTP 500 .*after 3 attempts"):
        source4(v4).fetch(LABOUR)


def test_missing_table_is_not_retried(v4: FakeOData4Server) -> None:
    before = len(v4.request_log)
    with pytest.raises(SourceError, match=r"table 12345NED does not exist in catalogue CBS"):
        source4(v4).fetch(TableRequest("12345NED", (MeasureRef("X"),)))
    assert len(v4.request_log) - before == 1


def test_timeout_is_unreachable(v4: FakeOData4Server) -> None:
    v4.set_fault("86088NED", "MeasureCodes", delay_s=2)
    with pytest.raises(SourceUnreachable, match=r"table 86088NED, MeasureCodes: no answer within 0.3 s \(timeout\) after 2 attempts"):
        source4(v4, timeout_s=0.3, attempts=2).fetch(LABOUR)


def test_broken_page_is_retried_then_named(v4: FakeOData4Server) -> None:
    v4.set_fault("86088NED", "Observations", invalid_json=True, page=3, times=1)
    assert len(source4(v4).fetch(LABOUR).frame) == 5220
    v4.set_fault("86088NED", "Observations", invalid_json=True, page=3)
    with pytest.raises(SourceError, match=r"table 86088NED, Observations \(follow-up page 3\), measures .*: invalid JSON"):
        source4(v4).fetch(LABOUR)
    v4.set_fault("86088NED", "Observations", reset=True, page=2)
    with pytest.raises(SourceError, match=r"table 86088NED, Observations \(follow-up page 2\).*(broke off|closed the connection)"):
        source4(v4, attempts=2).fetch(LABOUR)


def test_paging_cut_short_is_caught_by_the_count(v4: FakeOData4Server) -> None:
    v4.set_fault("86088NED", "Observations", no_next_link=True, page=4)
    with pytest.raises(SourceError, match=r"2800 rows arrived but the server counts 10440"):
        source4(v4).fetch(LABOUR)


def test_other_json_is_named(v4: FakeOData4Server) -> None:
    v4.set_fault("86088NED", "Dimensions", body=b'{"error": "maintenance"}')
    with pytest.raises(SourceError, match=r"table 86088NED, Dimensions: unexpected response: no 'value' list"):
        source4(v4).fetch(LABOUR)


def test_connection_refused_is_unreachable() -> None:
    src = CbsOData4Source(f"http://127.0.0.1:{closed_port()}/odata/v1", timeout_s=1, attempts=2, backoff_s=0.01)
    with pytest.raises(SourceUnreachable, match=r"table 86088NED, Properties: connection refused after 2 attempts"):
        src.fetch(LABOUR)


def test_table_modified_and_describe(v4: FakeOData4Server) -> None:
    v4.set_modified("86088NED", "2025-06-30T02:00:00+02:00")
    src = source4(v4)
    assert src.table_modified("86088NED") == "2025-06-30T02:00:00+02:00"
    assert src.describe() == {"kind": "cbs", "api": "odata-v4", "base_url": v4.base_url, "catalog": "CBS"}
    assert src.label() == f"CBS OData v4 ({v4.host})"
    assert same_version("2025-04-01T02:00:00", "2025-04-01T02:00:00+02:00")
    assert not same_version("2025-04-01T02:00:00", "2025-06-30T02:00:00+02:00")


# -- parity with v3 -------------------------------------------------------------------


def test_every_catalogue_table_gives_identical_observations(v4: FakeOData4Server, v3: FakeCbsServer, resolver: RegionResolver) -> None:
    src4, src3 = source4(v4), source3(v3)
    requests = load_catalog().requests()
    assert len(requests) > 20
    for request in requests:
        raw4, raw3 = src4.fetch(request), src3.fetch(request)
        assert len(raw4.frame) == len(raw3.frame), request.table_id
        pd.testing.assert_frame_equal(tidied(raw4, resolver), tidied(raw3, resolver), obj=request.table_id)
        assert {str(k): raw4.units[c] for k, c in raw4.measure_keys.items()} == {
            str(k): raw3.units[c] for k, c in raw3.measure_keys.items()
        }


def test_fetch_text_equals_v3(v4: FakeOData4Server, v3: FakeCbsServer) -> None:
    text4 = source4(v4).fetch_text("86059NED")
    text3 = source3(v3).fetch_text("86059NED")
    pd.testing.assert_frame_equal(text4, text3)
    gm = parse_gebieden(text4, 2025, "86059NED")
    assert len(gm) == 342 and gm.loc[gm["code"] == "GM0363", "provincie"].iloc[0] == "PV27"


# -- v4, then v3 ----------------------------------------------------------------------


def test_live_source_uses_v4_and_records_it(v4: FakeOData4Server, v3: FakeCbsServer) -> None:
    live = CbsLiveSource(source4(v4), source3(v3))
    asked_v3 = len(v3.request_log)
    live.fetch(LABOUR)
    live.fetch_text("86059NED")
    assert live.served["86088NED"] == {"api": "odata-v4", "version": "2025-04-01T02:00:00+02:00", "fallback": None}
    assert live.served["86059NED"]["api"] == "odata-v4"
    assert len(v3.request_log) == asked_v3  # v3 not asked at all
    assert live.describe()["api"] == "odata-v4"


@pytest.mark.parametrize(
    "fault, expected",
    [
        ({"status": 500}, r"HTTP 500"),
        ({"delay_s": 1.5}, r"timeout"),
        ({"invalid_json": True, "page": 2}, r"invalid JSON"),
    ],
    ids=["http-500", "timeout", "broken-page"],
)
def test_v4_fault_falls_back_to_v3_for_that_table(v4: FakeOData4Server, v3: FakeCbsServer, fault: dict, expected: str) -> None:
    v4.set_fault("86088NED", "Observations", **fault)
    live = CbsLiveSource(source4(v4, timeout_s=0.5, attempts=2), source3(v3))
    raw = live.fetch(LABOUR)
    other = live.fetch(HEALTH)
    assert len(raw.frame) == 5220 and raw.measure_keys[MeasureRef("NettoArbeidsparticipatie")] == "NettoArbeidsparticipatie_16"
    served = live.served["86088NED"]
    assert served["api"] == "odata-v3" and served["version"] == v3.modified
    assert "86088NED" in served["fallback"] and re.search(expected, served["fallback"])
    assert live.served["85563NED"]["api"] == "odata-v4"  # the other table still from v4
    assert other.measure_keys[MeasureRef("UrenMantelzorgPerWeek")].startswith("M")
    assert live.describe()["api"] == "odata-v4+odata-v3"


def test_both_down_names_both_failures(v4: FakeOData4Server, v3: FakeCbsServer) -> None:
    v4.set_fault("86088NED", "Observations", status=500)
    v3.set_fault("86088NED", "TypedDataSet", status=503)
    live = CbsLiveSource(source4(v4, attempts=1), source3(v3, attempts=1))
    with pytest.raises(SourceError) as caught:
        live.fetch(LABOUR)
    message = str(caught.value)
    assert "table 86088NED: both CBS APIs failed" in message
    assert "CBS OData v4" in message and "HTTP 500" in message
    assert "CBS OData v3" in message and "HTTP 503" in message
    assert not isinstance(caught.value, SourceUnreachable)


def test_both_unreachable_is_unreachable() -> None:
    live = CbsLiveSource(
        CbsOData4Source(f"http://127.0.0.1:{closed_port()}/odata/v1", timeout_s=1, attempts=1),
        CbsODataSource(f"127.0.0.1:{closed_port()}", use_https=False, timeout_s=1, attempts=1),
    )
    with pytest.raises(SourceUnreachable, match=r"both CBS APIs failed — CBS OData v4 .*connection refused; then CBS OData v3"):
        live.fetch(LABOUR)


def test_v4_down_for_two_tables_goes_straight_to_v3(v3: FakeCbsServer) -> None:
    down = CbsOData4Source(f"http://127.0.0.1:{closed_port()}/odata/v1", timeout_s=1, attempts=1)
    live = CbsLiveSource(down, source3(v3), breaker=2)
    for request in (LABOUR, HEALTH, TableRequest("85542NED", (MeasureRef("ScoreGeluk"),), {"Kenmerken": "Totaal"})):
        live.fetch(request)
    assert {e["api"] for e in live.served.values()} == {"odata-v3"}
    assert "connection refused" in live.served["86088NED"]["fallback"]
    assert "skipped: unreachable for 2 tables in a row" in live.served["85542NED"]["fallback"]


def test_environment_picks_the_apis(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REGIOWELVAART_CBS_URL", "REGIOWELVAART_CBS4_URL", "REGIOWELVAART_CBS_HTTPS", "REGIOWELVAART_CBS4_HTTPS"):
        monkeypatch.delenv(name, raising=False)
    both = live_source_from_env()
    assert both.v4 is not None and both.v4.base_url == "https://datasets.cbs.nl/odata/v1"
    assert both.v3 is not None and both.v3.catalog_url == "opendata.cbs.nl"
    monkeypatch.setenv("REGIOWELVAART_CBS4_URL", "127.0.0.1:5123")
    monkeypatch.setenv("REGIOWELVAART_CBS4_HTTPS", "0")
    only4 = live_source_from_env()  # one API pointed elsewhere: the other stays off
    assert only4.v4.base_url == "http://127.0.0.1:5123/odata/v1" and only4.v3 is None
    monkeypatch.setenv("REGIOWELVAART_CBS_URL", "127.0.0.1:6000")
    assert live_source_from_env().v3 is not None
    monkeypatch.setenv("REGIOWELVAART_CBS4_URL", "off")
    assert live_source_from_env().v4 is None
    monkeypatch.delenv("REGIOWELVAART_CBS4_URL")
    assert live_source_from_env().v4 is None  # only v3 pointed at a test host
    monkeypatch.setenv("REGIOWELVAART_CBS_URL", "off")
    assert live_source_from_env().v3 is None and live_source_from_env().v4 is not None


def test_fake_portal_refuses_filters_it_cannot_apply(v4: FakeOData4Server) -> None:
    import requests

    url = f"{v4.base_url}/CBS/86088NED/Observations"
    bad = requests.get(url, params={"$filter": "startswith(RegioS,'GM')"}, timeout=5)
    assert bad.status_code == 400
    ok = requests.get(url, params={"$filter": "Measure in ('M000000') and RegioS eq 'GM0363'", "$count": "true"}, timeout=5)
    assert ok.status_code == 200 and ok.json()["@odata.count"] == 0


# -- the build: source choice per table ----------------------------------------------

MINI = ("wrk_unemployment", "hea_experienced_health")


def mini_catalog():
    import dataclasses

    catalog = load_catalog()
    return dataclasses.replace(catalog, indicators={k: catalog.indicators[k] for k in MINI})


def point_at(mp: pytest.MonkeyPatch, v4_host: str | None, v3_host: str | None) -> None:
    mp.setenv("REGIOWELVAART_CBS4_URL", v4_host or "off")
    mp.setenv("REGIOWELVAART_CBS4_HTTPS", "0")
    mp.setenv("REGIOWELVAART_CBS_URL", v3_host or "off")
    mp.setenv("REGIOWELVAART_CBS_HTTPS", "0")


def live_build(out: Path):
    from welfare.build import build_warehouse

    return build_warehouse(source="cbs", out_dir=out, boundaries=None, catalog=mini_catalog(), timeout_s=2.0)


def checksums(folder: Path) -> dict[str, str]:
    import hashlib

    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_from_v4_equals_build_from_v3(v4: FakeOData4Server, v3: FakeCbsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from welfare.warehouse import read_observations, read_regions

    point_at(monkeypatch, v4.host, None)
    from_v4 = live_build(tmp_path / "v4")
    point_at(monkeypatch, None, v3.catalog_url)
    from_v3 = live_build(tmp_path / "v3")
    assert from_v4.manifest["source"]["api"] == "odata-v4" and from_v3.manifest["source"]["api"] == "odata-v3"
    assert {e["api"] for e in from_v4.manifest["tables"].values()} == {"odata-v4"}
    pd.testing.assert_frame_equal(read_observations(tmp_path / "v4"), read_observations(tmp_path / "v3"))
    pd.testing.assert_frame_equal(read_regions(tmp_path / "v4"), read_regions(tmp_path / "v3"))
    assert from_v4.manifest["units"] == from_v3.manifest["units"]
    assert "tables: 17 from CBS OData v4" in from_v4.summary


def test_build_with_v4_down_uses_v3_and_says_so(v3: FakeCbsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    point_at(monkeypatch, f"127.0.0.1:{closed_port()}", v3.catalog_url)
    result = live_build(tmp_path / "wh")
    tables = result.manifest["tables"]
    assert {e["api"] for e in tables.values()} == {"odata-v3"}
    assert result.manifest["source"]["api"] == "odata-v3"
    assert all(e["version"] == v3.modified for e in tables.values())
    assert "connection refused" in tables["82000NED"]["fallback"]  # the first table tried
    assert "skipped: unreachable for 2 tables in a row" in tables["86088NED"]["fallback"]
    assert "tables: 17 from CBS OData v3" in result.summary
    assert any(w.startswith("CBS OData v4 did not serve 17 table(s)") for w in result.warnings)


def test_build_with_a_v4_fault_takes_that_table_from_v3(
    v4: FakeOData4Server, v3: FakeCbsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_at(monkeypatch, v4.host, v3.catalog_url)
    v4.set_fault("86088NED", "Observations", invalid_json=True)
    result = live_build(tmp_path / "wh")
    tables = result.manifest["tables"]
    assert tables["86088NED"]["api"] == "odata-v3" and "invalid JSON" in tables["86088NED"]["fallback"]
    assert tables["86088NED"]["version"] == v3.modified
    assert "measure_codes" not in tables["86088NED"]
    assert tables["85563NED"]["api"] == "odata-v4" and tables["85563NED"]["version"] == "2025-04-01T02:00:00+02:00"
    assert tables["85563NED"]["measure_codes"]["ErvarenGezondheidGoedZeerGoed"] == v4.measure_code("85563NED", "ErvarenGezondheidGoedZeerGoed_1")
    assert result.manifest["source"]["api"] == "odata-v4+odata-v3"
    assert "tables: 16 from CBS OData v4, 1 from CBS OData v3" in result.summary
    assert any(line.startswith("  86088NED from CBS OData v3: ") and "invalid JSON" in line for line in result.summary)


def test_build_with_both_apis_failing_keeps_the_previous_warehouse(
    v4: FakeOData4Server, v3: FakeCbsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_at(monkeypatch, v4.host, v3.catalog_url)
    out = tmp_path / "wh"
    live_build(out)
    before = checksums(out)
    v4.set_fault("86088NED", "Observations", status=500)
    v3.set_fault("86088NED", "TypedDataSet", status=503)
    with pytest.raises(SourceError) as caught:
        live_build(out)
    message = str(caught.value)
    assert "table 86088NED: both CBS APIs failed" in message
    assert re.search(r"CBS OData v4 \(127\.0\.0\.1:\d+\): table 86088NED, Observations, .*HTTP 500", message)
    assert re.search(r"CBS OData v3 \(127\.0\.0\.1:\d+\): table 86088NED, .*HTTP 503", message)
    assert checksums(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wh"]


def test_measure_codes_learned_by_a_build_are_used_by_the_next(
    v4: FakeOData4Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_at(monkeypatch, v4.host, None)
    out = tmp_path / "wh"
    live_build(out)
    # CBS renames the measure; the code recorded in the manifest still finds it
    v4.retitle("86088NED", "Werkloosheidspercentage_13", title="Werkloosheid (ILO)")
    result = live_build(out)
    assert result.manifest["tables"]["86088NED"]["measure_codes"]["Werkloosheidspercentage"] == v4.measure_code("86088NED", "Werkloosheidspercentage_13")
    with pytest.raises(DataError, match=r"no measure for 'Werkloosheidspercentage'"):
        source4(v4).fetch(LABOUR)  # without the code from that manifest the title no longer matches
