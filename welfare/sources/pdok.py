"""Live boundaries from PDOK: CBS gebiedsindelingen through OGC API Features.

One year of one level is one paged request chain::

    GET {base}/collections/{level}_gegeneraliseerd/items?f=json&jaarcode=2023&limit=1000
    → FeatureCollection {features, links: [{rel: next, href}], numberReturned, timeStamp}
    → follow ``rel: next`` until there is none

The ``next`` link is followed verbatim (PDOK pages with an opaque cursor, other
servers with an offset), so the client does not depend on how the server pages.
Every request has a timeout and is retried with exponential backoff on faults
that may pass (timeouts, dropped connections, HTTP 429/5xx, broken JSON); the
error finally raised names the source, collection, year, page and fault.
Geometry comes as WGS84 lon/lat (CRS84), the OGC API default; a layer whose
coordinates fall outside the Netherlands in lon/lat (RD New metres, swapped
axes: a changed unit) is refused.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import geopandas as gpd
import requests

from welfare import __version__
from welfare.errors import SourceError, SourceUnreachable
from welfare.sources.geo_files import features_to_frame
from welfare.sources.retry import RetriesExhausted, call_with_retries

DEFAULT_BASE_URL = "https://api.pdok.nl/cbs/gebiedsindelingen/ogc/v1"
# PDOK's maximum page size; a server with a lower maximum returns fewer features
# per page and a next link, which is followed all the same.
DEFAULT_PAGE_SIZE = 1000
# A guard against a server whose next links never end (or loop).
MAX_PAGES = 200
YEAR_PROPERTY = "jaarcode"
# European Netherlands in WGS84 lon/lat, with a margin: (min lon, min lat, max lon, max lat).
NL_LONLAT_BOUNDS = (2.5, 50.3, 7.8, 54.0)


class PdokSource:
    """CBS gebiedsindelingen from PDOK's OGC API Features.

    Parameters
    ----------
    base_url : str
        Landing page of the API; tests point this at a local fake server.
    timeout_s : float
        Timeout of every single HTTP request (connect, and each read), seconds.
    attempts : int
        Tries per page before giving up (1 = no retries).
    backoff_s : float
        Wait before the first retry; doubles before each further retry.
    page_size : int
        The ``limit`` asked for per page.
    sleep : callable
        Used for the waits between retries; replaced in tests.

    Examples
    --------
    >>> PdokSource().collection("gemeente")
    'gemeente_gegeneraliseerd'
    >>> PdokSource("http://127.0.0.1:8080/ogc/v1/").items_url("provincie")
    'http://127.0.0.1:8080/ogc/v1/collections/provincie_gegeneraliseerd/items'
    """

    kind = "pdok"

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        timeout_s: float = 30.0,
        attempts: int = 3,
        backoff_s: float = 1.0,
        page_size: int = DEFAULT_PAGE_SIZE,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if attempts < 1:
            raise ValueError(f"'attempts' must be >= 1, got {attempts}")
        if page_size < 1:
            raise ValueError(f"'page_size' must be >= 1, got {page_size}")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.page_size = page_size
        self.sleep = sleep
        self.fetched: dict[str, dict[str, Any]] = {}

    def __repr__(self) -> str:
        return (
            f"PdokSource(base_url={self.base_url!r}, timeout_s={self.timeout_s}, "
            f"attempts={self.attempts}, backoff_s={self.backoff_s}, page_size={self.page_size})"
        )

    # -- the boundary-source protocol ------------------------------------------------

    def label(self) -> str:
        """Human-readable name for messages: ``PDOK OGC API Features (api.pdok.nl)``."""
        return f"PDOK OGC API Features ({urlsplit(self.base_url).netloc or self.base_url})"

    def describe(self) -> dict[str, object]:
        """What goes into the manifest: kind, URL and what each fetch returned."""
        return {
            "kind": self.kind,
            "label": self.label(),
            "location": self.base_url,
            "fetched": dict(sorted(self.fetched.items())),
        }

    def collection(self, level: str) -> str:
        """The collection id of a level: ``gemeente`` → ``gemeente_gegeneraliseerd``."""
        return f"{level}_gegeneraliseerd"

    def items_url(self, level: str) -> str:
        """The items endpoint of a level's collection."""
        return f"{self.base_url}/collections/{self.collection(level)}/items"

    def fetch(self, level: str, year: int) -> gpd.GeoDataFrame:
        """Download every feature of ``level`` for ``year``, following the next links.

        Parameters
        ----------
        level : str
            ``gemeente``, ``coropgebied``, ``provincie`` (or any level PDOK
            publishes as ``<level>_gegeneraliseerd``).
        year : int
            The ``jaarcode``.

        Returns
        -------
        geopandas.GeoDataFrame
            Columns ``statcode, statnaam, jaar, geometry``, EPSG:4326, in server
            order. ``attrs["input"]`` records the URL, pages and ``timeStamp``.

        Raises
        ------
        SourceUnreachable
            PDOK could not be reached (connection refused, DNS, timeout), after retries.
        SourceError
            Any other failure (HTTP error, invalid JSON, broken paging), naming
            the collection, year, page and fault.
        DataError
            A feature has no ``statcode`` or no geometry.
        """
        collection = self.collection(level)
        table_id = f"{collection}/{year}"
        url: str | None = self.items_url(level)
        params: dict[str, Any] | None = {"f": "json", YEAR_PROPERTY: year, "limit": self.page_size}
        features: list[Any] = []
        seen: set[str] = set()
        matched: int | None = None
        stamp = ""
        page = 0
        with requests.Session() as session:
            session.headers.update(
                {
                    "Accept": "application/geo+json, application/json;q=0.9",
                    "User-Agent": f"regiowelvaart/{__version__}",
                }
            )
            while url is not None:
                page += 1
                if page > MAX_PAGES:
                    raise SourceError(
                        f"{self._where(collection, year, page)}: more than {MAX_PAGES} pages; "
                        "the next links do not end",
                        source=self.label(),
                        table_id=table_id,
                    )
                doc = self._page(session, url, params, collection, year, page)
                if page == 1:
                    matched = _int_or_none(doc.get("numberMatched"))
                    stamp = str(doc.get("timeStamp") or "")
                features += doc["features"]
                url = _next_link(doc, url)
                params = None  # the next link carries the query
                if url is not None:
                    if url in seen:
                        raise SourceError(
                            f"{self._where(collection, year, page)}: the next link repeats "
                            f"an earlier page ({url})",
                            source=self.label(),
                            table_id=table_id,
                        )
                    seen.add(url)
        if matched is not None and matched != len(features):
            # Data changed between pages, or the server lost a page: don't build on it.
            raise SourceError(
                f"{self.label()}: collection {collection}, jaarcode {year}: numberMatched "
                f"is {matched} but {len(features)} features arrived over {page} pages",
                source=self.label(),
                table_id=table_id,
            )
        gdf = features_to_frame(
            {"type": "FeatureCollection", "features": features},
            year,
            where=f"{self.label()}: collection {collection}, jaarcode {year}",
            table_id=table_id,
            year_property=YEAR_PROPERTY,
        )
        if len(gdf):
            x0, y0, x1, y1 = (float(v) for v in gdf.total_bounds)
            bx0, by0, bx1, by1 = NL_LONLAT_BOUNDS
            if not (bx0 <= x0 and by0 <= y0 and x1 <= bx1 and y1 <= by1):
                raise SourceError(
                    f"{self.label()}: collection {collection}, jaarcode {year}: coordinates span "
                    f"x {x0:.6g}…{x1:.6g}, y {y0:.6g}…{y1:.6g}, outside the Netherlands in WGS84 "
                    "lon/lat; did the coordinate unit or axis order change (RD New metres, lat/lon)?",
                    source=self.label(),
                    table_id=table_id,
                )
        info = {
            "url": self.items_url(level),
            "jaarcode": year,
            "pages": page,
            "features": len(features),
            "timeStamp": stamp,
        }
        self.fetched[table_id] = info
        gdf.attrs["input"] = dict(info)
        return gdf

    # -- plumbing --------------------------------------------------------------------

    def _where(self, collection: str, year: int, page: int) -> str:
        return f"{self.label()}: collection {collection}, jaarcode {year}, page {page}"

    def _page(
        self,
        session: requests.Session,
        url: str,
        params: dict[str, Any] | None,
        collection: str,
        year: int,
        page: int,
    ) -> dict[str, Any]:
        """One page, with retries; errors translated to SourceError/SourceUnreachable."""

        def once() -> dict[str, Any]:
            response = session.get(url, params=params, timeout=self.timeout_s)
            response.raise_for_status()
            # Parse ourselves: a cut-off body must raise JSONDecodeError (retryable)
            # whatever requests' own json() would do with the content type.
            return json.loads(response.content)  # type: ignore[no-any-return]

        what = self._where(collection, year, page)
        try:
            doc = call_with_retries(
                once,
                attempts=self.attempts,
                backoff_s=self.backoff_s,
                what=what,
                retry_on=_is_transient,
                sleep=self.sleep,
            )
        except RetriesExhausted as exc:
            raise self._translate(exc.last, collection, year, page, exc.attempts) from exc.last
        except Exception as exc:
            raise self._translate(exc, collection, year, page, 1) from exc
        if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
            kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
            raise SourceError(
                f"{what}: expected a GeoJSON FeatureCollection, got {kind!r}",
                source=self.label(),
                table_id=f"{collection}/{year}",
            )
        if not isinstance(doc.get("features"), list):
            raise SourceError(
                f"{what}: the response has no 'features' list",
                source=self.label(),
                table_id=f"{collection}/{year}",
            )
        return doc

    def _translate(
        self, exc: BaseException, collection: str, year: int, page: int, attempts: int
    ) -> SourceError:
        """A requests/json error as SourceError (or SourceUnreachable) with a plain message."""
        head = self._where(collection, year, page) + ": "
        after = f" (after {attempts} attempts)" if attempts > 1 else ""
        kind: type[SourceError] = SourceError
        if isinstance(exc, requests.Timeout):
            kind = SourceUnreachable
            fault = f"no answer within {self.timeout_s:g} s (timeout)"
        elif isinstance(exc, requests.HTTPError):
            response = exc.response
            status = response.status_code if response is not None else None
            reason = (response.reason or "") if response is not None else ""
            if status == 404 and page == 1:
                shown = f"HTTP 404 {reason}".rstrip()
                fault = f"collection {collection} does not exist at PDOK ({shown})"
            else:
                fault = f"HTTP {status} {reason}".rstrip() if status else f"HTTP error ({exc})"
            if response is not None and status is not None and 400 <= status < 500:
                body = _short(response.text)
                if body:
                    fault += f": {body}"
        elif isinstance(
            exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
        ):
            fault = "the connection broke off in the middle of the response"
        elif isinstance(exc, requests.ConnectionError):
            text = str(exc).lower()
            if "refused" in text:
                kind, fault = SourceUnreachable, "connection refused"
            elif "resolve" in text or "name or service" in text or "nodename" in text:
                kind, fault = SourceUnreachable, "host name could not be resolved"
            elif "reset" in text or "aborted" in text or "closed" in text:
                fault = "the server closed the connection without a complete answer"
            elif "timed out" in text:
                # requests reports a read timeout inside the body as a ConnectionError
                kind = SourceUnreachable
                fault = f"the answer stopped in the middle: no data for {self.timeout_s:g} s (read timeout)"
            else:
                kind, fault = SourceUnreachable, f"could not connect ({_short(str(exc))})"
        elif isinstance(exc, json.JSONDecodeError):
            fault = f"invalid JSON in the response ({exc.msg}; character {exc.pos})"
        else:
            fault = f"{type(exc).__name__}: {_short(str(exc))}"
        return kind(head + fault + after, source=self.label(), table_id=f"{collection}/{year}")


# -- helpers ------------------------------------------------------------------------


def _is_transient(exc: BaseException) -> bool:
    """Faults that may pass on their own: worth another attempt."""
    if isinstance(exc, requests.HTTPError):
        response = exc.response
        return response is not None and (
            response.status_code == 429 or 500 <= response.status_code < 600
        )
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


def _next_link(doc: dict[str, Any], current: str) -> str | None:
    """The href of the ``rel: next`` link (made absolute), or None on the last page."""
    for link in doc.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
            # PDOK also lists the next page as text/html; take the JSON one when both are there.
            if link.get("type") not in (None, "", "application/geo+json", "application/json"):
                continue
            return urljoin(current, str(link["href"]))
    return None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["DEFAULT_BASE_URL", "PdokSource"]
