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

Live CBS: ``--source cbs`` (and ``auto``) asks per table the OData4 portal
first and the v3 feed second (``welfare.sources.cbs_odata4.CbsLiveSource``);
the manifest records per table which API (``api``) and which table version
(``version``, the table's modification date) served it, why v4 was passed over
(``fallback``), and the v4 measure codes used (``measure_codes``, looked up
first by the next build). A live build also keeps what CBS delivered per table
as raw snapshots (``raw/``, see ``welfare.warehouse.write_raw_snapshot``).

Refresh (``refresh=True``, ``python -m welfare build --refresh``): each
table's modification date (v4 ``Properties.Modified``, v3
``TableInfos.Modified``) is compared with the previous manifest; a table that
did not change is taken from its snapshot without downloading it (the
snapshot file is carried over byte for byte), a changed one is downloaded, and
one that cannot be checked or downloaded keeps its previous data and is
flagged ``stale`` in the manifest (shown on the status page) instead of
failing the build. Everything after the tables (tidy, harmonise, boundaries,
deals) is rebuilt as in a full build, so the warehouse stays consistent.
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
from welfare.warehouse import (
    DEFAULT_DIR,
    FILES,
    SCHEMA_VERSION,
    read_manifest,
    read_raw_snapshot,
    read_text_snapshot,
    snapshot_name,
    write_raw_snapshot,
    write_text_snapshot,
    write_warehouse,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
# The offline fallback: the StatLine exports beside the repo (override with REGIOWELVAART_CBS_FOLDER).
DEFAULT_FOLDER = REPO_ROOT.parent / "shared" / "data" / "cbs" / "statline-dump-2025-04"
CBS_URL_ENV = "REGIOWELVAART_CBS_URL"  # e.g. "127.0.0.1:5123" for a local test server; "off": no v3
CBS_HTTPS_ENV = "REGIOWELVAART_CBS_HTTPS"  # "0" to talk plain http
CBS4_URL_ENV = "REGIOWELVAART_CBS4_URL"  # the OData4 portal: a host or root URL; "off": no v4
CBS4_HTTPS_ENV = "REGIOWELVAART_CBS4_HTTPS"  # "0" to talk plain http to a host
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
    """Live CBS: per table the OData4 portal, then the v3 feed.

    ``REGIOWELVAART_CBS4_URL`` / ``REGIOWELVAART_CBS_URL`` point them at other
    hosts (``off`` turns one off); pointing only one elsewhere turns the other
    off (see :func:`welfare.sources.cbs_odata4.live_source_from_env`).
    """
    from welfare.sources.cbs_odata4 import live_source_from_env

    return live_source_from_env(timeout_s=timeout_s, attempts=attempts)


def build_warehouse(
    source: str = "auto",
    out_dir: Path = DEFAULT_DIR,
    progress: ProgressCallback | None = None,
    catalog: Catalog | None = None,
    timeout_s: float = 30.0,
    boundaries: str | None = "auto",
    accept_unit_changes: bool | None = None,
    refresh: bool = False,
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
    refresh : bool
        Download only the tables whose modification date at CBS differs from
        the previous warehouse's (a live source and a previous live build are
        needed; otherwise every table is read). A table that cannot be checked
        or downloaded keeps its previous data, flagged ``stale``; see the
        module docstring. With ``auto`` and a previous live warehouse, CBS
        being unreachable fails the refresh instead of switching to the CSV
        folder.

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
    options = {"geo_spec": boundaries or "none", "accept_unit_changes": accept_unit_changes, "refresh": refresh}
    if source == "auto":
        live = cbs_source(timeout_s=min(timeout_s, 10.0), attempts=2)
        try:
            return _build(live, out_dir, progress, catalog, notes, geo, **options)
        except SourceUnreachable as exc:
            if refresh and _previous_manifest(out_dir).get("source", {}).get("kind") == "cbs":
                raise  # a refresh of live data does not turn into a build from the CSV folder
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
    refresh: bool = False,
) -> BuildResult:
    started = time.perf_counter()
    built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    label = src.label()
    previous = _previous_manifest(out_dir)
    ledger = _unit_ledger(previous)
    _give_hints(src, previous, catalog)
    get = _Tables(src, Path(out_dir), previous, refresh, built_at)
    if refresh and not get.refresh:
        notes.append(get.why_not_refreshed())
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
        text, info = get.text(table_id)
        with _naming(label):
            gemeenten.append(parse_gebieden(text, year, table_id))
        tables[table_id] = {"rows": len(text), "version": info.pop("version"), "warnings": []}
        _merge_info(tables[table_id], info)
    gemeenten_frame = pd.concat(gemeenten, ignore_index=True)
    resolver = RegionResolver.from_gemeenten(gemeenten_frame)

    parts: list[pd.DataFrame] = []
    priority: list[int] = []
    for request in requests:
        tick(request.table_id, ", ".join(str(m) for m in request.measures))
        raw, info = get.table(request)
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
        version = info.pop("version")
        entry = tables.setdefault(request.table_id, {"rows": 0, "version": version, "warnings": []})
        entry["rows"] += len(raw.frame)
        entry["warnings"] += table_warnings
        _merge_info(entry, info)
        if reported:
            entry.setdefault("units", {}).update(reported)
        warnings += table_warnings

    get.check_refresh()
    source_notes = get.notes(tables)
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
        "built_at": built_at,
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
        "warnings": notes + source_notes.warnings + unit_notes + list(dict.fromkeys(warnings)),
        "build_seconds": round(time.perf_counter() - started, 2),
    }
    if get.refresh:
        manifest["refresh"] = get.refresh_record()

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
    write_geo = get.with_snapshots(write_geo)
    write_warehouse(Path(out_dir), observations, regions, manifest, extra=write_geo)
    summary = summary_lines(observations, coverage, src.label(), notes)
    summary[1:1] = source_notes.lines
    return BuildResult(manifest=manifest, summary=summary, warnings=manifest["warnings"])


