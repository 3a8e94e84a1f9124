"""Determinism and integrity of the warehouse (issue 9, part 5).

- Every file of a warehouse is recorded in ``manifest.json`` (``files``: bytes
  and SHA-256); ``verify_warehouse`` lists what is missing, changed or extra.
- Two builds of the same inputs, in processes with different hash seeds, give
  byte-identical Parquet/GeoJSON files and equal ``files`` records.
- The app refuses a warehouse that does not match its manifest, with the
  rebuild command and without a traceback, and hashes only when a file changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import welfare.warehouse as wh
from browser import WAREHOUSE_ENV, write_synthetic_warehouse
from welfare.warehouse import (
    IntegrityProblem,
    WarehouseIntegrityError,
    check_warehouse,
    file_record,
    integrity_key,
    verify_warehouse,
)

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app.py"
SHARED = REPO.parent / "shared"


def tiny() -> tuple[pd.DataFrame, pd.DataFrame]:
    obs = pd.DataFrame(
        {"indicator_id": ["wrk_unemployment"], "region_code": ["GM0363"], "level": ["GM"], "year": [2024],
         "value": [4.1], "lower": [float("nan")], "upper": [float("nan")], "source_table": ["86088NED"],
         "boundary_year": [2024], "flags": [""]}
    )  # fmt: skip
    reg = pd.DataFrame(
        {"code": ["GM0363"], "name": ["Amsterdam"], "level": ["GM"], "year": [2024], "corop": ["CR23"],
         "provincie": ["PV27"], "landsdeel": ["LD03"], "arbeidsmarktregio": ["AM15"], "population": [931298.0]}
    )  # fmt: skip
    return obs, reg


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A small warehouse with a file in a subfolder, written through ``extra`` as a build does."""
    out = tmp_path / "warehouse"

    def extra(staging: Path) -> dict:
        (staging / "boundaries").mkdir()
        (staging / "boundaries" / "gemeente_2024.geojson").write_text('{"type": "FeatureCollection", "features": []}')
        return {"boundaries": {"folder": "boundaries"}}

    wh.write_warehouse(out, *tiny(), {"build_id": "abc"}, extra=extra)
    return out


def kinds(problems: list[IntegrityProblem]) -> list[tuple[str, str]]:
    return [(p.path, p.kind) for p in problems]


# ------------------------------------------------------------------ the record


