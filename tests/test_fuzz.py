"""Fuzzed input (issue 9, part 2): broken StatLine CSV exports, deals registries and scoring configs.

Hypothesis generates 1 000 small inputs per test (``max_examples=1000``, no
deadline). The contract under test: whatever the input, the library either
returns a result that keeps its invariants or raises one of its documented
errors — a :class:`~welfare.errors.WelfareError` (``DataError``,
``SourceError``, ``RegistryError``) or a ``ValueError`` — with a message that
names the table, file, line or field. Anything else (``TypeError``,
``KeyError``, ``UnicodeDecodeError``, ``csv.Error`` …) is a bug.

Bugs found in files this suite may not change (``welfare/deals.py``,
``welfare/scoring.py``) are listed in ``KNOWN_BUGS`` with a minimal reproducer
each (``test_known_bug_reproducer``, ``xfail(strict=True)``: when one is fixed,
its reproducer passes and the strict xfail fails, so the entry gets removed).
The fuzz tests tolerate exactly those signatures and nothing else.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from welfare.catalog import load_catalog
from welfare.deals import COLUMNS, DEFAULT_REGISTRY, RegistryError, load_registry
from welfare.errors import WelfareError
from welfare.regions import GEBIEDEN_TABLES, RegionResolver, parse_gebieden
from welfare.scoring import ScoringConfig, score
from welfare.sources.base import MeasureRef, TableRequest
from welfare.sources.statline_csv import StatlineCsvFolder
from welfare.tidy import tidy_table
from welfare.types import LEVELS

pytestmark = pytest.mark.fuzz

FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
CATALOG = load_catalog()
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


# ------------------------------------------------------------------ known bugs


@dataclass(frozen=True)
class KnownBug:
    """A bug in a module this suite may not change: how it shows, and the smallest input that shows it."""

    where: str
    error: type[BaseException]
    message: str  # regex on str(error)
    reproduce: Callable[[Path], Any]  # gets an empty temp folder

    def matches(self, exc: BaseException) -> bool:
        return isinstance(exc, self.error) and re.search(self.message, str(exc)) is not None


def _registry_with(folder: Path, edit: Callable[[bytes], bytes]) -> Path:
    path = folder / "deals.csv"
    path.write_bytes(edit(DEFAULT_REGISTRY.read_bytes()))
    return path


KNOWN_BUGS: dict[str, KnownBug] = {}  # none open: the ones this suite found are fixed, see FIXED below

# The bugs this suite found in files it may not change, fixed since; their reproducers now get
# the library's own error, naming the file, line or field.
FIXED: dict[str, tuple[Callable[[Path], Any], type[BaseException], str]] = {
    "deals-invalid-utf8": (
        lambda d: load_registry(_registry_with(d, lambda b: b.replace(b"Zeeland", b"Zee\xffland", 1))),
        RegistryError,
        r"line \d+, field file: is not UTF-8",
    ),
    "deals-huge-field": (
        lambda d: load_registry(_registry_with(d, lambda b: b.replace(b"Zeeland", b"Z" * 131_073, 1))),
        RegistryError,
        r"line \d+, field row: cannot be read as CSV",
    ),
    "scoring-from-dict-not-a-dict": (lambda d: ScoringConfig.from_dict({"theme_weights": [1, 2]}), ValueError, r"'theme_weights'"),
    "scoring-from-dict-min-coverage": (lambda d: ScoringConfig.from_dict({"min_coverage": None}), ValueError, r"'min_coverage'"),
    "scoring-from-dict-indicators": (lambda d: ScoringConfig.from_dict({"indicators": 5}), ValueError, r"'indicators'"),
    "scoring-from-dict-weight-keys": (
        lambda d: ScoringConfig.from_dict({"theme_weights": {1: 1.0, "wonen": 2.0}}),
        ValueError,
        r"'theme_weights' keys",
    ),
    "scoring-weights-overflow": (
        lambda d: ScoringConfig(theme_weights=(("wonen", 1e308), ("milieu", 1e308))).resolved(CATALOG),
        ValueError,
        r"theme weight of 'wonen' must be a number from 0 to",
    ),
    "scoring-year-not-an-int": (lambda d: ScoringConfig.from_dict({"year": "2023"}), ValueError, r"'year'"),
}


def _kind(exc: BaseException) -> str:
    """A short class of an error for hypothesis' statistics: the type and the message without its details."""
    text = str(exc).split("\n")[0]
    text = re.sub(r"^.*?table \w+(, line \d+)?(, column \S+)?( \([^)]*\))?[:,] ", "", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"|\([^)]*\)|\d+", "…", text)
    return f"{type(exc).__name__}: {' '.join(text.split()[:6])}"


