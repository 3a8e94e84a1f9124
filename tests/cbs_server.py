"""A fake CBS OData v3 feed on 127.0.0.1, built from the real StatLine CSV dump.

The live CBS API is never reachable in tests, so this server answers the
requests ``cbsodata`` makes, shaped like ``opendata.cbs.nl/ODataFeed``:

- ``/ODataFeed/odata/<table>/`` — the entity list (TableInfos, UntypedDataSet,
  TypedDataSet, DataProperties, CategoryGroups, one entity per dimension);
- ``TableInfos``, ``DataProperties``, ``CategoryGroups``, one member list per
  dimension (Key/Title/Description, CategoryGroupID for regions);
- ``TypedDataSet``/``UntypedDataSet`` with ``$select``, ``$filter``
  (``Dim eq 'KEY'`` joined by `` and ``), ``$top``/``$skip``, and server-side
  paging through ``odata.nextLink`` (``page_size``, small in tests).

Tables are read lazily from the CSV files in the shared dump (never copied into
the repo). The CSVs hold titles, not keys; keys are rebuilt the CBS way:
regions from "Gebieden in Nederland" 2025 back to 2013 (``GM0363``, ``CR17``,
``PV27``, ``LD03``, ``AM18``, ``GG3406``; ``Nederland`` → ``NL01``), padded with
spaces to 10 characters; periods ``2021`` → ``2021JJ00``, ``2013 1e kwartaal``
→ ``2013KW01``; margins ``MW00000``/``MOG0095``/``MBG0095``; other members
get synthetic keys ``T001``, ``T002``… Empty CSV cells are null.

Faults for reliability tests: :meth:`FakeCbsServer.set_fault` (HTTP status,
delay, cut-off JSON, another body, connection reset mid-body, a stall
mid-body, a page without its ``odata.nextLink``; per table/entity/page,
optionally only the first n times), :meth:`FakeCbsServer.rename_measure`,
:meth:`FakeCbsServer.make_empty`, :meth:`FakeCbsServer.change_unit`. Every
request is recorded in ``request_log``. ``<entity>/$count`` answers the number
of rows matching ``$filter`` as plain text, as WCF Data Services do.

Use the ``cbs_server`` fixture (import it into a test module), or
``make_cbs_server_fixture(page_size=...)`` for other settings, or
``with FakeCbsServer() as server: ...``.
"""

from __future__ import annotations

import copy
import csv
import functools
import http.server
import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from tests.loopback import LoopbackServer, send_partial

# ../shared beside the repo, as in CI; REGIOWELVAART_CBS_DUMP points elsewhere.
DUMP_DIR = Path(
    os.environ.get("REGIOWELVAART_CBS_DUMP")
    or Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "cbs" / "statline-dump-2025-04"
)
# "Gebieden in Nederland" 2025 back to 2013, newest first: the newest code for a title wins.
GEBIEDEN_TABLES = (
    "86059NED",
    "85755NED",
    "85385NED",
    "85067NED",
    "84929NED",
    "84721NED",
    "84378NED",
    "83859NED",
    "83553NED",
    "83287NED",
    "82949NED",
    "82496NED",
    "82000NED",
)
FEED_PREFIX = "/ODataFeed/odata/"
DEFAULT_MODIFIED = "2025-04-01T02:00:00"

