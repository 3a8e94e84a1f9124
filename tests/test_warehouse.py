"""Atomic writes and schema checks of the warehouse."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from welfare import warehouse as wh
from welfare.errors import WarehouseError


def tiny(value: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    obs = pd.DataFrame(
        {"indicator_id": ["wrk_unemployment"], "region_code": ["GM0363"], "level": ["GM"], "year": [2024], "value": [value],
         "lower": [float("nan")], "upper": [float("nan")], "source_table": ["86088NED"], "boundary_year": [2024], "flags": [""]}
    )
    reg = pd.DataFrame(
        {"code": ["GM0363"], "name": ["Amsterdam"], "level": ["GM"], "year": [2024], "corop": ["CR23"], "provincie": ["PV27"],
         "landsdeel": ["LD03"], "arbeidsmarktregio": ["AM15"], "population": [931298.0]}
    )
    return obs, reg


def test_round_trip_with_schema_metadata(tmp_path):
    out = tmp_path / "warehouse"
    obs, reg = tiny()
    wh.write_warehouse(out, obs, reg, {"build_id": "abc"})
    assert wh.warehouse_exists(out)
    back = wh.read_observations(out)
    assert back["value"].tolist() == [1.0] and str(back["year"].dtype) == "int16"
    meta = json.loads(pq.read_schema(out / wh.OBSERVATIONS).metadata[b"regiowelvaart"])
    assert meta == {"schema_version": wh.SCHEMA_VERSION, "build_id": "abc"}
    assert wh.read_manifest(out)["schema_version"] == wh.SCHEMA_VERSION


def test_failure_while_writing_keeps_the_old_warehouse(tmp_path, monkeypatch):
    out = tmp_path / "warehouse"
    wh.write_warehouse(out, *tiny(1.0), {"build_id": "old"})
    real = pq.write_table
    calls = []

    def flaky(table, path, *a, **k):
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(table, path, *a, **k)

    monkeypatch.setattr(wh.pq, "write_table", flaky)
    with pytest.raises(OSError, match="disk full"):
        wh.write_warehouse(out, *tiny(2.0), {"build_id": "new"})
    assert wh.read_manifest(out)["build_id"] == "old"
    assert wh.read_observations(out)["value"].tolist() == [1.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warehouse"]


def test_missing_column_is_refused_before_anything_is_written(tmp_path):
    obs, reg = tiny()
    with pytest.raises(WarehouseError, match="columns missing: flags"):
        wh.write_warehouse(tmp_path / "w", obs.drop(columns="flags"), reg, {})
    assert not (tmp_path / "w").exists()


def test_other_schema_version_asks_for_a_rebuild(tmp_path):
    out = tmp_path / "warehouse"
    wh.write_warehouse(out, *tiny(), {})
    manifest = json.loads((out / wh.MANIFEST).read_text())
    (out / wh.MANIFEST).write_text(json.dumps({**manifest, "schema_version": 0}))
    with pytest.raises(WarehouseError, match=r"schema 0 ≠ 1: run `python -m welfare build`"):
        wh.read_manifest(out)


def test_no_warehouse_is_a_clear_error(tmp_path):
    assert not wh.warehouse_exists(tmp_path)
    with pytest.raises(WarehouseError, match="no warehouse"):
        wh.read_manifest(tmp_path)
    with pytest.raises(WarehouseError, match="no observations.parquet"):
        wh.read_observations(tmp_path)