def known(exc: BaseException) -> str | None:
    """The KNOWN_BUGS entry this exception is, if any."""
    return next((name for name, bug in KNOWN_BUGS.items() if bug.matches(exc)), None)


@pytest.mark.parametrize("name", list(FIXED))
def test_fixed_bug_stays_fixed(name: str, tmp_path: Path) -> None:
    """Each input that once escaped with a bare Python error now gets the library's error naming where."""
    call, error, message = FIXED[name]
    with pytest.raises(error, match=message):
        call(tmp_path)


# ------------------------------------------------------------ StatLine CSV exports

TABLE = "86088NED"
INDICATOR = CATALOG.indicators["wrk_unemployment"]
SPEC = INDICATOR.sources[0]
REQUEST = TableRequest(TABLE, (MeasureRef("Werkloosheidspercentage"),), dict(SPEC.filters))
SHARED_CBS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "cbs" / "statline-dump-2025-04"


@pytest.fixture(scope="module")
def resolver() -> RegionResolver:
    """Title → code for 2024 and 2025, from the real Gebieden in Nederland exports."""
    if not SHARED_CBS.is_dir():
        pytest.skip(f"{SHARED_CBS} is missing")
    src = StatlineCsvFolder(SHARED_CBS)
    frames = [parse_gebieden(src.fetch_text(GEBIEDEN_TABLES[y]), y, GEBIEDEN_TABLES[y]) for y in (2024, 2025)]
    return RegionResolver.from_gemeenten(pd.concat(frames, ignore_index=True))


@pytest.fixture(scope="module")
def csv_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-csv")


REGION_TITLES = [
    "Amsterdam", "Assen", "'s-Gravenhage", "Súdwest-Fryslân", "Groningen (gemeente)", "Groningen (PV)",
    "Friesland (PV)", "Fryslân (PV)", "Noord-Nederland (LD)", "Groot-Amsterdam (CR)", "Nederland", "Almere (GM)",
    "GGD Drenthe", "Niet in te delen", "Atlantis", "", " Amsterdam ", "amsterdam", "Amsterdam;Assen", 'Ams"terdam',
]  # fmt: skip
PERIODS = ["2021", "2022", "2023", "2024 ", "2013 1e kwartaal", "2021JJ00", "", "2O21", "١٢٣٤", "99999", "-2021"]
VALUES = ["3.5", "", ".", " 4.2 ", "-1", "0", "1e3", "abc", "1,5", "NaN", "nan", "inf", "-inf", "1e309", "0x10", "٣", "1_000", "+2", "  "]
PERSONS = ["Totaal personen", " Totaal personen ", "Mannen", "Totaal", ""]


def mostly(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any], one_in: int = 5) -> st.SearchStrategy[Any]:
    """``common``, and ``rare`` about once in ``one_in`` draws: most examples get past the first check."""
    return st.integers(1, one_in).flatmap(lambda n: rare if n == 1 else common)


cell_value = mostly(st.sampled_from(["3.5", "12", "", "0.0", "-4.25"]), st.one_of(st.sampled_from(VALUES), st.floats(allow_nan=True).map(repr), TEXT))
row = st.tuples(
    mostly(st.just("Totaal personen"), st.one_of(st.sampled_from(PERSONS), TEXT), 4),
    mostly(st.sampled_from(REGION_TITLES[:12]), st.one_of(st.sampled_from(REGION_TITLES), TEXT)),
    mostly(st.sampled_from(["2021", "2022", "2023", "2024"]), st.one_of(st.sampled_from(PERIODS), TEXT, st.integers(1900, 2100).map(str))),
    cell_value,
    cell_value,
)


