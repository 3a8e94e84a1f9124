"""CbsODataSource against the fake CBS OData v3 server (tests/cbs_server.py).

Expected values are read from the shared StatLine CSV dump with the ``csv``
module, independently of the server's own loading code.
"""

from __future__ import annotations

import csv
import math
import socket
import subprocess
import sys
import time
from pathlib import Path

import cbsodata
import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from tests.cbs_server import DUMP_DIR, FakeCbsServer, make_cbs_server_fixture
from welfare.errors import DataError, SourceError, SourceUnreachable
from welfare.sources.base import (
    MARGIN,
    PERIOD_KEY,
    PERIOD_TITLE,
    REGION_KEY,
    REGION_TITLE,
    ROW,
    MeasureRef,
    TableRequest,
)
from welfare.sources.cbs_odata import CbsODataSource
from welfare.sources.retry import RetriesExhausted, backoff_delays, call_with_retries

ROOT = Path(__file__).resolve().parents[1]

PAGE_SIZE = 500
cbs_server = make_cbs_server_fixture(page_size=PAGE_SIZE)
LABOUR = TableRequest(
    "86088NED",
    (MeasureRef("NettoArbeidsparticipatie"), MeasureRef("Werkloosheidspercentage")),
    {"Persoonskenmerken": "Totaal personen"},
)


