"""Reading and writing the Parquet warehouse, atomically.

Layout of ``data/warehouse/`` (generated, git-ignored):

- ``observations.parquet``: indicator × region × year (see OBSERVATION_COLUMNS)
- ``regions.parquet``: region × indeling year (see REGION_COLUMNS)
- ``manifest.json``: when and from what the warehouse was built

A build writes a complete new warehouse into a staging folder beside the old
one and then swaps the folders, so readers see either the old or the new
warehouse, never a mix; if anything fails before the swap the old one is
untouched and the staging folder is removed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from welfare.errors import WarehouseError

SCHEMA_VERSION = 1
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "warehouse"
METADATA_KEY = b"regiowelvaart"

OBSERVATIONS = "observations.parquet"
REGIONS = "regions.parquet"
MANIFEST = "manifest.json"

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
    is swapped in.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    manifest = {**manifest, "schema_version": SCHEMA_VERSION}
    meta = {"schema_version": SCHEMA_VERSION, "build_id": manifest.get("build_id", "")}
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-new-", dir=out_dir.parent))
    try:
        pq.write_table(_table(observations, OBSERVATION_COLUMNS, meta), staging / OBSERVATIONS)
        pq.write_table(_table(regions, REGION_COLUMNS, meta), staging / REGIONS)
        if extra is not None:
            manifest.update(extra(staging))
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