@st.composite
def csv_export(draw: st.DrawFn) -> bytes:
    """A small StatLine-like export: half of them well-formed CSV with hostile cells (regions, periods,
    values, duplicates), half broken as well: quoting, separators, encodings, stray bytes, cut off."""
    region_col = draw(st.sampled_from(["RegioS", "RegioS", "Regio"]))
    measure = draw(mostly(st.just("Werkloosheidspercentage_13"), st.sampled_from(["Werkloosheid_13", "Werkloosheidspercentage", "werkloosheidspercentage_13"]), 8))
    header = ["ID", "Persoonskenmerken", region_col, "Perioden", measure, "NettoArbeidsparticipatie_16"]
    if draw(st.integers(0, 9)) == 0:
        header = draw(st.permutations(header))
    rows = [[str(n), *r] for n, r in enumerate(draw(st.lists(row, max_size=8)))]
    if rows and draw(st.booleans()):  # duplicate rows
        rows += draw(st.lists(st.sampled_from(rows), max_size=3))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    if draw(st.booleans()):  # well-formed: what csv.writer makes of it
        buf = io.StringIO()
        csv.writer(buf, delimiter=";", lineterminator=newline, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))).writerows([header, *rows])
        return bom + buf.getvalue().encode("utf-8")

    sep = draw(mostly(st.just(";"), st.sampled_from([",", "\t", "|", " "]), 4))
    quoting = draw(st.sampled_from(["none", "all", "broken", "mixed"]))

    def cell(text: str) -> str:
        style = quoting if quoting != "mixed" else draw(mostly(st.just("none"), st.sampled_from(["all", "broken"]), 3))
        if style == "all":
            return '"' + text.replace('"', '""') + '"'
        if style == "broken":
            return '"' + text
        return text

    lines = [sep.join(cell(h) for h in header)]
    for cells in rows:
        if draw(st.integers(0, 9)) == 0:  # a row with a field too few or too many
            cells = cells[:-1] if draw(st.booleans()) else [*cells, "x"]
        row_sep = sep if draw(st.integers(0, 9)) else draw(st.sampled_from([";", ",", "\t"]))
        lines.append(row_sep.join(cell(c) for c in cells))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    encoding = draw(mostly(st.just("utf-8"), st.sampled_from(["cp1252", "utf-16", "latin-1"]), 3))
    data = bom + text.encode(encoding, errors="replace")
    for _ in range(draw(st.integers(0, 2))):  # stray bytes: NUL, invalid UTF-8, quotes, line breaks
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\x00", b"\xff", b'"', b"\n", b";", b"\xc3"])) + data[at:]
    if draw(st.integers(0, 4)) == 0:  # cut off anywhere
        data = data[: draw(st.integers(0, len(data)))]
    return data


@FUZZ
@given(data=csv_export())
def test_fuzzed_csv_export_through_source_and_tidy(data: bytes, csv_dir: Path, resolver: RegionResolver) -> None:
    (csv_dir / f"{TABLE}.csv").write_bytes(data)
    warnings: list[str] = []
    try:
        raw = StatlineCsvFolder(csv_dir).fetch(REQUEST)
        [out] = tidy_table(raw, [(INDICATOR, SPEC)], resolver, warnings)
    except WelfareError as exc:
        event(_kind(exc))
        assert TABLE.lower() in str(exc).lower(), f"the message does not name the table: {exc}"
        return
    event(f"ok, {'rows' if len(out) else 'no rows'}")
    # Invariants of a result: known codes and levels, integer years, missing stays missing (never 0).
    assert set(out["region_code"]) <= resolver.known_codes()
    assert set(out["level"]) <= set(LEVELS)
    assert out["year"].between(1000, 9999).all()
    assert ((out["flags"] == "suppressed") == out["value"].isna()).all()
    assert not out.duplicated(["region_code", "year"]).any()
    assert np.isfinite(out["value"].dropna()).all()  # 'inf', 'nan', '1e999' are refused, not read
    assert all(isinstance(w, str) and TABLE in w for w in warnings)