def test_manifest_records_every_file_with_size_and_sha256(warehouse: Path) -> None:
    manifest = json.loads((warehouse / wh.MANIFEST).read_text())
    assert sorted(manifest["files"]) == ["boundaries/gemeente_2024.geojson", "observations.parquet", "regions.parquet"]
    for rel, facts in manifest["files"].items():
        data = (warehouse / rel).read_bytes()
        assert facts["bytes"] == len(data)
        import hashlib

        assert facts["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["files"] == file_record(warehouse)
    assert verify_warehouse(warehouse) == []
    check_warehouse(warehouse)  # does not raise


def test_warehouse_folder_is_not_private(warehouse: Path) -> None:
    # The staging folder used to come from mkdtemp (0700): a server user other than the builder could not read it.
    umask = os.umask(0)
    os.umask(umask)
    assert warehouse.stat().st_mode & 0o777 == 0o777 & ~umask


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _edit_manifest(out: Path, edit) -> None:
    manifest = json.loads((out / wh.MANIFEST).read_text())
    edit(manifest)
    (out / wh.MANIFEST).write_text(json.dumps(manifest))


TAMPER = [
    ("byte flipped", lambda d: _flip_byte(d / "observations.parquet"), [("observations.parquet", "changed")], "SHA-256"),
    ("truncated", lambda d: (d / "regions.parquet").write_bytes((d / "regions.parquet").read_bytes()[:100]),
     [("regions.parquet", "changed")], "100 bytes"),
    ("deleted", lambda d: (d / "boundaries" / "gemeente_2024.geojson").unlink(),
     [("boundaries/gemeente_2024.geojson", "missing")], "missing"),
    ("subfolder file changed", lambda d: (d / "boundaries" / "gemeente_2024.geojson").write_text('{"type": "FeatureCollection", "features": [1]}'),
     [("boundaries/gemeente_2024.geojson", "changed")], "bytes"),
    ("extra file", lambda d: (d / "boundaries" / "provincie_2024.geojson").write_text("{}"),
     [("boundaries/provincie_2024.geojson", "extra")], "not in the manifest"),
    ("replaced by an older copy", lambda d: _swap_observations(d), [("observations.parquet", "changed")], "SHA-256"),
    ("manifest without files", lambda d: _edit_manifest(d, lambda m: m.pop("files")), [("manifest.json", "manifest")], "no file checksums"),
    ("manifest of another schema", lambda d: _edit_manifest(d, lambda m: m.update(schema_version=0)), [("manifest.json", "manifest")], "schema 0"),
    ("manifest not JSON", lambda d: (d / wh.MANIFEST).write_text("{nope"), [("manifest.json", "manifest")], "unreadable"),
    ("core file unlisted", lambda d: _edit_manifest(d, lambda m: m["files"].pop("regions.parquet")),
     [("regions.parquet", "manifest"), ("regions.parquet", "extra")], "not recorded"),
    ("path outside the warehouse", lambda d: _edit_manifest(d, lambda m: m["files"].update({"../../etc/passwd": {"bytes": 1, "sha256": "0"}})),
     [("manifest.json", "manifest")], "invalid file entry"),
    ("entry of the wrong shape", lambda d: _edit_manifest(d, lambda m: m["files"].update({"regions.parquet": "ok"})),
     [("manifest.json", "manifest"), ("regions.parquet", "manifest"), ("regions.parquet", "extra")], "invalid file entry"),
]  # fmt: skip


def _swap_observations(out: Path) -> None:
    obs, _ = tiny()
    obs["value"] = [9.9]  # same schema and metadata, another value: a stale or foreign file
    import pyarrow.parquet as pq

    pq.write_table(wh._table(obs, wh.OBSERVATION_COLUMNS, {"schema_version": wh.SCHEMA_VERSION, "build_id": "abc"}),
                   out / "observations.parquet")  # fmt: skip


@pytest.mark.parametrize(("case", "tamper", "expected", "text"), TAMPER, ids=[c[0] for c in TAMPER])
def test_tampering_is_found_and_named(warehouse: Path, case: str, tamper, expected, text: str) -> None:
    tamper(warehouse)
    problems = verify_warehouse(warehouse)
    assert kinds(problems) == expected
    assert text in " ".join(str(p) for p in problems)
    with pytest.raises(WarehouseIntegrityError, match=r"does not match its manifest.*run `python -m welfare build`") as info:
        check_warehouse(warehouse)
    assert list(info.value.problems) == problems
    assert isinstance(info.value, wh.WarehouseError)


def test_no_warehouse_is_one_manifest_problem(tmp_path: Path) -> None:
    assert kinds(verify_warehouse(tmp_path / "none")) == [("manifest.json", "manifest")]


def test_integrity_key_changes_with_any_file_and_not_otherwise(warehouse: Path) -> None:
    key = integrity_key(warehouse)
    assert [k[0] for k in key] == ["manifest.json", "boundaries/gemeente_2024.geojson", "observations.parquet", "regions.parquet"]
    assert integrity_key(warehouse) == key
    path = warehouse / "observations.parquet"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert integrity_key(warehouse) != key


# ---------------------------------------------------------------- determinism

_BUILD = """
import json, sys
from welfare.build import build_warehouse
result = build_warehouse(source=sys.argv[1], out_dir=sys.argv[2], boundaries=sys.argv[3])
print(json.dumps({"build_id": result.manifest["build_id"]}))
"""


def test_same_inputs_give_byte_identical_files(cbs_folder: Path, tmp_path: Path) -> None:
    """Two builds of the same folders (with boundaries), side by side in two processes.

    Different PYTHONHASHSEEDs, so any order that depends on set/dict hashing shows up.
    """
    outs = [tmp_path / name / "warehouse" for name in ("a", "b")]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _BUILD, str(cbs_folder), str(out), str(SHARED / "data" / "geo")],
            cwd=REPO, env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for out, seed in zip(outs, ("1", "2"), strict=True)
    ]
    for run in runs:
        _, err = run.communicate(timeout=900)
        assert run.returncode == 0, err[-2000:]

    first, second = outs
    a = json.loads((first / wh.MANIFEST).read_text())
    b = json.loads((second / wh.MANIFEST).read_text())
    assert a["build_id"] == b["build_id"]  # derived from the inputs, not random
    assert a["files"] == b["files"]
    assert len(a["files"]) > 50  # observations, regions, deals, 27 layers × 2 boundary files
    for rel in a["files"]:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel
    assert verify_warehouse(first) == [] and verify_warehouse(second) == []
    # Only the manifest differs, and only in what says when and how long.
    for key in ("built_at", "build_seconds"):
        a.pop(key), b.pop(key)
    assert a == b