V4 = "odata-v4"
V3 = "odata-v3"
_API_NAMES = {V4: "CBS OData v4", V3: "CBS OData v3"}


def _give_hints(src: Source, previous: dict[str, Any], catalog: Catalog) -> None:
    """Tell a live source the v4 measure codes known: the previous build's, then the catalogue's (which win)."""
    add = getattr(src, "add_hints", None)
    if add is None:
        return
    from welfare.sources.cbs_odata4 import MeasureHint

    learned: dict[str, dict[str, MeasureHint]] = {}
    tables = previous.get("tables") if isinstance(previous.get("tables"), dict) else {}
    for table_id, entry in tables.items():
        codes = entry.get("measure_codes") if isinstance(entry, dict) else None
        if isinstance(codes, dict):
            learned[str(table_id)] = {str(m): MeasureHint(code=str(c)) for m, c in codes.items() if isinstance(c, str)}
    add(learned)
    add(catalog.odata4)


def _merge_info(entry: dict[str, Any], info: dict[str, Any]) -> None:
    """Add what one request of a table says about the table to its manifest entry."""
    for key, value in info.items():
        if value in (None, "", [], {}):
            continue
        if key == "snapshots":
            entry[key] = sorted(set(entry.get(key, [])) | set(value))
        elif key == "measure_codes":
            entry.setdefault(key, {}).update(value)
        elif key == "refresh":
            order = ["failed", "changed", "new", "unchanged"]  # a table is as bad as its worst request
            entry[key] = min(entry.get(key, value), value, key=order.index)
        elif key == "api" and entry.get(key) and entry[key] != value:
            entry[key] = "+".join(a for a in (V4, V3) if a in f"{entry[key]}+{value}")
        else:
            entry.setdefault(key, value)