@pytest.mark.parametrize("cell", ["inf", "-inf", "Infinity", "NaN", "nan", "1e309"])
@pytest.mark.parametrize("other", ["3.5", "."], ids=["fast path", "text path"])
def test_csv_non_finite_cells_are_refused(cell: str, other: str, tmp_path: Path) -> None:
    """Found by the fuzz test: pyarrow read 'inf', 'NaN' and '1e309' as floats, so an infinite value
    reached the warehouse and 'NaN' became a 'suppressed' cell, while the text path refused 'nan'."""
    lines = ["ID;Persoonskenmerken;RegioS;Perioden;Werkloosheidspercentage_13", f"0;Totaal personen;Assen;2023;{other}",
             f"1;Totaal personen;Assen;2024;{cell}"]  # fmt: skip
    (tmp_path / f"{TABLE}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(WelfareError, match=rf"table {TABLE}, line 3, column Werkloosheidspercentage_13: '{re.escape(cell)}' is not a number"):
        StatlineCsvFolder(tmp_path).fetch(REQUEST)


json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), TEXT,
    st.lists(st.integers(), max_size=2), st.dictionaries(TEXT, st.integers(), max_size=2),
)  # fmt: skip


@FUZZ
@given(values=st.lists(json_scalar, min_size=1, max_size=6))
def test_fuzzed_odata_cells(values: list[Any]) -> None:
    """Any JSON value in a measure cell of the OData v3 feed: a finite float, NaN for null, or a DataError naming the cell."""
    from welfare.errors import DataError
    from welfare.sources.cbs_odata import _floats

    rows = [{"M_1": v} for v in values]
    try:
        out = _floats(TABLE, "M_1", rows, list(range(1, len(rows) + 1)))
    except DataError as exc:
        event("DataError")
        assert exc.table_id == TABLE and exc.field == "M_1" and exc.row is not None
        assert f"table {TABLE}, row {exc.row}, M_1:" in str(exc) and "is not a number" in str(exc)
        return
    event("ok")
    assert [math.isnan(x) for x in out] == [v is None for v in values]
    assert np.isfinite(out.dropna()).all()


GEBIEDEN_HEADER = ["ID", "RegioS", "Code_1", "Naam_2", "Code_3", "Naam_4", "Code_5", "Naam_6", "Code_7", "Naam_8", "Inwonertal_9"]
GEBIEDEN_ROW = st.tuples(
    mostly(st.sampled_from(["Amsterdam", "Assen", "Amsterdam (gemeente)"]), st.one_of(st.sampled_from(["Atlantis", ""]), TEXT)),
    mostly(st.sampled_from(["GM0363", "GM0106"]), st.one_of(st.sampled_from(["GM9999", "PV27", "", ".", "GM 0363"]), TEXT)),
    mostly(st.sampled_from(["Amsterdam", "Assen"]), st.one_of(st.just(""), TEXT)),
    mostly(st.sampled_from(["CR23", "CR01"]), st.one_of(st.sampled_from(["", ".", "CR99", "PV27"]), TEXT)),
    mostly(st.sampled_from(["Groot-Amsterdam", "Noord-Drenthe"]), st.one_of(st.just(""), TEXT)),
    mostly(st.sampled_from(["PV27", "PV22"]), st.one_of(st.sampled_from([".", "GM0363", ""]), TEXT)),
    mostly(st.sampled_from(["Noord-Holland", "Drenthe"]), TEXT),
    mostly(st.sampled_from(["LD03", "LD01"]), st.one_of(st.sampled_from(["", "LD99"]), TEXT)),
    mostly(st.sampled_from(["West-Nederland", "Noord-Nederland"]), TEXT),
    mostly(st.sampled_from(["935793", "34000"]), st.one_of(st.sampled_from(["", ".", "-5", "abc", "1e9", "nan"]), TEXT)),
)


@FUZZ
@given(
    rows=st.lists(GEBIEDEN_ROW, max_size=6),
    sep=mostly(st.just(";"), st.just(","), 10),
    bom=st.booleans(),
    cut=mostly(st.none(), st.integers(0, 400), 8),
    header_cut=mostly(st.just(len(GEBIEDEN_HEADER)), st.integers(2, len(GEBIEDEN_HEADER)), 8),
)
def test_fuzzed_gebieden_export_through_fetch_text_and_parse(
    rows: list[tuple[str, ...]], sep: str, bom: bool, cut: int | None, header_cut: int, csv_dir: Path
) -> None:
    table_id = GEBIEDEN_TABLES[2024]
    lines = [sep.join(GEBIEDEN_HEADER[:header_cut])]
    lines += [sep.join([str(i), *r][:header_cut]) for i, r in enumerate(rows)]
    data = ("\ufeff" if bom else "").encode() + "\n".join(lines).encode()
    (csv_dir / f"{table_id}.csv").write_bytes(data if cut is None else data[:cut])
    try:
        text = StatlineCsvFolder(csv_dir).fetch_text(table_id)
        gemeenten = parse_gebieden(text, 2024, table_id)
        RegionResolver.from_gemeenten(gemeenten)
    except WelfareError as exc:
        event(_kind(exc))
        assert table_id.lower() in str(exc).lower(), f"the message does not name the table: {exc}"
        return
    event(f"ok, {'rows' if len(gemeenten) else 'no rows'}")
    assert len(gemeenten) == len(text)


