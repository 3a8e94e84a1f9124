"""Region boundaries per indeling year: load, validate, simplify for the web, write, read.

Data flow (no Streamlit here)::

    source (PDOK or GeoJSON folder) ── load_boundaries ──> validated GeoDataFrame
        ── write_boundaries ──> <folder>/<level>_<year>.parquet   GeoParquet, full detail
                                <folder>/<level>_<year>.geojson   simplified web copy
    pages ── read_boundaries / web_geojson ──> GeoDataFrame / dict for px.choropleth_map

Every frame has the columns ``statcode`` (the key: ``GM0363``, ``CR17``,
``PV27``, ``LD03``), ``statnaam``, ``jaar`` and ``geometry``, in EPSG:4326.
Landsdelen are not a source layer: they are the provinces dissolved by
:data:`LANDSDEEL_OF_PROVINCIE` (CBS "Gebieden in Nederland", 86059NED).

The web copy is simplified as a *coverage* (``shapely.coverage_simplify``): a
border shared by two regions is simplified once, so neighbours still meet
exactly, with no slivers or gaps on the map. Its size budget (300 KB for
gemeenten) is met by searching the smallest tolerance that fits, at 5 and at 4
decimals, and keeping the result whose worst region changed least in area.

``write_boundaries`` only writes inside the folder it is given, so the warehouse
build can point it at its staging folder and swap everything in at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, get_args

import geopandas as gpd
import numpy as np
import pyarrow.parquet as pq
import shapely

from welfare.errors import DataError, SourceUnreachable, WarehouseError
from welfare.warehouse import METADATA_KEY, SCHEMA_VERSION

BoundaryLevel = Literal["gemeente", "coropgebied", "provincie", "landsdeel"]
LEVELS: tuple[str, ...] = get_args(BoundaryLevel)
YEARS = range(2018, 2027)
SUBFOLDER = "boundaries"  # inside the warehouse folder

# The level's code prefix, which is also its name in welfare.types.Level.
LEVEL_CODE: dict[str, str] = {
    "gemeente": "GM",
    "coropgebied": "CR",
    "provincie": "PV",
    "landsdeel": "LD",
}
_CODE_PATTERN = {
    "gemeente": re.compile(r"GM\d{4}"),
    "coropgebied": re.compile(r"CR\d{2}"),
    "provincie": re.compile(r"PV\d{2}"),
    "landsdeel": re.compile(r"LD\d{2}"),
}
# CBS region counts on 1 January; a layer with another count is refused.
EXPECTED_ROWS: dict[str, dict[int, int]] = {
    "gemeente": {2018: 380, 2019: 355, 2020: 355, 2021: 352, 2022: 345}
    | {y: 342 for y in range(2023, 2027)},
    "coropgebied": {y: 40 for y in YEARS},
    "provincie": {y: 12 for y in YEARS},
    "landsdeel": {y: 4 for y in YEARS},
}
# Checked against CBS "Gebieden in Nederland 2025" (86059NED), columns Code_26/Code_28.
LANDSDEEL_OF_PROVINCIE: dict[str, str] = {
    "PV20": "LD01",
    "PV21": "LD01",
    "PV22": "LD01",
    "PV23": "LD02",
    "PV24": "LD02",
    "PV25": "LD02",
    "PV26": "LD03",
    "PV27": "LD03",
    "PV28": "LD03",
    "PV29": "LD03",
    "PV30": "LD04",
    "PV31": "LD04",
}
LANDSDEEL_NAMES: dict[str, str] = {
    "LD01": "Noord-Nederland",
    "LD02": "Oost-Nederland",
    "LD03": "West-Nederland",
    "LD04": "Zuid-Nederland",
}
# Size budget of the web copy per level, in bytes of GeoJSON (1 KB = 1000 bytes).
WEB_MAX_BYTES: dict[str, int] = {
    "gemeente": 300_000,
    "coropgebied": 150_000,
    "provincie": 100_000,
    "landsdeel": 60_000,
}
WEB_DECIMALS: tuple[int, ...] = (5, 4)  # tried in this order; 5 ≈ 1 m, 4 ≈ 10 m
ATTRIBUTION = "Grenzen: CBS / PDOK (CC BY 4.0), bewerkt"

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GEO_FOLDER = REPO_ROOT.parent / "shared" / "data" / "geo"
GEO_FOLDER_ENV = "REGIOWELVAART_GEO_FOLDER"
PDOK_URL_ENV = "REGIOWELVAART_PDOK_URL"

_COLUMNS = ["statcode", "statnaam", "jaar", "geometry"]
# Beyond this (≈ 7 km) a coverage is triangles: stop searching for a tolerance.
_MAX_TOLERANCE_DEG = 0.1


class BoundarySource(Protocol):
    """Where boundaries come from: :class:`~welfare.sources.pdok.PdokSource` or
    :class:`~welfare.sources.geo_files.GeoJsonFolder`."""

    kind: str

    def label(self) -> str:
        """Human-readable name used in messages."""
        ...

    def fetch(self, level: str, year: int) -> gpd.GeoDataFrame:
        """``statcode, statnaam, jaar, geometry`` (EPSG:4326) of one level and year.

        Raises SourceError (SourceUnreachable when nothing answers) or DataError.
        """
        ...

    def describe(self) -> dict[str, object]:
        """What goes into the manifest about this source."""
        ...


@dataclass(frozen=True)
class BoundaryStep:
    """One step of :func:`write_boundaries`, for progress bars."""

    step: int
    total: int
    level: str
    year: int
    message: str


BoundaryProgress = Callable[[BoundaryStep], None]


# -- sources -----------------------------------------------------------------------


def default_geo_folder() -> Path:
    """The GeoJSON folder: ``$REGIOWELVAART_GEO_FOLDER``, else ``<repo>/../shared/data/geo``."""
    return Path(os.environ.get(GEO_FOLDER_ENV) or DEFAULT_GEO_FOLDER)


def pdok_url() -> str:
    """PDOK's base URL: ``$REGIOWELVAART_PDOK_URL`` (tests), else the public API."""
    from welfare.sources.pdok import DEFAULT_BASE_URL

    return os.environ.get(PDOK_URL_ENV) or DEFAULT_BASE_URL


