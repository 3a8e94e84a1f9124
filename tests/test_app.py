"""AppTest tests of the app frame (app.py) and the status page, on a synthetic warehouse.

The app is pointed at a temp warehouse through REGIOWELVAART_WAREHOUSE; the
first-run build is replaced by a fast fake at the library boundary
(``welfare.build.build_warehouse``). Nothing inside Streamlit is mocked.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import welfare.build
from browser import INDICATORS, WAREHOUSE_ENV, write_synthetic_warehouse
from welfare.errors import SourceError
from welfare.i18n import md_escape
from welfare.status import MISSING, coverage_frame, source_summary
from welfare.warehouse import warehouse_exists

APP = Path(__file__).resolve().parent.parent / "app.py"


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A synthetic warehouse the app reads through the environment variable."""
    out = tmp_path / "warehouse"
    write_synthetic_warehouse(out)
    monkeypatch.setenv(WAREHOUSE_ENV, str(out))
    return out


@pytest.fixture
def empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A warehouse folder that does not exist yet."""
    out = tmp_path / "not-built" / "warehouse"
    monkeypatch.setenv(WAREHOUSE_ENV, str(out))
    return out


def run_app(**query: str) -> AppTest:
    """The status page (the map is the landing page; these tests are about the frame and status)."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("pages/status.py")
    return at.run()


def coverage_of(at: AppTest) -> pd.DataFrame:
    """The coverage table: the dataframe that has an indicator_id column."""
    frames = [df.value for df in at.dataframe if "indicator_id" in df.value.columns]
    assert len(frames) == 1, "expected exactly one coverage table"
    return frames[0].set_index("indicator_id")


def all_text(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "markdown", "caption", "info", "error", "warning") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


# ---------------------------------------------------------------- status page


def test_status_page_renders_in_dutch_by_default(warehouse: Path) -> None:
    at = run_app()
    assert not at.exception
    assert not at.error
    assert [t.value for t in at.title] == ["Status van de gegevens"]
    assert at.button_group(key="lang").value == "nl"

    cov = coverage_of(at)
    assert set(INDICATORS) <= set(cov.index)
    assert cov.loc["wrk_unemployment", "label"] == "Werkloosheid"
    assert cov.loc["wrk_unemployment", "regions"] == "GM 4 · PV 2"
    # Amsterdam has no 2023 value for the café distance: 3 of 4 gemeenten, not 4.
    assert cov.loc["liv_distance_cafe", "gemeenten"] == 3
    # An indicator without data is listed, with missing values (never 0).
    assert pd.isna(cov.loc["hea_overweight", "gemeenten"])
    assert pd.isna(cov.loc["hea_overweight", "last_year"])

    captions = [c.value for c in at.caption]
    assert any("Bron: CBS, 80305ned, 86004NED, 86088NED; bewerking regiowelvaart" in c for c in captions)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Gebouwd op"] == "02-04-2025"
    assert metrics["Indicatoren met cijfers"].startswith("3 van ")
    assert metrics["Brontabellen"] == "3"

    summary = dict(zip(*(at.table[0].value[c] for c in at.table[0].value.columns)))
    assert summary["Locatie"] == "/data/cbs/statline_test"
    assert summary["Gebouwd op"] == "02-04-2025 11:15 CEST"
    assert summary["Schemaversie"] == "1"

    warnings = at.expander[0]
    assert warnings.label == "Waarschuwingen bij de build (2)"
    assert "Zwolle ontbreekt" in warnings.markdown[0].value


def test_english_through_query_param(warehouse: Path) -> None:
    at = run_app(lang="en")
    assert not at.exception
    assert at.button_group(key="lang").value == "en"
    assert [t.value for t in at.title] == ["Data status"]
    assert coverage_of(at).loc["wrk_unemployment", "label"] == "Unemployment rate"
    assert any(c.value.endswith("processing regiowelvaart") and "Source: CBS" in c.value for c in at.caption)
    assert at.query_params["lang"] == "en"
    assert not at.sidebar.info  # no notice for a valid language


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("xx", "xx"), ("EN", "EN"), ("<b>en</b>", "ben_b")],
)
def test_invalid_lang_falls_back_to_dutch_with_notice(warehouse: Path, raw: str, shown: str) -> None:
    at = run_app(lang=raw)
    assert not at.exception
    assert at.button_group(key="lang").value == "nl"
    assert [t.value for t in at.title] == ["Status van de gegevens"]
    notice = at.sidebar.info[0].value
    assert md_escape(f"Onbekende taal ‘{shown}’") in notice
    assert "<" not in notice
    assert "lang" not in at.query_params  # Streamlit dropped the bad value from the URL


def test_switching_language_in_the_sidebar(warehouse: Path) -> None:
    at = run_app()
    at.button_group(key="lang").set_value("en").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Data status"]
    # (AppTest does not model the browser's URL update; tests/test_browser.py checks ?lang=en.)


def test_unreadable_warehouse_shows_error_not_traceback(warehouse: Path) -> None:
    manifest = json.loads((warehouse / "manifest.json").read_text())
    (warehouse / "manifest.json").write_text(json.dumps({**manifest, "schema_version": 99}))
    at = run_app()
    assert not at.exception
    message = at.error[0].value
    assert "99" in message and "python -m welfare build" in message


def test_manifest_without_coverage_is_counted_from_observations(warehouse: Path) -> None:
    manifest = json.loads((warehouse / "manifest.json").read_text())
    del manifest["coverage"]
    (warehouse / "manifest.json").write_text(json.dumps(manifest))
    at = run_app()
    assert not at.exception
    assert coverage_of(at).loc["liv_distance_cafe", "gemeenten"] == 3