def test_build_id_follows_the_content(tmp_path: Path) -> None:
    from welfare.build import content_id

    obs, reg = tiny()
    inputs = {"catalog_hash": "x", "tables": {"86088NED": "2025-04-01"}}
    assert content_id(inputs, obs, reg) == content_id(dict(inputs), obs.copy(), reg.copy())
    changed = obs.assign(value=[4.2])
    assert content_id(inputs, changed, reg) != content_id(inputs, obs, reg)
    assert content_id({**inputs, "tables": {"86088NED": "2025-05-01"}}, obs, reg) != content_id(inputs, obs, reg)


# ----------------------------------------------------------------------- app


@pytest.fixture
def app_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "warehouse"
    write_synthetic_warehouse(out)
    monkeypatch.setenv(WAREHOUSE_ENV, str(out))
    return out


def run_app(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _accepted(at: AppTest) -> None:
    assert not at.exception
    assert not any("klopt niet met zijn manifest" in e.value for e in at.error), "the frame refused the warehouse"


def _refused(at: AppTest) -> str:
    assert not at.exception
    assert at.error, "expected the integrity message"
    assert not at.title, "a page ran on a refused warehouse"
    return at.error[0].value


@pytest.mark.parametrize(
    ("case", "tamper", "shown"),
    [
        ("changed", lambda d: _flip_byte(d / "observations.parquet"), "observations.parquet"),
        ("missing", lambda d: (d / "regions.parquet").unlink(), "regions.parquet"),
        ("extra", lambda d: (d / "notes.txt").write_text("hello"), "notes.txt"),
        ("old manifest", lambda d: _edit_manifest(d, lambda m: m.pop("files")), "manifest.json"),
    ],
)
def test_app_refuses_a_warehouse_that_does_not_match(app_warehouse: Path, case: str, tamper, shown: str) -> None:
    tamper(app_warehouse)
    message = _refused(run_app())
    assert "klopt niet met zijn manifest" in message
    assert shown.replace(".", "\\.").replace("_", "\\_") in message or shown in message
    assert f"python -m welfare build --out {app_warehouse}" in message


def test_app_message_in_english(app_warehouse: Path) -> None:
    _flip_byte(app_warehouse / "regions.parquet")
    message = _refused(run_app(lang="en"))
    assert "does not match its manifest" in message and "Rebuild the data warehouse" in message


def test_app_hashes_only_when_a_file_changed(app_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    real = wh.verify_warehouse

    def counting(out_dir):
        calls.append(Path(out_dir))
        return real(out_dir)

    monkeypatch.setattr(wh, "verify_warehouse", counting)
    at = run_app()
    _accepted(at)
    at.run()
    run_app()  # a new session: the cache is per process
    assert len(calls) == 1
    _flip_byte(app_warehouse / "observations.parquet")  # same size; the mtime changes
    _refused(run_app())
    assert len(calls) == 2
