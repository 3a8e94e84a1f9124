"""Build the warehouse: sources → tidy → observations/regions → Parquet.

Data moves one way: ``build`` reads a source once and writes the warehouse;
everything after it reads only the warehouse. A failed build raises a
``WelfareError`` naming the source, the table and the fault, and leaves the
previous warehouse untouched.

Determinism: the ``build_id`` is derived from the inputs (package and schema
version, catalogue hash, the source tables' versions, the content of the tidy
observations and regions, the deals registry and the kind of boundary source),
so building the same inputs twice gives byte-identical Parquet files (the
build id is the only build-specific value inside them) and equal SHA-256s in
the manifest's ``files``; ``built_at`` tells two such builds apart.

Units: CBS reports a unit per measure (``DataProperties.Unit``), the CSV
exports do not, and the catalogue's ``unit_nl``/``unit_en`` are display labels
("% van beroepsbevolking"), not CBS's unit strings, so they cannot be compared.
The manifest therefore keeps a ledger ``units`` (table → measure stem → unit
as CBS reported it), carried over from the previous warehouse for measures a
build does not report (a CSV build). A live build that sees another unit for a
measure than the ledger holds fails with a ``DataError`` naming the source,
table, measure and both units; after checking the catalogue entry, rebuild
with ``accept_unit_changes=True`` (or ``REGIOWELVAART_ACCEPT_UNIT_CHANGES=1``),
which records the new unit and a warning.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from welfare import __version__
from welfare.catalog import Catalog, load_catalog
from welfare.errors import DataError, SourceUnreachable, WarehouseError, WelfareError
from welfare.boundaries import LEVELS as BOUNDARY_LEVELS
from welfare.boundaries import YEARS as BOUNDARY_YEARS
from welfare.boundaries import BoundarySource, default_geo_folder, source_for, write_boundaries
from welfare.harmonise import Transitions, harmonise
from welfare.regions import GEBIEDEN_TABLES, RegionResolver, parse_gebieden, regions_frame
from welfare.sources.base import RawTable, Source, TableRequest
from welfare.sources.statline_csv import StatlineCsvFolder
from welfare.tidy import LONG_COLUMNS, tidy_table
from welfare.warehouse import DEFAULT_DIR, SCHEMA_VERSION, read_manifest, write_warehouse

REPO_ROOT = Path(__file__).resolve().parent.parent
# The offline fallback: the StatLine exports beside the repo (override with REGIOWELVAART_CBS_FOLDER).
DEFAULT_FOLDER = REPO_ROOT.parent / "shared" / "data" / "cbs" / "statline-dump-2025-04"
CBS_URL_ENV = "REGIOWELVAART_CBS_URL"  # e.g. "127.0.0.1:5123" for a local test server
CBS_HTTPS_ENV = "REGIOWELVAART_CBS_HTTPS"  # "0" to talk plain http
# "1": a unit CBS now reports differently from the previous warehouse is accepted (with a warning).
ACCEPT_UNITS_ENV = "REGIOWELVAART_ACCEPT_UNIT_CHANGES"


@dataclass(frozen=True)
class BuildProgress:
    """One step of a build, for progress bars."""

    step: int
    total: int
    table_id: str
    message: str


@dataclass
class BuildResult:
    """What a build produced: the manifest, a readable summary and its warnings."""

    manifest: dict[str, Any]
    summary: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


ProgressCallback = Callable[[BuildProgress], None]


def default_folder() -> Path:
    """The CSV folder used by ``--source auto`` when CBS cannot be reached."""
    return Path(os.environ.get("REGIOWELVAART_CBS_FOLDER", DEFAULT_FOLDER))


def cbs_source(timeout_s: float = 30.0, attempts: int = 3) -> Source:
    """The live CBS source, pointed at REGIOWELVAART_CBS_URL when set."""
    from welfare.sources.cbs_odata import CbsODataSource

    return CbsODataSource(
        catalog_url=os.environ.get(CBS_URL_ENV, "opendata.cbs.nl"),
        use_https=os.environ.get(CBS_HTTPS_ENV, "1") != "0",
        timeout_s=timeout_s,
        attempts=attempts,
    )


def build_warehouse(
    source: str = "auto",
    out_dir: Path = DEFAULT_DIR,
    progress: ProgressCallback | None = None,
    catalog: Catalog | None = None,
    timeout_s: float = 30.0,
    boundaries: str | None = "auto",
    accept_unit_changes: bool | None = None,
) -> BuildResult:
    """Build the warehouse from ``source`` into ``out_dir``.

    Parameters
    ----------
    source : str
        ``"auto"`` (live CBS, or the CSV folder when CBS cannot be reached),
        ``"cbs"`` (live only) or the path of a folder of StatLine CSV exports.
    out_dir : Path
        The warehouse folder; replaced atomically at the end.
    progress : callable, optional
        Called with a :class:`BuildProgress` before each table.
    timeout_s : float
        Timeout of each request to live CBS (``auto`` probes with at most 10 s).
    boundaries : str or None
        Where the boundaries come from: ``"auto"`` (PDOK, else the GeoJSON folder
        ``../shared/data/geo``), ``"pdok"``, a folder path, or None for none.
    accept_unit_changes : bool, optional
        Accept a measure whose unit CBS now reports differently from the
        previous warehouse's ledger (see the module docstring); default: the
        environment variable ``REGIOWELVAART_ACCEPT_UNIT_CHANGES`` is ``1``.

    Raises
    ------
    SourceError, DataError
        A source failed or delivered wrong content; the message names the
        source, the table and the fault. ``out_dir`` is left as it was.
    """
    catalog = catalog or load_catalog()
    if accept_unit_changes is None:
        accept_unit_changes = os.environ.get(ACCEPT_UNITS_ENV, "").strip().lower() in ("1", "true", "yes")
    notes: list[str] = []
    geo = source_for(boundaries) if boundaries else None
    options = {"geo_spec": boundaries or "none", "accept_unit_changes": accept_unit_changes}
    if source == "auto":
        live = cbs_source(timeout_s=min(timeout_s, 10.0), attempts=2)
        try:
            return _build(live, out_dir, progress, catalog, notes, geo, **options)
        except SourceUnreachable as exc:
            folder = default_folder()
            notes.append(f"CBS could not be reached ({exc}); used the CSV folder {folder} instead")
            return _build(StatlineCsvFolder(folder), out_dir, progress, catalog, notes, geo, **options)
    if source == "cbs":
        return _build(cbs_source(timeout_s=timeout_s), out_dir, progress, catalog, notes, geo, **options)
    return _build(StatlineCsvFolder(Path(source)), out_dir, progress, catalog, notes, geo, **options)


def _build(
    src: Source,
    out_dir: Path,
    progress: ProgressCallback | None,
    catalog: Catalog,
    notes: list[str],
    geo: BoundarySource | None = None,
    *,
    geo_spec: str = "none",
    accept_unit_changes: bool = False,
) -> BuildResult:
    started = time.perf_counter()
    label = src.label()
    previous = _previous_manifest(out_dir)
    ledger = _unit_ledger(previous)
    requests = catalog.requests()
    n_layers = len(BOUNDARY_LEVELS) * len(BOUNDARY_YEARS) if geo is not None else 0
    total = len(GEBIEDEN_TABLES) + len(requests) + 1 + n_layers  # + harmonisation + boundary layers
    step = 0

    def tick(table_id: str, message: str) -> None:
        nonlocal step
        step += 1
        if progress:
            progress(BuildProgress(step, total, table_id, message))

    warnings: list[str] = []
    unit_notes: list[str] = []
    tables: dict[str, dict[str, Any]] = {}

    gemeenten = []
    for year, table_id in sorted(GEBIEDEN_TABLES.items()):
        tick(table_id, f"Gebieden in Nederland {year}")
        with _naming(label):
            text = src.fetch_text(table_id)
            gemeenten.append(parse_gebieden(text, year, table_id))
        tables[table_id] = {"rows": len(text), "version": _version(src, table_id), "warnings": []}
    gemeenten_frame = pd.concat(gemeenten, ignore_index=True)
    resolver = RegionResolver.from_gemeenten(gemeenten_frame)

    parts: list[pd.DataFrame] = []
    priority: list[int] = []
    for request in requests:
        tick(request.table_id, ", ".join(str(m) for m in request.measures))
        with _naming(label):
            raw = src.fetch(request)
        table_warnings = list(dict.fromkeys(raw.warnings))
        entries = [
            (indicator, spec, rank)
            for indicator in catalog.indicators.values()
            for rank, spec in enumerate(indicator.sources)
            if spec.table == request.table_id and spec.filters == dict(request.filters)
        ]
        reported = _check_units(raw, request, ledger, previous, label, [i.id for i, _, _ in entries], accept_unit_changes, unit_notes)
        with _naming(label):
            parts += tidy_table(raw, [(i, s) for i, s, _ in entries], resolver, table_warnings)
        priority += [rank for _, _, rank in entries]
        table_warnings = list(dict.fromkeys(table_warnings))
        entry = tables.setdefault(request.table_id, {"rows": 0, "version": raw.version, "warnings": []})
        entry["rows"] += len(raw.frame)
        entry["warnings"] += table_warnings
        if reported:
            entry.setdefault("units", {}).update(reported)
        warnings += table_warnings

    published = _merge_by_priority(parts, priority)
    regions = regions_frame(gemeenten_frame)
    coverage = coverage_table(published, catalog)

    # Every gemeente series restated on the newest indeling, beside the published rows.
    target_year = int(regions["year"].max())
    tick("herindelingen", f"gemeentereeksen omrekenen naar de indeling van {target_year}")
    transitions = Transitions.from_folder(default_geo_folder())
    harmonised = harmonise(published, regions, catalog, transitions, target_year)
    observations = pd.concat([published, harmonised], ignore_index=True)
    described = src.describe()
    build_id = content_id(
        {
            "package_version": __version__,
            "schema_version": SCHEMA_VERSION,
            "catalog_hash": catalog.hash,
            "source_kind": described.get("kind", src.kind),
            "tables": {t: str(e.get("version", "")) for t, e in sorted(tables.items())},
            "boundaries": geo.kind if geo is not None else "none",
            "boundaries_spec": "folder" if geo is not None and geo.kind == "folder" else geo_spec,
            "deals_registry": _registry_sha256(),
        },
        observations,
        regions,
    )
    manifest: dict[str, Any] = {
        "build_id": build_id,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "package_version": __version__,
        "catalog_hash": catalog.hash,
        "source": {**described, "label": src.label()},
        "tables": tables,
        "coverage": coverage,
        "harmonisation": {
            "target_year": target_year,
            "rows": len(harmonised),
            "values": int(harmonised["value"].notna().sum()),
            "method": "VNG grenswijzigen address matrices (CC BY-NC-SA 4.0), from boundary year 2016 on",
        },
        "units": ledger,
        "warnings": notes + unit_notes + list(dict.fromkeys(warnings)),
        "build_seconds": round(time.perf_counter() - started, 2),
    }

    def write_geo(staging: Path) -> dict[str, Any]:
        # Written into the staging folder, so the boundaries are swapped in with the rest.
        if geo is None:
            manifest["boundaries"] = None
        else:
            with _naming(geo.label):
                manifest["boundaries"] = write_boundaries(
                    staging / "boundaries",
                    geo,
                    progress=lambda b: tick(b.level, f"grenzen {b.level} {b.year}"),
                    build_id=manifest["build_id"],
                )
            manifest["warnings"] += [f"boundaries: {n}" for n in manifest["boundaries"].get("notes", [])]
        return {"boundaries": manifest["boundaries"], "warnings": manifest["warnings"]}

    # The Regio Deals tables are written into the same staging folder, after the boundaries.
    write_geo = _with_deal_tables(write_geo, manifest)
    write_warehouse(Path(out_dir), observations, regions, manifest, extra=write_geo)
    return BuildResult(manifest=manifest, summary=summary_lines(observations, coverage, src.label(), notes), warnings=manifest["warnings"])


def _with_deal_tables(
    write_extra: Callable[[Path], dict[str, Any]], manifest: dict[str, Any]
) -> Callable[[Path], dict[str, Any]]:
    """``write_extra`` followed by deals.parquet and deal_members.parquet (welfare.deals).

    The registry (``data/regio_deals.csv``) is ours, not a source: when it does
    not validate, the build still succeeds without the two deal tables and says
    why in its warnings (the deals page shows the registry's own errors).
    """

    def write(staging: Path) -> dict[str, Any]:
        entries = write_extra(staging)
        manifest["deals"] = _write_deal_tables(staging, manifest)
        return {**entries, "deals": manifest["deals"], "warnings": manifest["warnings"]}

    return write


def _write_deal_tables(staging: Path, manifest: dict[str, Any]) -> dict[str, Any] | None:
    import hashlib

    from welfare.deals import DEFAULT_REGISTRY, load_registry, unresolved_names, warehouse_tables
    from welfare.errors import WelfareError
    from welfare.warehouse import SCHEMA_VERSION, write_deal_tables

    try:
        registry = load_registry(DEFAULT_REGISTRY)
        deals, members = warehouse_tables(registry)
    except WelfareError as exc:
        manifest["warnings"].append(f"deals: {exc} (deals.parquet and deal_members.parquet not written)")
        return None
    meta = {"schema_version": SCHEMA_VERSION, "build_id": manifest.get("build_id", "")}
    write_deal_tables(staging, deals, members, meta)
    with_members = set(members["deal_id"])
    return {
        "registry": DEFAULT_REGISTRY.relative_to(REPO_ROOT).as_posix(),
        "sha256": hashlib.sha256(DEFAULT_REGISTRY.read_bytes()).hexdigest(),
        "deals": len(deals),
        "member_rows": len(members),
        "years": sorted(int(y) for y in members["year"].unique()),
        "without_members": [d.id for d in registry if d.id not in with_members],
        "unresolved_names": unresolved_names(registry).to_dict(orient="records"),
    }


@contextmanager
def _naming(label: str | Callable[[], str]) -> Iterator[None]:
    """Re-raise a library error whose message does not name the source with the source's label in front.

    The type and attributes (``table_id``, ``row``, ``field``) stay the same, so
    ``--source auto`` still falls back on SourceUnreachable. ``label`` may be a
    callable, read when the error happens (a fallback source's label changes).
    """
    try:
        yield
    except WelfareError as exc:
        message = str(exc)
        label = label() if callable(label) else label
        if label in message:
            raise
        try:
            named = copy.copy(exc)
            named.args = (f"{label}: {message}",)
        except Exception:  # an error type that cannot be copied: keep it as it is
            raise exc from None
        raise named from exc


def content_id(inputs: dict[str, Any], *frames: pd.DataFrame) -> str:
    """A 12-hex id of a build's inputs and tidy frames: equal inputs, equal id.

    >>> frame = pd.DataFrame({"a": [1, 2]})
    >>> content_id({"x": 1}, frame) == content_id({"x": 1}, frame.copy())
    True
    >>> content_id({"x": 1}, frame) == content_id({"x": 2}, frame)
    False
    """
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode())
    for frame in frames:
        digest.update(",".join(map(str, frame.columns)).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:12]


def _registry_sha256() -> str:
    from welfare.deals import DEFAULT_REGISTRY

    try:
        return hashlib.sha256(DEFAULT_REGISTRY.read_bytes()).hexdigest()
    except OSError:
        return ""


def _previous_manifest(out_dir: Path) -> dict[str, Any]:
    """The manifest of the warehouse this build will replace, or {} when there is none (readable)."""
    try:
        return read_manifest(Path(out_dir))
    except WarehouseError:
        return {}


def _unit_ledger(previous: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The previous warehouse's unit ledger (table → measure stem → unit), cleaned."""
    ledger: dict[str, dict[str, str]] = {}
    raw = previous.get("units")
    if isinstance(raw, dict):
        for table_id, units in raw.items():
            if isinstance(units, dict):
                clean = {str(k): str(v) for k, v in units.items() if isinstance(v, str) and v.strip()}
                if clean:
                    ledger[str(table_id)] = clean
    return ledger


def _norm_unit(unit: str) -> str:
    return " ".join(unit.split())


def _check_units(
    raw: RawTable,
    request: TableRequest,
    ledger: dict[str, dict[str, str]],
    previous: dict[str, Any],
    label: str,
    indicator_ids: list[str],
    accept: bool,
    notes: list[str],
) -> dict[str, str]:
    """Compare the units a source reports with the ledger; update the ledger; return what was reported.

    Raises DataError (naming source, table, measure, both units and the
    indicators that use the measure) on a change, unless ``accept``.
    """
    reported = {
        str(ref): _norm_unit(raw.units[key])
        for ref, key in raw.measure_keys.items()
        if key in raw.units and raw.units[key] and raw.units[key].strip()
    }
    known = ledger.setdefault(request.table_id, {})
    for stem, unit in reported.items():
        before = known.get(stem)
        if before is not None and _norm_unit(before) != unit:
            where = f"table {request.table_id}, measure {stem}"
            since = previous.get("build_id", "?")
            used_by = ", ".join(indicator_ids) or "no indicator"
            if not accept:
                raise DataError(
                    f"{label}: {where}: the unit changed from {before!r} to {unit!r} since the previous "
                    f"warehouse (build {since}); values would be mixed up ({used_by}). Check the catalogue "
                    f"(welfare/indicators.toml), then rebuild with {ACCEPT_UNITS_ENV}=1",
                    table_id=request.table_id,
                    field=stem,
                )
            notes.append(f"{where}: unit changed from {before!r} to {unit!r} (accepted; used by {used_by})")
        known[stem] = unit
    if not known:
        ledger.pop(request.table_id, None)
    return reported


def _version(src: Source, table_id: str) -> str:
    checksums = getattr(src, "checksums", None)
    if checksums and table_id in checksums:
        return str(checksums[table_id])
    modified = getattr(src, "table_modified", None)
    try:
        return str(modified(table_id)) if modified else ""
    except Exception:  # the version is informative; a failure here must not fail the build
        return ""


def _merge_by_priority(parts: list[pd.DataFrame], priority: list[int]) -> pd.DataFrame:
    """One row per indicator × region × year: the first source (catalogue order) with a value wins."""
    if not parts:
        return pd.DataFrame(columns=LONG_COLUMNS)
    frames = [p.assign(_rank=r) for p, r in zip(parts, priority)]
    obs = pd.concat(frames, ignore_index=True)
    obs["_missing"] = obs["value"].isna()
    obs = obs.sort_values(["indicator_id", "region_code", "year", "_missing", "_rank"], kind="stable")
    obs = obs.drop_duplicates(["indicator_id", "region_code", "year"], keep="first")
    return obs[LONG_COLUMNS].reset_index(drop=True)


def coverage_table(observations: pd.DataFrame, catalog: Catalog) -> list[dict[str, Any]]:
    """Per indicator and level: years covered and regions with a value in the newest year."""
    rows = []
    have = observations.dropna(subset=["value"])
    for (indicator_id, level), group in have.groupby(["indicator_id", "level"], sort=True):
        last = int(group["year"].max())
        rows.append(
            {
                "indicator_id": indicator_id,
                "level": level,
                "first_year": int(group["year"].min()),
                "last_year": last,
                "regions_last_year": int(group.loc[group["year"] == last, "region_code"].nunique()),
                "source_tables": sorted(group["source_table"].unique().tolist()),
            }
        )
    return rows


def summary_lines(observations: pd.DataFrame, coverage: list[dict[str, Any]], label: str, notes: list[str]) -> list[str]:
    """The build summary the CLI prints."""
    have = observations.dropna(subset=["value"])
    lines = [
        f"source: {label}",
        *notes,
        f"{have['indicator_id'].nunique()} indicators × {have['region_code'].nunique()} regions × "
        f"{have['year'].nunique()} years = {len(have)} values ({len(observations) - len(have)} published as missing/secret)",
        "coverage (regions with a value in the newest year, per level):",
    ]
    by_indicator: dict[str, list[str]] = {}
    for row in coverage:
        by_indicator.setdefault(row["indicator_id"], []).append(
            f"{row['level']} {row['regions_last_year']} ({row['first_year']}–{row['last_year']})"
        )
    width = max((len(k) for k in by_indicator), default=0)
    lines += [f"  {k:<{width}}  {', '.join(v)}" for k, v in by_indicator.items()]
    return lines
