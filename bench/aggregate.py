"""Benchmark: welfare.aggregate vs. a plain pandas groupby weighted mean of the same data.

Workload: all indicators × all years for the 40 COROP, the 12 provinces and 82
random deal-sized sets of 2–15 gemeenten (seeded), from one warehouse.

- ``welfare.aggregate``: ``aggregate_level("CR")`` + ``aggregate_level("PV")`` +
  ``aggregate_areas(82 sets)`` with their defaults (catalogue rules, coverage,
  reasons, flags, published values, bounds).
- baseline: the same gemeente rows (newest indeling per indicator × year) merged
  once with the same membership (regions of the rows' indeling, nearest year when
  missing) and one ``groupby(...).sum()`` for a population-weighted mean that
  skips missing values; nothing else.

Both start from the same in-memory observations and regions frames and produce
one row per area × indicator × year. Run:

    .venv/bin/python bench/aggregate.py [--warehouse DIR] [--repeat N] [--seed S]

Without ``--warehouse`` a warehouse is built into a temporary folder first.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from welfare.aggregate import aggregate_areas, aggregate_level  # noqa: E402
from welfare.build import build_warehouse, default_folder  # noqa: E402
from welfare.catalog import load_catalog  # noqa: E402
from welfare.warehouse import read_observations, read_regions  # noqa: E402

N_SETS = 82


def deal_sets(regions: pd.DataFrame, seed: int, n: int = N_SETS) -> dict[str, list[str]]:
    """``n`` random sets of 2–15 gemeenten of the newest indeling (a seeded stand-in for deal areas)."""
    rng = np.random.default_rng(seed)
    gm = regions[regions["level"] == "GM"]
    codes = np.sort(gm.loc[gm["year"] == gm["year"].max(), "code"].to_numpy(dtype=object))
    return {f"set{i:02d}": sorted(rng.choice(codes, size=int(rng.integers(2, 16)), replace=False)) for i in range(n)}


def run_welfare(obs: pd.DataFrame, regions: pd.DataFrame, sets: dict[str, list[str]], parts: dict[str, list[float]] | None = None) -> int:
    catalog = load_catalog()
    n = 0
    calls = {
        "CR": lambda: aggregate_level(obs, regions, "CR", catalog),
        "PV": lambda: aggregate_level(obs, regions, "PV", catalog),
        "sets": lambda: aggregate_areas(obs, regions, sets, catalog),
    }
    with warnings.catch_warnings():
        # the sets span years before 2016 on their own indelingen: aggregate_areas warns, as it should
        warnings.simplefilter("ignore", UserWarning)
        for name, call in calls.items():
            start = time.perf_counter()
            n += len(call())
            if parts is not None:
                parts.setdefault(name, []).append(time.perf_counter() - start)
    return n


def run_baseline(obs: pd.DataFrame, regions: pd.DataFrame, sets: dict[str, list[str]]) -> int:
    """The plain pandas version: select rows, one merge with the membership, one groupby."""
    catalog = load_catalog()
    computable = [i for i, ind in catalog.indicators.items() if ind.aggregation != "none"]
    rows = obs.loc[
        obs["level"].eq("GM") & obs["indicator_id"].isin(computable),
        ["indicator_id", "region_code", "year", "boundary_year", "value"],
    ]
    rows = rows[rows["boundary_year"] == rows.groupby(["indicator_id", "year"])["boundary_year"].transform("max")]
    rows = rows.drop_duplicates(["indicator_id", "region_code", "year", "boundary_year"])
    gm = regions[regions["level"] == "GM"]
    have = np.sort(gm["year"].unique().astype(int))
    bys = np.sort(rows["boundary_year"].unique().astype(int))
    nearest = pd.DataFrame({"boundary_year": bys, "ry": [have[np.argmin(np.abs(have - b) * 2 - (have > b))] for b in bys]})
    parts = [
        gm[["year", "code", "corop", "population"]].rename(columns={"corop": "area"}),
        gm[["year", "code", "provincie", "population"]].rename(columns={"provincie": "area"}),
    ]
    pairs = pd.DataFrame([(a, c) for a, codes in sets.items() for c in codes], columns=["area", "code"])
    parts.append(pairs.merge(gm[["year", "code", "population"]], on="code"))
    members = pd.concat(parts, ignore_index=True).rename(columns={"year": "ry", "code": "region_code"})
    rows = rows.merge(nearest, on="boundary_year")
    grid = rows.merge(members, on=["ry", "region_code"])
    grid["w"] = grid["population"].where(grid["value"].notna(), 0.0)
    grid["wv"] = (grid["value"] * grid["population"]).fillna(0.0)
    out = grid.groupby(["indicator_id", "year", "area"])[["wv", "w"]].sum()
    out["value"] = out["wv"] / out["w"]
    return len(out)


def timed(fn, *args, repeat: int) -> tuple[float, int]:
    times, n = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        n = fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="warehouse folder (default: build one from the CSV folder)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20250401)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.warehouse
        if folder is None:
            folder = Path(tmp) / "warehouse"
            build_warehouse(source=str(default_folder()), out_dir=folder, boundaries=None)
        obs, regions = read_observations(folder), read_regions(folder)
    sets = deal_sets(regions, args.seed)
    run_welfare(obs, regions, sets)  # warm-up: imports, catalogue cache
    run_baseline(obs, regions, sets)
    parts: dict[str, list[float]] = {}
    ours, n_ours = timed(run_welfare, obs, regions, sets, parts, repeat=args.repeat)
    base, n_base = timed(run_baseline, obs, regions, sets, repeat=args.repeat)
    gm_rows = int(obs["level"].eq("GM").sum())
    sizes = [len(v) for v in sets.values()]
    print(f"input:                  {len(obs)} observations ({gm_rows} gemeente rows), {len(regions)} region rows")
    print(f"areas:                  40 COROP + 12 provinces + {len(sets)} sets of {min(sizes)}–{max(sizes)} gemeenten (seed {args.seed})")
    print(f"welfare.aggregate:      {ours:6.3f} s (median of {args.repeat}), {n_ours} area rows")
    print("  of which:              " + ", ".join(f"{k} {statistics.median(v):.3f} s" for k, v in parts.items()))
    print(f"plain pandas groupby:   {base:6.3f} s (median of {args.repeat}), {n_base} area rows")
    print(f"ratio aggregate / plain: {ours / base:5.2f}")


if __name__ == "__main__":
    main()
