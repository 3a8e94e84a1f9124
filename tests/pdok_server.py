"""A fake PDOK OGC API Features server on 127.0.0.1, built from the shared GeoJSON files.

The live PDOK API is never reachable in tests, so this server answers like
``api.pdok.nl/cbs/gebiedsindelingen/ogc/v1``:

- ``{prefix}/`` — landing page; ``{prefix}/collections`` — one collection per
  level found in the folder (``gemeente_gegeneraliseerd``, ...);
- ``{prefix}/collections/<id>/items?f=json&jaarcode=YYYY&limit=N&offset=K`` — a
  GeoJSON FeatureCollection with ``links`` (``self``, ``alternate``, and ``next``
  in JSON and HTML while there is more), ``numberReturned``, ``numberMatched``
  and ``timeStamp``; features carry PDOK's properties ``statcode``,
  ``statnaam``, ``jaarcode``, ``jrstatcode`` and an integer-like ``id``.
  ``limit`` defaults to 10 and is capped at ``max_limit`` (1000), as the
  OGC API allows; without ``jaarcode`` every year is served, one after the other.

The features are read lazily from the real files in ``../shared/data/geo``
(``<level>_<year>.geojson``; never copied into the repo).

Faults for reliability tests: :meth:`FakePdokServer.set_fault` (HTTP status,
delay, cut-off JSON, another body, connection reset mid-body, a stall
mid-body, a page without its ``next`` link; per collection and page,
optionally only the first n times). Content changes:
:meth:`FakePdokServer.rename_property`, :meth:`FakePdokServer.make_empty`,
:meth:`FakePdokServer.serve_rd_coordinates` (metres instead of degrees).
Switches: ``ignore_year_filter`` (serve every year whatever ``jaarcode``
says), ``number_matched`` (leave it out, as PDOK's own server does). Every
request is recorded in ``request_log``.

Use the ``pdok_server`` fixture (import it into a test module), or
``make_pdok_server_fixture(...)`` for other settings, or
``with FakePdokServer() as server: ...``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from tests.loopback import LoopbackServer, send_partial

GEO_DIR = Path(
    os.environ.get("REGIOWELVAART_GEO_FOLDER") or Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "geo"
)
PREFIX = "/cbs/gebiedsindelingen/ogc/v1"
SUFFIX = "_gegeneraliseerd"
TIMESTAMP = "2025-04-01T02:00:00Z"
_FILE = re.compile(r"^(?P<level>[a-z]+)_(?P<year>\d{4})\.geojson$")


@functools.lru_cache(maxsize=64)
def _features(geo_dir: Path, level: str, year: int) -> tuple[dict[str, Any], ...]:
    """One level-year as PDOK features (cached; treat as read-only)."""
    doc = json.loads((geo_dir / f"{level}_{year}.geojson").read_bytes())
    out = []
    for i, f in enumerate(doc["features"], start=1):
        props = f["properties"]
        out.append(
            {
                "type": "Feature",
                # PDOK's ids are row numbers, not codes: the client must use statcode.
                "id": str(year * 10_000 + i),
                "properties": {
                    "jaarcode": year,
                    "jrstatcode": f"{year}{props['statcode']}",
                    "statcode": props["statcode"],
                    "statnaam": props["statnaam"],
                },
                "geometry": f["geometry"],
            }
        )
    return tuple(out)


def available(geo_dir: Path = GEO_DIR) -> dict[str, list[int]]:
    """Levels and years in the folder."""
    found: dict[str, list[int]] = {}
    if geo_dir.is_dir():
        for p in sorted(geo_dir.glob("*.geojson")):
            m = _FILE.match(p.name)
            if m:
                found.setdefault(m.group("level"), []).append(int(m.group("year")))
    return found


@functools.lru_cache(maxsize=8)
def _rd_features(geo_dir: Path, level: str, year: int) -> tuple[dict[str, Any], ...]:
    """The same features with coordinates in RD New metres (EPSG:28992)."""
    import shapely
    import shapely.geometry
    from pyproj import Transformer

    to_rd = Transformer.from_crs(4326, 28992, always_xy=True).transform
    out = []
    for f in _features(geo_dir, level, year):
        geom = shapely.transform(shapely.geometry.shape(f["geometry"]), to_rd, interleaved=False)
        out.append(dict(f, geometry=shapely.geometry.mapping(geom)))
    return tuple(out)


@dataclass
class Fault:
    """What goes wrong for one collection.

    Attributes
    ----------
    status : answer with this HTTP status (500, 503, 429, 404, ...) instead
    delay_s : wait this long before answering (beyond the client's timeout)
    invalid_json : answer 200 with a cut-off JSON body
    reset : send the headers and half the body, then reset the connection
    page : only on this page (1 = first); None = every page
    times : only the first ``times`` matching requests; None = always
    stall_s : send the headers and half the body, then nothing for this long
        (a read timeout in the middle of the body), then the rest
    body : answer 200 with these bytes instead (an HTML page, JSON of another shape)
    no_next_link : leave the ``next`` links out although features follow
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
    collection: str  # "" for the landing page and /collections
    page: int  # 1-based, from offset // limit
    status: int  # 0 while the answer is still pending (delay fault)
    fault: str = ""  # "status", "delay", "invalid_json", "reset", "stall", "body", "no_next_link" or ""
    returned: int = 0  # features in the answer


class _ProblemError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class FakePdokServer(LoopbackServer):
    """Threaded HTTP server answering like PDOK's CBS gebiedsindelingen OGC API.

    Parameters
    ----------
    geo_dir
        Folder with ``<level>_<year>.geojson`` files.
    default_limit, max_limit
        Page size without ``limit``, and the cap on ``limit``.
    ignore_year_filter
        Serve every year whatever ``jaarcode`` says (a server that drops the filter).
    number_matched
        Include ``numberMatched`` in every page.
    """

    def __init__(
        self,
        geo_dir: Path = GEO_DIR,
        default_limit: int = 10,
        max_limit: int = 1000,
        ignore_year_filter: bool = False,
        number_matched: bool = True,
    ) -> None:
        self.geo_dir = geo_dir
        self.default_limit = default_limit
        self.max_limit = max_limit
        self.ignore_year_filter = ignore_year_filter
        self.number_matched = number_matched
        self.request_log: list[RequestRecord] = []
        self._faults: dict[str, Fault] = {}
        self._renames: dict[str, dict[str, str]] = {}  # collection ("*" = any) → property renames
        self._empty: set[str] = set()
        self._rd: set[str] = set()
        self._lock = threading.Lock()
        super().__init__()

    # lifecycle

    def make_handler(self) -> Callable[..., http.server.BaseHTTPRequestHandler]:
        return functools.partial(_Handler, self)

    @property
    def base_url(self) -> str:
        """What ``PdokSource(base_url=...)`` takes."""
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    # faults and inspection

    def set_fault(
        self,
        collection: str = "*",
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
        """Make item requests for ``collection`` (``"*"`` = any) fail; see :class:`Fault`."""
        with self._lock:
            self._faults[collection] = Fault(
                status, delay_s, invalid_json, reset, page, times, stall_s, body, no_next_link
            )

    def rename_property(self, old: str, new: str, collection: str = "*") -> None:
        """Serve feature property ``old`` as ``new`` (``statcode`` → ``code``), as if PDOK renamed it."""
        with self._lock:
            self._renames.setdefault(collection, {})[old] = new

    def make_empty(self, collection: str = "*") -> None:
        """Serve ``collection`` without features (``numberMatched`` 0)."""
        with self._lock:
            self._empty.add(collection)

    def serve_rd_coordinates(self, collection: str = "*") -> None:
        """Serve coordinates in RD New metres (EPSG:28992) without saying so: a changed unit."""
        with self._lock:
            self._rd.add(collection)

    def clear_faults(self) -> None:
        """Remove every fault and content change (the log is kept)."""
        with self._lock:
            self._faults.clear()
            self._renames.clear()
            self._empty.clear()
            self._rd.clear()

    def requests_for(self, collection: str | None = None) -> list[RequestRecord]:
        """Logged requests, optionally only those for one collection."""
        with self._lock:
            return [r for r in self.request_log if collection is None or r.collection == collection]

    # internals (called from handler threads)

    def _take_fault(self, collection: str, page: int) -> Fault | None:
        with self._lock:
            for key in (collection, "*"):
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

    def _collections(self) -> dict[str, list[int]]:
        return {f"{level}{SUFFIX}": years for level, years in available(self.geo_dir).items()}

    def _items(self, collection: str, year: int | None) -> list[dict[str, Any]]:
        years = self._collections().get(collection)
        if years is None:
            raise _ProblemError(404, f"Collection {collection} not found")
        level = collection.removesuffix(SUFFIX)
        wanted = years if (year is None or self.ignore_year_filter) else [y for y in years if y == year]
        with self._lock:
            empty = bool({collection, "*"} & self._empty)
            rd = bool({collection, "*"} & self._rd)
            renames = {**self._renames.get("*", {}), **self._renames.get(collection, {})}
        if empty:
            return []
        out: list[dict[str, Any]] = []
        for y in wanted:
            out += _rd_features(self.geo_dir, level, y) if rd else _features(self.geo_dir, level, y)
        if renames:
            out = [dict(f, properties={renames.get(k, k): v for k, v in f["properties"].items()}) for f in out]
        return out


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers one request; HTTP/1.0, so every response closes its connection."""

    server_version = "FakePDOK/1.0"

    def __init__(self, owner: FakePdokServer, *args: Any, **kwargs: Any) -> None:
        self.owner = owner
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request_log is the record

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        record = RequestRecord(parts.path, query, "", 1, 0)
        self.owner._log(record)
        path = parts.path.rstrip("/")
        if not path.startswith(PREFIX):
            return self._problem(record, 404, "Not Found")
        rest = [s for s in path[len(PREFIX) :].split("/") if s]
        try:
            if rest == []:
                return self._json(record, self._landing())
            if rest == ["collections"]:
                return self._json(record, self._collection_list())
            if len(rest) == 3 and rest[0] == "collections" and rest[2] == "items":
                return self._items_page(record, rest[1], query)
        except _ProblemError as exc:
            return self._problem(record, exc.status, str(exc))
        return self._problem(record, 404, "Not Found")

    # pages

    def _landing(self) -> dict[str, Any]:
        base = self.owner.base_url
        return {
            "title": "CBS Gebiedsindelingen (fake)",
            "links": [
                {"rel": "self", "type": "application/json", "href": f"{base}?f=json"},
                {"rel": "data", "type": "application/json", "href": f"{base}/collections?f=json"},
            ],
        }

    def _collection_list(self) -> dict[str, Any]:
        base = self.owner.base_url
        return {
            "links": [{"rel": "self", "type": "application/json", "href": f"{base}/collections"}],
            "collections": [
                {
                    "id": cid,
                    "title": cid.replace("_", " "),
                    "links": [
                        {
                            "rel": "items",
                            "type": "application/geo+json",
                            "href": f"{base}/collections/{cid}/items?f=json",
                        }
                    ],
                }
                for cid in sorted(self.owner._collections())
            ],
        }

    def _items_page(self, record: RequestRecord, collection: str, query: dict[str, str]) -> None:
        record.collection = collection
        if query.get("f", "json") != "json":
            raise _ProblemError(400, f"the fake serves f=json only, not f={query['f']}")
        try:
            limit = int(query.get("limit", self.owner.default_limit))
            offset = int(query.get("offset", "0"))
            year = int(query["jaarcode"]) if "jaarcode" in query else None
        except ValueError as exc:
            raise _ProblemError(400, f"bad query parameter: {exc}") from None
        if limit < 1 or offset < 0:
            raise _ProblemError(400, "limit must be >= 1 and offset >= 0")
        limit = min(limit, self.owner.max_limit)  # OGC API: the server may lower the limit
        record.page = offset // limit + 1

        fault = self.owner._take_fault(collection, record.page)
        if fault is not None and fault.delay_s:
            record.fault = "delay"
            if self.owner._stopping.wait(fault.delay_s):
                return
        if fault is not None and fault.status:
            record.fault = "status"
            return self._problem(record, fault.status, f"Injected fault: HTTP {fault.status}")
        if fault is not None and fault.body is not None:
            record.fault, record.status = "body", 200
            return self._send(200, fault.body)

        items = self.owner._items(collection, year)
        page = items[offset : offset + limit]
        base = f"{self.owner.base_url}/collections/{collection}/items"
        keep = {k: v for k, v in query.items() if k in ("jaarcode",)}

        def href(fmt: str, at: int) -> str:
            return f"{base}?{urlencode({'f': fmt, **keep, 'limit': limit, 'offset': at})}"

        links = [
            {"rel": "self", "type": "application/geo+json", "title": "This document as GeoJSON", "href": href("json", offset)},
            {"rel": "alternate", "type": "text/html", "title": "This document as HTML", "href": href("html", offset)},
        ]
        if fault is not None and fault.no_next_link and offset + limit < len(items):
            record.fault = "no_next_link"
        elif offset + limit < len(items):
            # The HTML next link first: a client must pick the JSON one by its type.
            links.append({"rel": "next", "type": "text/html", "title": "Next page", "href": href("html", offset + limit)})
            links.append({"rel": "next", "type": "application/geo+json", "title": "Next page", "href": href("json", offset + limit)})
        body_doc: dict[str, Any] = {
            "type": "FeatureCollection",
            "timeStamp": TIMESTAMP,
            "links": links,
            "features": list(page),
            "numberReturned": len(page),
        }
        if self.owner.number_matched:
            body_doc["numberMatched"] = len(items)
        body = json.dumps(body_doc, ensure_ascii=False).encode("utf-8")
        record.returned = len(page)
        if fault is not None and fault.invalid_json:
            record.fault = "invalid_json"
            record.status = 200
            return self._send(200, body[: max(len(body) // 2, 1)])
        if fault is not None and fault.reset:
            record.fault = "reset"
            record.status = 200
            return self._send_reset(body)
        if fault is not None and fault.stall_s:
            record.fault = "stall"
            record.status = 200
            return self._send_stalled(body, fault.stall_s)
        record.status = 200
        self._send(200, body)

    # sending

    def _json(self, record: RequestRecord, doc: dict[str, Any]) -> None:
        record.status = 200
        self._send(200, json.dumps(doc).encode("utf-8"), "application/json")

    def _problem(self, record: RequestRecord, status: int, message: str) -> None:
        record.status = status
        body = json.dumps({"type": "about:blank", "title": message, "status": status})
        self._send(status, body.encode("utf-8"), "application/problem+json")

    def _send(self, status: int, body: bytes, content_type: str = "application/geo+json") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeout test)

    def _send_stalled(self, body: bytes, stall_s: float) -> None:
        """Promise the whole body, send half, go quiet for ``stall_s``, then send the rest."""
        send_partial(self, body, "application/geo+json", self.owner._stopping, stall_s=stall_s)

    def _send_reset(self, body: bytes) -> None:
        """Promise the whole body, send half, then reset the TCP connection."""
        send_partial(self, body, "application/geo+json", self.owner._stopping, reset=True)


# -- pytest ---------------------------------------------------------------------------


def make_pdok_server_fixture(
    *,
    name: str = "pdok_server",
    scope: Literal["session", "package", "module", "class", "function"] = "function",
    **settings: Any,
) -> Any:
    """Return a pytest fixture yielding a started :class:`FakePdokServer`.

    Skips the test when the GeoJSON folder is not there (the data are never
    copied into the repository). ``settings`` go to the constructor.
    """

    @pytest.fixture(name=name, scope=scope)
    def _fixture() -> Iterator[FakePdokServer]:
        if not available(GEO_DIR):
            pytest.skip(f"no boundary GeoJSON in {GEO_DIR} (set REGIOWELVAART_GEO_FOLDER)")
        server = FakePdokServer(**settings).start()
        try:
            yield server
        finally:
            server.stop()

    return _fixture


pdok_server = make_pdok_server_fixture()