@dataclass
class _SourceNotes:
    lines: list[str]  # for the build summary
    warnings: list[str]  # for the manifest


class _Tables:
    """Gets every table of a build: from the source, or — in a refresh — from the previous snapshot.

    Keeps what to write under ``raw/`` (live sources only) and, per table, how
    it was obtained (``api``, ``fallback``, ``measure_codes``, ``refresh``,
    ``stale``) for the manifest.
    """

    def __init__(self, src: Source, out_dir: Path, previous: dict[str, Any], refresh: bool, built_at: str) -> None:
        self.src = src
        self.out_dir = out_dir
        self.previous = previous
        self.built_at = built_at
        self.live = getattr(src, "kind", "") == "cbs"
        prev_tables = previous.get("tables")
        self.prev_tables: dict[str, Any] = prev_tables if isinstance(prev_tables, dict) else {}
        files = previous.get(FILES)
        self.prev_files: dict[str, Any] = files if isinstance(files, dict) else {}
        has_snapshots = any(str(f).startswith("raw/") for f in self.prev_files)
        self.asked = refresh
        self.refresh = refresh and self.live and previous.get("source", {}).get("kind") == "cbs" and has_snapshots
        self.write: dict[str, tuple[Any, ...]] = {}  # snapshot name → what to write into the staging folder
        self.checked: dict[str, tuple[str | None, WelfareError | None]] = {}
        self.outcome: dict[str, dict[str, Any]] = {}  # table → refresh facts
        self.label = src.label()

    def why_not_refreshed(self) -> str:
        if not self.live:
            return "refresh: a CSV folder is read whole (refresh compares CBS modification dates)"
        if not self.previous:
            return "refresh: no previous warehouse; every table was downloaded"
        return (
            "refresh: the previous warehouse was not built from live CBS (or has no raw snapshots); "
            "every table was downloaded"
        )

    # -- getting tables -----------------------------------------------------------

    def text(self, table_id: str) -> tuple[pd.DataFrame, dict[str, Any]]:
        """A whole table as text (Gebieden in Nederland) and its manifest facts."""
        name = snapshot_name(table_id, text=True)

        def fetch() -> tuple[pd.DataFrame, str]:
            with _naming(self.label):
                frame = self.src.fetch_text(table_id)
            return frame, _version(self.src, table_id)

        def load() -> tuple[pd.DataFrame, str] | None:
            if not self._intact(name):
                return None
            try:
                frame, meta = read_text_snapshot(self.out_dir, name)
            except WarehouseError:
                return None
            return frame, str(meta.get("version") or "")

        (frame, version), info = self._get(table_id, name, fetch, load)
        if info.get("refresh") in (None, "changed", "new") and self.live:
            self.write[name] = ("text", table_id, frame, version, info.get("api", ""))
        return frame, {"version": version, **info}

    def table(self, request: TableRequest) -> tuple[RawTable, dict[str, Any]]:
        """The rows of one catalogue request and the table's manifest facts."""
        table_id = request.table_id
        name = snapshot_name(table_id, request.filters)

        def fetch() -> tuple[RawTable, str]:
            with _naming(self.label):
                raw = self.src.fetch(request)
            return raw, raw.version

        def load() -> tuple[RawTable, str] | None:
            if not self._intact(name):
                return None
            try:
                raw, meta = read_raw_snapshot(self.out_dir, name)
            except WarehouseError:
                return None
            if not set(request.measures) <= set(raw.measure_keys) or meta.get("filters") != dict(request.filters):
                return None  # the catalogue asks more of this table than the snapshot holds
            return raw, raw.version

        (raw, version), info = self._get(table_id, name, fetch, load)
        if info.get("api") == V4:
            info["measure_codes"] = {str(ref): key for ref, key in raw.measure_keys.items()}
        if info.get("refresh") in (None, "changed", "new") and self.live:
            self.write[name] = ("raw", raw, dict(request.filters), info.get("api", ""))
        return raw, {"version": version, **info}

    def _get(self, table_id: str, name: str, fetch: Callable[[], Any], load: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
        info: dict[str, Any] = {"snapshots": [name]} if self.live else {}
        if not self.refresh:
            got = fetch()
            return got, {**info, **self._served(table_id)}
        before = self.prev_tables.get(table_id) if isinstance(self.prev_tables.get(table_id), dict) else {}
        kept = load()
        if kept is None:  # nothing to keep: a table new to the catalogue, or a snapshot that does not match
            got = fetch()
            self._outcome(table_id, "new", version=got[1])
            return got, {**info, **self._served(table_id), "refresh": "new"}
        now, check_error = self._check(table_id)
        if check_error is None and _same_version(before.get("version"), now):
            self.write[name] = ("copy",)
            self._outcome(table_id, "unchanged", version=now)
            return kept, {**info, **self._previous_facts(before), "refresh": "unchanged"}
        failure: WelfareError | None = check_error
        if failure is None:
            try:
                got = fetch()
            except WelfareError as exc:
                failure = exc
            else:
                self._outcome(table_id, "changed", before=before.get("version"), version=got[1])
                return got, {**info, **self._served(table_id), "refresh": "changed"}
        self.write[name] = ("copy",)
        stale = dict(before.get("stale") or {}) if isinstance(before.get("stale"), dict) else {}
        stale = {
            "since": stale.get("since") or self.built_at,
            "reason": str(failure),
            "cbs_version": now or stale.get("cbs_version"),
        }
        self._outcome(table_id, "failed", version=before.get("version"), reason=str(failure), unreachable=isinstance(failure, SourceUnreachable))
        return kept, {**info, **self._previous_facts(before), "refresh": "failed", "stale": stale}

    def _check(self, table_id: str) -> tuple[str | None, WelfareError | None]:
        """The table's modification date at CBS now (one request per table), or the error."""
        if table_id not in self.checked:
            try:
                check = getattr(self.src, "check_modified", None)
                with _naming(self.label):
                    now = check(table_id)[0] if check is not None else self.src.table_modified(table_id)  # type: ignore[attr-defined]
                self.checked[table_id] = (str(now), None)
            except WelfareError as exc:
                self.checked[table_id] = (None, exc)
        return self.checked[table_id]

    def _intact(self, name: str) -> bool:
        """The previous warehouse has this snapshot, unchanged since it was written."""
        facts = self.prev_files.get(name)
        path = self.out_dir / name
        if not isinstance(facts, dict) or not path.is_file() or path.stat().st_size != facts.get("bytes"):
            return False
        return hashlib.sha256(path.read_bytes()).hexdigest() == str(facts.get("sha256", "")).lower()

    def _served(self, table_id: str) -> dict[str, Any]:
        served = getattr(self.src, "served", {}).get(table_id)
        if served:
            return {"api": served.get("api"), "fallback": served.get("fallback")}
        if self.live:
            return {"api": str(self.src.describe().get("api") or "")}
        return {}

    @staticmethod
    def _previous_facts(before: dict[str, Any]) -> dict[str, Any]:
        return {k: before[k] for k in ("api", "fallback", "measure_codes") if before.get(k)}

    def _outcome(self, table_id: str, what: str, **facts: Any) -> None:
        order = ["failed", "changed", "new", "unchanged"]
        known = self.outcome.get(table_id)
        if known is None or order.index(what) < order.index(known["what"]):
            self.outcome[table_id] = {"what": what, **facts}

    # -- after the tables ---------------------------------------------------------

    def check_refresh(self) -> None:
        """A refresh in which CBS answered nothing at all fails: the previous warehouse stays."""
        if not self.refresh or not self.outcome:
            return
        failed = [o for o in self.outcome.values() if o["what"] == "failed"]
        if len(failed) == len(self.outcome) and all(o.get("unreachable") for o in failed):
            raise SourceUnreachable(
                f"{self.label}: refresh: CBS could not be reached for any table "
                f"(first: {failed[0]['reason']}); the warehouse is unchanged",
                source=self.label,
            )

    def refresh_record(self) -> dict[str, Any]:
        """manifest["refresh"]: against which build, and which tables changed, stayed, failed or were new."""
        by: dict[str, list[str]] = {"changed": [], "unchanged": [], "failed": [], "new": []}
        for table_id, o in sorted(self.outcome.items()):
            by[o["what"]].append(table_id)
        return {"previous_build": self.previous.get("build_id"), **by}

    def notes(self, tables: dict[str, dict[str, Any]]) -> _SourceNotes:
        """Summary lines and manifest warnings: which API served what, and what a refresh did."""
        lines: list[str] = []
        warnings: list[str] = []
        if self.live:
            count: dict[str, list[str]] = {}
            for table_id, entry in sorted(tables.items()):
                count.setdefault(str(entry.get("api") or "?"), []).append(table_id)
            order = [V4, V3, *sorted(a for a in count if a not in (V4, V3))]
            parts = [f"{len(count[api])} from {_API_NAMES.get(api, api)}" for api in order if api in count]
            lines.append("tables: " + ", ".join(parts))
            fell_back = {t: e["fallback"] for t, e in sorted(tables.items()) if e.get("fallback") and e.get("refresh") != "unchanged"}
            for table_id, why in fell_back.items():
                lines.append(f"  {table_id} from {_API_NAMES.get(str(tables[table_id].get('api')), tables[table_id].get('api'))}: {_clip(why)}")
            if fell_back:
                warnings.append(
                    f"CBS OData v4 did not serve {len(fell_back)} table(s) ({', '.join(fell_back)}); "
                    "they came from CBS OData v3 (see tables.<id>.fallback)"
                )
        if self.refresh:
            rec = self.refresh_record()
            changed = [
                f"{t} ({self.outcome[t].get('before') or '?'} → {self.outcome[t].get('version') or '?'})" for t in rec["changed"]
            ]
            lines.append(
                f"refresh against build {rec['previous_build']}: {len(rec['changed'])} changed"
                + (f" ({', '.join(changed)})" if changed else "")
                + f", {len(rec['unchanged'])} unchanged (not downloaded)"
                + (f", {len(rec['new'])} new ({', '.join(rec['new'])})" if rec["new"] else "")
                + f", {len(rec['failed'])} failed"
            )
            for table_id in rec["failed"]:
                stale = tables.get(table_id, {}).get("stale") or {}
                text = (
                    f"table {table_id}: refresh failed, kept the previous data (version "
                    f"{tables.get(table_id, {}).get('version') or '?'}), flagged stale: "
                )
                reason = " ".join(str(stale.get("reason", "")).split())
                lines.append("  " + text + _clip(reason))
                warnings.append(text + reason)  # whole: with both APIs down it names both failures
        return _SourceNotes(lines, warnings)

    def with_snapshots(self, write_extra: Callable[[Path], dict[str, Any]]) -> Callable[[Path], dict[str, Any]]:
        """``write_extra`` followed by the raw snapshots (new ones written, kept ones copied byte for byte)."""

        def write(staging: Path) -> dict[str, Any]:
            entries = write_extra(staging)
            for name, job in sorted(self.write.items()):
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                if job[0] == "copy":
                    target.write_bytes((self.out_dir / name).read_bytes())
                elif job[0] == "text":
                    _, table_id, frame, version, api = job
                    write_text_snapshot(staging, name, table_id, frame, version, api)
                else:
                    _, raw, filters, api = job
                    write_raw_snapshot(staging, name, raw, filters, api)
            return entries

        return write


def _same_version(before: object, now: object) -> bool:
    from welfare.sources.cbs_odata4 import same_version

    return same_version(before, now)


def _clip(text: str, limit: int = 600) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