# ---------------------------------------------------------------- deals registry


@pytest.fixture(scope="module")
def registry_rows() -> tuple[list[str], list[list[str]]]:
    with open(DEFAULT_REGISTRY, encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    return header, rows


@pytest.fixture(scope="module")
def deals_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-deals")


FIELD_VALUES = {
    "id": ["t9-x", "T1-Zeeland", "t1-zeeland", "", "a--b", "-x", "ü"],
    "tranche": ["1", "7", "0", "-1", "1.0", "", "١", "99999999999999999999"],
    "year_selected": ["2018", "1800", "3000", "", "20x8"],
    "date_signed": ["2018-07-06", "2018-13-45", "2017-01-01", "2024", "", "06-07-2018", "2018-02-30"],
    "end_year": ["2030", "2010", "", "x"],
    "rijksbijdrage_meur": ["130", "0", "-5", "201", "1e400", "nan", "inf", "1,5", "", "€ 5"],
    "cofinancing_meur": ["240", "-1", "", "NaN", "1e-400"],
    "provinces": ["Zeeland", "Fryslân;Friesland", "Atlantis", "", ";", "Caribisch Nederland"],
    "gemeenten": ["Asten;Bergeijk", "Brile", "", ";;", "Amsterdam;Amsterdam", "Bonaire", "Súdwest-Fryslân"],
    "status": ["afgerond", "klaar", "", "lopend"],
    "partial": ["true", "false", "True", "ja", "", "1"],
    "successor": ["", "t1-zeeland", "t9-nope", "T1", "t1-brainport-eindhoven"],
}


@st.composite
def registry_file(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> bytes:
    """A registry of 0–4 real rows with some fields replaced; in half of them the header and bytes broken too."""
    picked = [list(r) for r in draw(st.lists(st.sampled_from(rows), max_size=4))]
    for r in picked:
        for _ in range(draw(mostly(st.just(0), st.integers(1, 4), 2))):
            i = draw(st.integers(0, len(header) - 1))
            choices = FIELD_VALUES.get(header[i], [])
            r[i] = draw(st.one_of(st.sampled_from(choices), TEXT) if choices else TEXT)
    head = list(header)
    buf = io.StringIO()
    if draw(st.booleans()):  # well-formed CSV
        csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows([head, *picked])
        return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + buf.getvalue().encode("utf-8")
    for r in picked:
        if draw(st.integers(0, 4)) == 0:
            r[:] = r[:-1] if draw(st.booleans()) else [*r, "x"]
    if draw(st.integers(0, 3)) == 0:
        op = draw(st.sampled_from(["drop", "rename", "duplicate", "upper", "space"]))
        i = draw(st.integers(0, len(head) - 1))
        if op == "drop":
            del head[i]
        elif op == "rename":
            head[i] = draw(TEXT)
        elif op == "duplicate":
            head.append(head[i])
        elif op == "upper":
            head[i] = head[i].upper()
        else:
            head[i] = f" {head[i]} "
    writer = csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])))
    writer.writerow(head)
    writer.writerows(picked)
    data = buf.getvalue().encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b'"', b"\n", b",", b"\x00", b"\r", b"\xff", b"\xc3"])) + data[at:]
    if draw(st.integers(0, 4)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


@pytest.fixture(scope="module")
def registry_strategy(registry_rows: tuple[list[str], list[list[str]]]) -> st.SearchStrategy[bytes]:
    header, rows = registry_rows
    return registry_file(header, rows)


@FUZZ
@given(data=st.data(), strict=st.booleans())
def test_fuzzed_deals_registry(data: st.DataObject, strict: bool, deals_dir: Path, registry_strategy) -> None:
    raw = data.draw(registry_strategy, label="registry")
    path = deals_dir / "deals.csv"
    path.write_bytes(raw)
    try:
        registry = load_registry(path, strict=strict)
    except RegistryError as exc:
        event(f"RegistryError ({'header' if all(p.row == 1 for p in exc.problems) else 'rows'})")
        message = str(exc)
        assert message.startswith("deals.csv"), message
        assert exc.problems, "a RegistryError without problems"
        for p in exc.problems:
            assert p.row >= 1 and p.field and p.message
            assert f"line {p.row}, field {p.field}" in message or "more" in message
        if not strict:  # only a file that cannot be read (encoding, CSV syntax, header) is fatal without strict
            assert all(p.row == 1 or p.field == "file" or "cannot be read as CSV" in p.message for p in exc.problems), message
        return
    except Exception as exc:  # noqa: BLE001
        if known(exc) in ("deals-invalid-utf8", "deals-huge-field"):
            event(f"known bug {known(exc)}")
            return
        raise
    event(f"ok, strict={strict}, {len(registry)} deals, {'with' if registry.problems else 'no'} problems")
    ids = [d.id for d in registry]
    assert len(ids) == len(set(ids))
    for problem in registry.problems:
        assert problem.row >= 1 and (problem.field in COLUMNS or problem.field in ("row", "header"))
    if strict:
        assert not registry.problems
    for deal in registry:
        assert deal.rijksbijdrage_meur is None or (math.isfinite(deal.rijksbijdrage_meur) and deal.rijksbijdrage_meur >= 0)
        assert deal.cofinancing_meur is None or (math.isfinite(deal.cofinancing_meur) and deal.cofinancing_meur >= 0)


# ------------------------------------------------------------------ scoring configs

THEMES = sorted(CATALOG.themes)
INDICATORS = sorted(CATALOG.indicators)
FIELDS = ("year", "level", "indicators", "normalisation", "theme_weights", "aggregation", "min_coverage", "up_to_year")
FIELD_WORDS = (*FIELDS, "theme weight", "theme(s)", "indicator(s)", "theme", "weights")

weight = mostly(
    st.sampled_from([0.0, 1.0, 2.5, 5.0, 3]),
    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 6), st.sampled_from([1e-300, 1e308, -0.0, True])),
    3,
)
theme_name = mostly(st.sampled_from(THEMES), st.one_of(st.sampled_from(["", "Wonen", "wonen ", "onbekend"]), TEXT), 6)
typed_config = st.fixed_dictionaries(
    {},
    optional={
        "year": mostly(st.one_of(st.none(), st.integers(2013, 2024)), st.integers(-10, 10**6), 6),
        "up_to_year": mostly(st.none(), st.integers(1990, 2030), 3),
        "level": mostly(st.sampled_from(["GM", "GM", "CR", "PV"]), st.one_of(st.sampled_from(["NL", "gm", ""]), TEXT), 8),
        "indicators": mostly(
            st.one_of(st.none(), st.lists(st.sampled_from(INDICATORS), min_size=1, max_size=6).map(tuple)),
            st.lists(st.one_of(st.sampled_from(INDICATORS), TEXT), max_size=6).map(tuple),
            6,
        ),
        "normalisation": mostly(st.sampled_from(["zscore", "percentile", "minmax"]), st.one_of(st.sampled_from(["rank", ""]), TEXT), 8),
        "theme_weights": mostly(st.none(), st.lists(st.tuples(theme_name, weight), max_size=6).map(tuple), 2),
        "aggregation": mostly(st.sampled_from(["arithmetic", "geometric", "count"]), st.one_of(st.just("median"), TEXT), 8),
        "min_coverage": mostly(st.sampled_from([0.65, 0.5, 1.0, 0.01]), st.one_of(st.floats(allow_nan=True), st.sampled_from([0.0, 1.0000001, -0.0])), 6),
    },
)
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True), TEXT,
              st.sampled_from(THEMES + INDICATORS + ["GM", "CR", "zscore", "count", "0.5", "2023"])),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(THEMES) | TEXT, inner, max_size=4),
    max_leaves=8,
)  # fmt: skip
json_config = st.one_of(
    st.dictionaries(st.sampled_from([*FIELDS, "extra"]), json_value, max_size=8),
    st.builds(lambda d: d, typed_config.map(lambda c: {**c, "indicators": list(c["indicators"]) if c.get("indicators") else None,
                                                       "theme_weights": dict(c["theme_weights"]) if c.get("theme_weights") else None})),
    json_value,
)  # fmt: skip


