"""Benchmark: pressure scoring and its Monte Carlo rank bands, against one numpy pass.

Three workloads, each with its ratio to the time numpy needs for one
vectorised nan-aware column z-score (``(x − nanmean) / nanstd`` over the
regions axis) of the same array:

1. Full scoring of all gemeenten × the default indicators × every year with
   data (one ``ScoringConfig(year=…)`` per year): ``prepare`` (warehouse →
   matrix) and ``score_years`` (matrices → one ranking frame, the rank
   history) timed separately, and ``score_input`` per year for reference; baseline:
   one z-score pass over the stacked years × gemeenten × indicators array.
2. ``rank_uncertainty`` with the default spec (1 000 draws: Dirichlet weights,
   three normalisations, leave-one-out, CBS bounds) for the gemeenten of the
   newest data; baseline: one z-score pass over the draws × gemeenten ×
   indicators array the draws stand for.
3. The same at 14 000 synthetic units (buurt scale): gemeente rows resampled
   with 10 % jitter, keeping their gaps and CBS intervals; baseline: the same
   pass over draws × units × indicators, in the Monte Carlo's own chunks (the
   whole array is ~1.9 GB). Peak memory by tracemalloc (numpy's buffers) in a
   separate run, so tracing does not slow the timed one.

Optionally (``--attainable``) also ``attainable_ranks`` for all gemeenten:
search only, and with the MILP proofs (minutes).

Run:

    .venv/bin/python bench/scoring.py [--warehouse DIR] [--repeat N] [--units N] [--draws N] [--attainable]

Without ``--warehouse``: data/warehouse if it exists, else one is built into a
temporary folder first.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from welfare.build import build_warehouse, default_folder  # noqa: E402
from welfare.catalog import load_catalog  # noqa: E402
from welfare.scoring import (  # noqa: E402
    ScoringConfig,
    ScoringInput,
    best_quarter,
    composite,
    prepare,
    pressure,
    score_input,
    score_years,
    theme_matrix,
    worst_quarter,
)
from welfare.uncertainty import CHUNK_BYTES, UncertaintySpec, attainable_ranks, rank_uncertainty  # noqa: E402
from welfare.warehouse import read_observations, read_regions  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``repeat`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def zscore_pass(x: np.ndarray) -> np.ndarray:
    """The baseline: one nan-aware z-score of every column over the regions axis (-2)."""
    mean = np.nanmean(x, axis=-2, keepdims=True)
    std = np.nanstd(x, axis=-2, keepdims=True)
    return (x - mean) / std


def chunked_zscore_pass(values: np.ndarray, draws: int, chunk: int) -> None:
    """The baseline over draws × units × indicators, built and normalised chunk by chunk."""
    for start in range(0, draws, chunk):
        n = min(chunk, draws - start)
        zscore_pass(np.broadcast_to(values, (n, *values.shape)).copy())


def peak_memory(fn: Callable[[], Any]) -> int:
    """Peak traced allocation (bytes) during ``fn``."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def synthetic_units(inp: ScoringInput, n: int, seed: int) -> ScoringInput:
    """``n`` units: gemeente rows drawn with replacement, values jittered by 10 % of each indicator's spread.

    A row keeps its gaps and its CBS interval half-widths, so coverage,
    missing-theme regions and bound noise look like the gemeenten's.
    """
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(inp.region_codes), size=n)
    spread = np.nanstd(inp.values, axis=0)
    base = inp.values[rows]
    values = base + rng.normal(size=base.shape) * 0.1 * spread
    return ScoringInput(
        region_codes=np.array([f"BU{i:08d}" for i in range(n)]),
        indicator_ids=inp.indicator_ids,
        themes=inp.themes,
        directions=inp.directions,
        values=values,
        lower=values - (base - inp.lower[rows]),
        upper=values + (inp.upper[rows] - base),
        years=inp.years,
    )