def csv_rows(table_id: str) -> list[dict[str, str]]:
    """Rows of a dump CSV, read with nothing but the csv module."""
    with (DUMP_DIR / f"{table_id}.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def csv_float(text: str) -> float:
    return math.nan if text == "" else float(text)


def source(server: FakeCbsServer, **kwargs: object) -> CbsODataSource:
    settings: dict[str, object] = {"timeout_s": 2.0, "attempts": 3, "backoff_s": 0.01}
    settings.update(kwargs)
    return CbsODataSource(server.catalog_url, use_https=False, **settings)  # type: ignore[arg-type]


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- values ---------------------------------------------------------------------------


def test_values_equal_the_csv(cbs_server: FakeCbsServer) -> None:
    raw = source(cbs_server).fetch(LABOUR)
    frame = raw.frame

    expected = [r for r in csv_rows("86088NED") if r["Persoonskenmerken"] == "Totaal personen"]
    assert len(expected) == 5220  # 435 regions × 12 years, per SOURCE.md
    assert len(frame) == len(expected)
    got = {
        (t, p): (row, net, unemp)
        for t, p, row, net, unemp in zip(
            frame[REGION_TITLE],
            frame[PERIOD_TITLE],
            frame[ROW],
            frame["NettoArbeidsparticipatie_16"],
            frame["Werkloosheidspercentage_13"],
            strict=True,
        )
    }
    for r in expected:
        row, net, unemp = got[(r["RegioS"], r["Perioden"])]
        assert row == int(r["ID"]) + 1  # ROW = OData ID + 1 = CSV data-row number
        for value, text in (
            (net, r["NettoArbeidsparticipatie_16"]),
            (unemp, r["Werkloosheidspercentage_13"]),
        ):
            if text == "":
                assert math.isnan(value)
            else:
                assert value == float(text)

    # Keys: stripped, gemeenten = Code_1 of Gebieden 2025 (read independently).
    code_of = {r["RegioS"]: r["Code_1"].strip() for r in csv_rows("86059NED")}
    keys = dict(zip(frame[REGION_TITLE], frame[REGION_KEY], strict=True))
    for title, key in keys.items():
        assert key == key.strip()
        if title in code_of:
            assert key == code_of[title], title
    assert sum(t in code_of for t in keys) == 342
    assert keys["Nederland"] == "NL01"
    assert keys["Noord-Holland (PV)"] == "PV27"
    assert keys["Groot-Amsterdam (CR)"] == "CR23"
    assert keys["West-Nederland (LD)"] == "LD03"
    assert keys["Groot Amsterdam (AM)"] == "AM18"
    assert (frame[PERIOD_KEY] == frame[PERIOD_TITLE] + "JJ00").all()
    assert frame[MARGIN].isna().all()  # no Marges dimension

    # A spot value published in the RMBW: Noord-Holland 2022, net 72.7, unemployed 3.8.
    nh = frame[(frame[REGION_KEY] == "PV27") & (frame[PERIOD_KEY] == "2022JJ00")]
    assert nh["NettoArbeidsparticipatie_16"].tolist() == [72.7]
    assert nh["Werkloosheidspercentage_13"].tolist() == [3.8]

    assert raw.measure_keys == {
        MeasureRef("NettoArbeidsparticipatie"): "NettoArbeidsparticipatie_16",
        MeasureRef("Werkloosheidspercentage"): "Werkloosheidspercentage_13",
    }
    assert raw.units == {"NettoArbeidsparticipatie_16": "%", "Werkloosheidspercentage_13": "%"}
    assert raw.extra_dims == []
    assert raw.warnings == []
    assert str(frame["NettoArbeidsparticipatie_16"].dtype) == "float64"


def test_filter_pushed_to_server_and_pages_followed(cbs_server: FakeCbsServer) -> None:
    source(cbs_server).fetch(LABOUR)
    data = cbs_server.requests_for("86088NED", "TypedDataSet")
    first, rest = data[0], data[1:]
    assert first.query["$filter"] == "Persoonskenmerken eq 'T001'"
    assert set(first.query["$select"].split(",")) == {
        "ID",
        "Persoonskenmerken",
        "RegioS",
        "Perioden",
        "NettoArbeidsparticipatie_16",
        "Werkloosheidspercentage_13",
    }
    # 5220 filtered rows in pages of 500: the first page and 10 nextLink pages,
    # each still carrying the filter (else the server would send all 10 000 rows).
    assert [r.page for r in data] == list(range(1, 12))
    assert all(
        "$skiptoken" in r.query and r.query["$filter"] == first.query["$filter"] for r in rest
    )
    assert not cbs_server.requests_for("86088NED", "UntypedDataSet")


def test_several_filters_joined_with_and(cbs_server: FakeCbsServer) -> None:
    request = TableRequest(
        "86088NED",
        (MeasureRef("NettoArbeidsparticipatie"),),
        {
            "Persoonskenmerken": "Totaal personen",
            "RegioS": "Noord-Holland (PV)",
            "Perioden": "2022",
        },
    )
    frame = source(cbs_server).fetch(request).frame
    assert frame[[REGION_TITLE, REGION_KEY, PERIOD_KEY]].values.tolist() == [
        ["Noord-Holland (PV)", "PV27", "2022JJ00"]
    ]
    assert frame["NettoArbeidsparticipatie_16"].tolist() == [72.7]
    (first,) = [r for r in cbs_server.requests_for("86088NED", "TypedDataSet")]
    # The padded key goes to the server as CBS has it.
    assert first.query["$filter"] == (
        "Persoonskenmerken eq 'T001' and RegioS eq 'PV27      ' and Perioden eq '2022JJ00'"
    )


def test_margins_as_titles_and_missing_cells_are_nan(cbs_server: FakeCbsServer) -> None:
    request = TableRequest(
        "85563NED",
        (MeasureRef("ErvarenGezondheidGoedZeerGoed"), MeasureRef("UrenMantelzorgPerWeek")),
        {"Leeftijd": "Totaal"},
    )
    raw = source(cbs_server).fetch(request)
    frame = raw.frame
    expected = [r for r in csv_rows("85563NED") if r["Leeftijd"] == "Totaal"]
    assert len(frame) == len(expected) == 1164
    assert set(frame[MARGIN]) == {"Waarde", "Ondergrens 95%-interval", "Bovengrens 95%-interval"}
    assert frame[PERIOD_TITLE].isna().all() and frame[PERIOD_KEY].isna().all()
    assert raw.extra_dims == []

    got = {
        (t, m): v
        for t, m, v in zip(
            frame[REGION_TITLE], frame[MARGIN], frame["UrenMantelzorgPerWeek_14"], strict=True
        )
    }
    empty = [r for r in expected if r["UrenMantelzorgPerWeek_14"] == ""]
    assert len(empty) > 100  # the check below is not vacuous
    for r in expected:
        value = got[(r["RegioS"], r["Marges"])]
        if r["UrenMantelzorgPerWeek_14"] == "":
            assert math.isnan(value), r["RegioS"]  # never 0
        else:
            assert value == float(r["UrenMantelzorgPerWeek_14"])

    nl = frame[frame[REGION_KEY] == "NL01"].set_index(MARGIN)["ErvarenGezondheidGoedZeerGoed_1"]
    assert nl["Ondergrens 95%-interval"] <= nl["Waarde"] == 70.0 <= nl["Bovengrens 95%-interval"]


def test_unfiltered_dimension_becomes_title_column(cbs_server: FakeCbsServer) -> None:
    raw = source(cbs_server).fetch(TableRequest("85563NED", (MeasureRef("Rokers"),)))
    assert raw.extra_dims == ["Leeftijd"]
    assert len(raw.frame) == 3492
    assert set(raw.frame["Leeftijd"]) == {"Totaal", "18 tot 65 jaar", "65 jaar of ouder"}
    assert list(raw.frame.columns) == [
        ROW,
        REGION_TITLE,
        REGION_KEY,
        PERIOD_TITLE,
        PERIOD_KEY,
        MARGIN,
        "Rokers_15",
        "Leeftijd",
    ]


def test_table_without_region_dimension_is_nederland(cbs_server: FakeCbsServer) -> None:
    request = TableRequest(
        "85542NED", (MeasureRef("ScoreGeluk"),), {"Kenmerken": "Totaal", "Marges": "Waarde"}
    )
    frame = source(cbs_server).fetch(request).frame
    assert set(frame[REGION_TITLE]) == {"Nederland"} and set(frame[REGION_KEY]) == {"NL01"}
    assert set(frame[MARGIN]) == {"Waarde"}  # filtered margin still reported
    expected = {
        r["Perioden"]: csv_float(r["ScoreGeluk_1"])
        for r in csv_rows("85542NED")
        if r["Kenmerken"] == "Totaal" and r["Marges"] == "Waarde"
    }
    assert dict(zip(frame[PERIOD_TITLE], frame["ScoreGeluk_1"], strict=True)) == expected


def test_regio_dimension_named_regio(cbs_server: FakeCbsServer) -> None:
    request = TableRequest(
        "84570NED",
        (MeasureRef("TevredenheidMetDeHuidigeWoning"),),
        {
            "EigenaarOfHuurder": "Totaal",
            "Huishoudkenmerken": "Particuliere huishoudens",
            "Perioden": "2021",
        },
    )
    frame = source(cbs_server).fetch(request).frame
    nh = frame[(frame[REGION_KEY] == "PV27") & (frame[MARGIN] == "Waarde")]
    assert nh["TevredenheidMetDeHuidigeWoning_1"].tolist() == [83.2]  # = RMBW


def test_titles_stripped_like_the_folder_source(cbs_server: FakeCbsServer) -> None:
    # 85005NED has period titles "2021 " and "2023 " (trailing space) at CBS.
    request = TableRequest(
        "85005NED",
        (MeasureRef("Installaties"),),
        {"SectorEnVermogensklasse": "Woningen", "RegioS": "Amsterdam"},
    )
    frame = source(cbs_server).fetch(request).frame
    expected = [
        r
        for r in csv_rows("85005NED")
        if r["SectorEnVermogensklasse"] == "Woningen" and r["RegioS"] == "Amsterdam"
    ]
    assert "2021 " in {r["Perioden"] for r in expected}  # the check below is not vacuous
    assert frame[PERIOD_TITLE].tolist() == [r["Perioden"].strip() for r in expected]
    assert frame["Installaties_1"].tolist() == [float(r["Installaties_1"]) for r in expected]
    # A filter title matches with or without the trailing space.
    one = TableRequest("85005NED", request.measures, {**request.filters, "Perioden": "2021"})
    assert source(cbs_server).fetch(one).frame[PERIOD_KEY].tolist() == ["2021JJ00"]


def test_version_and_table_modified(cbs_server: FakeCbsServer) -> None:
    cbs_server.modified = "2025-03-31T02:00:00"
    src = source(cbs_server)
    assert src.fetch(LABOUR).version == "2025-03-31T02:00:00"
    assert src.table_modified("86088NED") == "2025-03-31T02:00:00"


def test_fetch_text_gebieden(cbs_server: FakeCbsServer) -> None:
    frame = source(cbs_server).fetch_text("86059NED")
    rows = csv_rows("86059NED")
    measures = [c for c in rows[0] if c not in ("ID", "RegioS")]
    assert list(frame.columns) == [REGION_TITLE, REGION_KEY, *measures]
    assert len(frame) == len(rows) == 342
    for got, r in zip(frame.to_dict("records"), rows, strict=True):
        assert got[REGION_TITLE] == r["RegioS"]
        assert got[REGION_KEY] == r["Code_1"].strip()
        for col in measures:
            assert got[col] == r[col].strip(), (r["RegioS"], col)
    ams = frame.set_index(REGION_KEY).loc["GM0363"]
    assert (ams["Naam_2"], ams["Code_28"], ams["Inwonertal_56"]) == ("Amsterdam", "PV27", "935793")


# -- content errors -------------------------------------------------------------------


def test_unknown_filter_title(cbs_server: FakeCbsServer) -> None:
    request = TableRequest("86088NED", LABOUR.measures, {"Persoonskenmerken": "Alle personen"})
    with pytest.raises(DataError) as info:
        source(cbs_server).fetch(request)
    message = str(info.value)
    assert "86088NED" in message and "Persoonskenmerken" in message and "'Alle personen'" in message
    assert "Totaal personen" in message  # lists what is available
    assert not cbs_server.requests_for("86088NED", "TypedDataSet")


def test_unknown_filter_dimension(cbs_server: FakeCbsServer) -> None:
    request = TableRequest("86088NED", LABOUR.measures, {"Geslacht": "Totaal"})
    with pytest.raises(DataError, match=r"86088NED.*Geslacht.*Persoonskenmerken"):
        source(cbs_server).fetch(request)


def test_renamed_measure(cbs_server: FakeCbsServer) -> None:
    cbs_server.rename_measure("86088NED", "NettoArbeidsparticipatie_16", "NettoArbeidsdeelname_16")
    with pytest.raises(DataError) as info:
        source(cbs_server).fetch(LABOUR)
    assert "86088NED" in str(info.value) and "NettoArbeidsparticipatie" in str(info.value)
    assert info.value.table_id == "86088NED" and info.value.field == "NettoArbeidsparticipatie"


def test_text_measure_refused_by_fetch(cbs_server: FakeCbsServer) -> None:
    with pytest.raises(DataError, match=r"86059NED.*Code_1.*text"):
        source(cbs_server).fetch(TableRequest("86059NED", (MeasureRef("Code"),)))


def test_empty_table(cbs_server: FakeCbsServer) -> None:
    cbs_server.make_empty("86088NED")
    with pytest.raises(DataError, match=r"86088NED.*no rows.*Totaal personen"):
        source(cbs_server).fetch(LABOUR)


# -- transport errors -----------------------------------------------------------------


def test_http_500_retried_then_source_error(cbs_server: FakeCbsServer) -> None:
    cbs_server.set_fault("86088NED", "TypedDataSet", status=500)
    src = source(cbs_server, attempts=3)
    with pytest.raises(SourceError) as info:
        src.fetch(LABOUR)
    assert not isinstance(info.value, SourceUnreachable)
    assert str(info.value) == (
        f"{src.label()}: table 86088NED, TypedDataSet: "
        "HTTP 500 Internal Server Error after 3 attempts"
    )
    assert info.value.table_id == "86088NED" and info.value.source == src.label()
    assert [r.status for r in cbs_server.requests_for("86088NED", "TypedDataSet")] == [
        500,
        500,
        500,
    ]


@pytest.mark.parametrize("status", [429, 503])
def test_transient_status_retried_until_success(cbs_server: FakeCbsServer, status: int) -> None:
    cbs_server.set_fault("86088NED", "TypedDataSet", status=status, times=2)
    raw = source(cbs_server, attempts=3).fetch(LABOUR)
    assert len(raw.frame) == 5220
    firsts = [r.status for r in cbs_server.requests_for("86088NED", "TypedDataSet") if r.page == 1]
    assert firsts == [status, status, 200]


def test_missing_table_404_not_retried(cbs_server: FakeCbsServer) -> None:
    with pytest.raises(SourceError, match=r"table 99999NED does not exist at CBS") as info:
        source(cbs_server, attempts=3).fetch(TableRequest("99999NED", (MeasureRef("X"),)))
    assert not isinstance(info.value, SourceUnreachable)
    assert len(cbs_server.requests_for("99999NED")) == 1


def test_missing_next_page_404_not_retried(cbs_server: FakeCbsServer) -> None:
    cbs_server.set_fault("86088NED", "TypedDataSet", status=404, page=2)
    with pytest.raises(
        SourceError, match=r"86088NED, TypedDataSet \(follow-up page\): HTTP 404 Not Found$"
    ):
        source(cbs_server, attempts=3).fetch(LABOUR)
    assert [r.page for r in cbs_server.requests_for("86088NED", "TypedDataSet")] == [1, 2]


def test_bad_request_400_not_retried(cbs_server: FakeCbsServer) -> None:
    cbs_server.set_fault("86088NED", "Persoonskenmerken", status=400)
    with pytest.raises(SourceError, match=r"86088NED, Persoonskenmerken: HTTP 400 Bad Request"):
        source(cbs_server, attempts=3).fetch(LABOUR)
    assert len(cbs_server.requests_for("86088NED", "Persoonskenmerken")) == 1


def test_timeout_is_unreachable(cbs_server: FakeCbsServer) -> None:
    cbs_server.set_fault("86088NED", "DataProperties", delay_s=3.0)
    start = time.monotonic()
    with pytest.raises(SourceUnreachable) as info:
        source(cbs_server, timeout_s=0.3, attempts=2).fetch(LABOUR)
    assert time.monotonic() - start < 2.5  # gave up on the timeout, not the server
    message = str(info.value)
    assert (
        "table 86088NED, DataProperties" in message
        and "timeout" in message
        and "2 attempts" in message
    )
    assert len(cbs_server.requests_for("86088NED", "DataProperties")) == 2


def test_invalid_json_page(cbs_server: FakeCbsServer) -> None:
    cbs_server.set_fault("86088NED", "TypedDataSet", invalid_json=True, page=3)
    with pytest.raises(SourceError) as info:
        source(cbs_server, attempts=2).fetch(LABOUR)
    message = str(info.value)
    assert "table 86088NED, TypedDataSet (follow-up page): invalid JSON" in message
    assert message.endswith("after 2 attempts")
    assert [
        r.fault for r in cbs_server.requests_for("86088NED", "TypedDataSet") if r.page == 3
    ] == [
        "invalid_json",
        "invalid_json",
    ]


def test_connection_reset_is_retried(cbs_server: FakeCbsServer) -> None:
    cbs_server.set_fault("86088NED", "TypedDataSet", reset=True, page=2, times=1)
    raw = source(cbs_server, attempts=3).fetch(LABOUR)
    cbs_server.clear_faults()
    clean = source(cbs_server).fetch(LABOUR)
    assert raw.frame.equals(clean.frame)
    page2 = [r.fault for r in cbs_server.requests_for("86088NED", "TypedDataSet") if r.page == 2]
    assert page2 == ["reset", "", ""]  # reset, the retry, the clean fetch


def test_connection_reset_every_time(cbs_server: FakeCbsServer) -> None:
    cbs_server.set_fault("86088NED", "TypedDataSet", reset=True)
    with pytest.raises(
        SourceError, match=r"TypedDataSet: the connection broke off .* after 2 attempts"
    ) as info:
        source(cbs_server, attempts=2).fetch(LABOUR)
    assert not isinstance(info.value, SourceUnreachable)  # the server did answer


def test_connection_refused_is_unreachable() -> None:
    src = CbsODataSource(
        f"127.0.0.1:{closed_port()}", use_https=False, timeout_s=0.5, attempts=2, backoff_s=0.01
    )
    with pytest.raises(
        SourceUnreachable,
        match=r"table 86088NED, DataProperties: connection refused after 2 attempts",
    ):
        src.fetch(LABOUR)
    with pytest.raises(SourceUnreachable, match=r"table 86059NED"):
        src.fetch_text("86059NED")


# -- how cbsodata is driven -----------------------------------------------------------


def test_use_https_restored(cbs_server: FakeCbsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    during: list[bool] = []
    real_send = requests.Session.send

    def send(
        self: requests.Session, request: requests.PreparedRequest, **kwargs: object
    ) -> requests.Response:
        during.append(cbsodata.options.use_https)
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    monkeypatch.setattr(cbsodata.options, "use_https", True)
    src = source(cbs_server, attempts=1)
    src.fetch(LABOUR)
    assert cbsodata.options.use_https is True
    cbs_server.set_fault("86088NED", "TypedDataSet", status=500)
    with pytest.raises(SourceError):
        src.fetch(LABOUR)
    assert cbsodata.options.use_https is True  # also after a failure
    assert during and not any(during)  # every request went out as plain http


def test_timeout_on_every_request(
    cbs_server: FakeCbsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    timeouts: list[object] = []
    real_send = requests.Session.send

    def send(
        self: requests.Session, request: requests.PreparedRequest, **kwargs: object
    ) -> requests.Response:
        timeouts.append(kwargs.get("timeout"))
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    src = source(cbs_server, timeout_s=0.75)
    src.fetch(LABOUR)
    src.fetch_text("86059NED")
    src.table_modified("86088NED")
    assert len(timeouts) == len(cbs_server.request_log) > 20
    assert set(timeouts) == {0.75}


def test_label_and_describe() -> None:
    src = CbsODataSource()
    assert src.kind == "cbs"
    assert src.label() == "CBS OData v3 (opendata.cbs.nl)"
    described = src.describe()
    assert described == {
        "kind": "cbs",
        "api": "odata-v3",
        "catalog_url": "opendata.cbs.nl",
        "https": True,
        "cbsodata": "1.3.5",
    }


def test_importing_welfare_does_not_import_cbsodata() -> None:
    code = "import sys, welfare.sources.cbs_odata; print('cbsodata' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_fake_server_is_cbsodata_compatible(
    cbs_server: FakeCbsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cbsodata's own get_data (titles substituted for keys) reproduces the CSV."""
    monkeypatch.setattr(cbsodata.options, "use_https", False)
    data = cbsodata.get_data("85268NED", catalog_url=cbs_server.catalog_url, timeout=2)
    expected = csv_rows("85268NED")
    assert len(data) == len(expected) == 1260
    for got, r in zip(data, expected, strict=True):
        assert (got["RegioS"], got["Perioden"]) == (r["RegioS"], r["Perioden"])
        assert got["Werkloosheidspercentage_13"] == csv_float(r["Werkloosheidspercentage_13"])
    keys = {
        m["Title"]: m["Key"]
        for m in cbsodata.get_meta(
            "85268NED", "Perioden", catalog_url=cbs_server.catalog_url, timeout=2
        )
    }
    assert keys["2013 1e kwartaal"] == "2013KW01" and keys["2013"] == "2013JJ00"


# -- the retry helper -----------------------------------------------------------------


class Flaky:
    """Fails ``failures`` times with ``error``, then returns "ok"."""

    def __init__(self, failures: int, error: type[Exception] = TimeoutError) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error(f"failure {self.calls}")
        return "ok"


def test_retry_backs_off_exponentially() -> None:
    sleeps: list[float] = []
    fn = Flaky(3)
    result = call_with_retries(
        fn, attempts=4, backoff_s=0.5, what="t", retry_on=(TimeoutError,), sleep=sleeps.append
    )
    assert result == "ok" and fn.calls == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_retry_gives_up_with_last_error() -> None:
    sleeps: list[float] = []
    with pytest.raises(RetriesExhausted) as info:
        call_with_retries(
            Flaky(9),
            attempts=3,
            backoff_s=1,
            what="download X",
            retry_on=(TimeoutError,),
            sleep=sleeps.append,
        )
    assert info.value.attempts == 3 and str(info.value.last) == "failure 3"
    assert info.value.__cause__ is info.value.last
    assert "download X" in str(info.value)
    assert sleeps == [1, 2]


def no_sleep(seconds: float) -> None:
    raise AssertionError(f"slept {seconds} s before a retry that should not happen")


def test_retry_does_not_retry_other_errors() -> None:
    fn = Flaky(1, KeyError)
    with pytest.raises(KeyError):
        call_with_retries(
            fn,
            attempts=5,
            backoff_s=1,
            what="t",
            retry_on=lambda e: isinstance(e, TimeoutError),
            sleep=no_sleep,
        )
    assert fn.calls == 1


@given(failures=st.integers(0, 6), attempts=st.integers(1, 6), backoff=st.floats(0.001, 10))
def test_retry_call_count_property(failures: int, attempts: int, backoff: float) -> None:
    sleeps: list[float] = []
    fn = Flaky(failures)
    try:
        assert (
            call_with_retries(
                fn,
                attempts=attempts,
                backoff_s=backoff,
                what="t",
                retry_on=(TimeoutError,),
                sleep=sleeps.append,
            )
            == "ok"
        )
        assert failures < attempts
    except RetriesExhausted:
        assert failures >= attempts
    assert fn.calls == min(failures + 1, attempts)
    assert sleeps == backoff_delays(attempts, backoff)[: fn.calls - 1]


tiny_cbs_server = make_cbs_server_fixture(page_size=7, name="tiny_cbs_server")


def test_tiny_pages_from_fixture_factory(tiny_cbs_server: FakeCbsServer) -> None:
    request = TableRequest(
        "85268NED", (MeasureRef("NettoArbeidsparticipatie"),), {"RegioS": "Utrecht (gemeente)"}
    )
    frame = source(tiny_cbs_server).fetch(request).frame
    expected = [r for r in csv_rows("85268NED") if r["RegioS"] == "Utrecht (gemeente)"]
    assert frame[PERIOD_TITLE].tolist() == [r["Perioden"] for r in expected]
    assert frame["NettoArbeidsparticipatie_16"].tolist() == [
        float(r["NettoArbeidsparticipatie_16"]) for r in expected
    ]
    assert set(frame[REGION_KEY]) == {"GM0344"}
    assert "2013KW01" in set(frame[PERIOD_KEY])
    pages = [r.page for r in tiny_cbs_server.requests_for("85268NED", "TypedDataSet")]
    assert pages == list(range(1, math.ceil(len(expected) / 7) + 1))