_SUFFIX = re.compile(r"_\d+$")
_INT = re.compile(r"^-?\d+$")
_FLOAT = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_QUARTER = re.compile(r"^(\d{4}) ([1-4])e kwartaal$")
_MONTH = re.compile(r"^(\d{4}) (\w+)$")
_MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
MARGIN_KEYS = {
    "Waarde": "MW00000",
    "Ondergrens 95%-interval": "MOG0095",
    "Bovengrens 95%-interval": "MBG0095",
}
REGION_GROUPS = [  # CategoryGroups of the region dimension, by code prefix
    ("NL", "Nederland"),
    ("LD", "Landsdelen"),
    ("PV", "Provincies"),
    ("CR", "COROP-gebieden"),
    ("AM", "Arbeidsmarktregio's"),
    ("GG", "GGD-regio's"),
    ("GM", "Gemeenten"),
]
# The CSVs carry no units; these few are from the CBS table pages, the rest
# are plausible defaults so DataProperties looks like the real thing.
KNOWN_UNITS = {
    "Werkloosheidspercentage_13": "%",
    "BrutoArbeidsparticipatie_15": "%",
    "NettoArbeidsparticipatie_16": "%",
    "Inwonertal_56": "aantal",
}
TABLE_TITLES = {
    "86088NED": "Arbeidsdeelname; regionale indeling 2024",
    "85563NED": "Gezondheid per regio; 2022",
    "86059NED": "Gebieden in Nederland 2025",
    "85755NED": "Gebieden in Nederland 2024",
}


# -- the tables ----------------------------------------------------------------------


@dataclass
class FakeDimension:
    """One dimension: its DataProperties entry and member list (in CSV order)."""

    key: str
    type: str  # Dimension | GeoDimension | TimeDimension
    members: list[dict[str, Any]]
    key_of_title: dict[str, str]


@dataclass
class FakeTable:
    """One table as the fake server serves it (typed rows with keys, not titles)."""

    table_id: str
    title: str
    dimensions: list[FakeDimension]
    topics: list[dict[str, Any]]  # DataProperties rows of Type "Topic"
    rows: list[dict[str, Any]]  # TypedDataSet rows
    category_groups: list[dict[str, Any]] = field(default_factory=list)

    @property
    def measure_keys(self) -> list[str]:
        return [t["Key"] for t in self.topics]

    def dimension(self, key: str) -> FakeDimension:
        return next(d for d in self.dimensions if d.key == key)

    def key_for(self, dim: str, title: str) -> str:
        """The (padded) member key of ``title`` in dimension ``dim``."""
        return self.dimension(dim).key_of_title[title]


def csv_path(table_id: str, dump_dir: Path = DUMP_DIR) -> Path | None:
    """The dump's CSV for ``table_id`` (file names vary in case: 80305ned.csv)."""
    if not dump_dir.is_dir():
        return None
    wanted = f"{table_id}.csv".lower()
    for p in dump_dir.iterdir():
        if p.name.lower() == wanted:
            return p
    return None


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Columns and rows of a StatLine CSV export (';', UTF-8 with BOM)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f, delimiter=";")
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def pad(key: str) -> str:
    """CBS pads region keys with spaces to 10 characters."""
    return key.ljust(10)


@functools.lru_cache(maxsize=4)
def region_codes(dump_dir: Path = DUMP_DIR) -> dict[str, str]:
    """Region title → code from "Gebieden in Nederland" 2025 back to 2013.

    Gemeenten: ``RegioS`` title and ``Naam_2`` → ``Code_1``. Larger regions: every
    ``Code_<n>``/``<Name>_<n+1>`` pair gives ``"<name> (<prefix>)"`` → code,
    e.g. ``"Noord-Holland (PV)"`` → ``PV27``.
    """
    codes: dict[str, str] = {"Nederland": "NL01"}
    for table_id in GEBIEDEN_TABLES:
        path = csv_path(table_id, dump_dir)
        if path is None:
            continue
        columns, rows = read_csv(path)
        pairs = []
        for i, col in enumerate(columns[:-1]):
            if col.startswith("Code_") and col != "Code_1":
                pairs.append((col, columns[i + 1]))
        for row in rows:
            codes.setdefault(row["RegioS"], row["Code_1"].strip())
            # Bare name ("Groningen" for "Groningen (gemeente)"), as some tables title it.
            codes.setdefault(row["Naam_2"].strip(), row["Code_1"].strip())
            for code_col, name_col in pairs:
                code, name = row[code_col].strip(), row[name_col].strip()
                if len(code) >= 3 and code[:2].isalpha() and name and name != ".":
                    codes.setdefault(f"{name} ({code[:2]})", code)
    return codes


