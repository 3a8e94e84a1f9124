"""Live CBS StatLine tables through the OData v3 feed, using ``cbsodata``.

The flow of :meth:`CbsODataSource.fetch`:

1. ``DataProperties``: which columns are dimensions and which are measures
   (topics); measure stems resolve to this edition's keys (``match_measures``).
2. For each filtered dimension, its member list turns the filter *title*
   ("Totaal personen") into the *key* ("T009002") the server filters on.
3. ``download_data`` with ``$filter``/``$select`` pushed to the server, so only
   the needed rows and columns travel; keys are then mapped back to titles.

Every network call has a timeout and is retried with exponential backoff on
faults that may pass (timeouts, dropped connections, HTTP 429/5xx, broken
JSON); the error finally raised names the source, table, entity and fault.
After a download the rows are counted against ``TypedDataSet/$count`` (same
``$filter``), so a server that stops paging early (a page without its
``odata.nextLink``) cannot cut a table short unnoticed; a server that does not
answer the count is not held to it.
``cbsodata`` is imported inside the methods: importing ``welfare`` must work
without it.
"""

from __future__ import annotations

import functools
import json
import math
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from importlib import metadata
from types import ModuleType
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import pandas as pd

from welfare.errors import DataError, SourceError, SourceUnreachable
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
    RawTable,
    TableRequest,
    match_measures,
)
from welfare.sources.retry import RetriesExhausted, call_with_retries

T = TypeVar("T")

DIMENSION_TYPES = ("Dimension", "TimeDimension", "GeoDimension", "GeoDetail")
GEO_TYPES = ("GeoDimension", "GeoDetail")
NATIONAL_TITLE = "Nederland"
NATIONAL_KEY = "NL01"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Entities whose 404 means the table itself is missing (not a lost follow-up page).
_TABLE_LEVEL_ENTITIES = ("", "TableInfos", "DataProperties")

# cbsodata only takes use_https as a module-global option; a lock keeps two
# sources (or threads) with different settings from seeing each other's value.
_OPTIONS_LOCK = threading.RLock()


def _cbsodata() -> ModuleType:
    import cbsodata

    module: ModuleType = cbsodata  # untyped package
    return module


@contextmanager
def _https_option(cbsodata: ModuleType, use_https: bool) -> Iterator[None]:
    """Set ``cbsodata.options.use_https`` for one call and restore it afterwards."""
    with _OPTIONS_LOCK:
        old = cbsodata.options.use_https
        cbsodata.options.use_https = use_https
        try:
            yield
        finally:
            cbsodata.options.use_https = old