def years_with_data(obs: pd.DataFrame, indicators: tuple[str, ...]) -> list[int]:
    """Years with a value for at least one indicator in the rows prepare() scores gemeenten from."""
    rows = obs[
        obs["level"].eq("GM")
        & obs["flags"].str.contains("harmonised", regex=False)
        & obs["indicator_id"].isin(indicators)
        & obs["value"].notna()
    ]
    return sorted(int(y) for y in rows["year"].unique())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="warehouse folder (default: data/warehouse, else build one)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--units", type=int, default=14_000)
    parser.add_argument("--seed", type=int, default=20251127)
    parser.add_argument("--attainable", action="store_true", help="also time attainable_ranks for all gemeenten (slow)")
    args = parser.parse_args()
    warnings.simplefilter("ignore", RuntimeWarning)  # scoring's nanmean of all-missing years
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.warehouse or REPO / "data" / "warehouse"
        if not (folder / "manifest.json").exists():
            folder = Path(tmp) / "warehouse"
            build_warehouse(source=str(default_folder()), out_dir=folder, boundaries=None)
        obs, regions = read_observations(folder), read_regions(folder)
    catalog = load_catalog()
    latest = ScoringConfig().resolved(catalog)
    print(f"warehouse: {folder}  ({len(obs)} observations)")
    print(f"numpy {np.__version__}, pandas {pd.__version__}; ratio = time / one nan-aware z-score pass over the same array\n")

    # ------------------------------------------------------------------ 1. full scoring, every year
    years = years_with_data(obs, latest.indicators or ())
    configs = [replace_year(latest, y) for y in years]
    prepare(obs, regions, catalog, configs[0])  # warm-up: imports, caches
    prep_time, inputs = timed(lambda: [prepare(obs, regions, catalog, c) for c in configs], args.repeat)
    score_time, panel = timed(lambda: score_years(inputs, configs), args.repeat)
    single_time, results = timed(lambda: [score_input(i, c) for i, c in zip(inputs, configs)], args.repeat)
    stack = np.stack([i.values for i in inputs])  # (Y, R, I)
    base_time, _ = timed(lambda: zscore_pass(stack), args.repeat)
    n_values = int((~np.isnan(stack)).sum())
    ranked = int(panel["rank"].notna().sum())
    assert ranked == sum(int(r.regions["rank"].notna().sum()) for r in results)
    print(f"1. full scoring: {len(years)} years ({years[0]}–{years[-1]}) × {stack.shape[1]} gemeenten × {stack.shape[2]} indicators")
    print(f"   {n_values} values, {ranked} gemeente-years ranked (the rest below the 65 % coverage rule)")
    print(f"   prepare (warehouse → matrices):   {prep_time * 1e3:8.1f} ms  (median of {args.repeat})")
    print(f"   score_years (matrices → one ranking frame): {score_time * 1e3:8.1f} ms  goal ≤ 50 ms  ratio {score_time / base_time:6.1f}")
    print(f"   score_input per year, {len(years)} frames (+ pressure/theme frames): {single_time * 1e3:8.1f} ms")
    print(f"   numpy z-score pass, {stack.shape}:   {base_time * 1e3:8.2f} ms")
    parts = score_parts(inputs, configs, args.repeat)
    print("   of score_input:  " + ", ".join(f"{k} {v * 1e3:.1f} ms" for k, v in parts.items()))

    # ------------------------------------------------------------------ 2. Monte Carlo, gemeenten
    inp = prepare(obs, regions, catalog, latest)
    spec = UncertaintySpec(draws=args.draws, seed=args.seed)
    rank_uncertainty(inp, latest, replace_draws(spec, 10))  # warm-up
    mc_time, mc = timed(lambda: rank_uncertainty(inp, latest, spec), args.repeat)
    mc_base, _ = timed(lambda: zscore_pass(np.broadcast_to(inp.values, (spec.draws, *inp.values.shape)).copy()), args.repeat)
    mc_peak = peak_memory(lambda: rank_uncertainty(inp, latest, spec))
    print(f"\n2. Monte Carlo, {spec.draws} draws × {len(inp.region_codes)} gemeenten × {len(inp.indicator_ids)} indicators (default spec)")
    print(f"   rank_uncertainty: {mc_time:7.3f} s  goal ≤ 2 s  ratio {mc_time / mc_base:6.1f}  peak {mc_peak / 2**20:6.1f} MiB")
    print(f"   numpy z-score pass, ({spec.draws}, {len(inp.region_codes)}, {len(inp.indicator_ids)}): {mc_base:7.3f} s")
    print("   labels: " + ", ".join(f"{k} {v}" for k, v in mc["label"].value_counts().items()))

    # ------------------------------------------------------------------ 3. Monte Carlo, buurt scale
    big = synthetic_units(inp, args.units, args.seed)
    repeat = max(1, min(args.repeat, 2))
    big_time, big_out = timed(lambda: rank_uncertainty(big, latest, spec), repeat)
    per_draw = args.units * len(inp.indicator_ids) * 8 * 4
    chunk = max(1, min(spec.draws, CHUNK_BYTES // per_draw))
    big_base, _ = timed(lambda: chunked_zscore_pass(big.values, spec.draws, chunk), repeat)
    big_peak = peak_memory(lambda: rank_uncertainty(big, latest, spec))
    full = spec.draws * args.units * len(inp.indicator_ids) * 8
    print(f"\n3. Monte Carlo, {spec.draws} draws × {args.units} synthetic units × {len(inp.indicator_ids)} indicators")
    print(f"   rank_uncertainty: {big_time:7.3f} s  goal ≤ 60 s  ratio {big_time / big_base:6.1f}  (median of {repeat})")
    print(f"   numpy z-score pass over the same {full / 2**30:.1f} GiB, in chunks of {chunk} draws: {big_base:7.3f} s")
    print(f"   peak traced memory {big_peak / 2**20:7.1f} MiB (ranks kept: {spec.draws * args.units * 4 / 2**20:.0f} MiB float32);"
          f" process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:7.1f} MiB")
    print("   labels: " + ", ".join(f"{k} {v}" for k, v in big_out["label"].value_counts().items()))

    # ------------------------------------------------------------------ 4. attainable ranks (optional)
    if args.attainable:
        t, search = timed(lambda: attainable_ranks(inp, latest, solver="search"), 1)
        print(f"\n4. attainable ranks, {len(inp.region_codes)} gemeenten, floor 0.5")
        print(f"   search only:  {t:7.2f} s  methods: {dict(search['method'].value_counts())}")
        t, milp = timed(lambda: attainable_ranks(inp, latest), 1)
        gap_b = (milp["best_rank"] - milp["best_rank_bound"]).dropna()
        gap_w = (milp["worst_rank_bound"] - milp["worst_rank"]).dropna()
        print(f"   with MILP:    {t:7.2f} s  methods: {dict(milp['method'].value_counts())}")
        print(f"   gap attained–proven: best max {gap_b.max()}, mean {gap_b.mean():.2f}; worst max {gap_w.max()}, mean {gap_w.mean():.2f}")


def replace_year(config: ScoringConfig, year: int) -> ScoringConfig:
    from dataclasses import replace

    return replace(config, year=year)


def replace_draws(spec: UncertaintySpec, draws: int) -> UncertaintySpec:
    from dataclasses import replace

    return replace(spec, draws=draws)


def score_parts(inputs: list[ScoringInput], configs: list[ScoringConfig], repeat: int) -> dict[str, float]:
    """Where score_input's time goes: its steps timed on their own, the rest is frame building."""

    def steps(step: str) -> None:
        for inp, config in zip(inputs, configs):
            order = tuple(t for t, _ in config.theme_weights or ())
            weights = np.array([w for _, w in config.theme_weights or ()])
            membership = theme_matrix(inp.themes, order)
            press = pressure(inp.values, inp.directions, config.normalisation)
            if step == "composite":
                composite(press, membership, weights, config.aggregation, config.min_coverage)
            elif step == "quarters":
                worst_quarter(press)
                best_quarter(press)

    base, _ = timed(lambda: steps("pressure"), repeat)
    comp, _ = timed(lambda: steps("composite"), repeat)
    quarters, _ = timed(lambda: steps("quarters"), repeat)
    total, _ = timed(lambda: [score_input(i, c) for i, c in zip(inputs, configs)], repeat)
    return {
        "pressure": base,
        "composite": comp - base,
        "worst+best quarter": quarters - base,
        "theme quarter, flags, frames": total - comp - (quarters - base),
    }


if __name__ == "__main__":
    main()