class FallbackSource:
    """PDOK, or the GeoJSON folder when PDOK cannot be reached at the first fetch.

    The choice is made once, at the first fetch, so one build never mixes
    PDOK and folder geometry; a fault after that first fetch is raised.

    Parameters
    ----------
    primary : BoundarySource
        Tried first (PDOK).
    fallback : callable
        Makes the fallback source (the folder) when it is needed.
    """

    def __init__(self, primary: BoundarySource, fallback: Callable[[], BoundarySource]) -> None:
        self.primary = primary
        self._make_fallback = fallback
        self.active: BoundarySource | None = None
        self.reason = ""

    @property
    def kind(self) -> str:
        """The kind of the source in use (``auto`` until the first fetch)."""
        return self.active.kind if self.active is not None else "auto"

    def label(self) -> str:
        """The label of the source in use, and why when it is the fallback."""
        if self.active is None:
            return f"auto: {self.primary.label()}, else the GeoJSON folder"
        if self.active is self.primary:
            return self.primary.label()
        return f"{self.active.label()} ({self.primary.label()} could not be reached)"

    def fetch(self, level: str, year: int) -> gpd.GeoDataFrame:
        """Fetch from the source chosen at the first call (see class docstring)."""
        if self.active is None:
            try:
                gdf = self.primary.fetch(level, year)
            except SourceUnreachable as exc:
                self.reason = str(exc)
                self.active = self._make_fallback()
                return self.active.fetch(level, year)
            self.active = self.primary
            return gdf
        return self.active.fetch(level, year)

    def describe(self) -> dict[str, object]:
        """The active source's description, plus the reason for a fallback."""
        if self.active is None:
            return {"kind": "auto", "label": self.label()}
        out = dict(self.active.describe())
        if self.active is not self.primary:
            out["fallback_from"] = self.primary.label()
            out["fallback_reason"] = self.reason
        return out


def source_for(spec: str) -> BoundarySource:
    """The boundary source named by ``spec``.

    Parameters
    ----------
    spec : str
        ``"auto"``: live PDOK, or the GeoJSON folder (:func:`default_geo_folder`)
        when PDOK cannot be reached; ``"pdok"``: PDOK only; anything else: the
        path of a folder of ``<level>_<year>.geojson`` files.
        ``$REGIOWELVAART_PDOK_URL`` overrides PDOK's address.

    Returns
    -------
    BoundarySource

    Raises
    ------
    SourceError
        ``spec`` is a path that is not a folder.

    Examples
    --------
    >>> source_for("pdok").kind, source_for("auto").kind
    ('pdok', 'auto')
    """
    from welfare.sources.geo_files import GeoJsonFolder
    from welfare.sources.pdok import PdokSource

    if spec == "pdok":
        return PdokSource(pdok_url())
    if spec == "auto":
        # Short timeout and one retry for the probe, as build --source auto does for CBS.
        return FallbackSource(
            PdokSource(pdok_url(), timeout_s=10.0, attempts=2),
            lambda: GeoJsonFolder(default_geo_folder()),
        )
    return GeoJsonFolder(spec)


# -- loading and validation --------------------------------------------------------


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"'level' must be one of {LEVELS}, got {level!r}")


def _check_year(year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int | np.integer):
        raise ValueError(f"'year' must be an int, got {year!r}")