class CbsODataSource:
    """CBS StatLine over the OData v3 bulk feed (``opendata.cbs.nl/ODataFeed``).

    Parameters
    ----------
    catalog_url
        Host (and port) of the feed; tests use ``"127.0.0.1:PORT"``.
    use_https
        ``False`` for a plain-http test server.
    timeout_s
        Timeout of every single HTTP request (connect and read), seconds.
    attempts
        Tries per call before giving up (1 = no retries).
    backoff_s
        Wait before the first retry; doubles before each further retry.
    """

    kind = "cbs"

    def __init__(
        self,
        catalog_url: str = "opendata.cbs.nl",
        use_https: bool = True,
        timeout_s: float = 30.0,
        attempts: int = 3,
        backoff_s: float = 1.0,
    ) -> None:
        if attempts < 1:
            raise ValueError(f"attempts must be >= 1, got {attempts}")
        self.catalog_url = catalog_url
        self.use_https = use_https
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.backoff_s = backoff_s

    def __repr__(self) -> str:
        return (
            f"CbsODataSource(catalog_url={self.catalog_url!r}, use_https={self.use_https}, "
            f"timeout_s={self.timeout_s}, attempts={self.attempts}, backoff_s={self.backoff_s})"
        )

    # -- Source protocol -------------------------------------------------------------

    def label(self) -> str:
        """Human-readable name used in messages: ``CBS OData v3 (opendata.cbs.nl)``."""
        return f"CBS OData v3 ({self.catalog_url})"

    def describe(self) -> dict[str, object]:
        """What goes into manifest.json about this source."""
        try:
            version = metadata.version("cbsodata")
        except metadata.PackageNotFoundError:
            version = "not installed"
        return {
            "kind": self.kind,
            "api": "odata-v3",
            "catalog_url": self.catalog_url,
            "https": self.use_https,
            "cbsodata": version,
        }

    def table_modified(self, table_id: str) -> str:
        """Return the table's ``TableInfos.Modified`` (e.g. ``"2025-03-31T02:00:00"``)."""
        cbsodata = self._lib()
        info = self._call(
            table_id,
            "TableInfos",
            lambda: cbsodata.get_info(
                table_id, catalog_url=self.catalog_url, timeout=self.timeout_s
            ),
        )
        if not info or "Modified" not in info:
            raise SourceError(
                f"{self.label()}: table {table_id}, TableInfos: empty or without 'Modified'",
                source=self.label(),
                table_id=table_id,
            )
        return str(info["Modified"])

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
            MARGIN, one float64 column per measure (full key) and one title
            column per unfiltered other dimension (``extra_dims``).

        Raises
        ------
        SourceUnreachable
            Nothing answered (connection refused, timeout) after all attempts.
        SourceError
            HTTP error, broken JSON, dropped connection, table does not exist.
        DataError
            A measure stem, filter dimension or filter title is not in the table,
            the table returned no rows, or a measure value is not a number.
        """
        table_id = request.table_id
        cbsodata = self._lib()
        props = self._call(
            table_id,
            "DataProperties",
            lambda: cbsodata.get_meta(
                table_id, "DataProperties", catalog_url=self.catalog_url, timeout=self.timeout_s
            ),
        )
        dims = [p for p in props if p.get("Type") in DIMENSION_TYPES]
        dim_keys = [p["Key"] for p in dims]
        topics = {p["Key"]: p for p in props if p.get("Type") == "Topic"}
        measure_keys = match_measures(table_id, list(topics), request.measures)
        for ref, key in measure_keys.items():
            if topics[key].get("Datatype") == "String":
                raise DataError(
                    f"table {table_id}: measure '{key}' (asked as '{ref}') is text "
                    "(Datatype String), not a number; read it with fetch_text",
                    table_id=table_id,
                    field=key,
                )

        filter_keys: dict[str, str] = {}
        for dim, title in request.filters.items():
            if dim not in dim_keys:
                raise DataError(
                    f"table {table_id}: no dimension '{dim}' to filter on "
                    f"(dimensions: {', '.join(dim_keys) or 'none'})",
                    table_id=table_id,
                    field=dim,
                )
            members = self._call(
                table_id,
                dim,
                functools.partial(
                    cbsodata.get_meta,
                    table_id,
                    dim,
                    catalog_url=self.catalog_url,
                    timeout=self.timeout_s,
                ),
            )
            filter_keys[dim] = _key_for_title(table_id, dim, title, members)

        region_dim = _pick_dimension(dims, REGION_DIMENSIONS, GEO_TYPES)
        period_dim = _pick_dimension(dims, (PERIOD_DIMENSION,), ("TimeDimension",))
        margin_dim = MARGIN_DIMENSION if MARGIN_DIMENSION in dim_keys else None
        special = {d for d in (region_dim, period_dim, margin_dim) if d}
        extra_dims = [d for d in dim_keys if d not in special and d not in filter_keys]

        odata_filter = " and ".join(f"{dim} eq '{_quote(key)}'" for dim, key in filter_keys.items())
        select = list(dict.fromkeys(["ID", *dim_keys, *measure_keys.values()]))
        data = self._call(
            table_id,
            "TypedDataSet",
            # typed=False *is* the TypedDataSet: cbsodata's flag is inverted.
            lambda: cbsodata.download_data(
                table_id,
                typed=False,
                select=select,
                filters=odata_filter or None,
                catalog_url=self.catalog_url,
                timeout=self.timeout_s,
            ),
        )
        rows = _entity(data, "TypedDataSet", table_id, self.label())
        shown = ", ".join(f"{d}={t!r}" for d, t in request.filters.items()) or "none"
        if not rows:
            raise DataError(
                f"table {table_id}, TypedDataSet: no rows returned (filters: {shown})",
                table_id=table_id,
            )
        self._check_count(table_id, odata_filter, len(rows), shown)
        titles = {d: _title_map(data.get(d) or []) for d in dim_keys}
        warnings: list[str] = []

        def title_of(dim: str, key: Any) -> Any:
            if key is None:
                return pd.NA
            found = titles[dim].get(key)
            if found is None:
                found = titles[dim].get(str(key).strip())
            if found is None:
                if len(warnings) < 20:
                    warnings.append(
                        f"table {table_id}: key {str(key).strip()!r} of dimension {dim} "
                        "is not in its member list; using the key as title"
                    )
                return str(key).strip()
            return found

        n = len(rows)
        out: dict[str, Any] = {}
        out[ROW] = pd.array(
            [r["ID"] + 1 if isinstance(r.get("ID"), int) else i + 1 for i, r in enumerate(rows)],
            dtype="int64",
        )
        if region_dim:
            out[REGION_TITLE] = [title_of(region_dim, r.get(region_dim)) for r in rows]
            out[REGION_KEY] = [_strip(r.get(region_dim)) for r in rows]
        else:  # national tables have no region dimension
            out[REGION_TITLE] = [NATIONAL_TITLE] * n
            out[REGION_KEY] = [NATIONAL_KEY] * n
        if period_dim:
            out[PERIOD_TITLE] = [title_of(period_dim, r.get(period_dim)) for r in rows]
            out[PERIOD_KEY] = [_strip(r.get(period_dim)) for r in rows]
        else:
            out[PERIOD_TITLE] = [pd.NA] * n
            out[PERIOD_KEY] = [pd.NA] * n
        if margin_dim:
            out[MARGIN] = [title_of(margin_dim, r.get(margin_dim)) for r in rows]
        else:
            out[MARGIN] = [pd.NA] * n
        for col in (REGION_TITLE, REGION_KEY, PERIOD_TITLE, PERIOD_KEY, MARGIN):
            out[col] = pd.array(out[col], dtype="string")
        for key in measure_keys.values():
            out[key] = _floats(table_id, key, rows, out[ROW])
        for dim in extra_dims:
            out[dim] = pd.array([title_of(dim, r.get(dim)) for r in rows], dtype="string")

        infos = data.get("TableInfos") or [{}]
        return RawTable(
            table_id=table_id,
            frame=pd.DataFrame(out),
            measure_keys=dict(measure_keys),
            units={
                key: str(topics[key].get("Unit") or "").strip() for key in measure_keys.values()
            },
            extra_dims=extra_dims,
            warnings=warnings,
            version=str(infos[0].get("Modified") or ""),
        )

    def fetch_text(self, table_id: str) -> pd.DataFrame:
        """Return the whole TypedDataSet with every measure as stripped text.

        For the "Gebieden in Nederland" tables, whose measures are codes and
        names. Columns: REGION_TITLE, REGION_KEY, then one text column per
        measure key (null → <NA>; numbers as ``str()``). Other dimensions are
        not returned (the Gebieden tables have none).
        """
        cbsodata = self._lib()
        data = self._call(
            table_id,
            "TypedDataSet",
            lambda: cbsodata.download_data(
                table_id, typed=False, catalog_url=self.catalog_url, timeout=self.timeout_s
            ),
        )
        props = _entity(data, "DataProperties", table_id, self.label())
        rows = _entity(data, "TypedDataSet", table_id, self.label())
        self._check_count(table_id, "", len(rows), "none")
        dims = [p for p in props if p.get("Type") in DIMENSION_TYPES]
        topics = [p["Key"] for p in props if p.get("Type") == "Topic"]
        region_dim = _pick_dimension(dims, REGION_DIMENSIONS, GEO_TYPES)

        out: dict[str, Any] = {}
        if region_dim:
            titles = _title_map(data.get(region_dim) or [])
            keys = [_strip(r.get(region_dim)) for r in rows]
            out[REGION_TITLE] = [
                titles.get(r.get(region_dim), k) for r, k in zip(rows, keys, strict=True)
            ]
            out[REGION_KEY] = keys
        else:
            out[REGION_TITLE] = [NATIONAL_TITLE] * len(rows)
            out[REGION_KEY] = [NATIONAL_KEY] * len(rows)
        for key in topics:
            out[key] = [_text(r.get(key)) for r in rows]
        return pd.DataFrame({c: pd.array(v, dtype="string") for c, v in out.items()})

    # -- plumbing --------------------------------------------------------------------

    def _row_count(self, table_id: str, odata_filter: str) -> int | None:
        """The number of rows the server has for ``odata_filter`` (``TypedDataSet/$count``).

        One try with the usual timeout; None when the server does not answer it
        with a number (not every OData server offers ``$count``).
        """
        import requests

        scheme = "https" if self.use_https else "http"
        url = f"{scheme}://{self.catalog_url}/ODataFeed/odata/{table_id}/TypedDataSet/$count"
        params = {"$filter": odata_filter} if odata_filter else None
        try:
            # Under the same option as every cbsodata call, so all requests look alike.
            with _https_option(self._lib(), self.use_https):
                response = requests.get(url, params=params, timeout=self.timeout_s)
            text = response.text.strip() if response.status_code == 200 else ""
        except requests.RequestException:
            return None
        return int(text) if text.isdigit() else None

    def _check_count(self, table_id: str, odata_filter: str, received: int, shown: str) -> None:
        """SourceError when fewer (or more) rows arrived than the server counts."""
        expected = self._row_count(table_id, odata_filter)
        if expected is not None and expected != received:
            raise SourceError(
                f"{self.label()}: table {table_id}, TypedDataSet: {received} rows arrived but the "
                f"server counts {expected} (filters: {shown}); a follow-up page (odata.nextLink) is "
                "missing, or the table changed while it was read",
                source=self.label(),
                table_id=table_id,
            )

    def _lib(self) -> ModuleType:
        try:
            return _cbsodata()
        except ImportError as exc:
            raise SourceError(
                f"{self.label()}: the 'cbsodata' package is not installed ({exc})",
                source=self.label(),
            ) from exc

    def _call(self, table_id: str, entity: str, fn: Callable[[], T]) -> T:
        """Run one cbsodata call with use_https set, retries, and errors translated."""
        cbsodata = self._lib()

        def once() -> T:
            with _https_option(cbsodata, self.use_https):
                return fn()

        try:
            return call_with_retries(
                once,
                attempts=self.attempts,
                backoff_s=self.backoff_s,
                what=f"{self.label()}: table {table_id}, {entity}",
                retry_on=_is_transient,
            )
        except RetriesExhausted as exc:
            raise self._translate(exc.last, table_id, entity, exc.attempts) from exc.last
        except (DataError, SourceError):
            raise
        except Exception as exc:
            raise self._translate(exc, table_id, entity, 1) from exc

    def _translate(
        self, exc: BaseException, table_id: str, entity: str, attempts: int
    ) -> Exception:
        """Turn a requests/json error into SourceError/SourceUnreachable with a plain message."""
        import requests

        url = _failed_url(exc)
        found = _describe_url(url, table_id) if url else None
        if found is not None:
            entity, follow_up = found
        else:
            follow_up = False
        where = (entity or "table root") + (" (follow-up page)" if follow_up else "")
        after = f" after {attempts} attempts" if attempts > 1 else ""
        head = f"{self.label()}: table {table_id}, {where}: "
        kind: type[SourceError] = SourceError

        if isinstance(exc, requests.Timeout):
            kind = SourceUnreachable
            fault = f"no answer within {self.timeout_s:g} s (timeout)"
        elif isinstance(exc, requests.HTTPError):
            response = _response_of(exc)
            status = response.status_code if response is not None else None
            reason = (response.reason or "") if response is not None else ""
            if status == 404 and entity in _TABLE_LEVEL_ENTITIES and not follow_up:
                fault = f"table {table_id} does not exist at CBS (HTTP 404 {reason})".rstrip()
                return SourceError(
                    f"{self.label()}: {fault}", source=self.label(), table_id=table_id
                )
            fault = f"HTTP {status} {reason}".rstrip() if status else f"HTTP error ({exc})"
            if status == 400 and response is not None:
                fault += f": {_short(response.text)}"
        elif isinstance(
            exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
        ):
            fault = "the connection broke off in the middle of the response"
        elif isinstance(exc, requests.ConnectionError):
            text = str(exc)
            if "refused" in text.lower():
                kind, fault = SourceUnreachable, "connection refused"
            elif "resolve" in text.lower() or "name or service" in text.lower():
                kind, fault = SourceUnreachable, "host name could not be resolved"
            elif "aborted" in text.lower() or "reset" in text.lower():
                fault = "the server closed the connection without answering"
            elif "timed out" in text.lower():
                # requests reports a read timeout inside the body as a ConnectionError
                kind = SourceUnreachable
                fault = f"the answer stopped in the middle: no data for {self.timeout_s:g} s (read timeout)"
            else:
                kind, fault = SourceUnreachable, f"could not connect ({_short(text)})"
        elif isinstance(exc, json.JSONDecodeError):
            fault = f"invalid JSON in the response ({exc.msg}; character {exc.pos})"
        elif isinstance(exc, KeyError | TypeError | ValueError):
            fault = f"unexpected response ({type(exc).__name__}: {_short(str(exc))})"
        else:
            fault = f"{type(exc).__name__}: {_short(str(exc))}"
        return kind(head + fault + after, source=self.label(), table_id=table_id)


# -- helpers ------------------------------------------------------------------------


def _is_transient(exc: BaseException) -> bool:
    """Faults that may pass on their own: worth another attempt."""
    import requests

    if isinstance(exc, requests.HTTPError):
        response = _response_of(exc)
        return response is not None and response.status_code in RETRY_STATUSES
    if isinstance(
        exc,
        requests.Timeout
        | requests.ConnectionError
        | requests.exceptions.ChunkedEncodingError
        | requests.exceptions.ContentDecodingError,
    ):
        return True
    # A truncated or garbled page: the next try usually gets it whole.
    return isinstance(exc, json.JSONDecodeError)


def _response_of(exc: BaseException) -> Any:
    """The HTTP response behind an error (cbsodata re-raises HTTPError without it)."""
    seen: BaseException | None = exc
    while seen is not None:
        response = getattr(seen, "response", None)
        if response is not None:
            return response
        seen = seen.__cause__ or seen.__context__
    return None


def _failed_url(exc: BaseException) -> str | None:
    """The URL of the request that failed, if it can be found.

    requests errors carry it on ``.response``/``.request``; for broken JSON and
    dropped bodies only cbsodata's own frame knows which page it was reading
    (its local ``p``, the prepared request), so fall back to that.
    """
    response = _response_of(exc)
    if response is not None and getattr(response, "url", None):
        return str(response.url)
    request = getattr(exc, "request", None)
    if request is not None and getattr(request, "url", None):
        return str(request.url)
    tb = exc.__traceback__
    url = None
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "_download_metadata":
            prepared = tb.tb_frame.f_locals.get("p")
            url = getattr(prepared, "url", None) or url
        tb = tb.tb_next
    return url


def _describe_url(url: str, table_id: str) -> tuple[str, bool] | None:
    """``.../odata/86088NED/TypedDataSet?$skiptoken=..`` → ``("TypedDataSet", True)``.

    Returns the entity name ("" for the table root) and whether the URL is a
    follow-up page (an ``odata.nextLink``), or None if it is not a table URL.
    """
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    lowered = [s.lower() for s in segments]
    if table_id.lower() not in lowered:
        return None
    rest = segments[lowered.index(table_id.lower()) + 1 :]
    query = unquote(parts.query).lower()
    return (unquote(rest[0]) if rest else "", "$skiptoken" in query or "$skip=" in query)


def _entity(data: Mapping[str, Any], name: str, table_id: str, label: str) -> list[dict[str, Any]]:
    """One entity from a ``download_data`` result, or SourceError if absent."""
    value = data.get(name)
    if not isinstance(value, list):
        raise SourceError(
            f"{label}: table {table_id}, {name}: missing from the table's entity list",
            source=label,
            table_id=table_id,
        )
    return value


def _pick_dimension(
    dims: list[dict[str, Any]], names: tuple[str, ...], types: tuple[str, ...]
) -> str | None:
    """The first dimension named in ``names``, else the first of a matching Type."""
    keys = [d["Key"] for d in dims]
    for name in names:
        if name in keys:
            return name
    for d in dims:
        if d.get("Type") in types:
            return str(d["Key"])
    return None


def _title_map(members: list[dict[str, Any]]) -> dict[Any, str]:
    """Member key → stripped title, under the raw (padded) key and the stripped key.

    Titles are stripped as the CSV folder source strips them (85005NED has the
    period title ``"2021 "``), so both sources give the same observations.
    """
    out: dict[Any, str] = {}
    for m in members:
        key, title = m.get("Key"), m.get("Title")
        if key is None or title is None:
            continue
        out[key] = str(title).strip()
        out.setdefault(str(key).strip(), str(title).strip())
    return out


def _key_for_title(table_id: str, dim: str, title: str, members: list[dict[str, Any]]) -> str:
    """The raw key of the member whose title is ``title`` (exact, then ignoring outer spaces)."""
    for m in members:
        if m.get("Title") == title:
            return str(m["Key"])
    for m in members:
        if str(m.get("Title") or "").strip() == title.strip():
            return str(m["Key"])
    shown = [str(m.get("Title")) for m in members[:8]]
    more = f", … ({len(members)} in all)" if len(members) > 8 else ""
    raise DataError(
        f"table {table_id}: dimension {dim} has no member titled {title!r}; "
        f"available: {', '.join(repr(s) for s in shown)}{more}",
        table_id=table_id,
        field=dim,
    )


def _quote(key: str) -> str:
    """Escape a key for an OData string literal (single quotes are doubled)."""
    return key.replace("'", "''")


def _strip(value: Any) -> Any:
    return pd.NA if value is None else str(value).strip()


def _text(value: Any) -> Any:
    if value is None:
        return pd.NA
    if isinstance(value, bool):  # bool is an int: keep it readable
        return str(value).lower()
    return str(value).strip()


def _floats(table_id: str, key: str, rows: list[dict[str, Any]], row_numbers: Any) -> pd.Series:
    """The column ``key`` as float64; null → NaN, anything else that is not a finite number → DataError.

    (Python's JSON reader accepts ``NaN`` and ``Infinity``; CBS never sends them.)
    """
    values: list[float] = []
    for i, r in enumerate(rows):
        v = r.get(key)
        if v is None:
            values.append(float("nan"))
        elif isinstance(v, int | float) and not isinstance(v, bool) and _finite(v):
            values.append(float(v))
        else:
            raise DataError(
                f"table {table_id}, row {row_numbers[i]}, {key}: {v!r} is not a number",
                table_id=table_id,
                row=int(row_numbers[i]),
                field=key,
            )
    return pd.Series(values, dtype="float64")


def _finite(value: int | float) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int beyond float's range
        return False


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["CbsODataSource"]
