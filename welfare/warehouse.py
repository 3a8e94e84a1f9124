"""Reading and writing the Parquet warehouse, atomically.

Layout of ``data/warehouse/`` (generated, git-ignored):

- ``observations.parquet``: indicator × region × year (see OBSERVATION_COLUMNS)
- ``regions.parquet``: region × indeling year (see REGION_COLUMNS)
- ``manifest.json``: when and from what the warehouse was built, and under
  ``files`` the size and SHA-256 of every other file in the folder
- ``raw/``: after a live build, what CBS delivered per table (one snapshot per
  catalogue request, see :func:`write_raw_snapshot`), so ``build --refresh``
  can keep the tables that did not change (or failed) without downloading them

A build writes a complete new warehouse into a staging folder beside the old
one and then swaps the folders, so readers see either the old or the new
warehouse, never a mix; if anything fails before the swap the old one is
untouched and the staging folder is removed.

Integrity: :func:`verify_warehouse` compares the folder with the ``files``
record of its manifest and lists every file that is missing, changed or not
listed; :func:`check_warehouse` raises :class:`WarehouseIntegrityError` on any
such problem. Writes are deterministic (no timestamps in the Parquet files, a
fixed row order from the build), so two builds of the same inputs give
byte-identical files and equal ``files`` records.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from welfare.errors import WarehouseError
from welfare.sources.base import MARGIN, PERIOD_KEY, PERIOD_TITLE, REGION_KEY, REGION_TITLE, MeasureRef, RawTable

SCHEMA_VERSION = 1
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "warehouse"
METADATA_KEY = b"regiowelvaart"

OBSERVATIONS = "observations.parquet"
REGIONS = "regions.parquet"
MANIFEST = "manifest.json"
FILES = "files"  # the manifest key of the per-file record: {relative path: {bytes, sha256}}
REBUILD = "python -m welfare build"

OBSERVATION_COLUMNS: dict[str, pa.DataType] = {
    "indicator_id": pa.string(),
    "region_code": pa.string(),
    "level": pa.string(),
    "year": pa.int16(),
    "value": pa.float64(),
    "lower": pa.float64(),
    "upper": pa.float64(),
    "source_table": pa.string(),
    "boundary_year": pa.int16(),
    # '|'-separated tags, '' for none: e.g. "harmonised", "approximation"
    "flags": pa.string(),
}

REGION_COLUMNS: dict[str, pa.DataType] = {
    "code": pa.string(),
    "name": pa.string(),
    "level": pa.string(),
    "year": pa.int16(),
    "corop": pa.string(),
    "provincie": pa.string(),
    "landsdeel": pa.string(),
    "arbeidsmarktregio": pa.string(),
    "population": pa.float64(),  # inhabitants on 1 January of `year`; NaN when unknown
}


def _table(frame: pd.DataFrame, columns: Mapping[str, pa.DataType], meta: dict[str, Any]) -> pa.Table:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise WarehouseError(f"cannot write warehouse: columns missing: {', '.join(missing)}")
    # Contract columns first, in order and with fixed types; extra columns (added by
    # later features) follow with the type pandas gives them.
    ordered = list(columns) + [c for c in frame.columns if c not in columns]
    table = pa.Table.from_pandas(frame[ordered], preserve_index=False)
    schema = pa.schema(
        [pa.field(n, columns[n]) if n in columns else table.schema.field(n) for n in ordered]
    )
    return table.cast(schema).replace_schema_metadata({METADATA_KEY: json.dumps(meta).encode()})


def write_warehouse(
    out_dir: Path,
    observations: pd.DataFrame,
    regions: pd.DataFrame,
    manifest: dict[str, Any],
    extra: Callable[[Path], dict[str, Any]] | None = None,
) -> None:
    """Write a complete warehouse to ``out_dir``, replacing what was there atomically.

    The manifest gets ``schema_version``; both Parquet files carry the schema
    version and build id in their metadata under the key ``regiowelvaart``.
    ``extra``, when given, writes more files into the staging folder (e.g. the
    boundaries) and returns entries to add to the manifest; if it fails, nothing
    is swapped in. Last, the manifest's ``files`` records the size and SHA-256
    of every file in the staging folder (see :func:`verify_warehouse`).
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    manifest = {**manifest, "schema_version": SCHEMA_VERSION}
    meta = {"schema_version": SCHEMA_VERSION, "build_id": manifest.get("build_id", "")}
    # mkdir (not mkdtemp, which makes it 0700): the warehouse gets the umask's permissions.
    staging = out_dir.parent / f".{out_dir.name}-new-{uuid.uuid4().hex[:12]}"
    staging.mkdir()
    try:
        pq.write_table(_table(observations, OBSERVATION_COLUMNS, meta), staging / OBSERVATIONS)
        pq.write_table(_table(regions, REGION_COLUMNS, meta), staging / REGIONS)
        if extra is not None:
            manifest.update(extra(staging))
        manifest[FILES] = file_record(staging)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
        _swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Replace out_dir by staging with two renames; the old folder is removed last."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}-old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        os.replace(out_dir, old)
    try:
        os.replace(staging, out_dir)
    except BaseException:
        if old is not None:  # put the previous warehouse back
            os.replace(old, out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files_in(folder: Path) -> list[str]:
    """Every file under ``folder`` except the manifest, as sorted relative POSIX paths."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in names:
            rel = (Path(root) / name).relative_to(folder).as_posix()
            if rel != MANIFEST:
                found.append(rel)
    return sorted(found)


def file_record(folder: Path) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of every file under ``folder`` but the manifest (the manifest's ``files``).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_bytes(b"abc")
    >>> file_record(d)["a.txt"]["sha256"][:12]
    'ba7816bf8f01'
    """
    folder = Path(folder)
    return {rel: {"bytes": (folder / rel).stat().st_size, "sha256": _sha256(folder / rel)} for rel in _files_in(folder)}


ProblemKind = Literal["manifest", "missing", "changed", "extra"]


@dataclass(frozen=True)
class IntegrityProblem:
    """One way the warehouse folder differs from its manifest.

    ``path`` is relative to the warehouse (``manifest.json`` for problems of the
    manifest itself); ``kind`` says what is wrong, ``detail`` how.

    >>> print(IntegrityProblem("regions.parquet", "changed", "SHA-256 differs from the manifest"))
    regions.parquet: SHA-256 differs from the manifest
    """

    path: str
    kind: ProblemKind
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.detail}"