def synthetic_warehouse() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Eight gemeenten in two provinces, two years, every catalogue indicator, fixed seed (harmonised rows)."""
    rng = np.random.default_rng(9)
    codes = [f"GM{n:04d}" for n in range(1, 9)]
    rows = []
    for ind in INDICATORS:
        for code in codes:
            for year in (2022, 2023):
                value = float(rng.normal(50, 10)) if rng.random() > 0.1 else float("nan")
                for flags in ("", "harmonised"):
                    rows.append((ind, code, "GM", year, value, value - 1, value + 1, "T", 2024, flags))
    observations = pd.DataFrame(rows, columns=["indicator_id", "region_code", "level", "year", "value", "lower", "upper",
                                                "source_table", "boundary_year", "flags"])  # fmt: skip
    observations["year"] = observations["year"].astype("int16")
    observations["boundary_year"] = observations["boundary_year"].astype("int16")
    regions = pd.DataFrame(
        [(c, f"Gemeente {c}", "GM", 2024, None, "PV20" if i < 4 else "PV21", None, None, 1000.0 * (i + 1)) for i, c in enumerate(codes)],
        columns=["code", "name", "level", "year", "corop", "provincie", "landsdeel", "arbeidsmarktregio", "population"],
    )
    regions["year"] = regions["year"].astype("int16")
    return observations, regions


OBSERVATIONS, REGIONS = synthetic_warehouse()


def _check_value_error(exc: ValueError) -> None:
    message = str(exc)
    assert any(word in message for word in FIELD_WORDS), f"the message names no field: {message!r}"


def _exercise(config: ScoringConfig, *, scored: bool) -> None:
    """resolved, hash, the JSON round trip and (for gemeenten) a score on the synthetic warehouse."""
    try:
        resolved = config.resolved(CATALOG)
    except ValueError as exc:
        event("resolved: ValueError")
        _check_value_error(exc)
        return
    event("resolved")
    assert resolved.indicators and resolved.theme_weights
    weights = [w for _, w in resolved.theme_weights]
    assert all(math.isfinite(w) and w >= 0 for w in weights) and math.isclose(sum(weights), 1.0)
    assert re.fullmatch(r"[0-9a-f]{8}", config.hash(CATALOG))
    again = ScoringConfig.from_dict(json.loads(json.dumps(resolved.to_dict())))
    assert again.hash(CATALOG) == resolved.hash(CATALOG)
    if scored and resolved.level == "GM":
        try:
            result = score(OBSERVATIONS, REGIONS, CATALOG, config)
        except ValueError as exc:
            event("score: ValueError")
            _check_value_error(exc)
            return
        event("scored")
        frame = result.regions
        assert sorted(frame["region_code"]) == sorted(REGIONS["code"])
        ranked = frame["rank"].dropna()
        assert sorted(ranked) == list(range(1, len(ranked) + 1))  # a strict order of the ranked regions
        assert result.hash == resolved.hash(CATALOG)


@FUZZ
@given(kwargs=typed_config)
def test_fuzzed_scoring_config_with_typed_fields(kwargs: dict[str, Any]) -> None:
    """Values of the documented types, but hostile: NaN, inf, negative, unknown names, empty sets."""
    try:
        config = ScoringConfig(**kwargs)
    except ValueError as exc:
        event("constructor: ValueError")
        _check_value_error(exc)
        return
    try:
        _exercise(config, scored=True)
    except Exception as exc:  # noqa: BLE001
        if known(exc) == "scoring-weights-overflow":
            event("known bug scoring-weights-overflow")
            return
        raise


@FUZZ
@given(data=json_config)
def test_fuzzed_scoring_config_from_json(data: Any) -> None:
    """Any JSON value through ``from_dict``: a config from a file or a link is untrusted."""
    try:
        config = ScoringConfig.from_dict(data)
        _exercise(config, scored=False)
    except ValueError as exc:
        event(f"known bug {known(exc)}" if known(exc) else "ValueError")
        if known(exc) is None:
            _check_value_error(exc)
    except Exception as exc:  # noqa: BLE001
        if known(exc) is None:
            raise
        event(f"known bug {known(exc)}")