def _period_key(title: str) -> str | None:
    t = title.strip()
    if re.fullmatch(r"\d{4}", t):
        return f"{t}JJ00"
    m = _QUARTER.match(t)
    if m:
        return f"{m.group(1)}KW0{m.group(2)}"
    m = _MONTH.match(t)
    if m and m.group(2) in _MONTHS:
        return f"{m.group(1)}MM{_MONTHS.index(m.group(2)) + 1:02d}"
    return None


def _member_keys(dim: str, titles: list[str], dump_dir: Path) -> dict[str, str]:
    """Title → key for one dimension; unique keys guaranteed."""
    keys: dict[str, str] = {}
    used: set[str] = set()
    synthetic = 0

    def next_synthetic(prefix: str, width: int) -> str:
        nonlocal synthetic
        while True:
            synthetic += 1
            key = f"{prefix}{synthetic:0{width}d}"
            if key not in used:
                return key

    regions = region_codes(dump_dir) if dim in ("RegioS", "Regio") else {}
    for title in titles:
        key: str | None
        if dim in ("RegioS", "Regio"):
            # The Veiligheidsmonitor titles gemeenten "Almere (GM)".
            code = regions.get(title) or regions.get(title.removesuffix(" (GM)"))
            key = pad(code) if code else None
            if key is None or key in used:
                key = pad(next_synthetic("RG", 4))  # region CBS has but our Gebieden lack
        elif dim == "Perioden":
            key = _period_key(title)
            if key is None or key in used:
                key = next_synthetic("X", 7)
        elif dim == "Marges":
            key = MARGIN_KEYS.get(title)
            if key is None or key in used:
                key = next_synthetic("M", 6)
        else:
            key = next_synthetic("T", 3)
        keys[title] = key
        used.add(key)
    return keys


def _camel_title(key: str) -> str:
    stem = _SUFFIX.sub("", key)
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", stem).split()
    return " ".join([words[0], *[w.lower() for w in words[1:]]]) if words else key


def _region_group(key: str) -> int | None:
    for i, (prefix, _) in enumerate(REGION_GROUPS, start=1):
        if key.startswith(prefix) and not key.startswith("RG"):
            return i
    return None


