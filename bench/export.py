"""Benchmark: briefing exports through Kaleido and Debian's chromium.

Three figures, each printed with its goal:

1. One map as PNG (2×, A4 full page) with a warm Kaleido server: the median
   of ``--repeat`` exports in one process (goal ≤ 1.5 s).
2. A full briefing pack of six figures (gemeente, COROP and province maps of
   the pressure score and of unemployment): PNG + SVG + PDF per figure, the
   methods page and the CSVs (goal ≤ 15 s, warm).
3. Cold versus warm: the first PNG of a fresh process (which starts the
   Kaleido browser) against a warm one, as a ratio; measured in a separate
   Python process so nothing is warm.

Figures are built by ``welfare.mapview`` before timing: only rendering and
packing are timed.

Run:

    .venv/bin/python bench/export.py [--warehouse DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from welfare import export, mapview  # noqa: E402
from welfare.state import View  # noqa: E402

GOAL_PNG_S = 1.5
GOAL_PACK_S = 15.0
PACK_VIEWS = [
    View(level=level, indicator=indicator)
    for indicator in ("pressure", "wrk_unemployment")
    for level in ("GM", "CR", "PV")
]

COLD = """
import json, sys, time
sys.path.insert(0, {repo!r})
from welfare import export, mapview
from welfare.state import View
data = mapview.Warehouse.read({folder!r})
fig = mapview.build_map(View(level="CR"), data, {folder!r}, "nl").figure
t0 = time.perf_counter()
export.render(fig, "png", "a4-full", scale=2)
cold = time.perf_counter() - t0
t0 = time.perf_counter()
export.render(fig, "png", "a4-full", scale=2)
print(json.dumps({{"cold": cold, "warm": time.perf_counter() - t0}}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=REPO / "data" / "warehouse")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = str(args.warehouse)
    if not (args.warehouse / "manifest.json").is_file():
        print(f"no warehouse in {folder}: run python -m welfare build first", file=sys.stderr)
        return 1
    if export.chromium() is None:
        print("no chromium: apt-get install chromium", file=sys.stderr)
        return 1

    data = mapview.Warehouse.read(folder)
    shown = [mapview.build_map(v, data, folder, "nl") for v in PACK_VIEWS]
    export.ensure_server()
    export.render(shown[1].figure, "png", "a4-full", scale=2)  # warm up

    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        png = export.render(shown[0].figure, "png", "a4-full", scale=2)
        times.append(time.perf_counter() - t0)
    png_s = statistics.median(times)
    print(f"PNG 2× A4, gemeente map, warm: median {png_s:.2f} s over {args.repeat} "
          f"(min {min(times):.2f}, max {max(times):.2f}; {len(png) / 1e6:.1f} MB) — goal ≤ {GOAL_PNG_S} s: "
          f"{'met' if png_s <= GOAL_PNG_S else 'NOT met'}")  # fmt: skip

    items = [
        export.ExportItem(name=f"kaart-{v.indicator}-{v.level}", title=s.text.title, figure=s.figure, data=s.data,
                          permalink="http://localhost:8501/" + (f"?niveau={v.level}" if v.level != "GM" else ""),
                          config_hash=s.info.get("hash"))  # fmt: skip
        for v, s in zip(PACK_VIEWS, shown)
    ]
    t0 = time.perf_counter()
    pack = export.briefing_pack(items, lang="nl", vintage=shown[0].text.vintage)
    pack_s = time.perf_counter() - t0
    print(f"briefing pack of {len(items)} figures (PNG + SVG + PDF each, methods page, CSVs): {pack_s:.1f} s, "
          f"{len(pack) / 1e6:.1f} MB — goal ≤ {GOAL_PACK_S:.0f} s: {'met' if pack_s <= GOAL_PACK_S else 'NOT met'}")  # fmt: skip

    out = subprocess.run([sys.executable, "-c", COLD.format(repo=str(REPO), folder=folder)], capture_output=True, text=True, check=True)
    cold = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"fresh process, COROP map PNG: cold {cold['cold']:.2f} s (starts Kaleido's chromium), then warm {cold['warm']:.2f} s; "
          f"warm/cold ratio {cold['warm'] / cold['cold']:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