def load_boundaries(source: BoundarySource, level: str, year: int) -> gpd.GeoDataFrame:
    """Boundaries of one level and year from ``source``, validated.

    Parameters
    ----------
    source : BoundarySource
        See :func:`source_for`.
    level : str
        One of :data:`LEVELS`; ``landsdeel`` is dissolved from the provinces.
    year : int
        Indeling year (1 January).

    Returns
    -------
    geopandas.GeoDataFrame
        ``statcode, statnaam, jaar, geometry``, EPSG:4326, sorted by statcode.
        ``attrs["notes"]`` lists repairs made by :func:`validate`;
        ``attrs["input"]`` what the source read.

    Raises
    ------
    ValueError
        ``level`` or ``year`` is not valid.
    SourceError, DataError
        From the source or from :func:`validate`.

    Examples
    --------
    >>> gdf = load_boundaries(source_for(str(default_geo_folder())), "landsdeel", 2023)
    >>> list(gdf["statcode"]), gdf.crs.to_epsg()
    (['LD01', 'LD02', 'LD03', 'LD04'], 4326)
    """
    _check_level(level)
    _check_year(year)
    if level == "landsdeel":
        provinces = load_boundaries(source, "provincie", year)
        return _landsdeel(provinces, year)
    raw = source.fetch(level, int(year))
    gdf, notes = validate(raw, level, int(year))
    gdf.attrs["notes"] = notes
    gdf.attrs["input"] = dict(raw.attrs.get("input") or {})
    return gdf


def _landsdeel(provinces: gpd.GeoDataFrame, year: int) -> gpd.GeoDataFrame:
    """Dissolve validated provinces into the four landsdelen."""
    codes = provinces["statcode"].map(LANDSDEEL_OF_PROVINCIE)
    unknown = sorted(provinces.loc[codes.isna(), "statcode"])
    if unknown:
        raise DataError(
            f"provincie {year}: no landsdeel known for {', '.join(unknown)}",
            table_id=f"provincie_{year}",
            field="statcode",
        )
    geoms = np.asarray(provinces.geometry.values)
    parts = []
    for code in sorted(LANDSDEEL_NAMES):
        members = geoms[(codes == code).to_numpy()]
        # union_all, not coverage_union_all: the provinces are not a perfect coverage
        # (source slivers), and a general union tolerates that.
        parts.append(shapely.union_all(members) if len(members) else shapely.Polygon())
    ld = gpd.GeoDataFrame(
        {
            "statcode": sorted(LANDSDEEL_NAMES),
            "statnaam": [LANDSDEEL_NAMES[c] for c in sorted(LANDSDEEL_NAMES)],
            "jaar": np.full(len(LANDSDEEL_NAMES), year, dtype="int16"),
        },
        geometry=parts,
        crs="EPSG:4326",
    )
    out, notes = validate(ld, "landsdeel", year)
    out.attrs["notes"] = list(provinces.attrs.get("notes") or []) + notes
    out.attrs["input"] = {"dissolved_from": f"provincie_{year}", **(provinces.attrs.get("input") or {})}
    return out