@functools.lru_cache(maxsize=16)
def load_table(table_id: str, dump_dir: Path = DUMP_DIR) -> FakeTable:
    """Build a :class:`FakeTable` from the dump's CSV (cached; treat as read-only)."""
    path = csv_path(table_id, dump_dir)
    if path is None:
        raise KeyError(table_id)
    columns, csv_rows = read_csv(path)
    dim_cols = [c for c in columns if c != "ID" and not _SUFFIX.search(c)]
    measure_cols = [c for c in columns if c != "ID" and _SUFFIX.search(c)]

    dimensions: list[FakeDimension] = []
    for dim in dim_cols:
        titles = list(dict.fromkeys(r[dim] for r in csv_rows))
        keys = _member_keys(dim, titles, dump_dir)
        if dim in ("RegioS", "Regio"):
            dtype = "GeoDimension"
        elif dim == "Perioden":
            dtype = "TimeDimension"
        else:
            dtype = "Dimension"
        members = []
        for title in titles:
            member: dict[str, Any] = {"Key": keys[title], "Title": title, "Description": None}
            if dtype == "GeoDimension":
                member["CategoryGroupID"] = _region_group(keys[title])
            if dtype == "TimeDimension":
                member["Status"] = "Definitief"
            members.append(member)
        dimensions.append(FakeDimension(dim, dtype, members, keys))

    # Datatype per measure: Long if every filled cell is an integer, Double if a
    # number, else String (codes and names in "Gebieden in Nederland").
    kinds: dict[str, str] = {}
    for col in measure_cols:
        filled = [r[col] for r in csv_rows if r[col] != ""]
        if filled and all(_INT.match(v) for v in filled):
            kinds[col] = "Long"
        elif all(_FLOAT.match(v) for v in filled):
            kinds[col] = "Double"
        else:
            kinds[col] = "String"

    topics = []
    for i, col in enumerate(measure_cols):
        kind = kinds[col]
        decimals = 0
        if kind == "Double":
            decimals = max(
                (len(v.split(".")[1]) for v in (r[col] for r in csv_rows) if "." in v), default=0
            )
        topics.append(
            {
                "odata.type": "Cbs.OData.Topic",
                "ID": len(dim_cols) + 1 + i,
                "Position": len(dim_cols) + 1 + i,
                "ParentID": len(dim_cols),  # under the TopicGroup below
                "Type": "Topic",
                "Key": col,
                "Title": _camel_title(col),
                "Description": None,
                "Datatype": kind,
                "Unit": KNOWN_UNITS.get(col, "" if kind == "String" else "aantal"),
                "Decimals": decimals,
                "Default": "Impossible",
                "PresentationType": "Absolute",
            }
        )

    rows = []
    key_maps = {d.key: d.key_of_title for d in dimensions}
    for r in csv_rows:
        row: dict[str, Any] = {"ID": int(r["ID"])}
        for dim in dim_cols:
            row[dim] = key_maps[dim][r[dim]]
        for col in measure_cols:
            v = r[col]
            if v == "":
                row[col] = None  # empty cell = missing/secret = null, never 0
            elif kinds[col] == "Long":
                row[col] = int(v)
            elif kinds[col] == "Double":
                row[col] = float(v)
            else:
                row[col] = v
        rows.append(row)

    groups = []
    if any(d.type == "GeoDimension" for d in dimensions):
        geo = next(d for d in dimensions if d.type == "GeoDimension")
        groups = [
            {
                "ID": i,
                "DimensionKey": geo.key,
                "Title": title,
                "Description": None,
                "ParentID": None,
            }
            for i, (_, title) in enumerate(REGION_GROUPS, start=1)
        ]
    return FakeTable(
        table_id=path.stem,  # as CBS spells it (80305ned is lower case)
        title=TABLE_TITLES.get(table_id.upper(), f"CBS-tabel {table_id} (uit de StatLine-dump)"),
        dimensions=dimensions,
        topics=topics,
        rows=rows,
        category_groups=groups,
    )


# -- faults and the request log ------------------------------------------------------


@dataclass
class Fault:
    """What goes wrong for one table/entity.

    Attributes
    ----------
    status : answer with this HTTP status (500, 503, 429, 404, ...) instead
    delay_s : wait this long before answering (longer than the client timeout
        to provoke a timeout)
    invalid_json : answer 200 with a cut-off JSON body
    reset : send the headers and half the body, then reset the connection
    page : only on this page (1 = first, 2 = first ``odata.nextLink``); None = every page
    times : only the first ``times`` matching requests; None = always
    stall_s : send the headers and half the body, then nothing for this long
        (a read timeout in the middle of the body), then the rest
    body : answer 200 with these bytes instead (an HTML error page, JSON of
        another shape)
    no_next_link : leave ``odata.nextLink`` out of the page although rows follow
        (the server stops paging early)
    """

    status: int | None = None
    delay_s: float = 0.0
    invalid_json: bool = False
    reset: bool = False
    page: int | None = None
    times: int | None = None
    stall_s: float = 0.0
    body: bytes | None = None
    no_next_link: bool = False


@dataclass
class RequestRecord:
    """One request the server answered (or broke off on purpose)."""

    path: str
    query: dict[str, str]
    table_id: str
    entity: str  # "" for the table root
    page: int  # 1-based; >1 means an odata.nextLink page
    status: int  # 0 while the answer is still pending (delay fault)
    fault: str = ""  # "status", "delay", "invalid_json", "reset", "stall", "body", "no_next_link" or ""

    @property
    def url(self) -> str:
        """Path and decoded query, for readable assertions."""
        q = "&".join(f"{k}={v}" for k, v in self.query.items())
        return f"{self.path}?{q}" if q else self.path


