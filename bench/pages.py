"""Benchmark: the pages' server time per rerun, time to a drawn map in chromium, figure sizes.

1. Per page, AppTest: the first run (cold caches) and the median of warm
   reruns, with the size of each Plotly figure the page sends.
2. The map page against its bare cost: a warm rerun of ``/`` versus reading
   the data it needs from the warehouse and building its figure without
   Streamlit (frames, web layer, default ranking, choropleth) — the ratio
   shows what the page adds around the figure (goal ≤ 1.5×).
3. In Debian's chromium: time from navigation to the map's canvas drawn, per
   map page, against one ``streamlit run``.

Run:

    .venv/bin/python bench/pages.py [--warehouse DIR] [--repeat N] [--no-browser]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# this file is named like the app's pages/ package: keep bench/ off the path so `pages._common` resolves
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from streamlit.testing.v1 import AppTest  # noqa: E402

PAGES = {
    "kaart": ("pages/kaart.py", {}),
    "ranglijst": ("pages/ranglijst.py", {}),
    "regioprofiel": ("pages/regioprofiel.py", {"regio": "GM0917"}),
    "vergelijken": ("pages/vergelijken.py", {"regio": "GM0917~GM0473"}),
    "deals": ("pages/deals.py", {"deal": "t3-zuid-hollandse-delta"}),
    "toets": ("pages/toets.py", {}),
    "methode": ("pages/methode.py", {}),
    "status": ("pages/status.py", {}),
}


def run_page(file: str, query: dict[str, str], at: AppTest | None = None) -> tuple[AppTest, float]:
    if at is None:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=600)
        for key, value in query.items():
            at.query_params[key] = value
        at.switch_page(file)
    start = time.perf_counter()
    at.run()
    return at, time.perf_counter() - start


def figure_sizes(at: AppTest) -> list[int]:
    return [len(c.proto.spec) for c in at.get("plotly_chart")]


def bare_map_cost(warehouse: Path, repeat: int) -> float:
    """Median time to read the landing map's data and build its figure, without Streamlit.

    What the page needs for its default view: the warehouse frames, the gemeente
    web layer, the default pressure ranking and the choropleth (``welfare.charts``).
    """
    from welfare import charts
    from welfare.boundaries import web_geojson
    from welfare.catalog import load_catalog
    from welfare.scoring import ScoringConfig, score
    from welfare.warehouse import read_observations, read_regions

    def build() -> None:
        obs, regions = read_observations(warehouse), read_regions(warehouse)
        result = score(obs, regions, load_catalog(), ScoringConfig())
        frame = result.regions.rename(columns={"region_name": "name"})
        geo = web_geojson(warehouse, "gemeente", 2025)
        fig = charts.choropleth(frame, geo, value_col="pressure_score", title="Druk", source="Bron: CBS", lang="nl")
        fig.to_json()

    build()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        build()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def browser_times(warehouse: Path, paths: list[str]) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from browser import launch_chromium, streamlit_server, wait_for_app

    out = {}
    with tempfile.TemporaryDirectory() as tmp, streamlit_server(warehouse, Path(tmp) / "log") as base, sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for path in paths:  # the first visit warms the server's caches; time the second
            for attempt in range(2):
                start = time.perf_counter()
                page.goto(base + path, timeout=120_000)
                wait_for_app(page, timeout_ms=120_000)
                page.wait_for_selector("[data-testid='stPlotlyChart'] canvas", timeout=120_000)
                out[path] = time.perf_counter() - start
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=REPO / "data" / "warehouse")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    if not (args.warehouse / "manifest.json").exists():
        sys.exit(f"no warehouse in {args.warehouse}: run `python -m welfare build` first")
    os.environ["REGIOWELVAART_WAREHOUSE"] = str(args.warehouse)
    warnings.simplefilter("ignore")
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)

    print(f"{'page':<14}{'cold run':>10}{'warm rerun':>12}   figures (KB)")
    warm_map = None
    for name, (file, query) in PAGES.items():
        if not (REPO / file).exists():
            continue
        at, cold = run_page(file, query)
        warm = []
        for _ in range(args.repeat):
            at, seconds = run_page(file, query, at)
            warm.append(seconds)
        median = statistics.median(warm)
        if name == "kaart":
            warm_map = median
        sizes = ", ".join(f"{s / 1024:.0f}" for s in figure_sizes(at)) or "—"
        flag = " EXCEPTION" if at.exception else ""
        print(f"{name:<14}{cold:>9.2f}s{median:>11.2f}s   {sizes}{flag}")

    bare = bare_map_cost(args.warehouse, args.repeat)
    if warm_map:
        print(f"\nmap page: warm rerun {warm_map:.2f} s; reading its data and building its figure {bare:.2f} s: ratio {warm_map / bare:.2f} (goal ≤ 1.5)")

    if not args.no_browser:
        times = browser_times(args.warehouse, ["/", "/deals", "/toets"])
        print("\nchromium, navigation → map canvas drawn (second visit):")
        for path, seconds in times.items():
            print(f"   {path:<10}{seconds:6.2f} s")


if __name__ == "__main__":
    main()