class WarehouseIntegrityError(WarehouseError):
    """The warehouse's files do not match its manifest; ``problems`` lists how."""

    def __init__(self, out_dir: Path, problems: list[IntegrityProblem]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(str(p) for p in problems[:8])
        more = f"; … and {len(problems) - 8} more" if len(problems) > 8 else ""
        super().__init__(
            f"the warehouse in {out_dir} does not match its manifest ({shown}{more}): run `{REBUILD}`"
        )


def _safe_relative(path: object) -> bool:
    """A manifest path must stay inside the warehouse (a tampered one must not make us read elsewhere)."""
    if not isinstance(path, str) or not path or "\\" in path or "\x00" in path:
        return False
    pure = PurePosixPath(path)
    return not pure.is_absolute() and ".." not in pure.parts and pure.as_posix() == path


def verify_warehouse(out_dir: Path = DEFAULT_DIR) -> list[IntegrityProblem]:
    """Compare the warehouse folder with its manifest; return every problem (empty: intact).

    Checks that the manifest is readable and of this schema, that it records
    the files (``files``: size and SHA-256, written by :func:`write_warehouse`),
    that each recorded file is there with that size and hash, that
    ``observations.parquet`` and ``regions.parquet`` are among them, and that no
    other file is in the folder. Files are hashed only when their size matches.

    Parameters
    ----------
    out_dir : Path
        The warehouse folder.

    Returns
    -------
    list of IntegrityProblem
        In a stable order: manifest problems, then per file path.

    Examples
    --------
    >>> import tempfile
    >>> verify_warehouse(Path(tempfile.mkdtemp()) / "none")[0].kind
    'manifest'
    """
    out_dir = Path(out_dir)
    try:
        manifest = read_manifest(out_dir)
    except WarehouseError as exc:
        return [IntegrityProblem(MANIFEST, "manifest", str(exc))]
    record = manifest.get(FILES)
    if not isinstance(record, dict) or not record:
        return [
            IntegrityProblem(
                MANIFEST,
                "manifest",
                "records no file checksums (written by an older regiowelvaart, or edited)",
            )
        ]
    problems: list[IntegrityProblem] = []
    listed: dict[str, dict[str, Any]] = {}
    for rel, facts in sorted(record.items(), key=lambda kv: str(kv[0])):
        ok = (
            _safe_relative(rel)
            and isinstance(facts, dict)
            and isinstance(facts.get("sha256"), str)
            and isinstance(facts.get("bytes"), int)
            and not isinstance(facts.get("bytes"), bool)
        )
        if not ok:
            problems.append(IntegrityProblem(MANIFEST, "manifest", f"invalid file entry {str(rel)[:80]!r}"))
        else:
            listed[rel] = facts
    for core in (OBSERVATIONS, REGIONS):
        if core not in listed:
            problems.append(IntegrityProblem(core, "manifest", "not recorded in the manifest"))
    present = set(_files_in(out_dir))
    for rel, facts in listed.items():
        path = out_dir / rel
        if rel not in present:
            problems.append(IntegrityProblem(rel, "missing", "missing from the folder"))
            continue
        size = path.stat().st_size
        if size != facts["bytes"]:
            problems.append(
                IntegrityProblem(rel, "changed", f"{size} bytes, the manifest says {facts['bytes']}")
            )
        elif _sha256(path) != facts["sha256"].lower():
            problems.append(IntegrityProblem(rel, "changed", "SHA-256 differs from the manifest"))
    for rel in sorted(present - set(listed)):
        problems.append(IntegrityProblem(rel, "extra", "not in the manifest"))
    return problems


def check_warehouse(out_dir: Path = DEFAULT_DIR) -> None:
    """Raise :class:`WarehouseIntegrityError` when :func:`verify_warehouse` finds a problem."""
    problems = verify_warehouse(out_dir)
    if problems:
        raise WarehouseIntegrityError(Path(out_dir), problems)


def integrity_key(out_dir: Path = DEFAULT_DIR) -> tuple[tuple[str, int, int], ...]:
    """Path, size and mtime of every file in the warehouse, manifest included: a cheap cache key.

    Changes whenever a build swaps in a new warehouse or a file is touched, so
    an app can cache :func:`verify_warehouse` on it and hash only when it changes.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return ()
    out = []
    for rel in [MANIFEST, *_files_in(out_dir)]:
        try:
            st = (out_dir / rel).stat()
        except OSError:
            continue
        out.append((rel, st.st_size, st.st_mtime_ns))
    return tuple(out)


def warehouse_exists(out_dir: Path = DEFAULT_DIR) -> bool:
    """True when ``out_dir`` holds all three warehouse files."""
    d = Path(out_dir)
    return all((d / name).is_file() for name in (OBSERVATIONS, REGIONS, MANIFEST))


def read_manifest(out_dir: Path = DEFAULT_DIR) -> dict[str, Any]:
    """Return the manifest; raise WarehouseError when missing or of another schema."""
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        raise WarehouseError(f"no warehouse at {out_dir}: run `python -m welfare build`")
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise WarehouseError(f"{path} is unreadable ({exc}): run `python -m welfare build`") from exc
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        raise WarehouseError(
            f"warehouse schema {version} ≠ {SCHEMA_VERSION}: run `python -m welfare build`"
        )
    return manifest


def _read(out_dir: Path, name: str) -> pd.DataFrame:
    path = Path(out_dir) / name
    if not path.is_file():
        raise WarehouseError(f"no {name} in {out_dir}: run `python -m welfare build`")
    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    version = json.loads(raw).get("schema_version") if raw else None
    if version != SCHEMA_VERSION:
        raise WarehouseError(f"{path}: warehouse schema {version} ≠ {SCHEMA_VERSION}: run `python -m welfare build`")
    return table.to_pandas()


def read_observations(out_dir: Path = DEFAULT_DIR) -> pd.DataFrame:
    """Return observations.parquet as a frame (columns: OBSERVATION_COLUMNS)."""
    return _read(out_dir, OBSERVATIONS)


def published_rows(observations: pd.DataFrame) -> pd.DataFrame:
    """Only the rows as CBS published them (not the ones restated on other boundaries)."""
    return observations[~observations["flags"].str.contains("harmonised", regex=False)]


def harmonised_rows(observations: pd.DataFrame, boundary_year: int | None = None) -> pd.DataFrame:
    """Only the restated rows (of one target boundary year, when given)."""
    rows = observations[observations["flags"].str.contains("harmonised", regex=False)]
    return rows if boundary_year is None else rows[rows["boundary_year"] == boundary_year]


def read_regions(out_dir: Path = DEFAULT_DIR) -> pd.DataFrame:
    """Return regions.parquet as a frame (columns: REGION_COLUMNS)."""
    return _read(out_dir, REGIONS)


# The Regio Deals (welfare.deals): the registry and its members on every boundary year.
DEALS = "deals.parquet"
DEAL_MEMBERS = "deal_members.parquet"
_LIST = pa.list_(pa.string())
DEAL_COLUMNS: dict[str, pa.DataType] = {
    "id": pa.string(),
    "name": pa.string(),
    "tranche": pa.int16(),
    "year_selected": pa.int16(),
    "date_signed": pa.string(),  # ISO 8601 at the precision known: 2020-07-17, 2020-07 or 2024
    "end_year": pa.int16(),
    "rijksbijdrage_meur": pa.float64(),
    "cofinancing_meur": pa.float64(),
    "provinces": _LIST,
    "gemeenten": _LIST,  # as named in the deal's naming year
    "lead_ministry": pa.string(),
    "themes": _LIST,
    "status": pa.string(),
    "partial": pa.bool_(),
    "successor": pa.string(),
    "sources": _LIST,
    "notes": pa.string(),
}
DEAL_MEMBER_COLUMNS: dict[str, pa.DataType] = {
    "deal_id": pa.string(),
    "gemeente_code": pa.string(),
    "gemeente_name": pa.string(),
    "year": pa.int16(),  # boundary year
    "partial": pa.bool_(),
}


def write_deal_tables(folder: Path, deals: pd.DataFrame, members: pd.DataFrame, meta: dict[str, Any]) -> None:
    """Write deals.parquet and deal_members.parquet into ``folder`` (a build's staging folder)."""
    pq.write_table(_table(deals, DEAL_COLUMNS, meta), Path(folder) / DEALS)
    pq.write_table(_table(members, DEAL_MEMBER_COLUMNS, meta), Path(folder) / DEAL_MEMBERS)


def read_deals(out_dir: Path = DEFAULT_DIR) -> pd.DataFrame:
    """Return deals.parquet: one row per Regio Deal (columns: DEAL_COLUMNS, then derived ones)."""
    return _read(out_dir, DEALS)


def read_deal_members(out_dir: Path = DEFAULT_DIR, year: int | None = None) -> pd.DataFrame:
    """Return deal_members.parquet (deal × gemeente × boundary year), of one year when given."""
    frame = _read(out_dir, DEAL_MEMBERS)
    return frame if year is None else frame[frame["year"] == year].reset_index(drop=True)


def mtime(out_dir: Path = DEFAULT_DIR) -> float:
    """Modification time of the manifest: a cache key that changes with every build."""
    path = Path(out_dir) / MANIFEST
    return path.stat().st_mtime if path.exists() else 0.0


# Raw snapshots (live builds): what the source delivered per table, for `build --refresh`.
RAW_DIR = "raw"


def snapshot_name(table_id: str, filters: Mapping[str, str] | None = None, text: bool = False) -> str:
    """The warehouse-relative path of a table's snapshot: one per table and filter set.

    >>> snapshot_name("86059NED", text=True)
    'raw/86059NED.text.parquet'
    >>> snapshot_name("86088NED", {"Persoonskenmerken": "Totaal personen"})
    'raw/86088NED-3d9b1c8b.parquet'
    """
    if text:
        return f"{RAW_DIR}/{table_id}.text.parquet"
    key = json.dumps(sorted((filters or {}).items()), ensure_ascii=False)
    return f"{RAW_DIR}/{table_id}-{hashlib.sha256(key.encode()).hexdigest()[:8]}.parquet"


def _write_snapshot(path: Path, frame: pd.DataFrame, meta: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    old = table.schema.metadata or {}
    # Deterministic bytes: no build id or time inside, keys sorted; equal deliveries, equal files.
    meta = {**meta, "schema_version": SCHEMA_VERSION}
    table = table.replace_schema_metadata({**old, METADATA_KEY: json.dumps(meta, sort_keys=True, ensure_ascii=False).encode()})
    pq.write_table(table, path)


def _read_snapshot(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    if not path.is_file():
        raise WarehouseError(f"no snapshot {path.name} in {path.parent}: run `{REBUILD}`")
    try:
        table = pq.read_table(path)
        meta = json.loads((table.schema.metadata or {}).get(METADATA_KEY, b"{}"))
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise WarehouseError(f"{path}: unreadable snapshot ({exc}): run `{REBUILD}`") from exc
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise WarehouseError(f"{path}: snapshot schema {meta.get('schema_version')} ≠ {SCHEMA_VERSION}: run `{REBUILD}`")
    return table.to_pandas(), meta


def write_raw_snapshot(folder: Path, name: str, raw: RawTable, filters: Mapping[str, str], api: str = "") -> None:
    """Write one delivered table (a RawTable) to ``folder/name`` (a build's staging folder).

    The metadata keeps what ``welfare.tidy`` needs besides the frame: the
    measure keys, units, extra dimensions, warnings and version, and the API.
    """
    meta = {
        "kind": "measures",
        "table_id": raw.table_id,
        "filters": dict(filters),
        "measure_keys": [[ref.stem, ref.occurrence, key] for ref, key in raw.measure_keys.items()],
        "units": raw.units,
        "extra_dims": raw.extra_dims,
        "warnings": raw.warnings,
        "version": raw.version,
        "api": api,
    }
    _write_snapshot(Path(folder) / name, raw.frame, meta)


def read_raw_snapshot(out_dir: Path, name: str) -> tuple[RawTable, dict[str, Any]]:
    """A snapshot written by :func:`write_raw_snapshot`, as a RawTable and its metadata."""
    frame, meta = _read_snapshot(Path(out_dir) / name)
    extra_dims = [str(d) for d in meta.get("extra_dims") or []]
    for col in [REGION_TITLE, REGION_KEY, PERIOD_TITLE, PERIOD_KEY, MARGIN, *extra_dims]:
        if col in frame.columns:  # as the live sources give them (Parquet may bring back all-null columns as null)
            frame[col] = frame[col].astype("object").where(frame[col].notna(), None).astype("string")
    raw = RawTable(
        table_id=str(meta.get("table_id", "")),
        frame=frame,
        measure_keys={MeasureRef(stem, int(occ)): str(key) for stem, occ, key in meta.get("measure_keys", [])},
        units={str(k): str(v) for k, v in (meta.get("units") or {}).items()},
        extra_dims=extra_dims,
        warnings=[str(w) for w in meta.get("warnings") or []],
        version=str(meta.get("version") or ""),
    )
    return raw, meta


def write_text_snapshot(folder: Path, name: str, table_id: str, frame: pd.DataFrame, version: str = "", api: str = "") -> None:
    """Write a table read as text (``fetch_text``: Gebieden in Nederland) to ``folder/name``."""
    _write_snapshot(Path(folder) / name, frame, {"kind": "text", "table_id": table_id, "version": version, "api": api})


def read_text_snapshot(out_dir: Path, name: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A snapshot written by :func:`write_text_snapshot` and its metadata."""
    return _read_snapshot(Path(out_dir) / name)