# -- the server ----------------------------------------------------------------------


class _ODataError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class FakeCbsServer(LoopbackServer):
    """Threaded HTTP server answering like CBS's OData v3 feed.

    Parameters
    ----------
    page_size
        Rows per page of every collection; the rest follows via ``odata.nextLink``.
    dump_dir
        Folder with the StatLine CSVs.
    modified
        ``TableInfos.Modified`` of every table.
    """

    def __init__(
        self,
        page_size: int = 10_000,
        dump_dir: Path = DUMP_DIR,
        modified: str = DEFAULT_MODIFIED,
    ) -> None:
        self.page_size = page_size
        self.dump_dir = dump_dir
        self.modified = modified
        self.request_log: list[RequestRecord] = []
        self._faults: dict[tuple[str, str], Fault] = {}
        self._renames: dict[str, dict[str, str]] = {}
        self._empty: set[str] = set()
        self._units: dict[str, dict[str, str]] = {}
        self._views: dict[str, FakeTable] = {}
        self._lock = threading.Lock()
        super().__init__()

    # lifecycle

    def make_handler(self) -> Callable[..., http.server.BaseHTTPRequestHandler]:
        return functools.partial(_Handler, self)

    @property
    def catalog_url(self) -> str:
        """What ``cbsodata``/``CbsODataSource`` take as catalog_url: ``127.0.0.1:PORT``."""
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.catalog_url}{FEED_PREFIX}"

    # faults

    def set_fault(
        self,
        table_id: str = "*",
        entity: str = "TypedDataSet",
        *,
        status: int | None = None,
        delay_s: float = 0.0,
        invalid_json: bool = False,
        reset: bool = False,
        page: int | None = None,
        times: int | None = None,
        stall_s: float = 0.0,
        body: bytes | None = None,
        no_next_link: bool = False,
    ) -> None:
        """Make requests for ``table_id``/``entity`` fail (``"*"`` = any; ``""`` = table root).

        See :class:`Fault` for the kinds; ``entity`` ``"TypedDataSet/$count"``
        is the row count request.
        """
        with self._lock:
            self._faults[(table_id.upper(), entity)] = Fault(
                status, delay_s, invalid_json, reset, page, times, stall_s, body, no_next_link
            )

    def rename_measure(self, table_id: str, old_key: str, new_key: str) -> None:
        """Serve ``old_key`` as ``new_key`` everywhere, as if CBS renamed the column."""
        with self._lock:
            self._renames.setdefault(table_id.upper(), {})[old_key] = new_key
            self._views.pop(table_id.upper(), None)

    def change_unit(self, table_id: str, key: str, unit: str) -> None:
        """Report ``unit`` as the ``Unit`` of measure ``key`` in DataProperties (values unchanged)."""
        with self._lock:
            self._units.setdefault(table_id.upper(), {})[key] = unit
            self._views.pop(table_id.upper(), None)

    def make_empty(self, table_id: str) -> None:
        """Serve the table with an empty TypedDataSet/UntypedDataSet."""
        with self._lock:
            self._empty.add(table_id.upper())
            self._views.pop(table_id.upper(), None)

    def clear_faults(self) -> None:
        """Remove every fault, rename and emptying (the log is kept)."""
        with self._lock:
            self._faults.clear()
            self._renames.clear()
            self._empty.clear()
            self._units.clear()
            self._views.clear()

    # inspection

    def table(self, table_id: str) -> FakeTable:
        """The table as currently served (with renames/emptying applied)."""
        with self._lock:
            return self._view(table_id.upper())

    def requests_for(
        self, table_id: str | None = None, entity: str | None = None
    ) -> list[RequestRecord]:
        """Logged requests, optionally only those for one table and/or entity."""
        with self._lock:
            return [
                r
                for r in self.request_log
                if (table_id is None or r.table_id.upper() == table_id.upper())
                and (entity is None or r.entity == entity)
            ]

    # internals (called from handler threads)

    def _view(self, table_id: str) -> FakeTable:
        if table_id not in self._views:
            base = load_table(table_id, self.dump_dir)
            renames = self._renames.get(table_id, {})
            units = self._units.get(table_id, {})
            if not renames and not units and table_id not in self._empty:
                self._views[table_id] = base
            else:
                view = copy.copy(base)
                view.topics = [
                    dict(t, Key=renames.get(t["Key"], t["Key"]), Unit=units.get(t["Key"], t["Unit"]))
                    for t in base.topics
                ]
                view.rows = (
                    []
                    if table_id in self._empty
                    else [{renames.get(k, k): v for k, v in r.items()} for r in base.rows]
                )
                self._views[table_id] = view
        return self._views[table_id]

    def _take_fault(self, table_id: str, entity: str, page: int) -> Fault | None:
        with self._lock:
            for key in ((table_id, entity), (table_id, "*"), ("*", entity), ("*", "*")):
                fault = self._faults.get(key)
                if fault is None or (fault.page is not None and fault.page != page):
                    continue
                if fault.times is not None:
                    if fault.times <= 0:
                        continue
                    fault.times -= 1
                return fault
        return None

    def _log(self, record: RequestRecord) -> None:
        with self._lock:
            self.request_log.append(record)

    def _entity_value(self, table_id: str, entity: str) -> list[dict[str, Any]] | dict[str, Any]:
        """The full (unpaged, unselected) value of an entity, or _ODataError."""
        try:
            with self._lock:
                table = self._view(table_id)
        except KeyError:
            raise _ODataError(404, f"Table '{table_id}' not found") from None
        base = self.base_url + table_id + "/"
        if entity == "":
            names = [
                "TableInfos",
                "UntypedDataSet",
                "TypedDataSet",
                "DataProperties",
                "CategoryGroups",
            ]
            names += [d.key for d in table.dimensions]
            return {
                "odata.metadata": base + "$metadata",
                "value": [{"name": n, "url": base + n} for n in names],
            }
        if entity == "TableInfos":
            return [
                {
                    "ID": 1,
                    "Title": table.title,
                    "ShortTitle": table.title[:60],
                    "Identifier": table.table_id,
                    "Summary": "Fake CBS server: values from the StatLine CSV dump of April 2025.",
                    "Modified": self.modified,
                    "MetaDataModified": self.modified,
                    "ReasonDelivery": "Actualisering",
                    "Frequency": "Perjaar",
                    "Period": "",
                    "ShortDescription": "",
                    "Description": "",
                    "Language": "nl",
                    "Catalog": "CBS",
                    "OutputStatus": "Regulier",
                    "Source": "CBS.",
                    "ApiUrl": f"https://opendata.cbs.nl/ODataApi/OData/{table.table_id}",
                    "FeedUrl": f"https://opendata.cbs.nl/ODataFeed/OData/{table.table_id}",
                    "DefaultPresentation": "",
                    "DefaultSelection": "",
                    "GraphTypes": "Table",
                }
            ]
        if entity == "DataProperties":
            props: list[dict[str, Any]] = []
            for i, d in enumerate(table.dimensions):
                props.append(
                    {
                        "odata.type": f"Cbs.OData.{d.type}",
                        "ID": i,
                        "Position": i,
                        "ParentID": None,
                        "Type": d.type,
                        "Key": d.key,
                        "Title": _camel_title(d.key),
                        "Description": None,
                        "MapYear": "2024" if d.type == "GeoDimension" else None,
                        "ReleasePolicy": d.type == "TimeDimension",
                    }
                )
            # A TopicGroup (no measure) before the topics, as CBS has.
            props.append(
                {
                    "odata.type": "Cbs.OData.TopicGroup",
                    "ID": len(table.dimensions),
                    "Position": None,
                    "ParentID": None,
                    "Type": "TopicGroup",
                    "Key": "Onderwerpen",
                    "Title": "Onderwerpen",
                    "Description": None,
                }
            )
            return props + table.topics
        if entity == "CategoryGroups":
            return table.category_groups
        if entity == "TypedDataSet":
            return table.rows
        if entity == "UntypedDataSet":
            return [
                {
                    k: (v if isinstance(v, str) else "." if v is None else str(v))
                    for k, v in r.items()
                }
                for r in table.rows
            ]
        for d in table.dimensions:
            if d.key == entity:
                return d.members
        raise _ODataError(404, f"Resource not found for the segment '{entity}'.")


