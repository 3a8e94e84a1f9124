"""Load test: N concurrent browser sessions against one ``streamlit run app.py``.

Each session is a Playwright context in one Debian chromium, looping through
realistic interactions for a fixed time: open the map with another indicator,
year or level (through the link, as a shared link would), open a region
profile, open the deals page with a deal card, and (every few rounds) fetch a
PNG export through the export button when the page has one. An interaction's
latency is the time from the navigation or click to Streamlit reporting the
script run finished (``data-test-script-state=notRunning``) with the page's
heading drawn. Errors: a Streamlit exception box, a "page not found" dialog,
or a timeout.

Reports requests done, errors, p50/p95 interaction latency and the server's
peak RSS (its process tree, sampled every 0.5 s). Goal on the 2-core machine:
20 sessions for 2 minutes, 0 errors, p95 ≤ 3 s, RSS ≤ 1 GB.

Run:

    .venv/bin/python bench/load.py [--sessions 20] [--seconds 120] [--warehouse DIR] [--json OUT]

Without ``--warehouse``: data/warehouse (build it first with ``make run`` or
``python -m welfare build``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from browser import chromium_path, launch_chromium, streamlit_server  # noqa: E402

INDICATORS = ["pressure", "count", "wrk_unemployment", "mat_median_income", "hea_experienced_health", "theme:gezondheid"]
LEVELS = ["gemeente", "corop", "provincie"]
YEARS = ["", "2021", "2022", "2023"]
REGIONS = ["GM0363", "GM0599", "GM0917", "GM0014", "GM0034", "GM1680"]
VERBOSE = bool(os.environ.get("LOAD_VERBOSE"))
DEALS = ["t3-zuid-hollandse-delta", "t2-parkstad-limburg", "t1-rotterdam-zuid", "r4-rotterdam-zuid-ii"]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float | None, error: str | None = None) -> None:
        with self.lock:
            if error:
                self.errors.append(error)
            elif seconds is not None:
                self.latencies.append(seconds)


def rss_of_tree(pid: int) -> int:
    """Resident memory (bytes) of a process and its children, from /proc."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def interactions(rng: random.Random) -> list[str]:
    """One round of a session: paths to open, in order."""
    ind, lvl, yr = rng.choice(INDICATORS), rng.choice(LEVELS), rng.choice(YEARS)
    query = f"?indicator={ind}&niveau={lvl}" + (f"&jaar={yr}" if yr else "")
    return [
        "/" + query,
        f"/regioprofiel?regio={rng.choice(REGIONS)}",
        f"/deals?deal={rng.choice(DEALS)}",
    ]


def session(base: str, browser, stop_at: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        while time.time() < stop_at:
            for path in interactions(rng):
                if time.time() >= stop_at:
                    break
                start = time.perf_counter()
                try:
                    page.goto(base + path, timeout=60_000)
                    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
                    page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=60_000)
                    elapsed = time.perf_counter() - start
                    if page.locator("[data-testid='stException']").count():
                        tally.add(None, f"exception on {path}")
                    elif page.get_by_text("Page not found").count():
                        tally.add(None, f"page not found: {path}")
                    else:
                        tally.add(elapsed)
                        if VERBOSE:
                            print(f"{elapsed:6.2f} s  {path}", flush=True)
                except Exception as exc:  # noqa: BLE001 - a load test counts every failure
                    tally.add(None, f"{type(exc).__name__} on {path}: {str(exc)[:120]}")
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--warehouse", type=Path, default=REPO / "data" / "warehouse")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here too")
    args = parser.parse_args()
    if chromium_path() is None:
        sys.exit("Debian's chromium is needed: apt-get install -y chromium")
    if not (args.warehouse / "manifest.json").exists():
        sys.exit(f"no warehouse in {args.warehouse}: run `python -m welfare build` first")
    from playwright.sync_api import sync_playwright

    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp, streamlit_server(args.warehouse, Path(tmp) / "streamlit.log") as base:
        server_pid = int(os.popen(f"pgrep -f 'streamlit run app.py.*{base.rsplit(':', 1)[1]}' | head -1").read().strip() or 0)
        peak = [0]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                if server_pid:
                    peak[0] = max(peak[0], rss_of_tree(server_pid))
                time.sleep(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # a browser per session thread: Playwright's sync API is bound to the thread that started it
        started = time.time()
        stop_at = started + args.seconds
        threads = []
        for i in range(args.sessions):

            def run(i: int = i) -> None:
                with sync_playwright() as own:
                    browser = launch_chromium(own)
                    try:
                        session(base, browser, stop_at, tally, seed=i)
                    finally:
                        browser.close()

            th = threading.Thread(target=run, daemon=True)
            th.start()
            threads.append(th)
        for th in threads:
            th.join(timeout=args.seconds + 180)
        wall = time.time() - started
        sampling.set()
        sampler.join()

    lat = sorted(tally.latencies)
    p50 = statistics.median(lat) if lat else float("nan")
    p95 = lat[max(0, int(round(0.95 * len(lat))) - 1)] if lat else float("nan")
    figures = {
        "sessions": args.sessions,
        "seconds": round(wall, 1),
        "interactions": len(lat) + len(tally.errors),
        "errors": len(tally.errors),
        "p50_s": round(p50, 2),
        "p95_s": round(p95, 2),
        "server_peak_rss_mb": round(peak[0] / 2**20, 1),
    }
    print(f"{args.sessions} sessions for {wall:.0f} s: {figures['interactions']} interactions, {figures['errors']} errors")
    print(f"latency p50 {p50:.2f} s, p95 {p95:.2f} s (goal ≤ 3 s); server peak RSS {figures['server_peak_rss_mb']} MB (goal ≤ 1024 MB)")
    for error in tally.errors[:10]:
        print("  error:", error)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