def validate(
    gdf: gpd.GeoDataFrame, level: str, year: int, *, check_count: bool = True
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Check a boundary layer and return a clean copy, with notes on what was repaired.

    Checks: the columns are there; the CRS is EPSG:4326 (another CRS is
    reprojected, a missing one refused); every statcode is unique and of the
    level's form (``GM`` + 4 digits, ``CR``/``PV``/``LD`` + 2); the number of
    regions is CBS's for that year (:data:`EXPECTED_ROWS`); every geometry is a
    non-empty (Multi)Polygon and valid. Invalid geometry is repaired with
    ``shapely.make_valid`` — only where needed, and each repair is noted.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        ``statcode``, ``statnaam``, geometry (``jaar`` is set to ``year``).
    level : str
        One of :data:`LEVELS`.
    year : int
        Indeling year.
    check_count : bool
        Compare the row count with :data:`EXPECTED_ROWS` (for known years).

    Returns
    -------
    (geopandas.GeoDataFrame, list of str)
        ``statcode, statnaam, jaar, geometry`` sorted by statcode, and notes.

    Raises
    ------
    DataError
        Naming the level, year and the offending statcodes.

    Examples
    --------
    >>> import shapely
    >>> bowtie = shapely.Polygon([(5, 52), (5.1, 52.1), (5.1, 52), (5, 52.1)])
    >>> gdf = gpd.GeoDataFrame({"statcode": ["GM0363"], "statnaam": ["Amsterdam"]},
    ...                        geometry=[bowtie], crs=4326)
    >>> fixed, notes = validate(gdf, "gemeente", 2023, check_count=False)
    >>> fixed.geometry.is_valid.all(), fixed.geom_type.iloc[0]
    (np.True_, 'MultiPolygon')
    >>> notes[0].startswith("gemeente 2023: repaired 1 invalid geometry with shapely.make_valid")
    True
    """
    _check_level(level)
    _check_year(year)
    where = f"{level} {year}"
    table_id = f"{level}_{year}"
    notes: list[str] = []
    missing = [c for c in ("statcode", "statnaam") if c not in gdf.columns]
    if missing:
        raise DataError(f"{where}: columns missing: {', '.join(missing)}", table_id=table_id)
    if len(gdf) == 0:
        raise DataError(f"{where}: no regions at all", table_id=table_id)
    if gdf.crs is None:
        raise DataError(f"{where}: the layer has no CRS; expected EPSG:4326", table_id=table_id)
    out = gpd.GeoDataFrame(
        {
            "statcode": gdf["statcode"].astype(str).str.strip().to_numpy(),
            "statnaam": gdf["statnaam"].fillna("").astype(str).str.strip().to_numpy(),
            "jaar": np.full(len(gdf), year, dtype="int16"),
        },
        geometry=gdf.geometry.to_numpy(),
        crs=gdf.crs,
    )
    if out.crs.to_epsg() != 4326:
        notes.append(f"{where}: reprojected from {out.crs.to_string()} to EPSG:4326")
        out = out.to_crs(4326)

    pattern = _CODE_PATTERN[level]
    bad = [c for c in out["statcode"] if not pattern.fullmatch(c)]
    if bad:
        raise DataError(
            f"{where}: {len(bad)} statcode(s) not of the form {pattern.pattern}: "
            f"{_listed(bad)}",
            table_id=table_id,
            field="statcode",
        )
    dupes = sorted(out.loc[out["statcode"].duplicated(), "statcode"].unique())
    if dupes:
        raise DataError(
            f"{where}: statcode not unique: {_listed(dupes)}", table_id=table_id, field="statcode"
        )
    expected = EXPECTED_ROWS[level].get(int(year))
    if check_count and expected is not None and len(out) != expected:
        raise DataError(
            f"{where}: {len(out)} regions, but CBS has {expected} {level} regions in {year}",
            table_id=table_id,
        )

    geoms = np.asarray(out.geometry.values)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        raise DataError(
            f"{where}: no geometry for {_listed(list(out.loc[empty, 'statcode']))}",
            table_id=table_id,
            field="geometry",
        )
    types = shapely.get_type_id(geoms)
    polygonal = np.isin(types, (3, 6))  # Polygon, MultiPolygon
    if not polygonal.all():
        shown = [
            f"{c} ({t})" for c, t in zip(out.loc[~polygonal, "statcode"], out.geom_type[~polygonal])
        ]
        raise DataError(
            f"{where}: not a polygon: {_listed(shown)}", table_id=table_id, field="geometry"
        )
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        reasons = [
            f"{c}: {r}"
            for c, r in zip(out.loc[invalid, "statcode"], shapely.is_valid_reason(geoms[invalid]))
        ]
        repaired = np.array([_polygonal(shapely.make_valid(g)) for g in geoms[invalid]], dtype=object)
        still = shapely.is_empty(repaired) | ~shapely.is_valid(repaired)
        if still.any():
            raise DataError(
                f"{where}: geometry could not be repaired for "
                f"{_listed(list(out.loc[invalid, 'statcode'][still]))}",
                table_id=table_id,
                field="geometry",
            )
        geoms = geoms.copy()
        geoms[invalid] = repaired
        out = out.set_geometry(geoms, crs=out.crs)
        n = int(invalid.sum())
        notes.append(
            f"{where}: repaired {n} invalid geometr{'y' if n == 1 else 'ies'} with "
            f"shapely.make_valid ({_listed(reasons)})"
        )
    out = out.sort_values("statcode", kind="stable").reset_index(drop=True)
    return out[_COLUMNS], notes


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of a make_valid result (which may add lines or points)."""
    if shapely.get_type_id(geom) in (3, 6):
        return geom
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _listed(items: list[str], limit: int = 8) -> str:
    more = f", … ({len(items)} in all)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


# -- the web copy ------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    geoms: np.ndarray
    tolerance: float
    decimals: int
    size: int
    max_area_error: float


def simplify_for_web(
    gdf: gpd.GeoDataFrame,
    max_bytes: int = WEB_MAX_BYTES["gemeente"],
    *,
    decimals: Iterable[int] = WEB_DECIMALS,
    tolerance: float | None = None,
) -> gpd.GeoDataFrame:
    """A light copy of a boundary layer for web maps, under a size budget.

    The layer is handled as a *coverage*, so borders shared by two regions stay
    shared (no slivers, no gaps):

    1. coordinates are snapped to a grid of ``10**-decimals`` degrees;
    2. ``shapely.coverage_clean`` makes shared borders vertex-for-vertex
       identical (the source has a few T-junctions and slivers; snapping
       adds more);
    3. ``shapely.coverage_simplify`` (Visvalingam–Whyatt) simplifies each
       shared border once, for both neighbours, and only removes vertices;
    4. the result is snapped again (only new nodes from step 2 move), and
       rings are oriented as RFC 7946 asks (exterior counter-clockwise).

    Without ``tolerance``, the smallest tolerance whose GeoJSON
    (:func:`web_geojson_bytes`) fits in ``max_bytes`` is searched for each
    entry of ``decimals``; of those, the one whose worst region changed least
    in area wins (ties: the earlier entry). A layer that fits unsimplified at
    the first precision is only snapped.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        A validated layer (:func:`validate`), EPSG:4326.
    max_bytes : int
        Budget for the GeoJSON, in bytes.
    decimals : iterable of int
        Coordinate precisions to try, best first (5 ≈ 1 m, 4 ≈ 10 m).
    tolerance : float, optional
        Fix the tolerance (degrees; roughly the square root of the area of the
        triangles removed) and use the first entry of ``decimals``;
        ``max_bytes`` is then not enforced.

    Returns
    -------
    geopandas.GeoDataFrame
        Same rows and columns. ``attrs["web"]`` holds ``tolerance_deg``,
        ``decimals``, ``bytes`` (of :func:`web_geojson_bytes`),
        ``max_area_error`` (largest relative area change of one region),
        ``coverage_valid`` (shared borders identical) and ``coverage_cleaned``.

    Raises
    ------
    ValueError
        No tolerance up to 0.1° brings the layer under ``max_bytes``.

    Examples
    --------
    >>> import shapely
    >>> # Two squares sharing a wavy border: it stays shared after simplification.
    >>> wave = [(1, y / 10) for y in range(11)]
    >>> wave = [(x + (0.0004 if i % 2 else 0), y) for i, (x, y) in enumerate(wave)]
    >>> left = shapely.Polygon([(0, 0)] + wave + [(0, 1)])
    >>> right = shapely.Polygon(wave + [(2, 1), (2, 0)])
    >>> gdf = gpd.GeoDataFrame({"statcode": ["GM0001", "GM0002"], "statnaam": ["A", "B"],
    ...                         "jaar": [2023, 2023]}, geometry=[left, right], crs=4326)
    >>> web = simplify_for_web(gdf, tolerance=0.1)
    >>> [g.normalize().wkt for g in web.geometry]
    ['POLYGON ((0 0, 0 1, 1 1, 1 0, 0 0))', 'POLYGON ((1 0, 1 1, 2 1, 2 0, 1 0))']
    >>> web.attrs["web"]["coverage_valid"]
    True
    """
    decimals = tuple(int(d) for d in decimals)
    if not decimals or any(not 0 <= d <= 10 for d in decimals):
        raise ValueError(f"'decimals' must be integers 0..10, got {decimals!r}")
    source = np.asarray(gdf.geometry.values)
    # Relative area change per region; the ratio needs no equal-area projection
    # because the lon/lat scale factor is the same for a region and its copy.
    base_area = shapely.area(source)
    codes = [str(c) for c in gdf["statcode"]]
    names = [str(n) for n in gdf["statnaam"]]
    years = [int(y) for y in gdf["jaar"]] if "jaar" in gdf.columns else [None] * len(gdf)
    prepared: dict[int, tuple[np.ndarray, bool]] = {}

    def candidate(tol: float, dec: int) -> _Candidate | None:
        if dec not in prepared:
            prepared[dec] = _clean_coverage(_snap(source, dec), dec)
        cleaned = prepared[dec][0]
        geoms = shapely.coverage_simplify(cleaned, tol) if tol > 0 else cleaned
        geoms = _snap(geoms, dec)
        if (shapely.is_empty(geoms) | ~shapely.is_valid(geoms)).any():
            return None  # a region collapsed at this precision: not acceptable
        geoms = shapely.orient_polygons(geoms, exterior_cw=False)
        size = len(_encode(codes, names, years, geoms, dec))
        err = float(np.max(np.abs(shapely.area(geoms) / base_area - 1.0)))
        return _Candidate(geoms, tol, dec, size, err)

    chosen: _Candidate | None
    if tolerance is not None:
        chosen = candidate(float(tolerance), decimals[0])
        if chosen is None:
            raise ValueError(f"tolerance {tolerance} makes a region collapse")
    else:
        found: list[_Candidate] = []
        for dec in decimals:
            best = _smallest_fitting(candidate, dec, max_bytes)
            if best is None:
                continue
            if best.tolerance == 0 and dec == decimals[0]:
                found = [best]  # fits unsimplified at the best precision: nothing to trade
                break
            found.append(best)
        if not found:
            raise ValueError(
                f"no tolerance up to {_MAX_TOLERANCE_DEG}° brings {len(gdf)} regions "
                f"under {max_bytes} bytes"
            )
        chosen = min(found, key=lambda c: c.max_area_error)  # min() keeps the first on ties
    out = gdf.copy()
    out[gdf.geometry.name] = gpd.GeoSeries(chosen.geoms, index=gdf.index, crs=gdf.crs)
    out.attrs["web"] = {
        "tolerance_deg": round(chosen.tolerance, 7),
        "decimals": chosen.decimals,
        "bytes": chosen.size,
        "max_area_error": round(chosen.max_area_error, 6),
        "coverage_valid": bool(shapely.coverage_is_valid(chosen.geoms)),
        "coverage_cleaned": prepared[chosen.decimals][1],
    }
    return out


def _snap(geoms: np.ndarray, dec: int) -> np.ndarray:
    """Round every vertex to ``dec`` decimals, keeping shared borders shared.

    Point-wise rounding moves a vertex the same way in every region that has
    it, so shared borders stay identical (GEOS's default mode re-nodes each
    polygon on its own and can drop a vertex on one side only). It can make
    a thin part invalid; only those regions are repaired with the default mode.
    """
    grid = 10.0**-dec
    out = shapely.remove_repeated_points(shapely.set_precision(geoms, grid, mode="pointwise"))
    bad = ~shapely.is_valid(out)
    if bad.any():
        out = out.copy()
        out[bad] = shapely.set_precision(geoms[bad], grid)
    return np.asarray(out)


def _clean_coverage(geoms: np.ndarray, dec: int) -> tuple[np.ndarray, bool]:
    """Make the layer an edge-matched coverage when GEOS can (``coverage_clean``, GEOS ≥ 3.14).

    Returns the input unchanged (and False) if cleaning is not needed, not
    available, or would drop or break a region; coverage_simplify still works
    then, with a small risk of slivers along the unmatched borders.
    """
    if shapely.coverage_is_valid(geoms):
        return geoms, False
    clean = getattr(shapely, "coverage_clean", None)
    if clean is None:
        return geoms, False
    try:
        # Snapping within half a grid cell joins vertices that rounding pulled apart.
        cleaned = np.asarray(clean(geoms, snapping_distance=10.0**-dec / 2))
    except shapely.errors.ShapelyError:
        return geoms, False
    ok = ~shapely.is_empty(cleaned) & shapely.is_valid(cleaned)
    ok &= np.isin(shapely.get_type_id(cleaned), (3, 6))
    if not ok.all():
        return geoms, False
    return cleaned, True


def _smallest_fitting(
    candidate: Callable[[float, int], _Candidate | None], dec: int, max_bytes: int
) -> _Candidate | None:
    """The candidate with (about) the smallest tolerance that fits ``max_bytes``.

    Size falls with the tolerance, so: try none, then double from 0.0005° until
    it fits, then bisect the last interval six times (to 1/64 of it).
    """
    raw = candidate(0.0, dec)
    if raw is not None and raw.size <= max_bytes:
        return raw
    lo, hi = 0.0, 0.0005
    fit = candidate(hi, dec)
    while fit is None or fit.size > max_bytes:
        lo, hi = hi, hi * 2
        if hi > _MAX_TOLERANCE_DEG:
            return None
        fit = candidate(hi, dec)
    for _ in range(6):
        mid = (lo + hi) / 2
        c = candidate(mid, dec)
        if c is not None and c.size <= max_bytes:
            hi, fit = mid, c
        else:
            lo = mid
    return fit


def _geometry_json(geoms: np.ndarray, dec: int) -> list[str]:
    """GeoJSON geometry objects with at most ``dec`` decimals, via GEOS's WKT writer.

    WKT nests exactly like GeoJSON coordinates, so ``((x y, x y), (x y))``
    becomes ``[[[x,y],[x,y]],[[x,y]]]`` by replacing brackets and separators;
    GEOS does the rounding and trims trailing zeros, which is ~10× faster
    than building the nested lists in Python.
    """
    wkts = shapely.to_wkt(geoms, rounding_precision=dec, trim=True, output_dimension=2)
    out = []
    for type_id, wkt in zip(shapely.get_type_id(geoms), wkts, strict=True):
        if type_id not in (3, 6):
            raise ValueError(f"only (Multi)Polygons can be written, got {wkt[:40]}")
        body = wkt[wkt.index("(") :]
        coordinates = (
            body.replace("(", "[").replace(")", "]").replace(", ", "],[").replace(" ", ",")
        )
        kind = "Polygon" if type_id == 3 else "MultiPolygon"
        out.append(f'{{"type":"{kind}","coordinates":[{coordinates}]}}')
    return out


def _encode(
    codes: list[str], names: list[str], years: list[int | None], geoms: np.ndarray, dec: int
) -> bytes:
    """GeoJSON FeatureCollection, compact, feature id = statcode."""
    features = []
    for code, name, year, geometry in zip(
        codes, names, years, _geometry_json(geoms, dec), strict=True
    ):
        props: dict[str, Any] = {"statcode": code, "statnaam": name}
        if year is not None:
            props["jaar"] = year
        features.append(
            '{"type":"Feature","id":%s,"properties":%s,"geometry":%s}'
            % (
                json.dumps(code),
                json.dumps(props, ensure_ascii=False, separators=(",", ":")),
                geometry,
            )
        )
    return ('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}").encode()


def web_geojson_bytes(gdf: gpd.GeoDataFrame, decimals: int | None = None) -> bytes:
    """The GeoJSON text of a (simplified) layer, as :func:`write_boundaries` writes it.

    Compact (no spaces), UTF-8, one feature per region with ``id`` = statcode and
    properties ``statcode``, ``statnaam``, ``jaar``.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Usually the result of :func:`simplify_for_web`.
    decimals : int, optional
        Coordinate decimals; default ``gdf.attrs["web"]["decimals"]``, else 5.

    Examples
    --------
    >>> import shapely
    >>> gdf = gpd.GeoDataFrame({"statcode": ["PV27"], "statnaam": ["Noord-Holland"], "jaar": [2023]},
    ...                        geometry=[shapely.box(4.5, 52.25, 5.123456, 53.0)], crs=4326)
    >>> print(web_geojson_bytes(gdf).decode().split('"geometry":')[1])
    {"type":"Polygon","coordinates":[[[5.12346,52.25],[5.12346,53],[4.5,53],[4.5,52.25],[5.12346,52.25]]]}}]}
    """
    if decimals is None:
        decimals = int((gdf.attrs.get("web") or {}).get("decimals", WEB_DECIMALS[0]))
    years = [int(y) for y in gdf["jaar"]] if "jaar" in gdf.columns else [None] * len(gdf)
    return _encode(
        [str(c) for c in gdf["statcode"]],
        [str(n) for n in gdf["statnaam"]],
        years,
        np.asarray(gdf.geometry.values),
        decimals,
    )


# -- writing and reading -----------------------------------------------------------


def boundary_file(level: str, year: int, web: bool = False) -> str:
    """File name of a layer: ``gemeente_2023.parquet`` (or ``.geojson`` for the web copy).

    >>> boundary_file("gemeente", 2023), boundary_file("provincie", 2018, web=True)
    ('gemeente_2023.parquet', 'provincie_2018.geojson')
    """
    _check_level(level)
    return f"{level}_{int(year)}.{'geojson' if web else 'parquet'}"


def write_boundaries(
    staging_dir: Path | str,
    source: BoundarySource,
    years: Iterable[int] = YEARS,
    levels: Iterable[str] = LEVELS,
    progress: BoundaryProgress | None = None,
    *,
    build_id: str = "",
) -> dict[str, Any]:
    """Write every level × year as GeoParquet plus a simplified GeoJSON into ``staging_dir``.

    For each layer: ``<level>_<year>.parquet`` (full detail, EPSG:4326, columns
    ``statcode, statnaam, jaar, geometry``, the ``regiowelvaart`` metadata key
    with the warehouse schema version) and ``<level>_<year>.geojson`` (the web
    copy, :func:`simplify_for_web` with :data:`WEB_MAX_BYTES`). Nothing is
    written outside ``staging_dir`` (it is created if needed); files appear
    under their final names only when complete.

    Parameters
    ----------
    staging_dir : Path or str
        Target folder, normally ``<warehouse staging>/boundaries``.
    source : BoundarySource
        See :func:`source_for`.
    years, levels
        What to write; default every year of :data:`YEARS` and level of :data:`LEVELS`.
    progress : callable, optional
        Called with a :class:`BoundaryStep` before each layer.
    build_id : str
        Stored in each Parquet file's metadata, as the warehouse does.

    Returns
    -------
    dict
        A manifest fragment: ``source`` (the source's description),
        ``attribution``, ``crs``, ``key``, ``levels``, ``years``, ``notes``
        (repairs, fallbacks) and ``files``: per file name ``level``, ``year``,
        ``rows``, ``bytes``, ``sha256``, ``source``; web copies also
        ``tolerance_deg``, ``decimals``, ``max_area_error``.

    Raises
    ------
    ValueError
        An unknown level.
    SourceError, DataError
        From the source or validation, naming level and year.
    """
    out_dir = Path(staging_dir)
    levels = tuple(levels)
    years = tuple(int(y) for y in years)
    for level in levels:
        _check_level(level)
    out_dir.mkdir(parents=True, exist_ok=True)
    total = len(levels) * len(years)
    files: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    provinces: dict[int, gpd.GeoDataFrame] = {}  # so landsdelen don't fetch provinces twice
    step = 0
    # Landsdelen last, so they reuse the provinces already loaded.
    for level in sorted(levels, key=lambda lv: lv == "landsdeel"):
        for year in years:
            step += 1
            if progress is not None:
                progress(BoundaryStep(step, total, level, year, f"grenzen {level} {year}"))
            if level == "landsdeel":
                if year not in provinces:
                    provinces[year] = load_boundaries(source, "provincie", year)
                gdf = _landsdeel(provinces[year], year)
                origin = f"dissolved from provincie {year} ({source.label()})"
            else:
                gdf = load_boundaries(source, level, year)
                if level == "provincie":
                    provinces[year] = gdf
                origin = source.label()
            notes += [n for n in gdf.attrs.get("notes", []) if n not in notes]

            name = boundary_file(level, year)
            meta = {"schema_version": SCHEMA_VERSION, "build_id": build_id, "level": level, "year": year}
            _write_geoparquet(gdf, out_dir / name, meta)
            files[name] = {
                "level": level,
                "year": year,
                "rows": len(gdf),
                **_file_facts(out_dir / name),
                "source": origin,
                "input": gdf.attrs.get("input", {}),
            }

            try:
                web = simplify_for_web(gdf, WEB_MAX_BYTES[level])
            except ValueError as exc:  # a budget no tolerance can meet: bad data, not a bug
                raise DataError(f"{level} {year}: web copy: {exc}", table_id=f"{level}_{year}") from exc
            web_name = boundary_file(level, year, web=True)
            _write_bytes(out_dir / web_name, web_geojson_bytes(web))
            files[web_name] = {
                "level": level,
                "year": year,
                "rows": len(web),
                **_file_facts(out_dir / web_name),
                "source": f"simplified from {name}",
                **{k: v for k, v in web.attrs["web"].items() if k != "bytes"},
            }
    described = source.describe()
    if isinstance(source, FallbackSource) and source.active is not source.primary and source.reason:
        notes.insert(0, f"PDOK could not be reached ({source.reason}); used {source.label()}")
    return {
        "folder": out_dir.name,
        "source": {**described, "label": source.label()},
        "attribution": ATTRIBUTION,
        "crs": "EPSG:4326",
        "key": "statcode",
        "levels": list(levels),
        "years": list(years),
        "web_max_bytes": {lv: WEB_MAX_BYTES[lv] for lv in levels},
        "notes": notes,
        "files": files,
    }


def _write_geoparquet(gdf: gpd.GeoDataFrame, path: Path, meta: dict[str, Any]) -> None:
    """GeoParquet with the warehouse's ``regiowelvaart`` metadata key added."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        gdf.to_parquet(tmp, index=False)
        # geopandas writes the 'geo' key; add ours beside it (a second small write).
        table = pq.read_table(tmp)
        merged = {**(table.schema.metadata or {}), METADATA_KEY: json.dumps(meta).encode()}
        pq.write_table(table.replace_schema_metadata(merged), tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _file_facts(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def boundaries_path(warehouse_dir: Path | str, level: str, year: int, web: bool = False) -> Path:
    """Where a layer lives in the warehouse (whether or not it exists): a cache key for pages.

    >>> boundaries_path("data/warehouse", "gemeente", 2023).as_posix()
    'data/warehouse/boundaries/gemeente_2023.parquet'
    """
    return Path(warehouse_dir) / SUBFOLDER / boundary_file(level, year, web)


def _existing(warehouse_dir: Path | str, level: str, year: int, web: bool) -> Path:
    _check_year(year)
    path = boundaries_path(warehouse_dir, level, year, web)
    if not path.is_file():
        folder = path.parent
        have = sorted(p.name for p in folder.glob(f"{level}_*.{path.suffix[1:]}")) if folder.is_dir() else []
        hint = f" (there is: {_listed(have, 4)})" if have else ""
        raise WarehouseError(
            f"no {level} boundaries for {year} in {folder}{hint}: run `python -m welfare build`"
        )
    return path


def read_boundaries(
    warehouse_dir: Path | str, level: str, year: int, web: bool = False
) -> gpd.GeoDataFrame:
    """A boundary layer from the warehouse.

    Parameters
    ----------
    warehouse_dir : Path or str
        The warehouse folder (``data/warehouse``); layers are in its ``boundaries/``.
    level : str
        One of :data:`LEVELS`.
    year : int
        Indeling year.
    web : bool
        Read the simplified web copy instead of the full GeoParquet.

    Returns
    -------
    geopandas.GeoDataFrame
        ``statcode, statnaam, jaar, geometry``, EPSG:4326.

    Raises
    ------
    WarehouseError
        The layer is missing, unreadable, or of another warehouse schema version.
    """
    _check_level(level)
    path = _existing(warehouse_dir, level, year, web)
    try:
        if web:
            doc = json.loads(path.read_bytes())
            gdf = gpd.GeoDataFrame.from_features(doc["features"], crs="EPSG:4326")
            gdf["jaar"] = gdf["jaar"].astype("int16")
            return gdf[_COLUMNS]
        raw = (pq.read_schema(path).metadata or {}).get(METADATA_KEY)
        version = json.loads(raw).get("schema_version") if raw else None
        if version != SCHEMA_VERSION:
            raise WarehouseError(
                f"{path}: warehouse schema {version} ≠ {SCHEMA_VERSION}: run `python -m welfare build`"
            )
        return gpd.read_parquet(path)
    except WarehouseError:
        raise
    except Exception as exc:
        raise WarehouseError(f"{path} is unreadable ({exc}): run `python -m welfare build`") from exc


def web_geojson(warehouse_dir: Path | str, level: str, year: int) -> dict[str, Any]:
    """The simplified layer as a GeoJSON dict, for ``px.choropleth_map(geojson=...)``.

    Feature ``id`` and ``properties.statcode`` are the region code, so either
    ``locations=<codes>`` alone or ``featureidkey="properties.statcode"`` works.
    Parse once and cache it in the app (``st.cache_resource`` keyed on
    :func:`boundaries_path`'s mtime); the dict is not copied here.

    Raises
    ------
    WarehouseError
        The layer is missing or not valid JSON.
    """
    _check_level(level)
    path = _existing(warehouse_dir, level, year, web=True)
    try:
        doc: dict[str, Any] = json.loads(path.read_bytes())
    except ValueError as exc:
        raise WarehouseError(f"{path} is not valid JSON ({exc}): run `python -m welfare build`") from exc
    return doc


__all__ = [
    "ATTRIBUTION",
    "EXPECTED_ROWS",
    "LANDSDEEL_NAMES",
    "LANDSDEEL_OF_PROVINCIE",
    "LEVELS",
    "LEVEL_CODE",
    "WEB_MAX_BYTES",
    "YEARS",
    "BoundaryLevel",
    "BoundarySource",
    "BoundaryStep",
    "FallbackSource",
    "boundaries_path",
    "boundary_file",
    "default_geo_folder",
    "load_boundaries",
    "read_boundaries",
    "simplify_for_web",
    "source_for",
    "validate",
    "web_geojson",
    "web_geojson_bytes",
    "write_boundaries",
]
