"""A fake CBS OData4 portal on 127.0.0.1, built from the real StatLine CSV dump.

Answers what ``welfare.sources.cbs_odata4`` asks, shaped like
``datasets.cbs.nl/odata/v1/CBS/<id>/``:

- the table root (the entity list), ``Properties`` (a singleton: Identifier,
  Title, Modified, ObservationCount, …), ``Dimensions`` (Identifier, Title,
  Kind), ``MeasureCodes`` (Identifier, Index, Title, Unit, DataType, …), one
  ``<Dim>Codes`` list per dimension, and ``Observations`` (``Id, Measure,
  ValueAttribute, Value, <dims>``; ``StringValue`` for text measures);
- on every collection ``$filter`` (``X eq 'v'``, ``X in ('a','b')``, a
  parenthesised ``or`` of ``eq`` on one field, joined by ``and``; anything else
  is an HTTP 400, so a client cannot push a filter the fake silently ignores),
  ``$select``, ``$top``/``$skip``, ``$count=true`` (``@odata.count``), and
  server-side paging through an absolute ``@odata.nextLink`` (``page_size``).

The tables come from :func:`tests.cbs_server.load_table`, the same values the
fake v3 feed serves (read lazily from ``../shared``, never copied into the
repo): dimension codes are the v3 keys without their padding, measures get
stable synthetic codes (``M`` + six digits, :meth:`FakeOData4Server.measure_code`)
and the titles the fake v3 feed gives them, so the v3 key stem and the v4 title
meet. Empty CSV cells are ``Value: null`` with ``ValueAttribute: "Missing"``.

For tests: :meth:`set_modified` (per table ``Properties.Modified``),
:meth:`retitle` (another title or unit for a measure), :meth:`set_attribute`
(another ValueAttribute/Value for chosen cells), :meth:`set_fault` (HTTP
status, delay, cut-off JSON, another body, connection reset mid-body, a page
without its nextLink; per table/entity/page, optionally only the first n
times). Every request is logged in ``request_log``.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import socket
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from tests.cbs_server import DUMP_DIR, FakeTable, _camel_title, load_table
from tests.loopback import LoopbackServer

PREFIX = "/odata/v1/CBS/"
DEFAULT_MODIFIED = "2025-04-01T02:00:00+02:00"
KEEP = object()  # set_attribute: keep the published value


@dataclass
class Fault:
    """What goes wrong for one table/entity (see :meth:`FakeOData4Server.set_fault`)."""

    status: int | None = None
    delay_s: float = 0.0
    invalid_json: bool = False
    reset: bool = False
    no_next_link: bool = False
    body: bytes | None = None
    page: int | None = None
    times: int | None = None


@dataclass
class RequestRecord:
    """One request the server answered (or broke off on purpose)."""

    path: str
    query: dict[str, str]
    table_id: str = ""
    entity: str = ""  # "" for the table root
    page: int = 1
    status: int = 0
    fault: str = ""
    rows: int = 0  # rows in the page served
    measures: set[str] = field(default_factory=set)  # Measure codes in the page served (Observations)

    @property
    def url(self) -> str:
        q = "&".join(f"{k}={v}" for k, v in self.query.items())
        return f"{self.path}?{q}" if q else self.path


@dataclass
class V4Table:
    """One table as the fake portal serves it."""

    table_id: str
    title: str
    dimensions: list[dict[str, Any]]
    codes: dict[str, list[dict[str, Any]]]  # dimension → <Dim>Codes
    measures: list[dict[str, Any]]  # MeasureCodes, in Index order
    measure_of_key: dict[str, str]  # v3 key → v4 code
    source: FakeTable
    attributes: dict[tuple[int, str], tuple[str, Any]] = field(default_factory=dict)  # (row, code) → (attr, value)


class _ODataError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _code_for(table_id: str, key: str, used: set[str]) -> str:
    n = zlib.crc32(f"{table_id.upper()}:{key}".encode()) % 1_000_000
    while f"M{n:06d}" in used:
        n = (n + 1) % 1_000_000
    return f"M{n:06d}"


def to_v4(table: FakeTable) -> V4Table:
    """The v3-shaped fake table in v4 shape (codes unpadded, measures coded)."""
    dims = [
        {
            "Identifier": d.key,
            "Title": _camel_title(d.key),
            "Description": None,
            "Kind": d.type,
            "MapYear": "2024" if d.type == "GeoDimension" else None,
            "ReleasePolicy": d.type == "TimeDimension",
        }
        for d in table.dimensions
    ]
    codes = {
        d.key: [
            {
                "Identifier": str(m["Key"]).strip(),
                "Index": i,
                "Title": m["Title"],
                "Description": m.get("Description"),
                "DimensionGroupId": str(m["CategoryGroupID"]) if m.get("CategoryGroupID") else None,
                **({"Status": m.get("Status")} if d.type == "TimeDimension" else {}),
            }
            for i, m in enumerate(d.members, start=1)
        ]
        for d in table.dimensions
    }
    used: set[str] = set()
    measures, of_key = [], {}
    for i, topic in enumerate(table.topics, start=1):
        code = _code_for(table.table_id, topic["Key"], used)
        used.add(code)
        of_key[topic["Key"]] = code
        kind = topic.get("Datatype")
        measures.append(
            {
                "Identifier": code,
                "Index": i,
                "Title": topic["Title"],
                "Description": None,
                "MeasureGroupId": None,
                "DataType": "String" if kind == "String" else "Long" if kind == "Long" else "Float",
                "Unit": topic.get("Unit") or "",
                "Format": None,
                "Decimals": topic.get("Decimals", 0),
                "PresentationType": "Absolute",
            }
        )
    return V4Table(table.table_id, table.title, dims, codes, measures, of_key, table)


# -- $filter ------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<punct>[(),])|(?P<word>[A-Za-z_][A-Za-z0-9_]*))")


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise _ODataError(400, f"The fake portal cannot read the $filter at {text[pos:pos + 20]!r}")
        kind = m.lastgroup or ""
        value = m.group(kind)
        out.append((kind, value[1:-1].replace("''", "'") if kind == "str" else value))
        pos = m.end()
    return out


def parse_filter(text: str) -> list[tuple[str, set[str]]]:
    """``(Measure eq 'A' or Measure eq 'B') and Dim eq 'K'`` → ``[("Measure", {"A", "B"}), ("Dim", {"K"})]``.

    Conjunctions of ``X eq 'v'``, ``X in ('a', 'b')`` and parenthesised
    disjunctions of ``eq`` on one field; anything else raises (HTTP 400).
    """
    toks = _tokens(text)
    pos = 0

    def peek() -> tuple[str, str] | None:
        return toks[pos] if pos < len(toks) else None

    def take(kind: str, value: str | None = None) -> str:
        nonlocal pos
        tok = peek()
        if tok is None or tok[0] != kind or (value is not None and tok[1].lower() != value):
            raise _ODataError(400, f"The fake portal only understands eq/in/or/and filters, not: {text}")
        pos += 1
        return tok[1]

    def comparison() -> tuple[str, set[str]]:
        name = take("word")
        op = take("word").lower()
        if op == "eq":
            return name, {take("str")}
        if op == "in":
            take("punct", "(")
            values = {take("str")}
            while peek() == ("punct", ","):
                take("punct", ",")
                values.add(take("str"))
            take("punct", ")")
            return name, values
        raise _ODataError(400, f"The fake portal does not support the operator {op!r}")

    def term() -> tuple[str, set[str]]:
        if peek() == ("punct", "("):
            take("punct", "(")
            name, values = comparison()
            while peek() is not None and peek()[0] == "word" and peek()[1].lower() == "or":  # type: ignore[index]
                take("word")
                other, more = comparison()
                if other != name:
                    raise _ODataError(400, f"The fake portal only ORs one field, not {name} and {other}")
                values |= more
            take("punct", ")")
            return name, values
        return comparison()

    clauses = [term()]
    while peek() is not None:
        take("word", "and")
        clauses.append(term())
    return clauses


# -- the server ---------------------------------------------------------------------


class FakeOData4Server(LoopbackServer):
    """Threaded HTTP server answering like CBS's OData4 portal.

    Parameters
    ----------
    page_size
        Rows per page of every collection; the rest follows via ``@odata.nextLink``.
    dump_dir
        Folder with the StatLine CSVs.
    modified
        ``Properties.Modified`` of every table (see :meth:`set_modified`).
    """

    def __init__(self, page_size: int = 10_000, dump_dir: Path = DUMP_DIR, modified: str = DEFAULT_MODIFIED) -> None:
        self.page_size = page_size
        self.dump_dir = dump_dir
        self.modified = modified
        self.request_log: list[RequestRecord] = []
        self._modified: dict[str, str] = {}
        self._faults: dict[tuple[str, str], Fault] = {}
        self._titles: dict[tuple[str, str], dict[str, Any]] = {}
        self._attributes: dict[str, list[tuple[str, str, Callable[[dict[str, Any]], bool], Any]]] = {}
        self._tables: dict[str, V4Table] = {}
        self._results: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        self._lock = threading.RLock()
        super().__init__()

    def make_handler(self) -> Callable[..., http.server.BaseHTTPRequestHandler]:
        return functools.partial(_Handler, self)

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: what ``REGIOWELVAART_CBS4_URL`` takes (with ``REGIOWELVAART_CBS4_HTTPS=0``)."""
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/odata/v1``: what ``CbsOData4Source`` takes."""
        return f"http://{self.host}/odata/v1"

    # -- changes ------------------------------------------------------------------

    def set_modified(self, table_id: str, modified: str) -> None:
        """Serve ``modified`` as the table's ``Properties.Modified``."""
        with self._lock:
            self._modified[table_id.upper()] = modified

    def retitle(self, table_id: str, key: str, title: str | None = None, unit: str | None = None) -> None:
        """Serve the measure of v3 key ``key`` under another title and/or unit."""
        with self._lock:
            change = self._titles.setdefault((table_id.upper(), key), {})
            if title is not None:
                change["Title"] = title
            if unit is not None:
                change["Unit"] = unit
            self._forget(table_id)

    def set_attribute(
        self, table_id: str, key: str, attribute: str, where: Callable[[dict[str, Any]], bool], value: Any = KEEP
    ) -> None:
        """Publish the cells of measure ``key`` in the v3 rows ``where`` picks with ``attribute``.

        ``value`` replaces the published value (``None``, ``"."``); by default it is kept.
        """
        with self._lock:
            self._attributes.setdefault(table_id.upper(), []).append((key, attribute, where, value))
            self._forget(table_id)

    def set_fault(
        self,
        table_id: str = "*",
        entity: str = "Observations",
        *,
        status: int | None = None,
        delay_s: float = 0.0,
        invalid_json: bool = False,
        reset: bool = False,
        no_next_link: bool = False,
        body: bytes | None = None,
        page: int | None = None,
        times: int | None = None,
    ) -> None:
        """Make requests for ``table_id``/``entity`` fail (``"*"`` = any; ``""`` = table root)."""
        with self._lock:
            self._faults[(table_id.upper(), entity)] = Fault(status, delay_s, invalid_json, reset, no_next_link, body, page, times)

    def clear_faults(self) -> None:
        """Remove every fault, retitling, attribute and modification date (the log is kept)."""
        with self._lock:
            self._faults.clear()
            self._titles.clear()
            self._attributes.clear()
            self._modified.clear()
            self._tables.clear()
            self._results.clear()

    # -- inspection ---------------------------------------------------------------

    def table(self, table_id: str) -> V4Table:
        """The table as currently served."""
        with self._lock:
            return self._table(table_id.upper())

    def measure_code(self, table_id: str, key: str) -> str:
        """The v4 code of the measure with v3 key ``key`` (``NettoArbeidsparticipatie_16``)."""
        return self.table(table_id).measure_of_key[key]

    def requests_for(self, table_id: str | None = None, entity: str | None = None) -> list[RequestRecord]:
        """Logged requests, optionally only those for one table and/or entity."""
        with self._lock:
            return [
                r
                for r in self.request_log
                if (table_id is None or r.table_id.upper() == table_id.upper()) and (entity is None or r.entity == entity)
            ]

    # -- internals ----------------------------------------------------------------

    def _forget(self, table_id: str) -> None:
        self._tables.pop(table_id.upper(), None)
        self._results = {k: v for k, v in self._results.items() if k[0] != table_id.upper()}

    def _table(self, table_id: str) -> V4Table:
        if table_id not in self._tables:
            table = to_v4(load_table(table_id, self.dump_dir))
            for m in table.measures:
                key = next(k for k, c in table.measure_of_key.items() if c == m["Identifier"])
                m.update(self._titles.get((table_id, key), {}))
            for key, attribute, where, value in self._attributes.get(table_id, []):
                code = table.measure_of_key[key]
                for i, row in enumerate(table.source.rows):
                    if where(row):
                        table.attributes[(i, code)] = (attribute, value)
            self._tables[table_id] = table
        return self._tables[table_id]

    def _modified_of(self, table_id: str) -> str:
        return self._modified.get(table_id, self.modified)

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

    def _observations(self, table: V4Table, flt: str) -> list[dict[str, Any]]:
        key = (table.table_id.upper(), "Observations", flt)
        with self._lock:
            if key in self._results:
                return self._results[key]
        clauses = parse_filter(flt) if flt.strip() else []
        dims = [d["Identifier"] for d in table.dimensions]
        allowed: dict[str, set[str]] = {}
        for name, values in clauses:
            if name != "Measure" and name not in dims:
                raise _ODataError(400, f"Could not find a property named '{name}' on type 'Observation'.")
            allowed[name] = allowed[name] & values if name in allowed else set(values)
        topics = table.source.topics
        picks = [
            (j, table.measure_of_key[t["Key"]], t.get("Datatype") == "String")
            for j, t in enumerate(topics)
            if "Measure" not in allowed or table.measure_of_key[t["Key"]] in allowed["Measure"]
        ]
        out: list[dict[str, Any]] = []
        n_topics = len(topics)
        for i, row in enumerate(table.source.rows):
            codes = {d: str(row[d]).strip() for d in dims}
            if any(d in allowed and codes[d] not in allowed[d] for d in dims):
                continue
            for j, code, text in picks:
                value = row.get(topics[j]["Key"])
                attribute = "None" if value is not None else "Missing"
                special = table.attributes.get((i, code))
                if special is not None:
                    attribute = special[0]
                    if special[1] is not KEEP:
                        value = special[1]
                obs: dict[str, Any] = {"Id": i * n_topics + j, "Measure": code, "ValueAttribute": attribute}
                if text:
                    obs["Value"] = None
                    obs["StringValue"] = value
                else:
                    obs["Value"] = value
                obs.update(codes)
                out.append(obs)
        with self._lock:
            self._results[key] = out
        return out

    def _value(self, table_id: str, entity: str, flt: str) -> list[dict[str, Any]] | dict[str, Any]:
        try:
            with self._lock:
                table = self._table(table_id)
        except KeyError:
            raise _ODataError(404, f"Dataset '{table_id}' not found in catalog 'CBS'") from None
        if entity == "":
            names = ["Observations", "Dimensions", "MeasureCodes", "MeasureGroups"]
            names += [f"{d['Identifier']}{s}" for d in table.dimensions for s in ("Codes", "Groups")]
            value = [{"name": n, "kind": "EntitySet", "url": n} for n in names]
            return {"value": value + [{"name": "Properties", "kind": "Singleton", "url": "Properties"}]}
        if entity == "Properties":
            modified = self._modified_of(table_id)
            text = any(m["DataType"] == "String" for m in table.measures)
            return {
                "Identifier": table.table_id,
                "Title": table.title,
                "Description": "Fake CBS OData4 portal: values from the StatLine CSV dump of April 2025.",
                "Language": "nl",
                "Catalog": "CBS",
                "Version": re.sub(r"\D", "", modified)[:12],
                "VersionReason": "Actualisering",
                "Status": "Regulier",
                "Modified": modified,
                "ObservationsModified": modified,
                "ObservationCount": len(table.source.rows) * len(table.measures),
                "DatasetType": "Mixed" if text else "Numeric",
                "Source": "CBS.",
                "License": "https://creativecommons.org/licenses/by/4.0/",
            }
        if entity == "Dimensions":
            return table.dimensions
        if entity == "MeasureCodes":
            return table.measures
        if entity == "MeasureGroups":
            return []
        for d in table.dimensions:
            if entity == f"{d['Identifier']}Codes":
                return table.codes[d["Identifier"]]
            if entity == f"{d['Identifier']}Groups":
                return []
        if entity == "Observations":
            return self._observations(table, flt)
        raise _ODataError(404, f"Resource not found for the segment '{entity}'.")


