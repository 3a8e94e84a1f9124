"""A folder of GeoJSON boundary files as a boundary source.

The folder holds one file per level and year, ``<level>_<year>.geojson``
(``gemeente_2023.geojson``, ``coropgebied_2023.geojson``,
``provincie_2023.geojson``), in WGS84 lon/lat, one feature per region with the
CBS code in ``properties.statcode`` and the name in ``properties.statnaam``
(see ``../shared/data/geo/SOURCE.md``). This is the offline twin of
:class:`welfare.sources.pdok.PdokSource`: both return the same frame.

The files are parsed with the ``json`` module rather than GDAL so that a broken
file is reported with its name, line and column, and a feature without a code
with its position in the file.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely.geometry

from welfare.errors import DataError, SourceError

# Every CRS name that means "WGS84 with lon/lat axis order" in a GeoJSON crs member.
_WGS84_NAMES = frozenset(
    {
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        "urn:ogc:def:crs:EPSG::4326",
        "EPSG:4326",
    }
)
_FILE = re.compile(r"^(?P<level>[a-z]+)_(?P<year>\d{4})\.geojson$")
FRAME_COLUMNS = ("statcode", "statnaam", "jaar", "geometry")


class GeoJsonFolder:
    """Boundary files ``<level>_<year>.geojson`` in one folder.

    Parameters
    ----------
    folder : Path or str
        The folder, e.g. ``../shared/data/geo``. It is only read.

    Raises
    ------
    SourceError
        When the folder does not exist.

    Examples
    --------
    >>> from welfare.boundaries import default_geo_folder
    >>> src = GeoJsonFolder(default_geo_folder())
    >>> gdf = src.fetch("provincie", 2023)
    >>> len(gdf), list(gdf.columns), gdf.crs.to_epsg()
    (12, ['statcode', 'statnaam', 'jaar', 'geometry'], 4326)
    """

    kind = "folder"

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder).resolve()
        if not self.folder.is_dir():
            raise SourceError(
                f"GeoJSON boundary folder {self.folder} does not exist",
                source=str(self.folder),
            )
        self.checksums: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"GeoJsonFolder({str(self.folder)!r})"

    def label(self) -> str:
        """Human-readable name for messages: ``GeoJSON folder <path>``."""
        return f"GeoJSON folder {self.folder}"

    def describe(self) -> dict[str, object]:
        """What goes into the manifest: kind, location and the checksums of the files read."""
        return {
            "kind": self.kind,
            "label": self.label(),
            "location": str(self.folder),
            "files": dict(sorted(self.checksums.items())),
        }

    def available(self) -> dict[str, list[int]]:
        """Levels and years present in the folder, e.g. ``{"gemeente": [2018, ...]}``."""
        found: dict[str, list[int]] = {}
        for path in sorted(self.folder.glob("*.geojson")):
            m = _FILE.match(path.name)
            if m:
                found.setdefault(m.group("level"), []).append(int(m.group("year")))
        return found

    def fetch(self, level: str, year: int) -> gpd.GeoDataFrame:
        """Read ``<level>_<year>.geojson``.

        Parameters
        ----------
        level : str
            As named in the folder: ``gemeente``, ``coropgebied``, ``provincie``.
        year : int
            The indeling year (1 January).

        Returns
        -------
        geopandas.GeoDataFrame
            Columns ``statcode, statnaam, jaar, geometry``, CRS EPSG:4326, in
            file order. ``attrs["input"]`` holds the file name and its checksum.

        Raises
        ------
        SourceError
            The file is missing, is not valid JSON, is not a FeatureCollection,
            or declares a CRS other than WGS84.
        DataError
            A feature has no ``statcode`` or no geometry (the message names the
            file and the feature's position).
        """
        name = f"{level}_{year}.geojson"
        path = self.folder / name
        if not path.is_file():
            have = self.available()
            years = have.get(level)
            if years:
                hint = f"; {level} is there for {_span(years)}"
            elif have:
                hint = f"; levels present: {', '.join(sorted(have))}"
            else:
                hint = "; the folder holds no <level>_<year>.geojson files"
            raise SourceError(
                f"{self.label()}: no file {name} for {level} {year}{hint}",
                source=self.label(),
                table_id=f"{level}_{year}",
            )
        data = path.read_bytes()
        checksum = hashlib.sha256(data).hexdigest()
        self.checksums[name] = checksum[:16]
        try:
            doc = json.loads(data)
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"{self.label()}: {name} is not UTF-8 text ({exc.reason} at byte {exc.start})",
                source=self.label(),
                table_id=f"{level}_{year}",
            ) from exc
        except json.JSONDecodeError as exc:
            raise SourceError(
                f"{self.label()}: {name} is not valid JSON "
                f"({exc.msg} at line {exc.lineno}, column {exc.colno})",
                source=self.label(),
                table_id=f"{level}_{year}",
            ) from exc
        gdf = features_to_frame(
            doc, year, where=f"{self.label()}: {name}", table_id=f"{level}_{year}"
        )
        gdf.attrs["input"] = {"file": name, "sha256": checksum}
        return gdf


def features_to_frame(
    doc: Any, year: int, *, where: str, table_id: str, year_property: str | None = None
) -> gpd.GeoDataFrame:
    """Turn a parsed GeoJSON FeatureCollection into the boundary frame.

    Shared by the folder and PDOK sources so both yield exactly the same shape.

    Parameters
    ----------
    doc
        The parsed document (or ``{"type": "FeatureCollection", "features": [...]}``
        assembled from pages).
    year
        Written into ``jaar``.
    where
        Prefix for error messages (source and file or collection).
    table_id
        Stored on raised errors.
    year_property
        When given (PDOK: ``jaarcode``), features whose property differs from
        ``year`` are dropped, so a server that ignores the year filter cannot mix years.

    Returns
    -------
    geopandas.GeoDataFrame
        ``statcode, statnaam, jaar, geometry`` in EPSG:4326.

    Examples
    --------
    >>> doc = {"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {"statcode": "GM0363 ", "statnaam": "Amsterdam"},
    ...     "geometry": {"type": "Polygon", "coordinates": [[[4.8, 52.3], [5.0, 52.3], [5.0, 52.4], [4.8, 52.3]]]}}]}
    >>> features_to_frame(doc, 2023, where="test", table_id="t")[["statcode", "statnaam", "jaar"]]
      statcode   statnaam  jaar
    0   GM0363  Amsterdam  2023
    """
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise SourceError(
            f"{where}: expected a GeoJSON FeatureCollection, got {kind!r}", table_id=table_id
        )
    crs_name = ((doc.get("crs") or {}).get("properties") or {}).get("name")
    if crs_name is not None and crs_name not in _WGS84_NAMES:
        raise SourceError(
            f"{where}: coordinates are in {crs_name}; expected WGS84 lon/lat (CRS84)",
            table_id=table_id,
        )
    features = doc.get("features")
    if not isinstance(features, list):
        raise SourceError(f"{where}: 'features' is missing or not a list", table_id=table_id)
    codes: list[str] = []
    names: list[str] = []
    geoms: list[Any] = []
    for i, feature in enumerate(features, start=1):
        props = (feature or {}).get("properties") or {}
        if year_property is not None and props.get(year_property) is not None:
            try:
                if int(props[year_property]) != year:
                    continue
            except (TypeError, ValueError):
                pass  # an odd jaarcode is no reason to drop the feature; validation checks counts
        code = props.get("statcode")
        if code is None or not str(code).strip():
            shown = feature.get("id", "no id") if isinstance(feature, dict) else "not an object"
            raise DataError(
                f"{where}: feature {i} (id {shown}) has no statcode",
                table_id=table_id,
                row=i,
                field="statcode",
            )
        code = str(code).strip()
        geometry = feature.get("geometry")
        if not geometry:
            raise DataError(
                f"{where}: feature {i} ({code}) has no geometry",
                table_id=table_id,
                row=i,
                field="geometry",
            )
        try:
            geoms.append(shapely.geometry.shape(geometry))
        except Exception as exc:  # shapely raises several types for bad coordinates
            raise DataError(
                f"{where}: feature {i} ({code}) has an unreadable geometry ({exc})",
                table_id=table_id,
                row=i,
                field="geometry",
            ) from exc
        codes.append(code)
        names.append(str(props.get("statnaam") or "").strip())
    frame = gpd.GeoDataFrame(
        {
            "statcode": codes,
            "statnaam": names,
            "jaar": [int(year)] * len(codes),
        },
        geometry=geoms,
        crs="EPSG:4326",
    )
    frame["jaar"] = frame["jaar"].astype("int16")
    return frame


def _span(years: list[int]) -> str:
    years = sorted(years)
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    return ", ".join(map(str, years))


__all__ = ["GeoJsonFolder", "features_to_frame"]
