"""Benchmark: build time from the CSV folder vs. pyarrow parsing the same CSVs.

Prints both times and their ratio (goal: build ≤ 3× parse). Run:

    .venv/bin/python bench/build.py [--folder PATH] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from welfare.build import build_warehouse, default_folder  # noqa: E402
from welfare.catalog import load_catalog  # noqa: E402
from welfare.regions import GEBIEDEN_TABLES  # noqa: E402


def tables_read() -> list[str]:
    """The tables a build reads: every catalogue table and every Gebieden table."""
    return sorted({r.table_id for r in load_catalog().requests()} | set(GEBIEDEN_TABLES.values()))


def parse_only(folder: Path, table_ids: list[str]) -> float:
    files = {p.stem.lower(): p for p in folder.glob("*.csv")}
    start = time.perf_counter()
    for table_id in table_ids:
        pacsv.read_csv(files[table_id.lower()], parse_options=pacsv.ParseOptions(delimiter=";"))
    return time.perf_counter() - start


def build_once(folder: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        build_warehouse(source=str(folder), out_dir=Path(tmp) / "warehouse", boundaries=None)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=default_folder())
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    table_ids = tables_read()
    size = sum(p.stat().st_size for p in args.folder.glob("*.csv") if p.stem.lower() in {t.lower() for t in table_ids})
    build_once(args.folder)  # warm-up: imports, file cache
    parse = statistics.median(parse_only(args.folder, table_ids) for _ in range(args.repeat))
    build = statistics.median(build_once(args.folder) for _ in range(args.repeat))
    print(f"tables read:            {len(table_ids)} CSV files, {size / 1e6:.1f} MB")
    print(f"pyarrow parse only:     {parse:6.2f} s (median of {args.repeat})")
    print(f"welfare build (folder): {build:6.2f} s (median of {args.repeat})")
    print(f"ratio build / parse:    {build / parse:6.2f}  (goal ≤ 3.00)")


if __name__ == "__main__":
    main()