def _apply_query(rows: list[dict[str, Any]], query: dict[str, str]) -> list[dict[str, Any]]:
    """$filter, then $skip/$top, then $select (OData order); raises _ODataError on bad input."""
    fields = set(rows[0]) if rows else set()
    flt = query.get("$filter", "").strip()
    if flt:
        clause = r"\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*"
        if not re.fullmatch(rf"{clause}(?:and{clause})*", flt):
            raise _ODataError(
                400, f"The fake server only understands \"X eq 'K' and ...\", not: {flt}"
            )
        for name, value in re.findall(clause, flt):
            value = value.replace("''", "'")
            if rows and name not in fields:
                raise _ODataError(400, f"Could not find a property named '{name}'.")
            rows = [r for r in rows if r.get(name) == value]
    skip = int(query.get("$skip", "0") or 0)
    rows = rows[skip:]
    if "$top" in query:
        rows = rows[: int(query["$top"])]
    select = [s.strip() for s in query.get("$select", "").split(",") if s.strip()]
    if select:
        unknown = [s for s in select if fields and s not in fields]
        if unknown:
            raise _ODataError(400, f"Could not find a property named '{unknown[0]}'.")
        rows = [{s: r.get(s) for s in select} for r in rows]
    return rows


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers one request; HTTP/1.0, so every response closes its connection."""

    server_version = "FakeCBS/1.0"

    def __init__(self, owner: FakeCbsServer, *args: Any, **kwargs: Any) -> None:
        self.owner = owner
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request_log is the record; keep pytest output clean

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        # Logged on arrival (status filled in later), so a test sees requests
        # whose answer is still being delayed.
        record = RequestRecord(parts.path, query, "", "", 1, 0)
        self.owner._log(record)
        if not parts.path.startswith(FEED_PREFIX):
            return self._send_error(record, 404, "Not an OData feed path")
        rest = parts.path[len(FEED_PREFIX) :].split("/")
        table_id = record.table_id = rest[0].upper()
        entity = record.entity = rest[1] if len(rest) > 1 else ""
        counting = len(rest) > 2 and rest[2] == "$count"
        if counting:
            entity = record.entity = f"{entity}/$count"
        try:
            offset = int(query.get("$skiptoken", "0") or 0)
        except ValueError:
            offset = 0
        record.page = offset // max(self.owner.page_size, 1) + 1

        fault = self.owner._take_fault(table_id, entity, record.page)
        if fault is not None and fault.delay_s:
            record.fault = "delay"
            # Interruptible, so stopping the server does not wait for it.
            if self.owner._stopping.wait(fault.delay_s):
                return
        if fault is not None and fault.status:
            record.fault = "status"
            return self._send_error(record, fault.status, f"Injected fault: HTTP {fault.status}")
        if fault is not None and fault.body is not None:
            record.fault, record.status = "body", 200
            return self._send(200, fault.body)
        try:
            if counting:
                body = str(self._count(table_id, entity.removesuffix("/$count"), query)).encode()
            else:
                doc = self._body(table_id, entity, query, offset)
                if fault is not None and fault.no_next_link and "odata.nextLink" in doc:
                    record.fault = "no_next_link"
                    del doc["odata.nextLink"]
                body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        except _ODataError as exc:
            return self._send_error(record, exc.status, str(exc))
        record.status = 200
        if fault is not None and fault.invalid_json:
            record.fault = "invalid_json"
            body = body[: max(len(body) // 2, 1)]  # a cut-off document: not valid JSON
        if fault is not None and fault.reset:
            record.fault = "reset"
            return self._send_reset(body)
        if fault is not None and fault.stall_s:
            record.fault = "stall"
            return self._send_stalled(body, fault.stall_s)
        if counting:
            return self._send(200, body, "text/plain;charset=utf-8")
        self._send(200, body)

    def _count(self, table_id: str, entity: str, query: dict[str, str]) -> int:
        value = self.owner._entity_value(table_id, entity)
        if isinstance(value, dict):
            raise _ODataError(400, "$count applies to collections only")
        return len(_apply_query(list(value), {k: v for k, v in query.items() if k == "$filter"}))

    def _body(
        self, table_id: str, entity: str, query: dict[str, str], offset: int
    ) -> dict[str, Any]:
        value = self.owner._entity_value(table_id, entity)
        if isinstance(value, dict):  # the table root is not a paged collection
            return value
        rows = _apply_query(list(value), query)
        size = max(self.owner.page_size, 1)
        page_rows = rows[offset : offset + size]
        base = self.owner.base_url + table_id + "/"
        out: dict[str, Any] = {
            "odata.metadata": f"{base}$metadata#Cbs.OData.WebAPI.{entity}",
            "value": page_rows,
        }
        if offset + size < len(rows):
            # WCF Data Services keep the query options in the nextLink; cbsodata
            # sends it verbatim (without its own params) for the next page.
            keep = {
                k: v
                for k, v in query.items()
                if k in ("$format", "$select", "$filter", "$top", "$skip")
            }
            keep["$skiptoken"] = str(offset + size)
            qs = "&".join(f"{k}={quote(v, safe='')}" for k, v in keep.items())
            out["odata.nextLink"] = f"{base}{entity}?{qs}"
        return out

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json;odata=minimalmetadata;charset=utf-8",
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeout test): nothing to do

    def _send_error(self, record: RequestRecord, status: int, message: str) -> None:
        record.status = status
        body = json.dumps(
            {"odata.error": {"code": "", "message": {"lang": "nl-NL", "value": message}}}
        )
        self._send(status, body.encode("utf-8"))

    def _send_stalled(self, body: bytes, stall_s: float) -> None:
        """Promise the whole body, send half, go quiet for ``stall_s``, then send the rest."""
        send_partial(self, body, "application/json;charset=utf-8", self.owner._stopping, stall_s=stall_s)

    def _send_reset(self, body: bytes) -> None:
        """Promise the whole body, send half, then reset the TCP connection."""
        send_partial(self, body, "application/json;charset=utf-8", self.owner._stopping, reset=True)


# -- pytest ---------------------------------------------------------------------------


def make_cbs_server_fixture(
    page_size: int = 500,
    *,
    name: str = "cbs_server",
    scope: Literal["session", "package", "module", "class", "function"] = "function",
) -> Any:
    """Return a pytest fixture yielding a started :class:`FakeCbsServer`.

    Skips the test when the CSV dump is not there (the data are never copied
    into the repository).
    """

    @pytest.fixture(name=name, scope=scope)
    def _fixture() -> Iterator[FakeCbsServer]:
        if not DUMP_DIR.is_dir():
            pytest.skip(f"CBS CSV dump not found at {DUMP_DIR} (set REGIOWELVAART_CBS_DUMP)")
        server = FakeCbsServer(page_size=page_size).start()
        try:
            yield server
        finally:
            server.stop()

    return _fixture


cbs_server = make_cbs_server_fixture()