def _filter_rows(rows: list[dict[str, Any]], flt: str) -> list[dict[str, Any]]:
    """$filter on a small collection (codes lists)."""
    if not flt.strip():
        return rows
    fields = set(rows[0]) if rows else set()
    for name, values in parse_filter(flt):
        if rows and name not in fields:
            raise _ODataError(400, f"Could not find a property named '{name}'.")
        rows = [r for r in rows if str(r.get(name)) in values]
    return rows


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "FakeCBS4/1.0"

    def __init__(self, owner: FakeOData4Server, *args: Any, **kwargs: Any) -> None:
        self.owner = owner
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        record = RequestRecord(parts.path, query)
        self.owner._log(record)
        if not parts.path.startswith(PREFIX):
            return self._send_error(record, 404, "Not an OData4 catalogue path")
        rest = [s for s in parts.path[len(PREFIX) :].split("/")]
        table_id = record.table_id = rest[0].upper()
        entity = record.entity = rest[1] if len(rest) > 1 else ""
        try:
            skip = int(query.get("$skip", "0") or 0)
        except ValueError:
            return self._send_error(record, 400, "$skip must be a number")
        size = max(self.owner.page_size, 1)
        record.page = skip // size + 1

        fault = self.owner._take_fault(table_id, entity, record.page)
        if fault is not None and fault.delay_s:
            record.fault = "delay"
            if self.owner._stopping.wait(fault.delay_s):
                return
        if fault is not None and fault.status:
            record.fault = "status"
            return self._send_error(record, fault.status, f"Injected fault: HTTP {fault.status}")
        if fault is not None and fault.body is not None:
            record.fault, record.status = "body", 200
            return self._send(200, fault.body)
        try:
            doc = self._body(table_id, entity, query, skip, size)
        except _ODataError as exc:
            return self._send_error(record, exc.status, str(exc))
        page_rows = doc.get("value") if isinstance(doc.get("value"), list) else []
        record.rows = len(page_rows)
        if entity == "Observations":
            record.measures = {str(r.get("Measure")) for r in page_rows}
        if fault is not None and fault.no_next_link and "@odata.nextLink" in doc:
            record.fault = "no_next_link"
            del doc["@odata.nextLink"]
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        record.status = 200
        if fault is not None and fault.invalid_json:
            record.fault = "invalid_json"
            body = body[: max(len(body) // 2, 1)]
        if fault is not None and fault.reset:
            record.fault = "reset"
            return self._send_reset(body)
        self._send(200, body)

    def _body(self, table_id: str, entity: str, query: dict[str, str], skip: int, size: int) -> dict[str, Any]:
        flt = query.get("$filter", "")
        value = self.owner._value(table_id, entity, flt if entity == "Observations" else "")
        context = f"{self.owner.base_url}/CBS/{table_id}/$metadata#{entity or ''}"
        if isinstance(value, dict):
            return {"@odata.context": context, **value}
        rows = value if entity == "Observations" else _filter_rows(value, flt)
        total = len(rows)
        top = int(query["$top"]) if query.get("$top", "").isdigit() else None
        end = total if top is None else min(total, top)  # $top counts from the first row
        page_rows = rows[skip : min(skip + size, end)]
        select = [s.strip() for s in query.get("$select", "").split(",") if s.strip()]
        if select:
            page_rows = [{s: r.get(s) for s in select} for r in page_rows]
        out: dict[str, Any] = {"@odata.context": context}
        if query.get("$count", "").lower() == "true":
            out["@odata.count"] = total if top is None else min(total, top)
        out["value"] = page_rows
        if skip + size < end:
            keep = {k: v for k, v in query.items() if k in ("$filter", "$select", "$top")}
            keep["$skip"] = str(skip + size)
            qs = "&".join(f"{k}={quote(v, safe='')}" for k, v in keep.items())
            out["@odata.nextLink"] = f"{self.owner.base_url}/CBS/{table_id}/{entity}?{qs}"
        return out

    def _send(self, status: int, body: bytes, content_type: str = "application/json; odata.metadata=minimal") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass

    def _send_error(self, record: RequestRecord, status: int, message: str) -> None:
        record.status = status
        body = json.dumps({"error": {"code": str(status), "message": message}}).encode("utf-8")
        self._send(status, body)

    def _send_reset(self, body: bytes) -> None:
        """Promise the whole body, send half, then reset the TCP connection."""
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True


# -- pytest ---------------------------------------------------------------------------


def make_odata4_server_fixture(
    page_size: int = 10_000,
    *,
    name: str = "odata4_server",
    scope: Literal["session", "package", "module", "class", "function"] = "function",
) -> Any:
    """A pytest fixture yielding a started :class:`FakeOData4Server` (skips without the dump)."""

    @pytest.fixture(name=name, scope=scope)
    def _fixture() -> Iterator[FakeOData4Server]:
        if not DUMP_DIR.is_dir():
            pytest.skip(f"CBS CSV dump not found at {DUMP_DIR} (set REGIOWELVAART_CBS_DUMP)")
        server = FakeOData4Server(page_size=page_size).start()
        try:
            yield server
        finally:
            server.stop()

    return _fixture
