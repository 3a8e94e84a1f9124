"""Live CBS StatLine tables through the OData4 portal, and the per-table choice v4 → v3.

CBS is moving StatLine to ``https://datasets.cbs.nl/odata/v1/CBS/<id>/`` and will
switch the v3 feed (``welfare.sources.cbs_odata``) off later. This module is a
thin client on ``requests`` (``cbsodata4`` caches every call in memory and sets
no timeout). The flow of :meth:`CbsOData4Source.fetch`:

1. ``Properties``: the table exists; ``Modified`` is its version.
2. ``Dimensions``: which dimension is the region, the period, the margins;
   one ``<Dim>Codes`` list per dimension gives the code → title maps, and
   turns a catalogue filter *title* into the *code* the server filters on.
3. ``MeasureCodes``: catalogue measures (key stems such as
   ``NettoArbeidsparticipatie``) map to v4 measure codes (``M001924``): by the
   code stored in the catalogue (``[odata4]`` in ``welfare/indicators.toml``, or
   learned by a previous build) where known, otherwise by title — the stem is
   CBS's v3 key made from the title, so ``"Netto arbeidsparticipatie"`` matches —
   and unit.
4. ``Observations`` with ``$filter`` on ``Measure`` and the filtered dimensions,
   so only what the catalogue needs travels, paged by ``@odata.nextLink``; the
   first page asks ``$count=true`` and the rows are counted against it, so a
   server that stops paging early cannot cut a table short unnoticed.
5. The long observations (one row per measure) are turned into the same wide
   :class:`~welfare.sources.base.RawTable` as the v3 adapter gives (codes
   kept: the measure columns are named by their v4 code). ``ValueAttribute``
   other than ``None`` (``Impossible``, ``Missing``, ``Confidential``, …) and a
   ``"."`` value mean missing: NaN, never 0 (``welfare.tidy`` flags such a cell
   ``suppressed``). Margins: the ``Marges`` dimension is folded by
   ``welfare.tidy`` as for v3 (``Ondergrens``/``Bovengrens 95%-interval``).

Every request has a timeout and is retried with exponential backoff on faults
that may pass (timeouts, dropped connections, HTTP 429/5xx, broken JSON); the
error finally raised names the source, table, entity (and the measures asked
for) and the fault.

:class:`CbsLiveSource` puts v4 and v3 behind one :class:`~welfare.sources.base.Source`:
per table it tries v4, then v3, and records which API and table version served
each table (``served``); with both failing, the error names both failures.
:func:`live_source_from_env` builds it from the environment.
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from welfare.errors import DataError, SourceError, SourceUnreachable, WelfareError
from welfare.sources.base import (
    MARGIN,
    MARGIN_DIMENSION,
    PERIOD_DIMENSION,
    PERIOD_KEY,
    PERIOD_TITLE,
    REGION_DIMENSIONS,
    REGION_KEY,
    REGION_TITLE,
    ROW,
    MeasureRef,
    RawTable,
    TableRequest,
)
from welfare.sources.retry import RetriesExhausted, call_with_retries

T = TypeVar("T")

DEFAULT_BASE_URL = "https://datasets.cbs.nl/odata/v1"
DEFAULT_CATALOG = "CBS"
API = "odata-v4"
GEO_KINDS = ("GeoDimension", "GeoDetail")
NATIONAL_TITLE = "Nederland"
NATIONAL_KEY = "NL01"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# ValueAttribute of an ordinary cell; anything else with an empty Value is a missing cell.
PLAIN = "None"
# Attributes that mean "no value", whatever Value holds.
MISSING_ATTRIBUTES = frozenset({"Impossible", "Missing", "Confidential", "Secret", "ValueUnknown", "NotApplicable"})
MISSING_TEXT = frozenset({".", "", "-"})
_TABLE_LEVEL = ("", "Properties", "Dimensions", "MeasureCodes")
MAX_PAGES = 100_000

# Environment (see live_source_from_env).
V4_URL_ENV = "REGIOWELVAART_CBS4_URL"
V4_HTTPS_ENV = "REGIOWELVAART_CBS4_HTTPS"
V3_URL_ENV = "REGIOWELVAART_CBS_URL"
V3_HTTPS_ENV = "REGIOWELVAART_CBS_HTTPS"
OFF = "off"


@dataclass(frozen=True)
class MeasureHint:
    """How a catalogue measure is found among a table's v4 ``MeasureCodes``.

    ``code`` is used when the table has it; otherwise the measure is found by
    ``title`` (or, without one, by the title that makes the catalogue's key
    stem), among the measures of ``unit`` when one is given.
    """

    code: str | None = None
    title: str | None = None
    unit: str | None = None


Hints = Mapping[str, Mapping[str, MeasureHint]]  # table id → "stem" or "stem#n" → hint


def title_key(text: str) -> str:
    """A title or key stem reduced to lower-case letters and digits, accents dropped.

    CBS made the v3 keys from the titles, so a stem and its title meet here.

    >>> title_key("Netto arbeidsparticipatie") == title_key("NettoArbeidsparticipatie")
    True
    >>> title_key("Materiële welvaart")
    'materielewelvaart'
    """
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def camel_key(title: str) -> str:
    """A v3-style key stem from a title: ``"Sortering naam"`` → ``"SorteringNaam"``.

    >>> camel_key("Code"), camel_key("Sortering naam"), camel_key("Inwonertal (aantal)")
    ('Code', 'SorteringNaam', 'InwonertalAantal')
    """
    plain = unicodedata.normalize("NFKD", title)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    words = re.findall(r"[A-Za-z0-9]+", plain)
    return "".join(w[:1].upper() + w[1:] for w in words) or "Onderwerp"


def modified_instant(value: str) -> datetime | None:
    """A ``Modified`` date as an aware datetime (naive = Dutch time), None if unreadable.

    v3 gives ``2025-03-31T02:00:00``, v4 ``2025-03-31T02:00:00+02:00``: the same moment.

    >>> modified_instant("2025-03-31T02:00:00") == modified_instant("2025-03-31T02:00:00+02:00")
    True
    >>> modified_instant("yesterday") is None
    True
    """
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        try:
            from zoneinfo import ZoneInfo

            moment = moment.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))
        except Exception:  # no tz database: CET is close enough for comparing
            moment = moment.replace(tzinfo=timezone.utc)
    return moment


def same_version(a: object, b: object) -> bool:
    """Two table versions are the same: equal text, or the same ``Modified`` moment.

    >>> same_version("2025-03-31T02:00:00", "2025-03-31T02:00:00+02:00"), same_version("a", "b")
    (True, False)
    """
    if not a or not b:
        return False
    if str(a).strip() == str(b).strip():
        return True
    ta, tb = modified_instant(str(a)), modified_instant(str(b))
    return ta is not None and tb is not None and ta == tb


class _Fault(Exception):
    """A response that is not what an OData4 page must be (not retried)."""


class CbsOData4Source:
    """CBS StatLine over the OData4 portal (``datasets.cbs.nl/odata/v1``).

    Parameters
    ----------
    base_url
        Root of the portal, without the catalogue (``https://datasets.cbs.nl/odata/v1``);
        tests use ``http://127.0.0.1:PORT/odata/v1``.
    catalog
        The catalogue in the path (``CBS``).
    timeout_s
        Timeout of every single HTTP request (connect and read), seconds.
    attempts
        Tries per request before giving up (1 = no retries).
    backoff_s
        Wait before the first retry; doubles before each further retry.
    hints
        Per table, per measure (``"stem"`` or ``"stem#n"``) a :class:`MeasureHint`.
    sleep
        Replaced in tests.
    """

    kind = "cbs"

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        catalog: str = DEFAULT_CATALOG,
        timeout_s: float = 30.0,
        attempts: int = 3,
        backoff_s: float = 1.0,
        hints: Hints | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if attempts < 1:
            raise ValueError(f"attempts must be >= 1, got {attempts}")
        self.base_url = base_url.rstrip("/")
        self.catalog = catalog
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.hints: dict[str, dict[str, MeasureHint]] = {}
        self.add_hints(hints or {})
        self._sleep = sleep

    def __repr__(self) -> str:
        return (
            f"CbsOData4Source(base_url={self.base_url!r}, catalog={self.catalog!r}, "
            f"timeout_s={self.timeout_s}, attempts={self.attempts}, backoff_s={self.backoff_s})"
        )

    def add_hints(self, hints: Hints) -> None:
        """Add measure hints (later calls win per measure)."""
        for table_id, per in hints.items():
            self.hints.setdefault(table_id.upper(), {}).update(per)

    # -- Source protocol -------------------------------------------------------------

    def label(self) -> str:
        """Human-readable name used in messages: ``CBS OData v4 (datasets.cbs.nl)``."""
        return f"CBS OData v4 ({urlsplit(self.base_url).netloc or self.base_url})"

    def describe(self) -> dict[str, object]:
        """What goes into manifest.json about this source."""
        return {"kind": self.kind, "api": API, "base_url": self.base_url, "catalog": self.catalog}

    def table_url(self, table_id: str) -> str:
        return f"{self.base_url}/{self.catalog}/{table_id}"

    def properties(self, table_id: str) -> dict[str, Any]:
        """The table's ``Properties`` (Identifier, Title, Modified, ObservationCount, …)."""
        doc = self._get(table_id, "Properties", f"{self.table_url(table_id)}/Properties", None)
        if not isinstance(doc, dict) or not doc.get("Identifier") and not doc.get("Modified"):
            raise SourceError(
                f"{self.label()}: table {table_id}, Properties: not a Properties document",
                source=self.label(),
                table_id=table_id,
            )
        return doc

    def table_modified(self, table_id: str) -> str:
        """The table's ``Properties.Modified`` (e.g. ``"2025-03-31T02:00:00+02:00"``)."""
        modified = self.properties(table_id).get("Modified")
        if not modified:
            raise SourceError(
                f"{self.label()}: table {table_id}, Properties: no 'Modified'",
                source=self.label(),
                table_id=table_id,
            )
        return str(modified)

    def fetch(self, request: TableRequest) -> RawTable:
        """Return the rows of ``request.table_id`` that match its filters.

        Parameters
        ----------
        request
            Table id, measures by stem and dimension filters by title.

        Returns
        -------
        RawTable
            ``frame`` has ROW, REGION_TITLE, REGION_KEY, PERIOD_TITLE, PERIOD_KEY,
            MARGIN, one float64 column per measure (named by its v4 code) and one
            title column per unfiltered other dimension (``extra_dims``).
            ``version`` is ``Properties.Modified``.

        Raises
        ------
        SourceUnreachable
            Nothing answered (connection refused, timeout) after all attempts.
        SourceError
            HTTP error, broken JSON, dropped connection, table does not exist,
            fewer rows than the server counts.
        DataError
            A measure, filter dimension or filter title is not in the table, the
            table returned no rows, or a value is not a number.
        """
        table_id = request.table_id
        props = self.properties(table_id)
        dims = self._list(table_id, "Dimensions")
        dim_ids = [str(d["Identifier"]) for d in dims if d.get("Identifier")]
        measures = self._list(table_id, "MeasureCodes")
        resolved = resolve_measures(table_id, measures, request.measures, self.hints.get(table_id.upper(), {}))
        codes = {dim: self._list(table_id, f"{dim}Codes") for dim in dim_ids}
        titles = {dim: _title_map(codes[dim]) for dim in dim_ids}

        filter_codes: dict[str, str] = {}
        for dim, title in request.filters.items():
            if dim not in dim_ids:
                raise DataError(
                    f"table {table_id}: no dimension '{dim}' to filter on "
                    f"(dimensions: {', '.join(dim_ids) or 'none'})",
                    table_id=table_id,
                    field=dim,
                )
            filter_codes[dim] = _code_for_title(table_id, dim, title, codes[dim])

        region_dim = _pick(dims, REGION_DIMENSIONS, GEO_KINDS)
        period_dim = _pick(dims, (PERIOD_DIMENSION,), ("TimeDimension",))
        margin_dim = MARGIN_DIMENSION if MARGIN_DIMENSION in dim_ids else None
        special = {d for d in (region_dim, period_dim, margin_dim) if d}
        extra_dims = [d for d in dim_ids if d not in special and d not in filter_codes]

        wanted = [m["Identifier"] for m in resolved.values()]
        clauses = ["(" + " or ".join(f"Measure eq '{_quote(c)}'" for c in wanted) + ")"]
        clauses += [f"{dim} eq '{_quote(code)}'" for dim, code in filter_codes.items()]
        asked = ", ".join(f"{ref}={m['Identifier']}" for ref, m in resolved.items())
        rows = self._collect(table_id, "Observations", {"$filter": " and ".join(clauses)}, what=f"measures {asked}")
        shown = ", ".join(f"{d}={t!r}" for d, t in request.filters.items()) or "none"
        if not rows:
            raise DataError(
                f"table {table_id}, Observations: no rows returned (measures {asked}; filters: {shown})",
                table_id=table_id,
            )

        warnings: list[str] = []
        frame = _widen(table_id, rows, dim_ids, wanted, warnings)
        out: dict[str, Any] = {ROW: pd.array(frame["_row"], dtype="int64")}
        n = len(frame["_row"])

        def title_column(dim: str) -> list[Any]:
            mapping = titles[dim]
            values = []
            for code in frame[dim]:
                if code is None:
                    values.append(pd.NA)
                    continue
                key = str(code).strip()
                found = mapping.get(key)
                if found is None:
                    if len(warnings) < 20:
                        warnings.append(
                            f"table {table_id}: code {key!r} of dimension {dim} is not in "
                            f"{dim}Codes; using the code as title"
                        )
                    found = key
                values.append(found)
            return values

        def key_column(dim: str) -> list[Any]:
            return [pd.NA if c is None else str(c).strip() for c in frame[dim]]

        if region_dim:
            out[REGION_TITLE] = title_column(region_dim)
            out[REGION_KEY] = key_column(region_dim)
        else:
            out[REGION_TITLE] = [NATIONAL_TITLE] * n
            out[REGION_KEY] = [NATIONAL_KEY] * n
        if period_dim:
            out[PERIOD_TITLE] = title_column(period_dim)
            out[PERIOD_KEY] = key_column(period_dim)
        else:
            out[PERIOD_TITLE] = [pd.NA] * n
            out[PERIOD_KEY] = [pd.NA] * n
        out[MARGIN] = title_column(margin_dim) if margin_dim else [pd.NA] * n
        for col in (REGION_TITLE, REGION_KEY, PERIOD_TITLE, PERIOD_KEY, MARGIN):
            out[col] = pd.array(out[col], dtype="string")
        for code in wanted:
            out[code] = pd.Series(frame[code], dtype="float64")
        for dim in extra_dims:
            out[dim] = pd.array(title_column(dim), dtype="string")

        return RawTable(
            table_id=table_id,
            frame=pd.DataFrame(out),
            measure_keys={ref: str(m["Identifier"]) for ref, m in resolved.items()},
            units={str(m["Identifier"]): str(m.get("Unit") or "").strip() for m in resolved.values()},
            extra_dims=extra_dims,
            warnings=list(dict.fromkeys(warnings)),
            version=str(props.get("Modified") or ""),
        )

    def fetch_text(self, table_id: str) -> pd.DataFrame:
        """Return a whole table with every measure as stripped text.

        For the "Gebieden in Nederland" tables, whose measures are codes and
        names. Columns: REGION_TITLE, REGION_KEY, then one text column per
        measure, named as v3 names them (title as key stem + ``_`` + index:
        ``Code_1``, ``Naam_2``), so ``welfare.regions`` reads both alike. Text
        comes from ``StringValue`` where the server gives one, else ``Value``.
        """
        dims = self._list(table_id, "Dimensions")
        measures = sorted(self._list(table_id, "MeasureCodes"), key=lambda m: (_index(m), str(m.get("Identifier"))))
        region_dim = _pick(dims, REGION_DIMENSIONS, GEO_KINDS)
        region_titles = _title_map(self._list(table_id, f"{region_dim}Codes")) if region_dim else {}
        rows = self._collect(table_id, "Observations", {}, what="all measures")
        names: dict[str, str] = {}
        for pos, m in enumerate(measures, start=1):
            index = _index(m)
            names[str(m["Identifier"])] = f"{camel_key(str(m.get('Title') or m['Identifier']))}_{index if index > 0 else pos}"
        order: dict[Any, int] = {}
        cells: dict[tuple[int, str], Any] = {}
        for r in rows:
            region = r.get(region_dim) if region_dim else NATIONAL_KEY
            i = order.setdefault(region, len(order))
            code = str(r.get("Measure"))
            if code in names:
                cells[(i, code)] = _text_value(r)
        regions = list(order)
        out: dict[str, Any] = {}
        if region_dim:
            keys = [None if k is None else str(k).strip() for k in regions]
            out[REGION_TITLE] = [region_titles.get(k, k) if k is not None else pd.NA for k in keys]
            out[REGION_KEY] = [pd.NA if k is None else k for k in keys]
        else:
            out[REGION_TITLE] = [NATIONAL_TITLE] * len(regions)
            out[REGION_KEY] = [NATIONAL_KEY] * len(regions)
        for code, name in names.items():
            out[name] = [cells.get((i, code), pd.NA) for i in range(len(regions))]
        return pd.DataFrame({c: pd.array(v, dtype="string") for c, v in out.items()})

    # -- plumbing --------------------------------------------------------------------

    def _list(self, table_id: str, entity: str) -> list[dict[str, Any]]:
        return self._collect(table_id, entity, {}, what="")

    def _collect(self, table_id: str, entity: str, params: dict[str, str], *, what: str) -> list[dict[str, Any]]:
        """Every row of a collection, following ``@odata.nextLink``; checked against ``@odata.count``."""
        url = f"{self.table_url(table_id)}/{entity}"
        first = dict(params)
        counted = entity == "Observations"
        if counted:
            first["$count"] = "true"
        rows: list[dict[str, Any]] = []
        expected: int | None = None
        seen: set[str] = set()
        page = 1
        next_url: str | None = url
        query: dict[str, str] | None = first
        while next_url is not None:
            doc = self._get(table_id, entity, next_url, query, page=page, what=what)
            value = doc.get("value") if isinstance(doc, dict) else None
            if not isinstance(value, list):
                raise self._error(
                    SourceError, table_id, entity, page, what,
                    "unexpected response: no 'value' list (not an OData4 collection)",
                )  # fmt: skip
            if page == 1 and isinstance(doc.get("@odata.count"), int):
                expected = doc["@odata.count"]
            rows.extend(v for v in value if isinstance(v, dict))
            link = doc.get("@odata.nextLink")
            if link in (None, ""):
                break
            if not isinstance(link, str) or link in seen or page >= MAX_PAGES:
                raise self._error(SourceError, table_id, entity, page, what, f"broken paging (nextLink {str(link)[:120]!r})")
            seen.add(link)
            next_url, query, page = link, None, page + 1
        if expected is not None and expected != len(rows):
            raise self._error(
                SourceError, table_id, entity, page, what,
                f"{len(rows)} rows arrived but the server counts {expected}; a follow-up page "
                "(@odata.nextLink) is missing, or the table changed while it was read",
            )  # fmt: skip
        return rows

    def _get(
        self,
        table_id: str,
        entity: str,
        url: str,
        params: dict[str, str] | None,
        *,
        page: int = 1,
        what: str = "",
    ) -> Any:
        """One GET with timeout and retries, parsed as JSON; errors named and translated."""
        import requests

        def once() -> Any:
            response = requests.get(url, params=params, timeout=self.timeout_s, headers={"Accept": "application/json"})
            response.raise_for_status()
            try:
                return json.loads(response.content.decode("utf-8-sig"))
            except UnicodeDecodeError as exc:
                raise json.JSONDecodeError(f"not UTF-8 ({exc.reason})", "", 0) from exc

        described = f"{self.label()}: table {table_id}, {entity or 'table root'}" + (f" page {page}" if page > 1 else "")
        extra: dict[str, Any] = {}
        if self._sleep is not None:
            extra["sleep"] = self._sleep
        try:
            return call_with_retries(
                once,
                attempts=self.attempts,
                backoff_s=self.backoff_s,
                what=described,
                retry_on=_is_transient,
                **extra,
            )
        except RetriesExhausted as exc:
            raise self._translate(exc.last, table_id, entity, page, what, exc.attempts) from exc.last
        except WelfareError:
            raise
        except Exception as exc:
            raise self._translate(exc, table_id, entity, page, what, 1) from exc

    def _error(
        self, kind: type[SourceError], table_id: str, entity: str, page: int, what: str, fault: str, attempts: int = 1
    ) -> SourceError:
        where = entity or "table root"
        if page > 1:
            where += f" (follow-up page {page})"
        if what:
            where += f", {what}"
        after = f" after {attempts} attempts" if attempts > 1 else ""
        return kind(f"{self.label()}: table {table_id}, {where}: {fault}{after}", source=self.label(), table_id=table_id)

    def _translate(
        self, exc: BaseException, table_id: str, entity: str, page: int, what: str, attempts: int
    ) -> SourceError:
        import requests

        kind: type[SourceError] = SourceError
        if isinstance(exc, requests.Timeout):
            kind, fault = SourceUnreachable, f"no answer within {self.timeout_s:g} s (timeout)"
        elif isinstance(exc, requests.HTTPError):
            response = exc.response
            status = response.status_code if response is not None else None
            reason = (response.reason or "") if response is not None else ""
            if status == 404 and entity in _TABLE_LEVEL and page == 1:
                return SourceError(
                    f"{self.label()}: table {table_id} does not exist in catalogue {self.catalog} (HTTP 404)",
                    source=self.label(),
                    table_id=table_id,
                )
            fault = f"HTTP {status} {reason}".rstrip() if status else f"HTTP error ({exc})"
            if status == 400 and response is not None:
                fault += f": {_short(response.text)}"
        elif isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
            fault = "the connection broke off in the middle of the response"
        elif isinstance(exc, requests.ConnectionError):
            text = str(exc).lower()
            if "refused" in text:
                kind, fault = SourceUnreachable, "connection refused"
            elif "resolve" in text or "name or service" in text:
                kind, fault = SourceUnreachable, "host name could not be resolved"
            elif "timed out" in text:
                kind, fault = SourceUnreachable, f"the answer stopped in the middle: no data for {self.timeout_s:g} s (read timeout)"
            elif "aborted" in text or "reset" in text:
                fault = "the server closed the connection without answering"
            else:
                kind, fault = SourceUnreachable, f"could not connect ({_short(str(exc))})"
        elif isinstance(exc, json.JSONDecodeError):
            fault = f"invalid JSON in the response ({exc.msg}; character {exc.pos})"
        else:
            fault = f"{type(exc).__name__}: {_short(str(exc))}"
        return self._error(kind, table_id, entity, page, what, fault, attempts)


# -- measures -----------------------------------------------------------------------


def _index(measure: Mapping[str, Any]) -> int:
    value = measure.get("Index")
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _norm_unit(unit: object) -> str:
    return " ".join(str(unit or "").split()).lower()


def resolve_measures(
    table_id: str,
    measures: list[dict[str, Any]],
    wanted: tuple[MeasureRef, ...],
    hints: Mapping[str, MeasureHint],
) -> dict[MeasureRef, dict[str, Any]]:
    """Find each wanted measure among a table's ``MeasureCodes``.

    By the hint's code where the table has it; else by title (the hint's, or
    the one whose letters and digits equal the stem's), narrowed to the hint's
    unit when it gives one; ``occurrence`` picks the n-th match in ``Index``
    order (tables that repeat a title under several groups).

    >>> codes = [{"Identifier": "M1", "Title": "Netto arbeidsparticipatie", "Unit": "%", "Index": 1},
    ...          {"Identifier": "M2", "Title": "Afstand tot school", "Unit": "km", "Index": 2},
    ...          {"Identifier": "M3", "Title": "Afstand tot school", "Unit": "km", "Index": 3}]
    >>> found = resolve_measures("T", codes, (MeasureRef("NettoArbeidsparticipatie"), MeasureRef("AfstandTotSchool", 2)), {})
    >>> [m["Identifier"] for m in found.values()]
    ['M1', 'M3']
    >>> resolve_measures("T", codes, (MeasureRef("X"),), {"X": MeasureHint(code="M2")})[MeasureRef("X")]["Title"]
    'Afstand tot school'
    """
    ordered = sorted(measures, key=lambda m: (_index(m), str(m.get("Identifier"))))
    by_code = {str(m.get("Identifier")): m for m in ordered}
    out: dict[MeasureRef, dict[str, Any]] = {}
    for ref in wanted:
        hint = hints.get(str(ref)) or (hints.get(ref.stem) if ref.occurrence == 1 else None) or MeasureHint()
        chosen: dict[str, Any] | None = None
        if hint.code and hint.code in by_code:
            chosen = by_code[hint.code]
            if hint.unit and _norm_unit(chosen.get("Unit")) != _norm_unit(hint.unit):
                raise DataError(
                    f"table {table_id}: measure '{ref}' (code {hint.code}) has unit {chosen.get('Unit')!r}, "
                    f"the catalogue expects {hint.unit!r}",
                    table_id=table_id,
                    field=str(ref),
                )
        else:
            target = title_key(hint.title) if hint.title else title_key(ref.stem)
            found = [m for m in ordered if title_key(str(m.get("Title") or "")) == target]
            if hint.unit:
                with_unit = [m for m in found if _norm_unit(m.get("Unit")) == _norm_unit(hint.unit)]
                if found and not with_unit:
                    raise DataError(
                        f"table {table_id}: measure '{ref}' titled {found[0].get('Title')!r} has unit "
                        f"{found[0].get('Unit')!r}, the catalogue expects {hint.unit!r}",
                        table_id=table_id,
                        field=str(ref),
                    )
                found = with_unit
            if len(found) >= ref.occurrence:
                chosen = found[ref.occurrence - 1]
        if chosen is None:
            asked = f"title {hint.title!r}" if hint.title else f"a title that reads as '{ref.stem}'"
            if hint.code:
                asked = f"code {hint.code} or " + asked
            close = sorted(
                {str(m.get("Title")) for m in ordered if title_key(str(m.get("Title") or ""))[:6] == title_key(ref.stem)[:6]}
            )
            hint_text = f"; similar titles: {', '.join(repr(c) for c in close[:6])}" if close else ""
            raise DataError(
                f"table {table_id}: no measure for '{ref}' in MeasureCodes (looked for {asked}"
                + (f", occurrence {ref.occurrence}" if ref.occurrence > 1 else "")
                + f"){hint_text} — store its code under [odata4.{table_id}] in welfare/indicators.toml",
                table_id=table_id,
                field=str(ref),
            )
        if str(chosen.get("DataType") or "").lower() == "string":
            raise DataError(
                f"table {table_id}: measure '{ref}' ({chosen.get('Identifier')}) is text "
                "(DataType String), not a number; read it with fetch_text",
                table_id=table_id,
                field=str(ref),
            )
        out[ref] = chosen
    return out


# -- observations ------------------------------------------------------------------


def _number(table_id: str, row: Mapping[str, Any]) -> tuple[float, str | None]:
    """(value, attribute) of one observation; missing → NaN; junk → DataError."""
    attribute = row.get("ValueAttribute")
    attribute = None if attribute in (None, "", PLAIN) else str(attribute)
    value = row.get("Value")
    if attribute in MISSING_ATTRIBUTES:
        return math.nan, attribute
    if value is None:
        return math.nan, attribute or "Missing"
    if isinstance(value, bool):
        pass
    elif isinstance(value, int | float):
        return float(value), attribute
    elif isinstance(value, str):
        text = value.strip()
        if text in MISSING_TEXT:
            return math.nan, attribute or "Missing"
        try:
            return float(text), attribute
        except ValueError:
            pass
    raise DataError(
        f"table {table_id}, observation Id {row.get('Id')}, measure {row.get('Measure')}: {value!r} is not a number",
        table_id=table_id,
        row=int(row["Id"]) + 1 if isinstance(row.get("Id"), int) else None,
        field=str(row.get("Measure")),
    )


def _widen(
    table_id: str,
    rows: list[dict[str, Any]],
    dim_ids: list[str],
    measure_codes: list[str],
    warnings: list[str],
) -> dict[str, Any]:
    """Long observations → one row per combination of dimension codes, one column per measure.

    Row order is the order in which combinations first appear (Id order); the
    row number is the smallest observation Id of the row + 1.
    """
    position = {code: j for j, code in enumerate(measure_codes)}
    groups: dict[tuple[Any, ...], int] = {}
    min_id: list[int] = []
    columns: list[list[float]] = [[] for _ in measure_codes]
    filled: list[list[bool]] = [[] for _ in measure_codes]
    unknown: dict[str, int] = {}
    odd: dict[str, int] = {}
    for n, r in enumerate(rows):
        code = r.get("Measure")
        j = position.get(str(code))
        if j is None:
            unknown[str(code)] = unknown.get(str(code), 0) + 1
            continue
        key = tuple(None if r.get(d) is None else str(r.get(d)).strip() for d in dim_ids)
        i = groups.get(key)
        if i is None:
            i = groups[key] = len(groups)
            min_id.append(r["Id"] if isinstance(r.get("Id"), int) else n)
            for col, seen in zip(columns, filled, strict=True):
                col.append(math.nan)
                seen.append(False)
        elif isinstance(r.get("Id"), int) and r["Id"] < min_id[i]:
            min_id[i] = r["Id"]
        if filled[j][i]:
            shown = ", ".join(f"{d}={k}" for d, k in zip(dim_ids, key, strict=True))
            raise DataError(
                f"table {table_id}: two observations for measure {code} at {shown} (Id {r.get('Id')})",
                table_id=table_id,
                field=str(code),
            )
        value, attribute = _number(table_id, r)
        if attribute and attribute not in MISSING_ATTRIBUTES and attribute != "Missing" and not math.isnan(value):
            odd[attribute] = odd.get(attribute, 0) + 1
        columns[j][i] = value
        filled[j][i] = True
    if unknown:
        warnings.append(
            f"table {table_id}: the server sent measures that were not asked for "
            f"({', '.join(sorted(unknown)[:5])}); left out"
        )
    if odd:
        warnings.append(
            f"table {table_id}: values with ValueAttribute "
            + ", ".join(f"{a} ({n}×)" for a, n in sorted(odd.items()))
            + " kept as published"
        )
    out: dict[str, Any] = {"_row": [i + 1 for i in min_id]}
    for d_pos, dim in enumerate(dim_ids):
        out[dim] = [key[d_pos] for key in groups]
    for code, j in position.items():
        out[code] = np.asarray(columns[j], dtype="float64")
    return out


def _text_value(row: Mapping[str, Any]) -> Any:
    value = row.get("StringValue")
    if value is None:
        value = row.get("Value")
    if value is None:
        return pd.NA
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _title_map(codes: list[dict[str, Any]]) -> dict[str, str]:
    """Code → stripped title (stripped as the CSV folder source strips titles)."""
    out: dict[str, str] = {}
    for c in codes:
        code, title = c.get("Identifier"), c.get("Title")
        if code is None or title is None:
            continue
        out.setdefault(str(code).strip(), str(title).strip())
    return out


def _code_for_title(table_id: str, dim: str, title: str, codes: list[dict[str, Any]]) -> str:
    for c in codes:
        if c.get("Title") == title:
            return str(c["Identifier"])
    for c in codes:
        if str(c.get("Title") or "").strip() == title.strip():
            return str(c["Identifier"])
    shown = [str(c.get("Title")) for c in codes[:8]]
    more = f", … ({len(codes)} in all)" if len(codes) > 8 else ""
    raise DataError(
        f"table {table_id}: dimension {dim} has no code titled {title!r}; "
        f"available: {', '.join(repr(s) for s in shown)}{more}",
        table_id=table_id,
        field=dim,
    )


def _pick(dims: list[dict[str, Any]], names: tuple[str, ...], kinds: tuple[str, ...]) -> str | None:
    ids = [str(d.get("Identifier")) for d in dims]
    for name in names:
        if name in ids:
            return name
    for d in dims:
        if d.get("Kind") in kinds:
            return str(d["Identifier"])
    return None


def _quote(code: str) -> str:
    return code.replace("'", "''")


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_transient(exc: BaseException) -> bool:
    """Faults that may pass on their own: worth another attempt."""
    import requests

    if isinstance(exc, requests.HTTPError):
        return exc.response is not None and exc.response.status_code in RETRY_STATUSES
    if isinstance(
        exc,
        requests.Timeout
        | requests.ConnectionError
        | requests.exceptions.ChunkedEncodingError
        | requests.exceptions.ContentDecodingError,
    ):
        return True
    return isinstance(exc, json.JSONDecodeError)  # a cut-off page: the next try usually gets it whole


# -- v4, then v3 --------------------------------------------------------------------


class CbsLiveSource:
    """Live CBS: per table OData v4 first, then OData v3 (``cbsodata``).

    Parameters
    ----------
    v4, v3
        The two sources; either may be None (that API is off).
    breaker
        After v4 was unreachable (connection refused, timeout) for this many
        tables in a row, the rest of the build goes to v3 directly, so a
        portal that is down does not cost a timeout per table.

    Attributes
    ----------
    served : dict
        Per table id: ``api`` (``odata-v4``/``odata-v3``), ``version`` (the
        table's modification date at that API) and ``fallback`` (why v4 was
        not used, or None).
    """

    kind = "cbs"

    def __init__(self, v4: CbsOData4Source | None, v3: Any | None, breaker: int = 2) -> None:
        if v4 is None and v3 is None:
            raise ValueError("CbsLiveSource needs at least one of v4 and v3")
        self.v4 = v4
        self.v3 = v3
        self.breaker = breaker
        self.served: dict[str, dict[str, Any]] = {}
        self._v4_down = 0
        self._v4_down_reason = ""

    def __repr__(self) -> str:
        return f"CbsLiveSource(v4={self.v4!r}, v3={self.v3!r})"

    def add_hints(self, hints: Hints) -> None:
        """Pass measure hints to the v4 source (v3 finds measures by key stem)."""
        if self.v4 is not None:
            self.v4.add_hints(hints)

    def label(self) -> str:
        parts = [s.label() for s in (self.v4, self.v3) if s is not None]
        return "CBS live: " + ", else ".join(parts) if len(parts) > 1 else parts[0]

    def apis(self) -> list[str]:
        """The APIs that served tables so far, v4 first."""
        used = {e["api"] for e in self.served.values()}
        return [a for a in (API, "odata-v3") if a in used]

    def describe(self) -> dict[str, object]:
        """Kind, the API(s) used (``odata-v4``, ``odata-v3`` or ``odata-v4+odata-v3``) and both hosts."""
        used = self.apis() or [API if self.v4 is not None else "odata-v3"]
        out: dict[str, object] = {"kind": self.kind, "api": "+".join(used)}
        if self.v4 is not None:
            out["odata_v4"] = self.v4.base_url
        if self.v3 is not None:
            for key, value in self.v3.describe().items():
                if key not in ("kind", "api"):
                    out[key] = value
        return out

    def fetch(self, request: TableRequest) -> RawTable:
        """The table from v4, else from v3; ``served`` records which."""
        raw, api, fallback = self._chain(request.table_id, lambda s: s.fetch(request))
        self._record(request.table_id, api, raw.version, fallback)
        return raw

    def fetch_text(self, table_id: str) -> pd.DataFrame:
        """The whole table as text from v4, else from v3 (version read from the same API)."""
        text, api, fallback = self._chain(table_id, lambda s: s.fetch_text(table_id))
        source = self.v4 if api == API else self.v3
        try:
            version = source.table_modified(table_id) if source is not None else ""
        except WelfareError:
            version = ""
        self._record(table_id, api, version, fallback)
        return text

    def table_modified(self, table_id: str) -> str:
        """The modification date, from the API that served the table (else v4, then v3)."""
        api = self.served.get(table_id, {}).get("api")
        if api == "odata-v3" and self.v3 is not None:
            return str(self.v3.table_modified(table_id))
        if api == API and self.v4 is not None:
            return self.v4.table_modified(table_id)
        return str(self.check_modified(table_id)[0])

    def check_modified(self, table_id: str) -> tuple[str, str]:
        """(modification date, API that answered): v4 ``Properties``, else v3 ``TableInfos``."""
        value, api, _ = self._chain(table_id, lambda s: str(s.table_modified(table_id)))
        return value, api

    # plumbing

    def _record(self, table_id: str, api: str, version: str, fallback: str | None) -> None:
        entry = self.served.setdefault(table_id, {"api": api, "version": version, "fallback": fallback})
        if entry["api"] != api:  # a table asked twice (two filter sets) and served by both APIs
            entry["api"] = "+".join(a for a in (API, "odata-v3") if a in (entry["api"], api))
        entry["fallback"] = entry.get("fallback") or fallback

    def _chain(self, table_id: str, call: Callable[[Any], T]) -> tuple[T, str, str | None]:
        first: WelfareError | None = None
        skipped = ""
        if self.v4 is not None and self._v4_down < self.breaker:
            try:
                result = call(self.v4)
                self._v4_down = 0
                return result, API, None
            except WelfareError as exc:
                first = exc
                if isinstance(exc, SourceUnreachable):
                    self._v4_down += 1
                    self._v4_down_reason = str(exc)
                else:
                    self._v4_down = 0
                if self.v3 is None:
                    raise
        elif self.v4 is not None:
            skipped = f"{self.v4.label()} skipped: unreachable for {self._v4_down} tables in a row ({self._v4_down_reason})"
            if self.v3 is None:
                raise SourceUnreachable(f"table {table_id}: {skipped}", source=self.v4.label(), table_id=table_id)
        assert self.v3 is not None
        try:
            result = call(self.v3)
        except WelfareError as exc:
            if first is None:
                if skipped:
                    raise _combined(table_id, skipped, exc, unreachable=isinstance(exc, SourceUnreachable)) from exc
                raise
            both_unreachable = isinstance(first, SourceUnreachable) and isinstance(exc, SourceUnreachable)
            both_data = isinstance(first, DataError) and isinstance(exc, DataError)
            raise _combined(table_id, str(first), exc, unreachable=both_unreachable, data=both_data) from exc
        return result, "odata-v3", str(first) if first is not None else skipped or None


def _combined(table_id: str, first: str, second: WelfareError, *, unreachable: bool, data: bool = False) -> WelfareError:
    message = f"table {table_id}: both CBS APIs failed — {first}; then {second}"
    if data:
        return DataError(message, table_id=table_id, field=getattr(second, "field", None))
    kind = SourceUnreachable if unreachable else SourceError
    return kind(message, source="CBS OData v4 and v3", table_id=table_id)


def _base_url(value: str, https: bool) -> str:
    """``127.0.0.1:5123`` → ``http://127.0.0.1:5123/odata/v1``; a full URL stays as it is."""
    value = value.strip().rstrip("/")
    if "://" in value:
        return value
    return f"{'https' if https else 'http'}://{value}/odata/v1"


def live_source_from_env(timeout_s: float = 30.0, attempts: int = 3, backoff_s: float = 1.0) -> CbsLiveSource:
    """Live CBS as configured by the environment.

    - ``REGIOWELVAART_CBS4_URL``: the OData4 portal, a host (``127.0.0.1:5123``,
      + ``/odata/v1``) or a full root URL; ``off`` turns v4 off.
      ``REGIOWELVAART_CBS4_HTTPS=0`` for plain http with a host.
    - ``REGIOWELVAART_CBS_URL`` / ``REGIOWELVAART_CBS_HTTPS``: the v3 feed, as
      before; ``off`` turns v3 off.

    Pointing only one API at another host (a test server) turns the other one
    off, so such a build never reaches the real CBS by the other route.
    """
    from welfare.sources.cbs_odata import CbsODataSource

    v4_url = os.environ.get(V4_URL_ENV, "").strip()
    v3_url = os.environ.get(V3_URL_ENV, "").strip()
    v4_elsewhere = bool(v4_url) and v4_url.lower() != OFF
    v3_elsewhere = bool(v3_url) and v3_url.lower() != OFF
    v4_on = v4_url.lower() != OFF and not (not v4_url and v3_elsewhere)
    v3_on = v3_url.lower() != OFF and not (not v3_url and v4_elsewhere)
    v4 = (
        CbsOData4Source(
            _base_url(v4_url, os.environ.get(V4_HTTPS_ENV, "1") != "0") if v4_url else DEFAULT_BASE_URL,
            timeout_s=timeout_s,
            attempts=attempts,
            backoff_s=backoff_s,
        )
        if v4_on
        else None
    )
    v3 = (
        CbsODataSource(
            catalog_url=v3_url or "opendata.cbs.nl",
            use_https=os.environ.get(V3_HTTPS_ENV, "1") != "0",
            timeout_s=timeout_s,
            attempts=attempts,
            backoff_s=backoff_s,
        )
        if v3_on
        else None
    )
    if v4 is None and v3 is None:
        raise SourceError(f"live CBS is off: both {V4_URL_ENV} and {V3_URL_ENV} are '{OFF}'", source="CBS")
    return CbsLiveSource(v4, v3)


__all__ = [
    "CbsLiveSource",
    "CbsOData4Source",
    "MeasureHint",
    "live_source_from_env",
    "resolve_measures",
    "same_version",
]