# ------------------------------------------------------------- first-run build


class FakeBuild:
    """Stands in for welfare.build.build_warehouse: reports progress, writes a small warehouse."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error
        self.calls: list[dict] = []

    def __call__(self, source: str = "auto", out_dir: Path | None = None, progress=None, **kw):
        self.calls.append({"source": source, "out_dir": Path(out_dir), **kw})
        tables = ["82000NED", "86088NED", "80305ned"]
        for step, table in enumerate(tables, start=1):
            if progress is not None:
                progress(welfare.build.BuildProgress(step, len(tables), table, f"tabel {table}"))
            if self.error is not None and step == 2:
                raise self.error
        manifest = write_synthetic_warehouse(Path(out_dir))
        return welfare.build.BuildResult(manifest=manifest, summary=["ok"], warnings=manifest["warnings"])


def test_missing_warehouse_is_built_then_page_shows(empty_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeBuild()
    monkeypatch.setattr(welfare.build, "build_warehouse", fake)
    at = run_app()
    assert not at.exception
    assert not at.error
    assert [c["source"] for c in fake.calls] == ["auto"]
    assert fake.calls[0]["out_dir"] == empty_dir
    assert warehouse_exists(empty_dir)
    assert [t.value for t in at.title] == ["Status van de gegevens"]
    assert "Datawarehouse gebouwd" in at.toast[0].value
    # The next run reads the warehouse; it does not build again.
    at.run()
    assert len(fake.calls) == 1


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (SourceError("table 86088NED: HTTP 500 from CBS_x", table_id="86088NED"), md_escape("table 86088NED: HTTP 500 from CBS_x")),
        (RuntimeError("disk full"), "Onverwachte fout (RuntimeError): disk full"),
    ],
)
def test_failing_build_shows_error_and_no_traceback(
    empty_dir: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, expected: str
) -> None:
    fake = FakeBuild(error=error)
    monkeypatch.setattr(welfare.build, "build_warehouse", fake)
    at = run_app()
    assert not at.exception
    message = at.error[0].value
    assert "Het datawarehouse kon niet worden gebouwd" in message
    assert expected in message
    assert "python -m welfare build" in message
    assert not at.title  # the page did not run without a warehouse
    # A rerun shows the same error without building again; "try again" does build again.
    at.run()
    assert len(fake.calls) == 1 and at.error
    at.button(key="build_retry").click().run()
    assert len(fake.calls) == 2 and not at.exception


def test_failing_build_then_retry_succeeds(empty_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeBuild(error=SourceError("CBS unreachable"))
    monkeypatch.setattr(welfare.build, "build_warehouse", fake)
    at = run_app(lang="en")
    assert "The data warehouse could not be built: CBS unreachable" in at.error[0].value
    fake.error = None
    at.button(key="build_retry").click().run()
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Data status"]


# ------------------------------------------- the library functions behind the page


class _Ind(SimpleNamespace):
    def label(self, lang: str = "nl") -> str:
        return self.labels.get(lang, self.labels["nl"])


STUB_CATALOG = SimpleNamespace(
    hash="abc123abc123",
    themes={"wonen": {"nl": "Wonen", "en": "Living"}},
    indicators={
        "b_first": _Ind(id="b_first", theme="wonen", labels={"nl": "Eerste", "en": "First"}),
        "a_second": _Ind(id="a_second", theme="wonen", labels={"nl": "Tweede", "en": "Second"}),
    },
)


def test_coverage_frame_follows_catalogue_and_keeps_missing_missing() -> None:
    manifest = {
        "coverage": [
            {"indicator_id": "a_second", "level": "PV", "first_year": 2020, "last_year": 2022,
             "regions_last_year": 12, "source_tables": ["T1"]},
            {"indicator_id": "a_second", "level": "GM", "first_year": 2019, "last_year": 2021,
             "regions_last_year": 0, "source_tables": ["T2"]},
            {"indicator_id": "zz_unknown", "level": "NL", "last_year": 2023, "source_tables": []},
        ]
    }  # fmt: skip
    frame = coverage_frame(manifest, "en", STUB_CATALOG).set_index("indicator_id")
    assert list(frame.index) == ["b_first", "a_second", "zz_unknown"]  # catalogue order, extras last
    assert frame.loc["a_second", "label"] == "Second"
    assert frame.loc["a_second", "theme"] == "Living"
    assert frame.loc["a_second", "years"] == "2019–2022"
    assert frame.loc["a_second", "gemeenten"] == 0  # a real zero stays zero
    assert frame.loc["a_second", "regions"] == "GM 0 (2021) · PV 12"
    assert frame.loc["a_second", "source_tables"] == "T1, T2"
    assert pd.isna(frame.loc["b_first", "last_year"]) and pd.isna(frame.loc["b_first", "years"])
    assert frame.loc["zz_unknown", "label"] == "zz_unknown"
    assert frame.loc["zz_unknown", "regions"] == f"NL {MISSING}"
    assert pd.isna(frame.loc["zz_unknown", "theme"])


def test_source_summary_tolerates_an_empty_manifest() -> None:
    rows = dict(source_summary({}, "nl"))
    assert rows["Bron"] == MISSING and rows["Gebouwd op"] == MISSING
    rows = dict(source_summary({"source": {"kind": "cbs", "api": "v3", "version": "2025-03-14"}}, "en", STUB_CATALOG))
    assert rows["Source"] == "CBS OData (live)" and rows["API"] == "v3" and rows["Source version"] == "2025-03-14"
